import { LitElement, html, type PropertyValues, type TemplateResult } from 'lit';
import { ContextConsumer } from '@lit/context';
import { storeContext } from '../context/context.js';
import type { Resource, ResourceKey, UccStore } from '../context/store.js';
import { asError, type UccError } from '../api/errors.js';
import type { UccEventMap } from '../events.js';
import type { LogActivityResponse } from '../api/types.js';
import { Localizer, type Messages } from '../i18n/index.js';

/** Base of every element: typed events and a `define()` that tolerates being loaded twice. */
export class UccElement extends LitElement {
  static define(tag: string) {
    if (!customElements.get(tag)) customElements.define(tag, this);
  }

  /** Fires a public `ucc-*` event (bubbles, composed). */
  emit<K extends keyof UccEventMap>(type: K, detail: UccEventMap[K]['detail']) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  /** Fires `ucc-activity-logged` and one `ucc-reward-earned` per reward for a recorded log. */
  protected emitLog({ activity, challenges, rewards }: LogActivityResponse) {
    this.emit('ucc-activity-logged', { activity, challenges });
    for (const reward of rewards) this.emit('ucc-reward-earned', { reward });
  }
}

/**
 * Base of the elements that show the customer's data: finds the provider's store by context,
 * redraws whenever it changes, and renders the states every element shares.
 */
export class UccStoreElement extends UccElement {
  static override shadowRootOptions = { ...LitElement.shadowRootOptions, delegatesFocus: true };

  protected store?: UccStore;
  /** This element's language: its messages and `Intl` formatting (see i18n/index.ts). */
  protected l = new Localizer(this);
  /** This element's messages, in its language. */
  protected get t(): Messages { return this.l.t; }
  #unsubscribe?: () => void;
  /** Resources this element renders from; loaded when it connects. */
  protected needs: ResourceKey[] = [];

  constructor() {
    super();
    new ContextConsumer(this, {
      context: storeContext,
      subscribe: true,
      callback: (store) => {
        this.#unsubscribe?.();
        this.store = store;
        this.#unsubscribe = store?.subscribe(() => this.requestUpdate());
        this.requestUpdate();
      },
    });
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  protected override willUpdate(changed: PropertyValues) {
    super.willUpdate(changed);
    for (const k of this.needs) this.store?.load(k);
  }

  protected override render() {
    const s = this.store, t = this.t;
    if (!s) return html`<p part="error" role="alert">${t.noProvider}</p>`;
    if (s.paused) return html`<p part="status">${t.signedOut}</p>`;
    const res = this.needs.map((k) => s.r[k] as Resource<unknown>);
    const failed = res.find((r) => r.status == 'error');
    if (failed) {
      return html`<div part="error" role="alert">
        <p>${failed.error?.message}</p>
        <button part="button retry" @click=${() => this.needs.forEach((k) => s.r[k].status == 'error' && s.load(k, true))}>
          ${t.retry}
        </button>
      </div>`;
    }
    if (res.some((r) => !r.data)) return html`<p part="status" role="status">${t.loading}</p>`;
    return this.content(s);
  }

  /** The loaded view. */
  protected content(_store: UccStore): TemplateResult | unknown {
    return null;
  }

  /** Reports a failure to the page (`ucc-error`) and returns it for display. */
  protected fail(e: unknown): UccError {
    const error = asError(e);
    this.emit('ucc-error', { error });
    return error;
  }
}
