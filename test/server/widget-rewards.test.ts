/**
 * Points buy discounts (issue 15), through HTTP on both stores: the widget API's catalogue, redemptions
 * (exactly once per Idempotency-Key, 50 at once) and coupons; the story — alice completes a 3-day water
 * challenge, redeems "5% off", sees her coupon and her balance drop by 30, the shop uses the coupon once
 * through the Capillary-compatible surface, bob can neither see nor use it; and the Capillary endpoints'
 * shapes and errors.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import type { RedemptionResponse, RewardsResponse } from '../../contract/widget-api.js';
import { DEMO_TILL_AUTH, errorOf, jsonOf, wcall, widgetApp, demoSession, grantPoints } from './helpers.js';

const ALICE = 1001,
  BOB = 1002,
  CAROL = 1003;

/** A Capillary-compatible call with the demo till's credentials. */
async function cap(app: FastifyInstance, method: 'GET' | 'POST', url: string, body?: unknown) {
  const res = await app.inject({
    method,
    url,
    payload: body === undefined ? undefined : JSON.stringify(body),
    headers: { authorization: DEMO_TILL_AUTH, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
  });
  assert.match(String(res.headers['content-type']), /application\/json/, `${method} ${url} answers JSON`);
  return { status: res.statusCode, body: res.json() as any };
}

const grant = (app: FastifyInstance, customerId: number, points: number) =>
  grantPoints(app.ctx.store, customerId, points, app.ctx.clock.now());

describe('the story: alice earns 30 points and spends them on 5% off', () => {
  let app: FastifyInstance;
  let alice: string, bob: string;
  let redeemed: RedemptionResponse;
  let firstBytes: string;

  before(async () => {
    app = await widgetApp();
    alice = await demoSession(app, 'alice');
    bob = await demoSession(app, 'bob');
  });
  after(() => app?.close());

  it('alice completes a 3-day water challenge: 30 points', async () => {
    const water = jsonOf(
      await wcall(app, 'POST', 'me/challenges', {
        token: alice,
        key: 'create-water',
        body: { templateId: 'water', target: 8, period: 'DAILY', periods: 3, name: 'Hydrate' },
      }),
      201,
    ).challenge;
    for (let day = 0; day < 3; day++) {
      if (day > 0) jsonOf(await wcall(app, 'POST', '/demo/clock', { body: { advanceDays: 1 } }), 200);
      jsonOf(
        await wcall(app, 'POST', 'me/activities', {
          token: alice,
          key: `log-${day}`,
          body: { challengeId: water.id, quantity: 8 },
        }),
        201,
      );
    }
    assert.equal(jsonOf(await wcall(app, 'GET', 'me', { token: alice }), 200).balance, 30);
  });

  it('the catalogue shows what she can afford and how far she is from the rest', async () => {
    const res = jsonOf(await wcall(app, 'GET', 'rewards', { token: alice }), 200) as RewardsResponse;
    assert.equal(res.balance, 30);
    const byId = new Map(res.rewards.map((r) => [r.id, r]));
    assert.deepEqual([...byId.keys()], ['five-off', 'ten-off', 'shaker']);
    assert.deepEqual(
      { ...byId.get('five-off')! },
      {
        id: 'five-off',
        label: '5% off your next order',
        points: 30,
        discount: { kind: 'PERCENT_OFF', value: 5, label: '5% off your next order' },
        validityDays: 30,
        perCustomerLimit: 3,
        redeemed: 0,
        affordable: true,
        shortfall: 0,
      },
    );
    assert.equal(byId.get('ten-off')!.affordable, false);
    assert.equal(byId.get('ten-off')!.shortfall, 70);
    assert.equal(byId.get('shaker')!.description, 'Our 700 ml HydraFit shaker, added to your next order.');
    // In Spanish (Accept-Language), with Content-Language saying so.
    const es = await wcall(app, 'GET', 'rewards', { token: alice, headers: { 'accept-language': 'es-MX,es;q=0.9' } });
    assert.equal(es.headers['content-language'], 'es');
    assert.equal(es.json().rewards[0].label, '5 % de descuento en tu próximo pedido');
  });

  it('she redeems "5% off": 201 with the coupon, the balance drops by 30; the same key again answers the same bytes', async () => {
    const res = await wcall(app, 'POST', 'me/redemptions', {
      token: alice,
      key: 'r-1',
      body: { rewardId: 'five-off' },
    });
    redeemed = jsonOf(res, 201);
    firstBytes = res.body;
    assert.equal(redeemed.balance, 0);
    assert.equal(redeemed.redemption.rewardId, 'five-off');
    assert.equal(redeemed.redemption.points, 30);
    assert.equal(redeemed.redemption.label, '5% off your next order');
    assert.match(redeemed.redemption.coupon.code, /^[A-HJKMNP-Z2-9]{10}$/);
    assert.equal(redeemed.redemption.coupon.status, 'ACTIVE');
    assert.deepEqual(redeemed.redemption.coupon.discount, {
      kind: 'PERCENT_OFF',
      value: 5,
      label: '5% off your next order',
    });
    assert.equal(
      Date.parse(redeemed.redemption.coupon.expiresAt) - Date.parse(redeemed.redemption.createdAt),
      30 * 86_400_000,
    );
    const again = await wcall(app, 'POST', 'me/redemptions', {
      token: alice,
      key: 'r-1',
      body: { rewardId: 'five-off' },
    });
    assert.equal(again.statusCode, 201);
    assert.equal(again.body, firstBytes, 'a replay answers the first answer’s exact bytes');
    assert.equal(jsonOf(await wcall(app, 'GET', 'me', { token: alice }), 200).balance, 0);
  });

  it('her points show the REDEEM entry, her redemptions the coupon; the catalogue counts it', async () => {
    const points = jsonOf(await wcall(app, 'GET', 'me/points', { token: alice }), 200);
    assert.equal(points.balance, 0);
    assert.equal(points.entries[0].type, 'REDEEM');
    assert.equal(points.entries[0].points, -30);
    assert.equal(points.entries[0].challengeId, null);
    const list = jsonOf(await wcall(app, 'GET', 'me/redemptions', { token: alice }), 200);
    assert.deepEqual(list.redemptions, [redeemed.redemption]);
    const cat = jsonOf(await wcall(app, 'GET', 'rewards', { token: alice }), 200) as RewardsResponse;
    assert.equal(cat.rewards[0].redeemed, 1);
    assert.equal(cat.rewards[0].affordable, false);
    assert.equal(cat.rewards[0].shortfall, 30);
  });

  it('bob sees none of it, cannot afford it, and cannot use alice’s coupon at the checkout (703)', async () => {
    assert.deepEqual(jsonOf(await wcall(app, 'GET', 'me/redemptions', { token: bob }), 200).redemptions, []);
    const e = errorOf(
      await wcall(app, 'POST', 'me/redemptions', { token: bob, key: 'b-1', body: { rewardId: 'five-off' } }),
      422,
      'INSUFFICIENT_POINTS',
    );
    assert.deepEqual(e.details, { shortfall: 30, balance: 0, points: 30 });
    assert.match(e.message, /30 more points/);
    const code = redeemed.redemption.coupon.code;
    const check = await cap(app, 'GET', `/v2/coupon/is_redeemable?id=${BOB}&code=${code}`);
    assert.equal(check.status, 200);
    assert.equal(check.body.redemption[0].isRedeemable, false);
    assert.equal(check.body.redemption[0].error.code, 703);
    const use = await cap(app, 'POST', '/v2/coupon/redeem', {
      redemptionRequestList: [{ code }],
      user: { id: BOB },
      billAmount: 100,
      transactionNumber: 'bob-1',
    });
    assert.equal(use.status, 400);
    assert.equal(use.body.errors[0].code, 703);
  });

  it('the shop checks alice’s coupon and uses it once; a second use is refused (711) and her coupon reads REDEEMED', async () => {
    const code = redeemed.redemption.coupon.code;
    const check = await cap(app, 'GET', `/v2/coupon/is_redeemable?externalId=alice&code=${code}&details=true`);
    assert.equal(check.status, 200);
    assert.deepEqual(
      { ...check.body.redemption[0], couponDetails: undefined },
      { code, isRedeemable: true, redemptionsLeft: 1, couponDetails: undefined },
    );
    assert.equal(check.body.redemption[0].couponDetails.discountType, 'PERC');
    const use = await cap(app, 'POST', '/v2/coupon/redeem', {
      redemptionRequestList: [{ code }],
      user: { externalId: 'alice' },
      billAmount: 80,
      transactionNumber: 'order-1',
    });
    assert.equal(use.status, 200);
    assert.deepEqual(use.body.errors, []);
    const [r] = use.body.redemption;
    assert.equal(r.code, code);
    assert.equal(r.couponValue, 4, '5% of 80');
    assert.equal(r.discountType, 'PERC');
    assert.deepEqual(r.redemptionStatus, { status: true, code: 700, message: 'Coupon redeemed' });
    const second = await cap(app, 'POST', '/v2/coupon/redeem', {
      redemptionRequestList: [{ code }],
      user: { externalId: 'alice' },
      transactionNumber: 'order-2',
    });
    assert.equal(second.status, 409);
    assert.equal(second.body.errors[0].code, 711);
    const list = jsonOf(await wcall(app, 'GET', 'me/redemptions', { token: alice }), 200);
    assert.equal(list.redemptions[0].coupon.status, 'REDEEMED');
    const coupons = await cap(app, 'GET', `/v2/customers/${ALICE}/coupons`);
    assert.equal(coupons.body.coupons[0].code, code);
    assert.equal(coupons.body.coupons[0].status, 'REDEEMED');
    assert.equal(coupons.body.coupons[0].redemptionCount, 1);
  });
});

describe('redemptions through the widget API: exactly once, limits, refusals', () => {
  let app: FastifyInstance;
  let alice: string, bob: string, carol: string;

  before(async () => {
    app = await widgetApp();
    alice = await demoSession(app, 'alice');
    bob = await demoSession(app, 'bob');
    carol = await demoSession(app, 'carol');
  });
  after(() => app?.close());

  it('50 redemptions at once with 50 keys of a reward the balance covers once: one coupon, 49 INSUFFICIENT_POINTS', async () => {
    await grant(app, ALICE, 30);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        wcall(app, 'POST', 'me/redemptions', { token: alice, key: `p-${i}`, body: { rewardId: 'five-off' } }),
      ),
    );
    const created = answers.filter((r) => r.statusCode === 201);
    const refused = answers.filter((r) => r.statusCode === 422);
    assert.equal(created.length, 1, answers.map((r) => r.statusCode).join(','));
    assert.equal(refused.length, 49);
    for (const r of refused) assert.equal(r.json().error.code, 'INSUFFICIENT_POINTS');
    assert.equal(jsonOf(await wcall(app, 'GET', 'me', { token: alice }), 200).balance, 0);
    assert.equal(jsonOf(await wcall(app, 'GET', 'me/redemptions', { token: alice }), 200).redemptions.length, 1);
    const coupons = await cap(app, 'GET', `/v2/customers/${ALICE}/coupons`);
    assert.equal(coupons.body.coupons.length, 1);
  });

  it('a per-customer limit holds under concurrency too: 50 at once of "5% off" (limit 3) with plenty of points give 3', async () => {
    await grant(app, BOB, 1000);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        wcall(app, 'POST', 'me/redemptions', { token: bob, key: `l-${i}`, body: { rewardId: 'five-off' } }),
      ),
    );
    assert.equal(answers.filter((r) => r.statusCode === 201).length, 3);
    const limited = answers.filter((r) => r.statusCode === 409);
    assert.equal(limited.length, 47);
    assert.equal(limited[0].json().error.code, 'REWARD_LIMIT_REACHED');
    assert.deepEqual(limited[0].json().error.details, { limit: 3 });
    assert.equal(jsonOf(await wcall(app, 'GET', 'me', { token: bob }), 200).balance, 910);
  });

  it('the same key with another reward is 422 IDEMPOTENCY_KEY_REUSED; no key is 400; an unknown reward 404', async () => {
    await grant(app, CAROL, 200);
    jsonOf(
      await wcall(app, 'POST', 'me/redemptions', { token: carol, key: 'c-1', body: { rewardId: 'ten-off' } }),
      201,
    );
    errorOf(
      await wcall(app, 'POST', 'me/redemptions', { token: carol, key: 'c-1', body: { rewardId: 'five-off' } }),
      422,
      'IDEMPOTENCY_KEY_REUSED',
    );
    const noKey = errorOf(
      await wcall(app, 'POST', 'me/redemptions', { token: carol, body: { rewardId: 'five-off' } }),
      400,
      'IDEMPOTENCY_KEY_REQUIRED',
    );
    assert.match(noKey.message, /redemption/);
    errorOf(
      await wcall(app, 'POST', 'me/redemptions', { token: carol, key: 'c-2', body: { rewardId: 'nope' } }),
      404,
      'REWARD_NOT_FOUND',
    );
    const limit = errorOf(
      await wcall(app, 'POST', 'me/redemptions', { token: carol, key: 'c-3', body: { rewardId: 'ten-off' } }),
      409,
      'REWARD_LIMIT_REACHED',
    );
    assert.match(limit.message, /already redeemed/);
    errorOf(
      await wcall(app, 'POST', 'me/redemptions', { token: carol, key: 'c-4', body: { rewardId: 'ten-off', x: 1 } }),
      400,
      'VALIDATION_FAILED',
    );
    errorOf(await wcall(app, 'GET', 'rewards'), 401, 'TOKEN_MISSING');
    assert.equal(jsonOf(await wcall(app, 'GET', 'me', { token: carol }), 200).balance, 100);
  });
});

