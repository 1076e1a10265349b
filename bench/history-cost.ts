/**
 * Cost against history, in-process: one daily water challenge per customer; customer A has 100
 * earlier events, customer B 100,000 (one every 5 minutes going back from the challenge's
 * start, i.e. about a year; seeded through the engine — logActivity with a moved clock is too
 * slow for 100k, so recordOccurrence + insertActivity, what a log writes — in one transaction).
 * Then 2,000 logs into each challenge, timed in alternating blocks of 100, each log done as
 * POST /me/activities does it minus HTTP: one store transaction with the idempotency lookup,
 * logActivity and the idempotency insert.
 *
 * Budget: mean time per log after 100k ≤ 1.2 × after 100. Also printed: SQL statements per log
 * (store.statementCount()), which must not grow with history either.
 * BENCH_SQL_DETAIL=1 prints the time per SQL statement text (to find what a log spends on).
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Report, median, printTable } from './lib.ts';
import { benchOrgs, insertCustomers, openStore, putEventDefs, seedChallenge, tempDir, startOfDay, DAY } from './seed.ts';
import { recordOccurrence } from '../server/engine/occurrence.ts';
import { logActivity } from '../server/widget-api/activities.ts';
import type { SqliteStore } from '../server/store/sqlite.ts';

const MAX_RATIO = 1.2;
const LOGS = 2000;
const BLOCK = 100;
const HISTORY = [100, 100_000];
const STEP_MS = 5 * 60_000;

const report = new Report('history-cost');
const dir = tempDir('history');
const orgs = benchOrgs();
const org = orgs[0];
const store = await openStore(join(dir, 'ucc.db'), orgs) as SqliteStore;
const now0 = Date.now();
await putEventDefs(store, org.id, now0);

// Optional: time per SQL text.
const sqlTime = new Map<string, { n: number; ms: number }>();
if (process.env.BENCH_SQL_DETAIL) {
  const s = store as any;
  const orig = s.st.bind(s);
  s.st = (sql: string) => {
    const st = orig(sql);
    const wrap = (fn: string) => (...a: unknown[]) => {
      const t0 = performance.now();
      try { return st[fn](...a); } finally {
        const e = sqlTime.get(sql) ?? { n: 0, ms: 0 };
        e.n++; e.ms += performance.now() - t0; sqlTime.set(sql, e);
      }
    };
    return { get: wrap('get'), all: wrap('all'), run: wrap('run') };
  };
}

let t = Date.now();
const subjects: { history: number; customerId: number; challengeId: string }[] = [];
await store.tx(async (tx) => {
  const ids = await insertCustomers(tx, org, HISTORY.map((h) => `history-${h}`), now0);
  for (const [i, history] of HISTORY.entries()) {
    const customerId = ids[i];
    const challengeId = await seedChallenge(tx, org, customerId, 'water', now0, 30);
    const start = startOfDay(now0, org.timeZone);
    for (let k = 0; k < history; k++) {
      const occurredMs = start - (k + 1) * STEP_MS;
      const { event } = await recordOccurrence(tx, org, { eventName: 'waterLogged', customerId, externalEventId: `seed:${customerId}:${k}`, occurredMs, fields: { glasses: 1 } }, occurredMs);
      await tx.insertActivity({ orgId: org.id, customerId, challengeId: null, templateId: 'water', eventId: event.id, quantity: 1, occurredMs, createdMs: occurredMs });
    }
    subjects.push({ history, customerId, challengeId });
  }
});
console.log(`seeded ${HISTORY.join(' and ')} earlier events in ${((Date.now() - t) / 1000).toFixed(1)} s (back to ${new Date(startOfDay(now0, org.timeZone) - HISTORY[1] * STEP_MS).toISOString().slice(0, 10)})`);
sqlTime.clear();

let seq = 0;
async function oneLog(s: typeof subjects[number]) {
  const key = `h-${seq++}`;
  await store.tx(async (tx) => {
    if (await tx.getIdempotent(org.id, s.customerId, 'log', key)) throw new Error('key reused');
    const res = await logActivity(tx, org, s.customerId, { challengeId: s.challengeId, quantity: 1 }, key, Date.now());
    await tx.putIdempotent(org.id, s.customerId, 'log', key, { status: 201, body: JSON.stringify(res), requestHash: null }, Date.now());
  });
}

// Warm-up, then alternate blocks (A, B, B, A, A, B, …) so drift hits both alike.
for (const s of subjects) for (let i = 0; i < 50; i++) await oneLog(s);
const blocks = new Map<number, number[]>(HISTORY.map((h) => [h, []]));
const statements = new Map<number, number[]>(HISTORY.map((h) => [h, []]));
for (let b = 0; b < LOGS / BLOCK; b++) {
  const order = b % 2 ? [...subjects].reverse() : subjects;
  for (const s of order) {
    const c0 = store.statementCount();
    const t0 = performance.now();
    for (let i = 0; i < BLOCK; i++) await oneLog(s);
    blocks.get(s.history)!.push((performance.now() - t0) * 1000 / BLOCK);
    statements.get(s.history)!.push((store.statementCount() - c0) / BLOCK);
  }
}
store.close();
rmSync(dir, { recursive: true, force: true });

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`\n${LOGS} logs per customer in blocks of ${BLOCK} (µs per log; statements per log)`);
printTable(['earlier events', 'mean µs/log', 'median block µs/log', 'min block', 'max block', 'SQL statements/log'],
  HISTORY.map((h) => {
    const xs = blocks.get(h)!;
    return [h.toLocaleString('en-US'), mean(xs).toFixed(1), median(xs).toFixed(1), Math.min(...xs).toFixed(1), Math.max(...xs).toFixed(1), mean(statements.get(h)!).toFixed(2)];
  }));
if (sqlTime.size) {
  console.log('\nTime per SQL statement text over all timed logs (BENCH_SQL_DETAIL):');
  printTable(['ms', 'calls', 'µs/call', 'sql'], [...sqlTime.entries()].sort((a, b) => b[1].ms - a[1].ms)
    .map(([sql, e]) => [e.ms.toFixed(1), e.n, (e.ms * 1000 / e.n).toFixed(1), sql.replace(/\s+/g, ' ').slice(0, 110)]));
}
const [small, large] = HISTORY;
report.ratio(`µs per log after ${large.toLocaleString('en-US')} vs ${small} earlier events`, mean(blocks.get(large)!), mean(blocks.get(small)!), 'µs', { max: MAX_RATIO });
report.absolute('SQL statements per log, difference', mean(statements.get(large)!) - mean(statements.get(small)!), '', { max: 0 }, null);
process.exitCode = report.finish();
