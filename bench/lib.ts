/**
 * Shared helpers of the benchmarks: child processes (started from `node`, stopped by pid),
 * autocannon runs, tables, and budgets. Every benchmark writes bench/out/<name>.json with its
 * figures so that bench/run.ts can print one summary table.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, createWriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import net from 'node:net';
import autocannon from 'autocannon';
import { createRequire } from 'node:module';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const OUT = join(ROOT, 'bench', 'out');
mkdirSync(OUT, { recursive: true });

export const machine = () => `${cpus().length} cores (${cpus()[0]?.model.trim() ?? '?'}), Node ${process.version}`;

// ---------------------------------------------------------------- figures and budgets
export interface Figure {
  /** What is measured, e.g. "POST /ucc/v1/me/activities req/s". */
  name: string;
  subject: number;
  baseline: number | null;
  unit: string;
  /** subject / baseline (or null when there is no baseline). */
  ratio: number | null;
  /** Human form of the budget, e.g. "ratio >= 0.6". */
  budget: string;
  pass: boolean;
  note?: string;
}

export class Report {
  figures: Figure[] = [];
  notes: string[] = [];
  constructor(readonly bench: string) {}

  /** A figure compared with a baseline; the budget is on the ratio (`min` or `max`). */
  ratio(
    name: string,
    subject: number,
    baseline: number,
    unit: string,
    limit: { min?: number; max?: number },
    note?: string,
  ) {
    const ratio = subject / baseline;
    const pass = (limit.min === undefined || ratio >= limit.min) && (limit.max === undefined || ratio <= limit.max);
    const budget = limit.min !== undefined ? `ratio >= ${limit.min}` : `ratio <= ${limit.max}`;
    this.figures.push({ name, subject, baseline, unit, ratio, budget, pass, note });
  }

  /** A figure with an absolute budget (its baseline, when given, is printed for context). */
  absolute(
    name: string,
    subject: number,
    unit: string,
    limit: { min?: number; max?: number },
    baseline: number | null = null,
    note?: string,
  ) {
    const pass =
      Number.isFinite(subject) &&
      (limit.min === undefined || subject >= limit.min) &&
      (limit.max === undefined || subject <= limit.max);
    const budget = (
      limit.min !== undefined && limit.max !== undefined && limit.min === limit.max
        ? `== ${limit.min} ${unit}`
        : limit.min !== undefined
          ? `>= ${limit.min} ${unit}`
          : `<= ${limit.max} ${unit}`
    ).trim();
    this.figures.push({
      name,
      subject,
      baseline,
      unit,
      ratio: baseline ? subject / baseline : null,
      budget,
      pass,
      note,
    });
  }

  /** A figure printed for information only. */
  info(name: string, subject: number, unit: string, baseline: number | null = null, note?: string) {
    this.figures.push({
      name,
      subject,
      baseline,
      unit,
      ratio: baseline ? subject / baseline : null,
      budget: '-',
      pass: true,
      note,
    });
  }

  /** Prints the figures, one final line per figure, writes bench/out/<bench>.json; returns the exit code. */
  finish(): number {
    console.log('');
    printTable(
      ['figure', 'subject', 'baseline', 'ratio', 'budget', 'result'],
      this.figures.map((f) => [
        f.name,
        fmt(f.subject, f.unit),
        f.baseline === null ? '-' : fmt(f.baseline, f.unit),
        f.ratio === null ? '-' : f.ratio.toFixed(2),
        f.budget,
        f.budget === '-' ? 'info' : f.pass ? 'PASS' : 'MISS',
      ]),
    );
    for (const n of this.notes) console.log(`note: ${n}`);
    for (const f of this.figures) {
      const base = f.baseline === null ? '' : `; baseline ${fmt(f.baseline, f.unit)}, ratio ${f.ratio!.toFixed(2)}`;
      console.log(
        `${this.bench}: ${f.name} = ${fmt(f.subject, f.unit)}${base}; budget ${f.budget}: ${f.budget === '-' ? 'info' : f.pass ? 'PASS' : 'MISS'}${f.note ? ` (${f.note})` : ''}`,
      );
    }
    writeFileSync(
      join(OUT, `${this.bench}.json`),
      JSON.stringify(
        {
          bench: this.bench,
          machine: machine(),
          at: new Date().toISOString(),
          figures: this.figures,
          notes: this.notes,
        },
        null,
        2,
      ),
    );
    return this.figures.every((f) => f.pass) ? 0 : 1;
  }
}

export function fmt(v: number, unit: string): string {
  if (!Number.isFinite(v)) return String(v);
  if (unit === 'B') return `${v.toLocaleString('en-US')} B`;
  if (unit === 'req/s') return `${Math.round(v).toLocaleString('en-US')} req/s`;
  if (unit === 'ms') return `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`;
  if (unit === 'µs') return `${v.toFixed(1)} µs`;
  if (unit === '') return String(v);
  return `${v} ${unit}`;
}

