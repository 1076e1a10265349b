import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { UccError } from '../../src/api/errors.js';
import type { Activity } from '../../src/api/types.js';
import type { UccLogActivity, UccProgress } from '../../src/index.js';
import { $, $$, FakeClient, button, challenge, deferred, inProvider, text, until } from './helpers.js';

async function ready(client = new FakeClient(), inner = html`<ucc-progress></ucc-progress>`) {
  const r = await inProvider<UccProgress>(client, inner);
  await until(() => !text(r.el).includes('Loading'));
  return { ...r, client };
}

describe('<ucc-progress>', () => {
  it('asks for a provider when used outside one', async () => {
    const el = await fixture<UccProgress>(html`<ucc-progress></ucc-progress>`);
    await expect(el).to.be.accessible();
    expect(text(el)).to.contain('<ucc-provider>');
  });

  it('shows loading, then the challenges', async () => {
    const client = new FakeClient();
    const gate = deferred<{ challenges: ReturnType<typeof challenge>[] }>();
    client.challenges = () => gate.promise;
    const { el } = await inProvider<UccProgress>(client, html`<ucc-progress></ucc-progress>`);
    expect($(el, '[role=status]').textContent).to.contain('Loading');
    await expect(el).to.be.accessible();
    gate.resolve({ challenges: [challenge()] });
    await until(() => $(el, '[role=progressbar]'));
  });

  it('says so when there are no challenges', async () => {
    const client = new FakeClient();
    client.data.challenges = [];
    const { el } = await ready(client);
    expect(text(el)).to.contain('No challenges yet');
    await expect(el).to.be.accessible();
  });

  it("leaves a network failure to the provider's alert, whose Retry brings the progress", async () => {
    const client = new FakeClient();
    let fails = 1;
    const real = client.challenges.bind(client);
    client.challenges = (s) =>
      fails-- > 0 ? Promise.reject(new UccError(0, 'NETWORK_ERROR', 'Failed to fetch')) : real(s);
    const { el, provider } = await ready(client);
    await until(() => button(provider, 'Retry'));
    expect(text(el)).to.equal('');
    await expect(provider).to.be.accessible();
    button(provider, 'Retry').click();
    await until(() => $(el, '[role=progressbar]'));
  });

  it('shows the current period as an accessible progress bar "5 of 8 glasses"', async () => {
    const { el } = await ready();
    await expect(el).to.be.accessible();
    const bar = $(el, '[role=progressbar]');
    expect(bar.getAttribute('aria-valuenow')).to.equal('5');
    expect(bar.getAttribute('aria-valuemax')).to.equal('8');
    expect(bar.getAttribute('aria-valuetext')).to.equal('5 of 8 glasses');
    expect($(el, `#${bar.getAttribute('aria-labelledby')}`).textContent).to.contain('Water');
    expect($(el, '[part=bar-fill]').style.width).to.equal('62.5%');
  });

  it('draws the streak calendar with met, current and ahead periods', async () => {
    const { el } = await ready();
    const cells = $$(el, '[part~=period]');
    expect(cells.map((c) => c.className)).to.deep.equal(['met', 'current', 'ahead']);
    expect(cells[0].getAttribute('part')).to.equal('period period-met');
    expect(cells[0].textContent).to.contain('met');
    expect(cells[1].textContent).to.contain('in progress');
    expect(text(el))
      .to.contain('Streak 1 of 3 days, best 1')
      .and.contain('2 days left')
      .and.contain('30 points on completion');
  });

  it('marks a completed challenge and the points it earned', async () => {
    const client = new FakeClient();
    client.data.challenges = [
      challenge({
        status: 'completed',
        currentPeriod: null,
        reward: { points: 30, earned: 30 },
        name: 'Done <i>it</i>',
      }),
    ];
    const { el } = await ready(client);
    expect($(el, '[part=badge]').textContent).to.equal('Completed');
    expect(text(el)).to.contain('30 points earned').and.contain('Done <i>it</i>');
    expect(el.shadowRoot!.querySelector('i')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('shows only the challenge named by challenge-id', async () => {
    const client = new FakeClient();
    client.data.challenges = [challenge(), challenge({ id: 'c2', name: 'Other' })];
    const { el } = await ready(client, html`<ucc-progress challenge-id="c2"></ucc-progress>`);
    expect($$(el, '[part=challenge]')).to.have.length(1);
    expect(text(el)).to.contain('Other').and.not.contain('Water');
  });

  it('hides challenges the customer left', async () => {
    const client = new FakeClient();
    client.data.challenges = [challenge({ status: 'left' })];
    const { el } = await ready(client);
    expect(text(el)).to.contain('No challenges yet');
  });

  describe('leaving a challenge', () => {
    const two = () => {
      const client = new FakeClient();
      client.data.challenges = [challenge(), challenge({ id: 'c2', name: 'Steps' })];
      return client;
    };
    const active = (el: Element) => el.shadowRoot!.activeElement;

    it('asks "Leave Water? Your progress will be lost." with Leave and Keep, sending nothing yet', async () => {
      const { el, client } = await ready(two());
      expect($$(el, '[part~=leave]')).to.have.length(2);
      button(el, 'Leave challenge').click();
      await until(() => $(el, '[part=confirm]'));
      expect($(el, '[part=confirm]').textContent).to.contain('Leave Water? Your progress will be lost.');
      expect(button(el, 'Leave')).to.exist;
      expect(active(el) === button(el, 'Keep')).to.equal(true);
      expect(client.count('leaveChallenge')).to.equal(0);
      await expect(el).to.be.accessible();
    });

    it('Keep and Escape cancel with no request, focus back on "Leave challenge"', async () => {
      const { el, client } = await ready(two());
      button(el, 'Leave challenge').click();
      await until(() => button(el, 'Keep'));
      button(el, 'Keep').click();
      await until(() => !$(el, '[part=confirm]'));
      expect(active(el) === $$(el, '[part~=leave]')[0]).to.equal(true);
      $$(el, '[part~=leave]')[1].click();
      await until(() => active(el) === button(el, 'Keep'));
      expect(text(el)).to.contain('Leave Steps?');
      await sendKeys({ press: 'Escape' });
      await until(() => !$(el, '[part=confirm]'));
      expect(active(el) === $$(el, '[part~=leave]')[1]).to.equal(true);
      expect(client.count('leaveChallenge')).to.equal(0);
      expect($$(el, '[part=challenge]')).to.have.length(2);
    });

    it('Leave sends one request, removes the card from every element, fires ucc-challenge-left and focuses the next card', async () => {
      const client = two();
      const gate = deferred<void>();
      const real = client.leaveChallenge.bind(client);
      client.leaveChallenge = (id) => real(id).then(async (r) => (await gate.promise, r));
      const { provider, el } = await ready(
        client,
        html`<ucc-progress></ucc-progress><ucc-progress></ucc-progress>
        <ucc-log-activity></ucc-log-activity>`,
      );
      const [, other] = [...provider.querySelectorAll<UccProgress>('ucc-progress')];
      const log = provider.querySelector<UccLogActivity>('ucc-log-activity')!;
      await until(() => $(log, 'select'));
      const left: unknown[] = [];
      provider.addEventListener('ucc-challenge-left', (e) => left.push(e.detail.challenge));
      button(el, 'Leave challenge').click();
      await until(() => button(el, 'Leave'));
      button(el, 'Leave').click();
      button(el, 'Leave').click();
      gate.resolve();
      await until(() => $$(el, '[part=challenge]').length === 1);
      expect(client.calls.filter((c) => c.method === 'leaveChallenge')).to.deep.equal([
        { method: 'leaveChallenge', args: ['c1'] },
      ]);
      expect(text(el)).to.contain('Steps').and.not.contain('Water');
      await until(() => $$(other, '[part=challenge]').length === 1);
      expect(text(other)).not.to.contain('Water');
      await until(() => !text(log).includes('Water'));
      expect(left).to.have.length(1);
      expect(left[0]).to.include({ id: 'c1', status: 'left' });
      expect(active(el) === $(el, 'h3')).to.equal(true);
      expect(active(el)!.textContent).to.contain('Steps');
      await expect(el).to.be.accessible();
    });

    it("focuses the heading's place when the last challenge is left", async () => {
      const { el } = await ready();
      button(el, 'Leave challenge').click();
      await until(() => button(el, 'Leave'));
      button(el, 'Leave').click();
      await until(() => text(el).includes('No challenges yet'));
      expect(el.shadowRoot!.activeElement === $(el, '[part=status]')).to.equal(true);
    });

    it('with challenge-id, keeps the left challenge\'s card, marked "Left", and focuses its name', async () => {
      const { el, client } = await ready(undefined, html`<ucc-progress challenge-id="c1"></ucc-progress>`);
      button(el, 'Leave challenge').click();
      await until(() => button(el, 'Leave'));
      button(el, 'Leave').click();
      await until(() => $(el, '[part=badge]'));
      expect($(el, '[part=badge]').textContent).to.equal('Left');
      expect(button(el, 'Leave challenge')).to.equal(undefined);
      expect(el.shadowRoot!.activeElement === $(el, 'h3')).to.equal(true);
      expect(client.count('leaveChallenge')).to.equal(1);
      await expect(el).to.be.accessible();
    });

    it('shows a failed leave in the confirm step, reports it, and leaves when asked again', async () => {
      const client = new FakeClient();
      let fails = 1;
      const real = client.leaveChallenge.bind(client);
      client.leaveChallenge = (id) =>
        fails-- > 0 ? Promise.reject(new UccError(0, 'NETWORK_ERROR', 'Failed to fetch')) : real(id);
      const errors: string[] = [];
      document.addEventListener('ucc-error', (e) => errors.push(e.detail.error.code), { once: true });
      const { el } = await ready(client);
      button(el, 'Leave challenge').click();
      await until(() => button(el, 'Leave'));
      button(el, 'Leave').click();
      await until(() => $(el, '[part=confirm] [role=alert]'));
      expect(text(el)).to.contain("We can't reach the service");
      expect(errors).to.deep.equal(['NETWORK_ERROR']);
      expect($$(el, '[part=challenge]')).to.have.length(1);
      await expect(el).to.be.accessible();
      button(el, 'Leave').click();
      await until(() => text(el).includes('No challenges yet'));
    });
  });

  describe("a calendar day's logs", () => {
    const act = (over: Partial<Activity>): Activity => ({
      id: 'a1',
      challengeId: 'c1',
      templateId: 'water',
      eventName: 'water',
      quantity: 3,
      occurredAt: '2026-11-27T09:05:00Z',
      createdAt: '2026-11-27T09:05:00Z',
      undone: false,
      ...over,
    });
    function withLogs(list: Activity[]) {
      const client = new FakeClient();
      const asked: unknown[] = [];
      client.activities = (q: unknown = {}) => (asked.push(q), Promise.resolve({ activities: list }));
      return { client, asked };
    }

    it("pressing a day shows that day's logs from the API: quantity, time and whether undone", async () => {
      const { client, asked } = withLogs([
        act({ quantity: 5 }),
        act({ id: 'a2', quantity: 2, undone: true, occurredAt: '2026-11-27T21:30:00Z' }),
      ]);
      const { el } = await ready(client);
      const c = client.data.challenges[0];
      const cells = $$<HTMLButtonElement>(el, '[part~=period]');
      expect(cells.every((b) => b.localName === 'button')).to.equal(true);
      expect(cells[2].disabled).to.equal(true);
      cells[0].click();
      await until(() => $$(el, '[part~=log]').length === 2);
      expect(asked).to.deep.equal([{ challengeId: 'c1', from: c.periods[0].start, to: c.periods[0].end }]);
      expect(cells[0].getAttribute('aria-expanded')).to.equal('true');
      const logs = $$(el, '[part~=log]').map((li) => li.textContent!.replace(/\s+/g, ' ').trim());
      expect(logs[0]).to.match(/^5 glasses · Fri,? 9:05\sAM$/);
      expect(logs[1]).to.match(/^2 glasses · Fri,? 9:30\sPM \(undone\)$/);
      expect($$(el, '[part~=log]')[1].getAttribute('part')).to.equal('log log-undone');
      await expect(el).to.be.accessible();
      cells[0].click();
      await until(() => !$(el, '[part=day]'));
      expect(cells[0].getAttribute('aria-expanded')).to.equal('false');
    });

    it('is keyboard operable: Tab to a day and press Enter or Space', async () => {
      const { client, asked } = withLogs([act({})]);
      const { el } = await ready(client);
      const cells = $$<HTMLButtonElement>(el, '[part~=period]');
      cells[0].focus();
      expect(el.shadowRoot!.activeElement === cells[0], 'a day is focusable').to.equal(true);
      await sendKeys({ press: 'Tab' });
      expect(el.shadowRoot!.activeElement === cells[1]).to.equal(true);
      await sendKeys({ press: 'Enter' });
      await until(() => $(el, '[part~=log]'));
      expect(asked).to.have.length(1);
      expect((asked[0] as { from: string }).from).to.equal(client.data.challenges[0].periods[1].start);
      await sendKeys({ press: 'Space' });
      await until(() => !$(el, '[part=day]'));
    });

    it('says so when nothing was logged that day, after a loading state', async () => {
      const client = new FakeClient();
      const gate = deferred<{ activities: Activity[] }>();
      client.activities = () => gate.promise;
      const { el } = await ready(client);
      $$(el, '[part~=period]')[0].click();
      await until(() => $(el, '[part=day] [part=status]'));
      expect($(el, '[part=day]').textContent).to.contain('Loading');
      gate.resolve({ activities: [] });
      await until(() => $(el, '[part=day]').textContent!.includes('Nothing logged.'));
      await expect(el).to.be.accessible();
    });

    it('shows a failed load with a working Retry', async () => {
      const client = new FakeClient();
      let fails = 1;
      client.activities = () =>
        fails-- > 0
          ? Promise.reject(new UccError(503, 'UNAVAILABLE', 'Service unavailable'))
          : Promise.resolve({ activities: [act({})] });
      const { el } = await ready(client);
      $$(el, '[part~=period]')[1].click();
      await until(() => $(el, '[part=day] [part=error]'));
      expect($(el, '[part=day]').textContent).to.contain('Something went wrong on our side');
      button(el, 'Retry').click();
      await until(() => $(el, '[part~=log]'));
    });
  });
});
