/**
 * The demo page as QA uses it (demo/index.html, the real server, Chromium): its icon, its layout at
 * 375 px, a heading on every card in every state, the QA bar's "Go offline" and "Expire token", and the
 * shop's coupon checkout (axe clean, in English, Spanish and Arabic).
 */
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, demoToken, launchBrowser, startServer, type RunningServer } from './harness.js';
import { applyAgainRefused, applyAtShop, points, redeemFivePercent, shop } from './story-flow.js';

let server: RunningServer;
let browser: Browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});
// Every test starts from the seeded data (alice has no challenges yet).
beforeEach(async () => {
  const res = await fetch(`${server.url}/demo/reset`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(res.status, 200);
});

const EXPIRED = 'Your session has ended. Please sign in again.';
const OFFLINE = "We can't reach the service. Check your connection and try again.";
const TITLES = ['Create a challenge', 'Log activity', 'My challenges', 'My points', 'Rewards', 'Shop'];

async function open(width = 1280, height = 900, bypassCSP = false) {
  // bypassCSP only to inject axe-core: the page's own scripts run under its CSP either way.
  const page = await browser.newPage({ viewport: { width, height }, reducedMotion: 'reduce', bypassCSP });
  await page.goto(`${server.url}/`);
  await page.getByText('Signed in as alice').waitFor();
  return page;
}

/** Each card shows exactly one heading (the page's or its widget's own), with the card's title. */
async function assertHeadings(page: Page) {
  const cards = page.locator('main > .card');
  assert.equal(await cards.count(), TITLES.length);
  for (let i = 0; i < TITLES.length; i++) {
    const visible = cards.nth(i).locator('h2:visible'); // CSS locators pierce the widgets' shadow roots
    assert.equal(await visible.count(), 1, `card ${i + 1} shows one heading`);
    assert.equal((await visible.textContent())?.trim(), TITLES[i]);
  }
}

const noOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= 375);

