/**
 * Log throughput: POST /ucc/v1/me/activities on the real server (server/main.ts, production
 * settings: UCC_DEMO=0, a fresh database, an orgs file with strong secrets) against the floor
 * server's POST (bench/floor-server.ts: schema-validated JSON body, one SQLite insert, WAL,
 * synchronous=NORMAL). Each is its own node process on a fixed loopback port; autocannon
 * (-c 50) loads them alternately, BENCH_ROUNDS rounds of BENCH_SECONDS seconds each.
 *
 * The subject's requests carry valid customer tokens and unique Idempotency-Keys, spread
 * round-robin over 1,000 customers with 3 active challenges each (seeded before the server
 * starts, through the widget API's own createChallenge in one transaction).
 *
 * Budget: req/s (mean of rounds) ≥ 0.6 × floor's; p99 (median of rounds) ≤ 25 ms.
 *
 * Durability: the same server with UCC_DURABILITY=full (synchronous=FULL, an fsync per commit), on
 * a copy of the same seeded database, loaded in the same alternated rounds; its req/s and p99 are
 * printed as ratios to the default (synchronous=NORMAL) server's. Information only, no budget.
 */
import { join } from 'node:path';
import { copyFileSync, rmSync } from 'node:fs';
import {
  alternateRounds,
  BENCH_ROUNDS,
  experimentArgs,
  experimentNote,
  BENCH_SECONDS,
  profileArgs,
  median,
  load,
  machine,
  printTable,
  Report,
  startNode,
  type Load,
} from './lib.js';
import { benchDatabase, customerToken, insertCustomers, productionEnv, seedChallenge, writeOrgsFile } from './seed.js';

const MIN_RATIO = 0.6;
const MAX_P99_MS = 25;
const CUSTOMERS = 1000;
const PORT = Number(process.env.BENCH_PORT_SERVER ?? 8791);
const FLOOR_PORT = Number(process.env.BENCH_PORT_FLOOR ?? 8792);
const FULL_PORT = Number(process.env.BENCH_PORT_FULL ?? 8793);

const report = new Report('log-throughput');

// Seed: 1,000 customers × 3 active daily challenges (water, steps, meditation).
const t = Date.now();
const { dir, orgs, org, db, store } = await benchDatabase('log');
const customers: { ext: string; token: string; challenges: string[] }[] = [];
await store.tx(async (tx) => {
  const now = Date.now();
  const ext = Array.from({ length: CUSTOMERS }, (_, i) => `cust-${i}`);
  const ids = await insertCustomers(tx, org, ext, now);
  for (const [i, id] of ids.entries()) {
    const challenges: string[] = [];
    for (const tpl of ['water', 'steps', 'meditation']) challenges.push(await seedChallenge(tx, org, id, tpl, now));
    customers.push({ ext: ext[i], token: '', challenges });
  }
});
store.close();
const fullDb = join(dir, 'full.db');
copyFileSync(db, fullDb); // closed above: the whole database is in this one file
for (const c of customers) c.token = await customerToken(org, c.ext);
console.log(`seeded ${CUSTOMERS} customers × 3 challenges in ${((Date.now() - t) / 1000).toFixed(1)} s`);

// BENCH_PROFILE=1 writes V8 CPU profiles of the server and the floor to bench/out/prof/log-server/ and log-floor/ (bench/prof-summary.ts reads them).
const server = await startNode('log-server', 'server/main.ts', PORT, productionEnv(db, writeOrgsFile(dir, orgs)), [
  ...profileArgs('log-server'),
  ...experimentArgs(),
]);
if (experimentNote()) report.notes.push(experimentNote()!);
const full = await startNode(
  'log-server-full',
  'server/main.ts',
  FULL_PORT,
  { ...productionEnv(fullDb, writeOrgsFile(dir, orgs)), UCC_DURABILITY: 'full' },
  experimentArgs(),
);
const floor = await startNode(
  'log-floor',
  'bench/floor-server.ts',
  FLOOR_PORT,
  { FLOOR_DB: join(dir, 'floor.db') },
  profileArgs('log-floor'),
);

let seq = 0;
const run = process.pid.toString(36);
const subjectReq = {
  method: 'POST' as const,
  path: '/ucc/v1/me/activities',
  headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip, deflate, br' },
  setupRequest: (req: any) => {
    const n = seq++;
    const c = customers[n % CUSTOMERS];
    return {
      ...req,
      headers: { ...req.headers, authorization: `Bearer ${c.token}`, 'idempotency-key': `b${run}-${n}` },
      body: JSON.stringify({ challengeId: c.challenges[Math.floor(n / CUSTOMERS) % 3], quantity: 1 }),
    };
  },
};
const floorReq = {
  method: 'POST' as const,
  path: '/floor/activities',
  headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip, deflate, br' },
  setupRequest: (req: any) => {
    const n = seq++;
    const c = customers[n % CUSTOMERS];
    return {
      ...req,
      headers: { ...req.headers, 'idempotency-key': `b${run}-${n}` },
      body: JSON.stringify({
        challengeId: c.challenges[Math.floor(n / CUSTOMERS) % 3],
        quantity: 1,
        customerId: n % CUSTOMERS,
      }),
    };
  },
};

