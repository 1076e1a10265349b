/**
 * Upstream mode under faults, injected for real: the widget server drives a Capillary-compatible
 * organisation (a second process of our server, asynchronous webhooks, unique-key events) through
 * a fault proxy — latency, 5xx, 429 with and without Retry-After, a connection dropped after the
 * upstream committed, the upstream down for a minute. After recovery the organisation holds exactly
 * one group, one promotion and one enrolment per created challenge, and counts each log exactly
 * once (its progress equals the sum of the logs that were not undone): nothing lost, nothing twice.
 *
 * UCC_FAULT_DOWN_MS shortens the outage for a quick local run (default: one minute).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import type { Challenge } from '../../contract/widget-api.js';
import { errorOf, jsonOf, wcall, widgetApp } from './helpers.js';
import { startUpstream, waitFor, type Upstream } from './upstream/upstream-server.js';
import { startFaultProxy, type FaultProxy } from './upstream/fault-proxy.js';

const DOWN_MS = Number(process.env.UCC_FAULT_DOWN_MS ?? 60_000);

describe('upstream mode under faults', () => {
  let upstream: Upstream;
  let proxy: FaultProxy;
  let app: FastifyInstance;
  const tokens: Record<string, string> = {};
  /** Every challenge each customer created, and the sum over their groups that the platform should count. */
  const created: Record<string, string[]> = { alice: [], bob: [], carol: [] };
  const logged: Record<string, number> = { alice: 0, bob: 0, carol: 0 };
  let n = 0;

  const create = (who: string, key: string, periods = 3) =>
    wcall(app, 'POST', 'me/challenges', {
      token: tokens[who],
      key,
      body: { templateId: 'water', target: 8, period: 'DAILY', periods },
    });
  const created201 = async (who: string, key: string) => {
    const c = jsonOf(await create(who, key), 201).challenge as Challenge;
    created[who].push(c.id);
    return c;
  };
  const log = async (who: string, challengeId: string, quantity: number, status = 201) => {
    const res = jsonOf(
      await wcall(app, 'POST', 'me/activities', {
        token: tokens[who],
        key: `f-${++n}`,
        body: { challengeId, quantity },
      }),
      status,
    );
    assert.equal(res.pending, true);
    // A log counts in every running challenge of the customer's on its activity (each is a group upstream).
    logged[who] += quantity * res.challenges.length;
    return res;
  };
  const ours = async () => (await upstream.api.targetGroups()).filter((g) => g.name.startsWith('ucc_demo_'));
  /** The organisation's own view equals what was created and logged: one of each object, each log once. */
  const exactlyOnce = async (who: string) => {
    let seen = -1;
    await waitFor(async () => (seen = await upstream.api.achieved(who)) === logged[who], {
      timeoutMs: 15_000,
      what: `${who}'s logs counted upstream (${logged[who]})`,
    }).catch(async (e) => {
      const outbox = await app.ctx.store.read((tx) => tx.countOutbox('demo'));
      throw new Error(`${(e as Error).message}; the platform counts ${seen}; outbox ${JSON.stringify(outbox)}`);
    });
    const enrolled = await upstream.api.targetGroupsOf(who);
    assert.equal(enrolled.length, created[who].length, `${who}: one enrolment per challenge`);
    assert.equal(new Set(enrolled.map((g) => g.id)).size, enrolled.length);
  };
  const totals = async () => {
    const all = Object.values(created).flat().length;
    assert.equal((await ours()).length, all, 'one target group per challenge');
    assert.equal((await upstream.api.promotions()).length, all, 'one promotion per challenge');
  };

  before(async () => {
    upstream = await startUpstream({ asyncMs: 100, env: { UCC_DEMO_EVENT_KEY: 'uccLogId' } });
    proxy = await startFaultProxy(upstream.url);
    app = await widgetApp({
      upstreamUrl: proxy.url,
      upstreamGraceMs: 0,
      upstreamClient: {
        connectTimeoutMs: 500,
        totalTimeoutMs: 2000,
        retry: { attempts: 3, baseMs: 50, capMs: 300, maxRetryAfterMs: 5000 },
        breaker: { failureThreshold: 3, coolDownMs: 1500 },
      },
    });
    for (const who of ['alice', 'bob', 'carol'])
      tokens[who] = jsonOf(await wcall(app, 'POST', '/demo/session', { body: { customer: who } }), 200).token;
  });
  after(async () => {
    await app?.close();
    await proxy?.close();
    await upstream?.close();
  });

  it('with 80 ms on every upstream call, a create and its logs go through once', async () => {
    proxy.latency(80);
    const c = await created201('alice', 'lat-1');
    const t = Date.now();
    await log('alice', c.id, 4);
    assert.ok(Date.now() - t < 80, "a log's answer does not wait for the platform");
    await log('alice', c.id, 4);
    await exactlyOnce('alice');
    proxy.clearFaults();
  });

  it('a 5xx at each create step: the same request again resumes the saga and makes each object once', async () => {
    for (const [i, step] of ['POST v3/targetGroups', 'POST api_gateway', 'POST v3/targetGroups/'].entries()) {
      const status = [503, 502, 500][i];
      // The third step is the enrolment (…/targets/{id}/enroll), reached once the first two are done.
      proxy.status(status, {
        match: i === 2 ? { method: 'POST', path: 'v3/targetGroups/' } : step,
        times: 1,
      });
      const key = `5xx-${i}`;
      if (i < 2) errorOf(await create('alice', key), 503, 'UPSTREAM_UNAVAILABLE');
      else {
        const first = await create('alice', key);
        // The enrolment may be retried inside the saga (a lost answer is enrolled again): 201 or 503.
        if (first.statusCode !== 201) errorOf(first, 503, 'UPSTREAM_UNAVAILABLE');
        else {
          created.alice.push(first.json().challenge.id);
          continue;
        }
      }
      await created201('alice', key);
    }
    await exactlyOnce('alice');
    await totals();
  });

  it('429 with and without Retry-After: logs wait and are counted once; a read still answers', async () => {
    const c = await created201('bob', '429-1');
    proxy.tooManyRequests({ match: 'POST webhooks', times: 2, retryAfter: 1 });
    await log('bob', c.id, 3);
    proxy.tooManyRequests({ match: 'POST webhooks', times: 2 });
    await log('bob', c.id, 2);
    proxy.tooManyRequests({ match: 'GET v3/users', times: 1 });
    const list = jsonOf(await wcall(app, 'GET', 'me/challenges', { token: tokens.bob }), 200);
    assert.equal(list.challenges[0].periods[0].value, 5, 'the local logs show whatever the platform says');
    await exactlyOnce('bob');
    assert.ok(proxy.count('POST webhooks/demo') >= 3, 'the 429s were seen');
  });

  it('a connection dropped after the upstream committed: the create finds its objects, the post is sent again and counted once', async () => {
    proxy.resetLog();
    proxy.dropAfterUpstream({ match: 'POST v3/targetGroups', times: 1 });
    proxy.dropAfterUpstream({ match: 'POST api_gateway', times: 1 });
    const c = await created201('bob', 'drop-1');
    assert.equal(proxy.count('POST v3/targetGroups'), 1, 'the group was not made twice');
    assert.ok(proxy.count('GET v3/milestones') >= 1, 'it was looked up by name instead');
    proxy.dropAfterUpstream({ match: { method: 'POST', path: 'v3/targetGroups/' }, times: 1 });
    const c2 = await created201('bob', 'drop-2');
    proxy.dropAfterUpstream({ match: 'POST webhooks', times: 1 });
    await log('bob', c.id, 5);
    await log('bob', c2.id, 1);
    await exactlyOnce('bob');
    await totals();
    assert.ok(proxy.count('POST webhooks/demo') >= 3, 'the dropped post was sent again');
  });

  it(`the upstream down for ${DOWN_MS / 1000} s: creates answer 503, logs queue (202, pending), reads are stale; after recovery nothing is lost or doubled`, async () => {
    const c = await created201('carol', 'down-0');
    await log('carol', c.id, 2);
    await exactlyOnce('carol');
    jsonOf(await wcall(app, 'GET', 'me/challenges', { token: tokens.carol }), 200); // a copy to serve stale
    const downAt = Date.now();
    await proxy.down();
    errorOf(await create('carol', 'down-1'), 503, 'UPSTREAM_UNAVAILABLE');
    // The breaker opens after a few failures: then creates fail fast, logs answer 202.
    await waitFor(
      async () => {
        const r = await create('carol', 'down-1');
        return (
          r.statusCode === 503 &&
          app.ctx.loyaltyFor(app.ctx.orgs.get('demo')!).available?.(app.ctx.orgs.get('demo')!) === false
        );
      },
      { timeoutMs: 20_000, what: 'the breaker to open' },
    );
    const t = Date.now();
    errorOf(await create('carol', 'down-1'), 503, 'UPSTREAM_UNAVAILABLE');
    assert.ok(Date.now() - t < 200, 'an open breaker answers at once');
    const queued = await log('carol', c.id, 3, 202);
    const undone = await log('carol', c.id, 1, 202);
    jsonOf(await wcall(app, 'DELETE', `me/activities/${undone.activity.id}`, { token: tokens.carol }), 200);
    logged.carol -= undone.challenges.length; // a queued log undone is a true undo: it never reaches the platform
    const stale = jsonOf(await wcall(app, 'GET', 'me/challenges', { token: tokens.carol }), 200);
    assert.equal(stale.stale, true);
    assert.equal(stale.challenges[0].periods[0].value, 5, 'the queued log counts in what she sees');
    assert.equal(jsonOf(await wcall(app, 'GET', 'me/points', { token: tokens.carol }), 200).stale, true);
    assert.equal(queued.challenges[0].periods[0].value, 5);
    await new Promise((r) => setTimeout(r, Math.max(0, DOWN_MS - (Date.now() - downAt))));
    await proxy.up();
    // The queued logs leave on their own. (Processed after the next create's enrolment, a log whose time falls in its
    // first period would count there too, as the platform counts by the event's time: docs/upstream.md.)
    await waitFor(
      async () => {
        const c = await app.ctx.store.read((tx) => tx.countOutbox('demo'));
        return !c.HELD && !c.SENDING;
      },
      { timeoutMs: 20_000, what: 'the queue to drain' },
    );
    await exactlyOnce('carol');
    // The same create again finishes it.
    await waitFor(async () => (await create('carol', 'down-1')).statusCode === 201, {
      timeoutMs: 20_000,
      what: 'the create after recovery',
    });
    created.carol.push(jsonOf(await create('carol', 'down-1'), 201).challenge.id);
    await exactlyOnce('carol');
    await totals();
    const fresh = jsonOf(await wcall(app, 'GET', 'me/challenges', { token: tokens.carol }), 200);
    assert.equal(fresh.stale, undefined);
    const counts = await app.ctx.store.read((tx) => tx.countOutbox('demo'));
    assert.deepEqual(
      Object.keys(counts).sort(),
      ['SENT', 'VOIDED'],
      `every post sent or voided: ${JSON.stringify(counts)}`,
    );
  });
});
