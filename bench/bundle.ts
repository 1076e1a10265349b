/**
 * Bundle size: dist/ucc-widgets.js (built by `npm run build`) against a floor bundle (lit and
 * one trivial element, bench/floor/floor-element.ts) built in the same run with the same Vite
 * settings (vite.config.ts, production mode) through Vite's JS API into bench/out/floor/.
 * A third build of the product, with rollup-plugin-visualizer, attributes the bytes to elements
 * and dependencies (bench/out/bundle-treemap.html, bench/out/bundle-stats.json; not in git).
 *
 * Budget: the script-tag bundle ≤ 20 kB gzip (20,000 B) and ≤ 3.2× the floor's gzip.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, relative } from 'node:path';
import { visualizer } from 'rollup-plugin-visualizer';
import { OUT, ROOT, Report, printTable, fmt } from './lib.js';
import { buildWith } from './vite-build.js';

const BUDGET_GZIP = 20_000;
const BUDGET_RATIO = 3.2;

const report = new Report('bundle');
const gz = (b: Buffer | string) => gzipSync(b).length; // zlib default level = `gzip -6`, as `npm run size`

// 1. The product, exactly as shipped.
let t = Date.now();
const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8' });
if (r.status !== 0) {
  console.error(r.stdout, r.stderr);
  console.error('bundle: `npm run build` failed');
  process.exit(2);
}
console.log(`npm run build: ${((Date.now() - t) / 1000).toFixed(1)} s`);
const product = readFileSync(join(ROOT, 'dist/ucc-widgets.js'));

t = Date.now();
const floor = await buildWith(join(ROOT, 'bench/floor/floor-element.ts'), join(OUT, 'floor'));
console.log(`floor build: ${((Date.now() - t) / 1000).toFixed(1)} s`);

// 3. Attribution: the product again, with the visualizer (raw data for the table, treemap for people).
t = Date.now();
const statsFile = join(OUT, 'bundle-stats.json');
const analysed = await buildWith(join(ROOT, 'src/index.ts'), join(OUT, 'analysed'), [
  visualizer({ filename: statsFile, template: 'raw-data', gzipSize: true }),
  visualizer({ filename: join(OUT, 'bundle-treemap.html'), template: 'treemap', gzipSize: true }),
]);
console.log(`analysed build: ${((Date.now() - t) / 1000).toFixed(1)} s`);
if (analysed.length !== product.length) report.notes.push(`the analysed build is ${analysed.length} B min, dist/ucc-widgets.js ${product.length} B (should be equal)`);

interface Stats { nodeParts: Record<string, { renderedLength: number; gzipLength: number }>; nodeMetas: Record<string, { id: string; moduleParts: Record<string, string> }> }
const stats = JSON.parse(readFileSync(statsFile, 'utf8')) as Stats;
const groups = new Map<string, { min: number; gzip: number; modules: number }>();
const groupOf = (id: string) => {
  const path = id.replace(/^\0/, '');
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (nm) return `dependency ${nm[1]}`;
  const el = /(?:^|\/)src\/elements\/([^/]+)\//.exec(path);
  if (el) return `element <ucc-${el[1]}>`;
  const own = /(?:^|\/)src\/(.+?)(?:\/[^/]*)?$/.exec(path);
  if (own) return `shared src/${own[1].replace(/\.ts$/, '')}`;
  return `other ${relative(ROOT, path)}`;
};
for (const meta of Object.values(stats.nodeMetas)) {
  for (const part of Object.values(meta.moduleParts)) {
    const p = stats.nodeParts[part];
    if (!p || p.renderedLength === 0) continue;
    const g = groupOf(meta.id);
    const cur = groups.get(g) ?? { min: 0, gzip: 0, modules: 0 };
    cur.min += p.renderedLength; cur.gzip += p.gzipLength; cur.modules++;
    groups.set(g, cur);
  }
}
const productGzip = gz(product);
const floorGzip = gz(floor);
const sumStandalone = [...groups.values()].reduce((a, g) => a + g.gzip, 0);
console.log('\nWhere the bytes go (rendered min bytes per module group; gzip = each module gzipped alone, and its share of the real bundle gzip):');
printTable(['group', 'modules', 'min', 'gzip alone', 'share of bundle gzip'],
  [...groups.entries()].sort((a, b) => b[1].gzip - a[1].gzip).map(([name, g]) => [name, g.modules, fmt(g.min, 'B'), fmt(g.gzip, 'B'),
    fmt(Math.round(productGzip * g.gzip / sumStandalone), 'B')]));
console.log(`(treemap: ${relative(ROOT, join(OUT, 'bundle-treemap.html'))})`);

console.log('\nBundles (min = bytes on disk; gzip = zlib level 6):');
printTable(['bundle', 'min', 'gzip'], [
  ['dist/ucc-widgets.js', fmt(product.length, 'B'), fmt(productGzip, 'B')],
  ['floor: lit + one element', fmt(floor.length, 'B'), fmt(floorGzip, 'B')],
  ['ratio', (product.length / floor.length).toFixed(2), (productGzip / floorGzip).toFixed(2)],
]);
try { report.info('dist/ucc-widgets.iife.js gzip', gz(readFileSync(join(ROOT, 'dist/ucc-widgets.iife.js'))), 'B'); } catch { /* not built */ }
report.info('ucc-widgets.js min', product.length, 'B', floor.length);
report.absolute('ucc-widgets.js gzip', productGzip, 'B', { max: BUDGET_GZIP }, floorGzip);
report.ratio('ucc-widgets.js gzip vs floor', productGzip, floorGzip, 'B', { max: BUDGET_RATIO });
process.exitCode = report.finish();
