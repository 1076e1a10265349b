/**
 * Template texts in the customer's language. A brand writes its templates in the organisation's
 * `defaultLanguage` ("en" when absent) and may add translations per template (`i18n`, keyed by BCP 47
 * tag). Each request's Accept-Language picks one language for the whole answer (RFC 4647 lookup over
 * the ranges by q-value: "es-MX" finds "es"; "*" or nothing that matches → the default language);
 * a template without that language answers in its own texts.
 *
 * Cheap on the hot path: per organisation document, the language a header string resolves to is
 * remembered, and every language's localised templates are built once, so a request costs one map
 * lookup for its language and one per template it shows.
 */
import type { Template, Unit } from '../../contract/widget-api.js';
import { minQuantity, type OrgDoc, type TemplateConfig, type TemplateTexts } from '../engine/org.js';
import type { RewardConfig } from '../model/org.js';

/** A language an answer is in: a key of the templates' `i18n`, or null for the templates' own texts. */
export type Lang = string | null;

interface Localised {
  list: Template[];
  byId: Map<string, Template>;
}
interface Locales {
  /** The templates' own language, as configured, and lowercased. */
  base: string;
  baseLower: string;
  /** Every language some template is translated to: lowercased tag → the tag as configured. */
  offered: Map<string, string>;
  /** Accept-Language header → its language (bounded). */
  chosen: Map<string, Lang>;
  byLang: Map<Lang, Localised>;
}

const HEADER_CACHE_LIMIT = 512;
const locales = new WeakMap<OrgDoc, Locales>();

function localesOf(org: OrgDoc): Locales {
  let l = locales.get(org);
  if (!l) {
    const base = org.defaultLanguage ?? 'en';
    const offered = new Map<string, string>();
    // The languages the brand translated its templates or its rewards to.
    for (const item of [...org.templates, ...(org.rewards ?? [])])
      for (const tag of Object.keys(item.i18n ?? {}))
        if (!offered.has(tag.toLowerCase())) offered.set(tag.toLowerCase(), tag);
    offered.delete(base.toLowerCase());
    l = { base, baseLower: base.toLowerCase(), offered, chosen: new Map(), byLang: new Map() };
    locales.set(org, l);
  }
  return l;
}

const RANGE = /^(\*|[a-z]{1,8}(-[a-z0-9]{1,8})*)$/;
const QVALUE = /^\s*q\s*=\s*(0(\.\d{0,3})?|1(\.0{0,3})?)\s*$/i;

/**
 * The language ranges of an Accept-Language header, most preferred first (by q-value, then by
 * order), lowercased; ranges with q=0 and malformed ones are left out.
 */
export function parseAcceptLanguage(header: string): string[] {
  const items: { range: string; q: number; i: number }[] = [];
  const parts = header.split(',');
  for (let i = 0; i < parts.length; i++) {
    const [head, ...params] = parts[i].split(';');
    const range = head.trim().toLowerCase();
    if (!RANGE.test(range)) continue;
    let q = 1;
    for (const p of params) {
      if (p.trim() === '') continue;
      const m = QVALUE.exec(p);
      q = m ? Number(m[1]) : NaN; // a malformed q-value makes the range invalid
    }
    if (q > 0) items.push({ range, q, i });
  }
  items.sort((a, b) => b.q - a.q || a.i - b.i);
  return items.map((x) => x.range);
}

/** RFC 4647 lookup of each range in turn ("es-mx" → "es-mx", then "es"), then a more specific offered tag ("es" → "es-ES"). */
function negotiate(l: Locales, header: string): Lang {
  for (const range of parseAcceptLanguage(header)) {
    if (range === '*') return null;
    for (let tag = range; ;) {
      if (tag === l.baseLower) return null;
      const hit = l.offered.get(tag);
      if (hit !== undefined) return hit;
      const cut = tag.lastIndexOf('-');
      if (cut < 0) break;
      tag = tag.slice(0, cut);
      if (/-.$/.test(tag)) tag = tag.slice(0, -2); // never end on a singleton ("-x")
    }
    const prefix = range + '-';
    if (l.baseLower.startsWith(prefix)) return null;
    for (const [lower, tag] of l.offered) if (lower.startsWith(prefix)) return tag;
  }
  return null;
}

/** The language to answer `org`'s customer in, from the request's Accept-Language header. */
export function languageOf(org: OrgDoc, header: string | string[] | undefined): Lang {
  if (header === undefined) return null;
  const l = localesOf(org);
  if (l.offered.size === 0) return null;
  const h = Array.isArray(header) ? header.join(',') : header;
  let lang = l.chosen.get(h);
  if (lang === undefined) {
    lang = negotiate(l, h);
    if (l.chosen.size >= HEADER_CACHE_LIMIT) l.chosen.clear();
    l.chosen.set(h, lang);
  }
  return lang;
}

/** The Content-Language of an answer in `lang`. */
export const contentLanguage = (org: OrgDoc, lang: Lang) => lang ?? localesOf(org).base;

function localise(tpl: TemplateConfig, texts: TemplateTexts | undefined): Template {
  const { i18n: _, ...config } = tpl;
  const own: Template = { ...config, minQuantity: minQuantity(tpl) };
  if (!texts) return own;
  const unit = { ...texts.unit, one: texts.unit.one ?? texts.unit.other } as Unit;
  return { ...own, label: texts.label, description: texts.description ?? own.description, unit };
}

function localised(org: OrgDoc, lang: Lang): Localised {
  const l = localesOf(org);
  let v = l.byLang.get(lang);
  if (!v) {
    const list = org.templates.map((tpl) => localise(tpl, lang === null ? undefined : tpl.i18n?.[lang]));
    v = { list, byId: new Map(list.map((tpl) => [tpl.id, tpl])) };
    l.byLang.set(lang, v);
  }
  return v;
}

/** The organisation's templates, as a customer reads them in `lang` (without their translations). */
export const templatesIn = (org: OrgDoc, lang: Lang): Template[] => localised(org, lang).list;

/** One template as a customer reads it in `lang`. */
export const templateIn = (org: OrgDoc, id: string, lang: Lang): Template | undefined =>
  localised(org, lang).byId.get(id);

/**
 * A challenge's name as shown in `lang`: what the customer typed, as typed; a name left at its
 * template's label (stored in the default language) reads as the label in `lang`.
 */
export function challengeName(org: OrgDoc, name: string, templateId: string, lang: Lang): string {
  if (lang === null) return name;
  const own = localised(org, null).byId.get(templateId);
  return own !== undefined && own.label === name ? localised(org, lang).byId.get(templateId)!.label : name;
}

/**
 * The name a new challenge is stored under: a name equal to the template's label in the language of
 * the request (a form prefilled with it) is stored as the label in the default language, so it keeps
 * following the reader's language; anything else the customer typed is kept as typed.
 */
export function storedName(org: OrgDoc, name: string, templateId: string, lang: Lang): string {
  if (lang === null) return name;
  const shown = templateIn(org, templateId, lang);
  return shown !== undefined && shown.label === name ? templateIn(org, templateId, null)!.label : name;
}

/** A catalogue reward's label and description as a customer reads them in `lang` (its own texts where not translated). */
export function rewardTexts(reward: RewardConfig, lang: Lang): { label: string; description?: string } {
  const t = lang === null ? undefined : reward.i18n?.[lang];
  const description = t?.description ?? reward.description;
  return { label: t?.label ?? reward.label, ...(description !== undefined ? { description } : {}) };
}
