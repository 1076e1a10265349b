/**
 * The npm package as a brand gets it: `npm pack` of this repository (its `prepack` builds dist/),
 * installed into a fresh app in a temporary folder outside the repository, so nothing resolves
 * through the workspace. Shared by the packaging and React suites and by `bench/bundle.ts`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface Packed { tarball: string; files: { path: string; size: number }[]; size: number; unpackedSize: number }

/** Runs `npm pack` (with its `prepack` build) into a temporary folder; returns the tarball and its file list. */
export function packTarball(opts: { ignoreScripts?: boolean } = {}): Packed {
  const dest = mkdtempSync(join(tmpdir(), 'ucc-pack-'));
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dest, ...(opts.ignoreScripts ? ['--ignore-scripts'] : [])],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  const [info] = JSON.parse(out.slice(out.indexOf('['))) as [{ filename: string; files: { path: string; size: number }[]; size: number; unpackedSize: number }];
  return { tarball: join(dest, info.filename), files: info.files, size: info.size, unpackedSize: info.unpackedSize };
}

/**
 * A fresh app in a temporary folder: package.json with the given dependencies (the tarball by
 * path, the rest by version range), installed with `npm install`. Packages this repository also
 * uses come from npm's cache when it has them (`--prefer-offline`).
 */
export function freshApp(name: string, dependencies: Record<string, string>, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), `ucc-app-${name}-`));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `ucc-${name}-app`, private: true, type: 'module', dependencies }, null, 2));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  return dir;
}

/** The version range this repository itself uses for a package (so fresh apps install what npm ci cached). */
export function rangeOf(pkg: string): string {
  const p = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  const r = p.devDependencies[pkg] ?? p.dependencies[pkg];
  if (!r) throw new Error(`package.json does not use ${pkg}`);
  return r;
}
