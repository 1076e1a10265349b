import { LitElement, html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import { ContextConsumer } from '@lit/context';
import { storeContext } from '../context/context.js';
import type { Resource, ResourceKey, UccStore } from '../context/store.js';
import { asError, isShared, type UccError } from '../api/errors.js';
import type { UccEventMap } from '../events.js';
import type { LogActivityResponse } from '../api/types.js';
import { Localizer, type Messages } from '../i18n/index.js';

/** A success message kept as a function of the messages, so it is written in the element's current language. */
export type Note = (t: Messages, l: Localizer) => string;

/** Base of every element: typed events, its language and a `define()` that tolerates being loaded twice. */
export class UccElement extends LitElement {
  static define(tag: string) {
    if (!customElements.get(tag)) customElements.define(tag, this);
  }

  /** This element's language: its messages and `Intl` formatting (see i18n/index.ts). */
  protected l = new Localizer(this);
  /** This element's messages, in its language. */
  protected get t(): Messages {
    return this.l.t;
  }

  /**
   * What a customer reads for a failure: session and network problems and server faults in words they
   * can act on; other answers (validation, conflicts) carry the server's own message for the customer.
   */
  protected say(e: UccError): string {
    const t = this.t;
    return e.status === 401
      ? t.sessionEnded
      : e.code === 'NETWORK_ERROR'
        ? t.offline
        : isShared(e)
          ? t.failed
          : e.message;
  }

  /** Reports a failure to the page (`ucc-error`, with the code and the text shown) and returns it for display. */
  protected fail(e: unknown): UccError {
    const error = asError(e);
    this.emit('ucc-error', { error, code: error.code, status: error.status, message: this.say(error) });
    return error;
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

  /** How long a success message stays, in ms. */
  static noteMs = 5000;
  static override properties: PropertyDeclarations = {
    busy: { state: true },
    note: { state: true },
    error: { state: true },
  };

  protected store?: UccStore;
  /** True while an action runs; its controls stay focusable (`aria-disabled`) and a second press does nothing. */
  protected busy = false;
  /** The last action's success message; cleared after `noteMs` or by the next action. */
  declare protected note?: Note;
  /** The last action's failure, shown in the element. */
  declare protected error?: UccError;
  #unsubscribe?: () => void;
  #timer?: ReturnType<typeof setTimeout>;
  #initial?: Record<string, unknown>;
  #customer?: object;
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

  override connectedCallback() {
    super.connectedCallback();
    // The state as first set, for `resetState` (Lit's own class fields hold their initial values until now).
    if (!this.#initial) {
      this.#initial = {};
      for (const [k, o] of (this.constructor as typeof LitElement).elementProperties)
        if (o.state) this.#initial[k as string] = this[k as keyof this];
    }
  }

  protected override willUpdate(changed: PropertyValues) {
    super.willUpdate(changed);
    // Another customer (or store): drop everything the last one saw or typed before showing anything.
    const c = this.store?.customer;
    if (c !== this.#customer) {
      if (this.#customer) this.resetState();
      this.#customer = c;
    }
    for (const k of this.needs) this.store?.load(k);
  }

  /** Forgets this element's messages, form values and pending state (customer switch); extend for private fields. */
  protected resetState() {
    clearTimeout(this.#timer);
    Object.assign(this, this.#initial);
  }

  /**
   * Runs a customer's action: one at a time; `run`'s result (a function applying the outcome and
   * returning the success message) is dropped if the customer changed meanwhile; a failure shows in the
   * element. Focus then returns to the control that acted or, when it is gone or disabled, to `next` (a
   * selector, or a function finding the element) or the first enabled control.
   */
  protected async act(
    run: (s: UccStore) => Promise<() => Note | void>,
    next: string | (() => Element | null | undefined) = '',
  ) {
    const s = this.store,
      root = this.shadowRoot!;
    if (this.busy || !s) return;
    const who = s.customer,
      from = root.activeElement as HTMLButtonElement | null;
    this.busy = true;
    this.note = this.error = undefined;
    try {
      const apply = await run(s);
      if (who === s.customer) {
        this.note = apply() || undefined;
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => (this.note = undefined), (this.constructor as typeof UccStoreElement).noteMs);
      }
    } catch (e) {
      const error = this.fail(e);
      if (who === s.customer) this.error = error;
    }
    this.busy = false;
    await this.updateComplete;
    // Focus may still sit on a control just disabled: the browser moves it to the page only later.
    const at = root.activeElement;
    if (from && (!at || at === from)) {
      (
        (from.isConnected && !from.disabled
          ? from
          : typeof next === 'function'
            ? next()
            : root.querySelector(next || ':enabled')) as HTMLElement | null
      )?.focus();
    }
  }

  protected override render() {
    const s = this.store,
      t = this.t;
    if (!s) return html`<p part="error" role="alert">${t.noProvider}</p>`;
    if (s.paused) return html`<p part="status">${t.signedOut}</p>`;
    const res = this.needs.map((k) => s.r[k] as Resource<unknown>);
    const e = res.find((r) => r.status === 'error')?.error;
    // Failures every element shares (session, network, server) are shown once, by the provider.
    if (e) return isShared(e) ? nothing : retry(this.say(e), t.retry, () => s.retry());
    if (res.some((r) => !r.data)) return html`<p part="status" role="status">${t.loading}</p>`;
    return this.content(s);
  }

  /** The loaded view. */
  protected content(_store: UccStore): TemplateResult | unknown {
    return null;
  }

  /** A polite note when a resource shown was read `stale` (an earlier copy: the loyalty programme could not be asked). */
  protected stale() {
    return this.needs.some((k) => this.store?.r[k].stale)
      ? html`<p part="stale" role="status">${this.t.stale}</p>`
      : nothing;
  }

  /** The last action's failure, as an alert (nothing without one). */
  protected alert() {
    return this.error ? html`<p part="error" role="alert">${this.say(this.error)}</p>` : nothing;
  }
}

/** An error alert with a Retry button. */
export const retry = (text: string, label: string, click: () => void) => html`<div part="error" role="alert">
  <p>${text}</p><button part="button retry" @click=${click}>${label}</button>
</div>`;
