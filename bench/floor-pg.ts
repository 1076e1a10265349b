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
import pg from 'pg';
import { floorApp } from './floor/floor-app.js';

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

const app = floorApp(
  {
    insert: async (r) =>
      (await pool.query({ ...insert, values: [r.customerId, r.challengeId, r.quantity, r.key, r.createdMs] })).rows[0]
        .id,
    get: async (id) => (await pool.query({ ...select, values: [id] })).rows[0],
  },
  () => pool.end(),
);
await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 8790) });
console.log(`postgres floor server ready on ${process.env.PORT}`);
