import { html, nothing } from 'lit';
import { UccStoreElement } from '../ucc-element.js';
import type { UccStore } from '../../context/store.js';
import { morePoints } from '../../context/store-actions.js';
import { addMessages } from '../../i18n/index.js';
import { shared } from '../../styles/shared.js';
import { styles } from './points.styles.js';
import { points as messages } from '../../i18n/en/points.js';

// This element's English messages join the built-in English when its module loads.
addMessages(messages);

/**
 * The customer's points balance and most recent ledger entries; updated in place when a log earns
 * (or an undo reverses) a reward, and read again when a read of the challenges shows a reward earned since. "Show more" appends the next 10 older entries and moves focus to the
 * first of them; it disappears at the end of the ledger.
 *
 * @tag ucc-points
 * @summary Points balance and recent ledger.
 * @csspart balance - The balance line; a polite live region, so a change of balance is announced.
 * @csspart ledger - The list of entries.
 * @csspart entry - One ledger entry.
 * @csspart more - The "Show more" button (also `button`), shown while older entries remain.
 * @csspart retry - The Retry button of the error state.
 * @csspart error - Load error.
 * @csspart status - Loading and empty messages.
 * @csspart stale - A polite note that the balance and ledger shown are the last known (the loyalty programme could not be asked just now; upstream mode).
 * @fires ucc-error - `{ error }` when loading more entries fails.
 * @cssprop --ucc-color-success - Earned points.
 * @cssprop --ucc-color-danger - Reversed points.
 * @cssprop --ucc-color-text - Text colour.
 */
export class UccPoints extends UccStoreElement {
  static override styles = [shared, styles];

  protected override needs = ['points' as const];

  protected override content(store: UccStore) {
    const { balance, entries, nextCursor } = store.r.points.data!;
    const day = this.l.dates({ dateStyle: 'medium' });
    return html`<h2>${this.t.pointsTitle}</h2>${this.stale()}
      <p part="balance" class="balance" role="status">${this.t.balance(this.l.qty(balance, this.t.points))}</p>
      ${
        entries.length
          ? html`<h3>${this.t.ledger}</h3><ul part="ledger">
            ${entries.map(
              (e) => html`<li part="entry" tabindex="-1">
              <span class="amount ${e.points < 0 ? 'neg' : ''}">${this.l.num(e.points, { signDisplay: 'exceptZero' })}</span>
              <span>${e.description}</span>
              <time class="muted" datetime=${e.createdAt}>${day(e.createdAt)}</time>
            </li>`,
            )}
          </ul>`
          : html`<p part="status">${this.t.noEntries}</p>`
      }
      ${this.alert()}
      ${nextCursor ? html`<button part="button more" aria-disabled=${this.busy} @click=${this.#more}>${this.t.more}</button>` : nothing}`;
  }

  /** One request per press (presses while a page is on its way do nothing); focus moves to the first new entry. */
  async #more() {
    let i = -1;
    await this.act(async (store) => ((i = await morePoints(store)), () => {}));
    this.renderRoot.querySelectorAll<HTMLElement>('[part=entry]')[i]?.focus();
  }
}
