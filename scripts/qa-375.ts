// The demo page at 375 px, as QA checks it by hand: `node --import tsx scripts/qa-375.ts` drives the real
// server through empty, create, log, a day's logs, leave confirm, offline, expired token and Arabic,
// prints the horizontal overflow and console errors, and writes screenshots to .tmp/375-*.png.
import { chromium } from 'playwright-core';
import { startServer } from '../test/e2e/harness.js';
const srv = await startServer();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({
  viewport: { width: 375, height: 812 },
  deviceScaleFactor: 1,
  hasTouch: true,
  isMobile: true,
});
const errors: string[] = [];
page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
const shot = async (n: string) => {
  await page.waitForTimeout(400);
  await page.screenshot({ path: `.tmp/375-${n}.png`, fullPage: true });
};
const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
await page.goto(srv.url + '/');
await page.getByText('Signed in as alice').waitFor();
console.log('overflow px at load', await overflow());
await shot('1-empty');
const create = page.locator('ucc-create-challenge');
await create.getByLabel('Activity').selectOption({ label: 'Drink water' });
await create.getByLabel(/Goal per period/).fill('8');
await create.getByLabel(/Name/).fill('Hydrate');
await create.getByRole('button', { name: 'Create challenge' }).click();
await page.locator('ucc-progress').getByText('0 of 8 glasses', { exact: true }).waitFor();
const log = page.locator('ucc-log-activity');
await log.getByLabel('Quantity (glasses)').fill('8');
await log.getByRole('button', { name: 'Log', exact: true }).click();
await page.locator('ucc-progress').getByText('8 of 8 glasses', { exact: true }).waitFor();
console.log('overflow px after log', await overflow());
await shot('2-logged');
await page.locator('ucc-progress').locator('[part~=period]').first().click();
await page.locator('ucc-progress').locator('[part~=leave]').first().click();
await shot('3-day-leave-confirm');
await page.getByRole('button', { name: 'Keep' }).click();
await page.getByRole('button', { name: 'Go offline' }).click();
await log.getByLabel('Quantity (glasses)').fill('2');
await log.getByRole('button', { name: 'Log', exact: true }).click();
await log
  .getByText(/waiting to be sent/)
  .first()
  .waitFor();
console.log('overflow px offline', await overflow());
await shot('4-offline');
await page
  .getByRole('button', { name: 'Go online' })
  .click()
  .catch(() => page.locator('#offline').click());
await page.waitForTimeout(1500);
await page.getByRole('button', { name: 'Expire token' }).click();
await page.locator('ucc-provider').getByRole('alert').waitFor();
await shot('5-expired');
await page.locator('#expire').click();
await page.locator('#lang').selectOption('ar');
await page.waitForTimeout(1000);
console.log('overflow px ar', await overflow());
await shot('6-ar');
console.log('console errors', errors);
await browser.close();
await srv.stop();
