import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, StorageUnavailable } from '../errors.js';
import { DomainError } from '../model/errors.js';
import { LoyaltyError } from '../loyalty/port.js';

/** A widget API refusal: string code, rendered as `{"error": {"code", "message", "details?"}}`. */
export const widgetError = (status: number, code: string, message: string, details?: Record<string, unknown>) =>
  new ApiError(status, code, message, details);

/** 429 RATE_LIMITED: `details.retryAfterSeconds` becomes the Retry-After header (app.ts's onError hook). */
export const rateLimited = (wait: number, what: string) =>
  widgetError(429, 'RATE_LIMITED', `Too many ${what}; try again in ${wait} s.`, { retryAfterSeconds: wait });

const FASTIFY_CODES: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    'Send the body as JSON with Content-Type: application/json.',
  ],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'BODY_TOO_LARGE', 'The request body is too large.'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'VALIDATION_FAILED', 'The body is not valid JSON.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'VALIDATION_FAILED', 'The body is empty but Content-Type is application/json.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'VALIDATION_FAILED', 'Content-Length does not match the body.'],
};

/**
 * The one error renderer of the widget API (and the demo routes): every refusal leaves in the
 * same envelope; anything unexpected — including every engine refusal (a DomainError: the widget
 * API checks its own rules first, so one here means our orchestration or the organisation's
 * configuration is wrong) — is logged and answered as a masked 500.
 */
export function renderError(err: FastifyError | ApiError | Error, req: FastifyRequest, reply: FastifyReply) {
  let status = 500,
    code = 'INTERNAL',
    message = 'Something went wrong on our side; please try again.';
  let details: Record<string, unknown> | undefined;
  const e = err as FastifyError & { details?: Record<string, unknown> };
  if (err instanceof StorageUnavailable) {
    req.log.error(`storage unavailable: ${err.reason}`);
    reply.header('retry-after', '1');
  }
  if (err instanceof DomainError) {
    req.log.error({ err, code: err.code }, 'the engine refused a widget API command');
  } else if (err instanceof ApiError && typeof err.code === 'string') {
    ({ status, message, details } = err);
    code = err.code;
  } else if (err instanceof LoyaltyError) {
    // The brand's loyalty programme (upstream mode) refused or could not be reached: nothing was kept.
    ({ status, message, details, code } = err);
    if (status >= 500) req.log.warn({ code, details }, 'upstream loyalty programme: ' + message);
    const wait = details?.retryAfterSeconds;
    if (typeof wait === 'number') reply.header('retry-after', String(wait));
  } else if (e.validation) {
    status = 400;
    code = 'VALIDATION_FAILED';
    const v = e.validation[0];
    const where = `${e.validationContext ?? 'body'}${v?.instancePath ? v.instancePath.replace(/\//g, '.') : ''}`;
    message = `${where} ${v?.message ?? 'is invalid'}.`;
    details = { field: where, ...(v?.params ?? {}) };
  } else if (typeof e.code === 'string' && FASTIFY_CODES[e.code]) {
    [status, code, message] = FASTIFY_CODES[e.code];
  } else if (e instanceof SyntaxError && (e as { statusCode?: number }).statusCode === 400) {
    status = 400;
    code = 'VALIDATION_FAILED';
    message = 'The body is not valid JSON.';
  } else if (
    typeof e.statusCode === 'number' &&
    e.statusCode >= 400 &&
    e.statusCode < 500 &&
    !(err instanceof ApiError)
  ) {
    status = e.statusCode;
    code = status === 404 ? 'NOT_FOUND' : 'VALIDATION_FAILED';
    message = e.message;
  } else {
    req.log.error({ err }, 'unexpected error in the widget API');
  }
  if (status === 401) reply.header('www-authenticate', 'Bearer');
  reply.removeHeader('content-language'); // messages are English, whatever language the route had chosen for its texts
  return reply
    .status(status)
    .type('application/json; charset=utf-8')
    .send({ error: details ? { code, message, details } : { code, message } });
}

export function renderNotFound(req: FastifyRequest, reply: FastifyReply) {
  return reply
    .status(404)
    .type('application/json; charset=utf-8')
    .send({ error: { code: 'NOT_FOUND', message: `No route ${req.method} ${req.url.split('?')[0]}.` } });
}
