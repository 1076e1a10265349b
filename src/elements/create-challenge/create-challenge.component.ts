import { html, nothing, type PropertyValues } from 'lit';
import { UccStoreElement } from '../ucc-element.js';
import type { UccStore } from '../../context/store.js';
import { createChallenge, uid } from '../../context/store-actions.js';
import type { Challenge, PeriodType, Template } from '../../api/types.js';
import { addMessages } from '../../i18n/index.js';
import { shared } from '../../styles/shared.js';
import { forms } from '../../styles/forms.js';
import { styles } from './create-challenge.styles.js';
import { createChallenge as messages } from '../../i18n/en/create-challenge.js';

// This element's English messages join the built-in English when its module loads.
addMessages(messages);

type Field = 'target' | 'length' | 'name';
const NAME_MAX = 60;
const FIELD_OF: Record<string, Field> = {
  TARGET_OUT_OF_RANGE: 'target',
  LENGTH_OUT_OF_RANGE: 'length',
  NAME_INVALID: 'name',
};

/**
 * A form to create a personal challenge from one of the brand's templates, validated against the
 * template's bounds, with the reward shown before submitting.
 *
 * @tag ucc-create-challenge
 * @summary Create a challenge: activity, goal, period, length and an optional name.
 * @fires ucc-challenge-created - `{ challenge }` once the server has created it.
 * @fires ucc-error - `{ error, code, status, message }` when creating fails (`message`: the text shown).
 * @csspart form - The form.
 * @csspart field - Each label + input group.
 * @csspart input - Each input and select.
 * @csspart field-error - A field's validation message.
 * @csspart reward - The reward preview.
 * @csspart button - The submit button (and the retry button).
 * @csspart retry - The Retry button of the error state.
 * @csspart error - Load or submit error.
 * @csspart status - Loading and success messages.
 * @cssprop --ucc-color-primary - Button colour.
 * @cssprop --ucc-color-danger - Error colour.
 * @cssprop --ucc-color-text - Text colour.
 * @cssprop --ucc-color-surface - Background.
 * @cssprop --ucc-radius - Corner radius.
 */
export class UccCreateChallenge extends UccStoreElement {
  static override styles = [shared, forms, styles];
  static override properties = {
    templateId: { state: true },
    target: { state: true },
    period: { state: true },
    length: { state: true },
    name: { state: true },
    touched: { state: true },
  };
  protected override needs = ['templates' as const];

  private templateId = '';
  private target = '';
  private period: PeriodType = 'DAILY';
  private length = '';
  private name = '';
  private touched = new Set<Field>();

