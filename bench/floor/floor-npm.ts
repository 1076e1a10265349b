/**
 * The npm-page floor: the package's three dependencies (lit, @lit/context, ky) and one trivial
 * element that consumes a context and makes one ky request, so each dependency is really in the
 * bundle. bench/bundle.ts builds it as a page of the same fresh app as the npm page (the app's
 * own `vite build`, production) and compares the two pages' JS. No decorators: the fresh app's
 * Vite would leave standard decorators in the bundle (toolchain.md).
 */
import { LitElement, html, css } from 'lit';
import { ContextConsumer, createContext } from '@lit/context';
import ky from 'ky';

const apiBase = createContext<string>(Symbol('floor-api-base'));

export class FloorNpm extends LitElement {
  static override styles = css`:host { display: block; }`;
  static override properties = { count: { state: true } };
  declare count: number;
  private base = new ContextConsumer(this, { context: apiBase, subscribe: true });

  constructor() {
    super();
    this.count = 0;
  }

  override async connectedCallback() {
    super.connectedCallback();
    const r = await ky.get('me/challenges', { prefixUrl: this.base.value ?? '/ucc/v1' }).json<{ challenges: unknown[] }>();
    this.count = r.challenges.length;
  }

  override render() {
    return html`<p>${this.count} challenges</p>`;
  }
}
customElements.define('floor-npm', FloorNpm);