/** What the server recorded for alice, through the widget API. */
async function aliceActivities() {
  const res = await fetch(`${server.url}/ucc/v1/me/activities`, {
    headers: { authorization: `Bearer ${await demoToken(server.url, 'alice')}` },
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { activities: unknown[] }).activities;
}

async function createWaterChallenge(page: Page) {
  const create = page.locator('ucc-create-challenge');
  await create.getByLabel('Activity').selectOption({ label: 'Drink water' });
  await create.getByLabel(/Goal per period/).fill('8');
  await create.getByLabel(/Name/).fill('Hydrate');
  await create.getByRole('button', { name: 'Create challenge' }).click();
  await page.locator('ucc-progress').getByText('0 of 8 glasses', { exact: true }).waitFor();
}

test('the page has an icon (/favicon.ico too) and loads with no console errors', async () => {
  for (const path of ['/favicon.svg', '/favicon.ico']) {
    const res = await fetch(`${server.url}${path}`);
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get('content-type') ?? '', /^image\//, path);
    assert.match(await res.text(), /<svg/);
  }
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/`);
  await page.getByText('Signed in as alice').waitFor();
  await page.locator('ucc-points').getByText('Balance: 0 points').waitFor();
  const icon = await page.locator('link[rel="icon"]').getAttribute('href');
  assert.equal((await page.request.get(new URL(icon!, server.url).href)).status(), 200);
  assert.deepEqual(errors, []);
  await page.close();

  const embed = await browser.newPage();
  await embed.goto(`${server.url}/embed.html`);
  assert.equal(await embed.locator('link[rel="icon"]').getAttribute('href'), '/favicon.svg');
  await embed.close();
});

test('at 375 px nothing overflows and every card has a heading, with no challenges and with one', async () => {
  const page = await open(375, 800);
  await page.locator('ucc-progress').getByText('No challenges yet.').waitFor();
  await page
    .locator('ucc-log-activity')
    .getByText(/No active challenges yet/)
    .waitFor();
  await page.locator('ucc-points').getByText('Balance: 0 points').waitFor();
  assert.ok(await noOverflow(page), 'no horizontal overflow with no challenges');
  await assertHeadings(page);

  await createWaterChallenge(page);
  await page.locator('ucc-log-activity').getByRole('button', { name: 'Log', exact: true }).waitFor();
  assert.ok(await noOverflow(page), 'no horizontal overflow with a challenge');
  await assertHeadings(page);
  await page.close();
});

test('"Go offline" cuts the widgets off the network; turning it off restores their requests', async () => {
  const page = await open();
  await createWaterChallenge(page);
  await page.evaluate(() => {
    const w = window as unknown as { seen: string[] };
    w.seen = [];
    addEventListener('offline', () => w.seen.push('offline'));
    addEventListener('online', () => w.seen.push('online'));
  });
  const sent: string[] = [];
  page.on('request', (r) => new URL(r.url()).pathname.startsWith('/ucc/v1/') && sent.push(r.url()));

  const toggle = page.getByRole('button', { name: 'Go offline' });
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  assert.equal(await page.evaluate(() => navigator.onLine), false);
  assert.deepEqual(await page.evaluate(() => (window as unknown as { seen: string[] }).seen), ['offline']);

  const log = page.locator('ucc-log-activity');
  await log.getByLabel('Quantity (glasses)').fill('3');
  await log.getByRole('button', { name: 'Log', exact: true }).click();
  await log
    .getByText(/offline|waiting to be sent/)
    .first()
    .waitFor();
  // The widgets' reloads fail as with no network: the provider says so once, in words for the customer,
  // and each card still has its heading.
  await page.getByRole('button', { name: 'Advance 1 day' }).click();
  await page.locator('ucc-provider').getByRole('alert').getByText(OFFLINE).waitFor();
  assert.equal(await page.getByRole('alert').count(), 1);
  assert.equal(await page.getByText('Failed to fetch').count(), 0);
  await assertHeadings(page);
  assert.deepEqual(sent, [], 'no widget request left the page');
  assert.deepEqual(await aliceActivities(), [], 'the server recorded nothing');

  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
  assert.equal(await page.evaluate(() => navigator.onLine), true);
  assert.deepEqual(await page.evaluate(() => (window as unknown as { seen: string[] }).seen), ['offline', 'online']);
  // Back online, the saved log is sent at once and the data reloaded; the alert's Retry (if still shown) works too.
  const retry = page.getByRole('button', { name: 'Retry' });
  const balance = page.locator('ucc-points').getByText(/Balance: \d+ points/);
  for (let i = 0; i < 100 && !(await balance.count()); i++) {
    if (await retry.count())
      await retry
        .first()
        .click({ timeout: 1000 })
        .catch(() => {});
    await page.waitForTimeout(100);
  }
  await balance.waitFor();
  await page.close();
});

test('"Expire token" shows one session-ended alert with one Retry for all four widgets; turning it off brings the data back', async () => {
  const page = await open();
  await createWaterChallenge(page);
  await page.locator('ucc-points').getByText('Balance: 0 points').waitFor();

  const toggle = page.getByRole('button', { name: 'Expire token' });
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  await page.getByText('Signed in as alice with an expired token').waitFor();
  const alert = page.locator('ucc-provider').getByRole('alert');
  await alert.getByText(EXPIRED).waitFor();
  await alert.getByRole('button', { name: 'Retry' }).waitFor();
  assert.equal(await page.getByRole('alert').count(), 1);
  assert.equal(await page.getByRole('button', { name: 'Retry' }).count(), 1);
  assert.equal(
    await page.locator('ucc-progress').getByText('Hydrate').count(),
    0,
    'no data while the token is expired',
  );
  assert.equal(
    await page
      .locator('ucc-points')
      .getByText(/Balance/)
      .count(),
    0,
  );
  await assertHeadings(page);

  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
  await page.getByText(/^Signed in as alice$/).waitFor();
  await page.locator('ucc-progress').getByText('0 of 8 glasses', { exact: true }).waitFor();
  await page.locator('ucc-points').getByText('Balance: 0 points').waitFor();
  assert.equal(await page.getByRole('alert').count(), 0);
  await assertHeadings(page);
  await page.close();
});

test('a log made while "Go offline" is on is delivered once when it is turned off, and the page hears of it once', async () => {
  const page = await open();
  await createWaterChallenge(page);
  await page.evaluate(() => {
    const w = window as unknown as { logged: number };
    w.logged = 0;
    document.addEventListener('ucc-activity-logged', () => w.logged++);
  });
  const toggle = page.getByRole('button', { name: 'Go offline' });
  await toggle.click();
  const log = page.locator('ucc-log-activity');
  await log.getByLabel('Quantity (glasses)').fill('3');
  await log.getByRole('button', { name: 'Log', exact: true }).click();
  await log
    .getByText(/offline|waiting to be sent/)
    .first()
    .waitFor();
  assert.deepEqual(await aliceActivities(), [], 'nothing reached the server while offline');

  await toggle.click(); // back online: the provider sends the saved log
  for (let i = 0; i < 100 && (await aliceActivities()).length === 0; i++) await page.waitForTimeout(100);
  await page.locator('ucc-progress').getByText('3 of 8 glasses', { exact: true }).waitFor();
  await page.waitForTimeout(1500); // any second delivery would have happened by now
  assert.equal((await aliceActivities()).length, 1, 'delivered exactly once');
  assert.equal(
    await page.evaluate(() => (window as unknown as { logged: number }).logged),
    1,
    'one ucc-activity-logged event',
  );
  assert.equal(await log.getByText(/offline|waiting to be sent/).count(), 0, 'no "offline" or "waiting" message left');
  await page.close();
});

/** Alice earns 30 points through the widget API: a 3-day water challenge met every day (the demo clock moved). */
async function aliceEarns30() {
  const headers = {
    authorization: `Bearer ${await demoToken(server.url, 'alice')}`,
    'content-type': 'application/json',
  };
  const call = async (path: string, body: unknown, key?: string) => {
    const res = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: key ? { ...headers, 'idempotency-key': key } : { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(res.ok, `${path}: ${res.status} ${text}`);
    return JSON.parse(text);
  };
  const { challenge } = await call(
    '/ucc/v1/me/challenges',
    { templateId: 'water', target: 8, period: 'DAILY', periods: 3, name: 'Hydrate' },
    'earn-create',
  );
  for (let day = 0; day < 3; day++) {
    if (day > 0) await call('/demo/clock', { advanceDays: 1 });
    await call('/ucc/v1/me/activities', { challengeId: challenge.id, quantity: 8 }, `earn-log-${day}`);
  }
}

test('the shop: "Shop" in the nav leads to it; a labelled coupon field; a coupon applied once, then refused in words; axe clean throughout', async () => {
  const page = await open(1280, 900, true);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  assert.equal(await page.getByRole('navigation').getByRole('link', { name: 'Shop' }).getAttribute('href'), '#shop');
  await shop(page).getByRole('heading', { name: 'Shop' }).waitFor();
  await shop(page).getByText('HydraFit bottle').waitFor();
  await shop(page).getByText('€24.00').waitFor();
  await page.locator('ucc-rewards').getByText('You have 0 points.').waitFor();
  assert.deepEqual(await axeViolations(page), [], 'axe: the page with no points');

  // No code: said so, and focus stays in the field.
  await shop(page).getByRole('button', { name: 'Apply' }).click();
  await shop(page).getByRole('status').getByText('Enter a coupon code.').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'coupon-code');
  // A code nobody has.
  await shop(page).getByLabel('Coupon code').fill('NOSUCHCODE');
  await shop(page).getByRole('button', { name: 'Apply' }).click();
  await shop(page).getByRole('status').getByText('Coupon not applied: there is no coupon with this code.').waitFor();

  await aliceEarns30();
  await page.reload();
  await points(page).getByText('Balance: 30 points').waitFor();
  const code = await redeemFivePercent(page);
  assert.deepEqual(await axeViolations(page), [], 'axe: a new coupon shown');
  await applyAtShop(page, code);
  await applyAgainRefused(page, code);
  assert.deepEqual(await axeViolations(page), [], 'axe: a coupon refused');

  // In Spanish the shop's texts, its price and the result line follow; in Arabic too, right to left, axe clean.
  await page.getByLabel('Language').selectOption('es');
  await shop(page).getByRole('heading', { name: 'Tienda' }).waitFor();
  await shop(page).getByText('Botella HydraFit').waitFor();
  await shop(page).getByText('24,00 €').waitFor();
  await shop(page).getByRole('button', { name: 'Aplicar' }).waitFor();
  await shop(page).getByRole('status').getByText('Cupón no aplicado: este cupón ya se usó.').waitFor();
  assert.equal(await shop(page).getByLabel('Código del cupón').inputValue(), code);
  await page.getByLabel('Language').selectOption('ar');
  await shop(page).getByRole('heading', { name: 'المتجر' }).waitFor();
  await shop(page).getByRole('status').getByText('لم تُطبَّق القسيمة: استُخدمت هذه القسيمة من قبل.').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
  assert.deepEqual(await axeViolations(page), [], 'axe: the page in Arabic');
  await page.getByLabel('Language').selectOption('en');

  // Another customer: the field and the result line are cleared.
  await page.getByLabel('Customer').selectOption('bob');
  await page.getByText('Signed in as bob').waitFor();
  assert.equal(await shop(page).getByLabel('Coupon code').inputValue(), '');
  assert.equal((await shop(page).getByRole('status').textContent())?.trim(), '');
  assert.deepEqual(errors, []);
  await page.close();
});
