import { expect, fixture, html } from '@open-wc/testing';
import { UccError } from '../../src/api/errors.js';
import type { UccProgress } from '../../src/index.js';
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

  it('leaves a network failure to the provider\'s alert, whose Retry brings the progress', async () => {
    const client = new FakeClient();
    let fails = 1;
    const real = client.challenges.bind(client);
    client.challenges = (s) => (fails-- > 0 ? Promise.reject(new UccError(0, 'NETWORK_ERROR', 'Failed to fetch')) : real(s));
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
    expect(text(el)).to.contain('Streak 1 of 3 days, best 1').and.contain('2 days left').and.contain('30 points on completion');
  });

  it('marks a completed challenge and the points it earned', async () => {
    const client = new FakeClient();
    client.data.challenges = [challenge({ status: 'completed', currentPeriod: null, reward: { points: 30, earned: 30 }, name: 'Done <i>it</i>' })];
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
});
