/**
 * A page that imports single elements (`ucc-widgets/elements/…`) rather than the root entry: this
 * file loads only the provider, progress and log-activity entries (fixtures.ts defines nothing).
 * The offline queue's code travels with <ucc-log-activity>, so it is that element that opens the
 * queue and replays it.
 */
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/elements/provider/provider.js';
import '../../src/elements/progress/progress.js';
import '../../src/elements/log-activity/log-activity.js';
import { OfflineQueue } from '../../src/api/offline-queue.js';
import type { UccProgress, UccProvider } from '../../src/index.js';
import { $, FakeClient, freshQueueName, text, until } from './fixtures.js';

const queueExists = async (name: string) => (await indexedDB.databases()).some((d) => d.name === name);

describe('element entries without the root entry', () => {
  it('a provider with <ucc-progress> shows progress and opens no offline queue', async () => {
    const name = freshQueueName();
    const provider = await fixture<UccProvider>(html`<ucc-provider .client=${new FakeClient()} queue-name=${name}>
      <ucc-progress></ucc-progress></ucc-provider>`);
    const el = provider.querySelector<UccProgress>('ucc-progress')!;
    await until(() => $(el, '[role=progressbar]'));
    expect(text(el)).to.contain('My challenges');
    await new Promise((r) => setTimeout(r, 50));
    expect(await queueExists(name)).to.equal(false);
  });

  it('<ucc-log-activity> replays a log queued on an earlier page, once, and the provider reports it', async () => {
    const name = freshQueueName();
    await new OfflineQueue(name).add({
      key: 'k1',
      owner: '',
      request: { challengeId: 'c1', quantity: 1 },
      queuedAt: new Date().toISOString(),
    });
    const client = new FakeClient();
    // Listening before the provider connects: the replay starts as soon as the log element does.
    const provider = Object.assign(document.createElement('ucc-provider'), { client, queueName: name });
    provider.append(document.createElement('ucc-log-activity'));
    provider.firstElementChild!.setAttribute('challenge-id', 'c1');
    const logged = oneEvent(provider, 'ucc-activity-logged');
    (await fixture(html`<div></div>`)).append(provider);
    expect((await logged).detail.activity.id).to.equal('a-k1');
    await until(() => $(provider.querySelector('ucc-log-activity')!, 'form'));
    await new Promise((r) => setTimeout(r, 50));
    expect(client.calls.filter((c) => c.method === 'logActivity').map((c) => c.args[1])).to.deep.equal(['k1']);
    expect(await new OfflineQueue(name).list()).to.deep.equal([]);
  });
});
