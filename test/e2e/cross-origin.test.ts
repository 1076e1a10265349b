/**
 * The script tag as brands embed it: README's snippets, pasted into a page that a separate static
 * server serves on another origin, load the widgets from the real server's versioned URL with
 * Subresource Integrity, and run create → log → progress for a customer whose token was minted by
 * README's own jose snippet. Also: the IIFE build with a classic script, the same file self-hosted
 * on a brand's CDN, a tampered hash refused by the browser, and how every widget file is served.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DEMO_WIDGET_SECRET } from '../../server/seed.js';
import {
  launchBrowser,
  readmeSnippet,
  serveStatic,
  startServer,
  type RunningServer,
  type StaticServer,
} from './harness.js';

const ROOT = join(import.meta.dirname, '../..');
const integrity = JSON.parse(readFileSync(join(ROOT, 'dist/integrity.json'), 'utf8')) as {
  version: string;
  files: Record<string, string>;
};
const BRAND_ORIGIN_HOST = 'brand.test'; // resolved to 127.0.0.1 by Chromium's host rules: a brand's own domain

let server: RunningServer;
let browser: Browser;

/** README's token snippet, run as a brand's server would run it (jose, the org's widget secret). */
async function mintTokenAsReadme(customerId: string): Promise<string> {
  const file = join(ROOT, `.tmp/readme-token-${process.pid}.mjs`); // inside the repo, so `jose` resolves
  writeFileSync(file, readmeSnippet('token'));
  const saved = process.env.UCC_WIDGET_SECRET;
  process.env.UCC_WIDGET_SECRET = DEMO_WIDGET_SECRET;
  try {
    const { widgetToken } = (await import(file)) as { widgetToken: (id: string) => Promise<string> };
    return await widgetToken(customerId);
  } finally {
    if (saved === undefined) delete process.env.UCC_WIDGET_SECRET;
    else process.env.UCC_WIDGET_SECRET = saved;
    rmSync(file, { force: true });
  }
}

/** The brand's site, one static server on its own port; each test puts its page and token there. */
let brand: StaticServer;
const brandFiles: Record<string, string | Buffer> = { '/favicon.ico': '' }; // a site has one; a 404 would be a console error
async function brandSite(page: string, token: string, extra: Record<string, string | Buffer> = {}) {
  const path = `/page-${Object.keys(brandFiles).length}.html`;
  Object.assign(brandFiles, { [path]: page, '/loyalty/widget-token': JSON.stringify({ token }), ...extra });
  return `${brand.url.replace('127.0.0.1', BRAND_ORIGIN_HOST)}${path}`;
}

const ourServer = (html: string) => html.replaceAll('https://your-server.example', server.url);
const htmlPage = (body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Brand</title></head><body>\n${body}\n</body></html>`;

before(async () => {
  browser = await launchBrowser(['--host-resolver-rules=MAP brand.test 127.0.0.1']);
  brand = await serveStatic({ files: brandFiles });
  // The brand lets its own site call the demo organisation, as the README says a brand trying the widgets does.
  server = await startServer({ UCC_ALLOWED_ORIGINS: brand.url.replace('127.0.0.1', BRAND_ORIGIN_HOST) });
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await brand?.stop();
});

interface Watch {
  errors: string[];
  requests: string[];
}
function watch(page: Page): Watch {
  const w: Watch = { errors: [], requests: [] };
  page.on('pageerror', (e) => w.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') w.errors.push(`console: ${m.text()}`);
  });
  page.on('requestfailed', (r) => w.errors.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('request', (r) => w.requests.push(r.url()));
  return w;
}

/** create → log → progress through the UI, as a customer would. */
async function createLogAndSeeProgress(page: Page, name: string) {
  const create = page.locator('ucc-create-challenge');
  await create.getByLabel('Activity').selectOption({ label: 'Drink water' });
  await create.getByLabel(/Goal per period/).fill('8');
  await create.getByLabel(/Length/).fill('3');
  await create.getByLabel(/Name/).fill(name);
  await create.getByRole('button', { name: 'Create challenge' }).click();
  const progress = page.locator('ucc-progress');
  await progress.getByText(name).waitFor();
  const log = page.locator('ucc-log-activity');
  await log.getByLabel('Quantity (glasses)').fill('3');
  await log.getByRole('button', { name: 'Log', exact: true }).click();
  await progress.getByText('3 of 8 glasses', { exact: true }).waitFor();
}

test("README's module snippet on a brand's own domain loads the versioned bundle with integrity and runs create → log → progress", async () => {
  const snippet = readmeSnippet('script-tag');
  assert.match(
    snippet,
    new RegExp(
      `/v/${integrity.version}/ucc-widgets\\.js"\\s+integrity="${integrity.files['ucc-widgets.js'].replace(/[+/]/g, '\\$&')}" crossorigin="anonymous"`,
    ),
    "the README names this build's version and hash",
  );
  const url = await brandSite(htmlPage(ourServer(snippet)), await mintTokenAsReadme('brand-module-customer'));
  const page = await browser.newPage();
  const w = watch(page);
  await page.goto(url);
  assert.notEqual(new URL(page.url()).origin, server.url, 'the page is on another origin');
  await createLogAndSeeProgress(page, 'Module <i>tag</i>');
  assert.ok(w.requests.includes(`${server.url}/v/${integrity.version}/ucc-widgets.js`));
  assert.deepEqual(w.errors, []);
  await page.close();
});

