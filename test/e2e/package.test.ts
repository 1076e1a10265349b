/**
 * The npm package as a brand installs it: `npm pack` (its `prepack` builds dist/) installed into a
 * fresh app outside the repository, then bundled by the app's own Vite and by rollup, esbuild and
 * webpack, each output loaded in Chromium from another origin than the real widget server.
 * Checks what the tarball holds, what it pulls in, that every `exports` entry resolves, and that
 * importing one element ships only that element (`sideEffects`).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { demoToken, type RunningServer, type StaticServer } from './harness.js';
import {
  PROVIDER_PROGRESS_PAGE,
  buildNpmPage,
  npmApp,
  packTarball,
  serveApp,
  type AppSite,
  type Packed,
} from './pack.js';

const TAGS = ['ucc-provider', 'ucc-create-challenge', 'ucc-log-activity', 'ucc-progress', 'ucc-points', 'ucc-rewards'];
const SERVER_PACKAGES = ['fastify', 'better-sqlite3', 'jose', 'luxon'];

/** The bundler entries: one element's entry, and the root entry (both used, so nothing is dead code). */
const ENTRIES = {
  'entries/progress.js': `import { UccProgress } from 'ucc-widgets/elements/progress';\nglobalThis.__ucc = UccProgress;\n`,
  'entries/root.js': `import { UccProgress } from 'ucc-widgets';\nglobalThis.__ucc = UccProgress;\n`,
};

let packed: Packed;
let app: string;
let server: RunningServer;
let site: StaticServer;
let browser: Browser;
let running: AppSite | undefined;

before(async () => {
  packed = packTarball();
  app = npmApp(packed.tarball, 'package', ENTRIES);
  running = await serveApp(app, join(app, 'out'), packed);
  ({ server, site, browser } = running);
});
after(() => running?.stop());

/** Loads `<site>/<path>` and returns which ucc-* elements it defined; fails on any page or console error. */
async function definedOn(path: string, page?: Page): Promise<string[]> {
  const own = !page;
  page ??= await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(`${site.url}/${path}`);
  const defined = await page.evaluate((tags) => tags.filter((t) => customElements.get(t)), TAGS);
  assert.deepEqual(errors, [], `${path}: no errors`);
  if (own) await page.close();
  return defined;
}

/** A bundler's single output file, served as a page of its own at out/<name>/index.html. */
function bundlePage(name: string) {
  writeFileSync(
    join(app, 'out', name, 'index.html'),
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${name}</title><script type="module" src="./bundle.js"></script></head><body></body></html>\n`,
  );
  return `${name}/index.html`;
}

const read = (path: string) => readFileSync(path, 'utf8');
const builtJs = (dir: string) =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js'))
    .map((f) => read(join(dir, f)))
    .join('\n');

test('the tarball holds only LICENSE, README.md, custom-elements.json, package.json and dist/', () => {
  const paths = packed.files.map((f) => f.path).sort();
  const stray = paths.filter(
    (p) => !['LICENSE', 'README.md', 'custom-elements.json', 'package.json'].includes(p) && !p.startsWith('dist/'),
  );
  assert.deepEqual(stray, [], 'nothing outside the whitelist');
  for (const dir of ['server/', 'bench/', 'test/', 'src/', 'demo/', 'scripts/'])
    assert.deepEqual(
      paths.filter((p) => p.startsWith(dir)),
      [],
      `no ${dir} paths`,
    );
  const missing = [
    'dist/ucc-widgets.js',
    'dist/ucc-widgets.iife.js',
    'dist/integrity.json',
    'dist/esm/index.js',
    'dist/esm/elements/progress/progress.js',
    'dist/types/index.d.ts',
    'dist/types/elements/progress/progress.d.ts',
    'dist/esm/react/index.js',
    'dist/types/react/index.d.ts',
  ].filter((p) => !paths.includes(p));
  assert.deepEqual(missing, [], 'every entry file is packed');
});

test('the package depends on lit, @lit/context and ky only, and installing it pulls no server package', () => {
  const pkg = JSON.parse(read(join(app, 'node_modules/ucc-widgets/package.json'))) as {
    dependencies: Record<string, string>;
  };
  assert.deepEqual(Object.keys(pkg.dependencies).sort(), ['@lit/context', 'ky', 'lit']);
  interface Dep {
    dependencies?: Record<string, Dep>;
    version?: string;
  }
  const tree = JSON.parse(
    execFileSync('npm', ['ls', '--all', '--json'], { cwd: app, encoding: 'utf8', maxBuffer: 64 << 20 }),
  ) as Dep;
  const names = new Set<string>();
  // `npm ls` also lists the optional React peer, with no version: it is not installed, so not pulled in.
  const walk = (d: Dep) => {
    for (const [n, sub] of Object.entries(d.dependencies ?? {}))
      if (sub.version) {
        names.add(n);
        walk(sub);
      }
  };
  walk(tree.dependencies!['ucc-widgets']);
  const foreign = [...names].filter(
    (n) => !/^(lit|lit-element|lit-html|@lit\/.+|@lit-labs\/.+|@types\/trusted-types|ky)$/.test(n),
  );
  assert.deepEqual(foreign, [], `ucc-widgets pulls only lit's packages and ky (got ${[...names].sort().join(', ')})`);
  for (const n of SERVER_PACKAGES) {
    assert.ok(!names.has(n), `ucc-widgets does not depend on ${n}`);
    assert.ok(!existsSync(join(app, 'node_modules', n)), `the fresh app has no node_modules/${n}`);
  }
  assert.ok(!existsSync(join(app, 'node_modules/react')), 'React is an optional peer: a non-React app gets none');
  walk(tree);
  assert.deepEqual(
    SERVER_PACKAGES.filter((n) => names.has(n)),
    [],
    'nothing in the whole app tree is a server package',
  );
});

