/**
 * The whole story through the UI only, on the real server with a temporary database:
 * demo/index.html (create → log → advance the clock → reward, then another customer) and
 * demo/embed.html (one log on a page that loads nothing but the script tag).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startServer, type RunningServer } from './harness.js';

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

const progress = (page: Page) => page.locator('ucc-progress');
const points = (page: Page) => page.locator('ucc-points');

async function logGlasses(page: Page, n: number) {
  const log = page.locator('ucc-log-activity');
  await log.getByLabel('Quantity (glasses)').fill(String(n));
  await log.getByRole('button', { name: 'Log', exact: true }).click();
}

test('alice creates a 3-day water challenge, meets it every day, and is rewarded; bob sees none of it', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, reducedMotion: 'reduce' }); // the screenshot shows settled bars
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/`);
  await page.getByText('Signed in as alice').waitFor();

  const create = page.locator('ucc-create-challenge');
  await create.getByLabel('Activity').selectOption({ label: 'Drink water' });
  await create.getByLabel(/Goal per period/).fill('8');
  await create.getByLabel(/Length/).fill('3');
  await create.getByLabel(/Name/).fill('Hydrate <b>week</b>');
  await create.getByText('8 glasses every day for 3 days: earn 30 points.').waitFor();
  await create.getByRole('button', { name: 'Create challenge' }).click();

  // the new challenge appears in progress without a reload; its name is shown as text
  await progress(page).getByText('Hydrate <b>week</b>').waitFor();
  await progress(page).getByText('0 of 8 glasses', { exact: true }).waitFor();

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
  mkdirSync('docs', { recursive: true });
  await page.screenshot({ path: 'docs/screenshot.png', fullPage: true });

  await page.getByLabel('Customer').selectOption('bob');
  await page.getByText('Signed in as bob').waitFor();
  await points(page).getByText('Balance: 0 points').waitFor();
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
