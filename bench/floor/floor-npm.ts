/**
 * The npm-page floor: the package's three dependencies (lit, @lit/context, ky) and one trivial
 * element that uses each, so each dependency is really in the bundle. bench/bundle.ts builds it as a
 * page of the same fresh app as the npm page (the app's own `vite build`, production) and compares
 * the two pages' JS. No decorators: the fresh app's Vite would leave standard decorators in the
 * bundle (toolchain.md).
 *
 * The element both consumes and provides a context (it hands its API base on to nested elements):
 * a real use of @lit/context has both halves (our `<ucc-provider>` provides, the elements consume),
 * and a floor with only `ContextConsumer` would charge the package for `ContextProvider`, a cost of
 * the dependency rather than of our code.
 */
import { LitElement, html, css } from 'lit';
import { ContextConsumer, ContextProvider, createContext } from '@lit/context';
import ky from 'ky';

const apiBase = createContext<string>(Symbol('floor-api-base'));

export class FloorNpm extends LitElement {
  static override styles = css`:host { display: block; }`;
  static override properties = { count: { state: true } };
  declare count: number;
  private base = new ContextConsumer(this, { context: apiBase, subscribe: true });
  private provided = new ContextProvider(this, { context: apiBase });

  constructor() {
    super();
    this.count = 0;
  }

  override async connectedCallback() {
    super.connectedCallback();
    const base = this.base.value ?? '/ucc/v1';
    this.provided.setValue(base);
    const r = await ky.get('me/challenges', { prefixUrl: base }).json<{ challenges: unknown[] }>();
    this.count = r.challenges.length;
  }

  override render() {
    return html`<p>${this.count} challenges</p>`;
  }
}
customElements.define('floor-npm', FloorNpm);
