import { expect } from '@open-wc/testing';
import { UccPoints, UccProvider } from '../../src/index.js';
import { OfflineQueue } from '../../src/api/offline-queue.js';
import { $, FakeClient, freshQueueName, points, text, until } from './helpers.js';

const jwt = (sub: string) =>
  `x.${btoa(JSON.stringify({ sub, exp: Math.floor(Date.now() / 1000) + 3600 })).replace(/=+$/, '')}.y`;
let n = 0;
/** A provider element built and given `props` before its class is defined (a page whose script loads late). */
async function lateProvider(props: Partial<UccProvider>) {
  const tag = `late-provider-${n}`,
    child = `late-points-${n++}`;
  const el = document.createElement(tag) as UccProvider;
  Object.assign(el, { queueName: freshQueueName() }, props);
  el.append(document.createElement(child));
  document.body.append(el);
  customElements.define(tag, class extends UccProvider {});
  customElements.define(child, class extends UccPoints {});
  return el;
}

describe('properties set before the element is defined', () => {
  let stubbed: typeof fetch | undefined;
  afterEach(() => {
    if (stubbed) window.fetch = stubbed;
    stubbed = undefined;
  });
  const stub = (seen: string[]) => {
    stubbed = window.fetch;
    window.fetch = async (i: RequestInfo | URL, init?: RequestInit) => {
      seen.push(new Request(i, init).headers.get('authorization') ?? '');
      return new Response(JSON.stringify(points()), { headers: { 'content-type': 'application/json' } });
    };
  };

  it('a token set before define is used', async () => {
    const seen: string[] = [];
    stub(seen);
    const tok = jwt('alice');
    const el = await lateProvider({ token: tok });
    try {
      const pts = el.firstElementChild as UccPoints;
      await until(() => $(pts, '[part=balance]'));
      expect(text(pts)).not.to.contain('Sign in');
      expect(seen[0]).to.equal(`Bearer ${tok}`);
    } finally {
      el.remove();
    }
  });

  it('a tokenProvider set before define is used', async () => {
    const seen: string[] = [];
    stub(seen);
    const tok = jwt('bob');
    const el = await lateProvider({ tokenProvider: async () => tok });
    try {
      const pts = el.firstElementChild as UccPoints;
      await until(() => $(pts, '[part=balance]'));
      expect(seen[0]).to.equal(`Bearer ${tok}`);
    } finally {
      el.remove();
    }
  });

  it('a client set before define sends the logs queued on an earlier page, and nothing goes to the default client', async () => {
    const seen: string[] = [];
    stub(seen);
    const queueName = freshQueueName();
    await new OfflineQueue(queueName).add({
      key: 'k1',
      owner: '',
      request: { challengeId: 'c1', quantity: 1 },
      queuedAt: new Date().toISOString(),
    });
    const client = new FakeClient();
    const el = await lateProvider({ client, queueName });
    try {
      await until(() => client.count('logActivity') === 1);
      await new Promise((r) => setTimeout(r, 50));
      expect(seen).to.deep.equal([]);
      expect(client.calls.filter((c) => c.method === 'logActivity').map((c) => c.args[1])).to.deep.equal(['k1']);
    } finally {
      el.remove();
    }
  });

  it('a client set before define is used', async () => {
    const client = new FakeClient();
    const el = await lateProvider({ client });
    try {
      const pts = el.firstElementChild as UccPoints;
      await until(() => $(pts, '[part=balance]'));
      expect(el.store!.client).to.equal(client);
      expect(client.count('points')).to.equal(1);
    } finally {
      el.remove();
    }
  });
});
