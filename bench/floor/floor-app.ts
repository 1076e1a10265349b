/**
 * The floors' app (bench/floor-server.ts on SQLite, bench/floor-pg.ts on PostgreSQL, and the write-set experiment's
 * schema): the same routes and body schema whatever stores the row.
 */
import Fastify from 'fastify';

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

/** A floor's storage: insert one activity row (its id), read one row by id. */
export interface FloorRows {
  insert(row: {
    customerId: number;
    challengeId: string;
    quantity: number;
    key: string;
    createdMs: number;
  }): number | bigint | Promise<number | bigint>;
  get(id: number): unknown;
}

/**
 * The floors' Fastify app, the same whatever the storage: POST /floor/activities (FLOOR_POST_SCHEMA, one
 * insert, 201 {id}) and GET /floor/activities/:id (one row, or 404). SIGTERM/SIGINT close it, then `onClose`.
 */
export function floorApp(rows: FloorRows, onClose: () => unknown) {
  const app = Fastify({ logger: false });
  app.post('/floor/activities', { schema: FLOOR_POST_SCHEMA }, async (req, reply) => {
    const b = req.body as { challengeId: string; quantity: number; customerId?: number };
    const id = await rows.insert({
      customerId: b.customerId ?? 0,
      challengeId: b.challengeId,
      quantity: b.quantity,
      key: req.headers['idempotency-key'] as string,
      createdMs: Date.now(),
    });
    reply.code(201);
    return { id: String(id) };
  });
  app.get('/floor/activities/:id', async (req, reply) => {
    const row = await rows.get(Number((req.params as { id: string }).id));
    if (!row) {
      reply.code(404);
      return { error: 'not found' };
    }
    return row;
  });
  const shutdown = () => {
    app
      .close()
      .then(onClose)
      .then(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  return app;
}
