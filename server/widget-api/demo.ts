/**
 * Demo mode only (app.ts registers this plugin only when `demo` is on, so in production these
 * paths are plain 404s): a session for a seeded customer without a brand server, a movable
 * clock for QA, and a reset to the seeded state.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiError } from '../errors.js';
import { SignJWT } from 'jose';
import type { OrgDoc } from '../engine/org.js';
import { md5, seedDemo } from '../seed.js';
import { iso } from '../engine/time.js';
import { signCustomerToken } from './auth.js';
import { rateLimited, renderError, widgetError } from './errors.js';
import { errorBody } from './schemas.js';
import { RateLimiter } from './rate-limit.js';

const DAY = 86_400_000;
const DEMO_ORG = 'demo';
const DEMO_CUSTOMERS = ['alice', 'bob', 'carol'];
/** The demo till's Basic credentials, as a brand's server sends them to the Capillary API (never to a browser). */
const DEMO_TILL_BASIC = Buffer.from(`demo.till:${md5('demo.pass')}`).toString('base64');
const tags = ['demo'];
const responses = (schema: unknown) => ({ 200: schema, '4xx': errorBody, '5xx': errorBody });
/**
 * A correctly signed token that expired an hour ago (issued two hours ago: a 1-hour lifetime, so the
 * server answers TOKEN_EXPIRED, not TOKEN_INVALID), for QA to see the widgets' expired-token path.
 * Past the 60 s clock skew the server allows, and with the real clock, as the server checks tokens.
 */
function signExpiredToken(org: OrgDoc, sub: string) {
  const now = Math.floor(Date.now() / 1000);
  const exp = now - 3600;
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(org.id)
    .setSubject(sub)
    .setIssuedAt(exp - 3600)
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(org.widgetSecret))
    .then((token) => ({ token, expiresAt: iso(exp * 1000) }));
}
const clockResponse = {
  type: 'object',
  required: ['now', 'offsetDays'],
  additionalProperties: false,
  properties: { now: { type: 'string', format: 'date-time' }, offsetDays: { type: 'number' } },
};

const isJson = (type: string | undefined) =>
  !!type && type.split(';', 1)[0].trim().toLowerCase() === 'application/json';

/**
 * No cross-site request forgery of the demo routes (a body-less or form POST from another site needs
 * no preflight): every POST must carry a JSON body (Content-Type: application/json, so a browser
 * preflights it, which nothing here answers), and a browser's Origin must be this server's own or
 * one the demo organisation lists. A request without Origin and without a cross-site
 * Sec-Fetch-Site comes from a non-browser client (curl, a test, a script), which is let through.
 */
export function demoCsrfProblem(app: FastifyInstance, req: FastifyRequest): ApiError | null {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    const own = `${req.protocol}://${req.headers.host}`;
    if (origin !== own && !(app.ctx.orgs.get(DEMO_ORG)?.allowedOrigins.includes(origin) ?? false)) {
      return widgetError(
        403,
        'ORIGIN_NOT_ALLOWED',
        `The demo routes only take requests from this server's own pages (${own}) or the demo organisation's allowed origins; ${JSON.stringify(origin)} is neither.`,
      );
    }
  } else {
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      return widgetError(403, 'ORIGIN_NOT_ALLOWED', "The demo routes only take requests from this server's own pages.");
    }
  }
  if (!isJson(req.headers['content-type'])) {
    return widgetError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'Send a JSON body with Content-Type: application/json (for /demo/reset, send {}).',
    );
  }
  return null;
}

/** Broadcasts between the server processes of one database (Store.broadcast). */
const CLOCK_MOVED = 'demo:clock';
const DEMO_RESET = 'demo:reset';