test('the IIFE build with a classic script tag and integrity works from another origin', async () => {
  const moduleSnippet = readmeSnippet('script-tag');
  const iife = readmeSnippet('script-tag-iife');
  // The README's page, with the classic script in place of the module one, and the token script classic too.
  const page_ = moduleSnippet
    .replace(/<script type="module" src=[^]*?<\/script>/, iife)
    .replace('<script type="module">', '<script>');
  assert.ok(page_.includes('ucc-widgets.iife.js') && !page_.includes('type="module"'));
  const url = await brandSite(htmlPage(ourServer(page_)), await mintTokenAsReadme('brand-iife-customer'));
  const page = await browser.newPage();
  const w = watch(page);
  await page.goto(url);
  await createLogAndSeeProgress(page, 'Classic tag');
  assert.equal(
    await page.evaluate(
      () => typeof (window as unknown as { UccWidgets?: { UccClient?: unknown } }).UccWidgets?.UccClient,
    ),
    'function',
  );
  assert.deepEqual(w.errors, []);
  await page.close();
});

test('both script-tag builds load a language on demand from next to themselves, across origins', async () => {
  const moduleSnippet = readmeSnippet('script-tag').replace('<ucc-provider ', '<ucc-provider locale="es" ');
  assert.ok(moduleSnippet.includes('locale="es"'));
  const iifeSnippet = moduleSnippet
    .replace(/<script type="module" src=[^]*?<\/script>/, readmeSnippet('script-tag-iife'))
    .replace('<script type="module">', '<script>');
  for (const [snippet, lang, title] of [
    [moduleSnippet, 'es', 'Aún no tienes retos.'],
    [iifeSnippet.replace('locale="es"', 'locale="ar"'), 'ar', 'لا توجد تحديات بعد.'],
  ]) {
    const url = await brandSite(htmlPage(ourServer(snippet)), await mintTokenAsReadme(`brand-${lang}-customer`));
    const page = await browser.newPage();
    const w = watch(page);
    await page.goto(url);
    await page.locator('ucc-progress [part=status]', { hasText: title }).waitFor(); // a new customer has none yet
    assert.ok(
      w.requests.includes(`${server.url}/v/${integrity.version}/ucc-widgets.locale-${lang}.js`),
      w.requests.join(' '),
    );
    if (lang === 'ar') assert.equal(await page.locator('ucc-progress').getAttribute('dir'), 'rtl');
    assert.deepEqual(w.errors, []);
    await page.close();
  }
});

