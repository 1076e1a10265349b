/**
 * What every family of the Capillary-compatible surface shares of HTTP: its error envelope, the error
 * handler that renders every failure in it, the nesting-depth check on bodies, and `scope()`, which sets
 * them (and, for the families that authenticate every route, the authentication preHandler) on a family.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, StorageUnavailable, badRequest, Codes } from '../errors.js';
import type { OrgDoc } from '../engine/org.js';
import { DomainError } from '../model/errors.js';
import { authenticate } from './auth.js';
import { CAPILLARY_ERRORS } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    org: OrgDoc;
  }
}

export type Envelope = (status: number, code: string | number, message: string) => unknown;

export const v3Envelope: Envelope = (_s, code, message) => ({
  data: null,
  errors: [{ code, message }],
  warnings: null,
});
export const v2Envelope: Envelope = (_s, code, message) => ({ warnings: [], errors: [{ code, message }] });
export const gatewayEnvelope: Envelope = (status, code, message) => ({
  status: { code: status, message: 'failure' },
  validationErrors: [{ code, message }],
  data: null,
});
/** `/v1.1/…` (the platform's older API): everything inside `response`, its `status` with string booleans. */
export const v11Envelope: Envelope = (_s, code, message) => ({
  response: { status: { success: 'false', code, message } },
});
/** `/api_gateway/rewards/core/v1/…` (the rewards catalogue): a `status` block with `success`. */
export const rewardsEnvelope: Envelope = (_s, code, message) => ({
  status: { success: false, code, message },
});
export const webhookEnvelope: Envelope = (_s, code, message) => ({
  status: { code, message },
  requestId: randomUUID(),
});

/** The family's envelope for a path of this surface (by prefix), or undefined for a path outside it. */
export function capillaryEnvelope(url: string): Envelope | undefined {
  if (url.startsWith('/v3/')) return v3Envelope;
  if (url.startsWith('/v2/')) return v2Envelope;
  if (url.startsWith('/v1.1/')) return v11Envelope;
  if (url.startsWith('/api_gateway/rewards/')) return rewardsEnvelope;
  if (url.startsWith('/api_gateway/')) return gatewayEnvelope;
  if (url.startsWith('/webhooks/')) return webhookEnvelope;
  return undefined;
}

/** Renders every failure in the family's envelope: ApiErrors as they are, the engine's DomainErrors by CAPILLARY_ERRORS, Fastify's own 4xx as invalid input, anything else as a masked 500. */
function errorHandler(envelope: Envelope) {
  return (err: FastifyError | ApiError, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof StorageUnavailable) {
      req.log.error(`storage unavailable: ${err.reason}`);
      return reply
        .status(503)
        .header('retry-after', '1')
        .send(envelope(503, Codes.STORAGE_UNAVAILABLE, err.message));
    }
    if (err instanceof ApiError) return reply.status(err.status).send(envelope(err.status, err.code, err.message));
    if (err instanceof DomainError) {
      const [status, code] = CAPILLARY_ERRORS[err.code];
      return reply.status(status).send(envelope(status, code, err.message));
    }
    const status = (err as FastifyError).statusCode ?? 500;
    if (status < 500) {
      const message =
        status === 415
          ? 'Send JSON with Content-Type: application/json.'
          : status === 413
            ? 'The request body is too large.'
            : (err as FastifyError).validation
              ? `Invalid input: ${err.message}`
              : `Invalid request: ${err.message}`;
      return reply.status(status).send(envelope(status, Codes.INVALID_INPUT, message));
    }
    req.log.error(err);
    return reply.status(500).send(envelope(500, 500, 'Internal error; the request was not applied.'));
  };
}

/** The deepest nesting a request body may have: the deepest documented body (a promotion) nests 10 levels. */
const MAX_DEPTH = 16;
/** True when `body` nests deeper than MAX_DEPTH; iterative, one visit per object or array. */
function tooDeep(body: unknown): boolean {
  const stack: unknown[] = [body],
    depths: number[] = [1];
  while (stack.length) {
    const v = stack.pop() as object,
      d = depths.pop()!;
    if (d > MAX_DEPTH) return true;
    for (const x of Array.isArray(v) ? v : Object.values(v))
      if (x !== null && typeof x === 'object') {
        stack.push(x);
        depths.push(d + 1);
      }
  }
  return false;
}

/** Every route of `app` must come from an authenticated organisation: `req.org` is the caller's. */
export function authenticated(app: FastifyInstance) {
  app.addHook('preHandler', async (req) => {
    req.org = await authenticate(req);
  });
}

/** Sets a family's envelope on `app`: its error and not-found handlers, the depth check and, unless told not to, authentication. */
export function scope(app: FastifyInstance, envelope: Envelope, authenticate = true) {
  app.setErrorHandler(errorHandler(envelope));
  // Before schema validation and authentication: a deeply nested body is refused before any work walks it.
  app.addHook('preValidation', (req, _reply, done) => {
    if (req.body !== null && typeof req.body === 'object' && tooDeep(req.body))
      return done(badRequest(Codes.INVALID_INPUT, `The body nests deeper than ${MAX_DEPTH} levels.`));
    done();
  });
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send(envelope(404, 404, `No route ${req.method} ${req.url.split('?')[0]}.`)),
  );
  if (authenticate) authenticated(app);
}
