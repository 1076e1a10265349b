/**
 * Parity: the widget API's story — create a 3-day water challenge, log it day by day, streak, points,
 * undo, leave, another customer sees nothing — in both modes:
 *
 * - embedded: the widget server's own engine;
 * - upstream: the same widget server driving a Capillary-compatible organisation in a second process
 *   of our server, started with asynchronous webhook processing (UCC_CAPILLARY_ASYNC_MS) and unique-key
 *   events (UCC_DEMO_EVENT_KEY), as the real platform behaves. The second process's own Capillary API
 *   is the oracle: the points a customer sees through the widget API equal the balance it reports.
 *
 * The answers differ only where the platform makes them differ (docs/upstream.md): upstream, a log is
 * `pending` and its reward shows on a later read; an undo after the grace period is refused.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import type { Challenge, LogActivityResponse } from '../../contract/widget-api.js';
import { errorOf, jsonOf, wcall, widgetApp } from './helpers.js';
import { startUpstream, waitFor, type Upstream } from './upstream/upstream-server.js';

const GRACE_MS = 400;

for (const mode of ['embedded', 'upstream'] as const) {
  describe(`the widget API story, ${mode}`, () => {
    let app: FastifyInstance;
    let upstream: Upstream | undefined;
    let alice: string, bob: string;
    let water: Challenge;
    let n = 0;
    const up = mode === 'upstream';

    const log = async (quantity: number, key = `p-${++n}`) => {
      const res = await wcall(app, 'POST', 'me/activities', {
        token: alice,
        key,
        body: { challengeId: water.id, quantity },
      });
      return jsonOf(res, 201) as LogActivityResponse;
    };
    const mine = (res: LogActivityResponse) => res.challenges.find((c) => c.id === water.id)!;
    const advanceDay = async () => {
      jsonOf(await wcall(app, 'POST', '/demo/clock', { body: { advanceDays: 1 } }), 200);
      if (upstream) {
        const r = await fetch(`${upstream.url}/demo/clock`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ advanceDays: 1 }),
        });
        assert.equal(r.status, 200);
      }
    };
    /** Upstream: waits until the organisation has counted `value` for alice (the grace period, then the asynchronous processing). */
    const counted = async (value: number) => {
      if (upstream)
        await waitFor(async () => (await upstream!.api.achieved('alice')) === value, {
          timeoutMs: 8000,
          what: `alice's progress ${value} upstream`,
        });
    };
    const balance = async (token: string) => jsonOf(await wcall(app, 'GET', 'me', { token }), 200).balance as number;

    before(async () => {
      if (up) upstream = await startUpstream({ asyncMs: 150, env: { UCC_DEMO_EVENT_KEY: 'uccLogId' } });
      app = await widgetApp(up ? { upstreamUrl: upstream!.url, upstreamGraceMs: GRACE_MS } : {});
      alice = jsonOf(await wcall(app, 'POST', '/demo/session', { body: { customer: 'alice' } }), 200).token;
      bob = jsonOf(await wcall(app, 'POST', '/demo/session', { body: { customer: 'bob' } }), 200).token;
    });
    after(async () => {
      await app?.close();
      await upstream?.close();
    });

    it('alice creates "Hydrate": 8 glasses a day for 3 days, 30 points', async () => {
      water = jsonOf(
        await wcall(app, 'POST', 'me/challenges', {
          token: alice,
          key: 'create-water',
          body: { templateId: 'water', target: 8, period: 'DAILY', periods: 3, name: 'Hydrate' },
        }),
        201,
      ).challenge;
      assert.equal(water.status, 'active');
      assert.equal(water.reward.points, 30);
      assert.equal(water.periods.length, 3);
      // The same key again answers the same challenge and makes nothing new.
      const again = jsonOf(
        await wcall(app, 'POST', 'me/challenges', {
          token: alice,
          key: 'create-water',
          body: { templateId: 'water', target: 8, period: 'DAILY', periods: 3, name: 'Hydrate' },
        }),
        201,
      ).challenge;
      assert.equal(again.id, water.id);
      if (upstream) {
        const groups = (await upstream.api.targetGroups()).filter((g) => g.name.startsWith('ucc_demo_'));
        assert.equal(groups.length, 1, 'one target group on the platform');
        assert.equal((await upstream.api.promotions()).length, 1, 'one promotion on the platform');
        assert.equal((await upstream.api.targetGroupsOf('alice')).length, 1, 'alice is enrolled once');
      }
    });

    it('day 1: 8 glasses count at once; a log undone at once never reaches the platform', async () => {
      const first = await log(8);
      assert.equal(first.pending, up ? true : undefined);
      assert.equal(mine(first).periods[0].value, 8);
      assert.equal(mine(first).periods[0].state, 'met');
      assert.deepEqual(mine(first).streak, { current: 1, best: 1, required: 3 });
      const extra = await log(2);
      assert.equal(mine(extra).periods[0].value, 10);
      const undone = jsonOf(await wcall(app, 'DELETE', `me/activities/${extra.activity.id}`, { token: alice }), 200);
      assert.equal(undone.activity.undone, true);
      assert.equal(undone.challenges[0].periods[0].value, 8);
      await counted(8);
      if (upstream) {
        // Sent: the platform cannot take it back, so neither can the widget.
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(await upstream.api.achieved('alice'), 8, 'the undone log was never counted');
        errorOf(
          await wcall(app, 'DELETE', `me/activities/${first.activity.id}`, { token: alice }),
          409,
          'UNDO_WINDOW_PASSED',
        );
      }
      const list = jsonOf(await wcall(app, 'GET', 'me/challenges', { token: alice }), 200);
      assert.equal(list.challenges[0].periods[0].value, 8);
      assert.equal(list.stale, undefined);
    });

    it('days 2 and 3: the streak grows and the completed challenge pays 30 points once', async () => {
      const start = await balance(alice);
      await advanceDay();
      const day2 = await log(8);
      assert.deepEqual(mine(day2).streak, { current: 2, best: 2, required: 3 });
      await counted(16);
      await advanceDay();
      const day3 = await log(8);
      assert.deepEqual(mine(day3).streak, { current: 3, best: 3, required: 3 });
      if (up) assert.deepEqual(day3.rewards, [], 'upstream, the reward waits for the ledger');
      else
        assert.deepEqual(
          day3.rewards.map((r) => r.points),
          [30],
        );
      await counted(24);
      const done = await waitFor(
        async () => {
          const c = jsonOf(await wcall(app, 'GET', `me/challenges/${water.id}`, { token: alice }), 200).challenge;
          return c.status === 'completed' && c.reward.earned === 30 && c;
        },
        { timeoutMs: 8000, what: 'the reward on a read' },
      );
      assert.equal(done.reward.earned, 30);
      const after = await waitFor(async () => (await balance(alice)) === start + 30 && start + 30, {
        timeoutMs: 15000,
        what: 'the balance',
      });
      assert.equal(after, 30);
      if (upstream) assert.equal(await upstream.api.balance('alice'), after, "the platform's own balance");
      const points = jsonOf(await wcall(app, 'GET', 'me/points', { token: alice }), 200);
      assert.equal(points.balance, 30);
      const earn = points.entries.filter((e: { points: number }) => e.points > 0);
      assert.equal(earn.length, 1);
      assert.equal(earn[0].points, 30);
      assert.equal(earn[0].challengeId, water.id);
    });

    it('alice spends the 30 points on "5% off": one coupon, the balance 0 here and on the platform, the coupon used once at the shop', async () => {
      const redeem = (key: string, token = alice) =>
        wcall(app, 'POST', 'me/redemptions', { token, key, body: { rewardId: 'five-off' } });
      const first = await redeem('spend-1');
      const r = jsonOf(first, 201);
      assert.equal(r.balance, 0);
      assert.equal(r.redemption.points, 30);
      assert.match(r.redemption.coupon.code, /^[A-Z0-9]{6,}$/);
      assert.equal((await redeem('spend-1')).body, first.body, 'a replay answers the same bytes');
      assert.equal(await balance(alice), 0);
      if (upstream) assert.equal(await upstream.api.balance('alice'), 0, "the platform's own balance");
      const mineNow = jsonOf(await wcall(app, 'GET', 'me/redemptions', { token: alice }), 200).redemptions;
      assert.deepEqual(
        mineNow.map((x: { coupon: { code: string } }) => x.coupon.code),
        [r.redemption.coupon.code],
      );
      const ledger = jsonOf(await wcall(app, 'GET', 'me/points', { token: alice }), 200);
      assert.equal(ledger.balance, 0);
      assert.deepEqual(
        ledger.entries.filter((e: { type: string }) => e.type === 'REDEEM').map((e: { points: number }) => e.points),
        [-30],
      );
      const refused = errorOf(await redeem('spend-2'), 422, 'INSUFFICIENT_POINTS');
      assert.equal(refused.details?.shortfall, 30);
      const checkout = (customer: string) =>
        wcall(app, 'POST', '/demo/shop/checkout', {
          body: { customer, code: r.redemption.coupon.code, billAmount: 24 },
        });
      errorOf(await checkout('bob'), 409, 'COUPON_NOT_REDEEMABLE');
      const paid = jsonOf(await checkout('alice'), 200);
      assert.equal(paid.amountOff, 1.2);
      assert.equal(paid.total, 22.8);
      errorOf(await checkout('alice'), 409, 'COUPON_NOT_REDEEMABLE');
      assert.deepEqual(jsonOf(await wcall(app, 'GET', 'me/redemptions', { token: bob }), 200).redemptions, []);
    });

    it('alice leaves a new challenge: it ends here and on the platform', async () => {
      const steps = jsonOf(
        await wcall(app, 'POST', 'me/challenges', {
          token: alice,
          key: 'create-steps',
          body: { templateId: 'steps', target: 5000, period: 'DAILY', periods: 3 },
        }),
        201,
      ).challenge as Challenge;
      if (upstream) await waitFor(async () => (await upstream!.api.targetGroupsOf('alice')).length === 2);
      const left = jsonOf(await wcall(app, 'DELETE', `me/challenges/${steps.id}`, { token: alice }), 200).challenge;
      assert.equal(left.status, 'left');
      if (upstream)
        await waitFor(async () => (await upstream!.api.targetGroupsOf('alice')).length === 1, {
          what: 'the unenrolment upstream',
        });
    });

    it('bob sees none of it', async () => {
      assert.deepEqual(jsonOf(await wcall(app, 'GET', 'me/challenges', { token: bob }), 200).challenges, []);
      errorOf(await wcall(app, 'GET', `me/challenges/${water.id}`, { token: bob }), 404, 'CHALLENGE_NOT_FOUND');
      assert.equal(await balance(bob), 0);
      assert.deepEqual(jsonOf(await wcall(app, 'GET', 'me/points', { token: bob }), 200).entries, []);
      if (upstream) assert.equal(await upstream.api.balance('bob'), 0);
    });
  });
}
