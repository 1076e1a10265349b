/**
 * EXPERIMENT server: the floor's POST (schema-validated body, Fastify, no logger) doing exactly
 * the SQL a widget log runs today on the real schema (server/store/migrations.ts) — the external-id
 * lookup, then INSERTs into events, event_effects, progress (upsert) and activities — grouped into
 * one transaction per event-loop turn with WAL checkpoints on a worker thread (as the store does),
 * answering after COMMIT. No auth, no engine, no views. WRITESET_ANSWER=1 answers a ~1.8 kB JSON
 * body (the size of a log's answer) instead of the floor's `{"id"}`; WRITESET_SKIP=activities,effects
 * leaves those writes out (to price a leaner schema). Started by write-set-http.ts.
 */
import Fastify from 'fastify';
import Database from 'better-sqlite3';
import { migrations } from '../../server/store/migrations.js';
import { BACKSTOP_PAGES, Checkpointer } from '../../server/store/checkpointer.js';
import { FLOOR_POST_SCHEMA } from '../floor/floor-app.js';

const file = process.env.FLOOR_DB!;
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
for (const m of migrations) db.exec(m);
const checkpointer = new Checkpointer(file);
const answer = JSON.stringify({ activity: { id: '1' }, pad: 'x'.repeat(1740) });
const lookup = db.prepare('SELECT * FROM events WHERE org_id = ? AND external_event_id = ?');
const ev = db.prepare(
  'INSERT INTO events (org_id, customer_id, event_name, external_event_id, occurred_ms, fields, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
);
const fx = db.prepare(
  'INSERT INTO event_effects (event_id, enrolment_id, period_idx, amount, day) VALUES (?, ?, ?, ?, ?)',
);
const pr = db.prepare(`INSERT INTO progress (enrolment_id, period_idx, value, achieved_ms) VALUES (?, ?, ?, ?)
  ON CONFLICT DO UPDATE SET value = excluded.value, achieved_ms = excluded.achieved_ms`);
const ac =
  db.prepare(`INSERT INTO activities (org_id, customer_id, challenge_id, template_id, event_id, quantity, occurred_ms, created_ms, request)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);

const skip = new Set((process.env.WRITESET_SKIP ?? '').split(',').filter(Boolean));
let pending: (() => void)[] = [];
let seq = 0;
const write = (c: number, challenge: number, key: string) =>
  new Promise<number>((resolve) => {
    if (!pending.length) setImmediate(flush);
    pending.push(() => {
      const now = Date.now();
      const ext = `w:${c}:${key}`;
      if (lookup.get('bench-demo', ext)) return resolve(-1);
      const id = Number(ev.run('bench-demo', c, 'waterLogged', ext, now, '{"glasses":1}', now).lastInsertRowid);
      if (!skip.has('effects')) fx.run(id, challenge, 0, 1, null);
      pr.run(challenge, 0, ++seq, null);
      if (!skip.has('activities')) ac.run('bench-demo', c, challenge, 'water', id, 1, now, now, '["1",null,1,null]');
      resolve(id);
    });
  });
function flush() {
  const batch = pending;
  pending = [];
  db.exec('BEGIN IMMEDIATE');
  for (const job of batch) job();
  db.exec('COMMIT');
}

const app = Fastify({ logger: false });
app.post(
  '/floor/log-writes',
  {
    schema: FLOOR_POST_SCHEMA,
  },
  async (req, reply) => {
    const b = req.body as { challengeId: string; customerId?: number };
    const id = await write(b.customerId ?? 0, Number(b.challengeId), req.headers['idempotency-key'] as string);
    reply.code(201);
    if (process.env.WRITESET_ANSWER) return reply.type('application/json; charset=utf-8').send(answer);
    return { id: String(id) };
  },
);
const shutdown = () => {
  app.close().then(async () => {
    await checkpointer.stop();
    db.close();
    process.exit(0);
  });
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 8795) });
