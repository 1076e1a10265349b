import { html, nothing, type PropertyValues } from 'lit';
import { UccStoreElement } from '../ucc-element.js';
import type { UccStore } from '../../context/store.js';
import { uid, undo } from '../../context/store-actions.js';
import { dismiss, log, useQueue, type QueueStore } from '../../context/store-log.js';
import type { Activity, Challenge, LogActivityResponse } from '../../api/types.js';
import type { QueuedLog } from '../../api/offline-queue.js';
import { addMessages } from '../../i18n/index.js';
import { shared } from '../../styles/shared.js';
import { forms } from '../../styles/forms.js';
import { styles } from './log-activity.styles.js';
import { logActivity as messages } from '../../i18n/en/log-activity.js';

// This element's English messages join the built-in English when its module loads.
addMessages(messages);

type When = 'now' | 'earlier' | 'yesterday';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Logs activity towards a challenge: a one-tap +1, a quantity, and an earlier time within the brand's
 * backfill window. Logs that cannot be delivered (offline, service down, token expired) are queued,
 * shown as pending with the reason, and sent once it no longer holds; a queued log the server refused
 * is shown (with a Dismiss button) instead of being dropped silently.
 *
 * @tag ucc-log-activity
 * @summary Log activity for one challenge (`challenge-id`) or a picked active one; undo the last log.
 * @fires ucc-activity-logged - `{ activity, challenges }` after the server recorded a log.
 * @fires ucc-reward-earned - `{ reward }` for each reward a log earned. A log answered `pending` (upstream mode) earns none here: the provider fires its reward when a later read shows it.
 * @fires ucc-error - `{ error, code, status, message }` when a log or undo fails (`message`: the text shown).
 * @csspart form - The form.
 * @csspart input - The challenge picker, quantity and time inputs.
 * @csspart quick - The +1 button.
 * @csspart button - The Log, Undo and Retry buttons.
 * @csspart pending - The list of logs waiting to be sent, with why they wait.
 * @csspart refused - A queued log the server refused, with its Dismiss button.
 * @csspart announcement - The live region announcing results (for a `pending` log, also that it reaches the rewards account in a moment).
 * @csspart retry - The Retry button of the error state.
 * @csspart error - Load or log error.
 * @csspart status - Loading and empty messages.
 * @cssprop --ucc-color-primary - Button colour.
 * @cssprop --ucc-color-danger - Error colour.
 * @cssprop --ucc-color-surface - Background.
 */
export class UccLogActivity extends UccStoreElement {
  static override styles = [shared, forms, styles];
  static override properties = {
    challengeId: { attribute: 'challenge-id' },
    picked: { state: true },
    quantity: { state: true },
    when: { state: true },
    last: { state: true },
  };
  protected override needs = ['templates' as const, 'challenges' as const];

  /** Log for this challenge; without it the element offers a picker of active challenges. */
  declare challengeId?: string;

  private picked = '';
  private quantity = '1';
  private when: When = 'now';
  declare private last?: Activity;

  #queued?: UccStore;

  protected override willUpdate(changed: PropertyValues) {
    super.willUpdate(changed);
    // Logs may need the offline queue: open it for each new store, and send what it holds.
    const s = this.store;
    if (s && s !== this.#queued) void useQueue((this.#queued = s));
  }

  get #challenge(): Challenge | undefined {
    const all = this.store?.r.challenges.data ?? [];
    if (this.challengeId) return all.find((c) => c.id === this.challengeId);
    const active = all.filter((c) => c.status === 'active');
    return active.find((c) => c.id === this.picked) ?? active[0];
  }