test('every exports entry, with its types, resolves to a file in the tarball', () => {
  const pkg = JSON.parse(read(join(app, 'node_modules/ucc-widgets/package.json'))) as {
    exports: Record<string, string | Record<string, string>>;
  };
  const files = new Set(packed.files.map((f) => f.path));
  const elements = [...files]
    .map((p) => /^dist\/esm\/elements\/([^/]+)\/\1\.js$/.exec(p)?.[1])
    .filter(Boolean) as string[];
  assert.deepEqual(elements.sort(), TAGS.map((t) => t.slice(4)).sort(), 'one npm entry per element');
  const problems: string[] = [];
  for (const [key, value] of Object.entries(pkg.exports)) {
    const targets = typeof value === 'string' ? { default: value } : value;
    assert.ok(Object.keys(targets).length, `${key} has a target`);
    if (typeof value !== 'string') assert.ok(targets.types, `${key} gives types`); // the string entries are JSON files
    for (const name of key.includes('*') ? elements : ['']) {
      for (const [condition, target] of Object.entries(targets)) {
        const path = target.replaceAll('*', name).replace(/^\.\//, '');
        if (!files.has(path)) problems.push(`${key.replace('*', name)} (${condition}) → ${path}`);
      }
    }
  }
  assert.deepEqual(problems, [], 'no exports target is missing from the tarball');
});

test('a Vite app importing provider and progress only ships those two, and shows a challenge made through the widget API', async () => {
  const token = await demoToken(server.url, 'alice');
  const name = `Packaged hydration ${randomUUID().slice(0, 8)}`;
  const res = await fetch(`${server.url}/ucc/v1/me/challenges`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ templateId: 'water', target: 8, period: 'DAILY', periods: 3, name }),
  });
  assert.equal(res.status, 201, await res.clone().text());

  const built = buildNpmPage(app, 'vite-progress', { file: 'main.js', code: PROVIDER_PROGRESS_PAGE });
  console.log(
    `provider+progress page JS (vite build, production): ${built.js.map((f) => `${f.file} ${f.bytes} B`).join(', ')}; ` +
      `${built.bytes} B min, ${built.gzip} B gzip (${(built.gzip / 1000).toFixed(1)} kB; zlib level 6)`,
  );
  assert.doesNotMatch(
    builtJs(built.dir),
    /ucc-create-challenge|ucc-log-activity|ucc-points|ucc-rewards/,
    'no other element is in the bundle',
  );

  const page = await browser.newPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  const query = new URLSearchParams({ api: `${server.url}/ucc/v1`, token });
  const defined = await definedOn(`vite-progress/index.html?${query}`, page);
  assert.deepEqual(defined, ['ucc-provider', 'ucc-progress'], 'only provider and progress are defined');
  await page.locator('ucc-progress').getByText(name).waitFor();
  await page.locator('ucc-progress').getByText('0 of 8 glasses', { exact: true }).waitFor();
  assert.ok(
    requests.some((u) => u.startsWith(`${server.url}/ucc/v1/me/challenges`)),
    'the page called the widget server on its own origin',
  );
  assert.ok(
    !requests.some((u) => u.startsWith(site.url) && /ucc-widgets/.test(u)),
    'the widgets come from the bundle, not a script tag',
  );
  await page.close();
});

