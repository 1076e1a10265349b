/**
 * The physical floor for the server benchmarks: the least a Fastify + SQLite service can do for
 * the same kind of request on this machine.
 * - POST /floor/activities validates a small JSON body with a schema (plus a required
 *   Idempotency-Key header) and inserts one SQLite row (WAL, synchronous=NORMAL).
 * - GET /floor/activities/:id reads one row and answers it as JSON.
 * - GET /floor/blob?bytes=N answers N bytes of JSON held in memory.
 * Started as its own node process by the benchmarks (PORT, HOST, FLOOR_DB from the environment).
 */
import Database from 'better-sqlite3';
import { floorApp } from './floor/floor-app.js';

const db = new Database(process.env.FLOOR_DB ?? ':memory:');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`CREATE TABLE IF NOT EXISTS activities (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, challenge_id TEXT NOT NULL,
  quantity REAL NOT NULL, key TEXT NOT NULL, created_ms INTEGER NOT NULL)`);
const insert = db.prepare(
  'INSERT INTO activities (customer_id, challenge_id, quantity, key, created_ms) VALUES (?, ?, ?, ?, ?)',
);
const select = db.prepare('SELECT * FROM activities WHERE id = ?');
// One row to read for the GET floor.
if (!select.get(1)) insert.run(1, '1', 1, 'seed', Date.now());

const app = floorApp(
  {
    insert: (r) => insert.run(r.customerId, r.challengeId, r.quantity, r.key, r.createdMs).lastInsertRowid,
    get: (id) => select.get(id),
  },
  () => db.close(),
);

// GET /floor/blob?bytes=N: a pre-serialized JSON answer of N bytes from memory — what sending an
// answer of that size costs with no work at all (the progress-read benchmark's second baseline).
const blobs = new Map<number, string>();
app.get('/floor/blob', async (req, reply) => {
  const n = Math.min(Math.max(Number((req.query as { bytes?: string }).bytes) || 100, 16), 10_000_000);
  let b = blobs.get(n);
  if (!b) {
    b = `{"pad":"${'x'.repeat(n - 10)}"}`;
    blobs.set(n, b);
  }
  return reply.type('application/json; charset=utf-8').send(b);
});

await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 8790) });
console.log(`floor server ready on ${process.env.PORT}`);
