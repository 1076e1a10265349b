import { html, nothing } from 'lit';
import { UccStoreElement } from '../ucc-element.js';
import type { UccStore } from '../../context/store.js';
import type { Challenge } from '../../api/types.js';
import { addMessages } from '../../i18n/index.js';
import { shared } from '../../styles/shared.js';
import { styles } from './progress.styles.js';
import { progress as messages } from '../../i18n/en/progress.js';

// This element's English messages join the built-in English when its module loads.
addMessages(messages);

/**
 * Shows challenges with the current period's progress, a streak calendar and the reward; redraws from
 * the shared store the moment another element logs.
 *
 * @tag ucc-progress
 * @summary Progress of all my challenges, or one (`challenge-id`).
 * @csspart challenge - One challenge card.
 * @csspart bar - The progress bar track (role=progressbar).
 * @csspart bar-fill - The filled part of the bar.
 * @csspart calendar - The streak calendar list.
 * @csspart period - One calendar cell; also `period-met`, `period-missed`, `period-current`, `period-ahead`.
 * @csspart badge - The "Completed" / "Ended" badge.
 * @csspart retry - The Retry button of the error state.
 * @csspart error - Load error.
 * @csspart status - Loading and empty messages.
 * @csspart announcement - The visually hidden live region announcing a change of progress ("Water: 6 of 8 glasses").
 * @cssprop --ucc-color-primary - Bar fill and current period.
 * @cssprop --ucc-color-success - Met periods and completed badge.
 * @cssprop --ucc-color-track - Bar track and future periods.
 * @cssprop --ucc-color-danger - Missed periods.
 */
export class UccProgress extends UccStoreElement {
  static override styles = [shared, styles];
  static override properties = {
    challengeId: { attribute: 'challenge-id' },
  };
  protected override needs = ['challenges' as const];

  /** Show only this challenge. */
  declare challengeId?: string;

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
    const list = store.r.challenges.data!.filter((c) => (this.challengeId ? c.id == this.challengeId : c.status != 'left'));
    if (!list.length) return html`<p part="status">${this.challengeId ? this.t.notFound : this.t.noChallenges}</p>`;
    // Period dates are UTC calendar days; the two formatters are made once per render, not per period.
    const long = this.l.dates({ weekday: 'short', day: 'numeric', month: 'short' }, 'UTC');
    const short = this.l.dates({ day: 'numeric', month: 'short' }, 'UTC');
    // Announced once per change of a value, never on a redraw that changed nothing (a log elsewhere, the language).
    const now = (c: Challenge) => c.periods[c.currentPeriod ?? -1] ?? c.periods.at(-1);
    const changed = list.filter((c) => {
      const p = now(c), k = p ? `${p.index} ${p.value} ${p.target}` : '', was = this.#seen.get(c.id);
      this.#seen.set(c.id, k);
      return was != null && was != k;
    });
    if (changed.length) this.#changed = changed.map((c) => c.id);
    const said = list.filter((c) => this.#changed.includes(c.id) && now(c)).map((c) => `${c.name}: ${this.l.ofTarget(now(c)!, c.unit)}`);
    return html`<h2>${this.t.progressTitle}</h2><ul class="list">${list.map((c) => this.#card(c, long, short))}</ul>
      <p part="announcement" class="sr" role="status">${said.join('. ')}</p>`;
  }

  #card(c: Challenge, long: (iso: string) => string, short: (iso: string) => string) {
    const p = c.periods[c.currentPeriod ?? -1] ?? c.periods.at(-1);
    const pct = p ? Math.min(100, (p.value / p.target) * 100) : 0;
    const unit = c.period == 'WEEKLY' ? this.t.week : this.t.day;
    const text = p ? this.l.ofTarget(p, c.unit) : '';
    const done = c.status == 'completed';
    return html`<li part="challenge" class="card">
      <h3 id="n-${c.id}">${c.name}
        ${done || c.status == 'ended' ? html`<span part="badge" class="badge ${c.status}">${done ? this.t.completed : this.t.ended}</span>` : nothing}
      </h3>
      ${p ? html`<div part="bar" class="bar" role="progressbar" aria-labelledby="n-${c.id}" aria-valuemin="0"
        aria-valuemax=${p.target} aria-valuenow=${Math.min(p.value, p.target)} aria-valuetext=${text}>
        <div part="bar-fill" class="fill" style="width:${pct}%"></div>
      </div>
      <p class="value">${text}</p>` : nothing}
      <ol part="calendar" class="cal" aria-label=${this.t.calendar}>
        ${c.periods.map((x) => html`<li part="period period-${x.state}" class=${x.state}
          title="${long(x.date)}: ${this.t[x.state]}">
          <span class="sr">${short(x.date)}: ${this.t[x.state]}</span>
        </li>`)}
      </ol>
      <p>${this.t.streak(this.l.num(c.streak.current), this.l.num(c.streak.best), this.l.qty(c.streak.required, unit))}
        ${c.status == 'active' ? html` · ${this.t.left(this.l.qty(c.daysLeft, this.t.day))}` : nothing}</p>
      <p class="points">${c.reward.earned ? this.t.earned(this.l.qty(c.reward.earned, this.t.points)) : this.t.promised(this.l.qty(c.reward.points, this.t.points))}</p>
    </li>`;
  }
}
