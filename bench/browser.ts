/**
 * Widgets in the browser: Chromium (playwright-core, CHROME_PATH or /usr/bin/chromium) against
 * the real server in demo mode (server/main.ts, a fresh database where alice and bob each have
 * 20 active challenges, seeded through the widget API's createChallenge before start).
 *
 * Measured in the page (an init script observes every shadow root as it is attached):
 * - load: from the moment /ucc-widgets.js has arrived (its Resource Timing responseEnd) to the
 *   moment <ucc-progress>'s shadow root holds 20 challenge cards; LOADS page loads, median.
 * - update: from the moment the POST /ucc/v1/me/activities answer has arrived (responseEnd) to
 *   the first change of <ucc-progress>'s shadow DOM after it; LOGS clicks on +1, median.
 * - requests per user action (create, log, undo) from Playwright's network log (/ucc/v1/ only).
 * Baseline: a floor page (bench/floor/floor-progress.ts: lit + one element that GETs the same
 * challenges and POSTs the same log with fetch), built with the same Vite settings, same server.
 *
 * Budget: exactly one request per action; update ≤ 16 ms after the response arrives.
 */
import { join } from 'node:path';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { chromium, type Page } from 'playwright-core';
import { OUT, ROOT, Report, median, printTable, startNode } from './lib.js';
import { buildWith } from './vite-build.js';
import { tempDir, seedChallenge } from './seed.js';
import { SqliteStore } from '../server/store/sqlite.js';
import { seedDemo } from '../server/seed.js';

const MAX_UPDATE_MS = 16;
const LOADS = Number(process.env.BROWSER_LOADS ?? 10);
const LOGS = 20;
const CHALLENGES = 20;
const PORT = Number(process.env.BENCH_PORT_BROWSER ?? 8793);
const CHROME = process.env.CHROME_PATH ?? '/usr/bin/chromium';

const report = new Report('browser');
const dir = tempDir('browser');
const db = join(dir, 'demo.db');

// Seed: the demo data, then 20 challenges each for alice (widgets) and bob (floor page).
{
  const store = new SqliteStore(db);
  const now = Date.now();
  await seedDemo(store, now);
  await store.tx(async (tx) => {
    const org = (await tx.getOrg('demo'))!;
    org.policy = { ...org.policy, maxActiveChallenges: 50 }; // the demo allows 5; this page shows 20 and creates one more
    await tx.putOrg(org);
    for (const ext of ['alice', 'bob']) {
      const c = (await tx.getCustomerByExternalId('demo', ext))!;
      for (let i = 0; i < CHALLENGES; i++)
        await seedChallenge(tx, org, c.id, ['water', 'steps', 'meditation'][i % 3], now, 30);
    }
  });
  store.close();
}
const floorJs = await buildWith(join(ROOT, 'bench/floor/floor-progress.ts'), join(OUT, 'floor-progress'));
if (!readFileSync(join(ROOT, 'dist/ucc-widgets.js'), 'utf8').length)
  throw new Error('dist/ucc-widgets.js is empty; run npm run build');

const server = await startNode('browser-server', 'server/main.ts', PORT, {
  UCC_DEMO: '1',
  UCC_DB: db,
  LOG_LEVEL: 'warn',
});
const browser = await chromium.launch({
  executablePath: CHROME,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
  ],
});

/** Init script: every shadow root of a watched element gets a MutationObserver that logs performance.now(). */
const initScript = `(() => {
  const watched = new Set(['ucc-progress', 'floor-progress']);
  window.__mut = [];
  window.__shown = null;
  const check = (root) => {
    if (window.__shown === null && root.querySelectorAll('li[part~="challenge"]').length >= ${CHALLENGES}) window.__shown = performance.now();
  };
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    if (watched.has(this.localName)) {
      new MutationObserver(() => { window.__mut.push(performance.now()); check(root); })
        .observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
    }
    return root;
  };
})();`;

const floorHtml = `<!doctype html><html><head><meta charset="utf-8"><script type="module" src="/bench-floor.js"></script></head>
<body><floor-progress customer="bob"></floor-progress></body></html>`;