  /**
   * The server's "now", estimated from the browser clock: if it falls outside the challenge's current
   * period (skewed clock, or the demo clock moved on), shift it by whole days into that period.
   */
  #now(c: Challenge) {
    const n = Date.now();
    const p = c.periods[c.currentPeriod ?? -1];
    if (!p) return n;
    const s = Date.parse(p.start);
    return n >= s && n < Date.parse(p.end) ? n : n + Math.ceil((s - n) / DAY) * DAY;
  }

  /** Start of the customer's day: the current daily period, else local midnight. */
  #dayStart(c: Challenge, now: number) {
    const p = c.period === 'DAILY' && c.periods[c.currentPeriod ?? -1];
    return p ? Date.parse(p.start) : new Date(now).setHours(0, 0, 0, 0);
  }

  #occurredAt(c: Challenge, when: When, backfill: number): string | undefined {
    if (when === 'now') return undefined;
    const now = this.#now(c);
    const start = this.#dayStart(c, now);
    const from = Math.max(start, now - backfill);
    const at =
      when === 'earlier'
        ? from + (now - from) / 2
        : Math.min(start - 60_000, Math.max(now - DAY, now - backfill + 60_000));
    return new Date(at).toISOString();
  }

  protected override content(store: UccStore) {
    // The live region stays rendered even when the last active challenge just completed, so "Goal reached" is heard.
    return html`${this.#form(store)}${this.#pendingView(store)}
      <p part="announcement" role="status" aria-live="polite">${this.note?.(this.t, this.l)}</p>`;
  }

  #form(store: UccStore) {
    const all = store.r.challenges.data!;
    const c = this.#challenge;
    if (!c) return html`<p part="status">${this.challengeId ? this.t.notFound : this.t.noActive}</p>`;
    const tpl = store.r.templates.data!.templates.find((x) => x.id === c.templateId);
    const max = tpl?.maxQuantityPerLog ?? Infinity;
    const backfill = store.r.templates.data!.policy.backfillHours * HOUR;
    const now = this.#now(c);
    const sinceStart = now - this.#dayStart(c, now);
    const options: When[] = ['now'];
    if (sinceStart > HOUR / 2) options.push('earlier');
    // Yesterday only if the window reaches back that far and the challenge was already running.
    if (backfill > sinceStart + 120_000 && Date.parse(c.startsAt) < now - sinceStart - 60_000)
      options.push('yesterday');
    const q = Number(this.quantity);
    // The brand's bounds for one log; a tiny minimum (a SUM template's default) reads as "from 1".
    const min = tpl?.minQuantity ?? 0;
    const qError =
      !(q > 0 && q >= min && q <= max) || (c.aggregation !== 'SUM' && !Number.isInteger(q))
        ? this.t.between(this.l.num(min < 0.01 ? 1 : min), this.l.num(Math.min(max, 1e6)))
        : '';
    const active = c.status === 'active';
    return html`<form part="form" novalidate @submit=${(e: Event) => (e.preventDefault(), this.#log(c, qError ? 0 : q, options, backfill))}>
      <h2>${this.t.logTitle}</h2>
      ${
        this.challengeId
          ? html`<p>${c.name}</p>`
          : html`<label for="challenge">${this.t.challenge}</label>
        <select id="challenge" part="input" @change=${(e: Event) => (this.picked = (e.target as HTMLSelectElement).value)}>
          ${all.filter((x) => x.status === 'active').map((x) => html`<option value=${x.id} ?selected=${x.id === c.id}>${x.name}</option>`)}
        </select>`
      }
      <button part="quick" class="quick" type="button" ?disabled=${!active} aria-disabled=${this.busy} @click=${() => this.#log(c, 1, options, backfill)}>
        ${this.t.plusOne(this.l.num(1), c.unit.one)}
      </button>
      <div class="row">
        <div>
          <label for="quantity">${this.t.quantity(c.unit.other)}</label>
          <input id="quantity" part="input" type="number" min=${min || 1} max=${max === Infinity ? nothing : max} step=${c.aggregation === 'SUM' ? 'any' : 1}
            .value=${this.quantity} aria-invalid=${!!qError} aria-describedby=${qError ? 'quantity-error' : nothing}
            @input=${(e: Event) => (this.quantity = (e.target as HTMLInputElement).value)} />
        </div>
        ${
          options.length > 1
            ? html`<div>
          <label for="when">${this.t.when}</label>
          <select id="when" part="input" @change=${(e: Event) => (this.when = (e.target as HTMLSelectElement).value as When)}>
            ${options.map((o) => html`<option value=${o} ?selected=${o === this.when}>${this.t[o]}</option>`)}
          </select>
        </div>`
            : nothing
        }
      </div>
      ${qError ? html`<p id="quantity-error" class="error">${qError}</p>` : nothing}
      <button part="button" type="submit" ?disabled=${!active} aria-disabled=${this.busy} aria-busy=${this.busy}>${this.t.log}</button>
      ${this.last ? html`<button part="button" class="secondary" type="button" aria-disabled=${this.busy} @click=${this.#undo}>${this.t.undo}</button>` : nothing}
      ${this.alert()}
    </form>`;
  }

  #pendingView(store: QueueStore) {
    const list = store.pending.filter((p) => !p.refused);
    const n = list.length;
    const net = store.net;
    const at = this.l.dates({ timeStyle: 'short' });
    const unitOf = (id?: string) => store.r.challenges.data?.find((c) => c.id === id)?.unit;
    const qty = ({ request: r }: QueuedLog) => {
      const u = unitOf(r.challengeId);
      return u ? this.l.qty(r.quantity, u) : this.l.num(r.quantity);
    };
    return html`${
      n
        ? html`<div part="pending" class="pending">
      ${net ? html`<p>${net === 'auth' ? this.t.signInAgain(this.l.num(n), n) : net === 'offline' ? this.t.youOffline : this.t.unreachable}</p>` : nothing}
      <p>${this.t.pending(this.l.num(n), n)}</p>
      <ul>${list.map((p) => html`<li>${qty(p)}</li>`)}</ul>
    </div>`
        : nothing
    }${store.pending
      .filter((p) => p.refused)
      .map(
        (p) => html`<p part="refused" class="error">
      ${this.t.notSaved(qty(p), at(p.request.occurredAt ?? p.queuedAt), p.refused!.message)}
      <button part="button" class="secondary" type="button" @click=${() => dismiss(store, p.key)}>${this.t.dismiss}</button>
    </p>`,
      )}`;
  }

  async #log(c: Challenge, quantity: number, options: When[], backfill: number) {
    if (this.busy) return;
    if (!quantity) return this.renderRoot.querySelector<HTMLElement>('#quantity')?.focus();
    const when = options.includes(this.when) ? this.when : 'now';
    const before = c.periods[c.currentPeriod ?? -1]?.achieved;
    let done: LogActivityResponse | null = null;
    await this.act(async (store) => {
      const res = (done = await log(
        store,
        { challengeId: c.id, quantity, occurredAt: this.#occurredAt(c, when, backfill) },
        uid(),
      ));
      if (!res) return () => (t, l) => t.queued(l.qty(quantity, c.unit));
      return () => {
        this.last = res.activity;
        return (t, l) => {
          const now = res.challenges.find((x) => x.id === c.id) ?? c;
          const p = now.periods[now.currentPeriod ?? -1];
          const parts = [t.logged(l.qty(quantity, c.unit), p ? l.ofTarget(p, now.unit) : '')];
          if (p?.achieved && !before) parts.push(t.goalReached);
          for (const r of res.rewards) parts.push(t.rewardEarned(l.qty(r.points, t.points)));
          if (res.pending) parts.push(t.sendingOn);
          return parts.join(' ');
        };
      };
    });
    if (done) this.emitLog(done);
  }

  #undo() {
    const id = this.last?.id;
    // Its button goes away: focus moves on to Log.
    if (id)
      void this.act(
        async (store) => (await undo(store, id), () => ((this.last = undefined), (t) => t.undone)),
        '[type=submit]',
      );
  }
}
