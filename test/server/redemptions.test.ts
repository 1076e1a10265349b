/**
 * Spending points on the engine and the store (server/engine/redemptions.ts), on both stores: the ledger
 * arithmetic of a redemption and its reversal, a balance that never goes below zero however many
 * redemptions run at once, idempotent replays, the per-customer limit, and single-use coupons.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../server/store/types.js';
import type { OrgDoc } from '../../server/model/org.js';
import { DomainError } from '../../server/model/errors.js';
import { seedDemo } from '../../server/seed.js';
import {
  CODE_ALPHABET,
  checkCoupon,
  issueCoupon,
  redeemCoupon,
  redeemPoints,
  redeemReward,
  reverseRedemption,
} from '../../server/engine/redemptions.js';
import { testStore } from './store-under-test.js';
import { grantPoints } from './helpers.js';

const DAY = 86_400_000;
const now = Date.parse('2026-03-10T12:00:00Z');
const ALICE = 1001,
  BOB = 1002,
  CAROL = 1003;

const refused = (code: string) => (err: unknown) => err instanceof DomainError && err.code === code;

describe('spending points: the engine and the store', () => {
  let store: Store;
  let org: OrgDoc;
  /** Credits points as a completed challenge does: an EARN entry and the balance. */
  const earn = (customerId: number, points: number) => grantPoints(store, customerId, points, now);
  const balance = async (customerId: number) => (await store.read((tx) => tx.getCustomer('demo', customerId)))!.balance;
  const ledger = (customerId: number) => store.read((tx) => tx.listLedger(customerId, { limit: 100 }));
  const redeem = (customerId: number, rewardId: string, requestId: string, at = now) =>
    store.tx((tx) => redeemReward(tx, org, { customerId, rewardId, requestId }, at));

  before(async () => {
    store = await testStore();
    await seedDemo(store, now);
    org = (await store.read((tx) => tx.getOrg('demo')))!;
  });
  after(() => store.close());

  it('a redemption is one REDEEM entry of minus the cost, the balance down by it, a coupon and the redemption row', async () => {
    await earn(ALICE, 130);
    const r = await redeem(ALICE, 'five-off', 'a-1');
    assert.equal(r.replay, false);
    assert.equal(r.balance, 100);
    assert.equal(await balance(ALICE), 100);
    assert.equal(r.redemption.points, 30);
    assert.equal(r.redemption.rewardId, 'five-off');
    const entries = await ledger(ALICE);
    assert.equal(entries[0].type, 'REDEEM');
    assert.equal(entries[0].points, -30);
    assert.equal(entries[0].id, r.redemption.ledgerId);
    assert.equal(
      entries.reduce((s, e) => s + e.points, 0),
      100,
      'the ledger sums to the balance',
    );
    const c = r.coupon!;
    assert.equal(c.code.length, 10);
    assert.ok(
      [...c.code].every((ch) => CODE_ALPHABET.includes(ch)),
      c.code,
    );
    assert.equal(c.expiresMs, now + 30 * DAY, 'valid the reward’s validityDays');
    assert.deepEqual(c.discount, { kind: 'PERCENT_OFF', value: 5 });
    assert.equal(c.customerId, ALICE);
  });

  it('the same request id again answers the first redemption and spends nothing more', async () => {
    const first = await redeem(ALICE, 'five-off', 'a-2');
    const again = await redeem(ALICE, 'five-off', 'a-2');
    assert.equal(again.replay, true);
    assert.equal(again.redemption.id, first.redemption.id);
    assert.equal(again.coupon!.code, first.coupon!.code);
    assert.equal(await balance(ALICE), 70);
    await assert.rejects(redeem(ALICE, 'ten-off', 'a-2'), refused('REQUEST_ID_REUSED'));
  });

  it('refusals change nothing: unknown reward, the per-customer limit, a balance that does not cover the cost', async () => {
    await assert.rejects(redeem(ALICE, 'no-such', 'a-3'), refused('REWARD_NOT_FOUND'));
    await redeem(ALICE, 'five-off', 'a-4'); // the third five-off: its limit
    await assert.rejects(redeem(ALICE, 'five-off', 'a-5'), (err) => {
      assert.ok(refused('REWARD_LIMIT_REACHED')(err));
      assert.deepEqual((err as DomainError).details, { limit: 3, redeemed: 3 });
      return true;
    });
    await assert.rejects(redeem(ALICE, 'ten-off', 'a-6'), (err) => {
      assert.ok(refused('INSUFFICIENT_POINTS')(err));
      assert.deepEqual((err as DomainError).details, { shortfall: 60, balance: 40, points: 100 });
      return true;
    });
    assert.equal(await balance(ALICE), 40);
    assert.equal((await ledger(ALICE)).filter((e) => e.type === 'REDEEM').length, 3);
  });

  it('a reversal gives the points back with a REVERSAL entry naming the REDEEM one, cancels the coupon, and frees the limit', async () => {
    const r = await store.read((tx) => tx.getRedemptionByRequest(ALICE, 'demo', 'a-4'));
    const rev = await store.tx((tx) => reverseRedemption(tx, org, { redemptionId: r!.id }, now + 1000));
    assert.equal(rev.reversed, true);
    assert.equal(rev.balance, 70);
    const [entry] = await ledger(ALICE);
    assert.equal(entry.type, 'REVERSAL');
    assert.equal(entry.points, 30);
    assert.equal(entry.reversesId, r!.ledgerId);
    const redeemEntry = (await ledger(ALICE)).find((e) => e.id === r!.ledgerId)!;
    assert.equal(redeemEntry.reversed, true);
    const coupon = await store.read((tx) => tx.getCoupon('demo', r!.couponId!));
    assert.equal(coupon!.cancelledMs, now + 1000);
    const check = await store.read((tx) => checkCoupon(tx, org, coupon!.code, ALICE, now));
    assert.equal(check.refusal, 'COUPON_CANCELLED');
    // A second reversal changes nothing.
    const second = await store.tx((tx) => reverseRedemption(tx, org, { redemptionId: r!.id }, now + 2000));
    assert.equal(second.reversed, false);
    assert.equal(await balance(ALICE), 70);
    // The reversed one no longer counts towards the limit.
    assert.equal((await store.read((tx) => tx.redeemedCounts(ALICE))).get('five-off'), 2);
    await redeem(ALICE, 'five-off', 'a-7');
    assert.equal(await balance(ALICE), 40);
  });

  it('a coupon is checked, then used once; a used coupon’s redemption cannot be reversed', async () => {
    const r = await store.read((tx) => tx.getRedemptionByRequest(ALICE, 'demo', 'a-1'));
    const code = (await store.read((tx) => tx.getCoupon('demo', r!.couponId!)))!.code;
    const check = await store.read((tx) => checkCoupon(tx, org, code.toLowerCase(), ALICE, now));
    assert.equal(check.refusal, null);
    assert.equal((await store.read((tx) => checkCoupon(tx, org, code, BOB, now))).refusal, 'COUPON_NOT_YOURS');
    assert.equal((await store.read((tx) => checkCoupon(tx, org, 'NOPE', ALICE, now))).refusal, 'COUPON_NOT_FOUND');
    assert.equal(
      (await store.read((tx) => checkCoupon(tx, org, code, ALICE, now + 31 * DAY))).refusal,
      'COUPON_EXPIRED',
    );
    await assert.rejects(
      store.tx((tx) => redeemCoupon(tx, org, { code, customerId: BOB, transactionNumber: 't-0' }, now)),
      refused('COUPON_NOT_YOURS'),
    );
    await assert.rejects(
      store.tx((tx) => redeemCoupon(tx, org, { code, customerId: ALICE, transactionNumber: '' }, now)),
      refused('TRANSACTION_NUMBER_REQUIRED'),
    );
    const used = await store.tx((tx) =>
      redeemCoupon(tx, org, { code, customerId: ALICE, transactionNumber: 't-1' }, now),
    );
    assert.equal(used.redeemTxn, 't-1');
    await assert.rejects(
      store.tx((tx) => redeemCoupon(tx, org, { code, customerId: ALICE, transactionNumber: 't-2' }, now)),
      refused('COUPON_USED'),
    );
    await assert.rejects(
      store.tx((tx) => reverseRedemption(tx, org, { redemptionId: r!.id }, now)),
      refused('COUPON_USED'),
    );
    assert.equal(await balance(ALICE), 40);
  });

  it('50 redemptions at once of a reward the balance covers once: exactly one succeeds, the balance is 0, never below', async () => {
    await earn(BOB, 30);
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => redeem(BOB, 'five-off', `b-${i}`)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const no = results.filter((r) => r.status === 'rejected');
    assert.equal(ok.length, 1);
    assert.equal(no.length, 49);
    for (const r of no) assert.ok(refused('INSUFFICIENT_POINTS')((r as PromiseRejectedResult).reason));
    assert.equal(await balance(BOB), 0);
    const coupons = await store.read((tx) => tx.listCoupons(BOB, { limit: 100, offset: 0 }));
    assert.equal(coupons.length, 1);
    assert.equal((await ledger(BOB)).filter((e) => e.type === 'REDEEM').length, 1);
  });

  it('50 uses at once of one coupon: exactly one succeeds, the others are refused as used', async () => {
    const r = await store.read((tx) => tx.listRedemptions(BOB, { limit: 1 }));
    const code = (await store.read((tx) => tx.getCoupon('demo', r[0].couponId!)))!.code;
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        store.tx((tx) => redeemCoupon(tx, org, { code, customerId: BOB, transactionNumber: `t-${i}` }, now)),
      ),
    );
    assert.equal(results.filter((x) => x.status === 'fulfilled').length, 1);
    for (const x of results.filter((y) => y.status === 'rejected'))
      assert.ok(refused('COUPON_USED')((x as PromiseRejectedResult).reason));
  });

  it('points redeemed without a reward: a REDEEM entry, no coupon, once per request id; isredeemable-style refusals', async () => {
    await earn(CAROL, 50);
    const r = await store.tx((tx) => redeemPoints(tx, org, { customerId: CAROL, points: 20, requestId: 'c-1' }, now));
    assert.equal(r.coupon, null);
    assert.equal(r.balance, 30);
    const again = await store.tx((tx) =>
      redeemPoints(tx, org, { customerId: CAROL, points: 20, requestId: 'c-1' }, now),
    );
    assert.equal(again.replay, true);
    assert.equal(again.redemption.id, r.redemption.id);
    await assert.rejects(
      store.tx((tx) => redeemPoints(tx, org, { customerId: CAROL, points: 31, requestId: 'c-2' }, now)),
      refused('INSUFFICIENT_POINTS'),
    );
    await assert.rejects(
      store.tx((tx) => redeemPoints(tx, org, { customerId: CAROL, points: 0, requestId: 'c-3' }, now)),
      refused('POINTS_INVALID'),
    );
    const rev = await store.tx((tx) => reverseRedemption(tx, org, { redemptionId: r.redemption.id }, now));
    assert.equal(rev.balance, 50);
  });

  it('a coupon issued from a series carries its discount and expiry; codes are unique in the organisation', async () => {
    const series = await store.tx((tx) =>
      tx.insertCouponSeries({
        orgId: 'demo',
        description: '10% off, at most 20',
        discountType: 'PERC',
        discountValue: 10,
        discountUpto: 20,
        expiryDays: 7,
        maxRedeem: 1,
        createdMs: now,
      }),
    );
    const codes = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const c = await store.tx((tx) => issueCoupon(tx, org, { seriesId: series.id, customerId: CAROL }, now));
      assert.deepEqual(c.discount, { kind: 'PERCENT_OFF', value: 10, upto: 20 });
      assert.equal(c.expiresMs, now + 7 * DAY);
      codes.add(c.code);
    }
    assert.equal(codes.size, 20);
    await assert.rejects(
      store.tx((tx) => issueCoupon(tx, org, { seriesId: 999_999, customerId: CAROL }, now)),
      refused('COUPON_SERIES_NOT_FOUND'),
    );
  });
});