  get #template(): Template | undefined {
    const list = this.store?.r.templates.data?.templates ?? [];
    return list.find((x) => x.id === this.templateId) ?? list[0];
  }

  protected override willUpdate(changed: PropertyValues) {
    super.willUpdate(changed);
    const tpl = this.#template;
    if (tpl && tpl.id !== this.templateId) this.#pick(tpl);
  }

  #pick(tpl: Template) {
    this.templateId = tpl.id;
    this.target = String(tpl.target.default);
    this.length = String(tpl.length.default);
    this.period = tpl.periods[0];
    this.error = undefined;
  }

  /** Client-side check against the template's bounds; the server checks again. */
  #check(tpl: Template, f: Field): string | undefined {
    if (this.error && FIELD_OF[this.error.code] === f) return this.error.message;
    if (f === 'name') return this.name.trim().length > NAME_MAX ? this.t.nameTooLong(this.l.num(NAME_MAX)) : undefined;
    const b = f === 'target' ? tpl.target : { ...tpl.length, step: 1 };
    const v = Number(this[f]);
    if (this[f].trim() === '' || !(v >= b.min && v <= b.max))
      return this.t.between(this.l.num(b.min), this.l.num(b.max));
    // Steps counted from the minimum, as the server and <input step> do; the epsilon absorbs 0.1 + 0.2.
    const off = (v - b.min) / b.step;
    if (Math.abs(off - Math.round(off)) > 1e-9) return this.t.step(this.l.num(b.step));
  }

  protected override content(store: UccStore) {
    const tpl = this.#template;
    if (!tpl) return html`<p part="status">${this.t.noTemplates}</p>`;
    const lengthUnit = this.period === 'WEEKLY' ? this.t.week : this.t.day;
    const n = Number(this.length) || tpl.length.default;
    const points = Math.min(tpl.reward.pointsPerPeriod * n, tpl.reward.maxPoints);
    const err = (f: Field) => (this.touched.has(f) ? this.#check(tpl, f) : undefined);
    const field = (f: Field, label: string, input: (invalid: boolean) => unknown) => {
      const e = err(f);
      return html`<div part="field">
        <label for=${f}>${label}</label>${input(!!e)}
        ${e ? html`<p id="${f}-error" part="field-error" class="error">${e}</p>` : nothing}
      </div>`;
    };
    const num_ = (
      f: 'target' | 'length',
      b: { min: number; max: number },
      step: number,
      invalid: boolean,
    ) => html`<input
      id=${f} part="input" type="number" inputmode="decimal" required min=${b.min} max=${b.max} step=${step}
      .value=${this[f]} aria-invalid=${invalid} aria-describedby=${invalid ? `${f}-error` : nothing}
      @input=${(e: Event) => this.#edit(f, (e.target as HTMLInputElement).value)} />`;
    return html`<form part="form" novalidate @submit=${this.#submit}>
      <h2>${this.t.createTitle}</h2>
      <div part="field">
        <label for="template">${this.t.activity}</label>
        <select id="template" part="input" @change=${(e: Event) =>
          this.#pick(store.r.templates.data!.templates.find((x) => x.id === (e.target as HTMLSelectElement).value)!)}>
          ${store.r.templates.data!.templates.map((x) => html`<option value=${x.id} ?selected=${x.id === tpl.id}>${x.label}</option>`)}
        </select>
      </div>
      ${field('target', this.t.target(tpl.unit.other), (i) => num_('target', tpl.target, tpl.target.step, i))}
      <div part="field">
        <label for="period">${this.t.period}</label>
        <select id="period" part="input" @change=${(e: Event) => (this.period = (e.target as HTMLSelectElement).value as PeriodType)}>
          ${tpl.periods.map((p) => html`<option value=${p} ?selected=${p === this.period}>${this.t[p]}</option>`)}
        </select>
      </div>
      ${field('length', this.t.length(lengthUnit.other), (i) => num_('length', tpl.length, 1, i))}
      ${field(
        'name',
        this.t.name,
        (i) => html`<input id="name" part="input" type="text" maxlength=${NAME_MAX + 20}
        placeholder=${tpl.label} .value=${this.name} aria-invalid=${i} aria-describedby=${i ? 'name-error' : nothing}
        @input=${(e: Event) => this.#edit('name', (e.target as HTMLInputElement).value)} />`,
      )}
      <p part="reward" class="reward">
        ${this.t.rewardPreview(this.l.qty(Number(this.target) || tpl.target.default, tpl.unit), this.t[this.period], this.l.qty(n, lengthUnit), this.l.qty(points, this.t.points))}
      </p>
      ${this.error && FIELD_OF[this.error.code] ? nothing : this.alert()}
      <button part="button" type="submit" aria-disabled=${this.busy} aria-busy=${this.busy}>${this.busy ? this.t.creating : this.t.create}</button>
      <p part="status" role="status">${this.note?.(this.t, this.l)}</p>
    </form>`;
  }

  #edit(f: Field, value: string) {
    this[f] = value;
    this.touched = new Set(this.touched).add(f);
    if (this.error && FIELD_OF[this.error.code] === f) this.error = undefined;
    this.note = undefined;
  }

  async #submit(e: Event) {
    e.preventDefault();
    const tpl = this.#template;
    // One request at a time: a second click or Enter while busy does nothing.
    if (this.busy || !tpl) return;
    this.error = undefined;
    this.touched = new Set(['target', 'length', 'name']);
    const bad = (['target', 'length', 'name'] as const).find((f) => this.#check(tpl, f));
    if (bad) {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>(`#${bad}`)?.focus();
      return;
    }
    const name = this.name.trim();
    let challenge: Challenge | undefined;
    await this.act(async (store) => {
      const made = (challenge = await createChallenge(
        store,
        {
          templateId: tpl.id,
          target: Number(this.target),
          period: this.period,
          periods: Number(this.length),
          ...(name && { name }),
        },
        uid(), // a fresh key per attempt: a retried click after an error is a new attempt
      ));
      return () => {
        this.name = '';
        this.touched = new Set();
        return (t) => t.created(made.name);
      };
    });
    // After the element shows it, as before; also when the customer changed meanwhile (the page may track it).
    if (challenge) this.emit('ucc-challenge-created', { challenge });
  }
}
