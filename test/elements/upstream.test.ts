/** Upstream mode (the widget API drives a brand's loyalty programme): rewards on a later read, pending logs, stale reads. */
import { expect, html } from '@open-wc/testing';
import type { UccLogActivity, UccPoints, UccProgress } from '../../src/index.js';
import type { Reward } from '../../src/api/types.js';
import { $, FakeClient, button, challenge, inProvider, points, text, until } from './helpers.js';

/** A completed challenge: `earned` points, all periods met. */
const completed = (over: Parameters<typeof challenge>[0] = {}, earned = 30) =>
  challenge({ status: 'completed', reward: { points: 30, earned }, ...over }, 8);

/** Progress, points and a log element in one provider; `rewards` collects every `ucc-reward-earned`. */
async function page(client = new FakeClient()) {
  const { provider } = await inProvider(
    client,
    html`<ucc-log-activity challenge-id="c1"></ucc-log-activity><ucc-progress></ucc-progress><ucc-points></ucc-points>`,
  );
  const rewards: Reward[] = [];
  provider.addEventListener('ucc-reward-earned', (e) => rewards.push(e.detail.reward));
  const log = provider.querySelector<UccLogActivity>('ucc-log-activity')!;
  const progress = provider.querySelector<UccProgress>('ucc-progress')!;
  const pts = provider.querySelector<UccPoints>('ucc-points')!;
  await until(() => $(log, 'form') && $(progress, 'h2') && $(pts, '[part=balance]'));
  /** Reads everything again (as the page's `refresh()`), and waits until the progress is drawn from the new read. */
  const refresh = async () => {
    const n = client.count('challenges');
    await provider.refresh();
    await until(() => client.count('challenges') > n && provider.store!.r.challenges.status === 'ok');
    await progress.updateComplete;
  };
  /** Reads the challenges alone again (as a retry or a language change does). */
  const reread = async () => {
    const s = provider.store!;
    s.load('challenges', true);
    await until(() => s.r.challenges.status === 'ok');
    await progress.updateComplete;
  };
  return { client, provider, log, progress, pts, rewards, refresh, reread };
}

const settle = () => new Promise((r) => setTimeout(r, 50));

describe('upstream mode: a reward that shows on a later read', () => {
  it('fires ucc-reward-earned once when a refresh shows earned rising, worded as a log answer, and reads the points again', async () => {
    const client = new FakeClient();
    // Already completed when the page loads: not a new reward.
    client.data.challenges = [challenge(), completed({ id: 'c0', name: 'Steps' }, 50)];
    const { pts, rewards, refresh, reread } = await page(client);
    await settle();
    expect(rewards, 'nothing on the first load').to.deep.equal([]);
    expect(client.count('points')).to.equal(1);

    client.data.challenges = [completed(), completed({ id: 'c0', name: 'Steps' }, 50)];
    client.data.points = points({ balance: 100 });
    await reread();
    await until(() => rewards.length === 1);
    expect(rewards[0]).to.deep.equal({ challengeId: 'c1', ledgerEntryId: '', points: 30, reason: 'Completed "Water"' });
    await until(() => $(pts, '[part=balance]').textContent!.includes('100 points'));
    expect(client.count('points'), 'the points were read again').to.equal(2);

    await reread();
    await refresh();
    // An earlier copy (a stale read) showing less, then the programme's own answer again: still not a new reward.
    client.data.challenges = [challenge(), completed({ id: 'c0', name: 'Steps' }, 50)];
    await reread();
    client.data.challenges = [completed(), completed({ id: 'c0', name: 'Steps' }, 50)];
    await reread();
    await settle();
    expect(rewards.length, 'never twice for the same points').to.equal(1);
  });

  it("is quiet on a read after another tab's log (that tab reported its rewards)", async () => {
    const { client, provider, rewards } = await page();
    client.data.challenges = [completed()];
    const s = provider.store!;
    s.load('challenges', true, true);
    await until(() => s.r.challenges.status === 'ok');
    await settle();
    expect(rewards).to.deep.equal([]);
  });

  it('reports only the rise, and nothing for a reward a log answer already reported', async () => {
    const client = new FakeClient();
    client.data.challenges = [challenge({}, 7)];
    const answer = client.logAnswer.bind(client);
    client.logAnswer = (b, k) => {
      const res = answer(b, k);
      client.data.challenges = [completed()];
      return {
        ...res,
        challenges: [completed()],
        rewards: [{ challengeId: 'c1', ledgerEntryId: 'l9', points: 30, reason: 'Completed "Water"' }],
      };
    };
    const { log, rewards, refresh } = await page(client);
    button(log, '+1 glass').click();
    await until(() => rewards.length === 1);
    expect(rewards[0].ledgerEntryId).to.equal('l9');
    await refresh();
    await settle();
    expect(rewards.length, 'the log answer reported it').to.equal(1);

    // A challenge earning more later (a bonus) reports the difference.
    client.data.challenges = [completed({}, 45)];
    await refresh();
    await until(() => rewards.length === 2);
    expect(rewards[1]).to.include({ challengeId: 'c1', points: 15 });
  });

  it("a new customer's completed challenges are not new rewards (challenge ids are the server's, unique across customers)", async () => {
    const { client, provider, rewards } = await page();
    client.data.challenges = [completed({ id: 'c7' })];
    await provider.store!.reset(true);
    await until(() => provider.store!.r.challenges.status === 'ok');
    await settle();
    expect(rewards).to.deep.equal([]);
  });
});

