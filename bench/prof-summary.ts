/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): top functions by self time and by
 * inclusive (total) time. Usage: node --import tsx bench/prof-summary.ts <file.cpuprofile> [n] [filter]
 * PROF_BUSY=1 keeps only the 100 ms slices the process was ≥ 80 % busy (the load, not start-up);
 * PROF_BUCKETS=1 also sums self time into coarse parts of a request (SQLite, HTTP and Fastify, …).
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
  hitCount?: number;
}
const [file, nArg, filter] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, 'utf8')) as {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
};
const n = Number(nArg ?? 30);
const byId = new Map(prof.nodes.map((x) => [x.id, x]));
const parent = new Map<number, number>();
for (const x of prof.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
// PROF_BUSY=1: only the 100 ms slices the process spent ≥ 80 % busy (steady load, without start-up and idle gaps).
const idleIds = new Set(prof.nodes.filter((x) => x.callFrame.functionName === '(idle)').map((x) => x.id));
const at: number[] = [];
prof.timeDeltas.reduce((t, d, i) => (at[i] = t + d), 0);
const slice = (i: number) => Math.floor(at[i] / 100_000);
const busy = new Map<number, [number, number]>();
prof.samples.forEach((id, i) => {
  const b = busy.get(slice(i)) ?? [0, 0];
  b[idleIds.has(id) ? 1 : 0] += prof.timeDeltas[i] ?? 0;
  busy.set(slice(i), b);
});
const keep = (i: number) => !process.env.PROF_BUSY || (([b, idle]) => b / (b + idle) >= 0.8)(busy.get(slice(i))!);
const self = new Map<number, number>();
prof.samples.forEach((id, i) => {
  if (keep(i)) self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
const short = (u: string) =>
  u.replace(/^file:\/\/.*?\/(node_modules|server|src|bench)\//, '$1/').replace(/^node:/, 'node:');
const key = (x: Node) =>
  `${x.callFrame.functionName || '(anonymous)'} ${short(x.callFrame.url)}:${x.callFrame.lineNumber + 1}`;
const selfBy = new Map<string, number>();
const inclBy = new Map<string, number>();
for (const [id, t] of self) {
  const x = byId.get(id)!;
  selfBy.set(key(x), (selfBy.get(key(x)) ?? 0) + t);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const k = key(byId.get(cur)!);
    if (seen.has(k)) continue;
    seen.add(k);
    inclBy.set(k, (inclBy.get(k) ?? 0) + t);
  }
}
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title} (of ${(total / 1000).toFixed(0)} ms sampled)`);
  [...m.entries()]
    .filter(([k]) => !filter || k.includes(filter))
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .forEach(([k, t]) =>
      console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${(t / 1000).toFixed(0).padStart(6)} ms  ${k}`),
    );
};
show('self time', selfBy);
show('inclusive time', inclBy);

// Coarse parts of a request, by the file of the frame that spent the time (self time). Native
// SQLite work shows as self time of the store's statement calls, so "SQLite" is the store's calls.
const BUCKETS: [string, RegExp][] = [
  // The floor's and the write-set experiment's route handlers are little but their SQLite calls.
  [
    'SQLite (statements, BEGIN/COMMIT)',
    /server\/store\/|better-sqlite3|bench\/floor-server\.ts|bench\/experiments\/write-set-server\.ts/,
  ],
  ['garbage collector', /^\(garbage collector\)/],
  ['JSON answer serialisation (fast-json-stringify)', /fast-json-stringify|^anonymous\d* :\d+$/],
  [
    'token, rate limits, CORS',
    /widget-api\/(auth|rate-limit|state|plugins\/access|plugins\/widget-auth)\.ts|@fastify\/cors/,
  ],
  ['engine and answer views', /server\/engine\/|widget-api\/(activities|views|challenges|read-cache)\.ts|luxon/],
  [
    'route handlers and hooks (widget-api/index.ts, routes/, services/, plugins/, app.ts)',
    /widget-api\/(index|routes\/[\w-]+|services\/[\w-]+|plugins\/[\w-]+)\.ts|server\/app\.ts|server\/context\.ts/,
  ],
  [
    'HTTP, sockets, Fastify core, body parsing, logger',
    /node:|fastify|find-my-way|secure-json-parse|avvio|pino|light-my-request|^writev|^\(anonymous\) :0|^emit|^utf8|^(read|write)/,
  ],
  ['idle', /^\(idle\)/],
];
if (process.env.PROF_BUCKETS) {
  const by = new Map<string, number>();
  for (const [k, t] of selfBy) {
    const b = BUCKETS.find(([, re]) => re.test(k))?.[0] ?? 'other (program, module loading, …)';
    by.set(b, (by.get(b) ?? 0) + t);
  }
  const busyTotal = total - (by.get('idle') ?? 0);
  console.log(`\nparts of the busy time (self time by file, of ${(busyTotal / 1000).toFixed(0)} ms)`);
  [...by.entries()]
    .filter(([b]) => b !== 'idle')
    .sort((a, b) => b[1] - a[1])
    .forEach(([b, t]) => console.log(`${((100 * t) / busyTotal).toFixed(1).padStart(5)}%  ${b}`));
}
