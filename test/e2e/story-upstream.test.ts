/**
 * The demo page's story through the UI in upstream mode: the widget server (demo mode) runs the demo
 * organisation on a Capillary-compatible platform — a second process of this server that processes
 * webhook posts 100 ms after accepting them (UCC_CAPILLARY_ASYNC_MS) and whose demo events carry the
 * unique-key field (UCC_DEMO_EVENT_KEY) — with no undo grace period, so a log is posted at once.
 * create → log 3 days (the demo clock moved on both processes) → the reward, read once the platform
 * has processed the posts → spend "5% off" (the platform takes the points and issues the coupon) → the
 * shop uses the coupon on the platform once, and refuses it the second time.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startServer, type RunningServer } from './harness.js';
import { startUpstream, waitFor, type Upstream } from '../server/upstream/upstream-server.js';
import {
  applyAgainRefused,
  applyAtShop,
  createWaterChallenge,
  logGlasses,
  points,
  progress,
  redeemFivePercent,
} from './story-flow.js';

let upstream: Upstream;
let server: RunningServer;
let browser: Browser;

before(async () => {
  upstream = await startUpstream({ asyncMs: 100, env: { UCC_DEMO_EVENT_KEY: 'uccLogId' } });
  server = await startServer({ UCC_UPSTREAM_URL: upstream.url, UCC_UPSTREAM_GRACE_MS: '0' });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await upstream?.close();
});

/** Moves the platform's demo clock a day on, as the page's "Advance 1 day" moves the widget server's. */
async function advancePlatform() {
  const res = await fetch(`${upstream.url}/demo/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceDays: 1 }),
  });
  assert.equal(res.status, 200, await res.text());
}

/** Asks the page's widgets to read their data again (the provider's refresh) until `done` shows, or fails. */
async function refreshUntil(page: Page, done: () => Promise<boolean>, what: string, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`${what}: not shown within ${timeoutMs} ms`);
    await page.evaluate(() =>
      (document.getElementById('provider') as HTMLElement & { refresh(): Promise<void> }).refresh(),
    );
    await page.waitForTimeout(1000);
  }
}

test('upstream mode: alice creates, logs 3 days and is rewarded once the platform has processed her logs; she spends the points and uses the coupon once at the shop', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, reducedMotion: 'reduce' });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/`);
  await page.getByText('Signed in as alice').waitFor();

  await createWaterChallenge(page, 'Hydrate upstream');
  assert.equal((await upstream.api.targetGroupsOf('alice')).length, 1, 'the challenge is a group on the platform');

  for (let day = 1; day <= 3; day++) {
    await logGlasses(page, 8);
    // A log shows at once (the local sum), before the platform has processed it.
    await progress(page).getByText('8 of 8 glasses', { exact: true }).waitFor();
    // The platform has the day's 8 glasses once its queue has processed the post.
    await waitFor(async () => (await upstream.api.achieved('alice')) >= 8 * day, {
      timeoutMs: 15_000,
      everyMs: 100,
      what: `the platform processed day ${day}'s post`,
    });
    if (day < 3) {
      await advancePlatform();
      await page.getByRole('button', { name: 'Advance 1 day' }).click();
      await progress(page).getByText('0 of 8 glasses', { exact: true }).waitFor();
    }
  }

  // The reward is the platform's: it shows on a later read, once its ledger has the 30 points.
  await waitFor(async () => (await upstream.api.balance('alice')) === 30, {
    timeoutMs: 15_000,
    everyMs: 100,
    what: "the platform's balance of 30",
  });
  await refreshUntil(
    page,
    async () =>
      (await progress(page).getByText('Completed').count()) > 0 &&
      (await points(page).getByText('Balance: 30 points').count()) > 0,
    'the completed challenge and a balance of 30',
  );
  await progress(page)
    .getByText(/Streak 3 of 3/)
    .waitFor();

  // Spend: the platform takes the points and issues the coupon; the shop uses it on the platform, once.
  const code = await redeemFivePercent(page);
  assert.equal(await upstream.api.balance('alice'), 0, "the platform's own balance");
  await applyAtShop(page, code);
  await applyAgainRefused(page, code);
  const coupons = await upstream.api.call('GET', `v2/customers/${await upstream.api.userId('alice')}/coupons`);
  assert.equal(coupons.status, 200);
  assert.deepEqual(
    coupons.body.coupons.map((c: { code: string; status: string }) => [c.code, c.status]),
    [[code, 'REDEEMED']],
    'on the platform, her one coupon is used',
  );
  assert.deepEqual(errors, []);
  await page.close();
});
