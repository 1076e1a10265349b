import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { UccError } from '../../src/api/errors.js';
import type { UccCreateChallenge } from '../../src/index.js';
import { $, $$, FakeClient, button, deferred, inProvider, templates, text, until } from './helpers.js';

async function ready(client = new FakeClient()) {
  const r = await inProvider<UccCreateChallenge>(client, html`<ucc-create-challenge></ucc-create-challenge>`);
  await until(() => $(r.el, 'form'));
  return { ...r, client };
}
async function type(el: UccCreateChallenge, id: string, value: string) {
  const input = $<HTMLInputElement>(el, `#${id}`);
  input.focus();
  input.select();
  await sendKeys({ type: value });
  await el.updateComplete;
}

describe('<ucc-create-challenge>', () => {
  it('asks for a provider when used outside one', async () => {
    const el = await fixture<UccCreateChallenge>(html`<ucc-create-challenge></ucc-create-challenge>`);
    await expect(el).to.be.accessible();
    expect(text(el)).to.contain('must be placed inside <ucc-provider>');
  });

  it('shows loading until the templates arrive', async () => {
    const client = new FakeClient();
    const gate = deferred<ReturnType<typeof templates>>();
    client.templates = () => gate.promise;
    const { el } = await inProvider<UccCreateChallenge>(client, html`<ucc-create-challenge></ucc-create-challenge>`);
    expect($(el, '[role=status]').textContent).to.contain('Loading');
    await expect(el).to.be.accessible();
    gate.resolve(templates());
    await until(() => $(el, 'form'));
  });

  it('says so when the brand offers no templates', async () => {
    const client = new FakeClient();
    client.data.templates = templates([]);
    const { el } = await inProvider<UccCreateChallenge>(client, html`<ucc-create-challenge></ucc-create-challenge>`);
    await until(() => text(el).includes('No challenges are available'));
    await expect(el).to.be.accessible();
  });

  it("leaves a network failure to the provider's one alert, whose Retry brings the form", async () => {
    const client = new FakeClient();
    let fails = 1;
    const real = client.templates.bind(client);
    client.templates = () =>
      fails-- > 0 ? Promise.reject(new UccError(0, 'NETWORK_ERROR', 'Failed to fetch')) : real();
    const { el, provider } = await inProvider<UccCreateChallenge>(
      client,
      html`<ucc-create-challenge></ucc-create-challenge>`,
    );
    await until(() => button(provider, 'Retry'));
    expect(text(provider))
      .to.contain("We can't reach the service. Check your connection and try again.")
      .and.not.contain('Failed to fetch');
    expect($$(provider, '[role=alert]')).to.have.length(1);
    expect(text(el)).to.equal('');
    await expect(provider).to.be.accessible();
    button(provider, 'Retry').click();
    await until(() => $(el, 'form'));
  });

  it('prefills the template defaults and previews the reward', async () => {
    const { el } = await ready();
    await expect(el).to.be.accessible();
    expect($<HTMLInputElement>(el, '#target').value).to.equal('8');
    expect($<HTMLInputElement>(el, '#length').value).to.equal('7');
    expect($(el, '[part=reward]').textContent).to.contain('8 glasses').and.contain('7 days').and.contain('70 points');
  });

  it('updates the reward preview as the length changes', async () => {
    const { el } = await ready();
    await type(el, 'length', '3');
    expect($(el, '[part=reward]').textContent).to.contain('3 days').and.contain('30 points');
  });

  it('switches bounds, unit and period when another activity is picked', async () => {
    const { el } = await ready();
    const select = $<HTMLSelectElement>(el, '#template');
    select.value = 'workouts';
    select.dispatchEvent(new Event('change'));
    await el.updateComplete;
    expect($<HTMLInputElement>(el, '#target').max).to.equal('7');
    expect($<HTMLSelectElement>(el, '#period').value).to.equal('WEEKLY');
    expect($(el, '[part=reward]').textContent)
      .to.contain('3 workouts')
      .and.contain('4 weeks')
      .and.contain('100 points');
  });

  describe('validation against the template bounds', () => {
    it('flags a goal above the maximum inline and does not submit', async () => {
      const { el, client } = await ready();
      await type(el, 'target', '25');
      const input = $<HTMLInputElement>(el, '#target');
      expect(input.getAttribute('aria-invalid')).to.equal('true');
      expect($(el, '#target-error').textContent).to.contain('from 1 to 20');
      expect(input.getAttribute('aria-describedby')).to.equal('target-error');
      await expect(el).to.be.accessible();
      button(el, 'Create challenge').click();
      await el.updateComplete;
      expect(client.count('createChallenge')).to.equal(0);
    });

    it('flags a length below the minimum and focuses it on submit', async () => {
      const { el, client } = await ready();
      await type(el, 'length', '2');
      button(el, 'Create challenge').click();
      await until(() => el.shadowRoot!.activeElement?.id === 'length');
      expect($(el, '#length-error').textContent).to.contain('from 3 to 30');
      expect(client.count('createChallenge')).to.equal(0);
    });

    it('requires the template step (steps of 500 from 1000)', async () => {
      const client = new FakeClient();
      client.data.templates.templates[0] = {
        ...client.data.templates.templates[0],
        target: { min: 1000, max: 50000, default: 8000, step: 500 },
      };
      const { el } = await ready(client);
      await type(el, 'target', '8250');
      expect($(el, '#target-error').textContent).to.contain('steps of 500');
      await type(el, 'target', '8500');
      expect($(el, '#target-error')).to.equal(null);
    });

    it('clears the message once the value is back in bounds', async () => {
      const { el } = await ready();
      await type(el, 'target', '0');
      expect($(el, '#target-error')).to.exist;
      await type(el, 'target', '12');
      expect($(el, '#target-error')).to.equal(null);
    });
  });

  it('creates with the form values, fires ucc-challenge-created and announces it', async () => {
    const { el, client, provider } = await ready();
    await type(el, 'target', '6');
    await type(el, 'length', '3');
    await type(el, 'name', 'Hydrate <b>me</b>');
    const event = oneEvent(provider, 'ucc-challenge-created');
    button(el, 'Create challenge').click();
    const { detail } = await event;
    const [body, key] = client.calls.find((c) => c.method === 'createChallenge')!.args as [
      Record<string, unknown>,
      string,
    ];
    expect(body).to.deep.equal({
      templateId: 'water',
      target: 6,
      period: 'DAILY',
      periods: 3,
      name: 'Hydrate <b>me</b>',
    });
    expect(key).to.be.a('string').with.length.greaterThan(8);
    expect(detail.challenge.id).to.equal('new');
    await el.updateComplete;
    // User text is text, never markup.
    expect($(el, '[role=status]').textContent).to.contain('Hydrate <b>me</b>');
    expect(el.shadowRoot!.querySelector('b')).to.equal(null);
  });

  it('submits with the keyboard (Enter in a field)', async () => {
    const { el, client } = await ready();
    await type(el, 'target', '5');
    await sendKeys({ press: 'Enter' });
    await until(() => client.count('createChallenge') === 1);
  });

  it('creates only once when the button is pressed twice', async () => {
    const client = new FakeClient();
    const gate = deferred<void>();
    const real = client.createChallenge.bind(client);
    client.createChallenge = async (b, k) => (await gate.promise, real(b, k));
    const { el } = await ready(client);
    const submit = button(el, 'Create challenge');
    submit.click();
    await el.updateComplete;
    submit.click();
    $<HTMLFormElement>(el, 'form').requestSubmit();
    // Still focusable while busy (aria-disabled, not disabled), so focus never drops to the page.
    expect(submit.getAttribute('aria-disabled')).to.equal('true');
    expect(submit.getAttribute('aria-busy')).to.equal('true');
    await expect(el).to.be.accessible();
    gate.resolve();
    await until(() => submit.getAttribute('aria-disabled') === 'false');
    expect(client.calls.filter((c) => c.method === 'createChallenge')).to.have.length(1);
  });

  it('shows the server error on the field, keeps the input and uses a new key for the next attempt', async () => {
    const client = new FakeClient();
    let first = true;
    const real = client.createChallenge.bind(client);
    client.createChallenge = (b, k) => {
      client.calls.push({ method: 'attempt', args: [b, k] });
      if (first) {
        first = false;
        return Promise.reject(
          new UccError(400, 'TARGET_OUT_OF_RANGE', 'Goal must be between 1 and 12 glasses.', { min: 1, max: 12 }),
        );
      }
      return real(b, k);
    };
    const { el, provider } = await ready(client);
    await type(el, 'target', '15');
    const error = oneEvent(provider, 'ucc-error');
    button(el, 'Create challenge').click();
    expect((await error).detail.error.code).to.equal('TARGET_OUT_OF_RANGE');
    await el.updateComplete;
    expect($(el, '#target-error').textContent).to.contain('between 1 and 12');
    expect($<HTMLInputElement>(el, '#target').value).to.equal('15');
    await expect(el).to.be.accessible();
    await type(el, 'target', '12');
    button(el, 'Create challenge').click();
    await until(() => client.count('createChallenge') === 1);
    const keys = client.calls.filter((c) => c.method === 'attempt').map((c) => c.args[1]);
    expect(keys[0]).to.not.equal(keys[1]);
  });

  it('shows a server error that belongs to no field as an alert', async () => {
    const client = new FakeClient();
    client.createChallenge = () =>
      Promise.reject(new UccError(409, 'MAX_ACTIVE_CHALLENGES', 'You already have 3 active challenges.'));
    const { el } = await ready(client);
    button(el, 'Create challenge').click();
    await until(() => $(el, '[role=alert]'));
    expect($(el, '[role=alert]').textContent).to.contain('3 active challenges');
    await expect(el).to.be.accessible();
  });
});
