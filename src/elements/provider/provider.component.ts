import { html, nothing } from 'lit';
import { ContextProvider } from '@lit/context';
import { UccElement, retry } from '../ucc-element.js';
import { clientContext, localeContext, storeContext } from '../../context/context.js';
import { UccStore, type ResourceKey } from '../../context/store.js';
import { UccClient, type UccClientApi } from '../../api/client.js';
import { isShared } from '../../api/errors.js';
import { styles } from './provider.styles.js';

/** Reads a JWT's payload without verifying it (the server verifies); {} when it is not a JWT. */
const claims = (jwt?: string): { sub?: string; exp?: number } => {
  try {
    return JSON.parse(atob(jwt!.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return {};
  }
};

/**
 * Connects the elements inside it to the widget API for one customer: creates one client and one
 * store and provides both by context. Changing `token` or `tokenProvider` switches customer without
 * a reload; when the token's subject is another customer, every element first drops what the last one
 * saw or typed. Logs made offline are replayed on `online` and when the provider connects. Failures every
 * element shares (network, session, server) show once, as one alert with Retry above the content.
 *
 * @tag ucc-provider
 * @summary Provides the API client and the customer's data to every `ucc-*` element inside it.
 * @slot - The page content holding `ucc-*` elements.
 * @fires ucc-activity-logged - When a log queued offline has been delivered.
 * @fires ucc-reward-earned - When a delivered offline log earned a reward; also `{ reward }` when a read of the challenges shows one earned since (a log the server sent on to the loyalty programme later: `ledgerEntryId` is '', `points` the rise). Once per rise, never for what the page first loads.
 * @fires ucc-token-expired - `{ pending }` when queued logs wait for a new token (set `token` to send them).
 * @fires ucc-error - `{ error, code, status, message }` when loading the customer's data fails (once per failed request).
 * @csspart error - The alert for a failure every element shares.
 * @csspart retry - Its Retry button.
 */
export class UccProvider extends UccElement {
  static override styles = styles;
  static override properties = {
    apiBase: { attribute: 'api-base' },
    token: {},
    tokenProvider: { attribute: false },
    client: { attribute: false },
    queueName: { attribute: 'queue-name' },
    locale: {},
  };

  /** Base URL of the widget API. */
  apiBase = '/ucc/v1';
  /** The customer's token (a JWT signed by the brand's server). */
  declare token?: string;
  /** Async function returning a fresh token; used instead of `token`, called again before expiry and on TOKEN_EXPIRED. */
  declare tokenProvider?: () => Promise<string>;
  /** A custom client (tests, custom transports); by default a `UccClient` over `api-base`. */
  declare client?: UccClientApi;
  /** IndexedDB database name of the offline queue. */
  queueName = 'ucc-offline';

  /**
   * Language of every element inside (a BCP 47 tag: `es`, `de-AT`, `ar`). Without it each element
   * follows its nearest `lang` attribute, then the browser's language. Changing it re-renders at once.
   * Shipped: `en` (built in), `es`, `de`, `fr`, `ar` (each loaded on demand); others via `setMessages`.
   */
  declare locale?: string;

  /** The shared store; available once connected. */
  store?: UccStore;
  /** What the last setup (or token change) used: an update compares with it, not with Lit's first values. */
  #used: Pick<this, 'client' | 'queueName' | 'token' | 'tokenProvider'> = {} as never;
  /** The subject (`sub`) of the current customer's token. */
  #sub?: string;
  #fetched?: string;
  #fetching?: Promise<string | undefined>;
  #storeProvider = new ContextProvider(this, { context: storeContext });
  #clientProvider = new ContextProvider(this, { context: clientContext });
  #localeProvider = new ContextProvider(this, { context: localeContext });
  #onOnline = () => void this.store?.replay?.();

  override connectedCallback() {
    // Before super: children connect after us and must find the store at once.
    if (!this.store) this.#setup();
    // Likewise the language, so they render in it from their first update.
    this.#localeProvider.setValue(this.locale);
    super.connectedCallback();
    addEventListener('online', this.#onOnline);
    void this.store!.replay?.();
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    removeEventListener('online', this.#onOnline);
  }

  protected override willUpdate(changed: Map<string, unknown>) {
    this.#localeProvider.setValue(this.locale);
    // Elements re-render in the new language at once from the data they hold; the server answers
    // template labels and units in the client's language, so what is loaded is fetched again in the
    // new one, in place (no loading state).
    const s = this.store;
    // (A load still on its way is in the old language: it is asked again too, and only the new answer is kept.)
    if (changed.has('locale') && this.hasUpdated && s)
      for (const k in s.r) /ok|loading/.test(s.r[k as ResourceKey].status) && s.load(k as ResourceKey, true);
  }

  protected override updated() {
    // Compared with what setup used rather than with Lit's `changed`: a token set after connecting
    // but before the first update (React wrappers, `append(p); p.token = t`) must still count.
    const used = this.#used;
    if (this.client !== used.client || this.queueName !== used.queueName) {
      this.#setup();
      void this.store!.replay?.();
    } else if (this.token !== used.token || this.tokenProvider !== used.tokenProvider) {
      this.#used = { ...used, token: this.token, tokenProvider: this.tokenProvider };
      this.#fetched = undefined;
      this.store!.paused = this.#signedOut();
      // The subject of a fixed token is known at once, a token provider's once it has answered.
      if (this.tokenProvider) void Promise.resolve(this.store!.owner()).then((sub) => this.#switch(sub));
      else this.#switch(claims(this.token).sub ?? '');
      void this.refresh();
    }
  }

  /** Reloads every element's data (after the customer, the clock or the data changed elsewhere). */
  async refresh() {
    await this.store?.reset();
    await this.store?.replay?.();
  }

  /** Another customer: every element drops its messages, form values and pending state. */
  #switch(sub: string) {
    if (sub === this.#sub) return;
    this.#sub = sub;
    this.store!.customer = {};
    this.store!.notify();
  }

  #setup() {
    this.#sub = claims(this.token).sub ?? '';
    this.#used = {
      client: this.client,
      queueName: this.queueName,
      token: this.token,
      tokenProvider: this.tokenProvider,
    };
    const client =
      this.client ??
      new UccClient({
        base: () => this.apiBase,
        locale: () => this.locale,
        token: () => this.#currentToken(),
        refreshToken: async () => !!this.tokenProvider && !!(await this.#fetchToken()),
      });
    const owner = async () =>
      claims(this.tokenProvider ? (this.#fetched ?? (await this.#fetchToken())) : this.token).sub ?? '';
    // The offline queue is opened by the first element that logs (store-log.ts `useQueue`), so a page
    // that only shows data carries none of its code; the store just knows the queue's name.
    const store = (this.store = new UccStore(client, undefined, owner));
    store.queueName = this.queueName;
    store.onReplay = (res) => this.emitLog(res);
    store.onReward = (reward) => this.emit('ucc-reward-earned', { reward });
    store.onExpired = (pending) => this.emit('ucc-token-expired', { pending });
    store.onError = (error) => this.fail(error);
    store.subscribe(() => this.requestUpdate());
    store.paused = this.#signedOut();
    this.#clientProvider.setValue(client);
    this.#storeProvider.setValue(store);
  }

  /** No token and no way to get one: elements ask the visitor to sign in rather than show an auth error. */
  #signedOut() {
    return !this.client && !this.token && !this.tokenProvider;
  }

  async #currentToken() {
    if (!this.tokenProvider) return this.token;
    const exp = claims(this.#fetched).exp;
    // Refresh a minute before expiry rather than waiting for a 401.
    if (!this.#fetched || (exp && exp * 1000 - 60_000 < Date.now())) return this.#fetchToken();
    return this.#fetched;
  }

  #fetchToken() {
    return (this.#fetching ??= this.tokenProvider!()
      .then(
        (tok) => (this.#fetched = tok),
        () => undefined,
      )
      .finally(() => (this.#fetching = undefined)));
  }

  protected override render() {
    const s = this.store;
    const e = s && Object.values(s.r).find((r) => r.status === 'error' && isShared(r.error!))?.error;
    return html`${e ? retry(this.say(e), this.t.retry, () => s.retry()) : nothing}<slot></slot>`;
  }
}
