/**
 * JSON Schemas of the widget API, mirroring src/api/types.ts field for field. Response schemas
 * decide what leaves the server (fast-json-stringify drops anything not listed here), and
 * @fastify/swagger turns all of them into the OpenAPI document at /docs.
 */
const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const int = { type: 'integer' } as const;
const bool = { type: 'boolean' } as const;
const iso = { type: 'string', format: 'date-time' } as const;
const nullable = (s: Record<string, unknown>) => ({ ...s, type: [s.type as string, 'null'] });
const obj = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'object', additionalProperties: false, required: Object.keys(properties), properties, ...extra,
});

const range = { min: num, max: num };
/** one and other always; the other CLDR plural categories when the language has them (src/api/types.ts Unit). */
export const unit = { type: 'object', additionalProperties: false, required: ['one', 'other'], properties: { zero: str, one: str, two: str, few: str, many: str, other: str } } as const;
const periodType = { type: 'string', enum: ['DAILY', 'WEEKLY'] } as const;
const aggregation = { type: 'string', enum: ['SUM', 'COUNT', 'DISTINCT_DAYS'] } as const;

export const template = obj({
  id: str, label: str, description: str, eventName: str, field: nullable(str), aggregation, unit,
  periods: { type: 'array', items: periodType },
  target: obj({ ...range, default: num, step: num }),
  length: obj({ ...range, default: num }),
  maxQuantityPerLog: num, maxQuantityPerPeriod: num,
  reward: obj({ pointsPerPeriod: num, maxPoints: num }),
});
export const policy = obj({ maxActiveChallenges: int, backfillHours: num, monthlyPointsCap: num });
export const templatesResponse = obj({ templates: { type: 'array', items: template }, policy, timeZone: str });
export const me = obj({ id: str, timeZone: str, balance: num });

export const periodProgress = obj({
  index: int, start: iso, end: iso, date: str, value: num, target: num, achieved: bool,
  state: { type: 'string', enum: ['met', 'missed', 'current', 'ahead'] },
});
export const challenge = obj({
  id: str, templateId: str, name: str, eventName: str, unit, aggregation, target: num, period: periodType, periodCount: int,
  timeZone: str, startsAt: iso, endsAt: iso, createdAt: iso,
  status: { type: 'string', enum: ['active', 'completed', 'ended', 'left'] },
  periods: { type: 'array', items: periodProgress },
  currentPeriod: nullable(int),
  streak: obj({ current: int, best: int, required: int }),
  daysLeft: int,
  reward: obj({ points: num, earned: num }),
});
export const challengeResponse = obj({ challenge });
export const challengesResponse = obj({ challenges: { type: 'array', items: challenge } });

export const activity = obj({
  id: str, challengeId: nullable(str), templateId: str, eventName: str, quantity: num, occurredAt: iso, createdAt: iso, undone: bool,
});
export const reward = obj({ challengeId: str, ledgerEntryId: str, points: num, reason: str });
export const logActivityResponse = obj({ activity, challenges: { type: 'array', items: challenge }, rewards: { type: 'array', items: reward } });
export const undoActivityResponse = obj({ activity, challenges: { type: 'array', items: challenge }, reversals: { type: 'array', items: reward } });
export const activitiesResponse = obj({ activities: { type: 'array', items: activity } });
export const ledgerEntry = obj({
  id: str, type: { type: 'string', enum: ['EARN', 'REVERSAL'] }, points: num, challengeId: nullable(str), description: str, createdAt: iso,
});
export const pointsResponse = obj({ balance: num, entries: { type: 'array', items: ledgerEntry }, nextCursor: nullable(str) });

export const errorBody = {
  type: 'object', required: ['error'], description: 'Every refusal: a stable code, a message a person can act on, optional details.',
  properties: {
    error: {
      type: 'object', required: ['code', 'message'],
      properties: { code: str, message: str, details: { type: 'object', additionalProperties: true } },
    },
  },
} as const;

/** Request bodies: unknown fields are refused (400 VALIDATION_FAILED). */
export const createChallengeBody = {
  type: 'object', additionalProperties: false, required: ['templateId', 'target', 'period', 'periods'],
  properties: {
    templateId: { type: 'string', minLength: 1, maxLength: 64 },
    target: { type: 'number', exclusiveMinimum: 0 },
    period: periodType,
    periods: { type: 'integer', minimum: 1, maximum: 366 },
    name: { type: 'string', maxLength: 400 },
  },
} as const;
export const logActivityBody = {
  type: 'object', additionalProperties: false, required: ['quantity'],
  properties: {
    challengeId: { type: 'string', pattern: '^[0-9]{1,15}$' },
    templateId: { type: 'string', minLength: 1, maxLength: 64 },
    quantity: { type: 'number', exclusiveMinimum: 0 },
    occurredAt: { type: 'string', format: 'date-time' },
  },
} as const;
export const patchMeBody = {
  type: 'object', additionalProperties: false, required: ['timeZone'], properties: { timeZone: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;
export const idParams = {
  type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 32 } },
} as const;
export const challengesQuery = {
  type: 'object', additionalProperties: false,
  properties: { status: { type: 'string', enum: ['active', 'completed', 'all'], default: 'all' } },
} as const;
export const activitiesQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    challengeId: { type: 'string', maxLength: 32 },
    from: { type: 'string', maxLength: 40, description: 'ISO instant, or a YYYY-MM-DD date in the customer\'s time zone (inclusive)' },
    to: { type: 'string', maxLength: 40, description: 'ISO instant (exclusive), or a YYYY-MM-DD date (inclusive)' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 200 },
  },
} as const;
export const pointsQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    before: { type: 'string', pattern: '^[0-9]{1,15}$', description: 'nextCursor of the previous page' },
  },
} as const;
const acceptLanguage = {
  type: 'string', description: 'The languages the customer reads, e.g. "es-MX,es;q=0.9,en;q=0.5": template labels and units are answered in the best one the brand translated its templates to, else in the templates\' own language (Content-Language says which).',
} as const;
/** Routes whose answers carry template texts (labels, units): documents Accept-Language. */
export const languageHeaders = { type: 'object', properties: { 'accept-language': acceptLanguage } } as const;
export const idempotencyHeaders = (required: boolean) => ({
  // Documented here, enforced in the handler so that a missing key is IDEMPOTENCY_KEY_REQUIRED, not a generic validation error.
  type: 'object',
  properties: {
    'idempotency-key': { type: 'string', description: `${required ? 'Required' : 'Optional'}: 1–200 printable characters; a replay returns the first answer.` },
    'accept-language': acceptLanguage,
  },
});

/** The response map of a route: its success schema plus the error envelope for 4xx/5xx. */
export const responses = (code: number, schema: unknown) => ({ [code]: schema, '4xx': errorBody, '5xx': errorBody });
