/**
 * The browser floor: the least a progress widget can do with the same server — lit and one
 * element that gets a demo session, GETs /ucc/v1/me/challenges, renders one line per challenge,
 * and on +1 POSTs one log and redraws from the answer. Built with the product's Vite settings.
 */
import { LitElement, html } from 'lit';

interface Period {
  value: number;
  target: number;
}
interface Item {
  id: string;
  name: string;
  currentPeriod: number | null;
  periods: Period[];
}

export class FloorProgress extends LitElement {
  static override properties = { items: { state: true } };
  declare items: Item[];
  private token = '';
  constructor() {
    super();
    this.items = [];
  }

  override async connectedCallback() {
    super.connectedCallback();
    const s = await (
      await fetch('/demo/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ customer: this.getAttribute('customer') }),
      })
    ).json();
    this.token = s.token;
    const r = await fetch('/ucc/v1/me/challenges', { headers: { authorization: `Bearer ${this.token}` } });
    this.items = (await r.json()).challenges;
  }

  async log() {
    const r = await fetch('/ucc/v1/me/activities', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${this.token}`,
        'content-type': 'application/json',
        'idempotency-key': crypto.randomUUID(),
      },
      body: JSON.stringify({ challengeId: this.items[0].id, quantity: 1 }),
    });
    const res = await r.json();
    const byId = new Map<string, Item>(res.challenges.map((c: Item) => [c.id, c]));
    this.items = this.items.map((c) => byId.get(c.id) ?? c);
  }

  override render() {
    return html`<button class="quick" @click=${this.log}>+1</button><ul>${this.items.map((c) => {
      const p = c.periods[c.currentPeriod ?? 0];
      return html`<li part="challenge">${c.name}: ${p?.value} / ${p?.target}</li>`;
    })}</ul>`;
  }
}
customElements.define('floor-progress', FloorProgress);
