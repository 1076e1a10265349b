/**
 * The server on PostgreSQL (UCC_DB=postgres://…), each figure against a baseline measured in the
 * same run. Every run creates its own database (ucc_bench_<pid>) on BENCH_PG (default
 * postgres://postgres@127.0.0.1:5432/postgres, the admin connection) and drops it at the end.
 *
 * 1. Log throughput: POST /ucc/v1/me/activities on server/main.ts in production settings (the load
 *    of log-throughput.ts: 1,000 customers × 3 challenges, unique Idempotency-Keys, autocannon -c 50)
 *    against bench/floor-pg.ts: Fastify POST with a body schema + one INSERT through `pg`, same pool
 *    size (UCC_PG_POOL, default 10), same database.
 * 2. Progress read: GET /ucc/v1/me/challenges (20 challenges, a year of history, as progress-read.ts)
 *    against the floor's GET of one row through the same pool.
 * 3. One instance against two on the same database (50 connections split 25/25 over both), logs.
 *    On 2 cores both instances, PostgreSQL and the client share the same cores: this is no scale test.
 * 4. Statements per log and per progress read, in-process (buildApp + app.inject, the store's
 *    statementCount() before/after), on PostgreSQL and, for comparison, on SQLite (a temp file). On
 *    PostgreSQL a statement is a round trip; the queries the `pg` driver sent are counted too
 *    (by text), as a check and to show which statements a log costs.
 *
 * Next to req/s: the server's CPU per answered request (/proc) and PostgreSQL's: the CPU of the
 * backends of the run's database, the floor's (application_name from PGAPPNAME) or the servers'
 * (all the others: both instances' pools and LISTEN connections). A shared machine moves these far
 * less than req/s. Walwriter, checkpointer and other background processes are not counted.
 *
 * Also, after the load, a few concurrency probes on PostgreSQL (transactions no longer run one at a
 * time as on SQLite): the same Idempotency-Key sent at once to both instances, concurrent logs that
 * each complete the same challenge, concurrent logs into one period, a new customer's first requests
 * at once on both instances, and whether a log on one instance shows on the other's progress read.
 * Each prints how many answers were wrong (information; a note says what went wrong).
 *
 * Knobs: BENCH_ROUNDS (3), PG_LOG_SECONDS (6), PG_READ_SECONDS (5), UCC_PG_POOL (10), BENCH_PG;
 * PG_SYNCHRONOUS_COMMIT=off (an experiment: no WAL flush at commit, for the subject and the floor alike).
 * BENCH_PROFILE=1 writes V8 CPU profiles of server A and the floor to bench/out/prof/pg-server-a/ and
 * pg-floor/ (bench/prof-summary.ts reads them).
 * Figures are information only (budget '-'), except non-2xx answers and errors under load (0).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type autocannon from 'autocannon';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../server/app.js';
import type { Store } from '../server/store/types.js';
import type { SqliteStore } from '../server/store/sqlite.js';
import {
  BENCH_ROUNDS,
  fmt,
  load,
  machine,
  median,
  printTable,
  processCpuUs,
  profileArgs,
  Report,
  sleep,
  startNode,
  type Load,
} from './lib.js';
import {
  benchOrgs,
  customerToken,
  DAY,
  insertCustomers,
  productionEnv,
  putEventDefs,
  seedChallenge,
  seedLog,
  seedReader,
  startOfDay,
  tempDir,
  writeOrgsFile,
} from './seed.js';

const LOG_SECONDS = Number(process.env.PG_LOG_SECONDS ?? 6);
const READ_SECONDS = Number(process.env.PG_READ_SECONDS ?? 5);
const ROUNDS = BENCH_ROUNDS;
const POOL = Number(process.env.UCC_PG_POOL ?? 10);
const CUSTOMERS = 1000;
const CONNECTIONS = 50;
const PORT_A = Number(process.env.BENCH_PORT_SERVER ?? 8791);
const PORT_FLOOR = Number(process.env.BENCH_PORT_FLOOR ?? 8792);
const PORT_B = Number(process.env.BENCH_PORT_SECOND ?? 8794);
/** In-process counting: logs round-robin over COUNT_CUSTOMERS × 3 challenges, after one warm-up log each. */
const COUNT_CUSTOMERS = 20;
const COUNT_LOGS = 300;
const COUNT_READS = 20;
const APP_FLOOR = 'ucc-bench-floor';

