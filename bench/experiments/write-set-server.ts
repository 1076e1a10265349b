/**
 * EXPERIMENT server: the floor's POST (schema-validated body, Fastify) but writing what one widget
 * log writes on the real schema (server/store/migrations.ts) — events, event_effects, progress
 * upsert, activities, log_replies with a ~1.8 kB answer — grouped into one transaction per event-
 * loop turn (as store.txGrouped does), answering after COMMIT. No auth, no engine, no views: the
 * cost of the write set alone over HTTP. Started by bench/experiments/write-set-http.ts.
 */
import Fastify from 'fastify';
import Database from 'better-sqlite3';
import { migrations } from '../../server/store/migrations.js';

const db = new Database(process.env.FLOOR_DB ?? ':memory:');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
for (const m of migrations) db.exec(m);
const has = (t: string) => !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t);
const answer = 'x'.repeat(1776);
const ev = db.prepare('INSERT INTO events (org_id, customer_id, event_name, external_event_id, occurred_ms, fields, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)');
const fx = db.prepare('INSERT INTO event_effects (event_id, enrolment_id, period_idx, amount, day) VALUES (?, ?, ?, ?, ?)');
const pr = db.prepare('INSERT INTO progress (enrolment_id, period_idx, value, achieved_ms) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET value = value + 1');
const ac = db.prepare('INSERT INTO activities (org_id, customer_id, challenge_id, template_id, event_id, quantity, occurred_ms, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
// WRITESET_SKIP=log_replies,activities leaves those writes out (to price each).
const skip = new Set((process.env.WRITESET_SKIP ?? '').split(',').filter(Boolean));
const lr = has('log_replies') && !skip.has('log_replies') ? db.prepare('INSERT INTO log_replies (event_id, request, status, body) VALUES (?, ?, ?, ?)') : null;

let pending: (() => void)[] = [];
const write = (c: number, challenge: number, key: string) => new Promise<number>((resolve) => {
  if (!pending.length) setImmediate(flush);
  pending.push(() => {
    const now = Date.now();
    const id = Number(ev.run('bench-demo', c, 'waterLogged', `w:${c}:${key}`, now, '{"glasses":1}', now).lastInsertRowid);
    fx.run(id, challenge, 0, 1, null);
    pr.run(challenge, 0, 1, null);
    if (!skip.has('activities')) ac.run('bench-demo', c, challenge, 'water', id, 1, now, now);
    lr?.run(id, '["1",null,1,null]', 201, answer);
    resolve(id);
  });
});
function flush() {
  const batch = pending; pending = [];
  db.exec('BEGIN IMMEDIATE');
  const done: (() => void)[] = [];
  for (const job of batch) job();
  db.exec('COMMIT');
  for (const d of done) d();
}

const app = Fastify({ logger: false });
app.post('/floor/log-writes', {
  schema: {
    headers: { type: 'object', required: ['idempotency-key'], properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 128 } } },
    body: { type: 'object', required: ['challengeId', 'quantity'], additionalProperties: false,
      properties: { challengeId: { type: 'string', maxLength: 32 }, quantity: { type: 'number', exclusiveMinimum: 0, maximum: 1000 }, customerId: { type: 'integer' } } },
  },
}, async (req, reply) => {
  const b = req.body as { challengeId: string; customerId?: number };
  const id = await write(b.customerId ?? 0, Number(b.challengeId), req.headers['idempotency-key'] as string);
  reply.code(201);
  return { id: String(id) };
});
const shutdown = () => { app.close().then(() => { db.close(); process.exit(0); }); };
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 8795) });