test('a Vite app importing the root entry defines all six elements', async () => {
  buildNpmPage(app, 'vite-root', {
    file: 'main.js',
    code: `import { UccProgress } from 'ucc-widgets';\nglobalThis.__ucc = UccProgress;\n`,
  });
  assert.deepEqual((await definedOn('vite-root/index.html')).sort(), [...TAGS].sort());
});

/** Expected per entry: one element's entry defines that element only; the root entry all six. */
async function assertBundles(bundler: string) {
  assert.deepEqual(
    await definedOn(bundlePage(`${bundler}-progress`)),
    ['ucc-progress'],
    `${bundler}: the element entry defines ucc-progress only`,
  );
  assert.doesNotMatch(
    read(join(app, 'out', `${bundler}-progress`, 'bundle.js')),
    /ucc-create-challenge|ucc-log-activity|ucc-points|ucc-rewards/,
    `${bundler}: no other element in the bundle`,
  );
  assert.deepEqual(
    (await definedOn(bundlePage(`${bundler}-root`))).sort(),
    [...TAGS].sort(),
    `${bundler}: the root entry defines all six`,
  );
}

test('rollup with node-resolve bundles an element entry (that element only) and the root entry (all six) from the fresh app', async () => {
  const { rollup } = await import('rollup');
  const { nodeResolve } = await import('@rollup/plugin-node-resolve');
  for (const entry of ['progress', 'root']) {
    const warnings: string[] = [];
    const bundle = await rollup({
      input: join(app, `entries/${entry}.js`),
      plugins: [nodeResolve({ rootDir: app, modulePaths: [join(app, 'node_modules')], browser: true })],
      onwarn: (w) => {
        warnings.push(`${w.code}: ${w.message}`);
      },
    });
    // `dir`, not `file`: the languages other than English are dynamic imports, each its own chunk.
    const out = join(app, 'out', `rollup-${entry}`);
    await bundle.write({ dir: out, entryFileNames: 'bundle.js', chunkFileNames: 'locale-[name].js', format: 'es' });
    await bundle.close();
    assert.deepEqual(
      warnings.filter((w) => w.startsWith('UNRESOLVED_IMPORT')),
      [],
      'every import resolves',
    );
    assert.deepEqual(
      readdirSync(out)
        .filter((f) => f !== 'bundle.js')
        .sort(),
      ['locale-ar.js', 'locale-de.js', 'locale-es.js', 'locale-fr.js'],
    );
    assert.doesNotMatch(read(join(out, 'bundle.js')), /Cargando/, 'Spanish is not in the main bundle');
  }
  await assertBundles('rollup');
});

test('esbuild (bundle, minify) bundles an element entry (that element only) and the root entry (all six) from the fresh app', async () => {
  const esbuild = await import('esbuild');
  for (const entry of ['progress', 'root']) {
    await esbuild.build({
      entryPoints: [join(app, `entries/${entry}.js`)],
      absWorkingDir: app,
      nodePaths: [join(app, 'node_modules')],
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      outfile: join(app, 'out', `esbuild-${entry}`, 'bundle.js'),
      logLevel: 'silent',
    });
  }
  await assertBundles('esbuild');
});

test('webpack 5 (production) bundles an element entry (that element only) and the root entry (all six) from the fresh app', async () => {
  const { default: webpack } = await import('webpack');
  for (const entry of ['progress', 'root']) {
    const compiler = webpack({
      mode: 'production',
      context: app,
      entry: `./entries/${entry}.js`,
      devtool: false,
      performance: { hints: false },
      output: { path: join(app, 'out', `webpack-${entry}`), filename: 'bundle.js' },
      resolve: { modules: [join(app, 'node_modules'), 'node_modules'] },
      resolveLoader: { modules: [join(app, 'node_modules')] },
    });
    const stats = await new Promise<import('webpack').Stats>((resolve, reject) =>
      compiler.run((err, s) => (err ? reject(err) : resolve(s!))),
    );
    await new Promise<void>((r) => compiler.close(() => r()));
    assert.ok(!stats.hasErrors(), stats.toString({ all: false, errors: true }));
  }
  await assertBundles('webpack');
});
