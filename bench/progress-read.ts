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
 * Also measured, for information: the floor server sending from memory (GET /floor/blob) an answer
 * of the subject's size — an upper bound for any server that sends that many bytes — and one of
 * the size of the subject's answer gzipped. Requests offer gzip/br as browsers do.
 *
 * Budget: req/s ≥ 0.5 × floor.
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import {
  alternateRounds,
  BENCH_ROUNDS,
  experimentArgs,
  experimentNote,
  profileArgs,
  load,
  machine,
  printTable,
  Report,
  startNode,
  type Load,
} from './lib.js';
import { benchDatabase, customerToken, productionEnv, seedReader, writeOrgsFile } from './seed.js';

const MIN_RATIO = 0.5;
const SECONDS = Number(process.env.PROGRESS_SECONDS ?? 5);
const PORT = Number(process.env.BENCH_PORT_SERVER ?? 8791);
const FLOOR_PORT = Number(process.env.BENCH_PORT_FLOOR ?? 8792);
const CHALLENGES = 20;
const HISTORY_DAYS = 365;
const LOGS_PER_DAY = 20;

const report = new Report('progress-read');

const t = Date.now();
const { dir, orgs, org, db, store } = await benchDatabase('progress');
const { logs } = await seedReader(store, org, Date.now(), CHALLENGES, HISTORY_DAYS, LOGS_PER_DAY);
store.close();
const token = await customerToken(org, 'reader');
console.log(
  `seeded 1 customer, ${CHALLENGES} challenges, ${logs.toLocaleString('en-US')} logs over ${HISTORY_DAYS + CHALLENGES} days in ${((Date.now() - t) / 1000).toFixed(1)} s`,
);

const server = await startNode('progress-server', 'server/main.ts', PORT, productionEnv(db, writeOrgsFile(dir, orgs)), [
  ...profileArgs('progress-server'),
  ...experimentArgs(),
]);
if (experimentNote()) report.notes.push(experimentNote()!);
const floor = await startNode('progress-floor', 'bench/floor-server.ts', FLOOR_PORT, {
  FLOOR_DB: join(dir, 'floor.db'),
});
// Browsers always offer compression; so do these requests (the server answers a large list gzipped).
const ACCEPT = { 'accept-encoding': 'gzip, deflate, br' };
const subject = {
  url: `${server.url}/ucc/v1/me/challenges`,
  headers: { authorization: `Bearer ${token}`, ...ACCEPT },
  pid: server.proc.pid,
};
const base = { url: `${floor.url}/floor/activities/1`, headers: ACCEPT, pid: floor.proc.pid };
// Second and third baselines (information): the floor server sending, from memory, an answer of the
// subject's size, and one of the subject's answer's gzip size.
const blob = { url: '', headers: ACCEPT };
const blobGz = { url: '', headers: ACCEPT };

let runs: { round: number; who: string; r: Load }[] = [];
let bytes: number, gzBytes: number, shown: number;
try {
  const res = await fetch(subject.url, { headers: subject.headers });
  const body = await res.text();
  bytes = Buffer.byteLength(body);
  gzBytes = gzipSync(body).length;
  shown = res.ok ? (JSON.parse(body).challenges as unknown[]).length : -1;
  if (!res.ok) throw new Error(`GET /ucc/v1/me/challenges answered ${res.status}: ${body.slice(0, 300)}`);
  const floorBytes = Buffer.byteLength(await (await fetch(base.url)).text());
  console.log(`subject answer: ${shown} challenges, ${bytes.toLocaleString('en-US')} B; floor answer ${floorBytes} B`);
  blob.url = `${floor.url}/floor/blob?bytes=${bytes}`;
  blobGz.url = `${floor.url}/floor/blob?bytes=${gzBytes}`;
  await load({ ...subject, duration: 2 });
  await load({ ...base, duration: 2 });
  runs = await alternateRounds({ floor: base, subject, blob, 'blob-gz': blobGz }, BENCH_ROUNDS, SECONDS);
} finally {
  await server.stop();
  await floor.stop();
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\nGET throughput, autocannon -c 50 -d ${SECONDS}, ${BENCH_ROUNDS} rounds alternated; ${machine()}`);
printTable(
  [
    'round',
    'floor req/s',
    'floor p99',
    'same-size blob req/s',
    'gzip-size blob req/s',
    'subject req/s',
    'subject p50',
    'subject p99',
    'ratio',
  ],
  Array.from({ length: BENCH_ROUNDS }, (_, i) => {
    const get = (who: string) => runs.find((x) => x.round === i + 1 && x.who === who)!.r;
    const f = get('floor'),
      s = get('subject'),
      b = get('blob'),
      g = get('blob-gz');
    return [
      i + 1,
      Math.round(f.reqPerSec),
      `${f.p99} ms`,
      Math.round(b.reqPerSec),
      Math.round(g.reqPerSec),
      Math.round(s.reqPerSec),
      `${s.p50} ms`,
      `${s.p99} ms`,
      (s.reqPerSec / f.reqPerSec).toFixed(2),
    ];
  }),
);
const mean = (who: string, k: keyof Load) =>
  runs.filter((x) => x.who === who).reduce((a, x) => a + (x.r[k] ?? 0), 0) / BENCH_ROUNDS;
const bad = runs.reduce((a, x) => a + x.r.non2xx + x.r.errors, 0);
report.info('challenges in the answer', shown, '');
report.info('answer size', bytes, 'B');
report.info('answer size gzipped', gzBytes, 'B', bytes);
report.ratio('GET /ucc/v1/me/challenges req/s', mean('subject', 'reqPerSec'), mean('floor', 'reqPerSec'), 'req/s', {
  min: MIN_RATIO,
});
report.info(
  `floor: same-size answer (${Math.round(bytes / 1000)} kB) from memory, req/s`,
  mean('blob', 'reqPerSec'),
  'req/s',
  mean('floor', 'reqPerSec'),
  'the most any server can do sending this answer uncompressed (the subject sends it gzipped)',
);
report.info(
  `floor: gzip-size answer (${(gzBytes / 1000).toFixed(1)} kB) from memory, req/s`,
  mean('blob-gz', 'reqPerSec'),
  'req/s',
  mean('floor', 'reqPerSec'),
  'the most any server can do sending this answer gzipped, as the subject does from its cache',
);
report.info('GET /ucc/v1/me/challenges p99', mean('subject', 'p99'), 'ms', mean('floor', 'p99'));
if (runs.filter((x) => x.who === 'subject' || x.who === 'floor').every((x) => x.r.cpuUsPerReq !== undefined)) {
  report.info('server CPU per request', mean('subject', 'cpuUsPerReq'), 'µs', mean('floor', 'cpuUsPerReq'));
}
report.absolute('non-2xx answers + errors', bad, '', { max: 0 });
process.exitCode = report.finish();