describe('upstream mode: a pending log', () => {
  it('says the log reaches the rewards account in a moment; its reward fires on a later read', async () => {
    const client = new FakeClient();
    client.data.challenges = [challenge({}, 7)];
    const answer = client.logAnswer.bind(client);
    client.logAnswer = (b, k) => ({ ...answer(b, k), pending: true });
    const { log, rewards, refresh } = await page(client);
    button(log, '+1 glass').click();
    await until(() => text(log).includes('Logged 1 glass'));
    const said = $(log, '[part=announcement]').textContent!;
    expect(said).to.contain('8 of 8 glasses').and.contain('Saved — it will reach your rewards account in a moment.');
    expect(said).to.not.contain('You earned');
    await expect(log).to.be.accessible();
    expect(rewards).to.deep.equal([]);

    client.data.challenges = [completed()];
    await refresh();
    await until(() => rewards.length === 1);
    expect(rewards[0]).to.deep.equal({ challengeId: 'c1', ledgerEntryId: '', points: 30, reason: 'Completed "Water"' });
  });

  it('says nothing of the kind for a log the programme took at once', async () => {
    const { log } = await page();
    button(log, '+1 glass').click();
    await until(() => text(log).includes('Logged 1 glass'));
    expect(text(log)).to.not.contain('rewards account');
  });
});

describe('upstream mode: stale reads', () => {
  it('progress and points keep their data and add a polite note (part=stale), gone once a read is fresh', async () => {
    const client = new FakeClient();
    const read = client.challenges.bind(client);
    let stale = true;
    client.challenges = async (s) => ({ ...(await read(s)), ...(stale ? { stale } : {}) });
    client.data.points = points({ stale: true });
    const { progress, pts, log, refresh } = await page(client);
    await until(() => $(progress, '[part=stale]') && $(pts, '[part=stale]'));
    const note = $(progress, '[part=stale]');
    expect(note.getAttribute('role')).to.equal('status');
    expect(note.textContent).to.equal('Showing what we last knew until the rewards service is back.');
    expect($(pts, '[part=stale]').textContent).to.equal(note.textContent);
    expect(text(progress), 'the data stays').to.contain('5 of 8 glasses');
    expect(text(pts)).to.contain('Balance: 70 points');
    expect($(log, '[part=stale]'), 'the log element shows none').to.equal(null);
    await expect(progress).to.be.accessible();
    await expect(pts).to.be.accessible();

    stale = false;
    client.data.points = points();
    await refresh();
    await until(() => !$(progress, '[part=stale]') && !$(pts, '[part=stale]'));
  });
});