const report = new Report('postgres');
const ADMIN_URL = process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB = `ucc_bench_${process.pid}`;
const dbUrl = (() => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${DB}`;
  return u.toString();
})();

// ---------------------------------------------------------------- the run's database
const admin = new pg.Client({ connectionString: ADMIN_URL, application_name: 'ucc-bench-admin' });
await admin.connect();
await admin.query(`CREATE DATABASE "${DB}"`);
// An experiment (docs/operations.md, Group commit): PG_SYNCHRONOUS_COMMIT=off takes the WAL flush out of every commit,
// for the server and the floor alike: the most that sharing one commit between several logs could save.
if (process.env.PG_SYNCHRONOUS_COMMIT)
  await admin.query(
    `ALTER DATABASE "${DB}" SET synchronous_commit = ${process.env.PG_SYNCHRONOUS_COMMIT === 'off' ? 'off' : 'on'}`,
  );
let dropped = false;
/** Drops the run's database (FORCE: whatever still holds a connection is disconnected). */
async function dropDatabase() {
  if (dropped) return;
  await admin.query(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`);
  dropped = true;
}
// On any other exit (a failure, SIGINT, SIGTERM from bench/run.ts's timeout): dropped synchronously through psql.
process.on('exit', () => {
  if (!dropped)
    spawnSync('psql', [ADMIN_URL, '-qc', `DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`], { stdio: 'ignore' });
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));
console.log(`database ${DB} created; pool ${POOL} per server; ${machine()}`);

// ---------------------------------------------------------------- round trips, as the pg driver sees them
/*
 * Every query a pg.Client of this process sends (pool.query goes through it), by statement text,
 * with the time until its answer: a check of statementCount() and the list of what a log costs.
 * Only the in-process apps run here (the servers are other processes).
 */
const driver = { queries: 0, texts: new Map<string, { n: number; ms: number }>() };
{
  const proto = pg.Client.prototype as any;
  const query = proto.query;
  proto.query = function (config: any, values?: any, cb?: any) {
    const text = typeof config === 'string' ? config : config?.text;
    if (typeof text !== 'string') return query.call(this, config, values, cb);
    driver.queries++;
    const key = text.replace(/\s+/g, ' ').trim();
    const e = driver.texts.get(key) ?? { n: 0, ms: 0 };
    driver.texts.set(key, e);
    e.n++;
    const t0 = performance.now();
    const done = () => void (e.ms += performance.now() - t0);
    const wrap =
      (f: (...a: any[]) => unknown) =>
      (...a: any[]) => {
        done();
        return f(...a);
      };
    if (typeof values === 'function') return query.call(this, config, wrap(values));
    if (typeof cb === 'function') return query.call(this, config, values, wrap(cb));
    const r = query.call(this, config, values);
    if (r && typeof r.then === 'function') r.then(done, done);
    return r;
  };
}

// ---------------------------------------------------------------- seeding (through the app's own store)
const secret = (n = 24) => randomBytes(n).toString('hex');
const orgs = benchOrgs();
const org = orgs[0];
const asSqlite = (store: Store) => store as unknown as SqliteStore; // seed.ts helpers only use tx()/read()

interface Seeded {
  count: { token: string; challenges: string[] }[];
  load: { ext: string; token: string; challenges: string[] }[];
  rewardRace: { token: string; challenge: string };
  sumRace: { token: string; challenge: string };
  readerToken: string;
}

let seedReaderSeconds = 0;
/** Seeds the organisations, event definitions and customers into an app's store, then reloads its organisations. */
async function seed(app: FastifyInstance, withLoad: boolean): Promise<Seeded> {
  const store = app.ctx.store;
  const now = Date.now();
  await store.tx(async (tx) => {
    for (const o of orgs) await tx.putOrg(o);
  });
  await putEventDefs(asSqlite(store), org.id, now);
  const count: Seeded['count'] = [];
  const loadCustomers: Seeded['load'] = [];
  let rewardRace = { token: '', challenge: '' },
    sumRace = { token: '', challenge: '' };
  await store.tx(async (tx) => {
    const ids = await insertCustomers(
      tx,
      org,
      Array.from({ length: COUNT_CUSTOMERS }, (_, i) => `count-${i}`),
      now,
    );
    for (const id of ids) {
      const challenges: string[] = [];
      for (const tpl of ['water', 'steps', 'meditation']) challenges.push(await seedChallenge(tx, org, id, tpl, now));
      count.push({ token: '', challenges });
    }
    // Probes: a 3-day water challenge started two days ago with both past days met (one more met day completes it)…
    const [r, s] = await insertCustomers(tx, org, ['race-reward', 'race-sum'], now);
    const start = startOfDay(now, org.timeZone) - 2 * DAY + 3_600_000;
    rewardRace.challenge = await seedChallenge(tx, org, r, 'water', start, 3);
    for (const d of [0, 1])
      await seedLog(tx, org, r, { challengeId: rewardRace.challenge, quantity: 8 }, `past-${d}`, start + d * DAY);
    // … and a fresh water challenge for concurrent logs into one period.
    sumRace.challenge = await seedChallenge(tx, org, s, 'water', now);
    if (withLoad) {
      const ext = Array.from({ length: CUSTOMERS }, (_, i) => `cust-${i}`);
      for (const [i, id] of (await insertCustomers(tx, org, ext, now)).entries()) {
        const challenges: string[] = [];
        for (const tpl of ['water', 'steps', 'meditation']) challenges.push(await seedChallenge(tx, org, id, tpl, now));
        loadCustomers.push({ ext: ext[i], token: '', challenges });
      }
    }
  });
  const t0 = Date.now();
  await seedReader(asSqlite(store), org, now);
  seedReaderSeconds = (Date.now() - t0) / 1000;
  await app.ctx.orgs.load();
  for (const [i, c] of count.entries()) c.token = await customerToken(org, `count-${i}`);
  for (const c of loadCustomers) c.token = await customerToken(org, c.ext);
  rewardRace = { ...rewardRace, token: await customerToken(org, 'race-reward') };
  sumRace = { ...sumRace, token: await customerToken(org, 'race-sum') };
  return { count, load: loadCustomers, rewardRace, sumRace, readerToken: await customerToken(org, 'reader') };
}

