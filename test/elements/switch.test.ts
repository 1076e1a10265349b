/** A shared family tablet: one customer hands over to another by a new token on the same provider. */
import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { OfflineQueue } from '../../src/api/offline-queue.js';
import type { UccCreateChallenge, UccLogActivity, UccProvider } from '../../src/index.js';
import { $, $$, FakeClient, button, challenge, deferred, freshQueueName, points, text, until } from './helpers.js';

const jwt = (sub: string) => `x.${btoa(JSON.stringify({ sub })).replace(/=+$/, '')}.y`;
const data = (who: string) => ({
  ...new FakeClient().data,
  challenges: [challenge({ name: `${who} water` })],
  points: points({
    entries: [
      {
        id: `l-${who}`,
        type: 'EARN',
        points: 70,
        challengeId: 'c0',
        description: `${who} bonus`,
        createdAt: '2026-11-20T10:00:00Z',
      },
    ],
  }),
});
/** Everything a person could read or find in the elements: shadow text and form values. */
const visible = (provider: UccProvider) =>
  [provider, ...provider.querySelectorAll('*')]
    .filter((e) => e.shadowRoot)
    .map(
      (e) =>
        `${text(e)} ${$$<HTMLInputElement>(e, 'input, select')
          .map((i) => i.value)
          .join(' ')}`,
    )
    .join(' | ');

async function page(queueName = freshQueueName()) {
  const client = new FakeClient();
  client.data = data('Alice');
  const provider =
    await fixture<UccProvider>(html`<ucc-provider .client=${client} token=${jwt('alice')} queue-name=${queueName}>
    <ucc-create-challenge></ucc-create-challenge><ucc-log-activity challenge-id="c1"></ucc-log-activity>
    <ucc-progress></ucc-progress><ucc-points></ucc-points></ucc-provider>`);
  const create = provider.querySelector<UccCreateChallenge>('ucc-create-challenge')!;
  const log = provider.querySelector<UccLogActivity>('ucc-log-activity')!;
  await until(
    () => $(create, 'form') && $(log, 'form') && text(provider.querySelector('ucc-points')!).includes('Alice bonus'),
  );
  return { client, provider, create, log };
}
async function type(el: HTMLElement, id: string, value: string) {
  const input = $<HTMLInputElement>(el, `#${id}`);
  input.focus();
  input.select();
  await sendKeys({ type: value });
}

describe('switching customer on the same provider', () => {
  it('leaves nothing of the previous customer: names, messages, typed values', async () => {
    const { client, provider, create, log } = await page();
    await type(create, 'name', 'Alice plan');
    button(create, 'Create challenge').click();
    await until(() => text(create).includes('“Alice plan” created'));
    await type(create, 'name', 'Alice draft');
    await type(log, 'quantity', '4');
    button(log, '+1 glass').click();
    await until(() => button(log, 'Undo last entry') && text(log).includes('Logged 1 glass'));
    expect(visible(provider)).to.contain('Alice plan').and.contain('Alice draft').and.contain('Alice water');

    client.data = data('Bob');
    provider.token = jwt('bob');
    await until(
      () => visible(provider).includes('Bob water') && visible(provider).includes('Bob bonus') && $(create, 'form'),
    );
    expect(visible(provider)).not.to.match(/Alice|Logged|created/);
    expect($<HTMLInputElement>(log, '#quantity').value).to.equal('1');
    expect(button(log, 'Undo last entry')).to.equal(undefined);
    await expect(log).to.be.accessible();
  });

  it('drops the answer of an action still running when the customer changed', async () => {
    const { client, provider, log } = await page();
    const gate = deferred<void>();
    const real = client.logActivity.bind(client);
    client.logActivity = async (b, k) => (await gate.promise, real(b, k));
    button(log, '+1 glass').click();
    provider.token = jwt('bob');
    gate.resolve();
    await until(() => $(log, 'form'));
    await new Promise((r) => setTimeout(r, 50));
    expect(text(log)).not.to.contain('Logged');
    expect(button(log, 'Undo last entry')).to.equal(undefined);
  });

  it("shows the new customer's offline queue only", async () => {
    const name = freshQueueName();
    const q = new OfflineQueue(name);
    const at = new Date().toISOString();
    await q.add({ key: 'ka', owner: 'alice', request: { challengeId: 'c1', quantity: 3 }, queuedAt: at });
    await q.add({ key: 'kb', owner: 'bob', request: { challengeId: 'c1', quantity: 2 }, queuedAt: at });
    Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => false });
    try {
      const { provider, log } = await page(name);
      await until(() => $(log, '[part=pending]'));
      expect($(log, '[part=pending]').textContent).to.contain('3 glasses').and.not.contain('2 glasses');
      provider.token = jwt('bob');
      await until(() => $(log, '[part=pending]')?.textContent!.includes('2 glasses'));
      expect($(log, '[part=pending]').textContent).to.contain('1 log waiting').and.not.contain('3 glasses');
    } finally {
      delete (navigator as { onLine?: boolean }).onLine;
    }
  });

  it('keeps messages and typed values when the same customer gets a fresh token', async () => {
    const { provider, create } = await page();
    await type(create, 'name', 'Alice draft');
    await create.updateComplete;
    provider.token = `${jwt('alice')}2`;
    await until(() => $(create, 'form'));
    expect($<HTMLInputElement>(create, '#name').value).to.equal('Alice draft');
  });
});
