import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { UccError } from '../../src/api/errors.js';
import type { UccLogActivity, UccPoints, UccProvider, UccRewards } from '../../src/index.js';
import type { RedemptionResponse, RewardsResponse } from '../../src/api/types.js';
import {
  $,
  $$,
  FakeClient,
  button,
  challenge,
  deferred,
  inProvider,
  offline,
  redemption,
  reward,
  text,
  until,
} from './helpers.js';

/** The focused control of an element, by id or text (chai would hang describing a DOM node in a failure). */
const focused = (el: Element) => {
  const a = el.shadowRoot!.activeElement as HTMLElement | null;
  return a && (a.id ? `#${a.id}` : a.textContent!.trim());
};
const card = (el: Element, id: string) => $(el, `[id="r-${id}"]`).closest('li')!;
/** The Redeem button of reward `id`. */
const redeemOf = (el: Element, id = 'five-off') => card(el, id).querySelector<HTMLButtonElement>('[part~=redeem]')!;
const keys = (c: FakeClient) => c.calls.filter((x) => x.method === 'redeem').map((x) => x.args[1]);

async function rewards(client = new FakeClient(), inner = html`<ucc-rewards></ucc-rewards>`) {
  const { el, provider } = await inProvider<UccRewards>(client, inner);
  const r = provider.querySelector<UccRewards>('ucc-rewards')!;
  await until(() => $(r, '[part=rewards]') || $(r, '[part=status]:not([role])'));
  return { client, provider, el: r, first: el };
}

/** Opens the confirmation of reward `id` and presses Confirm. */
async function confirm(el: UccRewards, id = 'five-off') {
  redeemOf(el, id).click();
  await until(() => $(el, '[part=confirm]'));
  button(el, 'Confirm').focus();
  button(el, 'Confirm').click();
}