test("the same bundle self-hosted on a brand's CDN works: nothing in it points back to our server", async () => {
  const bundle = readFileSync(join(ROOT, 'dist/ucc-widgets.js'));
  const map = readFileSync(join(ROOT, 'dist/ucc-widgets.js.map'));
  const snippet = readmeSnippet('script-tag').replace(
    /https:\/\/your-server\.example\/v\/[^/]+\/ucc-widgets\.js/,
    '/cdn/ucc-widgets.js',
  );
  const url = await brandSite(htmlPage(ourServer(snippet)), await mintTokenAsReadme('brand-cdn-customer'), {
    '/cdn/ucc-widgets.js': bundle,
    '/cdn/ucc-widgets.js.map': map,
  });
  const page = await browser.newPage();
  const w = watch(page);
  await page.goto(url);
  await createLogAndSeeProgress(page, 'Self-hosted');
  const toOurServer = w.requests.filter((r) => r.startsWith(server.url)).map((r) => new URL(r).pathname);
  assert.ok(
    toOurServer.length > 0 && toOurServer.every((p) => p.startsWith('/ucc/v1/')),
    `only API calls reach our server: ${toOurServer.join(', ')}`,
  );
  assert.deepEqual(w.errors, []);
  await page.close();
});

test('a page whose integrity hash does not match the bytes gets no widgets (the browser checks SRI)', async () => {
  const wrong = `sha384-${createHash('sha384').update('not the bundle').digest('base64')}`;
  const snippet = readmeSnippet('script-tag').replace(/integrity="[^"]*"/, `integrity="${wrong}"`);
  const url = await brandSite(htmlPage(ourServer(snippet)), await mintTokenAsReadme('brand-sri-customer'));
  const page = await browser.newPage();
  const w = watch(page);
  await page.goto(url);
  await page.waitForLoadState('load');
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => customElements.get('ucc-provider') === undefined), true);
  assert.ok(
    w.errors.some((e) => /integrity/i.test(e)),
    `the console says why: ${w.errors.join(' | ')}`,
  );
  await page.close();
});

test('every widget file is served with CORS, its content type, and the versioned/unversioned cache policy; bytes match integrity.json', async () => {
  const { version, files } = integrity;
  const locales = ['ar', 'de', 'es', 'fr'].flatMap((l) => [
    `ucc-widgets.locale-${l}.js`,
    `ucc-widgets.locale-${l}.js.map`,
  ]);
  assert.deepEqual(
    Object.keys(files).sort(),
    ['ucc-widgets.iife.js', 'ucc-widgets.iife.js.map', 'ucc-widgets.js', 'ucc-widgets.js.map', ...locales].sort(),
  );
  for (const [file, sri] of Object.entries(files)) {
    for (const [path, cache] of [
      [`/v/${version}/${file}`, 'public, max-age=31536000, immutable'],
      [`/${file}`, 'public, max-age=300'],
    ]) {
      const res = await fetch(`${server.url}${path}`, { headers: { origin: 'https://any-brand.example' } });
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('access-control-allow-origin'), '*', path);
      assert.equal(res.headers.get('cache-control'), cache, path);
      assert.match(
        res.headers.get('content-type') ?? '',
        file.endsWith('.js') ? /^text\/javascript; charset=utf-8/ : /^application\/json/,
        path,
      );
      const body = Buffer.from(await res.arrayBuffer());
      assert.equal(
        `sha384-${createHash('sha384').update(body).digest('base64')}`,
        sri,
        `${path}: served bytes match dist/integrity.json`,
      );
    }
  }
  const listed = await fetch(`${server.url}/v/${version}/integrity.json`);
  assert.equal(listed.headers.get('access-control-allow-origin'), '*');
  assert.deepEqual(await listed.json(), integrity);
  // The module's source map is found next to it, under the same version.
  const js = await (await fetch(`${server.url}/v/${version}/ucc-widgets.js`)).text();
  assert.match(js, /\/\/# sourceMappingURL=ucc-widgets\.js\.map\s*$/);

  const other = await fetch(`${server.url}/v/0.0.1/ucc-widgets.js`);
  assert.equal(other.status, 404);
  assert.match(
    ((await other.json()) as { error: { message: string } }).error.message,
    new RegExp(`/v/${version.replace(/\./g, '\\.')}/ucc-widgets\\.js`),
  );
  assert.equal((await fetch(`${server.url}/v/${version}/index.js`)).status, 404, 'nothing else of dist/ is exposed');
  assert.equal((await fetch(`${server.url}/dist/esm/index.js`)).status, 404);
  const old = await fetch(`${server.url}/dist/ucc-widgets.iife.js`, { redirect: 'manual' });
  assert.equal(old.status, 301, 'the pre-0.2.0 IIFE URL redirects');
  assert.equal(old.headers.get('location'), '/ucc-widgets.iife.js');
});