describe('the Capillary-compatible surface: points, coupons, the rewards catalogue', () => {
  let app: FastifyInstance;

  before(async () => {
    app = await widgetApp();
  });
  after(() => app?.close());

  it('v1.1 isredeemable and redeem: the v1.1 envelope; external_reference_number makes a redeem count once', async () => {
    await grant(app, CAROL, 50);
    const yes = await cap(app, 'GET', `/v1.1/points/isredeemable?id=${CAROL}&points=50&program_id=1`);
    assert.equal(yes.status, 200);
    assert.deepEqual(yes.body.response.status, { success: 'true', code: 200, message: 'Success' });
    assert.equal(yes.body.response.points.redeemable.is_redeemable, 'true');
    assert.equal(yes.body.response.points.redeemable.item_status.code, 800);
    const no = await cap(app, 'GET', `/v1.1/points/isredeemable?external_id=carol&points=51`);
    assert.equal(no.body.response.points.redeemable.is_redeemable, 'false');
    const body = {
      root: {
        redeem: [
          {
            points_redeemed: 20,
            customer: { external_id: 'carol' },
            transaction_number: 't-1',
            external_reference_number: 'ref-1',
          },
        ],
      },
    };
    const first = await cap(app, 'POST', '/v1.1/points/redeem?program_id=1&format=json', body);
    assert.equal(first.status, 200);
    const p = first.body.response.responses.points;
    assert.equal(p.points_redeemed, 20);
    assert.equal(p.balance, 30);
    assert.equal(p.item_status.code, 800);
    const again = await cap(app, 'POST', '/v1.1/points/redeem', body);
    assert.equal(again.body.response.responses.points.redemption_id, p.redemption_id);
    const over = await cap(app, 'POST', '/v1.1/points/redeem', {
      root: { redeem: [{ points_redeemed: 31, customer: { id: CAROL }, external_reference_number: 'ref-2' }] },
    });
    assert.equal(over.status, 400);
    assert.equal(over.body.response.status.success, 'false');
    assert.equal(over.body.response.status.code, 310912);
    const unknown = await cap(app, 'GET', `/v1.1/points/isredeemable?external_id=nobody&points=1`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.response.status.code, 8015);
    const mobile = await cap(app, 'GET', `/v1.1/points/isredeemable?mobile=9199&points=1`);
    assert.equal(mobile.status, 400);
    // The ledger: a DEBIT of the redemption.
    const ledger = await cap(
      app,
      'GET',
      `/v2/pointsLedger/getCustomerLedgerInfo?identifierName=id&identifierValue=${CAROL}&limit=10`,
    );
    const [entry] = ledger.body.ledgerDetails.ledgerEntries;
    assert.deepEqual(
      { type: entry.ledgerEntryType, event: entry.eventType, points: entry.points },
      { type: 'DEBIT', event: 'REDEMPTION', points: -20 },
    );
    // v2 reverse: the points back once; a second is 902.
    const rev = await cap(app, 'POST', '/v2/points/reverse', {
      redemptionId: p.redemption_id,
      identifier: { type: 'externalId', value: 'carol' },
    });
    assert.equal(rev.status, 200);
    assert.equal(rev.body.pointsReversed, 20);
    assert.deepEqual(rev.body.pointsReversedDetails, { available: 20, expired: 0 });
    assert.equal(typeof rev.body.reversalId, 'number');
    const twice = await cap(app, 'POST', '/v2/points/reverse', { redemptionId: p.redemption_id });
    assert.equal(twice.status, 409);
    assert.equal(twice.body.errors[0].code, 902);
    assert.equal((await cap(app, 'GET', `/v2/customers/${CAROL}/points/balance`)).body.totalPoints, 50);
    const credit = await cap(
      app,
      'GET',
      `/v2/pointsLedger/getCustomerLedgerInfo?identifierName=id&identifierValue=${CAROL}&limit=1`,
    );
    assert.equal(credit.body.ledgerDetails.ledgerEntries[0].ledgerEntryType, 'CREDIT');
  });

  it('coupon series → issue → is_redeemable → redeem; expired (713) and unknown (702) codes; no transaction number (718)', async () => {
    const series = await cap(app, 'POST', '/v2/coupon/series', {
      description: '10 off',
      discountType: 'ABS',
      discountValue: 10,
      discountOn: 'BILL',
      expiryStrategyType: 'DAYS',
      expiryStrategyValue: 7,
      maxRedeem: 1,
    });
    assert.equal(series.status, 200);
    assert.equal(typeof series.body.id, 'number');
    const issued = await cap(app, 'POST', '/v2/coupon/issue', { seriesId: series.body.id, customer: { id: BOB } });
    assert.equal(issued.status, 200);
    assert.equal(issued.body.discountType, 'ABS');
    assert.equal(issued.body.discountValue, 10);
    assert.equal(issued.body.redemptionCount, 0);
    const code = issued.body.code as string;
    const noTxn = await cap(app, 'POST', '/v2/coupon/redeem', { redemptionRequestList: [{ code }], user: { id: BOB } });
    assert.equal(noTxn.body.errors[0].code, 718);
    const unknown = await cap(app, 'GET', `/v2/coupon/is_redeemable?id=${BOB}&code=NOPE,${code}`);
    assert.equal(unknown.body.redemption[0].error.code, 702);
    assert.equal(unknown.body.redemption[1].isRedeemable, true);
    const nobody = await cap(app, 'POST', '/v2/coupon/redeem', {
      redemptionRequestList: [{ code }],
      user: { externalId: 'nobody' },
      transactionNumber: 'x',
    });
    assert.equal(nobody.status, 404);
    assert.equal(nobody.body.errors[0].code, 701);
    jsonOf(await wcall(app, 'POST', '/demo/clock', { body: { advanceDays: 8 } }), 200);
    const expired = await cap(app, 'POST', '/v2/coupon/redeem', {
      redemptionRequestList: [{ code }],
      user: { id: BOB },
      transactionNumber: 'late',
    });
    assert.equal(expired.status, 400);
    assert.equal(expired.body.errors[0].code, 713);
    const list = await cap(app, 'GET', `/v2/customers/${BOB}/coupons?status=EXPIRED`);
    assert.equal(list.body.coupons.length, 1);
    assert.equal(list.body.coupons[0].status, 'EXPIRED');
    jsonOf(await wcall(app, 'POST', '/demo/clock', { body: { reset: true } }), 200);
  });

  it('the rewards catalogue: the brand’s list, issue once per requestId, the limit (12005), revoke gives the points back once', async () => {
    const list = await cap(app, 'GET', '/api_gateway/rewards/core/v1/user/reward/brand/demo?page=0&size=10');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.status, { success: true, code: 200, message: 'Success' });
    assert.deepEqual(
      list.body.rewardList.map((r: any) => [r.id, r.catalogueId, r.paymentConfigs[0].points]),
      [
        [1, 'five-off', 30],
        [2, 'ten-off', 100],
        [3, 'shaker', 300],
      ],
    );
    await grant(app, ALICE, 200);
    const issue = (requestId: string, reward = 2) =>
      cap(app, 'POST', `/api_gateway/rewards/core/v1/user/reward/${reward}/issue?username=demo.till`, {
        externalId: 'alice',
        brand: 'demo',
        transactionNumber: 'tx-1',
        requestId,
        programId: 1,
        quantity: 1,
        paymentConfig: { id: 1 },
      });
    const first = await issue('rq-1');
    assert.equal(first.status, 200);
    assert.equal(first.body.intouch.pointsRedeemed, 100);
    assert.match(first.body.intouch.couponCode, /^[A-HJKMNP-Z2-9]{10}$/);
    assert.equal(first.body.requestId, 'rq-1');
    const again = await issue('rq-1');
    assert.deepEqual(again.body, first.body, 'the same requestId answers the first issue');
    const limit = await issue('rq-2');
    assert.equal(limit.status, 409);
    assert.deepEqual(limit.body.status.code, 12005);
    assert.equal(limit.body.status.success, false);
    const missing = await issue('rq-3', 99);
    assert.equal(missing.status, 404);
    assert.equal((await cap(app, 'GET', `/v2/customers/${ALICE}/points/balance`)).body.totalPoints, 100);
    const revoke = await cap(app, 'POST', '/api_gateway/rewards/core/v1/user/reward/revoke?username=demo.till', {
      txnId: first.body.transactionId,
    });
    assert.equal(revoke.status, 200);
    assert.equal(revoke.body.rewardStatus, 'CANCELLED');
    assert.equal(revoke.body.pointsReversed, 100);
    const twice = await cap(app, 'POST', '/api_gateway/rewards/core/v1/user/reward/revoke', {
      txnId: first.body.transactionId,
    });
    assert.equal(twice.body.pointsReversed, 0);
    assert.equal((await cap(app, 'GET', `/v2/customers/${ALICE}/points/balance`)).body.totalPoints, 200);
    const noRequest = await cap(app, 'POST', '/api_gateway/rewards/core/v1/user/reward/1/issue', {
      externalId: 'alice',
    });
    assert.equal(noRequest.status, 400);
  });
});
