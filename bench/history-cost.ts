/**
 * Cost against history, in-process: one daily water challenge per customer; customer A has 100
 * earlier events, customer B 100,000 (one every 5 minutes going back from the challenge's
 * start, i.e. about a year; seeded through the engine — logActivity with a moved clock is too
 * slow for 100k, so recordOccurrence + insertActivity, what a log writes — in one transaction).
 * Then 2,000 logs into each challenge, timed in alternating blocks of 50, each log the real
 * route in-process (app.inject POST /ucc/v1/me/activities, unique Idempotency-Keys).
 *
 * Budget: time per log (median of the block means) after 100k ≤ 1.2 × after 100, for the whole request and for the
 * part spent in SQL statements alone (where history could cost). Also: SQL statements per
 * log (store.statementCount()) must not grow with history.
 * BENCH_SQL_DETAIL=1 prints the time per SQL statement text (to find what a log spends on).
 */
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Report, median, printTable } from './lib.js';
import { buildApp } from '../server/app.js';
import { benchDatabase, customerToken, insertCustomers, seedChallenge, startOfDay } from './seed.js';
import { recordOccurrence } from '../server/engine/occurrence.js';

const MAX_RATIO = 1.2;
const LOGS = 2000;
const BLOCK = 50;
const HISTORY = [100, 100_000];
const STEP_MS = 5 * 60_000;

const report = new Report('history-cost');
const now0 = Date.now();
const { dir, org, store } = await benchDatabase('history', now0);

// Time in SQL statements (SqliteStore's statement helper wrapped, in this process only), in total
// and per SQL text (printed with BENCH_SQL_DETAIL=1).
const sqlTime = new Map<string, { n: number; ms: number }>();
let inSql = 0;
{
  const s = store as any;
  const orig = s.st.bind(s);
  s.st = (sql: string) => {
    const st = orig(sql);
    const wrap =
      (fn: string) =>
      (...a: unknown[]) => {
        const t0 = performance.now();
        try {
          return st[fn](...a);
        } finally {
          const d = performance.now() - t0;
          inSql += d;
          const e = sqlTime.get(sql) ?? { n: 0, ms: 0 };
          e.n++;
          e.ms += d;
          sqlTime.set(sql, e);
        }
      };
    return { get: wrap('get'), all: wrap('all'), run: wrap('run') };
  };
}

const t = Date.now();
const subjects: { history: number; customerId: number; challengeId: string }[] = [];
await store.tx(async (tx) => {
  const ids = await insertCustomers(
    tx,
    org,
    HISTORY.map((h) => `history-${h}`),
    now0,
  );
  for (const [i, history] of HISTORY.entries()) {
    const customerId = ids[i];
    const challengeId = await seedChallenge(tx, org, customerId, 'water', now0, 30);
    const start = startOfDay(now0, org.timeZone);
    for (let k = 0; k < history; k++) {
      const occurredMs = start - (k + 1) * STEP_MS;
      const { event } = await recordOccurrence(
        tx,
        org,
        {
          eventName: 'waterLogged',
          customerId,
          externalEventId: `seed:${customerId}:${k}`,
          occurredMs,
          fields: { glasses: 1 },
        },
        occurredMs,
      );
      await tx.insertActivity({
        orgId: org.id,
        customerId,
        challengeId: null,
        templateId: 'water',
        eventId: event.id,
        quantity: 1,
        occurredMs,
        createdMs: occurredMs,
      });
    }
    subjects.push({ history, customerId, challengeId });
  }
});
console.log(
  `seeded ${HISTORY.join(' and ')} earlier events in ${((Date.now() - t) / 1000).toFixed(1)} s (back to ${new Date(startOfDay(now0, org.timeZone) - HISTORY[1] * STEP_MS).toISOString().slice(0, 10)})`,
);
sqlTime.clear();

