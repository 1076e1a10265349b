import { expect, fixture, fixtureCleanup, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { UccError } from '../../src/api/errors.js';
import type { LogActivityRequest } from '../../src/api/types.js';
import type { UccLogActivity, UccProgress, UccProvider } from '../../src/index.js';
import {
  $,
  $$,
  FakeClient,
  button,
  challenge,
  deferred,
  freshQueueName,
  inProvider,
  offline,
  text,
  until,
} from './helpers.js';

async function ready(
  client = new FakeClient(),
  inner = html`<ucc-log-activity challenge-id="c1"></ucc-log-activity>`,
  queue?: string,
) {
  const r = await inProvider<UccLogActivity>(client, inner, queue);
  await until(() => $(r.el, 'form') || text(r.el).includes('No active'));
  return { ...r, client };
}
const logs = (client: FakeClient) =>
  client.calls.filter((c) => c.method === 'logActivity').map((c) => c.args as [LogActivityRequest, string]);

describe('<ucc-log-activity>', () => {
  it('asks for a provider when used outside one', async () => {
    const el = await fixture<UccLogActivity>(html`<ucc-log-activity></ucc-log-activity>`);
    await expect(el).to.be.accessible();
    expect(text(el)).to.contain('<ucc-provider>');
  });

  it('shows loading until challenges arrive', async () => {
    const client = new FakeClient();
    const gate = deferred<{ challenges: ReturnType<typeof challenge>[] }>();
    client.challenges = () => gate.promise;
    const { el } = await inProvider<UccLogActivity>(client, html`<ucc-log-activity></ucc-log-activity>`);
    expect($(el, '[role=status]').textContent).to.contain('Loading');
    await expect(el).to.be.accessible();
    gate.resolve({ challenges: [challenge()] });
    await until(() => $(el, 'form'));
  });

  it('invites creating a challenge when none is active', async () => {
    const client = new FakeClient();
    client.data.challenges = [challenge({ status: 'completed' })];
    const { el } = await ready(client, html`<ucc-log-activity></ucc-log-activity>`);
    expect(text(el)).to.contain('No active challenges yet');
    await expect(el).to.be.accessible();
  });

  it('shows a load error of its own (not a shared one) with a working Retry', async () => {
    const client = new FakeClient();
    let fails = 1;
    const real = client.challenges.bind(client);
    client.challenges = (s) =>
      fails-- > 0 ? Promise.reject(new UccError(404, 'NOT_FOUND', 'This challenge was not found.')) : real(s);
    const { el, provider } = await inProvider<UccLogActivity>(client, html`<ucc-log-activity></ucc-log-activity>`);
    await until(() => button(el, 'Retry'));
    expect(text(el)).to.contain('This challenge was not found.');
    expect(provider.shadowRoot!.querySelector('[role=alert]')).to.equal(null);
    await expect(el).to.be.accessible();
    button(el, 'Retry').click();
    await until(() => $(el, 'form'));
  });

  it('labels the quick button with the unit and logs one with it', async () => {
    const { el, client, provider } = await ready();
    await expect(el).to.be.accessible();
    const quick = button(el, '+1 glass');
    expect(quick).to.exist;
    const event = oneEvent(provider, 'ucc-activity-logged');
    quick.click();
    const { detail } = await event;
    expect(logs(client)[0][0]).to.deep.equal({ challengeId: 'c1', quantity: 1, occurredAt: undefined });
    expect(detail.activity.quantity).to.equal(1);
    expect(detail.challenges[0].periods[1].value).to.equal(6);
    await el.updateComplete;
    const live = $(el, '[aria-live=polite]');
    expect(live.textContent).to.contain('Logged 1 glass. 6 of 8 glasses');
  });

  it('logs a typed quantity with the Log button', async () => {
    const { el, client } = await ready();
    const q = $<HTMLInputElement>(el, '#quantity');
    q.focus();
    q.select();
    await sendKeys({ type: '3' });
    button(el, 'Log').click();
    await until(() => logs(client).length === 1);
    expect(logs(client)[0][0].quantity).to.equal(3);
  });

  it('rejects a quantity above the template maximum without sending', async () => {
    const { el, client } = await ready();
    const q = $<HTMLInputElement>(el, '#quantity');
    q.focus();
    q.select();
    await sendKeys({ type: '11' });
    await el.updateComplete;
    expect(q.getAttribute('aria-invalid')).to.equal('true');
    expect($(el, '#quantity-error').textContent).to.contain('from 1 to 10');
    await expect(el).to.be.accessible();
    button(el, 'Log').click();
    await el.updateComplete;
    expect(logs(client)).to.have.length(0);
  });

  it("rejects a quantity below the template's own minimum without sending, and takes the minimum itself", async () => {
    const client = new FakeClient();
    client.data.templates.templates[0].minQuantity = 0.5;
    const { el } = await ready(client);
    const q = $<HTMLInputElement>(el, '#quantity');
    q.focus();
    q.select();
    await sendKeys({ type: '0.25' });
    await el.updateComplete;
    expect($(el, '#quantity-error').textContent).to.contain('from 0.5 to 10');
    button(el, 'Log').click();
    await el.updateComplete;
    expect(logs(client)).to.have.length(0);
    q.select();
    await sendKeys({ type: '0.5' });
    button(el, 'Log').click();
    await until(() => logs(client).length === 1);
    expect(logs(client)[0][0].quantity).to.equal(0.5);
  });

  it('is operable with the keyboard alone', async () => {
    const { el, client } = await ready();
    el.focus(); // delegatesFocus: lands on the first control, the +1 button
    expect(el.shadowRoot!.activeElement!.textContent!.trim()).to.equal('+1 glass');
    await sendKeys({ press: 'Enter' });
    await until(() => logs(client).length === 1);
    await until(() => !button(el, '+1 glass').disabled);
    await sendKeys({ press: 'Space' });
    await until(() => logs(client).length === 2);
  });

  it('logs earlier within the backfill window when "Yesterday" is chosen', async () => {
    const { el, client } = await ready();
    const when = $<HTMLSelectElement>(el, '#when');
    expect([...when.options].map((o) => o.textContent)).to.deep.equal(['Now', 'Earlier today', 'Yesterday']);
    when.value = 'yesterday';
    when.dispatchEvent(new Event('change'));
    button(el, '+1 glass').click();
    await until(() => logs(client).length === 1);
    const at = Date.parse(logs(client)[0][0].occurredAt!);
    const todayStart = Date.parse(client.data.challenges[0].periods[1].start);
    expect(at)
      .to.be.below(Date.now() - 3_600_000)
      .and.above(Date.now() - 48 * 3_600_000);
    expect(at)
      .to.be.below(Date.parse(challenge().periods[1].start) + 1)
      .and.below(todayStart + 86_400_000);
  });

  it('places "Earlier today" inside the server\'s today even when its clock is days ahead (demo clock)', async () => {
    const client = new FakeClient();
    const shift = (iso: string) => new Date(Date.parse(iso) + 2 * 86_400_000).toISOString();
    const c = challenge();
    c.periods = c.periods.map((p) => ({ ...p, start: shift(p.start), end: shift(p.end) }));
    client.data.challenges = [c];
    const { el } = await ready(client);
    const when = $<HTMLSelectElement>(el, '#when');
    when.value = 'earlier';
    when.dispatchEvent(new Event('change'));
    button(el, '+1 glass').click();
    await until(() => logs(client).length === 1);
    const at = Date.parse(logs(client)[0][0].occurredAt!);
    const start = Date.parse(c.periods[1].start);
    expect(at)
      .to.be.above(start)
      .and.below(start + 3_600_000);
  });

  it('offers no "Yesterday" for a challenge that started today', async () => {
    const client = new FakeClient();
    const c = challenge();
    client.data.challenges = [{ ...c, startsAt: c.periods[1].start }];
    const { el } = await ready(client);
    expect([...$<HTMLSelectElement>(el, '#when').options].map((o) => o.value)).to.deep.equal(['now', 'earlier']);
  });

  it('offers a picker of active challenges when no id is given', async () => {
    const client = new FakeClient();
    client.data.challenges = [
      challenge(),
      challenge({ id: 'c2', name: 'Evening water' }),
      challenge({ id: 'c3', name: 'Old', status: 'completed' }),
    ];
    const { el } = await ready(client, html`<ucc-log-activity></ucc-log-activity>`);
    const pick = $<HTMLSelectElement>(el, '#challenge');
    expect([...pick.options].map((o) => o.textContent)).to.deep.equal(['Water', 'Evening water']);
    await expect(el).to.be.accessible();
    pick.value = 'c2';
    pick.dispatchEvent(new Event('change'));
    await el.updateComplete;
    button(el, '+1 glass').click();
    await until(() => logs(client).length === 1);
    expect(logs(client)[0][0].challengeId).to.equal('c2');
  });

  it('sends one log when +1 is pressed twice quickly', async () => {
    const client = new FakeClient();
    const gate = deferred<void>();
    const real = client.logActivity.bind(client);
    client.logActivity = async (b, k) => (
      client.calls.push({ method: 'attempt', args: [b, k] }),
      await gate.promise,
      real(b, k)
    );
    const { el } = await ready(client);
    button(el, '+1 glass').click();
    await el.updateComplete;
    button(el, '+1 glass').click();
    button(el, 'Log').click();
    gate.resolve();
    await until(() => logs(client).length === 1);
    await el.updateComplete;
    expect(client.count('attempt')).to.equal(1);
  });

  it('announces the goal and fires ucc-reward-earned when the server awards points', async () => {
    const client = new FakeClient();
    client.data.challenges = [challenge({}, 7)];
    const answer = client.logAnswer.bind(client);
    client.logAnswer = (b, k) => ({
      ...answer(b, k),
      rewards: [{ challengeId: 'c1', ledgerEntryId: 'l9', points: 30, reason: 'Completed: Water' }],
    });
    const { el, provider } = await ready(client);
    const reward = oneEvent(provider, 'ucc-reward-earned');
    button(el, '+1 glass').click();
    expect((await reward).detail.reward).to.deep.equal({
      challengeId: 'c1',
      ledgerEntryId: 'l9',
      points: 30,
      reason: 'Completed: Water',
    });
    await el.updateComplete;
    expect($(el, '[aria-live=polite]').textContent).to.contain('Goal reached!').and.contain('You earned 30 points!');
  });

  it('undoes the last log', async () => {
    const { el, client } = await ready();
    button(el, '+1 glass').click();
    await until(() => button(el, 'Undo last entry'));
    await expect(el).to.be.accessible();
    button(el, 'Undo last entry').click();
    await until(() => !button(el, 'Undo last entry'));
    const undo = client.calls.find((c) => c.method === 'undoActivity')!;
    expect(undo.args[0]).to.equal(`a-${logs(client)[0][1]}`);
    expect($(el, '[aria-live=polite]').textContent).to.contain('Last log undone');
  });

  it('shows a log error and keeps the form usable', async () => {
    const client = new FakeClient();
    client.logActivity = () =>
      Promise.reject(new UccError(409, 'PERIOD_QUANTITY_EXCEEDED', 'That is more than 40 glasses today.'));
    const { el, provider } = await ready(client);
    const error = oneEvent(provider, 'ucc-error');
    button(el, '+1 glass').click();
    expect((await error).detail.error.code).to.equal('PERIOD_QUANTITY_EXCEEDED');
    await el.updateComplete;
    expect($(el, '[role=alert]').textContent).to.contain('more than 40 glasses');
    expect(button(el, '+1 glass').disabled).to.equal(false);
    await expect(el).to.be.accessible();
  });

  it('redraws a progress element in the same provider without refetching', async () => {
    const client = new FakeClient();
    const { provider, el } = await ready(
      client,
      html`<ucc-log-activity challenge-id="c1"></ucc-log-activity><ucc-progress></ucc-progress>`,
    );
    const progress = provider.querySelector<UccProgress>('ucc-progress')!;
    await until(() => $(progress, '[role=progressbar]'));
    button(el, '+1 glass').click();
    await until(() => $(progress, '[role=progressbar]').getAttribute('aria-valuenow') === '6');
    expect(client.count('challenges')).to.equal(1);
  });

  describe('when offline', () => {
    function goesOffline(client: FakeClient) {
      const real = client.logActivity.bind(client);
      const state = { online: false };
      client.logActivity = (b, k) => {
        client.calls.push({ method: 'attempt', args: [b, k] });
        return state.online ? real(b, k) : Promise.reject(offline());
      };
      return state;
    }

    it('queues the log, shows it as pending and replays it once when back online', async () => {
      const client = new FakeClient();
      const net = goesOffline(client);
      const { el, provider } = await ready(client);
      button(el, '+1 glass').click();
      await until(() => $(el, '[part=pending]'));
      expect($(el, '[part=pending]').textContent).to.contain('1 log waiting to be sent').and.contain('1 glass');
      expect($(el, '[aria-live=polite]').textContent).to.contain('1 glass saved on this device');
      // The browser says it is online: the service, not the network, is what cannot be reached.
      expect($(el, '[part=pending]').textContent).to.contain("We can't reach the service").and.not.contain('offline');
      await expect(el).to.be.accessible();
      const key = client.calls.find((c) => c.method === 'attempt')!.args[1];

      net.online = true;
      const logged = oneEvent(provider, 'ucc-activity-logged');
      window.dispatchEvent(new Event('online'));
      window.dispatchEvent(new Event('online'));
      await logged;
      await until(() => !$(el, '[part=pending]'));
      expect(logs(client).map((l) => l[1])).to.deep.equal([key]);
      window.dispatchEvent(new Event('online'));
      await new Promise((r) => setTimeout(r, 50));
      expect(logs(client)).to.have.length(1);
    });

    it('when the browser knows it is offline, queues without trying and pins the time of the log', async () => {
      const client = new FakeClient();
      Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => false });
      try {
        const { el } = await ready(client);
        const before = Date.now();
        button(el, '+1 glass').click();
        await until(() => $(el, '[part=pending]'));
        expect(logs(client)).to.have.length(0);
        delete (navigator as { onLine?: boolean }).onLine;
        window.dispatchEvent(new Event('online'));
        await until(() => logs(client).length === 1);
        const at = Date.parse(logs(client)[0][0].occurredAt!);
        expect(at).to.be.at.least(before).and.at.most(Date.now());
      } finally {
        delete (navigator as { onLine?: boolean }).onLine;
      }
    });

    it('keeps the log across a reload and sends it once on the next load', async () => {
      const queue = freshQueueName();
      const first = new FakeClient();
      goesOffline(first);
      const { el } = await ready(first, undefined, queue);
      button(el, '+1 glass').click();
      await until(() => $(el, '[part=pending]'));
      const key = first.calls.find((c) => c.method === 'attempt')!.args[1];
      fixtureCleanup(); // the page goes away

      const second = new FakeClient();
      const again = await ready(second, undefined, queue);
      await until(() => logs(second).length === 1);
      expect(logs(second)[0]).to.deep.equal([{ challengeId: 'c1', quantity: 1, occurredAt: undefined }, key]);
      await until(() => !$(again.el, '[part=pending]'));
      await new Promise((r) => setTimeout(r, 50));
      expect(logs(second)).to.have.length(1);
      expect($$(again.el, '[part=pending]')).to.have.length(0);
    });

    it('replays a queued log only for the customer who made it', async () => {
      const jwt = (sub: string) => `x.${btoa(JSON.stringify({ sub }))}.y`;
      const client = new FakeClient();
      const net = goesOffline(client);
      const provider =
        await fixture<UccProvider>(html`<ucc-provider .client=${client} token=${jwt('alice')} queue-name=${freshQueueName()}>
        <ucc-log-activity challenge-id="c1"></ucc-log-activity></ucc-provider>`);
      const el = provider.querySelector<UccLogActivity>('ucc-log-activity')!;
      await until(() => $(el, 'form'));
      button(el, '+1 glass').click();
      await until(() => $(el, '[part=pending]'));
      net.online = true;
      provider.token = jwt('bob');
      await until(() => $(el, 'form'));
      window.dispatchEvent(new Event('online'));
      await new Promise((r) => setTimeout(r, 100));
      expect(logs(client)).to.have.length(0);
      expect($(el, '[part=pending]')).to.equal(null);
      provider.token = jwt('alice');
      await until(() => logs(client).length === 1);
      await until(() => $(el, 'form') && !$(el, '[part=pending]'));
    });

    it('takes a queued log the server definitely refused out of the pending list instead of retrying it forever', async () => {
      const client = new FakeClient();
      const net = goesOffline(client);
      const { el } = await ready(client);
      button(el, '+1 glass').click();
      await until(() => $(el, '[part=pending]'));
      client.logActivity = () => Promise.reject(new UccError(422, 'OUTSIDE_BACKFILL_WINDOW', 'Too late'));
      net.online = true;
      window.dispatchEvent(new Event('online'));
      await until(() => !$(el, '[part=pending]'));
    });
  });
});
