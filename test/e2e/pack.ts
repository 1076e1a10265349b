/**
 * The npm package as a brand gets it: `npm pack` of this repository (its `prepack` builds dist/),
 * installed into a fresh app in a temporary folder outside the repository, so nothing resolves
 * through the workspace. Shared by the packaging and React suites and by `bench/bundle.ts`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import {
  launchBrowser,
  readmeSnippet,
  serveStatic,
  startServer,
  type RunningServer,
  type StaticServer,
} from './harness.js';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface Packed {
  tarball: string;
  files: { path: string; size: number }[];
  size: number;
  unpackedSize: number;
}

/** Runs `npm pack` (with its `prepack` build) into a temporary folder; returns the tarball and its file list. */
export function packTarball(opts: { ignoreScripts?: boolean } = {}): Packed {
  const dest = mkdtempSync(join(tmpdir(), 'ucc-pack-'));
  const out = execFileSync(
    'npm',
    ['pack', '--json', '--pack-destination', dest, ...(opts.ignoreScripts ? ['--ignore-scripts'] : [])],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 },
  );
  const [info] = JSON.parse(out.slice(out.indexOf('['))) as [
    { filename: string; files: { path: string; size: number }[]; size: number; unpackedSize: number },
  ];
  return { tarball: join(dest, info.filename), files: info.files, size: info.size, unpackedSize: info.unpackedSize };
}

/**
 * A fresh app in a temporary folder: package.json with the given dependencies (the tarball by
 * path, the rest by version range), installed with `npm install`. Packages this repository also
 * uses come from npm's cache when it has them (`--prefer-offline`).
 */
export function freshApp(
  name: string,
  dependencies: Record<string, string>,
  files: Record<string, string> = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), `ucc-app-${name}-`));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: `ucc-${name}-app`, private: true, type: 'module', dependencies }, null, 2),
  );
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return dir;
}

/** The version range this repository itself uses for a package (so fresh apps install what npm ci cached). */
export function rangeOf(pkg: string): string {
  const p = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const r = p.devDependencies[pkg] ?? p.dependencies[pkg];
  if (!r) throw new Error(`package.json does not use ${pkg}`);
  return r;
}

// ---------------------------------------------------------------- the npm page (packaging suite, bench/bundle.ts)

/** The fresh app of the packaging suite and the bundle bench: the packed tarball and Vite, nothing else. */
export function npmApp(tarball: string, name = 'npm', files: Record<string, string> = {}): string {
  return freshApp(name, { 'ucc-widgets': `file:${tarball}`, vite: rangeOf('vite') }, files);
}

/**
 * The script of the provider+progress page: README's npm snippet (it imports only those two element
 * entries; its commented alternative is not code) and a few lines that mount
 * `<ucc-provider api-base token><ucc-progress>` from the page's query (`?api=…&token=…`).
 */
export const PROVIDER_PROGRESS_PAGE = `${readmeSnippet('npm')}

const q = new URLSearchParams(location.search);
const provider = document.createElement('ucc-provider');
provider.setAttribute('api-base', q.get('api') ?? '/ucc/v1');
provider.setAttribute('token', q.get('token') ?? '');
provider.append(document.createElement('ucc-progress'));
document.body.append(provider);
`;

export interface BuiltPage {
  /** The build output folder (index.html and assets/), to serve as a site. */
  dir: string;
  /** Every built .js file of the page: path relative to `dir`, bytes on disk, gzip (zlib level 6). */
  js: { file: string; bytes: number; gzip: number }[];
  bytes: number;
  gzip: number;
}

/**
 * One page of a fresh app, built as a brand builds it: `<app>/pages/<name>/index.html` loading
 * `script.file` (e.g. main.js, or main.ts for the bench floor), built by the app's own `vite build`
 * (production, default settings, relative base) into `<app>/out/<name>/`.
 */
export function buildNpmPage(
  app: string,
  name: string,
  script: { file: string; code: string },
  extra: Record<string, string> = {},
): BuiltPage {
  const src = join(app, 'pages', name);
  const dir = join(app, 'out', name);
  const files = {
    'index.html': `<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>${name}</title>\n<script type="module" src="./${script.file}"></script></head>\n<body></body>\n</html>\n`,
    [script.file]: script.code,
    ...extra,
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(src, path, '..'), { recursive: true });
    writeFileSync(join(src, path), text);
  }
  execFileSync(
    process.execPath,
    [
      join(app, 'node_modules/vite/bin/vite.js'),
      'build',
      src,
      '--outDir',
      dir,
      '--emptyOutDir',
      '--base',
      './',
      '--logLevel',
      'warn',
    ],
    { cwd: app, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } },
  );
  // The page's own JS: the on-demand languages (es, de, fr, ar chunks) load only for those languages.
  const js = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js') && !/(^|\/)(es|de|fr|ar)-[\w-]+\.js$/.test(f))
    .sort()
    .map((file) => {
      const b = readFileSync(join(dir, file));
      return { file, bytes: b.length, gzip: gzipSync(b, { level: 6 }).length };
    });
  return { dir, js, bytes: js.reduce((a, f) => a + f.bytes, 0), gzip: js.reduce((a, f) => a + f.gzip, 0) };
}

/** What a fresh-app suite runs against: the real server, the app's build served on another origin, Chromium. */
export interface AppSite {
  server: RunningServer;
  site: StaticServer;
  browser: Browser;
  stop(): Promise<void>;
}

/** Starts the three for `app`'s build output folder `out`; `stop()` also removes the app and the tarball. */
export async function serveApp(app: string, out: string, packed: Packed): Promise<AppSite> {
  mkdirSync(out, { recursive: true });
  const [server, site, browser] = await Promise.all([
    startServer(),
    serveStatic({ dir: out, files: { '/favicon.ico': '' } }),
    launchBrowser(),
  ]);
  return {
    server,
    site,
    browser,
    async stop() {
      await browser.close();
      await site.stop();
      await server.stop();
      rmSync(app, { recursive: true, force: true });
      rmSync(dirname(packed.tarball), { recursive: true, force: true });
    },
  };
}