export async function demoRoutes(app: FastifyInstance) {
  const { ctx } = app;
  app.setErrorHandler(renderError);
  app.removeContentTypeParser('text/plain');
  app.addHook('onRequest', (req, _reply, done) =>
    done(req.method === 'POST' ? (demoCsrfProblem(app, req) ?? undefined) : undefined),
  );
  const sessions = new RateLimiter(ctx.rateLimits.demoSessionPerMinute, 60_000);

  const clockView = () => ({ now: iso(ctx.clock.now()), offsetDays: ctx.clock.offsetMs / DAY });
  const setOffset = async (ms: number) => {
    await ctx.store.tx((tx) => tx.setMeta('clock_offset_ms', ms === 0 ? null : String(ms)));
    ctx.clock.offsetMs = ms;
    await ctx.store.broadcast?.(CLOCK_MOVED);
  };
  // Other server processes on the same database (PostgreSQL) move their clock and forget the reset data with this one.
  // One after another, each reading the latest committed state: after the last message, this process agrees with the database.
  let peers = Promise.resolve();
  ctx.store.onBroadcast?.((message) => {
    peers = peers
      .then(async () => {
        // Reads cached here were built at the old "now" (their versions do not count the clock): read them again.
        app.readCache.clear();
        if (message === CLOCK_MOVED) await reloadClock();
        if (message === DEMO_RESET) {
          await reloadClock();
          await ctx.orgs.load();
          app.widgetAuth.clear();
        }
      })
      .catch((err) => app.log.warn(`demo: could not follow another server's ${message}: ${err?.message ?? err}`));
  });
  const reloadClock = async () => {
    const offset = await ctx.store.read((tx) => tx.getMeta('clock_offset_ms'));
    ctx.clock.offsetMs = Number(offset ?? 0);
  };

  app.post<{ Body: { customer: string; expired?: boolean } }>(
    '/demo/session',
    {
      schema: {
        tags,
        summary:
          'A 1-hour customer token for a seeded demo customer (alice, bob or carol); {"expired": true} gives one that expired an hour ago',
        description:
          'Demo mode only (404 in production). 404 for anyone but alice, bob and carol. The expired token is correctly signed, for the `TOKEN_EXPIRED` path (the demo page\'s QA bar: "Expire token"; its "Go offline" cuts the widgets\' network).',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['customer'],
          properties: { customer: { type: 'string', maxLength: 64 }, expired: { type: 'boolean' } },
        },
        response: responses({
          type: 'object',
          required: ['token', 'expiresAt'],
          additionalProperties: false,
          properties: { token: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } },
        }),
      },
    },
    async (req) => {
      const wait = sessions.hit(req.ip);
      if (wait > 0) throw rateLimited(wait, 'demo sessions from this address');
      const org = ctx.orgs.get(DEMO_ORG);
      const name = req.body.customer;
      const exists =
        org &&
        DEMO_CUSTOMERS.includes(name) &&
        (await ctx.store.read((tx) => tx.getCustomerByExternalId(DEMO_ORG, name)));
      if (!org || !exists) throw widgetError(404, 'NOT_FOUND', `No demo customer "${name}"; use alice, bob or carol.`);
      if (req.body.expired) return signExpiredToken(org, name);
      const lifetimeS = 3600;
      return { token: await signCustomerToken(org, name, lifetimeS), expiresAt: iso(Date.now() + lifetimeS * 1000) };
    },
  );

  app.post<{ Body: { advanceDays?: number; reset?: boolean } }>(
    '/demo/clock',
    {
      schema: {
        tags,
        summary: 'Move the server\'s "now": {"advanceDays": n} adds n days, {"reset": true} returns to real time',
        description:
          'Demo mode only. Every time rule (periods, backfill, undo, streaks) follows it, on both surfaces; it survives a restart. Requires a JSON body and an allowed Origin.',
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          maxProperties: 1,
          properties: {
            advanceDays: { type: 'integer', minimum: -366, maximum: 366 },
            reset: { type: 'boolean', const: true },
          },
        },
        response: responses(clockResponse),
      },
    },
    async (req) => {
      await setOffset(req.body.reset ? 0 : ctx.clock.offsetMs + req.body.advanceDays! * DAY);
      return clockView();
    },
  );

  app.post(
    '/demo/reset',
    {
      schema: {
        tags,
        summary: 'Restore the seeded demo data and the real clock (send {} as the body)',
        description: 'Demo mode only. Requires a JSON body and an allowed Origin (no cross-site form can reset).',
        body: { type: 'object', additionalProperties: false, maxProperties: 0 },
        response: responses(clockResponse),
      },
    },
    async () => {
      ctx.clock.offsetMs = 0;
      await ctx.store.tx((tx) => tx.deleteAllData());
      await seedDemo(ctx.store, ctx.clock.now(), {
        allowedOrigins: ctx.demoAllowedOrigins,
        eventKeyField: ctx.demoEventKey,
      });
      await ctx.orgs.load();
      app.widgetAuth.clear();
      await ctx.store.broadcast?.(DEMO_RESET);
      return clockView();
    },
  );

  /**
   * The demo brand's shop checkout, playing the brand's own server: it checks and then uses a coupon
   * through the Capillary API with the brand's till credentials (`GET v2/coupon/is_redeemable`, `POST
   * v2/coupon/redeem`), on this server or, in upstream mode, on the upstream organisation, exactly as a
   * brand's checkout would. The browser never sees the credentials.
   */
  app.post<{ Body: { customer: string; code: string; billAmount: number } }>(
    '/demo/shop/checkout',
    {
      schema: {
        tags,
        summary:
          "The demo shop's checkout: applies a coupon to a basket (check, then use once) through the Capillary API",
        description:
          "Demo mode only. Plays the brand's server: `GET v2/coupon/is_redeemable` then `POST v2/coupon/redeem` with the demo till, on this server or the upstream organisation (UCC_UPSTREAM_URL). 409 `COUPON_NOT_REDEEMABLE` with the platform's reason (used, expired, another customer's, unknown).",
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['customer', 'code', 'billAmount'],
          properties: {
            customer: { type: 'string', maxLength: 64 },
            code: { type: 'string', minLength: 1, maxLength: 64, pattern: '\\S' },
            billAmount: { type: 'number', minimum: 0, maximum: 100000 },
          },
        },
        response: responses({
          type: 'object',
          required: ['code', 'billAmount', 'amountOff', 'total', 'discountType'],
          additionalProperties: false,
          properties: {
            code: { type: 'string' },
            billAmount: { type: 'number' },
            amountOff: { type: 'number' },
            total: { type: 'number' },
            discountType: { type: 'string', enum: ['PERC', 'ABS', 'FREE_ITEM'] },
          },
        }),
      },
    },
    async (req) => {
      const { customer, billAmount } = req.body;
      const code = req.body.code.trim().toUpperCase();
      if (!DEMO_CUSTOMERS.includes(customer))
        throw widgetError(404, 'NOT_FOUND', `No demo customer "${customer}"; use alice, bob or carol.`);
      const capillary = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
        const headers = { authorization: `Basic ${DEMO_TILL_BASIC}`, 'content-type': 'application/json' };
        if (ctx.demoUpstreamUrl) {
          // Relative to the base URL as given, a path in it included (http://host/capillary → http://host/capillary/v2/…).
          const res = await fetch(new URL(path, ctx.demoUpstreamUrl.replace(/\/*$/, '/')), {
            method,
            headers,
            ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
            signal: AbortSignal.timeout(5000),
          }).catch(() => undefined);
          if (!res)
            throw widgetError(503, 'UPSTREAM_UNAVAILABLE', 'The loyalty programme cannot be reached; try again.');
          return { status: res.status, json: (await res.json().catch(() => ({}))) as Record<string, any> };
        }
        const res = await app.inject({
          method,
          url: `/${path}`,
          headers,
          ...(body !== undefined ? { payload: body as object } : {}),
        });
        let json: Record<string, any> = {};
        try {
          json = res.json();
        } catch {
          // not JSON: no reason to show
        }
        return { status: res.statusCode, json };
      };
      const refusal = (json: Record<string, any>, fallback: string) => {
        const e = json?.redemption?.[0]?.error ?? json?.errors?.[0] ?? {};
        return widgetError(409, 'COUPON_NOT_REDEEMABLE', String(e.message ?? fallback), {
          ...(e.code !== undefined ? { vendorCode: e.code } : {}),
        });
      };
      const check = await capillary(
        'GET',
        `v2/coupon/is_redeemable?externalId=${encodeURIComponent(customer)}&code=${encodeURIComponent(code)}&details=true`,
      );
      if (check.status >= 500)
        throw widgetError(
          503,
          'UPSTREAM_UNAVAILABLE',
          'The loyalty programme cannot check coupons right now; try again.',
        );
      if (check.status !== 200 || check.json?.redemption?.[0]?.isRedeemable !== true)
        throw refusal(check.json, `Coupon ${code} cannot be used.`);
      const used = await capillary('POST', 'v2/coupon/redeem', {
        redemptionRequestList: [{ code }],
        user: { externalId: customer },
        billAmount,
        transactionNumber: `demo-shop-${crypto.randomUUID()}`,
        redemptionTime: iso(ctx.clock.now()),
      });
      if (used.status !== 200) throw refusal(used.json, `Coupon ${code} cannot be used.`);
      const r = used.json?.redemption?.[0] ?? {};
      const amountOff = Math.min(billAmount, Number(r.couponValue ?? 0));
      const discountType = ['PERC', 'ABS', 'FREE_ITEM'].includes(r.discountType) ? r.discountType : 'ABS';
      return { code, billAmount, amountOff, total: Math.round((billAmount - amountOff) * 100) / 100, discountType };
    },
  );
}
