/**
 * Bundle size: dist/ucc-widgets.js (built by `npm run build`) against a floor bundle (lit and
 * one trivial element, bench/floor/floor-element.ts) built in the same run with the same Vite
 * settings (vite.config.ts, production mode) through Vite's JS API into bench/out/floor/.
 * A third build of the product, with rollup-plugin-visualizer, attributes the bytes to elements
 * and dependencies (bench/out/bundle-treemap.html, bench/out/bundle-stats.json; not in git).
 *
 * Budget: the script-tag bundle ≤ 20 kB gzip (20,000 B) and ≤ 3.2× the floor's gzip.
 *
 * The npm page: the packed tarball (`npm pack` of the build above) installed in a fresh app outside
 * the repository, and a page importing only `ucc-widgets/elements/provider` and `…/progress` built
 * by that app's own `vite build` (production, default settings) — the page test/e2e/package.test.ts
 * builds and runs (test/e2e/pack.ts `buildNpmPage`). Its floor: a page of the same app, built the
 * same way, with the package's three dependencies (lit, @lit/context, ky) and one trivial element
 * that uses each (bench/floor/floor-npm.ts). Sizes are the sum of the page's built .js files.
 * A third build of the page, with the visualizer, attributes its bytes (bench/out/npm-page-stats.json).
 *
 * Budget: the npm page's JS ≤ 1.2× its floor's gzip.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { visualizer } from 'rollup-plugin-visualizer';
import { OUT, ROOT, Report, printTable, fmt } from './lib.js';
import { buildWith } from './vite-build.js';
import { PROVIDER_PROGRESS_PAGE, buildNpmPage, npmApp, packTarball } from '../test/e2e/pack.js';

const BUDGET_GZIP = 20_000;
const BUDGET_RATIO = 3.2;
const BUDGET_NPM_RATIO = 1.2;

const report = new Report('bundle');
const gz = (b: Buffer | string) => gzipSync(b).length; // zlib default level = `gzip -6`, as `npm run size`
/** The code without its trailing `//# sourceMappingURL=<file>` comment (whose file name differs between builds). */
const code = (b: Buffer) => b.toString('utf8').replace(/\s*\/\/# sourceMappingURL=\S+\s*$/, '');

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
if (code(analysed) !== code(product))
  report.notes.push(
    `the analysed build is ${analysed.length} B min, dist/ucc-widgets.js ${product.length} B (their code should be equal)`,
  );

interface Stats {
  nodeParts: Record<string, { renderedLength: number; gzipLength: number }>;
  nodeMetas: Record<string, { id: string; moduleParts: Record<string, string> }>;
}
const groupOf = (id: string) => {
  const path = id.replace(/^\0/, '');
  const pkg = /node_modules\/ucc-widgets\/dist\/esm\/(.+?)(?:\/[^/]*)?$/.exec(path); // the npm page: the package's own modules
  if (pkg)
    return /^elements\/[^/]+$/.test(pkg[1])
      ? `element <ucc-${pkg[1].slice(9)}>`
      : `shared dist/esm/${pkg[1].replace(/\.js$/, '')}`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (nm) return `dependency ${nm[1]}`;
  const el = /(?:^|\/)src\/elements\/([^/]+)\//.exec(path);
  if (el) return `element <ucc-${el[1]}>`;
  const own = /(?:^|\/)src\/(.+?)(?:\/[^/]*)?$/.exec(path);
  if (own) return `shared src/${own[1].replace(/\.ts$/, '')}`;
  if (/vite\/modulepreload-polyfill/.test(path)) return 'vite module preload polyfill';
  if (/\/pages\/[^/]+\/main\.[jt]s$/.test(path)) return 'the page script';
  return `other ${relative(ROOT, path)}`;
};
/** Rendered (pre-minify) bytes per module group from a visualizer raw-data file; prints the table, with each group's share of `bundleGzip`. */
function whereTheBytesGo(file: string, bundleGzip: number) {
  const stats = JSON.parse(readFileSync(file, 'utf8')) as Stats;
  const groups = new Map<string, { min: number; gzip: number; modules: number }>();
  for (const meta of Object.values(stats.nodeMetas)) {
    for (const part of Object.values(meta.moduleParts)) {
      const p = stats.nodeParts[part];
      if (!p || p.renderedLength === 0) continue;
      const g = groupOf(meta.id);
      const cur = groups.get(g) ?? { min: 0, gzip: 0, modules: 0 };
      cur.min += p.renderedLength;
      cur.gzip += p.gzipLength;
      cur.modules++;
      groups.set(g, cur);
    }
  }
  const sumStandalone = [...groups.values()].reduce((a, g) => a + g.gzip, 0);
  printTable(
    ['group', 'modules', 'min', 'gzip alone', 'share of bundle gzip'],
    [...groups.entries()]
      .sort((a, b) => b[1].gzip - a[1].gzip)
      .map(([name, g]) => [
        name,
        g.modules,
        fmt(g.min, 'B'),
        fmt(g.gzip, 'B'),
        fmt(Math.round((bundleGzip * g.gzip) / sumStandalone), 'B'),
      ]),
  );
}
const productGzip = gz(product);
const floorGzip = gz(floor);
console.log(
  '\nWhere the bytes go (rendered min bytes per module group; gzip = each module gzipped alone, and its share of the real bundle gzip):',
);
whereTheBytesGo(statsFile, productGzip);
console.log(`(treemap: ${relative(ROOT, join(OUT, 'bundle-treemap.html'))})`);

// 4. The npm page and its floor, both pages of one fresh app with the packed tarball, same Vite, same run.
t = Date.now();
const packed = packTarball({ ignoreScripts: true }); // dist/ is what `npm run build` (the prepack script) just built
const app = npmApp(packed.tarball, 'bench');
console.log(`\nnpm pack + fresh app install: ${((Date.now() - t) / 1000).toFixed(1)} s`);
let npmPage, npmFloor;
try {
  const viteVersion = (
    JSON.parse(readFileSync(join(app, 'node_modules/vite/package.json'), 'utf8')) as { version: string }
  ).version;
  t = Date.now();
  npmPage = buildNpmPage(app, 'npm-page', { file: 'main.js', code: PROVIDER_PROGRESS_PAGE });
  npmFloor = buildNpmPage(app, 'npm-floor', {
    file: 'main.ts',
    code: readFileSync(join(ROOT, 'bench/floor/floor-npm.ts'), 'utf8'),
  });
  console.log(`npm page + floor builds (vite ${viteVersion}, production): ${((Date.now() - t) / 1000).toFixed(1)} s`);
  // The floor is only a floor if each dependency is really in it.
  const floorJs = npmFloor.js.map((f) => readFileSync(join(npmFloor!.dir, f.file), 'utf8')).join('\n');
  const missing = Object.entries({ lit: /lit\$/, '@lit/context': /context-request/, ky: /prefixUrl/ })
    .filter(([, re]) => !re.test(floorJs))
    .map(([n]) => n);
  if (missing.length) throw new Error(`the npm floor page lacks ${missing.join(', ')}: it is no floor`);

  // Attribution: the same page again, by the same app's Vite through its JS API, with the visualizer.
  const statsNpm = join(OUT, 'npm-page-stats.json');
  const viteEntry = join(
    app,
    'node_modules/vite',
    (JSON.parse(readFileSync(join(app, 'node_modules/vite/package.json'), 'utf8')) as { exports: { '.': string } })
      .exports['.'],
  );
  const appVite = (await import(pathToFileURL(viteEntry).href)) as typeof import('vite');
  const analysedDir = join(app, 'out', 'npm-page-analysed');
  await appVite.build({
    root: join(app, 'pages', 'npm-page'),
    configFile: false,
    base: './',
    mode: 'production',
    logLevel: 'warn',
    build: { outDir: analysedDir, emptyOutDir: true },
    plugins: [visualizer({ filename: statsNpm, template: 'raw-data', gzipSize: true })],
  });
  const analysedPage = {
    bytes: readdirSync(analysedDir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.js') && !/(^|\/)(es|de|fr|ar)-[\w-]+\.js$/.test(f))
      .reduce((a, f) => a + readFileSync(join(analysedDir, f)).length, 0),
  };
  if (analysedPage.bytes !== npmPage.bytes)
    report.notes.push(
      `the analysed npm page is ${analysedPage.bytes} B min, the npm page ${npmPage.bytes} B (should be equal)`,
    );
  console.log("\nWhere the npm page's bytes go (provider + progress from the tarball; same columns as above):");
  whereTheBytesGo(statsNpm, npmPage.gzip);
  for (const f of npmPage.js)
    copyFileSync(join(npmPage.dir, f.file), join(OUT, `npm-page-${f.file.replace(/\//g, '-')}`));
} finally {
  rmSync(app, { recursive: true, force: true });
  rmSync(dirname(packed.tarball), { recursive: true, force: true });
}

console.log('\nBundles (min = bytes on disk; gzip = zlib level 6):');
printTable(
  ['bundle', 'min', 'gzip'],
  [
    ['dist/ucc-widgets.js', fmt(product.length, 'B'), fmt(productGzip, 'B')],
    ['floor: lit + one element', fmt(floor.length, 'B'), fmt(floorGzip, 'B')],
    ['ratio', (product.length / floor.length).toFixed(2), (productGzip / floorGzip).toFixed(2)],
    ['npm page: provider + progress (vite build)', fmt(npmPage.bytes, 'B'), fmt(npmPage.gzip, 'B')],
    ['npm floor: lit + @lit/context + ky, one element', fmt(npmFloor.bytes, 'B'), fmt(npmFloor.gzip, 'B')],
    ['ratio', (npmPage.bytes / npmFloor.bytes).toFixed(2), (npmPage.gzip / npmFloor.gzip).toFixed(2)],
  ],
);
try {
  report.info('dist/ucc-widgets.iife.js gzip', gz(readFileSync(join(ROOT, 'dist/ucc-widgets.iife.js'))), 'B');
} catch {
  /* not built */
}
report.info('ucc-widgets.js min', product.length, 'B', floor.length);
report.absolute('ucc-widgets.js gzip', productGzip, 'B', { max: BUDGET_GZIP }, floorGzip);
report.ratio('ucc-widgets.js gzip vs floor', productGzip, floorGzip, 'B', { max: BUDGET_RATIO });
report.info('npm page (provider + progress) min', npmPage.bytes, 'B', npmFloor.bytes);
report.ratio('npm page gzip vs floor (lit + @lit/context + ky)', npmPage.gzip, npmFloor.gzip, 'B', {
  max: BUDGET_NPM_RATIO,
});
process.exitCode = report.finish();
