import { expect, fixture, html } from '@open-wc/testing';
import { UccError } from '../../src/api/errors.js';
import type { UccPoints } from '../../src/index.js';
import { $, FakeClient, button, deferred, inProvider, points, text, until } from './helpers.js';

describe('<ucc-points>', () => {
  it('asks for a provider when used outside one', async () => {
    const el = await fixture<UccPoints>(html`<ucc-points></ucc-points>`);
    await expect(el).to.be.accessible();
    expect($(el, '[role=alert]').textContent).to.contain('<ucc-provider>');
  });

  it('shows loading while the ledger is on its way', async () => {
    const client = new FakeClient();
    const gate = deferred<ReturnType<typeof points>>();
    client.points = () => gate.promise;
    const { el } = await inProvider<UccPoints>(client, html`<ucc-points></ucc-points>`);
    await expect(el).to.be.accessible();
    expect($(el, '[role=status]').textContent).to.contain('Loading');
    gate.resolve(points());
    await until(() => text(el).includes('Balance'));
  });

  it('shows the balance and recent entries', async () => {
    const { el } = await inProvider<UccPoints>(new FakeClient(), html`<ucc-points></ucc-points>`);
    await until(() => $(el, '[part=balance]'));
    await expect(el).to.be.accessible();
    expect($(el, '[part=balance]').textContent).to.contain('70 points');
    expect(text(el)).to.contain('Completed: Steps').and.contain('+70');
  });

  it('formats numbers for the nearest lang attribute', async () => {
    const client = new FakeClient();
    client.data.points = points({ balance: 12345 });
    const { provider } = await inProvider<HTMLElement>(client, html`<div lang="de"><ucc-points></ucc-points></div>`);
    const el = provider.querySelector<UccPoints>('ucc-points')!;
    await until(() => $(el, '[part=balance]'));
    expect($(el, '[part=balance]').textContent).to.contain('12.345 points');
  });

  it('keeps each lang\'s format when two languages share the page (formatters are cached per locale)', async () => {
    const client = new FakeClient();
    client.data.points = points({ balance: 12345 });
    const { provider } = await inProvider<HTMLElement>(client, html`<div lang="de"><ucc-points></ucc-points></div>
      <div lang="en-US"><ucc-points></ucc-points></div>`);
    const [de, en] = [...provider.querySelectorAll<UccPoints>('ucc-points')];
    await until(() => $(de, '[part=balance]') && $(en, '[part=balance]'));
    expect($(de, '[part=balance]').textContent).to.contain('12.345 points');
    expect($(en, '[part=balance]').textContent).to.contain('12,345 points');
  });

  it('says so when there are no points yet', async () => {
    const client = new FakeClient();
    client.data.points = points({ balance: 0, entries: [] });
    const { el } = await inProvider<UccPoints>(client, html`<ucc-points></ucc-points>`);
    await until(() => text(el).includes('No points yet'));
    await expect(el).to.be.accessible();
    expect($(el, '[part=balance]').textContent).to.contain('0 points');
  });

  it('has the provider show a server fault once, in customer words; reports it once as ucc-error and retries on request', async () => {
    const client = new FakeClient();
    let fail = true;
    const real = client.points.bind(client);
    client.points = () => (fail ? Promise.reject(new UccError(503, 'UNAVAILABLE', 'Service unavailable')) : real());
    const errors: string[] = [];
    const listen = (e: Event) => errors.push((e as CustomEvent).detail.error.code);
    document.addEventListener('ucc-error', listen);
    const { el, provider } = await inProvider<UccPoints>(client, html`<ucc-points></ucc-points>`);
    await until(() => $(provider, '[role=alert]'));
    document.removeEventListener('ucc-error', listen);
    expect(errors).to.deep.equal(['UNAVAILABLE']);
    await expect(provider).to.be.accessible();
    expect(text(provider)).to.contain('Something went wrong on our side').and.not.contain('Service unavailable');
    fail = false;
    button(provider, 'Retry').click();
    await until(() => text(el).includes('70 points'));
  });
});
