/**
 * Progress read: GET /ucc/v1/me/challenges (what <ucc-progress> loads) for a customer with 20
 * challenges and a year of history, on the real server in production settings, against the
 * floor server's GET of one SQLite row (bench/floor-server.ts). autocannon -c 50, alternated,
 * BENCH_ROUNDS rounds of PROGRESS_SECONDS (default 5) seconds each.
 *
 * Seeding, through the widget API's own functions with a moved clock: a year of logs (20 a day,
 * templateId only, before any of the challenges), then 20 daily challenges of 30 days started
 * 0–19 days ago (water, steps, meditation in turn), each logged into twice on every day so far.
 *
 * Budget: req/s ≥ 0.5 × floor.
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { BENCH_ROUNDS, profileArgs, load, machine, printTable, Report, startNode, type Load } from './lib.ts';
import { benchOrgs, customerToken, insertCustomers, openStore, productionEnv, putEventDefs, seedChallenge, seedLog, tempDir, writeOrgsFile, startOfDay, DAY } from './seed.ts';

const MIN_RATIO = 0.5;
const SECONDS = Number(process.env.PROGRESS_SECONDS ?? 5);
const PORT = Number(process.env.BENCH_PORT_SERVER ?? 8791);
const FLOOR_PORT = Number(process.env.BENCH_PORT_FLOOR ?? 8792);
const CHALLENGES = 20;
const HISTORY_DAYS = 365;
const LOGS_PER_DAY = 20;

const report = new Report('progress-read');
const dir = tempDir('progress');
const orgs = benchOrgs();
const org = orgs[0];
const db = join(dir, 'ucc.db');

let t = Date.now();
const store = await openStore(db, orgs);
await putEventDefs(store, org.id, Date.now());
const now = Date.now();
const today = startOfDay(now, org.timeZone);
const templates = ['water', 'steps', 'meditation'];
let logs = 0;
await store.tx(async (tx) => {
  const [customerId] = await insertCustomers(tx, org, ['reader'], now);
  // A year of history before the challenges.
  for (let d = HISTORY_DAYS + CHALLENGES; d > CHALLENGES; d--) {
    for (let i = 0; i < LOGS_PER_DAY; i++) {
      const at = today - d * DAY + 8 * 3_600_000 + i * 30 * 60_000;
      await seedLog(tx, org, customerId, { templateId: templates[i % 3], quantity: 1 }, `y${d}-${i}`, at);
      logs++;
    }
  }
  // 20 challenges started 0–19 days ago, logged into twice a day since.
  const ids: { id: string; start: number }[] = [];
  for (let k = CHALLENGES - 1; k >= 0; k--) {
    const start = today - k * DAY + 7 * 3_600_000;
    ids.push({ id: await seedChallenge(tx, org, customerId, templates[k % 3], start, 30), start });
  }
  for (let d = CHALLENGES - 1; d >= 0; d--) {
    for (const c of ids) {
      for (const h of [9, 18]) {
        const at = today - d * DAY + h * 3_600_000;
        if (at < c.start || at > now) continue;
        await seedLog(tx, org, customerId, { challengeId: c.id, quantity: 2 }, `c${c.id}-${d}-${h}`, at);
        logs++;
      }
    }
  }
});
store.close();
const token = await customerToken(org, 'reader');
console.log(`seeded 1 customer, ${CHALLENGES} challenges, ${logs.toLocaleString('en-US')} logs over ${HISTORY_DAYS + CHALLENGES} days in ${((Date.now() - t) / 1000).toFixed(1)} s`);

const server = await startNode('progress-server', 'server/main.ts', PORT, productionEnv(db, writeOrgsFile(dir, orgs)), profileArgs('progress-server'));
const floor = await startNode('progress-floor', 'bench/floor-server.ts', FLOOR_PORT, { FLOOR_DB: join(dir, 'floor.db') });
const subject = { url: `${server.url}/ucc/v1/me/challenges`, headers: { authorization: `Bearer ${token}` } };
const base = { url: `${floor.url}/floor/activities/1` };

const runs: { round: number; who: string; r: Load }[] = [];
let bytes = 0, shown = 0;
try {
  const res = await fetch(subject.url, { headers: subject.headers });
  const body = await res.text();
  bytes = Buffer.byteLength(body);
  shown = res.ok ? (JSON.parse(body).challenges as unknown[]).length : -1;
  if (!res.ok) throw new Error(`GET /ucc/v1/me/challenges answered ${res.status}: ${body.slice(0, 300)}`);
  const floorBytes = Buffer.byteLength(await (await fetch(base.url)).text());
  console.log(`subject answer: ${shown} challenges, ${bytes.toLocaleString('en-US')} B; floor answer ${floorBytes} B`);
  await load({ ...subject, duration: 2 });
  await load({ ...base, duration: 2 });
  for (let round = 1; round <= BENCH_ROUNDS; round++) {
    const order = round % 2 ? ['floor', 'subject'] : ['subject', 'floor'];
    for (const who of order) {
      const r = await load({ ...(who === 'floor' ? base : subject), duration: SECONDS });
      runs.push({ round, who, r });
      console.log(`round ${round} ${who.padEnd(7)} ${Math.round(r.reqPerSec)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  non-2xx ${r.non2xx}  errors ${r.errors}`);
    }
  }
} finally {
  await server.stop();
  await floor.stop();
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\nGET throughput, autocannon -c 50 -d ${SECONDS}, ${BENCH_ROUNDS} rounds alternated; ${machine()}`);
printTable(['round', 'floor req/s', 'floor p99', 'subject req/s', 'subject p50', 'subject p99', 'ratio'],
  Array.from({ length: BENCH_ROUNDS }, (_, i) => {
    const f = runs.find((x) => x.round === i + 1 && x.who === 'floor')!.r, s = runs.find((x) => x.round === i + 1 && x.who === 'subject')!.r;
    return [i + 1, Math.round(f.reqPerSec), `${f.p99} ms`, Math.round(s.reqPerSec), `${s.p50} ms`, `${s.p99} ms`, (s.reqPerSec / f.reqPerSec).toFixed(2)];
  }));
const mean = (who: string, k: keyof Load) => runs.filter((x) => x.who === who).reduce((a, x) => a + x.r[k], 0) / BENCH_ROUNDS;
const bad = runs.reduce((a, x) => a + x.r.non2xx + x.r.errors, 0);
report.info('challenges in the answer', shown, '');
report.info('answer size', bytes, 'B');
report.ratio('GET /ucc/v1/me/challenges req/s', mean('subject', 'reqPerSec'), mean('floor', 'reqPerSec'), 'req/s', { min: MIN_RATIO });
report.info('GET /ucc/v1/me/challenges p99', mean('subject', 'p99'), 'ms', mean('floor', 'p99'));
report.absolute('non-2xx answers + errors', bad, '', { max: 0 });
process.exitCode = report.finish();
