/**
 * Route schemas of the widget API. Bodies and answers come from the contract (contract/widget-api.ts,
 * written once: the browser's types are generated from it; routes use it directly); this file adds what only HTTP has —
 * path, query and header schemas, and each route's response map. Response schemas decide what leaves
 * the server (fast-json-stringify drops anything not listed), and @fastify/swagger turns all of them
 * into the OpenAPI document at /docs.
 */
import * as C from '../../contract/widget-api.js';

export const errorBody = C.ErrorBody;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 32 } },
} as const;
export const challengesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { status: { type: 'string', enum: ['active', 'completed', 'all'], default: 'all' } },
} as const;
export const activitiesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    challengeId: { type: 'string', maxLength: 32 },
    from: {
      type: 'string',
      maxLength: 40,
      description: "ISO instant, or a YYYY-MM-DD date in the customer's time zone (inclusive)",
    },
    to: { type: 'string', maxLength: 40, description: 'ISO instant (exclusive), or a YYYY-MM-DD date (inclusive)' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 200 },
  },
} as const;
export const pointsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    before: { type: 'string', pattern: '^[0-9]{1,15}$', description: 'nextCursor of the previous page' },
  },
} as const;
const acceptLanguage = {
  type: 'string',
  description:
    'The languages the customer reads, e.g. "es-MX,es;q=0.9,en;q=0.5": template labels and units are answered in the best one the brand translated its templates to, else in the templates\' own language (Content-Language says which).',
} as const;
/** Routes whose answers carry template texts (labels, units): documents Accept-Language. */
export const languageHeaders = { type: 'object', properties: { 'accept-language': acceptLanguage } } as const;
export const idempotencyHeaders = (required: boolean) => ({
  // Documented here, enforced in the handler so that a missing key is IDEMPOTENCY_KEY_REQUIRED, not a generic validation error.
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string',
      description: `${required ? 'Required' : 'Optional'}: 1–200 printable characters; a replay returns the first answer.`,
    },
    'accept-language': acceptLanguage,
  },
});

/** The response map of a route: its success schema plus the error envelope for 4xx/5xx. */
export const responses = (code: number, schema: unknown) => ({ [code]: schema, '4xx': errorBody, '5xx': errorBody });
