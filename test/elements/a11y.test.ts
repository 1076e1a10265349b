/** Keyboard focus, live-region announcements and customer-facing errors. */
import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import {
  UccStoreElement,
  type UccCreateChallenge,
  type UccLogActivity,
  type UccPoints,
  type UccProgress,
  type UccProvider,
} from '../../src/index.js';
import { UccError } from '../../src/api/errors.js';
import { $, $$, FakeClient, button, challenge, freshQueueName, inProvider, text, until } from './helpers.js';

/** The focused control of an element, by id or text (chai would hang describing a DOM node in a failure). */
const focused = (el: Element) => {
  const a = el.shadowRoot!.activeElement as HTMLElement | null;
  return a && (a.id ? `#${a.id}` : a.textContent!.trim());
};
/** Counts the text changes of a live region: each is one announcement. */
function announcements(region: Element) {
  const said: string[] = [];
  new MutationObserver(() => said.push(region.textContent!.trim())).observe(region, {
    childList: true,
    characterData: true,
    subtree: true,
  });
  return said;
}

/** Answers after 50 ms, as a network does: long enough for the browser to draw (and fix up focus) meanwhile. */
function slow(client: FakeClient) {
  const wait = () => new Promise((r) => setTimeout(r, 50));
  const [log, create, undo] = [
    client.logActivity.bind(client),
    client.createChallenge.bind(client),
    client.undoActivity.bind(client),
  ];
  client.logActivity = async (b, k) => (await wait(), log(b, k));
  client.createChallenge = async (b, k) => (await wait(), create(b, k));
  client.undoActivity = async (id) => (await wait(), undo(id));
  return client;
}

describe('keyboard focus after an action', () => {
  async function logger() {
    const client = slow(new FakeClient());
    const { el, provider } = await inProvider<UccLogActivity>(
      client,
      html`<ucc-log-activity challenge-id="c1"></ucc-log-activity>
      <ucc-progress></ucc-progress><ucc-points></ucc-points>`,
    );
    await until(() => $(el, 'form'));
    return { client, el, provider };
  }

  it('stays on +1 while it works, and a second Space logs again', async () => {
    const { client, el } = await logger();
    button(el, '+1 glass').focus();
    await sendKeys({ press: 'Space' });
    await until(() => client.count('logActivity') === 1 && text(el).includes('Logged'));
    expect(focused(el)).to.equal('+1 glass');
    await sendKeys({ press: 'Space' });
    await until(() => client.count('logActivity') === 2);
    await until(() => text(el).includes('7 of 8'));
    expect(focused(el)).to.equal('+1 glass');
  });

  it('stays on Log after logging a quantity', async () => {
    const { client, el } = await logger();
    button(el, 'Log').focus();
    await sendKeys({ press: 'Enter' });
    await until(() => client.count('logActivity') === 1 && button(el, 'Undo last entry'));
    expect(focused(el)).to.equal('Log');
  });

  it('moves to Log when Undo, which goes away, was used', async () => {
    const { client, el } = await logger();
    button(el, '+1 glass').click();
    await until(() => button(el, 'Undo last entry'));
    button(el, 'Undo last entry').focus();
    await sendKeys({ press: 'Space' });
    await until(() => client.count('undoActivity') === 1 && !button(el, 'Undo last entry'));
    await el.updateComplete;
    expect(focused(el)).to.equal('Log');
    await expect(el).to.be.accessible();
  });

  it('moves to the first control when the button that acted is disabled (the goal completed the challenge)', async () => {
    const client = new FakeClient();
    const answer = client.logAnswer.bind(client);
    client.logAnswer = (b, k) => {
      const res = answer(b, k);
      return { ...res, challenges: res.challenges.map((c) => ({ ...c, status: 'completed' as const })) };
    };
    const { el } = await inProvider<UccLogActivity>(
      client,
      html`<ucc-log-activity challenge-id="c1"></ucc-log-activity>`,
    );
    await until(() => $(el, 'form'));
    button(el, 'Log').focus();
    await sendKeys({ press: 'Enter' });
    await until(() => button(el, 'Undo last entry'));
    await el.updateComplete;
    expect(focused(el)).to.equal('#quantity');
  });

  it('stays on Create challenge after creating, and a second press creates again', async () => {
    const client = slow(new FakeClient());
    const { el } = await inProvider<UccCreateChallenge>(client, html`<ucc-create-challenge></ucc-create-challenge>`);
    await until(() => $(el, 'form'));
    button(el, 'Create challenge').focus();
    await sendKeys({ press: 'Space' });
    await until(() => text(el).includes('created'));
    expect(focused(el)).to.equal('Create challenge');
    await expect(el).to.be.accessible();
    await sendKeys({ press: 'Space' });
    await until(() => client.count('createChallenge') === 2);
  });
});

