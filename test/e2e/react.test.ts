/**
 * React 19 on the npm package as a brand installs it: `npm pack` (its `prepack` builds dist/) in a
 * fresh Vite + TypeScript app outside the repository. The app's components are the two React
 * snippets of docs/frameworks.md, taken from the page as written: the `ucc-widgets/react` wrappers
 * (plus one tag through `ucc-widgets/jsx`), and the tags alone through React 19's own custom-element
 * support. `tsc` (strict) accepts them and refuses wrong props; `vite build` output, served from
 * another origin than the real widget server, logs an activity in Chromium and the React handlers
 * get the typed `ucc-activity-logged` event.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { demoToken, docSnippet, readmeSnippet, type RunningServer, type StaticServer } from './harness.js';
import { freshApp, packTarball, rangeOf, serveApp, type AppSite, type Packed } from './pack.js';

const run = promisify(execFile);

const docsSnippet = (name: string) => `${docSnippet('docs/frameworks.md', name)}\n`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'Bundler',
    lib: ['ES2023', 'DOM', 'DOM.Iterable'],
    jsx: 'react-jsx',
    strict: true,
    noEmit: true,
    isolatedModules: true,
    verbatimModuleSyntax: true,
    // Checks the package's own .d.ts files too (and everything they import), as a strict app would.
    skipLibCheck: false,
    types: [],
  },
  include: ['src'],
};

/**
 * Wrong uses, one a line, each with the error tsc must give for it: the typings are real (not
 * `any`, not a missing tag). This file opts in to the JSX types with the triple-slash form.
 */
const WRONG: [code: string, error?: RegExp][] = [
  [`/// <reference types="ucc-widgets/jsx" />`],
  [`import { UccProgress, UccLogActivity } from 'ucc-widgets/react';`],
  [`export const a = <UccProgress challengeId={42} />;`, /Type 'number' is not assignable to type 'string'/],
  [
    `export const b = <UccLogActivity onUccActivityLogged={(e) => e.detail.nope} />;`,
    /Property 'nope' does not exist on type '\{ activity: Activity;/,
  ],
  [`export const c = <ucc-progress challengeId={42} />;`, /Type 'number' is not assignable to type 'string'/],
  [`export const d = <ucc-progress challenge-id={42} />;`, /Type 'number' is not assignable to type 'string'/],
  [
    `export const e = <ucc-provider onucc-activity-logged={(e) => e.detail.nope} />;`,
    /Property 'nope' does not exist on type '\{ activity: Activity;/,
  ],
  [
    `export const f = <ucc-provider tokenProvider="not a function" />;`,
    /Type 'string' is not assignable to type '\(\) => Promise<string>'/,
  ],
];

const FILES: Record<string, string> = {
  'index.html': `<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>React</title></head>\n<body><div id="root"></div><script type="module" src="/src/main.tsx"></script></body>\n</html>\n`,
  'vite.config.ts': `import { defineConfig } from 'vite';\nimport react from '@vitejs/plugin-react';\n\nexport default defineConfig({ plugins: [react()], base: './' });\n`,
  'tsconfig.json': JSON.stringify(TSCONFIG, null, 2),
  'src/Challenges.tsx': docsSnippet('react-wrappers'),
  'src/NativeChallenges.tsx': docsSnippet('react-jsx'),
  // The README's first-screen snippet, its placeholder server replaced by the page's `?api=`.
  'src/ReadmeChallenges.tsx': readmeSnippet('react').replace(
    '"https://your-server.example/ucc/v1"',
    "{new URLSearchParams(location.search).get('api')!}",
  ),
  'src/main.tsx': `import { createRoot } from 'react-dom/client';
import { Challenges } from './Challenges';
import { NativeChallenges } from './NativeChallenges';
import { Challenges as ReadmeChallenges } from './ReadmeChallenges';

const q = new URLSearchParams(location.search);
const props = { apiBase: q.get('api') ?? '', token: q.get('token') ?? '' };
createRoot(document.getElementById('root')!).render(
  q.has('readme') ? <ReadmeChallenges token={props.token} /> : q.has('native') ? <NativeChallenges {...props} /> : <Challenges {...props} />,
);
`,
  'wrong/wrong.tsx': WRONG.map(([code]) => code).join('\n') + '\n',
  'tsconfig.wrong.json': JSON.stringify({ extends: './tsconfig.json', include: ['wrong'] }, null, 2),
};

