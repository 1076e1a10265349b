import { expect, fixture, fixtureCleanup, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { UccError } from '../../src/api/errors.js';
import type { LogActivityRequest, LogActivityResponse } from '../../src/api/types.js';
import { backoff } from '../../src/context/store-log.js';
import type { UccLogActivity, UccProvider } from '../../src/index.js';
import { $, $$, FakeClient, button, freshQueueName, offline, text, until } from './helpers.js';

const sent = (client: FakeClient) =>
  client.calls.filter((c) => c.method === 'logActivity').map((c) => c.args as [LogActivityRequest, string]);

/** Answers logs with `answer()` (an error to throw, or undefined to record the log). */
function answering(client: FakeClient, answer: () => UccError | undefined) {
  const real = client.logActivity.bind(client);
  client.logActivity = (b, k): Promise<LogActivityResponse> => {
    const e = answer();
    client.calls.push({ method: 'attempt', args: [b, k] });
    return e ? Promise.reject(e) : real(b, k);
  };
}

async function inside(client: FakeClient, queue = freshQueueName(), token?: string) {
  const provider =
    await fixture<UccProvider>(html`<ucc-provider .client=${client} token=${token ?? ''} queue-name=${queue}>
    <ucc-log-activity challenge-id="c1"></ucc-log-activity></ucc-provider>`);
  const el = provider.querySelector<UccLogActivity>('ucc-log-activity')!;
  await until(() => $(el, 'form'));
  return { provider, el };
}

describe('offline queue', () => {
  const saved = { ...backoff };
  beforeEach(() => Object.assign(backoff, { base: 5, max: 20 }));
  afterEach(() => Object.assign(backoff, saved));

  it('keeps a log whose fixed token expired, asks to sign in again, and sends it once after a new token', async () => {
    const client = new FakeClient();
    let state: 'offline' | 'expired' | 'ok' = 'offline';
    answering(client, () =>
      state === 'offline'
        ? offline()
        : state === 'expired'
          ? new UccError(401, 'TOKEN_EXPIRED', 'Token expired')
          : undefined,
    );
    const { provider, el } = await inside(client, undefined, 'old');
    button(el, '+1 glass').click();
    await until(() => $(el, '[part=pending]'));

    state = 'expired';
    const expired: CustomEvent[] = [];
    document.addEventListener('ucc-token-expired', (e) => expired.push(e), { once: true });
    window.dispatchEvent(new Event('online'));
    await until(() => text(el).includes('Sign in again to send 1 saved log'));
    expect(expired).to.have.length(1);
    expect(expired[0].detail).to.deep.equal({ pending: 1 });
    expect(expired[0].composed && expired[0].bubbles).to.equal(true);
    expect(provider.store!.pending).to.have.length(1);
    await expect(el).to.be.accessible();

    state = 'ok';
    provider.token = 'new';
    await until(() => sent(client).length === 1);
    await until(() => !$(el, '[part=pending]'));
    await new Promise((r) => setTimeout(r, 50));
    expect(sent(client)).to.have.length(1);
    expect(text(el)).not.to.contain('Sign in again');
  });

  it('queues a log the service answered 503, retries with backoff and sends it once; says it cannot reach, never offline', async () => {
    const client = new FakeClient();
    let fails = 3;
    answering(client, () => (fails-- > 0 ? new UccError(503, 'HTTP_503', 'Service Unavailable') : undefined));
    const { el } = await inside(client);
    const seen: string[] = [];
    button(el, '+1 glass').click();
    await until(() => (seen.push(text(el)), sent(client).length === 1));
    await until(() => (seen.push(text(el)), !$(el, '[part=pending]')));
    await new Promise((r) => setTimeout(r, 50));
    expect(sent(client)).to.have.length(1);
    expect(client.count('attempt')).to.equal(4);
    expect(seen.some((t) => t.includes("We can't reach the service right now"))).to.equal(true);
    expect(seen.some((t) => /offline/i.test(t))).to.equal(false);
    expect(text(el)).not.to.contain("can't reach");
    expect($(el, '[part=error]')).to.equal(null);
  });

  it('waits as long as the Retry-After of a 429 before sending again', async () => {
    const client = new FakeClient();
    let fails = 1;
    answering(client, () => (fails-- > 0 ? new UccError(429, 'RATE_LIMITED', 'Slow down', undefined, 300) : undefined));
    const { el, provider } = await inside(client);
    await provider.store!.replay!(); // the replay on connect is over: only the retry timer sends now
    const t0 = Date.now();
    button(el, '+1 glass').click();
    await until(() => $(el, '[part=pending]'));
    await until(() => sent(client).length === 1);
    expect(Date.now() - t0).to.be.at.least(290);
    await until(() => !$(el, '[part=pending]'));
  });

  it('shows a queued log the server refused with its quantity and time until dismissed, across a re-read', async () => {
    const queue = freshQueueName();
    const client = new FakeClient();
    let refuse = false;
    answering(client, () =>
      refuse ? new UccError(422, 'OUTSIDE_BACKFILL_WINDOW', 'Too late to log this') : offline(),
    );
    const { el } = await inside(client, queue);
    const q = $<HTMLInputElement>(el, '#quantity');
    q.focus();
    q.select();
    await sendKeys({ type: '3' });
    button(el, 'Log').click();
    await until(() => $(el, '[part=pending]'));
    const at = new Date().toLocaleTimeString('en', { timeStyle: 'short' });

    refuse = true;
    window.dispatchEvent(new Event('online'));
    await until(() => $(el, '[part=refused]'));
    expect($(el, '[part=pending]')).to.equal(null);
    expect(text(el)).to.contain(`Not saved: 3 glasses at ${at} — Too late to log this`);
    await expect(el).to.be.accessible();

    fixtureCleanup(); // reload: the refusal is still there, and is not sent again
    const again = await inside(new FakeClient(), queue);
    await until(() => $(again.el, '[part=refused]'));
    expect(text(again.el)).to.contain('Not saved: 3 glasses');
    button(again.el, 'Dismiss').click();
    await until(() => !$(again.el, '[part=refused]'));
    fixtureCleanup();
    const third = await inside(new FakeClient(), queue);
    await third.provider.store!.refreshPending();
    expect(third.provider.store!.pending).to.deep.equal([]);
    expect($$(third.el, '[part=refused]')).to.have.length(0);
  });

  it('two providers on one queue deliver a log once, with one ucc-activity-logged, and both lists empty', async () => {
    const queue = freshQueueName();
    const client = new FakeClient();
    let up = false;
    answering(client, () => (up ? undefined : offline()));
    const a = await inside(client, queue);
    const b = await inside(client, queue);
    button(a.el, '+1 glass').click();
    await until(() => $(a.el, '[part=pending]') && $(b.el, '[part=pending]'));

    let events = 0;
    const count = () => events++;
    document.addEventListener('ucc-activity-logged', count);
    try {
      up = true;
      window.dispatchEvent(new Event('online'));
      await until(() => sent(client).length === 1);
      await until(() => !$(a.el, '[part=pending]') && !$(b.el, '[part=pending]'));
      await new Promise((r) => setTimeout(r, 100));
      expect(sent(client)).to.have.length(1);
      expect(events).to.equal(1);
      expect(a.provider.store!.pending).to.deep.equal([]);
      expect(b.provider.store!.pending).to.deep.equal([]);
    } finally {
      document.removeEventListener('ucc-activity-logged', count);
    }
  });
});
