/**
 * Who may call the widget API, in the routes' own scope: CORS for any origin some brand lists, the
 * customer token (auth.ts, with the app's WidgetAuthState), the request's own brand's origins, and the
 * per-address and per-customer rate limits. Sets `req.principal`, and `req.cacheScope` so that a
 * write invalidates only its own customer's cached reads.
 */
import fp from 'fastify-plugin';
import cors from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OrgDoc } from '../../engine/org.js';
import { authenticate, knownPrincipal, type Principal } from '../auth.js';
import { rateLimited, widgetError } from '../errors.js';
import { RateLimiter } from '../rate-limit.js';
import { customerCacheKey } from '../read-cache.js';

const MINUTE = 60_000;
const LOCALHOST = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

/** CORS: an origin some organisation lists, or (demo mode) a local page on any port. */
function originListed(app: FastifyInstance, origin: string) {
  return (app.ctx.demo && LOCALHOST.test(origin)) || app.ctx.orgs.all().some((o) => o.allowedOrigins.includes(origin));
}

/** True when `org` accepts calls from a page at `origin`: listed by the org, same-origin, or a local page in demo mode. */
export function originAllowed(app: FastifyInstance, req: FastifyRequest, origin: string, org: OrgDoc) {
  if (origin === `${req.protocol}://${req.headers.host}`) return true;
  return (app.ctx.demo && LOCALHOST.test(origin)) || org.allowedOrigins.includes(origin);
}

export const accessPlugin = fp(
  async (app: FastifyInstance) => {
    const { ctx } = app;
    const auth = app.widgetAuth;
    app.decorateRequest('principal', null as never);

    // The organisation is only known from the token, so CORS lets through any origin some brand lists;
    // the onRequest hook below then holds each request to its own brand's list.
    await app.register(cors, {
      origin: (origin: string | undefined, cb: (e: Error | null, allow: boolean) => void) =>
        cb(null, !!origin && originListed(app, origin)),
      methods: ['GET', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
      exposedHeaders: ['Retry-After'],
      maxAge: 600,
    });
    const perIp = new RateLimiter(ctx.rateLimits.perIpPerMinute, MINUTE);
    const perCustomer = new RateLimiter(ctx.rateLimits.perCustomerPerMinute, MINUTE);
    const limit = (limiter: RateLimiter, key: string, who: string) => {
      const wait = limiter.hit(key);
      if (wait > 0) throw rateLimited(wait, `requests from this ${who}`);
    };

    /** Once the token is known: the request acts for its customer; the page's origin must be the brand's, then the customer's own rate limit. */
    const admit = (req: FastifyRequest, p: Principal) => {
      req.principal = p;
      req.cacheScope = customerCacheKey(p.org.id, p.customerId);
      const origin = req.headers.origin;
      if (origin && !originAllowed(app, req, origin, p.org)) {
        throw widgetError(403, 'ORIGIN_NOT_ALLOWED', 'This brand does not allow its widgets on this site.');
      }
      limit(perCustomer, p.key, 'customer');
    };
    // A callback hook: a known token is admitted without a promise; a new one is verified asynchronously.
    app.addHook('onRequest', (req, _reply, done) => {
      try {
        // A preflight that reaches here was not answered by @fastify/cors: its origin is not allowed.
        if (req.method === 'OPTIONS')
          throw widgetError(403, 'ORIGIN_NOT_ALLOWED', "This page's origin may not call the widget API.");
        limit(perIp, req.ip, 'address');
        const known = knownPrincipal(ctx, auth, req);
        if (known) {
          admit(req, known);
          return done();
        }
      } catch (err) {
        return done(err as Error);
      }
      authenticate(ctx, auth, req)
        .then((p) => admit(req, p))
        .then(
          () => done(),
          (err) => done(err),
        );
    });
  },
  { name: 'ucc-widget-access', fastify: '5.x', dependencies: ['ucc-widget-auth', 'ucc-read-cache'] },
);
