import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ContextConsumer } from '@lit/context';
import type { PeriodProgress, Unit } from '../api/types.js';
import { localeContext } from '../context/context.js';
import { core } from './en/core.js';
import type { createChallenge } from './en/create-challenge.js';
import type { logActivity } from './en/log-activity.js';
import type { points } from './en/points.js';
import type { progress } from './en/progress.js';
import type { rewards } from './en/rewards.js';

/** Every message, with its English form's type: the typed fallback every locale is checked against. */
export type Messages = typeof core &
  typeof createChallenge &
  typeof logActivity &
  typeof progress &
  typeof points &
  typeof rewards;

/**
 * The localisation layer. Each element owns a `Localizer` (a controller): its language is the
 * provider's `locale`, else the nearest `lang` attribute, else `navigator.language`, else English.
 * Text is always built during render from the element's own `t`, never from a shared module-level
 * language, so an element's text cannot take another element's language.
 *
 * English is built in, split by element (./en/): each element module adds its messages with
 * `addMessages`, so a page carries only the messages of the elements it uses. Other languages are
 * loaded on demand (`loaders`), once per page; a host adds or overrides one with `setMessages`.
 */
const en = { ...core } as Messages;
/** Languages loaded (or registered by the host), by base language ("es"). */
const packs: Record<string, Partial<Messages>> = {};
/** The host's own messages (`setMessages`), by base language; they win over ours. */
const own: Record<string, Partial<Messages>> = {};
/**
 * Languages this build can load on demand, each its own file: the script-tag bundle loads
 * `ucc-widgets.locale-<lang>.js` next to itself, the npm build `i18n/locales/<lang>.js` (the app's
 * bundler splits it). The IIFE build rewrites these imports to URLs next to its script (vite.config.ts).
 */
export const loaders: Record<string, () => Promise<{ default: Partial<Messages> }>> = {
  es: () => import('./locales/es.js'),
  de: () => import('./locales/de.js'),
  fr: () => import('./locales/fr.js'),
  ar: () => import('./locales/ar.js'),
};
const live = new Set<Localizer>();
/** Merged messages by base language, rebuilt when any source changes. */
let merged: Record<string, Messages> = {};
const redraw = () => ((merged = {}), live.forEach((l) => l.update()));

/** Adds an element's English messages. */
export const addMessages = (m: Partial<Messages>) => void (Object.assign(en, m), (merged = {}));

/** Adds or overrides messages for a language (default English); every element re-renders at once. */
export function setMessages(messages: Partial<Messages>, locale = 'en') {
  const b = base(locale);
  own[b] = { ...own[b], ...messages };
  redraw();
}

const base = (tag: string) => tag.toLowerCase().split(/[-_]/)[0];
/** A usable BCP 47 tag ("en_US" → "en-US"); `Intl` throws on a malformed one, so those fall back to English. */
const canon: Record<string, string> = {};
const canonical = (tag: string) =>
  (canon[tag] ??= (() => {
    try {
      return Intl.getCanonicalLocales(tag.replace(/_/g, '-'))[0] ?? 'en';
    } catch {
      return 'en';
    }
  })()); // once per tag: resolve() runs before every render
const RTL = /^(ar|fa|he|ur|ps|yi|dv|ckb)$/;

// Intl objects are costly to build (a DateTimeFormat takes tens of µs) and renders format hundreds of
// values, so each (kind, locale, options) builds one and reuses it.
const made: Record<string, unknown> = {};
const intl = <T>(C: new (l: string, o?: object) => T, l: string, o?: object): T =>
  (made[C.name + l + JSON.stringify(o)] ??= new C(l, o)) as T;

/** The `lang` of `<html>` may be changed by the page's own language switcher: every element follows. */
if (typeof MutationObserver !== 'undefined' && typeof document !== 'undefined') {
  new MutationObserver(redraw).observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
  // …and so may the browser's language (elements that follow `navigator.language`).
  addEventListener('languagechange', redraw);
}

/** One element's language: its messages (`t`) and `Intl` formatting in that language. */
export class Localizer implements ReactiveController {
  /** The resolved locale tag, e.g. "es-MX"; its base language picks the messages. */
  locale = 'en';
  t: Messages = en;
  #host: ReactiveControllerHost & HTMLElement;
  /** The `dir` this controller set on its host, if any. */
  #dir: string | null = null;
  #provided: ContextConsumer<typeof localeContext, ReactiveControllerHost & HTMLElement>;

  constructor(host: ReactiveControllerHost & HTMLElement) {
    this.#host = host;
    this.#provided = new ContextConsumer(host, {
      context: localeContext,
      subscribe: true,
      callback: () => this.update(),
    });
    host.addController(this);
  }

  hostConnected() {
    live.add(this);
    this.resolve();
  }
  hostDisconnected() {
    live.delete(this);
  }
  /** Before each render: the language may have changed (a `lang` attribute) without anyone telling us. */
  hostUpdate() {
    this.resolve();
  }

  update() {
    if (this.resolve()) this.#host.requestUpdate();
  }

  /** Picks the language and its messages; true when they changed. */
  resolve(): boolean {
    const h = this.#host;
    const tag = canonical(
      this.#provided.value ||
        (h as { locale?: string }).locale ||
        h.closest('[lang]')?.getAttribute('lang') ||
        navigator.language ||
        'en',
    );
    const b = base(tag);
    if (!packs[b] && loaders[b]) {
      loaders[b]().then(
        (m) => ((packs[b] = m.default), redraw()),
        () => (packs[b] = {}),
      );
      packs[b] = {}; // loading: English until it arrives
    }
    const t = (merged[b] ??= { ...en, ...own.en, ...(b === 'en' ? {} : { ...packs[b], ...own[b] }) } as Messages);
    const changed = tag !== this.locale || t !== this.t;
    this.locale = tag;
    this.t = t;
    // Right-to-left languages inside a left-to-right page (or the reverse): the element's own `dir`.
    // Only a `dir` this controller set is changed or removed; one the page set stays.
    const rtl = RTL.test(b);
    const dir = rtl ? 'rtl' : h.parentElement?.closest('[dir]')?.getAttribute('dir') === 'rtl' ? 'ltr' : null;
    const now = h.getAttribute('dir');
    if (now == null || now === this.#dir) {
      if (dir) h.setAttribute('dir', dir);
      else h.removeAttribute('dir');
      this.#dir = dir;
    }
    return changed;
  }

  num(n: number, o?: Intl.NumberFormatOptions) {
    return intl(Intl.NumberFormat, this.locale, o).format(n);
  }
  /** The CLDR plural category of `n` in this language ("zero", "one", "two", "few", "many", "other"). */
  plural(n: number) {
    return intl(Intl.PluralRules, this.locale).select(n) as keyof Unit;
  }
  /** "1 glass", "8 glasses": the plural category picks the unit form (`other` when a form is missing). */
  qty(n: number, unit: Unit) {
    return `${this.num(n)} ${unit[this.plural(n)] ?? unit.other}`;
  }
  /** A date formatter; get it once per render, call it per value. */
  dates(o: Intl.DateTimeFormatOptions, timeZone?: string) {
    const f = intl(Intl.DateTimeFormat, this.locale, { ...o, timeZone });
    return (iso: string) => f.format(new Date(iso));
  }
  /** A period's progress, "5 of 8 glasses". */
  ofTarget(p: PeriodProgress, unit: Unit) {
    return this.t.ofTarget(this.num(p.value), this.qty(p.target, unit));
  }
}
