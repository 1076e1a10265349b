/**
 * EXPERIMENT: how close to the floor any server doing a widget log's durable work can get, over
 * HTTP with autocannon -c 50, alternated in the same run: the floor POST (one insert) against the
 * same Fastify POST running exactly the log's SQL (write-set-server.ts: 1 lookup + 4 inserts, group
 * commit, checkpoints on a worker) — once answering `{"id"}`, once a log-sized 1.8 kB answer — and a
 * leaner schema's write set (the event and the progress row only). Prints
 * req/s, the ratio to the floor and the server CPU per request.
 * Usage: node --import tsx bench/experiments/write-set-http.ts [seconds] [rounds]
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { alternateRounds, load, machine, printTable, startNode } from '../lib.js';
import { tempDir } from '../seed.js';

const S = Number(process.argv[2] ?? 5),
  R = Number(process.argv[3] ?? 3);
const dir = tempDir('wsh');
const floor = await startNode('wsh-floor', 'bench/floor-server.ts', 8794, { FLOOR_DB: join(dir, 'floor.db') });
const writes = await startNode('wsh-writes', 'bench/experiments/write-set-server.ts', 8795, {
  FLOOR_DB: join(dir, 'writes.db'),
});
const answered = await startNode('wsh-answer', 'bench/experiments/write-set-server.ts', 8796, {
  FLOOR_DB: join(dir, 'answer.db'),
  WRITESET_ANSWER: '1',
});
// A leaner schema's write set: only the event (with its idempotency index) and the progress row.
const lean = await startNode('wsh-lean', 'bench/experiments/write-set-server.ts', 8797, {
  FLOOR_DB: join(dir, 'lean.db'),
  WRITESET_SKIP: 'activities,effects',
});
let n = 0;
const req = (path: string) => ({
  method: 'POST' as const,
  path,
  headers: { 'content-type': 'application/json' },
  setupRequest: (r: any) => {
    const i = n++;
    return {
      ...r,
      headers: { ...r.headers, 'idempotency-key': `k${i}` },
      body: JSON.stringify({ challengeId: String(i % 3000), quantity: 1, customerId: i % 1000 }),
    };
  },
});
const subjects = {
  floor: { url: floor.url, requests: [req('/floor/activities')], pid: floor.proc.pid },
  'log SQL': { url: writes.url, requests: [req('/floor/log-writes')], pid: writes.proc.pid },
  'log SQL + 1.8 kB answer': { url: answered.url, requests: [req('/floor/log-writes')], pid: answered.proc.pid },
  'event + progress only': { url: lean.url, requests: [req('/floor/log-writes')], pid: lean.proc.pid },
};
let runs: Awaited<ReturnType<typeof alternateRounds>> = [];
try {
  for (const s of Object.values(subjects)) await load({ ...s, duration: 2 });
  runs = await alternateRounds(subjects, R, S);
} finally {
  await floor.stop();
  await writes.stop();
  await answered.stop();
  await lean.stop();
  rmSync(dir, { recursive: true, force: true });
}
const mean = (who: string, k: 'reqPerSec' | 'cpuUsPerReq' | 'p99') =>
  runs.filter((x) => x.who === who).reduce((a, x) => a + (x.r[k] ?? 0), 0) / R;
console.log(`\nfloor POST vs the same POST running a widget log's SQL, ${R} rounds of ${S} s alternated; ${machine()}`);
printTable(
  ['server', 'req/s', 'ratio to floor', 'p99', 'server CPU per request'],
  Object.keys(subjects).map((w) => [
    w,
    Math.round(mean(w, 'reqPerSec')),
    (mean(w, 'reqPerSec') / mean('floor', 'reqPerSec')).toFixed(2),
    `${mean(w, 'p99').toFixed(1)} ms`,
    `${mean(w, 'cpuUsPerReq').toFixed(1)} µs`,
  ]),
);
