/**
 * The widgets' public files and the demo pages.
 *
 * - `GET /v/<version>/<file>`: the script-tag builds as built (`dist/ucc-widgets.js`,
 *   `dist/ucc-widgets.iife.js`, their source maps, `integrity.json`) and the languages both load on
 *   demand (`ucc-widgets.locale-<lang>.js` and its map, `LOCALE_FILE`), cached for a year as
 *   immutable. Only the version in `dist/integrity.json` is served; another answers 404 naming it.
 * - `GET /<file>`: the same files under an unversioned, short-cached alias.
 * - `GET /` and `GET /embed.html`: the demo pages; `GET /favicon.svg` (and `/favicon.ico`, which
 *   browsers ask for on their own) their icon, an SVG.
 *
 * Every widget file answers `Access-Control-Allow-Origin: *` (public code, no credentials), so a
 * brand page on any origin can load it as a module script, with `integrity` and
 * `crossorigin="anonymous"`. A file that has not been built yet is a 503 saying how to build it,
 * not a bare 404, so a fresh checkout explains itself.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import fastifyStatic from '@fastify/static';
import helmet from '@fastify/helmet';
import { API_HEADERS } from './headers.js';
import type { FastifyInstance, FastifyReply } from 'fastify';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const DEMO = join(ROOT, 'demo');

/** The files a brand's page may load from this server, and their content types. */
export const WIDGET_FILES: Record<string, string> = {
  'ucc-widgets.js': 'text/javascript; charset=utf-8',
  'ucc-widgets.iife.js': 'text/javascript; charset=utf-8',
  'ucc-widgets.js.map': 'application/json; charset=utf-8',
  'ucc-widgets.iife.js.map': 'application/json; charset=utf-8',
  'integrity.json': 'application/json; charset=utf-8',
};
/** The on-demand language chunks next to the bundles (`ucc-widgets.locale-es.js`), and their maps. */
export const LOCALE_FILE = /^ucc-widgets\.locale-[a-z]{2,3}\.js(\.map)?$/;
/** The content type of a file the widgets' pages may load; undefined for any other name. */
export const widgetType = (file: string): string | undefined =>
  Object.hasOwn(WIDGET_FILES, file)
    ? WIDGET_FILES[file]
    : LOCALE_FILE.test(file)
      ? WIDGET_FILES[file.endsWith('.map') ? 'ucc-widgets.js.map' : 'ucc-widgets.js']
      : undefined;
export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const SHORT = 'public, max-age=300';

function unavailable(reply: FastifyReply, what: string, how: string) {
  return reply
    .status(503)
    .header('cache-control', 'no-store')
    .header('access-control-allow-origin', '*')
    .type('application/json; charset=utf-8')
    .send({ error: { code: 'NOT_BUILT', message: `${what} is not available yet: ${how}` } });
}

/** The version `npm run build` wrote into dist/integrity.json (re-read when the file changes). */
let built: { mtimeMs: number; version: string | null } = { mtimeMs: -1, version: null };
function builtVersion(): string | null {
  const file = join(DIST, 'integrity.json');
  if (!existsSync(file)) return null;
  const { mtimeMs } = statSync(file);
  if (mtimeMs !== built.mtimeMs) {
    let version: string | null = null;
    try {
      version = (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? null;
    } catch {
      /* half-written: retry next time */
    }
    built = { mtimeMs, version };
  }
  return built.version;
}

function notFound(reply: FastifyReply, current: string | null) {
  return reply
    .status(404)
    .header('access-control-allow-origin', '*')
    .header('cache-control', 'no-store')
    .send({
      error: {
        code: 'NOT_FOUND',
        message: current
          ? `This server serves ucc-widgets ${current}: /v/${current}/ucc-widgets.js (or .iife.js, .locale-<lang>.js, their .map, integrity.json).`
          : 'No widget build is available yet: run `npm run build`.',
      },
    });
}

/** CSP hashes ('sha256-…') of the inline scripts of the demo pages, so the CSP needs no 'unsafe-inline' for scripts. */
export function inlineScriptHashes(files: string[]): string[] {
  const hashes = new Set<string>();
  for (const file of files) {
    if (!existsSync(file)) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
      hashes.add(`'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`);
    }
  }
  return [...hashes];
}

