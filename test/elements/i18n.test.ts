import { expect, fixture, html } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { Challenge, Unit } from '../../src/api/types.js';
import type { UccLogActivity, UccProgress, UccProvider } from '../../src/index.js';
import { setMessages, type Messages } from '../../src/index.js';
import type { Localizer } from '../../src/i18n/index.js';
import { core } from '../../src/i18n/en/core.js';
import { createChallenge } from '../../src/i18n/en/create-challenge.js';
import { logActivity } from '../../src/i18n/en/log-activity.js';
import { points as pointsEn } from '../../src/i18n/en/points.js';
import { progress } from '../../src/i18n/en/progress.js';
import { rewards } from '../../src/i18n/en/rewards.js';
import es from '../../src/i18n/locales/es.js';
import de from '../../src/i18n/locales/de.js';
import fr from '../../src/i18n/locales/fr.js';
import ar from '../../src/i18n/locales/ar.js';
import { $, FakeClient, deferred, freshQueueName, points, redemption, text, until } from './helpers.js';

/** Every English message, as the elements merge them. */
const en = { ...core, ...createChallenge, ...logActivity, ...pointsEn, ...progress, ...rewards } as Messages;
const packs: Record<string, Messages> = { es, de, fr, ar };
type Any = Record<string, unknown>;
/** An element's Localizer (protected `l`) and messages. */
const loc = (el: Element) => (el as unknown as { l: Localizer }).l;
const titles = ['createTitle', 'logTitle', 'progressTitle', 'pointsTitle', 'rewardsTitle'] as const;

/** A client whose data holds no English words of our own (the ledger says "Completed: …" by default). */
function client() {
  const c = new FakeClient();
  c.data.points = points({ entries: [{ ...points().entries[0], description: 'Steps ✓' }] });
  c.data.rewards = c.data.rewards.map((r, i) => ({ ...r, label: `🎁 ${i}`, description: undefined }));
  c.data.redemptions = [redemption('ten-off', { label: '🎁 1' })];
  return c;
}

/** All five elements in one provider with `locale`, once each shows `pack`'s title. */
async function allElements(locale: string, pack: Messages) {
  const provider =
    await fixture<UccProvider>(html`<ucc-provider .client=${client()} queue-name=${freshQueueName()} locale=${locale}>
    <ucc-create-challenge></ucc-create-challenge><ucc-log-activity></ucc-log-activity><ucc-progress></ucc-progress><ucc-points></ucc-points>
    <ucc-rewards></ucc-rewards>
  </ucc-provider>`);
  const els = [...provider.children];
  await until(() => els.every((el, i) => text(el).includes(pack[titles[i]])));
  return { provider, els };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The English text pieces of a pack's messages that the language `pack` writes differently. */
function englishPieces(pack: Messages): string[] {
  const pieces: string[] = [];
  const args = ['\u00010', '\u00011', '\u00012', '\u00013'];
  for (const [k, v] of Object.entries(en) as [keyof Messages, unknown][]) {
    const p = (pack as Any)[k];
    if (typeof v === 'string') {
      if (v !== p) pieces.push(v);
      continue;
    }
    if (typeof v === 'function') {
      // A function's fixed text: what is left between its arguments, when the translation lacks it.
      const call = (f: unknown) => String((f as (...a: unknown[]) => string)(...args.slice(0, 3), 2));
      const theirs = call(p);
      for (const frag of call(v).split(/\u0001\d/)) {
        const f = frag.replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, '');
        if (f.length >= 4 && /\p{L}/u.test(f) && !theirs.includes(f)) pieces.push(f);
      }
      continue;
    }
    for (const word of Object.values(v as Unit))
      if (!Object.values(p as Unit).includes(word)) pieces.push(word as string);
  }
  return pieces;
}

