/** The bundle-size floor: lit and one trivial element, built with the product's Vite settings. */
import { LitElement, html, css } from 'lit';
import { property } from 'lit/decorators.js';

export class FloorElement extends LitElement {
  static override styles = css`:host { display: block; }`;
  @property() name = 'floor';
  override render() {
    return html`<p>Hello, ${this.name}</p>`;
  }
}
customElements.define('floor-element', FloorElement);
