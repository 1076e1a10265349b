import { expect, fixture, html } from '@open-wc/testing';
import type { UccPoints, UccProvider } from '../../src/index.js';
import { clientContext } from '../../src/context/context.js';
import { ContextEvent } from '@lit/context';
import { $, freshQueueName, points, text, until } from './helpers.js';

/** Replaces window.fetch with a router over the widget API; records every request. */
function stubFetch(handler: (req: Request) => Response | Promise<Response>) {
  const real = window.fetch;
  const requests: Request[] = [];
  window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input, init);
    requests.push(req.clone());
    return handler(req);
  };
  return { requests, restore: () => (window.fetch = real) };
}
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
/** An unsigned JWT-shaped token; the provider only reads `sub` and `exp`. */
const jwt = (sub: string, exp = Math.floor(Date.now() / 1000) + 3600) =>
  `x.${btoa(JSON.stringify({ sub, exp })).replace(/=+$/, '')}.y`;

describe('<ucc-provider>', () => {
  let stub: ReturnType<typeof stubFetch> | undefined;
  afterEach(() => stub?.restore());

  it('renders its content and passes the accessibility audit', async () => {
    const el = await fixture<UccProvider>(
      html`<ucc-provider queue-name=${freshQueueName()}><p>Hello</p></ucc-provider>`,
    );
    await expect(el).to.be.accessible();
    expect(el.textContent).to.contain('Hello');
  });

  it('provides one client by context under Symbol.for("ucc-client")', async () => {
    expect(clientContext).to.equal(Symbol.for('ucc-client'));
    const el = await fixture<UccProvider>(
      html`<ucc-provider queue-name=${freshQueueName()}><div></div></ucc-provider>`,
    );
    const host = el.querySelector('div')!;
    let got: unknown;
    // Any element can ask by the community context protocol (a brand's own component).
    host.dispatchEvent(new ContextEvent(clientContext, host, (c) => (got = c)));
    expect(got).to.equal(el.store!.client);
  });

  it('asks a visitor without a token to sign in, then loads once a token is set', async () => {
    stub = stubFetch(() => json(points()));
    const el = await fixture<UccProvider>(
      html`<ucc-provider queue-name=${freshQueueName()}><ucc-points></ucc-points></ucc-provider>`,
    );
    const pts = el.querySelector<UccPoints>('ucc-points')!;
    await pts.updateComplete;
    expect(text(pts)).to.equal('Sign in to take part in challenges.');
    await expect(pts).to.be.accessible();
    expect(stub.requests).to.have.length(0);
    el.token = jwt('alice');
    await until(() => $(pts, '[part=balance]'));
  });

  it('uses a token set right after the provider is added to the page (as React wrappers and bundler code do)', async () => {
    stub = stubFetch(() => json(points()));
    const el = document.createElement('ucc-provider') as UccProvider;
    el.queueName = freshQueueName();
    el.append(document.createElement('ucc-points'));
    document.body.append(el); // connected: the store is built without a token …
    el.token = jwt('alice'); // … and the token arrives before Lit's first update
    try {
      const pts = el.querySelector<UccPoints>('ucc-points')!;
      await until(() => $(pts, '[part=balance]'));
      expect(text(pts)).not.to.contain('Sign in');
      expect(stub.requests[0].headers.get('authorization')).to.equal(`Bearer ${el.token}`);
    } finally {
      el.remove();
    }
  });

  it('sends the token as a Bearer header to api-base', async () => {
    stub = stubFetch(() => json(points()));
    const tok = jwt('alice');
    const el =
      await fixture<UccProvider>(html`<ucc-provider api-base="/api/ucc/v1" token=${tok} queue-name=${freshQueueName()}>
      <ucc-points></ucc-points></ucc-provider>`);
    const pts = el.querySelector<UccPoints>('ucc-points')!;
    await until(() => $(pts, '[part=balance]'));
    const req = stub.requests[0];
    expect(new URL(req.url).pathname).to.equal('/api/ucc/v1/me/points');
    expect(req.headers.get('authorization')).to.equal(`Bearer ${tok}`);
  });

  it('reloads every element for the new customer when the token changes', async () => {
    const [alice, bob] = [jwt('alice'), jwt('bob')];
    stub = stubFetch((req) => json(points({ balance: req.headers.get('authorization') === `Bearer ${bob}` ? 5 : 70 })));
    const el = await fixture<UccProvider>(
      html`<ucc-provider token=${alice} queue-name=${freshQueueName()}><ucc-points></ucc-points></ucc-provider>`,
    );
    const pts = el.querySelector<UccPoints>('ucc-points')!;
    await until(() => text(pts).includes('70 points'));
    el.token = bob;
    await until(() => text(pts).includes('Balance: 5 points'));
    expect(stub.requests).to.have.length(2);
  });

  it('reloads on refresh()', async () => {
    let balance = 1;
    stub = stubFetch(() => json(points({ balance })));
    const el = await fixture<UccProvider>(
      html`<ucc-provider token=${jwt('alice')} queue-name=${freshQueueName()}><ucc-points></ucc-points></ucc-provider>`,
    );
    const pts = el.querySelector<UccPoints>('ucc-points')!;
    await until(() => text(pts).includes('1 point'));
    balance = 2;
    await el.refresh();
    await until(() => text(pts).includes('2 points'));
  });

  it('asks tokenProvider for a token, and once more when the server says it expired', async () => {
    let n = 0;
    const tokens = [jwt('alice'), jwt('alice', Math.floor(Date.now() / 1000) + 7200)];
    stub = stubFetch((req) =>
      req.headers.get('authorization') === `Bearer ${tokens[0]}`
        ? json({ error: { code: 'TOKEN_EXPIRED', message: 'Token expired' } }, 401)
        : json(points()),
    );
    const el = await fixture<UccProvider>(html`<ucc-provider queue-name=${freshQueueName()}
      .tokenProvider=${async () => tokens[n++]}><ucc-points></ucc-points></ucc-provider>`);
    const pts = el.querySelector<UccPoints>('ucc-points')!;
    await until(() => $(pts, '[part=balance]'));
    expect(n).to.equal(2);
    expect(stub.requests.map((r) => r.headers.get('authorization'))).to.deep.equal([
      `Bearer ${tokens[0]}`,
      `Bearer ${tokens[1]}`,
    ]);
  });

  it('fetches a new token before the current one expires', async () => {
    let n = 0;
    stub = stubFetch(() => json(points()));
    const soon = Math.floor(Date.now() / 1000) + 30; // inside the one-minute margin
    const el = await fixture<UccProvider>(html`<ucc-provider queue-name=${freshQueueName()}
      .tokenProvider=${async () => (n++, jwt('alice', soon))}><ucc-points></ucc-points></ucc-provider>`);
    await until(() => $(el.querySelector('ucc-points')!, '[part=balance]'));
    await el.refresh();
    await until(() => n >= 2);
  });

  it('says the session ended after a second TOKEN_EXPIRED instead of looping', async () => {
    stub = stubFetch(() => json({ error: { code: 'TOKEN_EXPIRED', message: 'Your session has expired.' } }, 401));
    let _n = 0;
    const el = await fixture<UccProvider>(html`<ucc-provider queue-name=${freshQueueName()}
      .tokenProvider=${async () => (_n++, jwt('alice'))}><ucc-points></ucc-points></ucc-provider>`);
    await until(() => $(el, '[role=alert]'));
    expect(text(el))
      .to.contain('Your session has ended. Please sign in again.')
      .and.not.contain('Your session has expired.');
    expect(stub.requests).to.have.length(2);
    await expect(el).to.be.accessible();
  });
});
