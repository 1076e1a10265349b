import { expect, fixture, html } from '@open-wc/testing';
import { UccError } from '../../src/api/errors.js';
import type { UccPoints } from '../../src/index.js';
import type { LedgerEntry } from '../../src/api/types.js';
import { $, $$, FakeClient, button, deferred, inProvider, points, text, until } from './helpers.js';

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
    // German numbers, and (once its language file has loaded) German words.
    await until(() => $(el, '[part=balance]')?.textContent!.includes('12.345 Punkte'));
  });

  it("keeps each lang's format when two languages share the page (formatters are cached per locale)", async () => {
    const client = new FakeClient();
    client.data.points = points({ balance: 12345 });
    const { provider } = await inProvider<HTMLElement>(
      client,
      html`<div lang="de"><ucc-points></ucc-points></div>
      <div lang="en-US"><ucc-points></ucc-points></div>`,
    );
    const [de, en] = [...provider.querySelectorAll<UccPoints>('ucc-points')];
    await until(() => $(de, '[part=balance]')?.textContent!.includes('12.345 Punkte') && $(en, '[part=balance]'));
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

  describe('paging', () => {
    const entry = (n: number): LedgerEntry => ({
      id: String(n),
      type: 'EARN',
      points: n,
      challengeId: null,
      description: `Entry ${n}`,
      createdAt: '2026-11-20T10:00:00Z',
    });
    /** A ledger of 25 entries, ids 25…1 newest first, paged by id as the server does. */
    function pagedClient() {
      const client = new FakeClient();
      const all = Array.from({ length: 25 }, (_, i) => entry(25 - i));
      const asked: { limit?: number; before?: string }[] = [];
      const gates: ReturnType<typeof deferred<void>>[] = [];
      client.points = async (q: { limit?: number; before?: string } = {}) => {
        asked.push(q);
        if (q.before) {
          const g = deferred<void>();
          gates.push(g);
          await g.promise;
        }
        const rest = q.before ? all.filter((e) => Number(e.id) < Number(q.before)) : all;
        const page = rest.slice(0, q.limit ?? 20);
        return points({ balance: 325, entries: page, nextCursor: rest.length > page.length ? page.at(-1)!.id : null });
      };
      return { client, asked, gates };
    }
    const shown = (el: Element) => $$(el, '[part=entry]').map((li) => li.textContent!.match(/Entry (\d+)/)![1]);

    it('shows the latest 10 entries and a Show more button while older ones remain', async () => {
      const { client, asked } = pagedClient();
      const { el } = await inProvider<UccPoints>(client, html`<ucc-points></ucc-points>`);
      await until(() => $(el, '[part=balance]'));
      expect(asked).to.deep.equal([{ limit: 10 }]);
      expect(shown(el)).to.have.length(10);
      expect(button(el, 'Show more')).to.exist;
      await expect(el).to.be.accessible();
    });

    it('"Show more" loads the next page before the cursor, appends it and focuses its first entry; one request per press', async () => {
      const { client, asked, gates } = pagedClient();
      const { el } = await inProvider<UccPoints>(client, html`<ucc-points></ucc-points>`);
      await until(() => $(el, '[part=balance]'));
      const more = button(el, 'Show more');
      more.click();
      more.click();
      await until(() => gates.length === 1);
      expect(asked.slice(1)).to.deep.equal([{ limit: 10, before: '16' }]);
      gates[0].resolve();
      await until(() => shown(el).length === 20);
      expect(asked).to.have.length(2);
      expect(shown(el)).to.deep.equal(Array.from({ length: 20 }, (_, i) => String(25 - i)));
      expect(el.shadowRoot!.activeElement === $$(el, '[part=entry]')[10]).to.equal(true);
      expect(el.shadowRoot!.activeElement!.textContent).to.contain('Entry 15');
    });

    it('hides "Show more" at the end of the ledger', async () => {
      const { client, asked, gates } = pagedClient();
      const { el } = await inProvider<UccPoints>(client, html`<ucc-points></ucc-points>`);
      await until(() => $(el, '[part=balance]'));
      button(el, 'Show more').click();
      await until(() => gates.length === 1);
      gates[0].resolve();
      await until(() => shown(el).length === 20);
      button(el, 'Show more').click();
      await until(() => gates.length === 2);
      expect(asked[2]).to.deep.equal({ limit: 10, before: '6' });
      gates[1].resolve();
      await until(() => shown(el).length === 25);
      expect(button(el, 'Show more')).to.equal(undefined);
      expect(shown(el).at(-1)).to.equal('1');
    });

    it("shows a failed page's error and loads it when pressed again", async () => {
      const { client, gates } = pagedClient();
      const { el } = await inProvider<UccPoints>(client, html`<ucc-points></ucc-points>`);
      await until(() => $(el, '[part=balance]'));
      button(el, 'Show more').click();
      await until(() => gates.length === 1);
      gates[0].reject(new UccError(0, 'NETWORK_ERROR', 'Failed to fetch'));
      await until(() => $(el, '[role=alert]'));
      expect(text(el)).to.contain("We can't reach the service");
      expect(shown(el)).to.have.length(10);
      button(el, 'Show more').click();
      await until(() => gates.length === 2);
      gates[1].resolve();
      await until(() => shown(el).length === 20);
      expect($(el, '[role=alert]')).to.equal(null);
    });
  });
});
