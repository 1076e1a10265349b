/**
 * The whole story through the UI only, on the real server with a temporary database:
 * demo/index.html (create → log → advance the clock → reward → spend the points on a coupon and apply it
 * at the shop, once; then another customer) and
 * demo/embed.html (one log on a page that loads nothing but the script tag).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { launchBrowser, startServer, type RunningServer } from './harness.js';
import {
  applyAgainRefused,
  applyAtShop,
  createWaterChallenge,
  logGlasses,
  points,
  progress,
  redeemFivePercent,
  rewards,
  shop,
} from './story-flow.js';

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

test('alice creates a 3-day water challenge, meets it every day, is rewarded, spends the points on a coupon and uses it once at the shop; bob sees none of it', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, reducedMotion: 'reduce' }); // the screenshot shows settled bars
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/`);
  await page.getByText('Signed in as alice').waitFor();

  await createWaterChallenge(page, 'Hydrate <b>week</b>');

  for (let day = 1; day <= 3; day++) {
    await logGlasses(page, 8);
    await progress(page).getByText('8 of 8 glasses', { exact: true }).waitFor();
    if (day < 3) {
      await page.getByRole('button', { name: 'Advance 1 day' }).click();
      await progress(page).getByText('0 of 8 glasses', { exact: true }).waitFor();
    }
  }

  await progress(page).getByText('Completed').waitFor();
  await progress(page)
    .getByText(/Streak 3 of 3/)
    .waitFor();
  await points(page).getByText('Balance: 30 points').waitFor();
  await page.getByText(/You earned 30 HydraPoints/).waitFor();

  // Spend: "5% off" for the 30 points in the rewards card, then the coupon at the shop's checkout.
  const code = await redeemFivePercent(page);
  await applyAtShop(page, code);
  // Her coupons list reads it used once the page has reloaded the widgets' data.
  await rewards(page).locator('[part~=redemption]').getByText('Used', { exact: true }).waitFor();
  // The README's first screen: create → log → reward → spend, the whole page (in a viewport as tall as
  // the page, so that the fixed toast sits at its foot rather than over the shop).
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: 1280, height });
  mkdirSync('docs', { recursive: true });
  await page.screenshot({ path: 'docs/screenshot.png', fullPage: true });
  await page.setViewportSize({ width: 1280, height: 1000 });
  await applyAgainRefused(page, code);

  await page.getByLabel('Customer').selectOption('bob');
  await page.getByText('Signed in as bob').waitFor();
  await points(page).getByText('Balance: 0 points').waitFor();
  assert.equal(await rewards(page).getByText(code).count(), 0, "bob sees none of alice's coupons");
  // Nor can he use her code at the shop.
  await shop(page).getByLabel('Coupon code').fill(code);
  await shop(page).getByRole('button', { name: 'Apply' }).click();
  await shop(page)
    .getByRole('status')
    .getByText('Coupon not applied: this coupon belongs to another customer.')
    .waitFor();
  await progress(page).getByText('No challenges yet.').waitFor();
  assert.equal(await progress(page).getByText('Hydrate <b>week</b>').count(), 0, "bob sees none of alice's challenges");
  assert.deepEqual(errors, []);
  await page.close();
});

test('the embed page, loaded only by the script tag, logs an activity for alice', async () => {
  const page = await browser.newPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await page.goto(`${server.url}/embed.html`);
  const create = page.locator('ucc-create-challenge');
  await create.getByLabel('Activity').selectOption({ label: 'Meditate' });
  await create.getByLabel(/Name/).fill('Embedded calm');
  await create.getByRole('button', { name: 'Create challenge' }).click();
  await progress(page).getByText('Embedded calm').waitFor();
  const log = page.locator('ucc-log-activity');
  await log.getByLabel(/Challenge/).selectOption({ label: 'Embedded calm' });
  await log.getByRole('button', { name: '+1 minute' }).click();
  await progress(page).getByText('1 of 10 minutes', { exact: true }).waitFor();
  assert.ok(requests.includes('/ucc-widgets.js'));
  assert.equal(
    requests.filter((p) => p.endsWith('.js') && p !== '/ucc-widgets.js').length,
    0,
    'no other script is loaded',
  );
  await page.close();
});

test('the story in Spanish: <ucc-provider locale="es"> on the demo page, create → log → reward through the UI', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, reducedMotion: 'reduce' });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  assert.equal(
    (
      await fetch(`${server.url}/demo/reset`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
    ).status,
    200,
  );
  await page.goto(`${server.url}/?lang=es`);
  await page.getByText('Signed in as alice').waitFor();
  assert.equal(
    await page.evaluate(() => (document.getElementById('provider') as HTMLElement & { locale?: string }).locale),
    'es',
  );

  const create = page.locator('ucc-create-challenge');
  await create.getByRole('heading', { name: 'Crea un reto' }).waitFor();
  await create.getByLabel('Actividad').selectOption({ index: 0 });
  await create.getByLabel(/Meta por periodo/).fill('8');
  await create.getByLabel(/Duración/).fill('3');
  await create.getByLabel(/Nombre/).fill('Hidratación');
  await create.getByText(/8 \S+ cada día durante 3 días: gana 30 puntos\./).waitFor();
  await create.getByRole('button', { name: 'Crear reto' }).click();
  await progress(page).getByText('Hidratación').waitFor();
  await progress(page)
    .getByText(/^0 de 8 /)
    .waitFor();

  const log = page.locator('ucc-log-activity');
  for (let day = 1; day <= 3; day++) {
    await log.getByLabel(/^Cantidad/).fill('8');
    await log.getByRole('button', { name: 'Registrar', exact: true }).click();
    await progress(page)
      .getByText(/^8 de 8 /)
      .waitFor();
    if (day < 3) {
      await page.getByRole('button', { name: 'Advance 1 day' }).click();
      await progress(page)
        .getByText(/^0 de 8 /)
        .waitFor();
    }
  }
  await progress(page).getByText('Completado').waitFor();
  await progress(page)
    .getByText(/Racha: 3 de 3/)
    .waitFor();
  await points(page).getByText('Saldo: 30 puntos').waitFor();
  // No English text of the widgets' own anywhere in their shadow roots.
  const shown = await page.evaluate(() =>
    [...document.querySelectorAll('ucc-create-challenge, ucc-log-activity, ucc-progress, ucc-points')]
      .map((e) => e.shadowRoot!.textContent)
      .join(' '),
  );
  // (The ledger's reward descriptions are still English server text: see docs/widget-api.md.)
  for (const english of ['Create challenge', 'My challenges', 'Balance:', 'Streak', 'Log activity', 'of 8']) {
    assert.ok(!shown.includes(english), `no "${english}" in the Spanish widgets`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});