let runs: { round: number; who: string; r: Load }[] = [];
try {
  // Warm-up (JIT, statement cache, token cache) — not counted.
  await load({ url: server.url, duration: 2, requests: [subjectReq] });
  await load({ url: floor.url, duration: 2, requests: [floorReq] });
  await load({ url: full.url, duration: 2, requests: [subjectReq] });
  runs = await alternateRounds(
    {
      floor: { url: floor.url, requests: [floorReq], pid: floor.proc.pid },
      subject: { url: server.url, requests: [subjectReq], pid: server.proc.pid },
      full: { url: full.url, requests: [subjectReq], pid: full.proc.pid },
    },
    BENCH_ROUNDS,
    BENCH_SECONDS,
  );
} finally {
  await server.stop();
  await full.stop();
  await floor.stop();
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\nPOST throughput, autocannon -c 50 -d ${BENCH_SECONDS}, ${BENCH_ROUNDS} rounds alternated; ${machine()}`);
printTable(
  ['round', 'floor req/s', 'floor p50', 'floor p99', 'subject req/s', 'subject p50', 'subject p99', 'ratio'],
  Array.from({ length: BENCH_ROUNDS }, (_, i) => {
    const f = runs.find((x) => x.round === i + 1 && x.who === 'floor')!.r,
      s = runs.find((x) => x.round === i + 1 && x.who === 'subject')!.r;
    return [
      i + 1,
      Math.round(f.reqPerSec),
      `${f.p50} ms`,
      `${f.p99} ms`,
      Math.round(s.reqPerSec),
      `${s.p50} ms`,
      `${s.p99} ms`,
      (s.reqPerSec / f.reqPerSec).toFixed(2),
    ];
  }),
);
const mean = (who: string, k: keyof Load) =>
  runs.filter((x) => x.who === who).reduce((a, x) => a + (x.r[k] ?? 0), 0) / BENCH_ROUNDS;
const max = (who: string, k: keyof Load) => Math.max(...runs.filter((x) => x.who === who).map((x) => x.r[k] ?? 0));
const bad = runs.filter((x) => x.r.non2xx > 0 || x.r.errors > 0);
if (bad.length)
  report.notes.push(
    `${bad.map((x) => `round ${x.round} ${x.who}: ${x.r.non2xx} non-2xx, ${x.r.errors} errors`).join('; ')} — see bench/out/log-server.log`,
  );
report.ratio('POST /ucc/v1/me/activities req/s', mean('subject', 'reqPerSec'), mean('floor', 'reqPerSec'), 'req/s', {
  min: MIN_RATIO,
});
report.info('POST /ucc/v1/me/activities p50', mean('subject', 'p50'), 'ms', mean('floor', 'p50'));
// Server CPU per answered request (all its threads, from /proc): steadier than req/s on a shared machine.
if (runs.every((x) => x.r.cpuUsPerReq !== undefined))
  report.info('server CPU per request', mean('subject', 'cpuUsPerReq'), 'µs', mean('floor', 'cpuUsPerReq'));
// p99: the median over the rounds (one round hit by a neighbour on this shared machine does not decide); the worst is printed too.
const med = (who: string, k: keyof Load) => median(runs.filter((x) => x.who === who).map((x) => x.r[k] ?? 0));
report.absolute(
  'POST /ucc/v1/me/activities p99 (median of rounds)',
  med('subject', 'p99'),
  'ms',
  { max: MAX_P99_MS },
  med('floor', 'p99'),
);
report.info('POST /ucc/v1/me/activities p99 (worst round)', max('subject', 'p99'), 'ms', max('floor', 'p99'));
// UCC_DURABILITY=full against the default, same run (baseline: the default server).
report.info(
  'UCC_DURABILITY=full: log req/s (baseline: default durability)',
  mean('full', 'reqPerSec'),
  'req/s',
  mean('subject', 'reqPerSec'),
);
report.info(
  'UCC_DURABILITY=full: log p99 (median of rounds; baseline: default)',
  med('full', 'p99'),
  'ms',
  med('subject', 'p99'),
);
report.absolute(
  'non-2xx answers + errors',
  bad.reduce((a, x) => a + x.r.non2xx + x.r.errors, 0),
  '',
  { max: 0 },
);
process.exitCode = report.finish();
