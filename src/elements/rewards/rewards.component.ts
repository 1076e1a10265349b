import { html, nothing } from 'lit';
import { UccStoreElement } from '../ucc-element.js';
import type { UccStore } from '../../context/store.js';
import { redeem, uid } from '../../context/store-actions.js';
import type { UccError } from '../../api/errors.js';
import type { CatalogueReward, Redemption } from '../../api/types.js';
import { addMessages } from '../../i18n/index.js';
import { shared } from '../../styles/shared.js';
import { forms } from '../../styles/forms.js';
import { styles } from './rewards.styles.js';
import { rewards as messages } from '../../i18n/en/rewards.js';

// This element's English messages join the built-in English when its module loads.
addMessages(messages);

/** A refusal that will not change on a retry (not the session, a timeout or the rate limit). */
const refused = (e: UccError) => e.status > 401 && e.status < 500 && e.status !== 408 && e.status !== 429;

/**
 * The brand's reward catalogue: each reward's cost and how far the customer is from it ("40 more
 * points"), a Redeem button confirmed inline ("Spend 30 points on 5% off your next order?" — Confirm /
 * Cancel; Escape cancels; focus starts on Cancel and returns to Redeem), then the coupon's code with a
 * Copy button and its expiry, and the customer's coupons. A redemption is one request: its answer's
 * balance updates `<ucc-points>` and the catalogue through the shared store. A failed try (network,
 * server) keeps the confirmation open and Confirm retries with the same idempotency key, so a retry
 * never spends twice; a refusal (not enough points, the limit reached) closes it and reads the
 * catalogue again.
 *
 * @tag ucc-rewards
 * @summary Spend points on the brand's rewards: the catalogue, redeeming for a coupon, and my coupons.
 * @fires ucc-reward-redeemed - `{ redemption }` once the server has recorded a redemption (`redemption.coupon`: code, expiry, discount).
 * @fires ucc-error - `{ error, code, status, message }` when a redemption fails (`message`: the text shown).
 * @csspart balance - The "You have 70 points." line.
 * @csspart rewards - The list of rewards.
 * @csspart reward - One reward card.
 * @csspart cost - Its cost in points.
 * @csspart shortfall - How many more points it needs, or that its limit is reached.
 * @csspart redeem - The Redeem button (also `button`); disabled while the reward is out of reach.
 * @csspart confirm - The confirmation: question, Confirm (`redeem-confirm`) and Cancel (`cancel`) buttons.
 * @csspart coupon - The polite live region showing the new coupon: label, code and expiry.
 * @csspart code - A coupon code (the new one and each in the list).
 * @csspart copy - A Copy code button (also `button`).
 * @csspart coupons - The list of the customer's coupons.
 * @csspart redemption - One coupon in it.
 * @csspart status-active - A coupon's status while it can be used; `status-redeemed` once used, `status-expired` after its expiry.
 * @csspart announcement - The live region announcing "Copied".
 * @csspart retry - The Retry button of the error state.
 * @csspart error - Load or redemption error.
 * @csspart status - Loading and empty messages.
 * @csspart stale - A polite note that the catalogue shown is the last known (the loyalty programme could not be asked just now; upstream mode).
 * @cssprop --ucc-color-primary - Buttons.
 * @cssprop --ucc-color-track - Card borders and the coupon's dashed border.
 * @cssprop --ucc-color-success - Active coupons.
 * @cssprop --ucc-color-muted - Expiry dates, used and expired coupons.
 * @cssprop --ucc-color-danger - Errors.
 */
export class UccRewards extends UccStoreElement {
  static override styles = [shared, forms, styles];
  static override properties = {
    ask: { state: true },
    got: { state: true },
    failed: { state: true },
  };
  protected override needs = ['rewards' as const, 'redemptions' as const];

  /** Id of the reward whose redemption is being confirmed. */
  declare private ask?: string;
  /** The redemption just made: its coupon is shown. */
  declare private got?: Redemption;
  /** Id of the reward whose last try failed: its card shows the error. */
  declare private failed?: string;
  /** The idempotency key of the attempt being confirmed: every try of it sends the same one. */
  #key = '';

  protected override resetState() {
    super.resetState();
    this.#key = '';
  }

  /** A refusal for want of points says how many more, in the customer's language. */
  protected override say(e: UccError) {
    const n = e.code === 'INSUFFICIENT_POINTS' && Number(e.details?.shortfall);
    return n ? this.t.needMore(this.l.qty(n, this.t.morePoints)) : super.say(e);
  }