describe('announcements', () => {
  it('announces each change of progress once, and nothing on redraws that change nothing', async () => {
    const client = new FakeClient();
    const { el, provider } = await inProvider<UccLogActivity>(
      client,
      html`<ucc-log-activity challenge-id="c1"></ucc-log-activity>
      <ucc-progress></ucc-progress>`,
    );
    const progress = provider.querySelector<UccProgress>('ucc-progress')!;
    await until(() => $(el, 'form') && $(progress, '[part=announcement]'));
    const region = $(progress, '[part=announcement]');
    expect(region.getAttribute('role')).to.equal('status');
    expect(region.textContent!.trim()).to.equal('');
    const said = announcements(region);
    button(el, '+1 glass').click();
    await until(() => said.length === 1);
    expect(said).to.deep.equal(['Water: 6 of 8 glasses']);
    // Unrelated redraws: the store notifies, the element redraws, a new challenge appears.
    provider.store!.notify();
    progress.requestUpdate();
    await progress.updateComplete;
    client.data.challenges.push(challenge({ id: 'c2', name: 'Tea' }));
    provider.store!.r.challenges.data!.push(challenge({ id: 'c2', name: 'Tea' }));
    provider.store!.notify();
    await progress.updateComplete;
    await new Promise((r) => setTimeout(r, 50));
    expect(said).to.deep.equal(['Water: 6 of 8 glasses']);
    button(el, '+1 glass').click();
    await until(() => said.length === 2);
    expect(said[1]).to.equal('Water: 7 of 8 glasses');
    await expect(progress).to.be.accessible();
  });

  it('announces a change of points balance', async () => {
    const client = new FakeClient();
    client.data.challenges = [challenge({}, 7)];
    const answer = client.logAnswer.bind(client);
    client.logAnswer = (b, k) => ({
      ...answer(b, k),
      rewards: [{ challengeId: 'c1', ledgerEntryId: 'l9', points: 30, reason: 'Completed: Water' }],
    });
    const { el, provider } = await inProvider<UccLogActivity>(
      client,
      html`<ucc-log-activity challenge-id="c1"></ucc-log-activity>
      <ucc-points></ucc-points>`,
    );
    const pts = provider.querySelector<UccPoints>('ucc-points')!;
    await until(() => $(el, 'form') && $(pts, '[part=balance]'));
    const balance = $(pts, '[part=balance]');
    expect(balance.getAttribute('role')).to.equal('status');
    const said = announcements(balance);
    pts.requestUpdate();
    await pts.updateComplete;
    expect(said).to.have.length(0);
    button(el, '+1 glass').click();
    await until(() => said.length === 1);
    expect(said[0]).to.equal('Balance: 100 points');
  });
});

describe('errors and success messages', () => {
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  let real: typeof fetch | undefined;
  afterEach(() => {
    if (real) window.fetch = real;
    real = undefined;
  });

  it('shows an expired fixed token once, as one alert with one Retry in customer words, across four elements', async () => {
    real = window.fetch;
    window.fetch = async () =>
      json({ error: { code: 'TOKEN_EXPIRED', message: 'The customer token has expired; fetch a new one.' } }, 401);
    const details: { code: string; message: string; error: Error }[] = [];
    const listen = (e: Event) => details.push((e as CustomEvent).detail);
    document.addEventListener('ucc-error', listen);
    try {
      const tok = `x.${btoa(JSON.stringify({ sub: 'alice' })).replace(/=+$/, '')}.y`;
      const provider = await fixture<UccProvider>(html`<ucc-provider token=${tok} queue-name=${freshQueueName()}>
        <ucc-create-challenge></ucc-create-challenge><ucc-log-activity></ucc-log-activity>
        <ucc-progress></ucc-progress><ucc-points></ucc-points></ucc-provider>`);
      await until(() => $(provider, '[role=alert]'));
      await new Promise((r) => setTimeout(r, 100));
      const roots = [provider, ...provider.querySelectorAll('*')];
      expect(roots.flatMap((e) => $$(e, '[role=alert]'))).to.have.length(1);
      expect(roots.flatMap((e) => $$(e, 'button')).filter((b) => b.textContent!.trim() === 'Retry')).to.have.length(1);
      expect(text(provider))
        .to.contain('Your session has ended. Please sign in again.')
        .and.not.contain('fetch a new one');
      expect(details.length).to.be.greaterThan(0);
      expect(details[0].code).to.equal('TOKEN_EXPIRED');
      expect(details[0].message).to.equal('Your session has ended. Please sign in again.');
      expect(details[0].error.message).to.equal('The customer token has expired; fetch a new one.');
      await expect(provider).to.be.accessible();
    } finally {
      document.removeEventListener('ucc-error', listen);
    }
  });

  it('never shows "Failed to fetch": an action that cannot reach the service says so in customer words', async () => {
    const client = new FakeClient();
    client.createChallenge = () => Promise.reject(new UccError(0, 'NETWORK_ERROR', 'Failed to fetch'));
    const { el } = await inProvider<UccCreateChallenge>(client, html`<ucc-create-challenge></ucc-create-challenge>`);
    await until(() => $(el, 'form'));
    button(el, 'Create challenge').click();
    await until(() => $(el, '[role=alert]'));
    expect(text(el))
      .to.contain("We can't reach the service. Check your connection and try again.")
      .and.not.contain('Failed to fetch');
    await expect(el).to.be.accessible();
  });

  it('clears a success message after a few seconds, and on the next action', async () => {
    const was = UccStoreElement.noteMs;
    UccStoreElement.noteMs = 100;
    try {
      const { el } = await inProvider<UccCreateChallenge>(
        new FakeClient(),
        html`<ucc-create-challenge></ucc-create-challenge>`,
      );
      await until(() => $(el, 'form'));
      button(el, 'Create challenge').click();
      await until(() => text(el).includes('Challenge “Drink water” created.'));
      await until(() => !text(el).includes('created'), 1000);
      button(el, 'Create challenge').click();
      await until(() => text(el).includes('created'));
      const name = $<HTMLInputElement>(el, '#name');
      name.focus();
      await sendKeys({ type: 'x' });
      await el.updateComplete;
      expect(text(el)).not.to.contain('created');
    } finally {
      UccStoreElement.noteMs = was;
    }
  });
});
