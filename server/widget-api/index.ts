/**
 * The widget API, `/ucc/v1`: what a customer's browser may do, for one customer, one round trip
 * per action. Identity comes from a brand-signed token (auth.ts); every write runs in one store
 * transaction; every refusal leaves as `{"error": {"code", "message", "details?"}}`.
 */
import fp from 'fastify-plugin';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CreateChallengeRequest, LogActivityRequest, Me, TemplatesResponse } from '../../contract/widget-api.js';
import type { Tx } from '../store/types.js';
import type { OrgDoc } from '../engine/org.js';
import { customerCacheKey, validUntil } from './read-cache.js';
import { RateLimiter } from './rate-limit.js';
import { isValidZone, parseEnd, parseInstant } from '../engine/time.js';
import { authenticate, knownPrincipal } from './auth.js';
import { rateLimited, renderError, renderNotFound, widgetError } from './errors.js';
import { createChallenge, customerZone, leaveChallenge, listChallengeViews, requireChallenge } from './challenges.js';
import {
  LogAnswerCache,
  logEventId,
  logRequestFingerprint,
  recordLog,
  replayCached,
  replayLog,
  requireActivity,
  undoActivity,
} from './activities.js';
import { activityView, ledgerView, loadChallenge, parseId, templateOf } from './views.js';
import { contentLanguage, languageOf, templatesIn, type Lang } from './i18n.js';
import * as C from '../../contract/widget-api.js';
import * as S from './schemas.js';
import { logAnswersPlugin } from './plugins/log-answers.js';
import { widgetAuthPlugin } from './plugins/widget-auth.js';

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

/** Adds a field to the answer's Vary header, keeping what is there (e.g. CORS's Origin). */
function vary(reply: FastifyReply, field: string) {
  const v = reply.getHeader('vary');
  reply.header('vary', v ? `${String(v)}, ${field}` : field);
}

/**
 * The language of an answer that carries template texts: the best match for the request's
 * Accept-Language among the brand's translations (i18n.ts), announced with Content-Language; the
 * answer varies by Accept-Language.
 */
function language(req: FastifyRequest, reply: FastifyReply): Lang {
  const { org } = req.principal;
  const lang = languageOf(org, req.headers['accept-language']);
  reply.header('content-language', contentLanguage(org, lang));
  vary(reply, 'Accept-Language');
  return lang;
}

/** Validates an Idempotency-Key header: 1–200 printable ASCII characters. */
function idempotencyKey(req: FastifyRequest, required: boolean): string | undefined {
  const k = req.headers['idempotency-key'];
  if (k === undefined || k === '') {
    if (required)
      throw widgetError(
        400,
        'IDEMPOTENCY_KEY_REQUIRED',
        'Send an Idempotency-Key header (e.g. a UUID) so a retried log is counted once.',
      );
    return undefined;
  }
  if (typeof k !== 'string' || k.length > 200 || !/^[\x21-\x7e]+$/.test(k)) {
    throw widgetError(400, 'VALIDATION_FAILED', 'Idempotency-Key must be 1–200 printable ASCII characters.', {
      field: 'headers.idempotency-key',
    });
  }
  return k;
}

/**
 * Runs a write once per (customer, scope, key): the first answer is serialised by the route's
 * response schema and stored in the same transaction as the write; a replay sends those exact
 * bytes with the same status; the same key with another request body is refused.
 */
async function idempotent(
  req: FastifyRequest,
  reply: FastifyReply,
  scope: string,
  key: string | undefined,
  status: number,
  fingerprint: unknown,
  work: (tx: Tx) => Promise<unknown>,
) {
  const { store } = req.server.ctx;
  const { org, customerId } = req.principal;
  // The fingerprint of a small JSON body is short: stored as it is, no hashing needed.
  const hash = key === undefined ? null : JSON.stringify(fingerprint);
  const sent = await store.tx(async (tx) => {
    if (key !== undefined) {
      const prior = await tx.getIdempotent(org.id, customerId, scope, key);
      if (prior) {
        if (prior.requestHash && prior.requestHash !== hash) {
          throw widgetError(
            422,
            'IDEMPOTENCY_KEY_REUSED',
            'This Idempotency-Key was already used for a different request; use a new key.',
          );
        }
        return prior;
      }
    }
    const result = await work(tx);
    reply.status(status);
    const body = String(reply.serialize(result));
    if (key !== undefined)
      await tx.putIdempotent(
        org.id,
        customerId,
        scope,
        key,
        { status, body, requestHash: hash },
        req.server.ctx.clock.now(),
      );
    return { status, body };
  });
  return reply.status(sent.status).type('application/json; charset=utf-8').send(sent.body);
}

