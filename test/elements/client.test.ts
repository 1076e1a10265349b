import { expect } from '@open-wc/testing';
import { UccClient } from '../../src/api/client.js';
import { UccError } from '../../src/api/errors.js';
import { OfflineQueue } from '../../src/api/offline-queue.js';
import { UccStore } from '../../src/context/store.js';
import { flush } from '../../src/context/store-log.js';
import { FakeClient, deferred, freshQueueName } from './helpers.js';

function client(handler: (req: Request) => Response | Promise<Response>) {
  const requests: Request[] = [];
  const c = new UccClient({
    base: 'https://api.test/ucc/v1',
    token: () => 'tok',
    timeout: 2000,
    fetch: async (input, init) => {
      const req = new Request(input, init);
      requests.push(req.clone());
      return handler(req);
    },
  });
  return { c, requests };
}
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('UccClient', () => {
  it('turns an error body into a UccError with code, message and details', async () => {
    const { c } = client(() =>
      json({ error: { code: 'TARGET_OUT_OF_RANGE', message: 'Too high', details: { min: 1, max: 20 } } }, 400),
    );
    const e = await c.createChallenge({ templateId: 'water', target: 99, period: 'DAILY', periods: 3 }).catch((x) => x);
    expect(e).to.be.instanceOf(UccError);
    expect({ status: e.status, code: e.code, message: e.message, details: e.details }).to.deep.equal({
      status: 400,
      code: 'TARGET_OUT_OF_RANGE',
      message: 'Too high',
      details: { min: 1, max: 20 },
    });
  });

  it('reads Retry-After (seconds or a date) into retryAfter in ms', async () => {
    const after = (v: string) =>
      client(() => new Response('', { status: 503, headers: { 'retry-after': v } }))
        .c.createChallenge({ templateId: 'water', target: 8, period: 'DAILY', periods: 3 })
        .catch((x: UccError) => x.retryAfter);
    expect(await after('120')).to.equal(120_000);
    const ms = (await after(new Date(Date.now() + 60_000).toUTCString()))!;
    expect(ms).to.be.within(58_000, 60_000);
    expect(await after('soon')).to.equal(undefined);
  });

  it('reports an unreachable server as NETWORK_ERROR with status 0', async () => {
    const { c } = client(() => Promise.reject(new TypeError('Failed to fetch')));
    const e = await c.undoActivity('a1').catch((x) => x);
    expect([e.status, e.code]).to.deep.equal([0, 'NETWORK_ERROR']);
  });

  it('asks for exactly the path when there is no query (no stray "?"), and the query when there is one', async () => {
    const { c, requests } = client(() => json({ activity: {}, challenges: [], rewards: [] }, 201));
    await c.logActivity({ challengeId: 'c1', quantity: 2 }, 'key-1');
    expect(requests[0].url).to.equal('https://api.test/ucc/v1/me/activities');
    const list = client(() => json({ activities: [] }));
    await list.c.activities({ challengeId: 'c1' });
    expect(list.requests[0].url).to.equal('https://api.test/ucc/v1/me/activities?challengeId=c1');
  });

  it('sends the Idempotency-Key, JSON body and bearer token with a log', async () => {
    const { c, requests } = client(() => json({ activity: {}, challenges: [], rewards: [] }, 201));
    await c.logActivity({ challengeId: 'c1', quantity: 2 }, 'key-1');
    const r = requests[0];
    expect([r.method, new URL(r.url).pathname]).to.deep.equal(['POST', '/ucc/v1/me/activities']);
    expect(r.headers.get('idempotency-key')).to.equal('key-1');
    expect(r.headers.get('authorization')).to.equal('Bearer tok');
    expect(await r.json()).to.deep.equal({ challengeId: 'c1', quantity: 2 });
  });

  it('takes a 202 (upstream mode: the loyalty programme unreachable, the log kept and sent on) as a success, body and all', async () => {
    const body = { activity: { id: 'a1' }, challenges: [], rewards: [], pending: true };
    const { c, requests } = client(() => json(body, 202));
    expect(await c.logActivity({ challengeId: 'c1', quantity: 1 }, 'key-1')).to.deep.equal(body);
    expect(requests.length, 'not retried').to.equal(1);
  });

  it('retries a log after a 503 (same key) but never a create', async () => {
    let n = 0;
    const { c, requests } = client(() =>
      n++ === 0
        ? json({ error: { code: 'UNAVAILABLE', message: 'x' } }, 503)
        : json({ challenge: {}, activity: {}, challenges: [], rewards: [] }, 201),
    );
    await c.logActivity({ challengeId: 'c1', quantity: 1 }, 'k');
    expect(requests.map((r) => r.headers.get('idempotency-key'))).to.deep.equal(['k', 'k']);
    n = 0;
    requests.length = 0;
    const e = await c
      .createChallenge({ templateId: 'water', target: 8, period: 'DAILY', periods: 3 }, 'k2')
      .catch((x) => x);
    expect(e.status).to.equal(503);
    expect(requests).to.have.length(1);
  });

  it('reads the reward catalogue and her redemptions, and redeems with the Idempotency-Key, retried with the same key', async () => {
    let n = 0;
    const answer = { redemption: { id: 'rd1' }, balance: 40 };
    const { c, requests } = client((req) =>
      req.method === 'POST'
        ? n++ === 0
          ? json({ error: { code: 'UNAVAILABLE', message: 'x' } }, 503)
          : json(answer, 201)
        : json(new URL(req.url).pathname.endsWith('/rewards') ? { rewards: [], balance: 70 } : { redemptions: [] }),
    );
    expect(await c.rewards()).to.deep.equal({ rewards: [], balance: 70 });
    expect(await c.redemptions()).to.deep.equal({ redemptions: [] });
    expect(await c.redeem('five-off', 'key-9')).to.deep.equal(answer);
    expect(requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).to.deep.equal([
      'GET /ucc/v1/rewards',
      'GET /ucc/v1/me/redemptions',
      'POST /ucc/v1/me/redemptions',
      'POST /ucc/v1/me/redemptions',
    ]);
    expect(requests.slice(2).map((r) => r.headers.get('idempotency-key'))).to.deep.equal(['key-9', 'key-9']);
    expect(await requests[3].json()).to.deep.equal({ rewardId: 'five-off' });
  });

  it('passes list filters as query parameters and skips empty ones', async () => {
    const { c, requests } = client(() => json({ activities: [] }));
    await c.activities({ challengeId: 'c1', from: '2026-11-01T00:00:00Z' });
    const u = new URL(requests[0].url);
    expect(Object.fromEntries(u.searchParams)).to.deep.equal({ challengeId: 'c1', from: '2026-11-01T00:00:00Z' });
  });
});