/**
 * Security headers of the demo pages and the widget files (@fastify/helmet, in this scope only:
 * its hooks cost more than the API's constant headers in app.ts). The pages load their scripts
 * from this server plus their own inline scripts (by hash), call only this server, and may be
 * framed only by themselves. The widget files are loaded by brand pages on any origin: CORP
 * cross-origin (helmet's default same-origin would block a plain cross-origin script tag). No
 * HSTS: TLS is the reverse proxy's business, and this server may run on plain http locally.
 */
export function helmetOptions(scriptHashes: string[]) {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'base-uri': ["'self'"],
        'connect-src': ["'self'"],
        'font-src': ["'self'", 'data:'],
        'form-action': ["'self'"],
        'frame-ancestors': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'object-src': ["'none'"],
        'script-src': ["'self'", ...scriptHashes],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'", "'unsafe-inline'"],
      },
    },
    crossOriginResourcePolicy: { policy: 'cross-origin' as const },
    referrerPolicy: { policy: 'no-referrer' as const },
    strictTransportSecurity: false,
  };
}

export async function staticRoutes(app: FastifyInstance) {
  // app.ts sets API_HEADERS on every request; here helmet's headers replace them (else the JSON API's
  // CSP, sent with writeHead, would win over helmet's).
  app.addHook('onRequest', (_req, reply, done) => {
    for (const name of Object.keys(API_HEADERS)) reply.removeHeader(name);
    done();
  });
  await app.register(helmet, helmetOptions(inlineScriptHashes([join(DEMO, 'index.html'), join(DEMO, 'embed.html')])));
  // The files are sent by @fastify/static (ETag, Last-Modified, ranges); `serve: false` keeps it from
  // exposing the rest of dist/ (the npm build and types are for bundlers, not browsers).
  await app.register(fastifyStatic, {
    root: DIST,
    serve: false,
    cacheControl: false,
    schemaHide: true,
    // After send's own headers: text/javascript (RFC 9239) rather than its application/javascript.
    setHeaders: (reply: FastifyReply, path: string) => {
      const type = widgetType(basename(path));
      if (type) reply.header('content-type', type);
    },
  });
  const hide = { schema: { hide: true } };

  const send = (reply: FastifyReply, file: string, cache: string) => {
    if (!existsSync(join(DIST, file))) {
      // A language this build does not have is not found; any file of a build not made yet, unavailable.
      if (LOCALE_FILE.test(file) && existsSync(join(DIST, 'ucc-widgets.js'))) return notFound(reply, builtVersion());
      return unavailable(reply, file, `run \`npm run build\` to create dist/${file}.`);
    }
    return reply
      .header('access-control-allow-origin', '*')
      .header('cross-origin-resource-policy', 'cross-origin')
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', cache)
      .sendFile(file, DIST);
  };

  for (const file of Object.keys(WIDGET_FILES)) app.get(`/${file}`, hide, (_req, reply) => send(reply, file, SHORT));
  app.get<{ Params: { file: string } }>(
    '/:file(^ucc-widgets\\.locale-[a-z]{2,3}\\.js(?:\\.map)?$)',
    hide,
    (req, reply) => send(reply, req.params.file, SHORT),
  );

  app.get<{ Params: { version: string; file: string } }>('/v/:version/:file', hide, (req, reply) => {
    const { version, file } = req.params;
    const current = builtVersion();
    if (!widgetType(file) || (current && version !== current)) return notFound(reply, current);
    return send(reply, file, current ? IMMUTABLE : 'no-store');
  });

  // Before 0.2.0 the IIFE build was served at /dist/ucc-widgets.iife.js.
  app.get<{ Params: { file: string } }>('/dist/:file', hide, (req, reply) => {
    if (!Object.hasOwn(WIDGET_FILES, req.params.file))
      return reply
        .status(404)
        .send({ error: { code: 'NOT_FOUND', message: `No such file: /dist/${req.params.file}` } });
    return reply.header('access-control-allow-origin', '*').redirect(`/${req.params.file}`, 301);
  });

  const page = (url: string, file: string) =>
    app.get(url, hide, (_req, reply) => {
      if (!existsSync(join(DEMO, file)))
        return unavailable(reply, `demo/${file}`, 'the demo pages are missing from this installation.');
      return reply.header('cache-control', 'no-cache').sendFile(file, DEMO);
    });
  page('/', 'index.html');
  page('/embed.html', 'embed.html');
  page('/favicon.svg', 'favicon.svg');
  page('/favicon.ico', 'favicon.svg'); // sent as image/svg+xml: browsers go by the content type
}
