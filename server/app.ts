import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import AjvCompiler from '@fastify/ajv-compiler';
import { ApiError, Codes } from './errors.js';
import { API_HEADERS, DOCS_HEADERS } from './headers.js';
import { renderError } from './widget-api/errors.js';
import { openStore } from './store/open.js';
import type { Store } from './store/types.js';
import { loyaltyBackends } from './loyalty/backends.js';
import { demoUpstream } from './seed.js';
import { Clock, DEFAULT_RATE_LIMITS, OrgRegistry, type AppContext, type RateLimits } from './app-context.js';
import { seedDemo, DEMO_TOKEN_SECRET } from './seed.js';
import { capillaryEnvelope, capillaryRoutes } from './capillary/index.js';
import { widgetRoutes } from './widget-api/index.js';
import { demoRoutes } from './widget-api/demo.js';
import { staticRoutes } from './static.js';
import { readCachePlugin } from './widget-api/plugins/read-cache.js';

export interface AppOptions {
  /** SQLite file path (or ':memory:') or a postgres:// URL (opened, and closed with the app), or a ready store. */
  db?: string;
  store?: Store;
  /** Demo mode seeds the demo organisation and exposes /demo/*. */
  demo: boolean;
  /** Demo mode: page origins added to the demo organisation's allowedOrigins (UCC_ALLOWED_ORIGINS). */
  demoAllowedOrigins?: readonly string[];
  tokenSecret?: string;
  logger?: FastifyServerOptions['logger'];
  rateLimits?: Partial<RateLimits>;
  /** UCC_CAPILLARY_ASYNC_MS: unset = webhook posts processed before they are answered; N = processed N ms later. */
  capillaryAsyncMs?: number | null;
  /** Serve dist/ucc-widgets.js and the demo pages (on by default). */
  serveStatic?: boolean;
  /**
   * UCC_UPSTREAM_URL (demo mode): the demo organisation runs upstream against this Capillary-compatible
   * server, with the demo organisation's credentials there (docs/upstream.md).
   */
  upstreamUrl?: string | null;
  /** UCC_DEMO_EVENT_KEY: the demo events' unique-key field (this server acting as another's upstream). */
  demoEventKey?: string;
  /** UCC_UPSTREAM_GRACE_MS: the demo organisation's undo grace period upstream (default 60 000). */
  upstreamGraceMs?: number;
  /** Upstream backends' client options (tests: shorter timeouts, a breaker of their own). */
  upstreamClient?: import('./loyalty/upstream/client.js').ClientOptions;
  /** How long an unfinished create saga waits before the sweeper abandons it (default 10 minutes; tests: less). */
  upstreamSagaStaleMs?: number;
}

// ── logs ──────────────────────────────────────────────────────────────────────────────────────

