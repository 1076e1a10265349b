import { html, nothing } from 'lit';
import { UccStoreElement } from '../ucc-element.js';
import type { UccStore } from '../../context/store.js';
import { leaveChallenge } from '../../context/store-actions.js';
import type { UccError } from '../../api/errors.js';
import type { Activity, Challenge } from '../../api/types.js';
import { addMessages } from '../../i18n/index.js';
import { shared } from '../../styles/shared.js';
import { forms } from '../../styles/forms.js';
import { styles } from './progress.styles.js';
import { progress as messages } from '../../i18n/en/progress.js';

// This element's English messages join the built-in English when its module loads.
addMessages(messages);

/** The calendar period whose logs are shown: challenge id, period index, and its logs or why they failed. */
interface Day {
  id: string;
  i: number;
  list?: Activity[];
  error?: UccError;
}

/**
 * Shows challenges with the current period's progress, a streak calendar and the reward; redraws from
 * the shared store the moment another element logs. Pressing a calendar day (or week) shows its logs
 * below the calendar, loaded each time it is opened. Each active challenge has "Leave challenge",
 * confirmed inline (Escape or Keep cancels); leaving removes it from every element.
 *
 * @tag ucc-progress
 * @summary Progress of all my challenges, or one (`challenge-id`).
 * @fires ucc-challenge-left - `{ challenge }` once the server has recorded that the customer left it.
 * @fires ucc-error - `{ error }` when leaving or loading a day's logs fails.
 * @csspart challenge - One challenge card.
 * @csspart bar - The progress bar track (role=progressbar).
 * @csspart bar-fill - The filled part of the bar.
 * @csspart calendar - The streak calendar list.
 * @csspart period - One calendar cell, a button showing its logs; also `period-met`, `period-missed`, `period-current`, `period-ahead`.
 * @csspart day - The logs of the pressed calendar cell (loading, empty and error states included).
 * @csspart log - One log in it; also `log-undone` for an undone log.
 * @csspart leave - The "Leave challenge" button (also `button`).
 * @csspart confirm - The leave confirmation: question, Leave (`leave-confirm`) and Keep (`keep`) buttons.
 * @csspart badge - The "Completed" / "Ended" / "Left" badge (a left challenge shows only with `challenge-id`).
 * @csspart retry - The Retry button of the error state.
 * @csspart error - Load error.
 * @csspart status - Loading and empty messages.
 * @csspart stale - A polite note that the progress shown is the last known (the loyalty programme could not be asked just now; upstream mode).
 * @csspart announcement - The visually hidden live region announcing a change of progress ("Water: 6 of 8 glasses").
 * @cssprop --ucc-color-primary - Bar fill and current period.
 * @cssprop --ucc-color-success - Met periods and completed badge.
 * @cssprop --ucc-color-track - Bar track and future periods.
 * @cssprop --ucc-color-danger - Missed periods.
 */
export class UccProgress extends UccStoreElement {
  static override styles = [shared, forms, styles];
  static override properties = {
    challengeId: { attribute: 'challenge-id' },
    ask: { state: true },
    day: { state: true },
  };
  protected override needs = ['challenges' as const];

  /** Show only this challenge. */
  declare challengeId?: string;
  /** Id of the challenge whose leave is being confirmed. */
  declare private ask?: string;
  declare private day?: Day;

  /** Each shown challenge's current progress as last drawn, to tell a change from a redraw. */
  #seen = new Map<string, string>();
  /** The challenges whose progress changed last; the live region reads them out. */
  #changed: string[] = [];

  protected override resetState() {
    super.resetState();
    this.#seen.clear();
    this.#changed = [];
  }

