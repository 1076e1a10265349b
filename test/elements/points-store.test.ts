import { expect, html, oneEvent } from '@open-wc/testing';
import type { UccLogActivity, UccPoints } from '../../src/index.js';
import { $, FakeClient, button, challenge, inProvider, text, until } from './helpers.js';

describe('<ucc-points> with <ucc-log-activity>', () => {
  it('adds an earned reward to the balance and ledger without refetching', async () => {
    const client = new FakeClient();
    client.data.challenges = [challenge({}, 7)];
    const answer = client.logAnswer.bind(client);
    client.logAnswer = (b, k) => ({
      ...answer(b, k),
      rewards: [{ challengeId: 'c1', ledgerEntryId: 'l9', points: 30, reason: 'Completed: Water' }],
    });
    const { provider, el } = await inProvider<UccLogActivity>(
      client,
      html`<ucc-log-activity challenge-id="c1"></ucc-log-activity><ucc-points></ucc-points>`,
    );
    const pts = provider.querySelector<UccPoints>('ucc-points')!;
    await until(() => $(pts, '[part=balance]') && $(el, 'form'));
    const earned = oneEvent(provider, 'ucc-reward-earned');
    button(el, '+1 glass').click();
    await earned;
    await until(() => $(pts, '[part=balance]').textContent!.includes('100 points'));
    expect(text(pts)).to.contain('Completed: Water').and.contain('+30');
    expect(client.count('points')).to.equal(1);
  });
});
