import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import type { Challenge } from '../../contract/widget-api.js';
import { DEMO_TILL_AUTH, jsonOf, wcall, widgetApp, widgetToken } from './helpers.js';
import { validUntil } from '../../server/widget-api/read-cache.js';

const DEMO_BASIC = DEMO_TILL_AUTH;

describe('cached progress reads (GET /me/challenges)', () => {
  let app: FastifyInstance;
  let alice: string;
  let bob: string;
  let challenge: Challenge;
  const list = (token: string, headers: Record<string, string> = {}) =>
    wcall(app, 'GET', 'me/challenges?status=all', { token, headers });
  const valueToday = async (token: string) =>
    (jsonOf(await list(token), 200).challenges as Challenge[])[0].periods[0].value;

  before(async () => {
    app = await widgetApp();
    alice = await widgetToken('alice');
    bob = await widgetToken('bob');
    challenge = jsonOf(
      await wcall(app, 'POST', 'me/challenges', {
        token: alice,
        body: { templateId: 'water', target: 8, period: 'DAILY', periods: 30 },
      }),
      201,
    ).challenge;
    jsonOf(
      await wcall(app, 'POST', 'me/challenges', {
        token: bob,
        body: { templateId: 'water', target: 8, period: 'DAILY', periods: 3 },
      }),
      201,
    );
  });
  after(() => app.close());

  it('answers a repeated read with the same ETag, and 304 to If-None-Match', async () => {
    const first = await list(alice);
    const second = await list(alice);
    assert.equal(first.body, second.body);
    assert.ok(first.headers.etag);
    assert.equal(second.headers.etag, first.headers.etag);
    const again = await list(alice, { 'if-none-match': String(first.headers.etag) });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
  });

  it('sends gzip to a client that accepts it, the same JSON once unzipped', async () => {
    const plain = await list(alice);
    const zipped = await list(alice, { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.match(String(zipped.headers['content-type']), /application\/json/);
    assert.equal(gunzipSync(zipped.rawPayload).toString(), plain.body);
    assert.ok(zipped.rawPayload.length < plain.body.length / 3);
  });

  it("shows a log at once, and another customer's log does not disturb this customer's cached answer", async () => {
    assert.equal(await valueToday(alice), 0);
    const etag = (await list(alice)).headers.etag;
    jsonOf(
      await wcall(app, 'POST', 'me/activities', {
        token: bob,
        key: 'bob-1',
        body: { templateId: 'water', quantity: 2 },
      }),
      201,
    );
    assert.equal((await list(alice)).headers.etag, etag, "bob's write leaves alice's entry valid");
    jsonOf(
      await wcall(app, 'POST', 'me/activities', {
        token: alice,
        key: 'alice-1',
        body: { challengeId: challenge.id, quantity: 3 },
      }),
      201,
    );
    assert.equal(await valueToday(alice), 3);
    assert.notEqual((await list(alice)).headers.etag, etag);
  });

  it('shows an event posted through the Capillary webhook at once', async () => {
    const before = await valueToday(alice);
    const r = await app.inject({
      method: 'POST',
      url: '/webhooks/demo',
      headers: { authorization: DEMO_BASIC },
      payload: { event_name: 'waterLogged', customer_id: 'alice', external_event_id: 'cache-hook-1', glasses: 2 },
    });
    assert.equal(r.statusCode, 200);
    assert.equal(await valueToday(alice), before + 2);
  });

  it('moves to the next period when the demo clock advances', async () => {
    const before = jsonOf(await list(alice), 200).challenges[0] as Challenge;
    jsonOf(await wcall(app, 'POST', '/demo/clock', { body: { advanceDays: 1 } }), 200);
    const after = jsonOf(await list(alice), 200).challenges[0] as Challenge;
    assert.equal(after.currentPeriod, (before.currentPeriod ?? 0) + 1);
    assert.equal(after.daysLeft, before.daysLeft - 1);
  });

  it('expires an entry at the next period boundary or days-left change', () => {
    const now = Date.parse('2026-05-10T12:00:00Z');
    const c = {
      endsAt: '2026-05-12T00:00:00.000Z',
      daysLeft: 2,
      periods: [
        { start: '2026-05-09T00:00:00.000Z', end: '2026-05-10T00:00:00.000Z' },
        { start: '2026-05-10T00:00:00.000Z', end: '2026-05-11T00:00:00.000Z' },
        { start: '2026-05-11T00:00:00.000Z', end: '2026-05-12T00:00:00.000Z' },
      ],
    } as unknown as Challenge;
    assert.equal(validUntil([c], now), Date.parse('2026-05-11T00:00:00.000Z'));
    assert.equal(validUntil([], now), now + 86_400_000);
  });
});
