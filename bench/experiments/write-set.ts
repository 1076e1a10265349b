/**
 * EXPERIMENT: what the log's write set costs in SQLite alone (no HTTP, no engine), on the real
 * schema (server/store/migrations.ts): the five writes one widget log makes — events (+ its unique
 * external-id index), event_effects, progress upsert, activities (+ its indexes), log_replies with a
 * ~1.8 kB answer — against the floor's single INSERT, both in transactions of 25 (as group commit
 * batches them) and one per transaction. Usage: node --import tsx bench/experiments/write-set.ts
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { migrations } from '../../server/store/migrations.js';
import { printTable } from '../lib.js';
import { tempDir } from '../seed.js';

const N = 20_000,
  CUSTOMERS = 1000;
const dir = tempDir('writeset');
const open = (f: string) => {
  const d = new Database(join(dir, f));
  d.pragma('journal_mode = WAL');
  d.pragma('synchronous = NORMAL');
  return d;
};
const db = open('ucc.db');
for (const m of migrations) db.exec(m);
const has = (t: string) => !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t);
const answer = 'x'.repeat(1776);
const ev = db.prepare(
  'INSERT INTO events (org_id, customer_id, event_name, external_event_id, occurred_ms, fields, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
);
const fx = db.prepare(
  'INSERT INTO event_effects (event_id, enrolment_id, period_idx, amount, day) VALUES (?, ?, ?, ?, ?)',
);
const pr = db.prepare(
  'INSERT INTO progress (enrolment_id, period_idx, value, achieved_ms) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET value = value + 1',
);
const ac = db.prepare(
  'INSERT INTO activities (org_id, customer_id, challenge_id, template_id, event_id, quantity, occurred_ms, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
);
const lr = has('log_replies')
  ? db.prepare('INSERT INTO log_replies (event_id, request, status, body) VALUES (?, ?, ?, ?)')
  : null;
let seq = 0;
const logWrites = () => {
  const n = seq++,
    c = n % CUSTOMERS,
    now = Date.now();
  const id = ev.run(
    'bench-demo',
    c,
    'waterLogged',
    `w:${c}:b${n}-${Math.random().toString(36).slice(2)}`,
    now,
    '{"glasses":1}',
    now,
  ).lastInsertRowid;
  fx.run(id, c * 3 + (n % 3), 0, 1, null);
  pr.run(c * 3 + (n % 3), 0, 1, null);
  ac.run('bench-demo', c, c * 3 + (n % 3), 'water', id, 1, now, now);
  lr?.run(id, '["1",null,1,null]', 201, answer);
};
const fdb = open('floor.db');
fdb.exec(
  'CREATE TABLE activities (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, challenge_id TEXT NOT NULL, quantity REAL NOT NULL, key TEXT NOT NULL, created_ms INTEGER NOT NULL)',
);
const fi = fdb.prepare(
  'INSERT INTO activities (customer_id, challenge_id, quantity, key, created_ms) VALUES (?, ?, ?, ?, ?)',
);
const floorWrite = () => {
  const n = seq++;
  fi.run(n % CUSTOMERS, '1', 1, `k${n}`, Date.now());
};

function time(d: Database.Database, work: () => void, perTx: number) {
  const t0 = performance.now();
  for (let i = 0; i < N; i += perTx) {
    d.exec('BEGIN IMMEDIATE');
    for (let j = 0; j < perTx; j++) work();
    d.exec('COMMIT');
  }
  return ((performance.now() - t0) * 1000) / N;
}
time(db, logWrites, 25);
time(fdb, floorWrite, 25); // warm-up
const rows = [25, 1].map((perTx) => {
  const log = time(db, logWrites, perTx),
    floor = time(fdb, floorWrite, perTx);
  return [`${perTx} per transaction`, log.toFixed(1), floor.toFixed(1), (log / floor).toFixed(1)];
});
db.close();
fdb.close();
rmSync(dir, { recursive: true, force: true });
console.log(
  `SQLite alone, WAL + synchronous=NORMAL, ${N.toLocaleString('en-US')} writes each${lr ? '' : ' (no log_replies table in this schema)'}`,
);
printTable(['batching', 'log write set µs', 'floor insert µs', 'ratio'], rows);
