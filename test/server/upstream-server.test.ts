/**
 * The test upstream (test/server/upstream/upstream-server.ts): a second process of our server with
 * UCC_CAPILLARY_ASYNC_MS, read through its own Capillary API. A webhook post is accepted at once and
 * counted only after the delay; a stop, a restart and a crash keep the data (and the pending posts).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { streakGroupBody, uccPromotionBody } from './helpers.js';
import { DEMO_UPSTREAM, startUpstream, waitFor, type Upstream } from './upstream/upstream-server.js';
import { startFaultProxy } from './upstream/fault-proxy.js';

const ASYNC_MS = 200;
let upstream: Upstream;
before(async () => {
  upstream = await startUpstream({ asyncMs: ASYNC_MS });
});
after(async () => {
  await upstream?.close();
});

const water = (customer: string, glasses: number, ext: string) => ({
  event_name: 'waterLogged',
  customer_id: customer,
  external_event_id: ext,
  eventDateTime: '2026-03-02 09:30:00',
  glasses,
});

describe('waitFor', () => {
  it('returns the first truthy value, and names what it waited for on a timeout', async () => {
    let n = 0;
    assert.equal(await waitFor(() => (++n >= 3 ? n : 0), { everyMs: 1 }), 3);
    await assert.rejects(
      waitFor(() => false, { timeoutMs: 30, everyMs: 5, what: 'nothing' }),
      /nothing not met within 30 ms/,
    );
    await assert.rejects(
      waitFor(
        () => {
          throw new Error('still failing');
        },
        { timeoutMs: 30, everyMs: 5 },
      ),
      /still failing/,
    );
  });
});

describe('the test upstream', () => {
  it('is the demo organisation: its customers, and nothing created yet', async () => {
    assert.match(upstream.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(upstream.webhookUrl, `${upstream.url}/webhooks/demo`);
    assert.equal(await upstream.api.userId('alice'), DEMO_UPSTREAM.customers.alice);
    assert.equal(await upstream.api.balance('alice'), 0);
    assert.deepEqual(await upstream.api.targetGroupsOf('alice'), []);
    assert.deepEqual(await upstream.api.targetGroups(), []);
    assert.deepEqual(await upstream.api.promotions(), []);
  });

  it('accepts a webhook post at once, and counts it only after UCC_CAPILLARY_ASYNC_MS', async () => {
    const { api } = upstream;
    // A one-day group on 2026-03-02 (target 2 glasses), its promotion (100 points), alice enrolled.
    const group = await api.call('POST', 'v3/targetGroups', streakGroupBody('helper_water', '2026-03-02', 1, 2, 1));
    assert.equal(group.status, 200);
    const tg = group.body.data;
    const promo = await api.call(
      'POST',
      'api_gateway/loyalty/v1/programs/1/createPromotion/SIMPLE',
      uccPromotionBody('helper_water', tg.id, tg.targets[0].id, tg.targets[0].name, 1),
    );
    assert.equal(promo.status, 200);
    const enrol = await api.call('POST', `v3/targetGroups/${tg.id}/targets/${tg.targets[0].id}/enroll`, [
      { customerId: 1001, periodName: 'Day_1' },
    ]);
    assert.equal(enrol.status, 200);
    assert.deepEqual(
      (await api.targetGroups()).map((g) => g.name),
      ['helper_water'],
    );
    assert.deepEqual(
      (await api.promotions()).map((p) => p.promotionName),
      ['helper_water_promo'],
    );

    const t0 = Date.now();
    const r = await api.postEvent(water('alice', 2, 'helper-1'));
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, {
      status: { code: 1100, message: 'Event is pushed to transformation state' },
      requestId: r.body.requestId,
    });
    const pending = await api.eventData(r.body.requestId);
    assert.equal(pending?.status, 'ACCEPTED');
    assert.equal(await api.achieved('alice'), 0, 'not counted yet');
    assert.equal(await api.balance('alice'), 0);

    const done = await api.settled(r.body.requestId);
    assert.ok(Date.now() - t0 >= ASYNC_MS, `processed after ${Date.now() - t0} ms`);
    assert.equal(done.status, 'PROCESSED');
    assert.equal(done.userId, 1001);
    assert.equal(done.duplicate, false);
    const [g] = await api.targetGroupsOf('alice');
    assert.equal(g!.name, 'helper_water');
    assert.deepEqual(
      g!.targets.map((t) => [t.periodRefCode, t.targetValue, t.targetAchievedValue]),
      [['Day_1', 2, 2]],
    );
    assert.equal(await api.achieved('alice'), 2);
    assert.equal(await api.balance('alice'), 100, 'rewarded once processed');
    assert.equal(await api.eventData('00000000-0000-4000-8000-000000000000'), null);
  });

  it('keeps its data across a stop and a restart, on the same port', async () => {
    const { url, port } = upstream;
    await upstream.stop();
    assert.equal(upstream.running, false);
    await assert.rejects(fetch(`${url}/v3/targetGroups`), 'nothing listens while stopped');
    assert.equal(await upstream.restart(), url);
    assert.equal(upstream.port, port);
    assert.equal(upstream.running, true);
    assert.equal(await upstream.api.balance('alice'), 100);
    assert.equal(await upstream.api.achieved('alice'), 2);
    assert.equal((await upstream.api.targetGroups()).length, 1);
  });

  it('a crash (kill) after accepting a post: the restarted upstream processes it', async () => {
    const r = await upstream.api.postEvent(water('bob', 1, 'helper-crash'));
    assert.equal(r.body.status.code, 1100);
    await upstream.kill(); // before the delay: the post is only ACCEPTED
    assert.equal(upstream.running, false);
    await upstream.restart();
    const done = await upstream.api.settled(r.body.requestId);
    assert.equal(done.status, 'PROCESSED');
    assert.equal(done.userId, 1002);
  });

  it('behind the fault proxy: a post whose answer is dropped after the upstream accepted it is still counted', async () => {
    const { api } = upstream;
    const [tg] = await api.targetGroups();
    const group = (await api.call('GET', `v3/targetGroups/${tg!.id}?includeUserCreatedTargetGroups=true`)).body.data;
    const enrol = await api.call('POST', `v3/targetGroups/${tg!.id}/targets/${group.targets[0].id}/enroll`, [
      { customerId: 1003, periodName: 'Day_1' },
    ]);
    assert.equal(enrol.status, 200);
    const proxy = await startFaultProxy(upstream.url);
    try {
      proxy.dropAfterUpstream({ match: 'POST webhooks/', times: 1 });
      await assert.rejects(
        fetch(`${proxy.url}/webhooks/demo`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: api.auth },
          body: JSON.stringify(water('carol', 1, 'helper-dropped')),
        }),
      );
      assert.equal(proxy.count('POST webhooks/demo', { forwarded: true }), 1);
      assert.equal(proxy.log[0]!.upstreamStatus, 200);
      assert.equal(await waitFor(() => api.achieved('carol'), { what: "carol's glass counted" }), 1);
    } finally {
      await proxy.close();
    }
  });
});