interface Side {
  name: string;
  url: string;
  script: string;
  logButton: string;
  progress: string;
}
const sides: Side[] = [
  {
    name: 'widgets',
    url: `${server.url}/`,
    script: '/ucc-widgets.js',
    logButton: 'ucc-log-activity button.quick',
    progress: 'ucc-progress',
  },
  {
    name: 'floor',
    url: `${server.url}/bench-floor.html`,
    script: '/bench-floor.js',
    logButton: 'floor-progress button.quick',
    progress: 'floor-progress',
  },
];

// BENCH_PAGE_INIT=<file>: an experiment init script for both pages (a script of your own),
// to measure a proposed widget fix without editing the widgets. Such a run is not the shipped code.
const pageInit = process.env.BENCH_PAGE_INIT ? readFileSync(process.env.BENCH_PAGE_INIT, 'utf8') : null;
if (pageInit)
  report.notes.push(
    `EXPERIMENT: pages loaded with the init script ${process.env.BENCH_PAGE_INIT} (not the shipped code)`,
  );

async function newPage() {
  const ctx = await browser.newContext();
  if (pageInit) await ctx.addInitScript(pageInit);
  await ctx.addInitScript(initScript);
  await ctx.route(`${server.url}/bench-floor.html`, (r) =>
    r.fulfill({ status: 200, contentType: 'text/html', body: floorHtml }),
  );
  await ctx.route(`${server.url}/bench-floor.js`, (r) =>
    r.fulfill({ status: 200, contentType: 'text/javascript', body: floorJs }),
  );
  const page = await ctx.newPage();
  const api: { url: string; method: string; at: number }[] = [];
  page.on('request', (req) => {
    if (req.url().includes('/ucc/v1/'))
      api.push({ url: req.url().replace(server.url, ''), method: req.method(), at: Date.now() });
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { ctx, page, api, errors };
}

/** Load time: script responseEnd → 20 challenge cards in the shadow root. */
async function loadOnce(side: Side, page: Page) {
  await page.goto(side.url, { waitUntil: 'load' });
  await page.waitForFunction(() => (window as any).__shown !== null, null, { timeout: 20_000 });
  return page.evaluate((script) => {
    const e = performance.getEntriesByType('resource').find((x) => new URL(x.name).pathname === script) as
      PerformanceResourceTiming | undefined;
    return { shown: (window as any).__shown as number, scriptEnd: e?.responseEnd ?? NaN };
  }, side.script);
}

/** Waits until no /ucc/v1/ request has started for `quietMs`. */
async function settle(api: unknown[], quietMs = 400) {
  let n = -1;
  while (n !== api.length) {
    n = api.length;
    await new Promise((r) => setTimeout(r, quietMs));
  }
}

/** One +1 click: answer's responseEnd → first mutation of the progress element's shadow DOM after it. */
async function logOnce(side: Side, page: Page) {
  const before = await page.evaluate(() => performance.getEntriesByType('resource').length);
  const answered = page.waitForResponse(
    (r) => r.url().endsWith('/ucc/v1/me/activities') && r.request().method() === 'POST',
  );
  await page.click(side.logButton);
  const res = await answered;
  if (res.status() !== 201) throw new Error(`${side.name}: log answered ${res.status()}: ${await res.text()}`);
  await page.waitForFunction(
    (before) => {
      const e = performance
        .getEntriesByType('resource')
        .slice(before)
        .find((x) => x.name.endsWith('/ucc/v1/me/activities')) as PerformanceResourceTiming | undefined;
      return e && (window as any).__mut.some((t: number) => t >= e.responseEnd);
    },
    before,
    { timeout: 10_000 },
  );
  return page.evaluate((before) => {
    const e = performance
      .getEntriesByType('resource')
      .slice(before)
      .find((x) => x.name.endsWith('/ucc/v1/me/activities')) as PerformanceResourceTiming;
    const first = ((window as any).__mut as number[]).find((t) => t >= e.responseEnd)!;
    return first - e.responseEnd;
  }, before);
}

const loads = new Map<string, number[]>(),
  updates = new Map<string, number[]>();
const perAction: { action: string; requests: string[] }[] = [];
try {
  for (const side of sides) {
    const { ctx, page, api, errors } = await newPage();
    const xs: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const r = await loadOnce(side, page);
      xs.push(r.shown - r.scriptEnd);
    }
    loads.set(side.name, xs);
    await settle(api);
    const us: number[] = [];
    // BENCH_PROFILE=1: a DevTools CPU profile of the page over the log clicks (bench/out/prof/browser-<page>.cpuprofile).
    const cdp = process.env.BENCH_PROFILE && side.name === 'widgets' ? await ctx.newCDPSession(page) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      await cdp.send('Profiler.start');
    }
    for (let i = 0; i < LOGS; i++) {
      const from = api.length;
      us.push(await logOnce(side, page));
      await settle(api, 250);
      if (side.name === 'widgets')
        perAction.push({ action: `log ${i + 1}`, requests: api.slice(from).map((x) => `${x.method} ${x.url}`) });
    }
    updates.set(side.name, us);
    if (cdp) {
      const { profile } = await cdp.send('Profiler.stop');
      mkdirSync(join(OUT, 'prof'), { recursive: true });
      writeFileSync(join(OUT, 'prof', `browser-${side.name}.cpuprofile`), JSON.stringify(profile));
    }
    if (side.name === 'widgets') {
      // Undo the last log, then create a challenge: each must be one request.
      let from = api.length;
      const undone = page.waitForResponse(
        (r) => r.url().includes('/ucc/v1/me/activities/') && r.request().method() === 'DELETE',
      );
      await page.click('ucc-log-activity button.secondary');
      if ((await undone).status() !== 200) throw new Error(`undo answered ${(await undone).status()}`);
      await settle(api);
      perAction.push({ action: 'undo', requests: api.slice(from).map((x) => `${x.method} ${x.url}`) });
      from = api.length;
      const creating = page.waitForResponse(
        (r) => r.url().endsWith('/ucc/v1/me/challenges') && r.request().method() === 'POST',
      );
      await page.click('ucc-create-challenge button[type=submit]');
      const created = await creating;
      if (created.status() !== 201) throw new Error(`create answered ${created.status()}: ${await created.text()}`);
      await settle(api);
      perAction.push({ action: 'create', requests: api.slice(from).map((x) => `${x.method} ${x.url}`) });
    }
    if (errors.length) report.notes.push(`${side.name} page errors: ${errors.join('; ')}`);
    await ctx.close();
  }
} finally {
  await browser.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\nTimes in the page (ms; median of ${LOADS} loads and ${LOGS} logs), Chromium ${browser.version()}`);
printTable(
  ['page', 'load: script → 20 shown (median)', 'min', 'max', 'update after log answer (median)', 'min', 'max'],
  sides.map((s) => {
    const l = loads.get(s.name)!,
      u = updates.get(s.name)!;
    return [
      s.name,
      median(l).toFixed(1),
      Math.min(...l).toFixed(1),
      Math.max(...l).toFixed(1),
      median(u).toFixed(2),
      Math.min(...u).toFixed(2),
      Math.max(...u).toFixed(2),
    ];
  }),
);
const logCounts = perAction.filter((a) => a.action.startsWith('log')).map((a) => a.requests.length);
console.log('\nRequests per user action (widgets page, /ucc/v1/ only):');
printTable(
  ['action', 'requests', 'which'],
  [
    [
      'log (each of 20)',
      logCounts.every((n) => n === logCounts[0]) ? String(logCounts[0]) : logCounts.join(','),
      [
        ...new Set(
          perAction
            .filter((a) => a.action.startsWith('log'))
            .flatMap((a) => a.requests.map((r) => r.replace(/\/\d+$/, '/:id'))),
        ),
      ].join(', '),
    ],
    ...perAction
      .filter((a) => !a.action.startsWith('log'))
      .map((a) => [a.action, a.requests.length, a.requests.join(', ')]),
  ],
);
report.info(
  'load: script → <ucc-progress> shows 20 (median)',
  median(loads.get('widgets')!),
  'ms',
  median(loads.get('floor')!),
);
report.absolute(
  'update after log answer (median)',
  median(updates.get('widgets')!),
  'ms',
  { max: MAX_UPDATE_MS },
  median(updates.get('floor')!),
);
report.absolute('requests per log (max of 20)', Math.max(...logCounts), '', { min: 1, max: 1 }, 1);
for (const a of perAction.filter((x) => !x.action.startsWith('log')))
  report.absolute(`requests per ${a.action}`, a.requests.length, '', { min: 1, max: 1 }, 1);
process.exitCode = report.finish();
