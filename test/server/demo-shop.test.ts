/**
 * The demo shop's checkout (`POST /demo/shop/checkout`, server/widget-api/demo.ts), which plays the brand's
 * server: it checks and uses a coupon through the Capillary API. Alice's coupon applies once with the
 * right amount off the basket; the second time, bob's attempt with her code, an unknown code and an
 * expired one are 409 COUPON_NOT_REDEEMABLE with a message a shopper can read; a bad body is 400. Then the
 * same checkout in upstream mode (UCC_UPSTREAM_URL), against a second server process that holds the coupon.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { errorOf, jsonOf, wcall, widgetApp, demoSession, grantPoints } from './helpers.js';
import { startUpstream, type Upstream } from './upstream/upstream-server.js';

const ALICE = 1001;

const checkout = (app: FastifyInstance, body: unknown, headers: Record<string, string> = {}) =>
  wcall(app, 'POST', '/demo/shop/checkout', { body, headers });

const grant = (app: FastifyInstance, customerId: number, points: number) =>
  grantPoints(app.ctx.store, customerId, points, app.ctx.clock.now());

describe('the demo shop’s checkout applies a coupon once', () => {
  let app: FastifyInstance;
  let code: string, tenOff: string, shaker: string;

  before(async () => {
    app = await widgetApp();
    await grant(app, ALICE, 430);
    const alice = await demoSession(app, 'alice');
    const redeem = async (rewardId: string, key: string) =>
      jsonOf(await wcall(app, 'POST', 'me/redemptions', { token: alice, key, body: { rewardId } }), 201).redemption
        .coupon.code as string;
    code = await redeem('five-off', 'shop-1');
    tenOff = await redeem('ten-off', 'shop-2');
    shaker = await redeem('shaker', 'shop-3');
  });
  after(() => app?.close());

  it('alice’s "5% off" coupon takes €1.20 off a €24.00 basket: the amount off and the new total', async () => {
    const res = jsonOf(await checkout(app, { customer: 'alice', code, billAmount: 24 }), 200);
    assert.deepEqual(res, { code, billAmount: 24, amountOff: 1.2, total: 22.8, discountType: 'PERC' });
    const list = jsonOf(await wcall(app, 'GET', 'me/redemptions', { token: await demoSession(app, 'alice') }), 200);
    const mine = list.redemptions.find((r: { coupon: { code: string } }) => r.coupon.code === code);
    assert.equal(mine.coupon.status, 'REDEEMED');
  });

  it('the same coupon a second time: 409 COUPON_NOT_REDEEMABLE, "already used"', async () => {
    const e = errorOf(await checkout(app, { customer: 'alice', code, billAmount: 24 }), 409, 'COUPON_NOT_REDEEMABLE');
    assert.match(e.message, /already used/);
    assert.equal(e.details?.vendorCode, 711);
  });

  it('a code typed in lower case with spaces is the same code (and still used)', async () => {
    const e = errorOf(
      await checkout(app, { customer: 'alice', code: ` ${code.toLowerCase()} `, billAmount: 24 }),
      409,
      'COUPON_NOT_REDEEMABLE',
    );
    assert.match(e.message, /already used/);
  });

  it('bob cannot use alice’s code: 409, "another customer"; it stays hers, unused', async () => {
    const e = errorOf(
      await checkout(app, { customer: 'bob', code: tenOff, billAmount: 24 }),
      409,
      'COUPON_NOT_REDEEMABLE',
    );
    assert.match(e.message, /another customer/);
    assert.equal(e.details?.vendorCode, 703);
    // Alice still can: 10% of €24.00.
    assert.deepEqual(jsonOf(await checkout(app, { customer: 'alice', code: tenOff, billAmount: 24 }), 200), {
      code: tenOff,
      billAmount: 24,
      amountOff: 2.4,
      total: 21.6,
      discountType: 'PERC',
    });
  });

  it('the free shaker: nothing off the bill, the item added (FREE_ITEM)', async () => {
    assert.deepEqual(jsonOf(await checkout(app, { customer: 'alice', code: shaker, billAmount: 24 }), 200), {
      code: shaker,
      billAmount: 24,
      amountOff: 0,
      total: 24,
      discountType: 'FREE_ITEM',
    });
  });

  it('an unknown code: 409 COUPON_NOT_REDEEMABLE, "no coupon"', async () => {
    const e = errorOf(
      await checkout(app, { customer: 'alice', code: 'NOSUCHCODE', billAmount: 24 }),
      409,
      'COUPON_NOT_REDEEMABLE',
    );
    assert.match(e.message, /no coupon NOSUCHCODE/);
  });

  it('an expired coupon: 409, "expired"', async () => {
    const carol = await demoSession(app, 'carol');
    await grant(app, 1003, 30);
    const c = jsonOf(
      await wcall(app, 'POST', 'me/redemptions', { token: carol, key: 'c-1', body: { rewardId: 'five-off' } }),
      201,
    ).redemption.coupon.code as string;
    jsonOf(await wcall(app, 'POST', '/demo/clock', { body: { advanceDays: 31 } }), 200);
    const e = errorOf(
      await checkout(app, { customer: 'carol', code: c, billAmount: 10 }),
      409,
      'COUPON_NOT_REDEEMABLE',
    );
    assert.match(e.message, /expired/);
    jsonOf(await wcall(app, 'POST', '/demo/clock', { body: { reset: true } }), 200);
  });

  it('a bad body is 400 VALIDATION_FAILED; no customer by that name 404; no JSON 415; another site 403', async () => {
    for (const body of [
      {},
      { customer: 'alice', code },
      { customer: 'alice', billAmount: 24 },
      { customer: 'alice', code: '', billAmount: 24 },
      { customer: 'alice', code: '   ', billAmount: 24 },
      { customer: 'alice', code, billAmount: -1 },
      { customer: 'alice', code, billAmount: '24' },
      { customer: 'alice', code, billAmount: 24, extra: 1 },
    ])
      errorOf(await checkout(app, body), 400, 'VALIDATION_FAILED');
    errorOf(await checkout(app, { customer: 'mallory', code, billAmount: 24 }), 404, 'NOT_FOUND');
    const form = await app.inject({
      method: 'POST',
      url: '/demo/shop/checkout',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `customer=alice&code=${code}&billAmount=24`,
    });
    assert.equal(form.statusCode, 415);
    errorOf(
      await checkout(app, { customer: 'alice', code, billAmount: 24 }, { origin: 'https://evil.example' }),
      403,
      'ORIGIN_NOT_ALLOWED',
    );
  });
});

describe('in upstream mode the checkout uses the coupon on the upstream organisation', () => {
  let upstream: Upstream;
  let app: FastifyInstance;

  before(async () => {
    upstream = await startUpstream({ asyncMs: null });
    app = await widgetApp({ upstreamUrl: upstream.url });
  });
  after(async () => {
    await app?.close();
    await upstream?.close();
  });

  it('a coupon the platform issued to alice applies once; a second time and for bob it is refused with the platform’s reason', async () => {
    const series = await upstream.api.call('POST', 'v2/coupon/series', {
      description: '€5 off',
      discountType: 'ABS',
      discountValue: 5,
      expiryStrategyType: 'DAYS',
      expiryStrategyValue: 7,
    });
    assert.equal(series.status, 200, JSON.stringify(series.body));
    const issued = await upstream.api.call('POST', 'v2/coupon/issue', {
      seriesId: series.body.id,
      customer: { externalId: 'alice' },
    });
    assert.equal(issued.status, 200, JSON.stringify(issued.body));
    const code = issued.body.code as string;
    errorOf(await checkout(app, { customer: 'bob', code, billAmount: 24 }), 409, 'COUPON_NOT_REDEEMABLE');
    assert.deepEqual(jsonOf(await checkout(app, { customer: 'alice', code, billAmount: 24 }), 200), {
      code,
      billAmount: 24,
      amountOff: 5,
      total: 19,
      discountType: 'ABS',
    });
    const again = errorOf(
      await checkout(app, { customer: 'alice', code, billAmount: 24 }),
      409,
      'COUPON_NOT_REDEEMABLE',
    );
    assert.match(again.message, /already used/);
    const coupons = await upstream.api.call('GET', `v2/customers/${await upstream.api.userId('alice')}/coupons`);
    assert.equal(coupons.body.coupons[0].status, 'REDEEMED');
  });

  it('an unreachable upstream is 503 UPSTREAM_UNAVAILABLE', async () => {
    await upstream.stop();
    errorOf(await checkout(app, { customer: 'alice', code: 'ANYCODE', billAmount: 24 }), 503, 'UPSTREAM_UNAVAILABLE');
  });
});