let packed: Packed;
let app: string;
let server: RunningServer;
let site: StaticServer;
let browser: Browser;
let running: AppSite | undefined;
let token: string;
let challengeId: string;

before(async () => {
  // Packing and installing block the event loop: the servers start after, not to time out meanwhile.
  packed = packTarball();
  app = freshApp(
    'react',
    {
      'ucc-widgets': `file:${packed.tarball}`,
      ...Object.fromEntries(
        ['react', 'react-dom', '@types/react', '@types/react-dom', 'vite', '@vitejs/plugin-react', 'typescript'].map(
          (p) => [p, rangeOf(p)],
        ),
      ),
    },
    FILES,
  );
  running = await serveApp(app, join(app, 'dist'), packed);
  ({ server, site, browser } = running);
  token = await demoToken(server.url, 'alice');
  // alice's challenge, made through the widget API as the widget itself would
  const res = await fetch(`${server.url}/ucc/v1/me/challenges`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ templateId: 'water', target: 8, period: 'DAILY', periods: 3, name: 'React water' }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  challengeId = ((await res.json()) as { challenge: { id: string } }).challenge.id;
});
after(() => running?.stop());

const bin = (name: string) => join(app, 'node_modules', '.bin', name);
/** Runs a tool of the app; resolves with its exit code and output rather than throwing. */
const tool = (name: string, args: string[]) =>
  run(bin(name), args, { cwd: app, env: { ...process.env, NODE_ENV: 'production' }, maxBuffer: 16 << 20 })
    .then(({ stdout, stderr }) => ({ code: 0, out: stdout + stderr }))
    .catch((e: { code?: number; stdout?: string; stderr?: string }) => ({
      code: e.code ?? 1,
      out: `${e.stdout ?? ''}${e.stderr ?? ''}`,
    }));

test('tsc (strict, lib check on) accepts the wrappers and the JSX tags, and refuses wrong props and handlers', async () => {
  const [good, wrong] = await Promise.all([
    tool('tsc', ['-p', 'tsconfig.json']),
    tool('tsc', ['-p', 'tsconfig.wrong.json']),
  ]);
  assert.equal(good.code, 0, `tsc on the docs' snippets:\n${good.out}`);
  assert.notEqual(wrong.code, 0, 'the wrong props compile');
  const errors = [...wrong.out.matchAll(/^wrong\/wrong\.tsx\((\d+),\d+\): error (TS\d+: [^]*?)(?=^\S|$(?![^]))/gm)].map(
    (m) => ({ line: Number(m[1]), text: m[2] }),
  );
  assert.ok(errors.length, wrong.out);
  WRONG.forEach(([code, expected], i) => {
    const got = errors.filter((e) => e.line === i + 1).map((e) => e.text);
    if (!expected) assert.deepEqual(got, [], `no error on line ${i + 1}: ${code}`);
    else
      assert.ok(
        got.length === 1 && expected.test(got[0]),
        `line ${i + 1} (${code}): expected one error matching ${expected}, got:\n${got.join('\n') || 'none'}`,
      );
  });
  assert.equal(errors.length, WRONG.filter(([, e]) => e).length, wrong.out);
});

