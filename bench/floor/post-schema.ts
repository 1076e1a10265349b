/** The floors' POST route schema (bench/floor-server.ts on SQLite, bench/floor-pg.ts on PostgreSQL): the same for both. */
export const FLOOR_POST_SCHEMA = {
  headers: {
    type: 'object',
    required: ['idempotency-key'],
    properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 128 } },
  },
  body: {
    type: 'object',
    required: ['challengeId', 'quantity'],
    additionalProperties: false,
    properties: {
      challengeId: { type: 'string', maxLength: 32 },
      quantity: { type: 'number', exclusiveMinimum: 0, maximum: 1000 },
      customerId: { type: 'integer' },
    },
  },
} as const;