const inProcessApp = (db: string) =>
  buildApp({
    db,
    demo: false,
    tokenSecret: secret(32),
    logger: false,
    serveStatic: false,
    rateLimits: { perCustomerPerMinute: 1e8, perIpPerMinute: 1e8 },
  });

// ---------------------------------------------------------------- 4. statements per request, in-process
/** Statement text, calls and ms (until answered) per request. */
type Texts = [string, number, number][];
interface Counts {
  logSeq: number;
  logConc: number;
  readCold: number;
  readCached: number;
  driverLogSeq: number;
  driverReadCold: number;
  msLog: number;
  msReadCold: number;
  logTexts: Texts;
  readTexts: Texts;
}

async function countStatements(app: FastifyInstance, s: Seeded, label: string): Promise<Counts> {
  const store = app.ctx.store;
  let k = 0;
  const log = async (n: number) => {
    const c = s.count[n % COUNT_CUSTOMERS];
    const res = await app.inject({
      method: 'POST',
      url: '/ucc/v1/me/activities',
      headers: { authorization: `Bearer ${c.token}`, 'idempotency-key': `${label}-${k++}` },
      payload: { challengeId: c.challenges[Math.floor(n / COUNT_CUSTOMERS) % 3], quantity: 1 },
    });
    if (res.statusCode !== 201) throw new Error(`${label}: log answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
  };
  const read = async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/ucc/v1/me/challenges',
      headers: { authorization: `Bearer ${s.readerToken}` },
    });
    if (res.statusCode !== 200) throw new Error(`${label}: read answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
  };
  const measure = async (n: number, fn: () => Promise<void>) => {
    const st0 = store.statementCount(),
      q0 = driver.queries,
      texts0 = new Map([...driver.texts].map(([k, e]) => [k, { ...e }])),
      t0 = performance.now();
    await fn();
    const ms = performance.now() - t0;
    const texts: Texts = [...driver.texts]
      .map(([t, e]): Texts[number] => {
        const b = texts0.get(t) ?? { n: 0, ms: 0 };
        return [t, (e.n - b.n) / n, (e.ms - b.ms) / n];
      })
      .filter(([, c]) => c > 0)
      .sort((a, b) => b[2] - a[2]);
    return { statements: (store.statementCount() - st0) / n, queries: (driver.queries - q0) / n, ms: ms / n, texts };
  };
  // Warm-up: one log into each counting challenge (a period's first log may cost more), tokens resolved, statements prepared.
  for (let n = 0; n < COUNT_CUSTOMERS * 3; n++) await log(n);
  await read();
  const seq = await measure(COUNT_LOGS, async () => {
    for (let n = 0; n < COUNT_LOGS; n++) await log(n);
  });
  const conc = await measure(COUNT_LOGS, async () => {
    for (let n = 0; n < COUNT_LOGS; n += CONNECTIONS)
      await Promise.all(Array.from({ length: Math.min(CONNECTIONS, COUNT_LOGS - n) }, (_, i) => log(n + i)));
  });
  const cold = await measure(COUNT_READS, async () => {
    for (let i = 0; i < COUNT_READS; i++) {
      app.readCache.clear();
      await read();
    }
  });
  await read();
  const cached = await measure(COUNT_READS, async () => {
    for (let i = 0; i < COUNT_READS; i++) await read();
  });
  return {
    logSeq: seq.statements,
    logConc: conc.statements,
    readCold: cold.statements,
    readCached: cached.statements,
    driverLogSeq: seq.queries,
    driverReadCold: cold.queries,
    msLog: seq.ms,
    msReadCold: cold.ms,
    logTexts: seq.texts,
    readTexts: cold.texts,
  };
}

const r2 = (x: number) => Math.round(x * 100) / 100;

// SQLite first (a temp file, as the server uses), then PostgreSQL (whose seeding also serves the HTTP part).
const dir = tempDir('pg');
let t = Date.now();
const sqliteApp = await inProcessApp(join(dir, 'sqlite.db'));
const sqliteSeed = await seed(sqliteApp, false);
const lite = await countStatements(sqliteApp, sqliteSeed, 'sqlite');
await sqliteApp.close();
console.log(`SQLite: seeded and counted in ${((Date.now() - t) / 1000).toFixed(1)} s`);

t = Date.now();
const pgApp = await inProcessApp(dbUrl);
if (typeof pgApp.ctx.store.statementCount !== 'function' || pgApp.ctx.store.constructor.name.includes('Sqlite'))
  throw new Error(`buildApp({ db: '${dbUrl}' }) did not open a PostgreSQL store`);
const seeded = await seed(pgApp, true);
console.log(
  `PostgreSQL: seeded ${CUSTOMERS} customers × 3 challenges, the reader (20 challenges, a year of logs: ${seedReaderSeconds.toFixed(1)} s) and probes in ${((Date.now() - t) / 1000).toFixed(1)} s`,
);
t = Date.now();
const pgc = await countStatements(pgApp, seeded, 'pg');
await pgApp.close();
console.log(`PostgreSQL: counted in ${((Date.now() - t) / 1000).toFixed(1)} s`);

console.log(`\nStatements per request, in-process (app.inject), ${COUNT_LOGS} logs, ${COUNT_READS} reads`);
printTable(
  ['', 'PostgreSQL statementCount()', 'PostgreSQL queries seen by pg', 'SQLite statementCount()'],
  [
    ['log, one at a time', r2(pgc.logSeq), r2(pgc.driverLogSeq), r2(lite.logSeq)],
    [`log, ${CONNECTIONS} at a time`, r2(pgc.logConc), '', r2(lite.logConc)],
    ['progress read, uncached', r2(pgc.readCold), r2(pgc.driverReadCold), r2(lite.readCold)],
    ['progress read, repeated (read cache allowed)', r2(pgc.readCached), '', r2(lite.readCached)],
  ],
);
const showTexts = (title: string, texts: Texts, total: number) => {
  console.log(`\n${title}`);
  printTable(
    ['statement (as sent by pg)', 'per request', 'ms per request'],
    [
      ...texts.slice(0, 25).map(([s, c, ms]) => [s.length > 110 ? `${s.slice(0, 107)}...` : s, r2(c), ms.toFixed(3)]),
      [
        'all statements / the whole request (in-process)',
        r2(texts.reduce((a, x) => a + x[1], 0)),
        `${texts.reduce((a, x) => a + x[2], 0).toFixed(3)} / ${total.toFixed(3)}`,
      ],
    ],
  );
};
showTexts('PostgreSQL: statements of one log (one at a time)', pgc.logTexts, pgc.msLog);
showTexts('PostgreSQL: statements of one uncached progress read (20 challenges)', pgc.readTexts, pgc.msReadCold);

// ---------------------------------------------------------------- servers
const orgsFile = writeOrgsFile(dir, orgs);
const env = { ...productionEnv(dbUrl, orgsFile), UCC_PG_POOL: String(POOL) };
const serverA = await startNode('pg-server-a', 'server/main.ts', PORT_A, env, profileArgs('pg-server-a'));
const serverB = await startNode('pg-server-b', 'server/main.ts', PORT_B, env);
const floor = await startNode(
  'pg-floor',
  'bench/floor-pg.ts',
  PORT_FLOOR,
  {
    FLOOR_PG: dbUrl,
    UCC_PG_POOL: String(POOL),
    PGAPPNAME: APP_FLOOR,
  },
  profileArgs('pg-floor'),
);

/**
 * CPU (µs) so far of each PostgreSQL backend of this database: the floor's (its application_name,
 * from PGAPPNAME) or the servers' (every other backend of the database: both instances' pools and
 * LISTEN connections; the server names its connections itself, so A's and B's look alike).
 */
async function pgCpu(who: 'floor' | 'servers'): Promise<Map<number, number>> {
  const r = await admin.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name ${who === 'floor' ? '=' : '<>'} $2`,
    [DB, APP_FLOOR],
  );
  const out = new Map<number, number>();
  for (const { pid } of r.rows) {
    const us = processCpuUs(pid);
    if (us !== undefined) out.set(pid, us);
  }
  return out;
}

interface Part {
  opts: autocannon.Options;
  pid: number;
}
interface Run extends Load {
  pgUsPerReq?: number;
}
/** Loads every part at once for `seconds`; req/s and counts summed, latencies the worst part's. */
async function measure(parts: Part[], db: 'floor' | 'servers', seconds: number): Promise<Run> {
  const pg0 = await pgCpu(db);
  const cpu0 = parts.map((p) => processCpuUs(p.pid));
  const rs = await Promise.all(parts.map((p) => load({ ...p.opts, duration: seconds })));
  const cpu1 = parts.map((p) => processCpuUs(p.pid));
  const pg1 = await pgCpu(db);
  const total = rs.reduce((a, r) => a + r.total, 0);
  const serverUs = cpu0.every((x) => x !== undefined) && cpu1.every((x) => x !== undefined);
  let pgUs = 0;
  for (const [pid, us] of pg1) pgUs += us - (pg0.get(pid) ?? 0);
  return {
    reqPerSec: rs.reduce((a, r) => a + r.reqPerSec, 0),
    p50: Math.max(...rs.map((r) => r.p50)),
    p99: Math.max(...rs.map((r) => r.p99)),
    total,
    errors: rs.reduce((a, r) => a + r.errors, 0),
    non2xx: rs.reduce((a, r) => a + r.non2xx, 0),
    cpuUsPerReq: serverUs && total ? cpu1.reduce((a, x, i) => a + x! - cpu0[i]!, 0) / total : undefined,
    pgUsPerReq: pg1.size && total ? pgUs / total : undefined,
  };
}

/** Every subject each round, the order reversed every other round (drift on the shared machine hits all alike). */
async function rounds(subjects: Record<string, { parts: Part[]; db: 'floor' | 'servers' }>, seconds: number) {
  const runs: { round: number; who: string; r: Run }[] = [];
  const names = Object.keys(subjects);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const who of round % 2 ? names : [...names].reverse()) {
      const r = await measure(subjects[who].parts, subjects[who].db, seconds);
      runs.push({ round, who, r });
      const cpu = r.cpuUsPerReq === undefined ? '' : `  server CPU ${r.cpuUsPerReq.toFixed(1)} µs/req`;
      const pgCpuText = r.pgUsPerReq === undefined ? '' : `  PostgreSQL CPU ${r.pgUsPerReq.toFixed(1)} µs/req`;
      console.log(
        `round ${round} ${who.padEnd(8)} ${Math.round(r.reqPerSec)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  non-2xx ${r.non2xx}  errors ${r.errors}${cpu}${pgCpuText}`,
      );
    }
  }
  return runs;
}

const run = process.pid.toString(36);
let seq = 0;
const ACCEPT = { 'accept-encoding': 'gzip, deflate, br' };
const logRequest = (): autocannon.Request => ({
  method: 'POST',
  path: '/ucc/v1/me/activities',
  headers: { 'content-type': 'application/json', ...ACCEPT },
  setupRequest: (req: any) => {
    const n = seq++;
    const c = seeded.load[n % CUSTOMERS];
    return {
      ...req,
      headers: { ...req.headers, authorization: `Bearer ${c.token}`, 'idempotency-key': `b${run}-${n}` },
      body: JSON.stringify({ challengeId: c.challenges[Math.floor(n / CUSTOMERS) % 3], quantity: 1 }),
    };
  },
});
const floorLogRequest: autocannon.Request = {
  method: 'POST',
  path: '/floor/activities',
  headers: { 'content-type': 'application/json', ...ACCEPT },
  setupRequest: (req: any) => {
    const n = seq++;
    const c = seeded.load[n % CUSTOMERS];
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
const logPart = (s: { url: string; proc: { pid?: number } }, connections: number): Part => ({
  opts: { url: s.url, connections, requests: [logRequest()] },
  pid: s.proc.pid!,
});

type Runs = { round: number; who: string; r: Run }[];
let logRuns: Runs = [],
  readRuns: Runs = [];
const probes: { name: string; wrong: number; of: number; what: string }[] = [];
let answerBytes: number;
try {
  // Warm-up (JIT, pools, token caches) — not counted.
  await load({ url: serverA.url, duration: 2, requests: [logRequest()] });
  await load({ url: serverB.url, duration: 2, requests: [logRequest()] });
  await load({ url: floor.url, duration: 2, requests: [floorLogRequest] });
  console.log(`\n1 + 3. logs: floor, one instance (-c ${CONNECTIONS}), two instances (-c 25 each)`);
  logRuns = await rounds(
    {
      floor: {
        parts: [
          { opts: { url: floor.url, connections: CONNECTIONS, requests: [floorLogRequest] }, pid: floor.proc.pid! },
        ],
        db: 'floor',
      },
      one: { parts: [logPart(serverA, CONNECTIONS)], db: 'servers' },
      two: { parts: [logPart(serverA, CONNECTIONS / 2), logPart(serverB, CONNECTIONS / 2)], db: 'servers' },
    },
    LOG_SECONDS,
  );

  const readUrl = `${serverA.url}/ucc/v1/me/challenges`;
  const readHeaders = { authorization: `Bearer ${seeded.readerToken}`, ...ACCEPT };
  const first = await fetch(readUrl, { headers: readHeaders });
  const body = await first.text();
  if (!first.ok) throw new Error(`GET /ucc/v1/me/challenges answered ${first.status}: ${body.slice(0, 300)}`);
  answerBytes = Buffer.byteLength(body);
  console.log(
    `\n2. progress read: ${(JSON.parse(body).challenges as unknown[]).length} challenges, ${answerBytes.toLocaleString('en-US')} B`,
  );
  await load({ url: readUrl, headers: readHeaders, duration: 2 });
  await load({ url: `${floor.url}/floor/activities/1`, headers: ACCEPT, duration: 2 });
  readRuns = await rounds(
    {
      floor: {
        parts: [
          {
            opts: { url: `${floor.url}/floor/activities/1`, headers: ACCEPT, connections: CONNECTIONS },
            pid: floor.proc.pid!,
          },
        ],
        db: 'floor',
      },
      subject: {
        parts: [{ opts: { url: readUrl, headers: readHeaders, connections: CONNECTIONS }, pid: serverA.proc.pid! }],
        db: 'servers',
      },
    },
    READ_SECONDS,
  );

  probes.push(...(await concurrencyProbes()));
} finally {
  await serverA.stop();
  await serverB.stop();
  await floor.stop();
  rmSync(dir, { recursive: true, force: true });
  await dropDatabase();
  await admin.end();
}

// ---------------------------------------------------------------- concurrency probes (PostgreSQL runs transactions at once)
async function concurrencyProbes() {
  const out: typeof probes = [];
  const post = async (base: string, token: string, key: string, body: object) => {
    const res = await fetch(`${base}/ucc/v1/me/activities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': key, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as any };
  };
  const get = async (base: string, token: string, path: string) => {
    const res = await fetch(`${base}/ucc/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json().catch(() => null)) as any };
  };
  const current = (challenges: any[], id: string) => {
    const c = challenges?.find((x) => x.id === id);
    return c && c.currentPeriod !== null ? (c.periods[c.currentPeriod].value as number) : NaN;
  };

  // a. One Idempotency-Key sent at once to A, A and B: one log, three identical answers.
  {
    const KEYS = 10;
    let wrong = 0;
    const c = seeded.load[7];
    const why = new Set<string>();
    await Promise.all(
      Array.from({ length: KEYS }, async (_, i) => {
        const key = `dup-${run}-${i}`;
        const body = { challengeId: c.challenges[0], quantity: 1 };
        const rs = await Promise.all([serverA, serverA, serverB].map((s) => post(s.url, c.token, key, body)));
        const ids = new Set(rs.map((r) => r.body?.activity?.id));
        if (rs.some((r) => r.status !== 201) || ids.size !== 1) {
          wrong++;
          why.add(`answers ${rs.map((r) => r.status).join('/')}, activity ids ${[...ids].join(', ')}`);
        }
      }),
    );
    out.push({ name: 'one key sent at once to A, A and B', wrong, of: KEYS, what: [...why].slice(0, 3).join('; ') });
  }
  // b. Logs that each complete the same challenge, at once on A and B: one reward.
  {
    const N = 6;
    const rs = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        post((i % 2 ? serverB : serverA).url, seeded.rewardRace.token, `reward-${run}-${i}`, {
          challengeId: seeded.rewardRace.challenge,
          quantity: 8,
        }),
      ),
    );
    const rewards = rs.reduce((a, r) => a + (r.body?.rewards?.length ?? 0), 0);
    const points = await get(serverA.url, seeded.rewardRace.token, '/me/points');
    const earns = (points.body?.entries ?? []).filter((e: any) => e.type === 'EARN').length;
    out.push({
      name: `${N} logs at once, each completing one challenge (A and B)`,
      wrong: Math.max(0, earns - 1) + rs.filter((r) => r.status !== 201).length,
      of: N,
      what: `answers ${[...new Set(rs.map((r) => r.status))].join('/')}; rewards in answers ${rewards}; EARN entries ${earns}, balance ${points.body?.balance} (one reward expected)`,
    });
  }
  // c. Logs of quantity 1 into one period at once on A and B: the period adds them all up.
  {
    const N = 20;
    const rs = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        post((i % 2 ? serverB : serverA).url, seeded.sumRace.token, `sum-${run}-${i}`, {
          challengeId: seeded.sumRace.challenge,
          quantity: 1,
        }),
      ),
    );
    const read = await get(serverA.url, seeded.sumRace.token, '/me/challenges');
    const value = current(read.body?.challenges, seeded.sumRace.challenge);
    out.push({
      name: `${N} logs of 1 at once into one period (A and B)`,
      wrong: Math.abs(N - value) + rs.filter((r) => r.status !== 201).length,
      of: N,
      what: `answers ${[...new Set(rs.map((r) => r.status))].join('/')}; period value ${value} (${N} expected)`,
    });
  }
  // d. A new customer's first requests at once on A and B, then a log on A: B's history shows it.
  {
    const N = 5;
    let wrong = 0;
    const why = new Set<string>();
    await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const token = await customerToken(org, `fresh-${run}-${i}`);
        const rs = await Promise.all(
          [serverA, serverB, serverA, serverB].map((s) => get(s.url, token, '/me/challenges')),
        );
        const log = await post(serverA.url, token, `fresh-${i}`, { templateId: 'water', quantity: 1 });
        const seen = await get(serverB.url, token, '/me/activities');
        const ok = rs.every((r) => r.status === 200) && log.status === 201 && seen.body?.activities?.length === 1;
        if (!ok) {
          wrong++;
          why.add(
            `first reads ${rs.map((r) => r.status).join('/')}, log on A ${log.status}, activities on B ${seen.body?.activities?.length ?? seen.status}`,
          );
        }
      }),
    );
    out.push({
      name: "a new customer's first 4 requests at once (A and B), then log on A, history on B",
      wrong,
      of: N,
      what: [...why].slice(0, 3).join('; '),
    });
  }
  // e. Progress read on B, a log on A, progress read on B again: B shows the log (as A does).
  {
    const token = seeded.readerToken;
    const before = await get(serverB.url, token, '/me/challenges');
    const id = before.body?.challenges?.[0]?.id as string;
    const log = await post(serverA.url, token, `stale-${run}`, { challengeId: id, quantity: 5 });
    await sleep(50);
    const onA = current((await get(serverA.url, token, '/me/challenges')).body?.challenges, id);
    const onB = current((await get(serverB.url, token, '/me/challenges')).body?.challenges, id);
    const was = current(before.body?.challenges, id);
    out.push({
      name: 'progress read on B after a log on A',
      wrong: log.status === 201 && onB === onA ? 0 : 1,
      of: 1,
      what: `log on A ${log.status}; current period value: before ${was}, then on A ${onA}, on B ${onB}`,
    });
  }
  return out;
}

// ---------------------------------------------------------------- report
/** report.info, with a baseline of 0 shown in the note (a 0 baseline has no ratio). */
const info = (name: string, subject: number, unit: string, baseline: number | null, note?: string) =>
  report.info(
    name,
    subject,
    unit,
    baseline || null,
    baseline === 0 ? [note, `baseline ${fmt(0, unit)}`].filter(Boolean).join('; ') : note,
  );
const mean = (runs: Runs, who: string, k: keyof Run) =>
  runs.filter((x) => x.who === who).reduce((a, x) => a + (x.r[k] ?? 0), 0) / ROUNDS;
const med = (runs: Runs, who: string, k: keyof Run) =>
  median(runs.filter((x) => x.who === who).map((x) => x.r[k] ?? 0));
const has = (runs: Runs, k: keyof Run) => runs.every((x) => x.r[k] !== undefined);
/** The server's and PostgreSQL's CPU per request of `who` against the floor's, where every round measured them. */
function cpuFigures(runs: Runs, who: string, what: string) {
  const kinds = [
    ['cpuUsPerReq', 'server CPU'],
    ['pgUsPerReq', 'PostgreSQL backend CPU'],
  ] as const;
  for (const [k, label] of kinds)
    if (has(runs, k))
      info(`PG: ${label} per ${what} (baseline: floor)`, mean(runs, who, k), 'µs', mean(runs, 'floor', k));
}

console.log(`\nLogs, autocannon -c ${CONNECTIONS} -d ${LOG_SECONDS}, ${ROUNDS} rounds alternated; ${machine()}`);
printTable(
  ['round', 'floor req/s', 'one req/s', 'one p99', 'ratio to floor', 'two req/s', 'two p99', 'two / one'],
  Array.from({ length: ROUNDS }, (_, i) => {
    const get = (who: string) => logRuns.find((x) => x.round === i + 1 && x.who === who)!.r;
    const f = get('floor'),
      o = get('one'),
      w = get('two');
    return [
      i + 1,
      Math.round(f.reqPerSec),
      Math.round(o.reqPerSec),
      `${o.p99} ms`,
      (o.reqPerSec / f.reqPerSec).toFixed(2),
      Math.round(w.reqPerSec),
      `${w.p99} ms`,
      (w.reqPerSec / o.reqPerSec).toFixed(2),
    ];
  }),
);
console.log(`\nProgress reads, autocannon -c ${CONNECTIONS} -d ${READ_SECONDS}, ${ROUNDS} rounds alternated`);
printTable(
  ['round', 'floor req/s', 'floor p99', 'subject req/s', 'subject p50', 'subject p99', 'ratio'],
  Array.from({ length: ROUNDS }, (_, i) => {
    const get = (who: string) => readRuns.find((x) => x.round === i + 1 && x.who === who)!.r;
    const f = get('floor'),
      s = get('subject');
    return [
      i + 1,
      Math.round(f.reqPerSec),
      `${f.p99} ms`,
      Math.round(s.reqPerSec),
      `${s.p50} ms`,
      `${s.p99} ms`,
      (s.reqPerSec / f.reqPerSec).toFixed(2),
    ];
  }),
);
console.log('\nConcurrency probes on PostgreSQL (two instances, one database)');
printTable(
  ['probe', 'wrong', 'of', 'what was seen'],
  probes.map((p) => [p.name, p.wrong, p.of, p.what || '-']),
);

// 1. Logs against the floor.
info(
  'PG: POST /ucc/v1/me/activities req/s (baseline: floor-pg INSERT)',
  mean(logRuns, 'one', 'reqPerSec'),
  'req/s',
  mean(logRuns, 'floor', 'reqPerSec'),
);
info('PG: log p99, median of rounds (baseline: floor)', med(logRuns, 'one', 'p99'), 'ms', med(logRuns, 'floor', 'p99'));
cpuFigures(logRuns, 'one', 'log');
// 2. Progress reads against the floor.
info('PG: progress answer size', answerBytes, 'B', null);
info(
  'PG: GET /ucc/v1/me/challenges req/s (baseline: floor-pg SELECT)',
  mean(readRuns, 'subject', 'reqPerSec'),
  'req/s',
  mean(readRuns, 'floor', 'reqPerSec'),
  `cached per process and checked against the database's versions: a repeated read runs ${r2(pgc.readCached)} statement(s)`,
);
info(
  'PG: progress read p99, median of rounds (baseline: floor)',
  med(readRuns, 'subject', 'p99'),
  'ms',
  med(readRuns, 'floor', 'p99'),
);
cpuFigures(readRuns, 'subject', 'progress read');
// 3. Two instances against one.
info(
  'PG: two instances, log req/s (baseline: one instance)',
  mean(logRuns, 'two', 'reqPerSec'),
  'req/s',
  mean(logRuns, 'one', 'reqPerSec'),
  '2 cores shared by both servers, PostgreSQL and the client: says little about scale',
);
info('PG: two instances, log p99 median (baseline: one)', med(logRuns, 'two', 'p99'), 'ms', med(logRuns, 'one', 'p99'));
report.notes.push(
  `two instances: on ${machine().split(' ')[0]} cores both servers, PostgreSQL and the load client share the same cores, so the two-instance ratio says little about how the server scales out; it does show that two processes on one database work, and what they cost.`,
);
// 4. Statements (= round trips on PostgreSQL) per request, in-process.
info('PG: statements per log, one at a time (baseline: SQLite)', r2(pgc.logSeq), 'stmts', r2(lite.logSeq));
info(
  `PG: statements per log, ${CONNECTIONS} at a time (baseline: one at a time)`,
  r2(pgc.logConc),
  'stmts',
  r2(pgc.logSeq),
);
info(
  'PG: statements per uncached progress read, 20 challenges (baseline: SQLite)',
  r2(pgc.readCold),
  'stmts',
  r2(lite.readCold),
);
info(
  'PG: statements per repeated progress read, read cache allowed (baseline: SQLite)',
  r2(pgc.readCached),
  'stmts',
  r2(lite.readCached),
);
info('PG: in-process log, one at a time (baseline: SQLite)', pgc.msLog, 'ms', lite.msLog);
info('PG: in-process uncached progress read (baseline: SQLite)', pgc.msReadCold, 'ms', lite.msReadCold);
report.notes.push(
  "statements: the stores' statementCount(); SQLite's counts prepared statements only (its BEGIN/COMMIT are not counted), PostgreSQL's every statement sent, BEGIN and COMMIT included (one round trip each)",
);
if (Math.abs(pgc.driverLogSeq - pgc.logSeq) > 0.01 || Math.abs(pgc.driverReadCold - pgc.readCold) > 0.01)
  report.notes.push(
    `PostgreSQL statementCount() differs from the queries the pg driver sent: ${r2(pgc.logSeq)} vs ${r2(pgc.driverLogSeq)} per log, ${r2(pgc.readCold)} vs ${r2(pgc.driverReadCold)} per uncached read`,
  );
for (const p of probes) {
  info(`PG probe: ${p.name}: wrong`, p.wrong, '', null);
  if (p.wrong) report.notes.push(`PG probe "${p.name}": ${p.wrong} of ${p.of} wrong — ${p.what}`);
}
const bad = [...logRuns, ...readRuns].filter((x) => x.r.non2xx > 0 || x.r.errors > 0);
if (bad.length)
  report.notes.push(
    `${bad.map((x) => `round ${x.round} ${x.who}: ${x.r.non2xx} non-2xx, ${x.r.errors} errors`).join('; ')} — see bench/out/pg-server-a.log, pg-server-b.log`,
  );
report.absolute(
  'non-2xx answers + errors under load',
  bad.reduce((a, x) => a + x.r.non2xx + x.r.errors, 0),
  '',
  { max: 0 },
);
process.exitCode = report.finish();