export function printTable(head: string[], rows: (string | number)[][]) {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const w = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    '| ' + r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' | ') + ' |';
  console.log(line(head));
  console.log('|' + w.map((n, i) => (i === 0 ? ':' + '-'.repeat(n + 1) : '-'.repeat(n + 1) + ':')).join('|') + '|');
  for (const r of cells.slice(1)) console.log(line(r));
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// ---------------------------------------------------------------- processes
const children = new Set<ChildProcess>();
let hooked = false;
function hookExit() {
  if (hooked) return;
  hooked = true;
  const killAll = () => {
    for (const c of children)
      if (c.exitCode === null && c.pid)
        try {
          process.kill(c.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.on(sig, () => {
      killAll();
      process.exit(130);
    });
}

export interface Server {
  proc: ChildProcess;
  port: number;
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts `node <args>` (tsx loaded for .ts) as a child process, waits until `port` on 127.0.0.1
 * accepts connections, and returns a handle that stops it by its pid (SIGTERM, then SIGKILL).
 * The port must be free beforehand: a leftover server makes the benchmark fail loudly.
 */
export async function startNode(
  name: string,
  script: string,
  port: number,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<Server> {
  hookExit();
  if (await portOpen(port))
    throw new Error(`${name}: port ${port} is already in use (a leftover server?); stop it first.`);
  const log = createWriteStream(join(OUT, `${name}.log`));
  const proc = spawn(process.execPath, ['--import', 'tsx', ...nodeArgs, script], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  proc.stdout!.pipe(log);
  proc.stderr!.pipe(log);
  let exited: string | null = null;
  proc.on('exit', (code, sig) => {
    exited = `exited with ${code ?? sig}`;
  });
  const deadline = Date.now() + 30_000;
  while (!(await portOpen(port))) {
    if (exited) throw new Error(`${name} ${exited} before listening; see bench/out/${name}.log`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`${name} did not listen on ${port} within 30 s`);
    }
    await sleep(100);
  }
  return {
    proc,
    port,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        children.delete(proc);
        return;
      }
      const done = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await done;
      clearTimeout(t);
      children.delete(proc);
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

// ---------------------------------------------------------------- load
/*
 * autocannon 9 appends every response body chunk to a string (`req.body += data` in
 * lib/pipelinedRequestsQueue.js; mcollina/autocannon#485), i.e. it UTF-8-decodes each body it
 * receives. For a gzip answer (binary) that decoding alone doubled the client's CPU per request
 * and made the progress-read subject round client-bound (the server idled at 50–80 % of a core
 * while the client sat at 100 %). No benchmark here reads bodies (none uses onResponse or
 * expectBody), so the client keeps only the byte counts: the same for floor and subject alike.
 */
createRequire(import.meta.url)('autocannon/lib/pipelinedRequestsQueue.js').prototype.addBody = function addBody() {
  /* bodies are not read */
};
export interface Load {
  reqPerSec: number;
  p50: number;
  p99: number;
  total: number;
  errors: number;
  non2xx: number;
  cpuUsPerReq?: number;
}

/** CPU time (user + system, all threads) a process has used so far, in µs; undefined where /proc is missing. */
export function processCpuUs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd on (the name may hold spaces)
    return (Number(f[11]) + Number(f[12])) * (1e6 / 100); // utime + stime, in clock ticks of 10 ms
  } catch {
    return undefined;
  }
}

/**
 * One autocannon run (programmatic API); a run with errors or non-2xx answers is reported as such.
 * With `pid`, also the server's CPU time per answered request — steadier than req/s on a shared
 * machine, since time the server waits for a core does not count.
 */
export async function load(opts: autocannon.Options & { pid?: number }): Promise<Load> {
  const { pid, ...rest } = opts;
  const cpu0 = pid ? processCpuUs(pid) : undefined;
  const r = await autocannon({ connections: 50, duration: 10, ...rest });
  const cpu1 = pid ? processCpuUs(pid) : undefined;
  return {
    reqPerSec: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: r.requests.total,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    cpuUsPerReq:
      cpu0 !== undefined && cpu1 !== undefined && r.requests.total > 0 ? (cpu1 - cpu0) / r.requests.total : undefined,
  };
}

/** BENCH_PROFILE=1: node flags that write a V8 CPU profile of a subject server into bench/out/prof/<name>/. */
export const profileArgs = (name: string) =>
  process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(OUT, 'prof', name)}`] : [];

/**
 * BENCH_SERVER_IMPORT=<file>: loads an experiment module into the subject server before its own
 * code (a module of your own) — to measure a proposed fix without editing the
 * server. Figures of such a run are not the shipped code's; the report says so.
 */
export const experimentArgs = () =>
  process.env.BENCH_SERVER_IMPORT ? ['--import', process.env.BENCH_SERVER_IMPORT] : [];
export const experimentNote = () =>
  process.env.BENCH_SERVER_IMPORT
    ? `EXPERIMENT: subject server started with --import ${process.env.BENCH_SERVER_IMPORT} (not the shipped code)`
    : null;

/**
 * Loads each subject for `seconds`, `rounds` times, alternating the order every round so that drift
 * on the shared machine hits them alike; prints and returns every run.
 */
export async function alternateRounds(
  subjects: Record<string, autocannon.Options & { pid?: number }>,
  rounds: number,
  seconds: number,
) {
  const runs: { round: number; who: string; r: Load }[] = [];
  const names = Object.keys(subjects);
  for (let round = 1; round <= rounds; round++) {
    for (const who of round % 2 ? names : [...names].reverse()) {
      const r = await load({ ...subjects[who], duration: seconds });
      runs.push({ round, who, r });
      const cpu = r.cpuUsPerReq === undefined ? '' : `  server CPU ${r.cpuUsPerReq.toFixed(1)} µs/req`;
      console.log(
        `round ${round} ${who.padEnd(7)} ${Math.round(r.reqPerSec)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  non-2xx ${r.non2xx}  errors ${r.errors}${cpu}`,
      );
    }
  }
  return runs;
}

export const BENCH_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
export const BENCH_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
