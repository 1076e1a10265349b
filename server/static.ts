/**
 * The script-tag bundle and the demo pages: GET /ucc-widgets.js (and /dist/*), GET / and
 * GET /embed.html. A file that has not been built yet is a 503 with a message saying how to
 * build it, not a bare 404, so a fresh checkout explains itself.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const DEMO = join(ROOT, 'demo');

function unavailable(reply: FastifyReply, what: string, how: string) {
  return reply.status(503).header('cache-control', 'no-store').type('application/json; charset=utf-8')
    .send({ error: { code: 'NOT_BUILT', message: `${what} is not available yet: ${how}` } });
}

export async function staticRoutes(app: FastifyInstance) {
  await app.register(fastifyStatic, { root: DIST, prefix: '/dist/', decorateReply: true, cacheControl: true, maxAge: 0, schemaHide: true });
  const hide = { schema: { hide: true } };

  app.get('/ucc-widgets.js', hide, (_req, reply) => {
    if (!existsSync(join(DIST, 'ucc-widgets.js'))) return unavailable(reply, 'ucc-widgets.js', 'run `npm run build` to create dist/ucc-widgets.js.');
    return reply.header('cache-control', 'no-cache').sendFile('ucc-widgets.js', DIST);
  });
  const page = (url: string, file: string) => app.get(url, hide, (_req, reply) => {
    if (!existsSync(join(DEMO, file))) return unavailable(reply, `demo/${file}`, 'the demo pages are missing from this installation.');
    return reply.header('cache-control', 'no-cache').sendFile(file, DEMO);
  });
  page('/', 'index.html');
  page('/embed.html', 'embed.html');
}