  protected override content(store: UccStore) {
    const { rewards, balance } = store.r.rewards.data!;
    const mine = store.r.redemptions.data!.redemptions;
    const t = this.t,
      got = this.got,
      day = this.l.dates({ dateStyle: 'medium' });
    return html`<h2>${t.rewardsTitle}</h2>${this.stale()}
      <p part="balance">${t.youHave(this.l.qty(balance, t.points))}</p>
      <div part="coupon" role="status">${
        got
          ? html`<div class="coupon"><p>${t.couponReady(got.label)}</p>${this.#code(got, 'new')}
        <p class="muted">${t.validUntil(day(got.coupon.expiresAt))}</p></div>`
          : nothing
      }</div>
      <p part="announcement" role="status">${this.note?.(t, this.l)}</p>
      ${
        rewards.length
          ? html`<ul part="rewards" class="list">${rewards.map((r) => this.#card(r))}</ul>`
          : html`<p part="status">${t.noRewards}</p>`
      }
      ${
        mine.length
          ? html`<h3>${t.couponsTitle}</h3><ul part="coupons">${mine.map(
              (x) => html`<li part="redemption" class="row">
          <span>${x.label}</span>${this.#code(x)}
          <span part="status-${x.coupon.status.toLowerCase()}" class=${x.coupon.status}>${t[x.coupon.status]}</span>
          <time class="muted" datetime=${x.coupon.expiresAt}>${t.validUntil(day(x.coupon.expiresAt))}</time>
        </li>`,
            )}</ul>`
          : nothing
      }`;
  }

  /** A coupon's code, with a Copy button while it can be used. */
  #code(x: Redemption, id = x.id) {
    return html`<code part="code" id="c-${id}">${x.coupon.code}</code>${
      x.coupon.status === 'ACTIVE'
        ? html`<button part="button copy" class="secondary" aria-describedby="c-${id}" aria-disabled=${this.busy}
        @click=${() => this.#copy(x.coupon.code, `#c-${id}`)}>${this.t.copy}</button>`
        : nothing
    }`;
  }

  #card(r: CatalogueReward) {
    const t = this.t,
      id = r.id,
      limit = r.perCustomerLimit != null && r.redeemed >= r.perCustomerLimit,
      why = limit ? t.limitReached : r.shortfall ? this.l.qty(r.shortfall, t.morePoints) : '';
    return html`<li part="reward" class="card">
      <h3 id="r-${id}" tabindex="-1">${r.label}</h3>
      ${r.description ? html`<p>${r.description}</p>` : nothing}
      <p><span part="cost">${this.l.qty(r.points, t.points)}</span>${why ? html` · <span part="shortfall" id="s-${id}">${why}</span>` : nothing}</p>
      ${
        this.ask === id
          ? html`<div part="confirm" role="group" aria-labelledby="q-${id}" @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && this.#cancel(id)}>
        <p id="q-${id}">${t.redeemAsk(this.l.qty(r.points, t.points), r.label)}</p>
        <button part="button redeem-confirm" aria-disabled=${this.busy} aria-busy=${this.busy} @click=${() => this.#redeem(r)}>${this.busy ? t.redeeming : t.redeemYes}</button>
        <button part="button cancel" class="secondary" aria-disabled=${this.busy} @click=${() => this.#cancel(id)}>${t.cancel}</button>
      </div>`
          : html`<button part="button redeem" ?disabled=${!r.affordable} aria-describedby="r-${id}${why ? ` s-${id}` : ''}"
        @click=${() => this.#open(id)}>${t.redeem}</button>`
      }
      ${this.failed === id ? this.alert() : nothing}
    </li>`;
  }

  async #focus(selector: string) {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(selector)?.focus();
  }

  /** Opens the confirmation for reward `id`: a new attempt, with a new idempotency key. */
  #open(id: string) {
    if (this.busy) return;
    this.#key = uid();
    this.ask = id;
    this.failed = this.error = undefined;
    void this.#focus('[part~=cancel]');
  }

  #cancel(id: string) {
    if (this.busy) return;
    this.ask = this.failed = undefined;
    void this.#focus(`[aria-describedby~="r-${id}"]`);
  }

  /** Redeems `r`: one request; the coupon shows and focus moves to its Copy button. */
  #redeem(r: CatalogueReward) {
    const root = this.renderRoot,
      key = this.#key;
    let done = false;
    this.failed = r.id;
    return this.act(
      async (store) => {
        try {
          const redemption = await redeem(store, r.id, key);
          return () => {
            done = true;
            this.ask = this.failed = undefined;
            this.#key = '';
            this.got = redemption;
            this.emit('ucc-reward-redeemed', { redemption });
          };
        } catch (e) {
          // Refused (not enough points, the limit reached, withdrawn): this attempt is over, and the catalogue
          // was not what the customer saw; anything else keeps the attempt open, Confirm retrying with its key.
          if (refused(e as UccError)) {
            this.ask = undefined;
            store.load('rewards', true);
          }
          throw e;
        }
      },
      // Done: to the new coupon's Copy button; refused: to Redeem, or the reward's name when out of reach.
      () =>
        root.querySelector(
          done ? '[part~=coupon] [part~=copy]' : `[aria-describedby~="r-${r.id}"]:enabled, [id="r-${r.id}"]`,
        ),
    );
  }

  /** Copies a code: the clipboard, else the page's copy command on the selected code; announces the outcome. */
  #copy(code: string, selector: string) {
    return this.act(async () => {
      let ok = true;
      try {
        await navigator.clipboard.writeText(code);
      } catch {
        getSelection()?.selectAllChildren(this.renderRoot.querySelector(selector)!);
        ok = document.execCommand('copy');
      }
      return () => (t) => (ok ? t.copied : t.copySelected);
    });
  }
}