describe('<ucc-rewards>', () => {
  it('asks for a provider when used outside one', async () => {
    const el = await fixture<UccRewards>(html`<ucc-rewards></ucc-rewards>`);
    await expect(el).to.be.accessible();
    expect($(el, '[role=alert]').textContent).to.contain('<ucc-provider>');
  });

  it('shows loading while the catalogue is on its way', async () => {
    const client = new FakeClient();
    const gate = deferred<RewardsResponse>();
    const real = client.rewards.bind(client);
    client.rewards = () => gate.promise;
    const { el } = await inProvider<UccRewards>(client, html`<ucc-rewards></ucc-rewards>`);
    expect($(el, '[role=status]').textContent).to.contain('Loading');
    await expect(el).to.be.accessible();
    gate.resolve(await real());
    await until(() => $(el, '[part=rewards]'));
  });

  it("shows each reward's cost and how far the customer is from it, Redeem only for what she can afford", async () => {
    const client = new FakeClient();
    client.data.rewards.push(reward({ id: 'one-short', label: 'Sticker', points: 71 }));
    const { el } = await rewards(client);
    await expect(el).to.be.accessible();
    expect($(el, '[part=balance]').textContent).to.equal('You have 70 points.');
    const cost = (id: string) => card(el, id).querySelector('[part=cost]')!.textContent;
    const short = (id: string) => card(el, id).querySelector('[part=shortfall]')?.textContent;
    expect([cost('five-off'), cost('ten-off'), cost('shaker')]).to.deep.equal([
      '30 points',
      '100 points',
      '300 points',
    ]);
    expect([short('five-off'), short('ten-off'), short('shaker'), short('one-short')]).to.deep.equal([
      undefined,
      '30 more points',
      '230 more points',
      '1 more point',
    ]);
    expect(redeemOf(el).disabled).to.equal(false);
    expect(redeemOf(el, 'ten-off').disabled).to.equal(true);
    // Its name and why it is out of reach describe the button.
    expect(redeemOf(el, 'ten-off').getAttribute('aria-describedby')).to.equal('r-ten-off s-ten-off');
    expect(text(el)).to.contain('Our 700 ml steel bottle');
    expect($(el, '[part=coupons]')).to.equal(null);
  });

  it('says when a reward was redeemed as often as allowed', async () => {
    const client = new FakeClient();
    client.data.rewards[0].redeemed = 3;
    const { el } = await rewards(client);
    expect(card(el, 'five-off').querySelector('[part=shortfall]')!.textContent).to.equal(
      'Redeemed as often as allowed',
    );
    expect(redeemOf(el).disabled).to.equal(true);
  });

  it('says so when the catalogue is empty', async () => {
    const client = new FakeClient();
    client.data.rewards = [];
    const { el } = await rewards(client);
    expect(text(el)).to.contain('No rewards are available right now.');
    await expect(el).to.be.accessible();
  });

  it('shows its own load error with a working Retry; a server fault shows once, in the provider', async () => {
    const client = new FakeClient();
    const real = client.rewards.bind(client);
    let fail: UccError | undefined = new UccError(403, 'FORBIDDEN', 'Rewards are not enabled for this shop.');
    client.rewards = () => (fail ? Promise.reject(fail) : real());
    const { el, provider } = await inProvider<UccRewards>(client, html`<ucc-rewards></ucc-rewards>`);
    await until(() => $(el, '[role=alert]'));
    expect(text(el)).to.contain('Rewards are not enabled for this shop.');
    await expect(el).to.be.accessible();
    fail = undefined;
    button(el, 'Retry').click();
    await until(() => $(el, '[part=rewards]'));

    fail = new UccError(503, 'UNAVAILABLE', 'Service unavailable');
    await provider.refresh();
    await until(() => $(provider, '[role=alert]'));
    expect($(el, '[role=alert]')).to.equal(null);
    expect(text(provider)).to.contain('Something went wrong on our side');
    fail = undefined;
    button(provider, 'Retry').click();
    await until(() => $(el, '[part=rewards]'));
  });

  it('notes a catalogue answered stale (upstream mode: the loyalty programme could not be asked)', async () => {
    const client = new FakeClient();
    const real = client.rewards.bind(client);
    client.rewards = async () => ({ ...(await real()), stale: true });
    const { el } = await rewards(client);
    expect($(el, '[part=stale]').textContent).to.contain('Showing what we last knew');
    await expect(el).to.be.accessible();
  });

  describe('redeeming', () => {
    it('asks first, with the cost and the reward; Cancel sends nothing and returns focus to Redeem', async () => {
      const { el, client } = await rewards();
      redeemOf(el).focus();
      redeemOf(el).click();
      await until(() => $(el, '[part=confirm]'));
      const group = $(el, '[part=confirm]');
      expect(group.getAttribute('role')).to.equal('group');
      expect(group.textContent).to.contain('Spend 30 points on 5% off your next order?');
      await el.updateComplete;
      expect(focused(el)).to.equal('Cancel');
      await expect(el).to.be.accessible();
      button(el, 'Cancel').click();
      await until(() => !$(el, '[part=confirm]'));
      await el.updateComplete;
      expect(focused(el)).to.equal('Redeem');
      expect(client.count('redeem')).to.equal(0);
    });

    it('is operable with the keyboard: Enter opens, Escape cancels, Space opens, Enter on Confirm redeems', async () => {
      const { el, client } = await rewards();
      redeemOf(el).focus();
      await sendKeys({ press: 'Enter' });
      await until(() => $(el, '[part=confirm]'));
      await el.updateComplete;
      expect(focused(el)).to.equal('Cancel');
      await sendKeys({ press: 'Escape' });
      await until(() => !$(el, '[part=confirm]'));
      await el.updateComplete;
      expect(focused(el)).to.equal('Redeem');
      await sendKeys({ press: 'Space' });
      await until(() => $(el, '[part=confirm]'));
      await el.updateComplete;
      await sendKeys({ down: 'Shift' });
      await sendKeys({ press: 'Tab' });
      await sendKeys({ up: 'Shift' });
      expect(focused(el)).to.equal('Confirm');
      await sendKeys({ press: 'Enter' });
      await until(() => $(el, '[part=code]'));
      expect(client.count('redeem')).to.equal(1);
    });

    it('shows the coupon with its expiry, fires ucc-reward-redeemed once, updates <ucc-points> and the catalogue: one request', async () => {
      const client = new FakeClient();
      const { el, provider } = await rewards(client, html`<ucc-rewards></ucc-rewards><ucc-points></ucc-points>`);
      const pts = provider.querySelector<UccPoints>('ucc-points')!;
      await until(() => $(pts, '[part=balance]'));
      const fired: RedemptionResponse['redemption'][] = [];
      provider.addEventListener('ucc-reward-redeemed', (e) => fired.push(e.detail.redemption));
      const before = client.calls.length;
      await confirm(el);
      await until(() => $(el, '[part=coupon] [part=code]'));
      await el.updateComplete;

      expect(client.calls.slice(before).map((c) => c.method)).to.deep.equal(['redeem']);
      expect(fired).to.have.length(1);
      expect(fired[0].coupon.code).to.equal('HYDRA-5OFF-7K2Q');
      const coupon = $(el, '[part=coupon]');
      expect(coupon.getAttribute('role')).to.equal('status');
      expect(coupon.textContent).to.contain('Your coupon for 5% off your next order:');
      expect(coupon.textContent).to.contain('HYDRA-5OFF-7K2Q').and.contain('Valid until Dec 31, 2026');
      expect(focused(el)).to.equal('Copy code');
      expect($(el, '[part=confirm]')).to.equal(null);
      // <ucc-points>: the answer's balance and the spending in the ledger, without reading them again.
      await until(() => $(pts, '[part=balance]').textContent!.includes('40 points'));
      expect(text(pts)).to.contain('5% off your next order').and.contain('-30');
      // The catalogue follows the balance; her coupons list the new one.
      expect($(el, '[part=balance]').textContent).to.equal('You have 40 points.');
      expect(card(el, 'ten-off').querySelector('[part=shortfall]')!.textContent).to.equal('60 more points');
      expect(redeemOf(el).disabled).to.equal(false);
      expect($$(el, '[part=redemption]')).to.have.length(1);
      expect($(el, '[part=redemption]').textContent).to.contain('HYDRA-5OFF-7K2Q').and.contain('Active');
      expect(['points', 'rewards', 'redemptions'].map((m) => client.count(m))).to.deep.equal([1, 1, 1]);
      await new Promise((r) => setTimeout(r, 50));
      expect(fired).to.have.length(1);
      await expect(el).to.be.accessible();
    });

    it('is busy while redeeming: Confirm says so, and pressing it again sends nothing more', async () => {
      const client = new FakeClient();
      const gate = deferred<void>();
      const real = client.redeem.bind(client);
      client.redeem = async (id, key) => (await gate.promise, real(id, key));
      const { el } = await rewards(client);
      await confirm(el);
      await until(() => button(el, 'Redeeming…'));
      const busy = button(el, 'Redeeming…');
      expect(busy.getAttribute('aria-busy')).to.equal('true');
      expect(busy.getAttribute('aria-disabled')).to.equal('true');
      busy.click();
      await sendKeys({ press: 'Escape' });
      expect($(el, '[part=confirm]')).to.exist;
      gate.resolve();
      await until(() => $(el, '[part=coupon] [part=code]'));
      expect(client.count('redeem')).to.equal(1);
    });

    it('refused for want of points: says how many more, closes the confirmation and reads the catalogue again', async () => {
      const client = new FakeClient();
      const { el } = await rewards(client);
      // Spent meanwhile in another tab: the catalogue still shows 70.
      client.data.points = { ...client.data.points, balance: 10 };
      await confirm(el);
      await until(() => $(el, '[role=alert]'));
      expect($(el, '[role=alert]').textContent).to.equal('You need 20 more points for this reward.');
      expect($(el, '[part=confirm]')).to.equal(null);
      await until(() => redeemOf(el).disabled);
      expect(card(el, 'five-off').querySelector('[part=shortfall]')!.textContent).to.equal('20 more points');
      expect(client.count('rewards')).to.equal(2);
      // Focus cannot stay on Redeem (now out of reach): the reward's name.
      expect(focused(el)).to.equal('#r-five-off');
      await expect(el).to.be.accessible();
    });

    it("shows the server's words for a reached limit", async () => {
      const client = new FakeClient();
      const { el } = await rewards(client);
      client.data.rewards[0].redeemed = 3;
      await confirm(el);
      await until(() => $(el, '[role=alert]'));
      expect(text(el)).to.contain('You have redeemed this reward as often as allowed.');
      await until(() => redeemOf(el).disabled);
    });

    it('a failed try keeps the attempt open and Confirm retries it with the same key; a new attempt has a new key', async () => {
      const client = new FakeClient();
      const real = client.redeem.bind(client);
      client.data.points = { ...client.data.points, balance: 200 };
      let fail = true;
      client.redeem = (id, key) =>
        fail ? (client.calls.push({ method: 'redeem', args: [id, key] }), Promise.reject(offline())) : real(id, key);
      const { el } = await rewards(client);
      await confirm(el);
      await until(() => $(el, '[role=alert]'));
      expect($(el, '[role=alert]').textContent).to.contain("We can't reach the service");
      expect($(el, '[part=confirm]')).to.exist;
      expect(focused(el)).to.equal('Confirm');
      fail = false;
      button(el, 'Confirm').click();
      await until(() => $(el, '[part=coupon] [part=code]'));
      expect($(el, '[role=alert]')).to.equal(null);
      const [k1, k2] = keys(client);
      expect(k1).to.be.a('string').and.not.empty;
      expect(k2).to.equal(k1);
      // A new attempt (after success), and one after a Cancel: each its own key.
      await confirm(el);
      await until(() => $$(el, '[part=redemption]').length === 2);
      redeemOf(el).click();
      await until(() => $(el, '[part=confirm]'));
      button(el, 'Cancel').click();
      await until(() => !$(el, '[part=confirm]'));
      await confirm(el);
      await until(() => $$(el, '[part=redemption]').length === 3);
      const all = keys(client);
      expect(all).to.have.length(4);
      expect(new Set(all).size).to.equal(3);
    });

    it('a retried attempt the server already recorded spends once (the replay answers the same coupon)', async () => {
      const client = new FakeClient();
      const real = client.redeem.bind(client);
      let lose = true;
      // The first answer is lost on its way back: the server recorded it.
      client.redeem = async (id, key) => {
        const res = await real(id, key);
        if (lose) throw ((lose = false), offline());
        return res;
      };
      const { el } = await rewards(client, html`<ucc-rewards></ucc-rewards><ucc-points></ucc-points>`);
      await confirm(el);
      await until(() => $(el, '[role=alert]'));
      button(el, 'Confirm').click();
      await until(() => $(el, '[part=coupon] [part=code]'));
      expect(client.data.points.balance).to.equal(40);
      expect($(el, '[part=balance]').textContent).to.equal('You have 40 points.');
      expect($$(el, '[part=redemption]')).to.have.length(1);
    });
  });

  describe('copying the code', () => {
    const clip = navigator.clipboard;
    afterEach(() => Object.defineProperty(navigator, 'clipboard', { configurable: true, value: clip }));
    const stubClipboard = (writeText: (s: string) => Promise<void>) =>
      Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText } });

    it('copies with the clipboard and announces "Copied"', async () => {
      const copied: string[] = [];
      stubClipboard(async (s) => void copied.push(s));
      const { el } = await rewards();
      await confirm(el);
      await until(() => $(el, '[part=coupon] [part~=copy]'));
      $(el, '[part=coupon] [part~=copy]').click();
      await until(() => $(el, '[part=announcement]').textContent === 'Copied');
      expect($(el, '[part=announcement]').getAttribute('role')).to.equal('status');
      expect(copied).to.deep.equal(['HYDRA-5OFF-7K2Q']);
    });

    it('falls back to the copy command on the selected code, and says when that fails too', async () => {
      stubClipboard(() => Promise.reject(new DOMException('Denied', 'NotAllowedError')));
      const exec = document.execCommand;
      let works = true;
      document.execCommand = (cmd: string) => cmd === 'copy' && works;
      try {
        const { el } = await rewards();
        await confirm(el);
        await until(() => $(el, '[part=coupon] [part~=copy]'));
        $(el, '[part=coupon] [part~=copy]').click();
        await until(() => $(el, '[part=announcement]').textContent === 'Copied');
        expect(getSelection()!.toString()).to.equal('HYDRA-5OFF-7K2Q');
        works = false;
        $(el, '[part=coupon] [part~=copy]').click();
        await until(() => text(el).includes('The code is selected'));
      } finally {
        document.execCommand = exec;
      }
    });
  });

  it('lists her coupons with code, status and expiry; Copy only for active ones', async () => {
    const client = new FakeClient();
    client.data.redemptions = [
      redemption('five-off', { id: 'a' }),
      redemption('ten-off', {
        id: 'b',
        coupon: { ...redemption().coupon, code: 'USED-1', status: 'REDEEMED' },
      }),
      redemption('five-off', {
        id: 'c',
        coupon: { ...redemption().coupon, code: 'OLD-1', status: 'EXPIRED', expiresAt: '2026-01-02T00:00:00Z' },
      }),
    ];
    const { el } = await rewards(client);
    await until(() => $$(el, '[part=redemption]').length === 3);
    const rows = $$(el, '[part=redemption]').map((li) => li.textContent!.replace(/\s+/g, ' ').trim());
    expect(rows[0]).to.contain('5% off your next order').and.contain('HYDRA-5OFF-7K2Q').and.contain('Active');
    expect(rows[1]).to.contain('USED-1').and.contain('Used');
    expect(rows[2]).to.contain('OLD-1').and.contain('Expired').and.contain('Jan 2, 2026');
    expect($$(el, '[part=redemption] [part~=copy]')).to.have.length(1);
    expect($$(el, '[part~=status-expired]')).to.have.length(1);
    await expect(el).to.be.accessible();
  });

  it('a reward earned by a log makes a reward affordable, without reading the catalogue again', async () => {
    const client = new FakeClient();
    client.data.challenges = [challenge({}, 7)];
    const answer = client.logAnswer.bind(client);
    client.logAnswer = (b, k) => ({
      ...answer(b, k),
      rewards: [{ challengeId: 'c1', ledgerEntryId: 'l9', points: 30, reason: 'Completed: Water' }],
    });
    const { el, provider } = await rewards(
      client,
      html`<ucc-log-activity challenge-id="c1"></ucc-log-activity><ucc-rewards></ucc-rewards>`,
    );
    const log = provider.querySelector<UccLogActivity>('ucc-log-activity')!;
    await until(() => $(log, 'form'));
    expect(redeemOf(el, 'ten-off').disabled).to.equal(true);
    button(log, '+1 glass').click();
    await until(() => !redeemOf(el, 'ten-off').disabled);
    expect($(el, '[part=balance]').textContent).to.equal('You have 100 points.');
    expect(client.count('rewards')).to.equal(1);
  });

  it("speaks the provider's language: words, plural forms, numbers and dates", async () => {
    const client = new FakeClient();
    client.data.rewards.push(reward({ id: 'one-short', label: 'Sticker', points: 71 }));
    const { el } = await rewards(client, html`<div lang="de"><ucc-rewards></ucc-rewards></div>`);
    await until(() => text(el).includes('Prämien'));
    expect(text(el)).to.contain('Du hast 70 Punkte.').and.contain('30 weitere Punkte').and.contain('1 weiterer Punkt');
    redeemOf(el).click();
    await until(() => $(el, '[part=confirm]'));
    expect($(el, '[part=confirm]').textContent).to.contain('30 Punkte für 5% off your next order einlösen?');
    button(el, 'Bestätigen').click();
    await until(() => $(el, '[part=coupon] [part=code]'));
    expect($(el, '[part=coupon]').textContent).to.contain('Gültig bis 31.12.2026');
  });

  it("drops the previous customer's coupon and confirmation on a switch", async () => {
    const client = new FakeClient();
    const jwt = (sub: string) => `x.${btoa(JSON.stringify({ sub })).replace(/=+$/, '')}.y`;
    const provider = await fixture<UccProvider>(
      html`<ucc-provider .client=${client} token=${jwt('alice')}><ucc-rewards></ucc-rewards></ucc-provider>`,
    );
    const el = provider.querySelector<UccRewards>('ucc-rewards')!;
    await until(() => $(el, '[part=rewards]'));
    await confirm(el);
    await until(() => $(el, '[part=coupon] [part=code]'));
    redeemOf(el).click();
    await until(() => $(el, '[part=confirm]'));
    client.data.redemptions = [];
    provider.token = jwt('bob');
    await until(() => $(el, '[part=rewards]') && !$(el, '[part=redemption]'));
    expect(text(el)).not.to.contain('HYDRA');
    expect($(el, '[part=confirm]')).to.equal(null);
  });
});