async function routes(app: FastifyInstance) {
  const { ctx } = app;
  app.decorateRequest('principal', null as never);
  app.setErrorHandler(renderError);
  app.setNotFoundHandler(renderNotFound);
  // JSON only: without the text/plain parser, any other body is refused with 415.
  app.removeContentTypeParser('text/plain');

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

  /** After the token is known: the page's origin must be the brand's, then the customer's own rate limit. */
  const admit = (req: FastifyRequest) => {
    req.cacheScope = customerCacheKey(req.principal.org.id, req.principal.customerId);
    const origin = req.headers.origin;
    if (origin && !originAllowed(app, req, origin, req.principal.org)) {
      throw widgetError(403, 'ORIGIN_NOT_ALLOWED', 'This brand does not allow its widgets on this site.');
    }
    limit(perCustomer, req.principal.key, 'customer');
  };
  // A callback hook: a known token is admitted without a promise; a new one is verified asynchronously.
  app.addHook('onRequest', (req, reply, done) => {
    try {
      // A preflight that reaches here was not answered by @fastify/cors: its origin is not allowed.
      if (req.method === 'OPTIONS')
        throw widgetError(403, 'ORIGIN_NOT_ALLOWED', "This page's origin may not call the widget API.");
      limit(perIp, req.ip, 'address');
      const known = knownPrincipal(ctx, app.widgetAuth, req);
      if (known) {
        req.principal = known;
        admit(req);
        return done();
      }
    } catch (err) {
      return done(err as Error);
    }
    authenticate(ctx, app.widgetAuth, req)
      .then((p) => {
        req.principal = p;
        admit(req);
      })
      .then(
        () => done(),
        (err) => done(err),
      );
  });

  const tags = ['widget'];
  const security = [{ customerToken: [] }];
  const now = () => ctx.clock.now();

  app.get(
    '/templates',
    {
      schema: {
        tags,
        security,
        summary:
          'The activities this brand lets customers build challenges on, and its policy (texts in the Accept-Language asked for)',
        headers: S.languageHeaders,
        response: S.responses(200, C.TemplatesResponse),
      },
    },
    async (req, reply): Promise<TemplatesResponse> => {
      const { org, customerId } = req.principal;
      const lang = language(req, reply);
      const c = await ctx.store.read((tx) => tx.getCustomer(org.id, customerId));
      return { templates: templatesIn(org, lang), policy: org.policy, timeZone: customerZone(org, c?.timeZone) };
    },
  );

  const meView = async (tx: Tx, req: FastifyRequest): Promise<Me> => {
    const { org, customerId, externalId } = req.principal;
    const c = await tx.getCustomer(org.id, customerId);
    return { id: externalId, timeZone: customerZone(org, c?.timeZone), balance: c?.balance ?? 0 };
  };
  app.get(
    '/me',
    {
      schema: {
        tags,
        security,
        summary: 'The customer: id, time zone, points balance',
        response: S.responses(200, C.Me),
      },
    },
    (req) => ctx.store.read((tx) => meView(tx, req)),
  );
  app.patch<{ Body: { timeZone: string } }>(
    '/me',
    {
      schema: {
        tags,
        security,
        summary: "Set the customer's time zone (IANA name); new challenges use it",
        body: C.PatchMeRequest,
        response: S.responses(200, C.Me),
      },
    },
    (req) => {
      if (!isValidZone(req.body.timeZone))
        throw widgetError(
          422,
          'INVALID_TIME_ZONE',
          `"${req.body.timeZone}" is not an IANA time zone name (e.g. Europe/Berlin).`,
        );
      return ctx.store.tx(async (tx) => {
        await tx.setCustomerTimeZone(req.principal.customerId, req.body.timeZone);
        return meView(tx, req);
      });
    },
  );

  app.post<{ Body: CreateChallengeRequest }>(
    '/me/challenges',
    {
      schema: {
        tags,
        security,
        summary: 'Create a challenge from a template (group, rule, promotion and enrolment in one transaction)',
        headers: S.idempotencyHeaders(false),
        body: C.CreateChallengeRequest,
        response: S.responses(201, C.ChallengeResponse),
      },
    },
    (req, reply) => {
      const b = req.body;
      const lang = language(req, reply);
      return idempotent(
        req,
        reply,
        'create',
        idempotencyKey(req, false),
        201,
        [b.templateId, b.target, b.period, b.periods, b.name ?? null],
        async (tx) => ({
          challenge: await createChallenge(tx, req.principal.org, req.principal.customerId, b, now(), lang),
        }),
      );
    },
  );

  app.get<{ Querystring: { status: 'active' | 'completed' | 'all' } }>(
    '/me/challenges',
    {
      schema: {
        tags,
        security,
        summary: 'My challenges with progress, newest first',
        headers: S.languageHeaders,
        querystring: S.challengesQuery,
        response: S.responses(200, C.ChallengesResponse),
      },
    },
    async (req, reply) => {
      // Served from the read cache when nothing of this customer's changed (ETag, gzip when accepted).
      const { org, customerId } = req.principal;
      const cache = app.readCache;
      const lang = language(req, reply);
      const ticket = cache.ticket(
        customerCacheKey(org.id, customerId),
        lang === null ? req.query.status : `${req.query.status}|${lang}`,
      );
      const at = now();
      let entry = cache.get(ticket, at);
      if (!entry) {
        const challenges = await ctx.store.read((tx) =>
          listChallengeViews(tx, org, customerId, req.query.status, at, lang),
        );
        entry = cache.put(ticket, String(reply.serialize({ challenges })), validUntil(challenges, at));
      }
      reply.header('etag', entry.etag).header('cache-control', 'private, no-cache');
      vary(reply, 'Accept-Encoding, Authorization');
      if (req.headers['if-none-match'] === entry.etag) return reply.status(304).send();
      reply.type('application/json; charset=utf-8');
      if (entry.raw.length > 1024 && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
        return reply.header('content-encoding', 'gzip').send(cache.gzip(entry));
      }
      return reply.send(entry.raw);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/me/challenges/:id',
    {
      schema: {
        tags,
        security,
        summary: 'One challenge with its progress',
        headers: S.languageHeaders,
        params: S.idParams,
        response: S.responses(200, C.ChallengeResponse),
      },
    },
    (req, reply) => {
      const lang = language(req, reply);
      return ctx.store.read(async (tx) => {
        const ch = await requireChallenge(tx, req.principal.customerId, parseId(req.params.id));
        return { challenge: await loadChallenge(tx, req.principal.org, ch, now(), undefined, lang) };
      });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/me/challenges/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Leave a challenge (unenrol); rewards already given stay',
        headers: S.languageHeaders,
        params: S.idParams,
        response: S.responses(200, C.ChallengeResponse),
      },
    },
    (req, reply) => {
      const lang = language(req, reply);
      return ctx.store.tx(async (tx) => {
        const ch = await requireChallenge(tx, req.principal.customerId, parseId(req.params.id));
        return { challenge: await leaveChallenge(tx, req.principal.org, ch, now(), lang) };
      });
    },
  );

  const logAnswers = app.logAnswers;
  app.post<{ Body: LogActivityRequest }>(
    '/me/activities',
    {
      schema: {
        tags,
        security,
        summary: 'Log an activity; answers with every challenge it touched and any reward it triggered',
        headers: S.idempotencyHeaders(true),
        body: C.LogActivityRequest,
        response: S.responses(201, C.LogActivityResponse),
      },
    },
    async (req, reply) => {
      const b = req.body;
      const key = idempotencyKey(req, true)!;
      const { org, customerId } = req.principal;
      const request = logRequestFingerprint(b);
      const lang = language(req, reply);
      // Same contract as idempotent(), but nothing is stored per log beyond the log itself: the key is part of
      // its event's external id, the request fingerprint sits on its activity row, the answer's bytes are kept
      // in memory (LogAnswerCache) and, once evicted, rebuilt from the rows (replayLog; docs/widget-api.md, Idempotency).
      const store = ctx.store;
      const run = store.txGrouped ? store.txGrouped.bind(store) : store.tx.bind(store);
      const sent = await run(async (tx) => {
        const at = now();
        const prior = await tx.getEventByExternalId(org.id, logEventId(customerId, key));
        if (prior) {
          const hit = logAnswers.get(LogAnswerCache.key(prior, lang));
          if (hit) return replayCached(hit, request);
          const response = await replayLog(tx, org, prior, request, at, lang);
          const rebuilt = { status: 201, body: Buffer.from(String(reply.serialize(response))), request };
          logAnswers.set(LogAnswerCache.key(prior, lang), rebuilt);
          return rebuilt;
        }
        const { response, eventId } = await recordLog(tx, org, customerId, b, key, at, request, lang);
        reply.status(201);
        const answer = { status: 201, body: Buffer.from(String(reply.serialize(response))), request };
        // Set inside the transaction so a replay grouped into the same commit finds it; only read after the event is found.
        logAnswers.set(
          LogAnswerCache.key({ id: eventId, createdMs: at, externalEventId: logEventId(customerId, key) }, lang),
          answer,
        );
        return answer;
      });
      return reply.status(sent.status).type('application/json; charset=utf-8').send(sent.body);
    },
  );

  app.get<{ Querystring: { challengeId?: string; from?: string; to?: string; limit: number } }>(
    '/me/activities',
    {
      schema: {
        tags,
        security,
        summary: 'Activity history, newest first (for a calendar)',
        querystring: S.activitiesQuery,
        response: S.responses(200, C.ActivitiesResponse),
      },
    },
    (req) =>
      ctx.store.read(async (tx) => {
        const { org, customerId } = req.principal;
        const q = req.query;
        const c = await tx.getCustomer(org.id, customerId);
        const tz = customerZone(org, c?.timeZone);
        const bound = (v: string | undefined, field: string, end: boolean) => {
          if (v === undefined) return undefined;
          const ms = end ? parseEnd(v, tz) : parseInstant(v, tz);
          if (Number.isNaN(ms))
            throw widgetError(400, 'VALIDATION_FAILED', `${field} must be an ISO date-time or a YYYY-MM-DD date.`, {
              field: `querystring.${field}`,
            });
          return ms;
        };
        let fromMs = bound(q.from, 'from', false),
          toMs = bound(q.to, 'to', true);
        let templateId: string | undefined;
        if (q.challengeId !== undefined) {
          // A challenge's history is every log of its activity while it ran, however the log named it.
          const ch = await requireChallenge(tx, customerId, parseId(q.challengeId));
          templateId = ch.templateId;
          fromMs = Math.max(fromMs ?? ch.startsMs, ch.startsMs);
          toMs = Math.min(toMs ?? ch.endsMs, ch.endsMs);
        }
        const rows = await tx.listActivities(customerId, { templateId, fromMs, toMs, limit: q.limit });
        return { activities: rows.map((a) => activityView(a, templateOf(org, a.templateId)?.eventName ?? '')) };
      }),
  );

  app.delete<{ Params: { id: string } }>(
    '/me/activities/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Undo a log while its period is open; a reward it caused is reversed in the ledger',
        headers: S.languageHeaders,
        params: S.idParams,
        response: S.responses(200, C.UndoActivityResponse),
      },
    },
    (req, reply) => {
      const lang = language(req, reply);
      return ctx.store.tx(async (tx) => {
        const a = await requireActivity(tx, req.principal.customerId, parseId(req.params.id));
        return undoActivity(tx, req.principal.org, a, now(), lang);
      });
    },
  );

  app.get<{ Querystring: { limit: number; before?: string } }>(
    '/me/points',
    {
      schema: {
        tags,
        security,
        summary: 'Points balance and ledger, newest first, paginated',
        querystring: S.pointsQuery,
        response: S.responses(200, C.PointsResponse),
      },
    },
    (req) =>
      ctx.store.read(async (tx) => {
        const { org, customerId } = req.principal;
        const [c, rows] = await Promise.all([
          tx.getCustomer(org.id, customerId),
          tx.listLedgerEntries(customerId, {
            limit: req.query.limit + 1,
            beforeId: parseId(req.query.before) ?? undefined,
          }),
        ]);
        const page = rows.slice(0, req.query.limit);
        return {
          balance: c?.balance ?? 0,
          entries: page.map(ledgerView),
          nextCursor: rows.length > page.length ? String(page[page.length - 1].id) : null,
        };
      }),
  );
}

