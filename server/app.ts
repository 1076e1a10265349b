import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { SqliteStore } from './store/sqlite.js';
import type { Store } from './store/types.js';
import { Clock, OrgRegistry, type AppContext, type RateLimits } from './context.js';
import { seedDemo, DEMO_TOKEN_SECRET } from './seed.js';
import { capillaryRoutes } from './capillary/index.js';
import { widgetRoutes } from './widget-api/index.js';
import { demoRoutes } from './widget-api/demo.js';
import { staticRoutes } from './static.js';
import { ReadCache } from './widget-api/read-cache.js';

export interface AppOptions {
  /** SQLite file path (or ':memory:'), or a ready store. */
  db?: string;
  store?: Store;
  /** Demo mode seeds the demo organisation and exposes /demo/*. */
  demo: boolean;
  /** Demo mode: page origins added to the demo organisation's allowedOrigins (UCC_ALLOWED_ORIGINS). */
  demoAllowedOrigins?: readonly string[];
  tokenSecret?: string;
  logger?: FastifyServerOptions['logger'];
  rateLimits?: Partial<RateLimits>;
  /** Serve dist/ucc-widgets.js and the demo pages (on by default). */
  serveStatic?: boolean;
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const bootId = crypto.randomUUID().slice(0, 8);
  let requests = 0;
  const store = opts.store ?? new SqliteStore(opts.db ?? ':memory:');
  const clock = new Clock();
  if (opts.demo) {
    await seedDemo(store, clock.now(), { allowedOrigins: opts.demoAllowedOrigins });
    const offset = await store.read((tx) => tx.getMeta('clock_offset_ms'));
    clock.offsetMs = Number(offset ?? 0);
  }
  const orgs = new OrgRegistry(store);
  await orgs.load();
  const ctx: AppContext = {
    store, orgs, clock, demo: opts.demo, demoAllowedOrigins: opts.demoAllowedOrigins,
    tokenSecret: new TextEncoder().encode(opts.tokenSecret ?? DEMO_TOKEN_SECRET),
    rateLimits: { perCustomerPerMinute: 600, perIpPerMinute: 3000, ...opts.rateLimits },
    readCache: new ReadCache(),
  };
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: 64 * 1024,
    trustProxy: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    // Unique across restarts (a random boot id) and cheap per request (a counter), for log correlation.
    genReqId: () => `${bootId}-${(++requests).toString(36)}`,
  });
  app.decorate('ctx', ctx);
  // JSON only: without a text/plain parser, any other content type is answered 415.
  app.removeContentTypeParser('text/plain');
  app.addHook('onClose', async () => { if (!opts.store) store.close(); });
  // Alive and able to store: a cheap read, the write lock, and the open database file still being the file at its path.
  app.get('/healthz', async (req, reply) => {
    const problem = store.health?.() ?? null;
    if (!problem) return { status: 'ok' };
    req.log.error(`/healthz: storage unavailable: ${problem}`);
    return reply.status(503).header('retry-after', '1').send({ status: 'unavailable', error: { code: 'STORAGE_UNAVAILABLE', message: problem } });
  });
  // Every write, once answered (so after its COMMIT), invalidates cached reads: a widget write its
  // own customer's, any other write (Capillary API, webhook, demo clock and reset) all of them.
  // A callback hook rather than an async one: it runs on every response, and it never waits.
  app.addHook('onResponse', (req, _reply, done) => {
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS') {
      const who = (req as { principal?: { org: { id: string }; customerId: number } }).principal;
      if (who) ctx.readCache.bumpCustomer(`${who.org.id}:${who.customerId}`);
      else ctx.readCache.bumpAll();
    }
    done();
  });
  await app.register(capillaryRoutes);
  await app.register(widgetRoutes, { prefix: '/ucc/v1' });
  if (opts.demo) await app.register(demoRoutes);
  if (opts.serveStatic !== false) await app.register(staticRoutes);
  return app;
}
