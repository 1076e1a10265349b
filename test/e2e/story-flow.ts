/**
 * The steps of the demo page's story through the UI, shared by the story on the embedded engine
 * (story.test.ts) and on an upstream organisation (story-upstream.test.ts): create a 3-day water
 * challenge, log 8 glasses, and spend — redeem "5% off" in the rewards card, then apply the coupon at
 * the shop, once (the amount off) and again (refused).
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

export const progress = (page: Page) => page.locator('ucc-progress');
export const points = (page: Page) => page.locator('ucc-points');
export const rewards = (page: Page) => page.locator('ucc-rewards');
export const shop = (page: Page) => page.locator('#shop');

/** Creates alice's 3-day water challenge (8 glasses a day, 30 points) in the create card. */
export async function createWaterChallenge(page: Page, name = 'Hydrate <b>week</b>') {
  const create = page.locator('ucc-create-challenge');
  await create.getByLabel('Activity').selectOption({ label: 'Drink water' });
  await create.getByLabel(/Goal per period/).fill('8');
  await create.getByLabel(/Length/).fill('3');
  await create.getByLabel(/Name/).fill(name);
  await create.getByText('8 glasses every day for 3 days: earn 30 points.').waitFor();
  await create.getByRole('button', { name: 'Create challenge' }).click();
  // the new challenge appears in progress without a reload; its name is shown as text
  await progress(page).getByText(name).waitFor();
  await progress(page).getByText('0 of 8 glasses', { exact: true }).waitFor();
}

export async function logGlasses(page: Page, n: number) {
  const log = page.locator('ucc-log-activity');
  await log.getByLabel('Quantity (glasses)').fill(String(n));
  await log.getByRole('button', { name: 'Log', exact: true }).click();
}

/**
 * Spends the 30 points: "5% off" in the rewards card, confirmed; the coupon shows with its code, the
 * balance drops to 0, a toast says so and the shop's coupon field holds the code. Returns the code.
 */
export async function redeemFivePercent(page: Page): Promise<string> {
  const card = rewards(page).locator('[part~=reward]').filter({ hasText: '5% off your next order' });
  await card.getByText('30 points', { exact: true }).waitFor();
  await card.getByRole('button', { name: 'Redeem' }).click();
  await card.getByText('Spend 30 points on 5% off your next order?').waitFor();
  await card.getByRole('button', { name: 'Confirm' }).click();
  const coupon = rewards(page).locator('[part~=coupon] [part~=code]');
  await coupon.waitFor();
  const code = (await coupon.textContent())!.trim();
  assert.match(code, /^[A-Z0-9]{6,}$/);
  await rewards(page).getByText('Your coupon for 5% off your next order:').waitFor();
  await rewards(page).getByRole('button', { name: 'Copy code' }).first().waitFor();
  await points(page).getByText('Balance: 0 points').waitFor();
  await page.getByText(`Your coupon for 5% off your next order: ${code}`).waitFor(); // the page's toast
  assert.equal(await shop(page).getByLabel('Coupon code').inputValue(), code, 'the shop has the code ready');
  return code;
}

/** Applies `code` to the €24.00 basket: 5% off is €1.20, the new total €22.80 (the result line, polite live region). */
export async function applyAtShop(page: Page, code: string) {
  const field = shop(page).getByLabel('Coupon code');
  await field.fill(code);
  await shop(page).getByRole('button', { name: 'Apply' }).click();
  await shop(page).getByRole('status').getByText('Coupon applied: €1.20 off. New total: €22.80.').waitFor();
  assert.equal(await field.getAttribute('aria-invalid'), 'false');
}

/** The same code again: refused, in words a shopper reads, and the field marked invalid. */
export async function applyAgainRefused(page: Page, code: string) {
  const field = shop(page).getByLabel('Coupon code');
  await field.fill(code);
  await shop(page).getByRole('button', { name: 'Apply' }).click();
  await shop(page).getByRole('status').getByText('Coupon not applied: this coupon was already used.').waitFor();
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
}
