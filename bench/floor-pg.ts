/**
 * The PostgreSQL floor for bench/postgres.ts: the least a Fastify + node-postgres service can do for
 * the same kind of request on this machine, with the subject's pool size (UCC_PG_POOL, default 10).
 * - POST /floor/activities validates a small JSON body with a schema (plus a required
 *   Idempotency-Key header) and inserts one row (one statement, autocommit: one round trip and
 *   one commit, synchronous_commit as the server is configured).
 * - GET /floor/activities/:id reads one row through the same pool and answers it as JSON.
 * Statements are named (prepared once per connection), the cheapest way node-postgres offers.
 * Started as its own node process (PORT, HOST, FLOOR_PG = a postgres:// URL from the environment).
 */
import Fastify from 'fastify';
import pg from 'pg';
import { FLOOR_POST_SCHEMA } from './floor/post-schema.js';

const url = process.env.FLOOR_PG;
if (!url) throw new Error('FLOOR_PG (a postgres:// URL) is required');
const pool = new pg.Pool({ connectionString: url, max: Number(process.env.UCC_PG_POOL ?? 10) });
await pool.query(`CREATE TABLE IF NOT EXISTS floor_activities (id BIGSERIAL PRIMARY KEY, customer_id INTEGER NOT NULL,
  challenge_id TEXT NOT NULL, quantity DOUBLE PRECISION NOT NULL, key TEXT NOT NULL, created_ms BIGINT NOT NULL)`);
const insert = {
  name: 'floor-insert',
  text: 'INSERT INTO floor_activities (customer_id, challenge_id, quantity, key, created_ms) VALUES ($1, $2, $3, $4, $5) RETURNING id',
};
const select = { name: 'floor-select', text: 'SELECT * FROM floor_activities WHERE id = $1' };
// One row to read for the GET floor.
if (!(await pool.query({ ...select, values: [1] })).rowCount)
  await pool.query({ ...insert, values: [1, '1', 1, 'seed', Date.now()] });

const app = Fastify({ logger: false });
app.post(
  '/floor/activities',
  {
    schema: FLOOR_POST_SCHEMA,
  },
  async (req, reply) => {
    const b = req.body as { challengeId: string; quantity: number; customerId?: number };
    const r = await pool.query({
      ...insert,
      values: [b.customerId ?? 0, b.challengeId, b.quantity, req.headers['idempotency-key'] as string, Date.now()],
    });
    reply.code(201);
    return { id: String(r.rows[0].id) };
  },
);
app.get('/floor/activities/:id', async (req, reply) => {
  const r = await pool.query({ ...select, values: [Number((req.params as { id: string }).id)] });
  if (!r.rowCount) {
    reply.code(404);
    return { error: 'not found' };
  }
  return r.rows[0];
});

const shutdown = () => {
  app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 8790) });
console.log(`postgres floor server ready on ${process.env.PORT}`);
