import type { Unit } from '../api/types.js';
import { en, type Messages } from './en.js';

export type { Messages };

/**
 * The one localisation layer: every visible string comes from `t`, plurals from `Intl.PluralRules`,
 * numbers and dates from `Intl`. A host adds a language with `setMessages(partial, 'de')`; missing keys
 * fall back to English.
 */
export let t: Messages = en;
let lang: string | undefined;

export function setMessages(messages: Partial<Messages>, locale?: string) {
  t = { ...en, ...messages };
  lang = locale;
}

let host: string | null | undefined;
/** Elements call this at the start of each (synchronous) render with their nearest `lang`. */
export const useLang = (el: Element) => (host = el.closest('[lang]')?.getAttribute('lang'));

/** The locale: set explicitly, else the element's nearest `lang` (up to `<html>`), else the browser's. */
export const locale = () => lang || host || navigator.language;

export const num = (n: number) => new Intl.NumberFormat(locale()).format(n);

/** "1 glass", "8 glasses": the plural category picks the unit form. */
export const qty = (n: number, unit: Unit) =>
  `${num(n)} ${new Intl.PluralRules(locale()).select(n) == 'one' ? unit.one : unit.other}`;

export const date = (iso: string, o: Intl.DateTimeFormatOptions, timeZone?: string) =>
  new Intl.DateTimeFormat(locale(), { ...o, timeZone }).format(new Date(iso));