describe('OfflineQueue', () => {
  it('keeps entries across instances, oldest first, per customer', async () => {
    const name = freshQueueName();
    const a = new OfflineQueue(name);
    await a.add({ key: 'k2', owner: 'alice', request: { quantity: 2 }, queuedAt: '2026-11-26T10:00:01Z' });
    await a.add({ key: 'k1', owner: 'alice', request: { quantity: 1 }, queuedAt: '2026-11-26T10:00:00Z' });
    await a.add({ key: 'k3', owner: 'bob', request: { quantity: 3 }, queuedAt: '2026-11-26T10:00:02Z' });
    const b = new OfflineQueue(name); // as after a reload
    expect((await b.list('alice')).map((e) => e.key)).to.deep.equal(['k1', 'k2']);
    await b.remove('k1');
    expect((await new OfflineQueue(name).list()).map((e) => e.key)).to.deep.equal(['k2', 'k3']);
  });
});

describe('flush (the offline queue replay)', () => {
  it('sends a log queued during a replay in a second run, each exactly once', async () => {
    const queue = new OfflineQueue(freshQueueName());
    const client = new FakeClient();
    const gate = deferred<void>();
    const real = client.logActivity.bind(client);
    client.logActivity = async (b, k) => (await gate.promise, real(b, k));
    const store = new UccStore(client, queue);
    const entry = (key: string, at: string) => ({
      key,
      owner: '',
      request: { challengeId: 'c1', quantity: 1 },
      queuedAt: at,
    });
    await queue.add(entry('a', '2026-11-26T10:00:00Z'));
    const first = flush(store);
    await new Promise((r) => setTimeout(r, 50)); // the first run has listed the queue and is waiting on the network
    await queue.add(entry('b', '2026-11-26T10:00:01Z'));
    const second = flush(store);
    const third = flush(store);
    gate.resolve();
    await Promise.all([first, second, third]);
    expect(client.calls.filter((c) => c.method === 'logActivity').map((c) => c.args[1])).to.deep.equal(['a', 'b']);
    expect(await queue.list()).to.deep.equal([]);
  });
});
