/**
 * The read cache of `GET /me/challenges` (read-cache.ts), owned by the app: decorates the instance
 * with `readCache` and every request with `cacheScope`, and invalidates after each write. Registered
 * by app.ts at the root, since every surface's writes (Capillary API, webhook, demo) invalidate it.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { ReadCache } from '../read-cache.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Serialised progress reads, invalidated by every write (see read-cache.ts). */
    readCache: ReadCache;
  }
  interface FastifyRequest {
    /**
     * The customer (customerCacheKey) whose cached reads this request's write invalidates; null (any
     * request the widget API has not identified) invalidates every customer's.
     */
    cacheScope: string | null;
  }
}

export const readCachePlugin = fp(
  async (app: FastifyInstance) => {
    const cache = new ReadCache();
    app.decorate('readCache', cache);
    app.decorateRequest('cacheScope', null);
    // Every write, once answered (so after its COMMIT), invalidates cached reads: a widget write its
    // own customer's, any other write (Capillary API, webhook, demo clock and reset) all of them.
    // A callback hook rather than an async one: it runs on every response, and it never waits.
    app.addHook('onResponse', (req, _reply, done) => {
      if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS') {
        if (req.cacheScope !== null) cache.bumpCustomer(req.cacheScope);
        else cache.bumpAll();
      }
      done();
    });
  },
  { name: 'ucc-read-cache', fastify: '5.x' },
);
