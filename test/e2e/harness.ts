/**
 * End-to-end harness: the real server (server/main.ts in demo mode, a temporary database, a
 * free port) and Debian's Chromium driven by playwright-core. No mocks anywhere.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts the real server; `env` adds or overrides its environment (e.g. UCC_ALLOWED_ORIGINS). */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ucc-e2e-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      UCC_DB: join(dir, 'e2e.db'),
      UCC_DEMO: '1',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${out}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /ready on (http:\/\/\S+?)\/ /.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr!.on('data', (d) => {
      out += d;
    });
    exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`server exited:\n${out}`));
    });
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Debian's Chromium, headless; `extraArgs` e.g. `--host-resolver-rules=MAP brand.test 127.0.0.1`. */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-quic',
      '--disable-sync',
      ...extraArgs,
    ],
    headless: true,
  });
}

export interface StaticServer {
  url: string;
  stop(): Promise<void>;
}
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * A plain static file server on its own port: a brand's site (or its CDN), on another origin than
 * the widget server. `files` maps URL paths to contents; `dir` serves a folder (e.g. a `vite build`
 * output) for the paths not in `files`. Sends no CORS headers, as a brand's own server wouldn't.
 */
export async function serveStatic(opts: {
  files?: Record<string, string | Buffer>;
  dir?: string;
  host?: string;
}): Promise<StaticServer> {
  const { createServer } = await import('node:http');
  const { readFile } = await import('node:fs/promises');
  const { extname, normalize } = await import('node:path');
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const key = path.endsWith('/') ? `${path}index.html` : path;
    let body = opts.files?.[key];
    if (body === undefined && opts.dir) {
      const rel = normalize(key).replace(/^(\.\.[/\\])+/, '');
      body = await readFile(join(opts.dir, rel)).catch(() => undefined);
    }
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res
      .writeHead(200, {
        'content-type': TYPES[extname(key)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      })
      .end(body);
  });
  await new Promise<void>((r) => server.listen(0, opts.host ?? '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://${opts.host === '::1' ? '[::1]' : (opts.host ?? '127.0.0.1')}:${port}`,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A token for a seeded demo customer from the demo server (`POST /demo/session`). */
export async function demoToken(serverUrl: string, customer = 'alice'): Promise<string> {
  const res = await fetch(`${serverUrl}/demo/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customer }),
  });
  if (!res.ok) throw new Error(`POST /demo/session answered ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

/** The code block that follows `<!-- snippet:<name> -->` in a page of the repository: the tests run what brands copy. */
export function docSnippet(page: string, name: string): string {
  const text = readFileSync(join(import.meta.dirname, '../..', page), 'utf8');
  const m = new RegExp(`<!-- snippet:${name} -->\\s*\`\`\`\\w*\\n([^]*?)\\n\`\`\``).exec(text);
  if (!m) throw new Error(`${page} has no <!-- snippet:${name} --> code block`);
  return m[1];
}
export const readmeSnippet = (name: string) => docSnippet('README.md', name);

/**
 * axe-core's violations on the page as it is (the widgets' shadow roots included), WCAG 2.1 A and AA
 * rules: `[]` when clean. Each as "rule: the first failing node's target".
 */
export async function axeViolations(page: import('playwright-core').Page): Promise<string[]> {
  const { createRequire } = await import('node:module');
  await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (o: unknown) => Promise<any> } }).axe;
    const r = await axe.run({ runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] });
    return r.violations.map(
      (v: { id: string; nodes: { target: unknown }[] }) => `${v.id}: ${JSON.stringify(v.nodes[0]?.target)}`,
    );
  });
}