test('the production build logs an activity from another origin; the React handlers get the event', async (t) => {
  const built = await tool('vite', ['build', '--logLevel', 'warn']);
  assert.equal(built.code, 0, built.out);
  const js = readdirSync(join(app, 'dist/assets'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => readFileSync(join(app, 'dist/assets', f), 'utf8'))
    .join('\n');
  // The wrappers import the elements through the package's own entries: one copy of them in the app
  // (UccElement.define is the only caller of customElements.define).
  assert.equal(js.split('customElements.define(').length - 1, 1, 'the elements are bundled once');

  const api = `${server.url}/ucc/v1`;
  assert.notEqual(new URL(site.url).origin, new URL(api).origin);
  /** Today's glasses of alice's challenge, as the server counts them. */
  const glasses = async () => {
    const res = await fetch(`${api}/me/challenges/${challengeId}`, { headers: { authorization: `Bearer ${token}` } });
    const { challenge } = (await res.json()) as { challenge: { periods: { value: number }[]; currentPeriod: number } };
    return challenge.periods[challenge.currentPeriod].value;
  };
  /** Opens the app (`?native` renders the JSX snippet), logs `n` glasses in the UI, checks the React handler saw them. */
  const logThrough = async (query: string, n: number) => {
    const before = await glasses();
    const page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    try {
      await page.goto(`${site.url}/?api=${encodeURIComponent(api)}&token=${encodeURIComponent(token)}${query}`);
      const progress = page.locator('ucc-progress');
      await progress.getByText(`${before} of 8 glasses`, { exact: true }).waitFor();
      const log = page.locator('ucc-log-activity');
      await log.getByLabel('Quantity (glasses)').fill(String(n));
      await log.getByRole('button', { name: 'Log', exact: true }).click();
      await page.getByText(`Logged: ${n}`, { exact: true }).waitFor(); // React state, set by the handler from e.detail
      await progress.getByText(`${before + n} of 8 glasses`, { exact: true }).waitFor();
      assert.equal(await glasses(), before + n);
      const apiBase = await page.evaluate(() => document.querySelector('ucc-provider')!.getAttribute('api-base'));
      return { page, errors, apiBase };
    } catch (e) {
      const shown = await page
        .evaluate(() => document.querySelector('ucc-progress')?.shadowRoot?.textContent?.replace(/\s+/g, ' ').trim())
        .catch(() => '');
      await page.close();
      throw Object.assign(e as Error, {
        message: `${(e as Error).message}\n<ucc-progress> shows: ${shown}\nerrors: ${errors.join('\n')}`,
      });
    }
  };

  await t.test(
    'wrappers: <UccProvider apiBase token>, <UccLogActivity onUccActivityLogged>, <UccProgress>, and <ucc-points>',
    async () => {
      const { page, errors, apiBase } = await logThrough('', 3);
      assert.equal(apiBase, null, '@lit/react sets apiBase as a property');
      await page
        .locator('ucc-points')
        .getByText(/Balance: \d+ points/)
        .waitFor(); // the JSX tag found the wrapper's provider
      assert.deepEqual(errors, []);
      await page.close();
    },
  );

  await t.test("the README's React snippet: the wrapper's handler logs the quantity", async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    const logs: string[] = [];
    page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    const before = await glasses();
    await page.goto(`${site.url}/?readme&api=${encodeURIComponent(api)}&token=${encodeURIComponent(token)}`);
    await page.locator('ucc-progress').getByText(`${before} of 8 glasses`, { exact: true }).waitFor();
    await page.locator('ucc-log-activity').getByLabel('Quantity (glasses)').fill('1');
    await page.locator('ucc-log-activity').getByRole('button', { name: 'Log', exact: true }).click();
    await page
      .locator('ucc-progress')
      .getByText(`${before + 1} of 8 glasses`, { exact: true })
      .waitFor();
    assert.ok(logs.includes('log: logged 1'), logs.join('\n'));
    assert.deepEqual(
      logs.filter((l) => /^(error|pageerror)/.test(l)),
      [],
    );
    await page.close();
  });

  await t.test(
    'React 19 JSX: <ucc-provider api-base token onucc-activity-logged>, <ucc-log-activity>, <ucc-progress>',
    async () => {
      const { page, errors, apiBase } = await logThrough('&native', 2);
      assert.equal(apiBase, api, 'React sets api-base as an attribute');
      assert.deepEqual(errors, []);
      await page.close();
    },
  );
});
