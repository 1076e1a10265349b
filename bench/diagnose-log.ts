/**
 * Diagnosis for log-throughput (not part of `npm run bench`): where one POST /ucc/v1/me/activities
 * spends its time, in-process (app.inject, no sockets), split into BEGIN/COMMIT, SQL statements
 * and the rest; SQL statements and WAL pages written per log; answer and stored-body sizes.
 * The same is measured for the floor's work (one INSERT in its own transaction) for comparison.
 * Usage: node --import tsx bench/diagnose-log.ts
 */
import { join } from 'node:path';
import { rmSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { buildApp } from '../server/app.js';
import { printTable } from './lib.js';
import { benchDatabase, customerToken, insertCustomers, seedChallenge } from './seed.js';

const CUSTOMERS = 200,
  LOGS = 4000;
const { dir, org, store } = await benchDatabase('diag');
const customers: { token: string; challenges: string[] }[] = [];
await store.tx(async (tx) => {
  const ids = await insertCustomers(
    tx,
    org,
    Array.from({ length: CUSTOMERS }, (_, i) => `c${i}`),
    Date.now(),
  );
  for (const id of ids)
    customers.push({
      token: '',
      challenges: [
        await seedChallenge(tx, org, id, 'water', Date.now()),
        await seedChallenge(tx, org, id, 'steps', Date.now()),
        await seedChallenge(tx, org, id, 'meditation', Date.now()),
      ],
    });
});
for (const [i, c] of customers.entries()) c.token = await customerToken(org, `c${i}`);
const app = await buildApp({
  store,
  demo: false,
  serveStatic: false,
  tokenSecret: 'x'.repeat(40),
  rateLimits: { perCustomerPerMinute: 1e9, perIpPerMinute: 1e9 },
});

// Instrument: time in db.exec (BEGIN/COMMIT) and in prepared statements.
const db = (store as any).db as Database.Database;
const t = { exec: 0, commit: 0, sql: 0, statements: 0 };
const bySql = new Map<string, { n: number; ms: number }>();
const exec = db.exec.bind(db);
(db as any).exec = (sql: string) => {
  const t0 = performance.now();
  try {
    return exec(sql);
  } finally {
    const d = performance.now() - t0;
    t.exec += d;
    if (sql === 'COMMIT') t.commit += d;
  }
};
const st = (store as any).st.bind(store);
(store as any).st = (sql: string) => {
  const s = st(sql);
  t.statements++;
  const wrap =
    (fn: string) =>
    (...a: unknown[]) => {
      const t0 = performance.now();
      try {
        return s[fn](...a);
      } finally {
        const d = performance.now() - t0;
        t.sql += d;
        const e = bySql.get(sql) ?? { n: 0, ms: 0 };
        e.n++;
        e.ms += d;
        bySql.set(sql, e);
      }
    };
  return { get: wrap('get'), all: wrap('all'), run: wrap('run') };
};

let seq = 0,
  answerBytes = 0;
const inject = async () => {
  const n = seq++,
    c = customers[n % CUSTOMERS];
  const r = await app.inject({
    method: 'POST',
    url: '/ucc/v1/me/activities',
    headers: { authorization: `Bearer ${c.token}`, 'idempotency-key': `k${n}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ challengeId: c.challenges[Math.floor(n / CUSTOMERS) % 3], quantity: 1 }),
  });
  if (r.statusCode !== 201) throw new Error(`${r.statusCode} ${r.body}`);
  answerBytes += r.rawPayload.length;
};
for (let i = 0; i < 1000; i++) await inject(); // warm-up: token cache, JIT
Object.assign(t, { exec: 0, commit: 0, sql: 0, statements: 0 });
answerBytes = 0;
bySql.clear();
db.pragma('wal_checkpoint(TRUNCATE)');
db.pragma('wal_autocheckpoint = 0'); // to count WAL frames per log
const t0 = performance.now();
for (let i = 0; i < LOGS; i++) await inject();
const total = performance.now() - t0;
const walFrames = (statSync(join(dir, 'ucc.db-wal')).size - 32) / (4096 + 24);
// The stored answer per log: in log_replies when the schema has it, else in idempotency.
const replies = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'log_replies'").get()
  ? 'log_replies'
  : 'idempotency';
const body = db.prepare(`SELECT avg(length(body)) AS b FROM ${replies}`).get() as { b: number };
await app.close();
store.close();

// The floor's work: one INSERT per transaction (WAL, synchronous=NORMAL).
const fdb = new Database(join(dir, 'floor.db'));
fdb.pragma('journal_mode = WAL');
fdb.pragma('synchronous = NORMAL');
fdb.pragma('wal_autocheckpoint = 0');
fdb.exec(
  'CREATE TABLE activities (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, challenge_id TEXT NOT NULL, quantity REAL NOT NULL, key TEXT NOT NULL, created_ms INTEGER NOT NULL)',
);
const ins = fdb.prepare(
  'INSERT INTO activities (customer_id, challenge_id, quantity, key, created_ms) VALUES (?, ?, ?, ?, ?)',
);
const f0 = performance.now();
for (let i = 0; i < LOGS; i++) ins.run(i % CUSTOMERS, '1', 1, `k${i}`, Date.now());
const floorTotal = performance.now() - f0;
const floorFrames = (statSync(join(dir, 'floor.db-wal')).size - 32) / (4096 + 24);
fdb.close();
rmSync(dir, { recursive: true, force: true });

const per = (ms: number) => ((ms * 1000) / LOGS).toFixed(1);
console.log(
  `POST /ucc/v1/me/activities in-process (app.inject), ${LOGS} logs over ${CUSTOMERS} customers × 3 challenges`,
);
printTable(
  ['part', 'µs per log'],
  [
    ['whole request (inject)', per(total)],
    ['  BEGIN IMMEDIATE + COMMIT', per(t.exec)],
    ['    of which COMMIT', per(t.commit)],
    ['  SQL statements', per(t.sql)],
    ['  the rest (Fastify, auth, rate limit, JSON, views)', per(total - t.exec - t.sql)],
    ['floor: one INSERT, autocommit', per(floorTotal)],
  ],
);
printTable(
  ['count', 'subject', 'floor'],
  [
    ['SQL statements per log', (t.statements / LOGS).toFixed(1), '1'],
    ['WAL pages written per log', (walFrames / LOGS).toFixed(1), (floorFrames / LOGS).toFixed(2)],
    ['answer bytes per log', Math.round(answerBytes / LOGS), '~12'],
    [`answer bytes stored per log (${replies})`, Math.round(body.b ?? 0), '-'],
  ],
);
console.log('\nSQL statements by text (µs per log; calls per log)');
printTable(
  ['statement', 'µs per log', 'calls per log'],
  [...bySql.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([sql, e]) => [sql.replace(/\s+/g, ' ').slice(0, 90), per(e.ms), (e.n / LOGS).toFixed(2)]),
);