/** Query parameters whose values are credentials: never written to a log. */
const SECRET_PARAM = /([?&][^=&#]*(?:token|secret|password|passwd|auth|key|sig|code)[^=&#]*=)[^&#]*/gi;
/** The url as logged: secret query values replaced by `[redacted]`. */
export const redactUrl = (url: string) => (url.includes('?') ? url.replace(SECRET_PARAM, '$1[redacted]') : url);
/** pino redaction: credentials in headers, wherever a log line carries them. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-cap-api-oauth-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-cap-api-oauth-token"]',
];
/** The request as Fastify logs it ("incoming request"), with the url's secret query values redacted. */
function serializeRequest(req: FastifyRequest) {
  return {
    method: req.method,
    url: redactUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}
function loggerOptions(logger: AppOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const base = logger === true ? {} : (logger as Record<string, any>);
  return {
    ...base,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { req: serializeRequest, ...base.serializers },
  } as FastifyServerOptions['logger'];
}

// ── errors outside any route: their surface's envelope ───────────────────────────────────────

/**
 * The envelope of the surface `url` belongs to (docs/capillary-api.md and docs/widget-api.md "Error
 * codes"), for errors no route's handler sees: Node's parser (431, 400), Fastify's bad URL. The
 * Capillary family answers invalid input (300004) in its own envelope, anything else the widget API's.
 */
export function envelopeFor(url: string, status: number, widgetCode: string, message: string): unknown {
  const capillary = capillaryEnvelope(url);
  return capillary ? capillary(status, Codes.INVALID_INPUT, message) : { error: { code: widgetCode, message } };
}

/** The url of the request line at the start of `raw` ('' when it is not there). */
function requestUrl(raw: unknown): string {
  if (!Buffer.isBuffer(raw)) return '';
  const m = /^[A-Z]+ (\S+) HTTP\//.exec(raw.subarray(0, 2048).toString('latin1'));
  return m ? m[1] : '';
}

/**
 * Errors of Node's HTTP parser, before Fastify has a request: headers over 16 KB (431), a request
 * timeout (408), a malformed request (400). Answered in the envelope of the surface named by the
 * request line, when the parser still holds it; the connection is closed.
 */
function clientErrorHandler(this: FastifyInstance, error: Error, socket: Socket) {
  const err = error as NodeJS.ErrnoException & { rawPacket?: unknown };
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'HEADERS_TOO_LARGE', 'The request headers are over 16 KB; send a shorter token or fewer headers.']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST_TIMEOUT', 'The request took too long to arrive.']
        : [400, 'VALIDATION_FAILED', 'The request is not valid HTTP.'];
  this.log.debug({ err: { code: err.code, message: err.message } }, 'client error');
  if (socket.writable) {
    const body = JSON.stringify(envelopeFor(requestUrl(err.rawPacket), status, code, message));
    const headers = Object.entries(API_HEADERS)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
        `${headers}connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/** Errors Fastify raises before routing (a URL that is not valid percent-encoding). */
function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const message =
    err.code === 'FST_ERR_BAD_URL' ? 'The URL is not valid (bad percent-encoding).' : 'The request is not valid.';
  reply.headers(API_HEADERS);
  return reply
    .status(400)
    .type('application/json; charset=utf-8')
    .send(envelopeFor(req.url, 400, 'VALIDATION_FAILED', message));
}

/**
 * Strict types: a JSON body is validated as it is, never coerced (`"quantity": "0x10"`, `true` or `[5]` is
 * refused, not read as 16, 1 or 5). Query strings, path parameters and headers are text by nature, so their
 * schemas' numbers and arrays are parsed from it. The few places Capillary's own API sends numbers as
 * strings are read by the Capillary parser, listed in one place: server/capillary/wire.ts.
 */
function strictBodies() {
  const ajvCompilers = AjvCompiler();
  // strictTypes off: the Capillary routes bound a field's length or size while leaving its type to the engine (capillary/index.ts).
  const ajvOptions = {
    removeAdditional: false,
    allErrors: false,
    useDefaults: true,
    strictTypes: false,
    allowUnionTypes: true,
  } as const;
  return (externalSchemas: Parameters<typeof ajvCompilers>[0]) => {
    const json = ajvCompilers(externalSchemas, { customOptions: { ...ajvOptions, coerceTypes: false } });
    const text = ajvCompilers(externalSchemas, { customOptions: { ...ajvOptions, coerceTypes: 'array' } });
    return (route: Parameters<typeof json>[0]) => (route.httpPart === 'body' ? json : text)(route);
  };
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const bootId = crypto.randomUUID().slice(0, 8);
  let requests = 0;
  const store = opts.store ?? (await openStore(opts.db ?? ':memory:'));
  const clock = new Clock();
  if (opts.demo) {
    await seedDemo(store, clock.now(), { allowedOrigins: opts.demoAllowedOrigins, eventKeyField: opts.demoEventKey });
    const offset = await store.read((tx) => tx.getMeta('clock_offset_ms'));
    clock.offsetMs = Number(offset ?? 0);
  }
  const orgs = new OrgRegistry(store);
  await orgs.load();
  const upstreamUrl = opts.upstreamUrl ?? null;
  const backends = loyaltyBackends({
    store,
    upstreamOf: (org) =>
      upstreamUrl && org.id === 'demo' ? demoUpstream(upstreamUrl, org, opts.upstreamGraceMs) : undefined,
    upstream: {
      clock,
      client: opts.upstreamClient,
      ...(opts.upstreamSagaStaleMs !== undefined ? { sagaStaleMs: opts.upstreamSagaStaleMs } : {}),
      log: (level, msg, data) => logTo.app?.log[level](data ?? {}, msg),
    },
  });
  /** The app, once built: the backends log through its logger. */
  const logTo: { app?: FastifyInstance } = {};
  const ctx: AppContext = {
    store,
    orgs,
    clock,
    demo: opts.demo,
    demoAllowedOrigins: opts.demoAllowedOrigins,
    demoEventKey: opts.demoEventKey,
    ...(upstreamUrl ? { demoUpstreamUrl: upstreamUrl } : {}),
    tokenSecret: new TextEncoder().encode(opts.tokenSecret ?? DEMO_TOKEN_SECRET),
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...opts.rateLimits },
    capillaryAsyncMs: opts.capillaryAsyncMs ?? null,
    loyaltyFor: backends.loyaltyFor,
  };
  const app = Fastify({
    logger: loggerOptions(opts.logger),
    clientErrorHandler: clientErrorHandler as FastifyServerOptions['clientErrorHandler'],
    frameworkErrors,
    bodyLimit: 64 * 1024,
    trustProxy: false,
    schemaController: { compilersFactory: { buildValidator: strictBodies() } },
    // Unique across restarts (a random boot id) and cheap per request (a counter), for log correlation.
    genReqId: () => `${bootId}-${(++requests).toString(36)}`,
  });
  logTo.app = app;
  app.decorate('ctx', ctx);
  // JSON only: without a text/plain parser, any other content type is answered 415.
  app.removeContentTypeParser('text/plain');
  // Upstream organisations' senders start now: posts a previous run left queued go out without waiting for a request.
  for (const org of orgs.all()) ctx.loyaltyFor(org);
  app.addHook('onClose', async () => {
    backends.close();
    if (!opts.store) store.close();
  });
  // Security headers (see API_HEADERS): a callback hook, a constant object, on every answer.
  app.addHook('onRequest', (req, reply, done) => {
    reply.headers(req.url.startsWith('/docs') ? DOCS_HEADERS : API_HEADERS);
    done();
  });
  // A 429 of either surface carries its wait as Retry-After (Capillary envelopes have no details field).
  app.addHook('onError', (_req, reply, err, done) => {
    const wait = err instanceof ApiError && err.status === 429 ? err.details?.retryAfterSeconds : undefined;
    if (typeof wait === 'number') reply.header('retry-after', String(wait));
    done();
  });
  // Outside both APIs' scopes (each sets its own): the widget API's envelope.
  app.setErrorHandler(renderError);
  app.setNotFoundHandler((req, reply) =>
    reply
      .status(404)
      .type('application/json; charset=utf-8')
      .send({ error: { code: 'NOT_FOUND', message: `No route ${req.method} ${req.url.split('?')[0]}.` } }),
  );
  // Alive and able to store: a cheap read, the write lock, and the open database file still being the file at its path.
  app.get('/healthz', async (req, reply) => {
    const problem = (await store.health?.()) ?? null;
    if (!problem) {
      // Upstream organisations: the breaker's state and the outbox's posts by state (the platform's health is not ours).
      const upstream = backends.upstream();
      if (!upstream.length) return { status: 'ok' };
      const orgs: Record<string, unknown> = {};
      for (const b of upstream)
        orgs[b.orgId] = { breaker: b.client.state, outbox: await store.read((tx) => tx.countOutbox(b.orgId)) };
      return { status: 'ok', upstream: orgs };
    }
    req.log.error(`/healthz: storage unavailable: ${problem}`);
    return reply
      .status(503)
      .header('retry-after', '1')
      .send({ status: 'unavailable', error: { code: 'STORAGE_UNAVAILABLE', message: problem } });
  });
  // The progress reads' cache: every write of either surface invalidates it once answered (see its plugin).
  await app.register(readCachePlugin);
  await app.register(capillaryRoutes);
  await app.register(widgetRoutes, { prefix: '/ucc/v1' });
  if (opts.demo) await app.register(demoRoutes);
  if (opts.serveStatic !== false) await app.register(staticRoutes);
  return app;
}
