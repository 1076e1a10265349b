/**
 * Upstream mode's edges: an unfinished create abandoned by the sweeper, a compensating undo, a customer
 * the organisation does not know, and the settings that turn upstream mode on (refused where they
 * would be wrong). The organisation is a second process of our server behind a fault proxy.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { readConfig } from '../../server/config.js';
import type { UpstreamLoyalty } from '../../server/loyalty/upstream-mode/backend.js';
import { errorOf, jsonOf, wcall, widgetApp, widgetToken } from './helpers.js';
import { startUpstream, waitFor, type Upstream } from './upstream/upstream-server.js';
import { startFaultProxy, type FaultProxy } from './upstream/fault-proxy.js';

describe('upstream mode: sagas, compensation, customers', () => {
  let upstream: Upstream;
  let proxy: FaultProxy;
  let app: FastifyInstance;
  let alice: string;
  const backend = () => app.ctx.loyaltyFor(app.ctx.orgs.get('demo')!) as UpstreamLoyalty;
  const water = { templateId: 'water', target: 8, period: 'DAILY', periods: 3 };

  before(async () => {
    upstream = await startUpstream({ asyncMs: 50, env: { UCC_DEMO_EVENT_KEY: 'uccLogId' } });
    proxy = await startFaultProxy(upstream.url);
    app = await widgetApp({
      upstreamUrl: proxy.url,
      upstreamGraceMs: 0,
      upstreamSagaStaleMs: 300,
      upstreamClient: { retry: { attempts: 2, baseMs: 20, capMs: 50, maxRetryAfterMs: 1000 } },
    });
    alice = jsonOf(await wcall(app, 'POST', '/demo/session', { body: { customer: 'alice' } }), 200).token;
  });
  after(async () => {
    await app?.close();
    await proxy?.close();
    await upstream?.close();
  });

  it('a create stuck before its enrolment is abandoned by the sweeper, and its key then answers 409 CREATE_ABANDONED', async () => {
    const rule = proxy.status(500, { match: { method: 'POST', path: 'v3/targetGroups/' } });
    errorOf(
      await wcall(app, 'POST', 'me/challenges', { token: alice, key: 'stuck', body: water }),
      503,
      'UPSTREAM_UNAVAILABLE',
    );
    rule.clear();
    const saga = await app.ctx.store.read((tx) => tx.getSaga('demo', 1001, 'stuck'));
    assert.equal(saga?.state, 'PROMOTION', 'the group and the promotion were made, the enrolment not');
    await new Promise((r) => setTimeout(r, 350));
    await backend().sender.sweep();
    assert.equal((await app.ctx.store.read((tx) => tx.getSaga('demo', 1001, 'stuck')))?.state, 'ABANDONED');
    errorOf(
      await wcall(app, 'POST', 'me/challenges', { token: alice, key: 'stuck', body: water }),
      409,
      'CREATE_ABANDONED',
    );
    assert.deepEqual(jsonOf(await wcall(app, 'GET', 'me/challenges', { token: alice }), 200).challenges, []);
    assert.deepEqual(await upstream.api.targetGroupsOf('alice'), [], 'alice was never enrolled');
  });

  it('the same key with another request is refused before anything is made', async () => {
    const before = proxy.count('POST v3/targetGroups');
    errorOf(
      await wcall(app, 'POST', 'me/challenges', { token: alice, key: 'stuck', body: { ...water, target: 9 } }),
      422,
      'IDEMPOTENCY_KEY_REUSED',
    );
    assert.equal(proxy.count('POST v3/targetGroups'), before);
  });

  it('after the post has left, undo is 409 UNDO_WINDOW_PASSED; with compensation declared, it sends a negative occurrence', async () => {
    const c = jsonOf(await wcall(app, 'POST', 'me/challenges', { token: alice, key: 'w', body: water }), 201).challenge;
    const post = async (key: string, quantity: number) =>
      jsonOf(
        await wcall(app, 'POST', 'me/activities', { token: alice, key, body: { challengeId: c.id, quantity } }),
        201,
      );
    const first = await post('a1', 5);
    await waitFor(async () => (await upstream.api.achieved('alice')) === 5, { what: 'the first log upstream' });
    errorOf(
      await wcall(app, 'DELETE', `me/activities/${first.activity.id}`, { token: alice }),
      409,
      'UNDO_WINDOW_PASSED',
    );
    const config = backend().config as { compensatingTemplates?: string[] };
    config.compensatingTemplates = ['water'];
    try {
      const second = await post('a2', 3);
      await waitFor(async () => (await upstream.api.achieved('alice')) === 8, { what: 'the second log upstream' });
      const undone = jsonOf(await wcall(app, 'DELETE', `me/activities/${second.activity.id}`, { token: alice }), 200);
      assert.equal(undone.challenges[0].periods[0].value, 5);
      await waitFor(async () => (await upstream.api.achieved('alice')) === 5, { what: 'the compensation upstream' });
    } finally {
      delete config.compensatingTemplates;
    }
  });

  it("/healthz shows the organisation's breaker and its outbox by state", async () => {
    const h = jsonOf(await app.inject({ method: 'GET', url: '/healthz' }), 200);
    assert.equal(h.status, 'ok');
    assert.equal(h.upstream.demo.breaker, 'closed');
    assert.ok(h.upstream.demo.outbox.SENT >= 1);
  });

  it('a customer the organisation does not know gets 403 CUSTOMER_NOT_IN_PROGRAMME, and nothing is made', async () => {
    const zoe = await widgetToken('zoe');
    const groups = (await upstream.api.targetGroups()).length;
    errorOf(
      await wcall(app, 'POST', 'me/challenges', { token: zoe, key: 'z', body: water }),
      403,
      'CUSTOMER_NOT_IN_PROGRAMME',
    );
    assert.equal((await upstream.api.targetGroups()).length, groups, 'asked for her id before making anything');
  });
});

describe('upstream mode settings', () => {
  it('UCC_UPSTREAM_URL is refused in production mode and when it is not an http(s) URL', () => {
    assert.throws(
      () =>
        readConfig({
          UCC_DEMO: '0',
          UCC_TOKEN_SECRET: 'x'.repeat(8) + 'abcdefghijklmnopqrstuvwxyz',
          UCC_UPSTREAM_URL: 'https://x.example/',
        }),
      /UCC_UPSTREAM_URL only applies in demo mode/,
    );
    assert.throws(() => readConfig({ UCC_UPSTREAM_URL: 'ftp://x' }), /http or https/);
    assert.throws(() => readConfig({ UCC_UPSTREAM_URL: 'not a url' }), /base URL/);
    assert.throws(() => readConfig({ UCC_UPSTREAM_GRACE_MS: '-1' }), /UCC_UPSTREAM_GRACE_MS/);
    assert.equal(readConfig({ UCC_UPSTREAM_URL: 'http://127.0.0.1:8788' }).upstreamUrl, 'http://127.0.0.1:8788/');
  });
});
