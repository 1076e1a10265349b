/**
 * `npm run bench`: runs the seven benchmarks one after another (each its own node process, so
 * none inherits another's heap or JIT state), then prints one summary table and one final line
 * per figure. Exits non-zero when any budget is missed or any benchmark fails.
 * Budgets live in the benchmark scripts; figures come from bench/out/<name>.json.
 * `npm run bench -- bundle history-cost` runs a subset.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, ROOT, fmt, machine, printTable, type Figure } from './lib.js';

const ALL = ['bundle', 'log-throughput', 'history-cost', 'progress-read', 'browser', 'postgres', 'upstream'];
const picked = process.argv.slice(2).filter((a) => ALL.includes(a));
const benches = picked.length ? picked : ALL;
const started = Date.now();
const results: { bench: string; code: number | null; seconds: number; figures: Figure[]; notes: string[] }[] = [];

for (const bench of benches) {
  const file = join(OUT, `${bench}.json`);
  rmSync(file, { force: true });
  console.log(`\n=== ${bench} ${'='.repeat(60 - bench.length)}`);
  const t = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', join('bench', `${bench}.ts`)], {
    cwd: ROOT,
    stdio: 'inherit',
    timeout: 240_000,
    killSignal: 'SIGTERM',
  });
  const out = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { figures: [], notes: [] };
  results.push({ bench, code: r.status, seconds: (Date.now() - t) / 1000, figures: out.figures, notes: out.notes });
  if (r.status !== 0 && !out.figures.length)
    console.log(`${bench}: failed (exit ${r.status ?? r.signal}) before reporting`);
}

const total = (Date.now() - started) / 1000;
console.log(`\n=== summary ${'='.repeat(52)}`);
console.log(`machine: ${machine()}; total ${total.toFixed(0)} s`);
printTable(
  ['benchmark', 'figure', 'subject', 'baseline', 'ratio', 'budget', 'result'],
  results.flatMap((r) =>
    r.figures.length
      ? r.figures.map((f) => [
          r.bench,
          f.name,
          fmt(f.subject, f.unit),
          f.baseline === null ? '-' : fmt(f.baseline, f.unit),
          f.ratio === null ? '-' : f.ratio.toFixed(2),
          f.budget,
          f.budget === '-' ? 'info' : f.pass ? 'PASS' : 'MISS',
        ])
      : [[r.bench, '(no figures: the benchmark failed)', '-', '-', '-', '-', 'FAIL']],
  ),
);
for (const r of results) for (const n of r.notes) console.log(`note (${r.bench}): ${n}`);
let failed = 0;
for (const r of results) {
  if (!r.figures.length) {
    failed++;
    console.log(`${r.bench}: FAILED (exit ${r.code}) after ${r.seconds.toFixed(0)} s`);
    continue;
  }
  for (const f of r.figures) {
    if (f.budget !== '-' && !f.pass) failed++;
    const base = f.baseline === null ? '' : ` vs ${fmt(f.baseline, f.unit)} (ratio ${f.ratio!.toFixed(2)})`;
    console.log(
      `${r.bench}: ${f.name}: ${fmt(f.subject, f.unit)}${base}; budget ${f.budget}: ${f.budget === '-' ? 'info' : f.pass ? 'PASS' : 'MISS'}`,
    );
  }
}
console.log(
  `bench: ${failed === 0 ? 'all budgets hold' : `${failed} budget(s) missed`} (${total.toFixed(0)} s${total > 480 ? ', OVER the 8-minute limit' : ''})`,
);
process.exit(failed === 0 ? 0 : 1);