describe('languages', () => {
  it('no two message modules use the same key (messages share one namespace: a second key would silently replace the first)', () => {
    const modules = { core, createChallenge, logActivity, points: pointsEn, progress, rewards };
    const owner: Record<string, string> = {};
    const clashes: string[] = [];
    for (const [name, m] of Object.entries(modules)) {
      for (const k of Object.keys(m)) {
        if (owner[k]) clashes.push(`${k} (${owner[k]} and ${name})`);
        owner[k] = name;
      }
    }
    expect(clashes).to.deep.equal([]);
  });

  for (const [lang, pack] of Object.entries(packs)) {
    it(`${lang}: has every English key, with the same kind of value, and every plural form of the language`, () => {
      const missing = Object.keys(en).filter((k) => !(k in pack));
      const extra = Object.keys(pack).filter((k) => !(k in en));
      expect(missing, `${lang} misses ${missing.join(', ')}`).to.deep.equal([]);
      expect(extra, `${lang} has keys English lacks: ${extra.join(', ')}`).to.deep.equal([]);
      for (const k of Object.keys(en)) expect(typeof (pack as Any)[k], `${lang}.${k}`).to.equal(typeof (en as Any)[k]);
      const categories = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
      for (const u of ['day', 'week', 'points', 'morePoints'] as const) {
        for (const c of categories)
          expect(pack[u][c as keyof Unit], `${lang}.${u}.${c}`).to.be.a('string').and.not.empty;
      }
    });

    it(`${lang}: renders every element in ${lang}, with no English text of our own`, async () => {
      const { els } = await allElements(lang, pack);
      const pieces = englishPieces(pack);
      expect(pieces.length).to.be.greaterThan(30);
      for (const el of els) {
        expect(loc(el).locale).to.equal(lang);
        const found = pieces.filter((p) => new RegExp(`(^|[^\\p{L}])${escape(p)}($|[^\\p{L}])`, 'u').test(text(el)));
        expect(found, `${el.localName} in ${lang} shows English: ${found.join(' | ')}`).to.deep.equal([]);
      }
    });
  }

  it('ar: sets dir=rtl on every element and picks all six plural forms (0, 1, 2, 3, 11, 100)', async () => {
    const { els } = await allElements('ar', ar);
    for (const el of els) expect(el.getAttribute('dir'), el.localName).to.equal('rtl');
    const l = loc(els[2]);
    const ns = [0, 1, 2, 3, 11, 100];
    expect(ns.map((n) => l.plural(n))).to.deep.equal(['zero', 'one', 'two', 'few', 'many', 'other']);
    for (const unit of [l.t.day, l.t.week, l.t.points, l.t.morePoints]) {
      const forms = ns.map((n) => l.qty(n, unit));
      expect(new Set(forms).size, forms.join(' / ')).to.equal(6);
      ns.forEach((n, i) => expect(forms[i]).to.equal(`${l.num(n)} ${unit[l.plural(n)]}`));
      for (const c of ['two', 'few', 'many'] as const) expect(unit[c], c).to.not.equal(unit.other);
    }
    expect(l.qty(3, l.t.day)).to.equal(`${l.num(3)} أيام`);
    expect(l.qty(11, l.t.day)).to.equal(`${l.num(11)} يومًا`);
    // A sentence that counts has its six forms too.
    expect(new Set(ns.map((n) => l.t.pending(l.num(n), n))).size).to.equal(6);
  });

  it("follows <ucc-provider locale>, and a change re-renders at once, then fetches the server's labels again in place", async () => {
    const c = client();
    const provider =
      await fixture<UccProvider>(html`<ucc-provider .client=${c} queue-name=${freshQueueName()} locale="es">
      <ucc-progress></ucc-progress></ucc-provider>`);
    const el = provider.firstElementChild as UccProgress;
    await until(() => text(el).includes(es.progressTitle));
    const fetched = c.count('challenges');
    provider.locale = 'de';
    await until(() => text(el).includes(de.progressTitle));
    expect(text(el)).to.contain(de.ofTarget('5', `8 glasses`)).and.not.contain(es.progressTitle);
    provider.locale = 'ar';
    await until(() => text(el).includes(ar.progressTitle));
    expect(el.getAttribute('dir')).to.equal('rtl');
    provider.locale = 'fr';
    await until(() => text(el).includes(fr.progressTitle));
    expect(el.hasAttribute('dir')).to.equal(false);
    expect(c.count('challenges'), 'one reload per change, for the server-side labels').to.equal(fetched + 3);
  });

  it("a language change while the challenges are loading shows the new language's answer, even when the old one arrives last", async () => {
    const c = client();
    const answers = [deferred<{ challenges: Challenge[] }>(), deferred<{ challenges: Challenge[] }>()];
    let call = 0;
    c.challenges = () => answers[Math.min(call++, 1)].promise;
    const provider =
      await fixture<UccProvider>(html`<ucc-provider .client=${c} queue-name=${freshQueueName()} locale="en">
      <ucc-progress></ucc-progress></ucc-provider>`);
    const el = provider.firstElementChild as UccProgress;
    await until(() => call === 1);
    provider.locale = 'es';
    await until(() => call === 2);
    const inUnit = (other: string) => ({ challenges: [{ ...c.data.challenges[0], unit: { one: other, other } }] });
    answers[1].resolve(inUnit('vasos'));
    await until(() => text(el).includes('vasos'));
    answers[0].resolve(inUnit('glasses'));
    await new Promise((r) => setTimeout(r, 50));
    expect(text(el)).to.contain('vasos').and.not.contain('glasses');
  });

  it('without a provider locale follows the nearest lang, then <html lang>, then navigator.language', async () => {
    const htmlLang = document.documentElement.getAttribute('lang');
    document.documentElement.removeAttribute('lang');
    try {
      const wrap =
        await fixture<HTMLElement>(html`<div lang="fr"><ucc-provider .client=${client()} queue-name=${freshQueueName()}>
        <ucc-progress></ucc-progress></ucc-provider></div>`);
      const el = wrap.querySelector('ucc-progress')!;
      await until(() => text(el).includes(fr.progressTitle));
      expect(loc(el).locale).to.equal('fr');

      const bare = await fixture<UccProvider>(
        html`<ucc-provider .client=${client()} queue-name=${freshQueueName()}><ucc-progress></ucc-progress></ucc-provider>`,
      );
      const el2 = bare.firstElementChild!;
      const nav = packs[navigator.language.split('-')[0]] ?? en;
      await until(() => text(el2).includes(nav.progressTitle));
      expect(loc(el2).locale).to.equal(navigator.language);

      document.documentElement.setAttribute('lang', 'de');
      await until(() => text(el2).includes(de.progressTitle));
      expect(text(el), 'the nearer lang wins').to.contain(fr.progressTitle);
    } finally {
      if (htmlLang == null) document.documentElement.removeAttribute('lang');
      else document.documentElement.setAttribute('lang', htmlLang);
    }
  });

  it('reads a lang written with an underscore (de_AT), and falls back to English for a malformed one', async () => {
    const wrap =
      await fixture<HTMLElement>(html`<div><div lang="de_AT"><ucc-provider .client=${client()} queue-name=${freshQueueName()}>
      <ucc-progress></ucc-progress></ucc-provider></div><div lang="!!"><ucc-provider .client=${client()} queue-name=${freshQueueName()}>
      <ucc-progress></ucc-progress></ucc-provider></div></div>`);
    const [a, b] = [...wrap.querySelectorAll('ucc-progress')];
    await until(() => text(a).includes(de.progressTitle) && text(b).includes(en.progressTitle));
    expect(loc(a).locale).to.equal('de-AT');
  });

  it('an element in a left-to-right language inside a right-to-left page gets dir=ltr; a dir set by the page stays', async () => {
    const wrap =
      await fixture<HTMLElement>(html`<div dir="rtl" lang="ar"><ucc-provider .client=${client()} queue-name=${freshQueueName()} locale="en">
      <ucc-progress></ucc-progress><ucc-points dir="rtl"></ucc-points></ucc-provider></div>`);
    const [p, pts] = [wrap.querySelector('ucc-progress')!, wrap.querySelector('ucc-points')!];
    await until(() => text(p).includes(en.progressTitle) && text(pts).includes(en.pointsTitle));
    expect(getComputedStyle(p).direction).to.equal('ltr');
    expect(pts.getAttribute('dir')).to.equal('rtl');
  });

  it('keeps two providers in their own languages, also for text built after an await', async () => {
    const gates = [deferred<void>(), deferred<void>()];
    const clients = gates.map((g) => {
      const c = client();
      const answer = c.logAnswer.bind(c);
      c.logActivity = async (body, key) => {
        await g.promise;
        return answer(body, key);
      };
      return c;
    });
    const page = await fixture<HTMLElement>(html`<div>
      <ucc-provider .client=${clients[0]} queue-name=${freshQueueName()} locale="es"><ucc-log-activity challenge-id="c1"></ucc-log-activity></ucc-provider>
      <ucc-provider .client=${clients[1]} queue-name=${freshQueueName()} locale="de"><ucc-log-activity challenge-id="c1"></ucc-log-activity></ucc-provider>
    </div>`);
    const [a, b] = [...page.querySelectorAll<UccLogActivity>('ucc-log-activity')];
    await until(
      () => text(a).includes(es.logTitle) && text(b).includes(de.logTitle) && $(a, '.quick') && $(b, '.quick'),
    );
    $(a, '.quick').click();
    $(b, '.quick').click();
    // The German answer comes first, then the Spanish one: each message still takes its element's language.
    gates[1].resolve();
    await until(() =>
      $(b, '[aria-live=polite]').textContent!.includes(de.logged('1 glass', de.ofTarget('6', '8 glasses'))),
    );
    gates[0].resolve();
    await until(() =>
      $(a, '[aria-live=polite]').textContent!.includes(es.logged('1 glass', es.ofTarget('6', '8 glasses'))),
    );
  });

  it('setMessages adds or overrides a language and re-renders at once', async () => {
    const provider =
      await fixture<UccProvider>(html`<ucc-provider .client=${client()} queue-name=${freshQueueName()} locale="es">
      <ucc-progress></ucc-progress></ucc-provider>`);
    const el = provider.firstElementChild!;
    await until(() => text(el).includes(es.progressTitle));
    setMessages({ progressTitle: 'Mis desafíos' }, 'es-MX');
    await until(() => text(el).includes('Mis desafíos'));
    setMessages({ progressTitle: es.progressTitle }, 'es');
    await until(() => text(el).includes(es.progressTitle));
  });

  it('ar: the progress bar fills from the right (screenshot in .tmp/)', async () => {
    const c = client();
    const provider =
      await fixture<UccProvider>(html`<ucc-provider .client=${c} queue-name=${freshQueueName()} locale="ar">
      <ucc-progress style="width: 320px; --ucc-color-primary: rgb(0, 0, 255); --ucc-color-track: rgb(255, 255, 255)"></ucc-progress></ucc-provider>`);
    const el = provider.firstElementChild as UccProgress;
    await until(() => text(el).includes(ar.progressTitle) && $(el, '[part=bar-fill]'));
    // The fill's width animates: wait for 62.5 %.
    const bar = $(el, '[part=bar]'),
      fill = $(el, '[part=bar-fill]');
    await until(() => Math.abs(fill.getBoundingClientRect().width - bar.getBoundingClientRect().width * 0.625) < 0.5);
    const [b, f] = [bar.getBoundingClientRect(), fill.getBoundingClientRect()];
    expect(getComputedStyle(bar).direction).to.equal('rtl');
    expect(Math.abs(f.right - b.right), 'fill anchored at the right').to.be.lessThan(0.5);
    expect(f.left - b.left).to.be.greaterThan(b.width * 0.3);

    const r = el.getBoundingClientRect();
    const png = await executeServerCommand<string, unknown>('ucc-screenshot', {
      path: '.tmp/i18n-rtl-progress.png',
      clip: { x: r.left, y: r.top, width: r.width, height: r.height },
    });
    // Pixels along the bar's middle: blue (the fill) on its right part, white (the track) on its left.
    const img = new Image();
    img.src = `data:image/png;base64,${png}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    [canvas.width, canvas.height] = [img.width, img.height];
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const scale = img.width / r.width;
    const px = (x: number) => [
      ...ctx.getImageData(Math.round((x - r.left) * scale), Math.round((b.top + b.height / 2 - r.top) * scale), 1, 1)
        .data,
    ];
    const blue = (p: number[]) => p[2] > 200 && p[0] < 60 && p[1] < 60;
    expect(blue(px(b.right - b.width * 0.1)), 'right part is the fill').to.equal(true);
    expect(blue(px(b.left + b.width * 0.2)), 'left part is the track').to.equal(false);
  });
});