/**
 * Registered by app.ts with `{ prefix: '/ucc/v1' }`. Wrapped with fastify-plugin so that the
 * OpenAPI generator and /docs live on the root scope (they see the widget and demo routes
 * registered after them, not the Capillary API); the routes themselves are registered in their
 * own encapsulated scope under the prefix, with their own error and not-found handlers.
 */
export const widgetRoutes = fp(
  async (root: FastifyInstance, opts: { prefix?: string }) => {
    await root.register(widgetAuthPlugin);
    await root.register(logAnswersPlugin);
    await root.register(swagger, {
      openapi: {
        info: {
          title: 'ucc-widgets widget API',
          version: '1.0.0',
          description: 'Customer-scoped API for the UCC widgets. Documented in docs/widget-api.md.',
        },
        components: { securitySchemes: { customerToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
        tags: [
          { name: 'widget', description: 'Customer-scoped: Authorization: Bearer <brand-signed token>' },
          { name: 'demo', description: 'Demo mode only' },
        ],
      },
      hideUntagged: true,
    });
    await root.register(swaggerUi, { routePrefix: '/docs' });
    await root.register(routes, { prefix: opts.prefix ?? '/ucc/v1' });
  },
  { name: 'ucc-widget-api', fastify: '5.x', dependencies: ['ucc-read-cache'] },
);
