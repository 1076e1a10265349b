import type { PeriodProgress, Unit } from '../api/types.js';
import { core } from './en/core.js';
import type { createChallenge } from './en/create-challenge.js';
import type { logActivity } from './en/log-activity.js';
import type { points } from './en/points.js';
import type { progress } from './en/progress.js';

/** Every message, with its English form's type: the typed fallback every locale is checked against. */
export type Messages = typeof core & typeof createChallenge & typeof logActivity & typeof progress & typeof points;

/**
 * The one localisation layer: every visible string comes from `t`, plurals from `Intl.PluralRules`,
 * numbers and dates from `Intl`. A host adds a language with `setMessages(partial, 'de')`; missing keys
 * fall back to English.
 *
 * The English messages are split by element (./en/): each element module adds its own with
 * `addMessages`, so a page carries only the messages of the elements it uses.
 */
export const t = { ...core } as Messages;
const en: Partial<Messages> = { ...core };
let own: Partial<Messages> = {};
let lang: string | undefined;

/** Adds an element's English messages; a host's messages (`setMessages`) still win. */
export const addMessages = (m: Partial<Messages>) => Object.assign(t, Object.assign(en, m), own);

export function setMessages(messages: Partial<Messages>, locale?: string) {
  Object.assign(t, en, (own = messages));
  lang = locale;
}

let host: string | null | undefined;
/** Elements call this at the start of each (synchronous) render with their nearest `lang`. */
export const useLang = (el: Element) => (host = el.closest('[lang]')?.getAttribute('lang'));

/** The locale: set explicitly, else the element's nearest `lang` (up to `<html>`), else the browser's. */
export const locale = () => lang || host || navigator.language;

// Intl objects are costly to build (a DateTimeFormat takes tens of µs) and renders format hundreds of
// values, so each (kind, locale, options) builds one and reuses it.
const made: Record<string, unknown> = {};
const intl = <T>(C: new (l: string, o?: object) => T, o?: object): T =>
  (made[C.name + locale() + JSON.stringify(o)] ??= new C(locale(), o)) as T;

export const num = (n: number) => intl(Intl.NumberFormat).format(n);

/** "1 glass", "8 glasses": the plural category picks the unit form. */
export const qty = (n: number, unit: Unit) =>
  `${num(n)} ${intl(Intl.PluralRules).select(n) == 'one' ? unit.one : unit.other}`;

/** A date formatter for the current locale; get it once per render, call it per value. */
export const dates = (o: Intl.DateTimeFormatOptions, timeZone?: string) => {
  const f = intl(Intl.DateTimeFormat, { ...o, timeZone });
  return (iso: string) => f.format(new Date(iso));
};

/** A period's progress, "5 of 8 glasses". */
export const ofTarget = (p: PeriodProgress, unit: Unit) => t.ofTarget(num(p.value), qty(p.target, unit));