  protected override content(store: UccStore) {
    const list = store.r.challenges.data!.filter((c) =>
      this.challengeId ? c.id === this.challengeId : c.status !== 'left',
    );
    if (!list.length)
      return html`<p part="status" tabindex="-1">${this.challengeId ? this.t.notFound : this.t.noChallenges}</p>`;
    // Period dates are UTC calendar days; the two formatters are made once per render, not per period.
    const long = this.l.dates({ weekday: 'short', day: 'numeric', month: 'short' }, 'UTC');
    const short = this.l.dates({ day: 'numeric', month: 'short' }, 'UTC');
    // Announced once per change of a value, never on a redraw that changed nothing (a log elsewhere, the language).
    const now = (c: Challenge) => c.periods[c.currentPeriod ?? -1] ?? c.periods.at(-1);
    const changed = list.filter((c) => {
      const p = now(c),
        k = p ? `${p.index} ${p.value} ${p.target}` : '',
        was = this.#seen.get(c.id);
      this.#seen.set(c.id, k);
      return was != null && was !== k;
    });
    if (changed.length) this.#changed = changed.map((c) => c.id);
    const said = list
      .filter((c) => this.#changed.includes(c.id) && now(c))
      .map((c) => `${c.name}: ${this.l.ofTarget(now(c)!, c.unit)}`);
    return html`<h2 tabindex="-1">${this.t.progressTitle}</h2>${this.stale()}<ul class="list">${list.map((c, i) => this.#card(c, i, long, short))}</ul>
      <p part="announcement" class="sr" role="status">${said.join('. ')}</p>`;
  }

  #card(c: Challenge, i: number, long: (iso: string) => string, short: (iso: string) => string) {
    const p = c.periods[c.currentPeriod ?? -1] ?? c.periods.at(-1);
    const pct = p ? Math.min(100, (p.value / p.target) * 100) : 0;
    const unit = c.period === 'WEEKLY' ? this.t.week : this.t.day;
    const text = p ? this.l.ofTarget(p, c.unit) : '';
    const done = c.status === 'completed';
    const d = this.day;
    return html`<li part="challenge" class="card">
      <h3 id="n-${c.id}" tabindex="-1">${c.name}
        ${c.status !== 'active' ? html`<span part="badge" class="badge ${c.status}">${done ? this.t.completed : c.status === 'left' ? this.t.hasLeft : this.t.ended}</span>` : nothing}
      </h3>
      ${
        p
          ? html`<div part="bar" class="bar" role="progressbar" aria-labelledby="n-${c.id}" aria-valuemin="0"
        aria-valuemax=${p.target} aria-valuenow=${Math.min(p.value, p.target)} aria-valuetext=${text}>
        <div part="bar-fill" class="fill" style="width:${pct}%"></div>
      </div>
      <p class="value">${text}</p>`
          : nothing
      }
      <ol part="calendar" class="cal" aria-label=${this.t.calendar}>
        ${c.periods.map(
          (x, j) => html`<li><button part="period period-${x.state}" class=${x.state}
          title="${long(x.date)}: ${this.t[x.state]}" ?disabled=${x.state === 'ahead'}
          aria-expanded=${d?.id === c.id && d.i === j} @click=${() => this.#show(c, j)}>
          <span class="sr">${short(x.date)}: ${this.t[x.state]}</span>
        </button></li>`,
        )}
      </ol>
      ${d?.id === c.id ? this.#logs(c, d) : nothing}
      <p>${this.t.streak(this.l.num(c.streak.current), this.l.num(c.streak.best), this.l.qty(c.streak.required, unit))}
        ${c.status === 'active' ? html` · ${this.t.left(this.l.qty(c.daysLeft, this.t.day))}` : nothing}</p>
      <p class="points">${c.reward.earned ? this.t.earned(this.l.qty(c.reward.earned, this.t.points)) : this.t.promised(this.l.qty(c.reward.points, this.t.points))}</p>
      ${
        c.status !== 'active'
          ? nothing
          : this.ask === c.id
            ? html`<div part="confirm" role="group" aria-labelledby="q-${c.id}" @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && this.#keep(c)}>
          <p id="q-${c.id}">${this.t.leaveAsk(c.name)}</p>
          <button part="button leave-confirm" aria-disabled=${this.busy} @click=${() => this.#leave(c, i)}>${this.t.leaveYes}</button>
          <button part="button keep" class="secondary" aria-disabled=${this.busy} @click=${() => this.#keep(c)}>${this.t.keep}</button>
          ${this.alert()}
        </div>`
            : html`<button part="button leave" class="secondary" aria-describedby="n-${c.id}"
          @click=${() => ((this.ask = c.id), (this.error = undefined), this.#focus('[part~=keep]'))}>${this.t.leave}</button>`
      }
    </li>`;
  }

  /** The open period's logs: loading, error (with Retry), empty, or each log's quantity and time. */
  #logs(c: Challenge, d: Day) {
    const time = this.l.dates({ weekday: 'short', hour: 'numeric', minute: '2-digit' }, c.timeZone);
    return html`<div part="day" aria-live="polite">
      ${
        d.error
          ? html`<p part="error">${this.say(d.error)}
          <button part="button retry" @click=${() => this.#show(c, d.i, false)}>${this.t.retry}</button></p>`
          : d.list?.length
            ? html`<ul>${d.list.map(
                (a) => html`<li part="log${a.undone ? ' log-undone' : ''}">
            ${this.l.qty(a.quantity, c.unit)} · <time datetime=${a.occurredAt}>${time(a.occurredAt)}</time>${a.undone ? ` ${this.t.wasUndone}` : ''}
          </li>`,
              )}</ul>`
            : html`<p part="status">${d.list ? this.t.nothingLogged : this.t.loading}</p>`
      }
    </div>`;
  }

  /** Opens period `i` of `c` (or closes it when open and `toggle`) and loads its logs. */
  async #show(c: Challenge, i: number, toggle = true) {
    const d = this.day;
    if (toggle && d?.id === c.id && d.i === i) return (this.day = undefined);
    const day: Day = (this.day = { id: c.id, i }),
      p = c.periods[i];
    try {
      day.list = (await this.store!.client.activities({ challengeId: c.id, from: p.start, to: p.end })).activities;
    } catch (e) {
      day.error = this.fail(e);
    }
    this.requestUpdate(); // (if another day was opened meanwhile, this one's answer changes nothing shown)
  }

  async #focus(selector: string) {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(selector)?.focus();
  }

  #keep(c: Challenge) {
    if (this.busy) return;
    this.ask = undefined;
    void this.#focus(`[aria-describedby="n-${c.id}"]`);
  }

  /** Leaves `c` (card `i`): one request; then focus moves to the card now in its place, else the heading. */
  #leave(c: Challenge, i: number) {
    const root = this.renderRoot;
    return this.act(
      async (store) => {
        const challenge = await leaveChallenge(store, c.id);
        return () => void ((this.ask = undefined), this.emit('ucc-challenge-left', { challenge }));
      },
      () => root.querySelectorAll('h3')[i] ?? root.querySelector('h2,[part=status]'),
    );
  }
}