// The timed log is the real route, in-process: app.inject(POST /ucc/v1/me/activities), so whatever
// the route does (idempotency, the engine, the answer) is measured; the time in SQL statements,
// where history could cost, is measured apart as well.
const app = await buildApp({
  store,
  demo: false,
  serveStatic: false,
  tokenSecret: 'x'.repeat(40),
  rateLimits: { perCustomerPerMinute: 1e9, perIpPerMinute: 1e9 },
});
const tokens = new Map<number, string>();
for (const s of subjects) tokens.set(s.customerId, await customerToken(org, `history-${s.history}`));
let seq = 0;
async function oneLog(s: (typeof subjects)[number]) {
  const r = await app.inject({
    method: 'POST',
    url: '/ucc/v1/me/activities',
    payload: { challengeId: s.challengeId, quantity: 1 },
    headers: { authorization: `Bearer ${tokens.get(s.customerId)}`, 'idempotency-key': `h-${seq++}` },
  });
  if (r.statusCode !== 201) throw new Error(`log answered ${r.statusCode}: ${r.body}`);
}

// Warm-up, then alternate blocks (A, B, B, A, A, B, …) so drift hits both alike.
for (const s of subjects) for (let i = 0; i < 200; i++) await oneLog(s);
const blocks = new Map<number, number[]>(HISTORY.map((h) => [h, []]));
const txBlocks = new Map<number, number[]>(HISTORY.map((h) => [h, []]));
const statements = new Map<number, number[]>(HISTORY.map((h) => [h, []]));
for (let b = 0; b < LOGS / BLOCK; b++) {
  const order = b % 2 ? [...subjects].reverse() : subjects;
  for (const s of order) {
    const c0 = store.statementCount();
    const x0 = inSql;
    const t0 = performance.now();
    for (let i = 0; i < BLOCK; i++) await oneLog(s);
    blocks.get(s.history)!.push(((performance.now() - t0) * 1000) / BLOCK);
    txBlocks.get(s.history)!.push(((inSql - x0) * 1000) / BLOCK);
    statements.get(s.history)!.push((store.statementCount() - c0) / BLOCK);
  }
}
await app.close();
store.close();
rmSync(dir, { recursive: true, force: true });

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`\n${LOGS} logs per customer in blocks of ${BLOCK} (µs per log; statements per log)`);
printTable(
  [
    'earlier events',
    'mean µs/log',
    'median block',
    'min block',
    'max block',
    'in SQL, mean µs/log',
    'SQL statements/log',
  ],
  HISTORY.map((h) => {
    const xs = blocks.get(h)!;
    return [
      h.toLocaleString('en-US'),
      mean(xs).toFixed(1),
      median(xs).toFixed(1),
      Math.min(...xs).toFixed(1),
      Math.max(...xs).toFixed(1),
      mean(txBlocks.get(h)!).toFixed(1),
      mean(statements.get(h)!).toFixed(2),
    ];
  }),
);
if (process.env.BENCH_SQL_DETAIL) {
  console.log('\nTime per SQL statement text over all timed logs (BENCH_SQL_DETAIL):');
  printTable(
    ['ms', 'calls', 'µs/call', 'sql'],
    [...sqlTime.entries()]
      .sort((a, b) => b[1].ms - a[1].ms)
      .map(([sql, e]) => [
        e.ms.toFixed(1),
        e.n,
        ((e.ms * 1000) / e.n).toFixed(1),
        sql.replace(/\s+/g, ' ').slice(0, 110),
      ]),
  );
}
const [small, large] = HISTORY;
// Medians of the block means: one block slowed by a neighbour on this shared machine does not decide.
report.ratio(
  `µs per log after ${large.toLocaleString('en-US')} vs ${small} earlier events (median block)`,
  median(blocks.get(large)!),
  median(blocks.get(small)!),
  'µs',
  { max: MAX_RATIO },
);
report.ratio(
  '  of which in SQL statements (median block)',
  median(txBlocks.get(large)!),
  median(txBlocks.get(small)!),
  'µs',
  { max: MAX_RATIO },
);
report.absolute(
  'SQL statements per log, difference',
  mean(statements.get(large)!) - mean(statements.get(small)!),
  '',
  { max: 0 },
  null,
);
process.exitCode = report.finish();
