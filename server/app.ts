import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import AjvCompiler from '@fastify/ajv-compiler';
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

/**
 * Strict types: a JSON body is validated as it is, never coerced (`"quantity": "0x10"`, `true` or `[5]` is
 * refused, not read as 16, 1 or 5). Query strings, path parameters and headers are text by nature, so their
 * schemas' numbers and arrays are parsed from it. The few places Capillary's own API sends numbers as
 * strings are accepted by the engine, listed in one place: server/engine/wire.ts.
 */
function strictBodies() {
  const ajvCompilers = AjvCompiler();
  // strictTypes off: the Capillary routes bound a field's length or size while leaving its type to the engine (capillary/index.ts).
  const ajvOptions = { removeAdditional: false, allErrors: false, useDefaults: true, strictTypes: false, allowUnionTypes: true } as const;
  return (externalSchemas: Parameters<typeof ajvCompilers>[0]) => {
    const json = ajvCompilers(externalSchemas, { customOptions: { ...ajvOptions, coerceTypes: false } });
    const text = ajvCompilers(externalSchemas, { customOptions: { ...ajvOptions, coerceTypes: 'array' } });
    return (route: Parameters<typeof json>[0]) => (route.httpPart === 'body' ? json : text)(route);
  };
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
    schemaController: { compilersFactory: { buildValidator: strictBodies() } },
    // Unique across restarts (a random boot id) and cheap per request (a counter), for log correlation.
    genReqId: () => `${bootId}-${(++requests).toString(36)}`,
  });
  app.decorate('ctx', ctx);
  // JSON only: without a text/plain parser, any other content type is answered 415.
  app.removeContentTypeParser('text/plain');
  app.addHook('onClose', async () => { if (!opts.store) store.close(); });
  app.get('/healthz', async () => ({ status: 'ok' }));
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
