import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Challenge, Template } from '../../contract/widget-api.js';
import type { OrgDoc } from '../../server/engine/org.js';
import { demoTemplates } from '../../server/seed.js';
import { minQuantity } from '../../server/engine/org.js';
import { languageOf, parseAcceptLanguage } from '../../server/widget-api/i18n.js';
import { jsonOf, wcall, widgetApp, widgetToken } from './helpers.js';

const water = { templateId: 'water', target: 8, period: 'DAILY', periods: 7 };
const lang = (l: string | undefined): Record<string, string> => (l === undefined ? {} : { 'accept-language': l });
const varies = (res: LightMyRequestResponse) =>
  String(res.headers.vary ?? '')
    .split(/\s*,\s*/)
    .map((f) => f.toLowerCase());

/** What GET /templates should answer in `tag` ("en": the templates' own texts). */
function expected(tag: string) {
  return demoTemplates.map(({ i18n, ...config }) => {
    const t = { ...config, minQuantity: minQuantity(config) };
    const x = tag === 'en' ? undefined : i18n![tag];
    return x
      ? {
          ...t,
          label: x.label,
          description: x.description ?? t.description,
          unit: { ...x.unit, one: x.unit.one ?? x.unit.other },
        }
      : t;
  });
}

describe('Accept-Language: parsing and choosing', () => {
  it('orders ranges by q-value, then by position; drops q=0 and malformed ranges', () => {
    assert.deepEqual(parseAcceptLanguage('es-MX,es;q=0.9,en;q=0.5'), ['es-mx', 'es', 'en']);
    assert.deepEqual(parseAcceptLanguage('en;q=0.5, fr ,de;q=0.8'), ['fr', 'de', 'en']);
    assert.deepEqual(parseAcceptLanguage('fr;q=0, de; q = 0.7 ,*;q=0.1'), ['de', '*']);
    assert.deepEqual(parseAcceptLanguage('fr;q=2, de;q=abc, not a tag, es;q=0.3'), ['es']);
    assert.deepEqual(parseAcceptLanguage(''), []);
  });

  it('finds a translation by lookup ("es-MX" → "es"), prefers the default language when it ranks higher, else the default', () => {
    const org = { templates: demoTemplates } as unknown as OrgDoc;
    assert.equal(languageOf(org, 'es-MX,es;q=0.9,en;q=0.5'), 'es');
    assert.equal(languageOf(org, 'de-AT'), 'de');
    assert.equal(languageOf(org, 'FR-ca;q=0.9, ja'), 'fr');
    assert.equal(languageOf(org, 'ar-EG'), 'ar');
    assert.equal(languageOf(org, 'en-GB, fr;q=0.8'), null, "English first: the templates' own texts");
    assert.equal(languageOf(org, 'ja, ko;q=0.9, de;q=0.1'), 'de', 'the best language the brand has, however low');
    assert.equal(languageOf(org, 'ja'), null);
    assert.equal(languageOf(org, '*'), null);
    assert.equal(languageOf(org, undefined), null);
    const pt = {
      templates: [{ ...demoTemplates[0], i18n: { 'pt-BR': demoTemplates[0].i18n!.es } }],
    } as unknown as OrgDoc;
    assert.equal(languageOf(pt, 'pt'), 'pt-BR', 'a range finds a more specific tag');
    const german = {
      defaultLanguage: 'de',
      templates: [{ ...demoTemplates[0], i18n: { en: demoTemplates[0].i18n!.es } }],
    } as unknown as OrgDoc;
    assert.equal(languageOf(german, 'de-CH, en;q=0.5'), null, 'a brand writing in German');
    assert.equal(languageOf(german, 'en-US'), 'en');
  });
});

describe("template labels and units in the customer's language", () => {
  let app: FastifyInstance;
  let token: string;
  before(async () => {
    app = await widgetApp();
    token = await widgetToken('alice');
  });
  after(() => app.close());

  for (const [header, tag] of [
    ['es-MX,es;q=0.9,en;q=0.5', 'es'],
    ['de', 'de'],
    ['fr-FR,fr;q=0.9', 'fr'],
    ['ar', 'ar'],
    ['ja', 'en'],
    [undefined, 'en'],
  ] as const) {
    it(`GET /templates with Accept-Language ${header ?? '(none)'} answers in ${tag}, Vary: Accept-Language`, async () => {
      const res = await wcall(app, 'GET', 'templates', { token, headers: lang(header) });
      const body = jsonOf(res, 200);
      assert.deepEqual(body.templates, expected(tag));
      assert.ok(varies(res).includes('accept-language'), String(res.headers.vary));
      assert.equal(res.headers['content-language'], tag);
    });
  }

  it('spot check: real words, and Arabic units carry every plural category', async () => {
    const get = async (l: string) =>
      jsonOf(await wcall(app, 'GET', 'templates', { token, headers: lang(l) }), 200).templates as Template[];
    const [es, de, fr, ar] = [await get('es'), await get('de'), await get('fr'), await get('ar')];
    assert.deepEqual([es[0].label, es[0].unit], ['Beber agua', { one: 'vaso', other: 'vasos' }]);
    assert.deepEqual([de[0].label, de[0].unit], ['Wasser trinken', { one: 'Glas', other: 'Gläser' }]);
    assert.deepEqual([fr[3].label, fr[3].description], ['Méditer', 'Minutes de méditation par jour']);
    assert.deepEqual(Object.keys(ar[0].unit).sort(), ['few', 'many', 'one', 'other', 'two', 'zero']);
    assert.equal(ar[0].unit.few, 'أكواب');
    for (const t of [...es, ...de, ...fr, ...ar])
      assert.ok(t.label && t.description && t.unit.one && t.unit.other, t.id);
  });

  it('a challenge created from a template and read in German carries the German unit and label; so does the log answer', async () => {
    const de = { token: await widgetToken('bob'), headers: lang('de-DE,de;q=0.9') };
    const created = await wcall(app, 'POST', 'me/challenges', { ...de, body: water });
    const { challenge } = jsonOf(created, 201) as { challenge: Challenge };
    assert.deepEqual(challenge.unit, { one: 'Glas', other: 'Gläser' });
    assert.equal(challenge.name, 'Wasser trinken', "no name typed: the template's label, in German");
    assert.ok(varies(created).includes('accept-language'));

    const one = await wcall(app, 'GET', `me/challenges/${challenge.id}`, de);
    assert.deepEqual(jsonOf(one, 200).challenge.unit, { one: 'Glas', other: 'Gläser' });
    assert.ok(varies(one).includes('accept-language'));

    const logged = await wcall(app, 'POST', 'me/activities', {
      ...de,
      key: 'de-1',
      body: { challengeId: challenge.id, quantity: 2 },
    });
    const log = jsonOf(logged, 201);
    assert.deepEqual(
      log.challenges.map((c: Challenge) => [c.id, c.name, c.unit]),
      [[challenge.id, 'Wasser trinken', { one: 'Glas', other: 'Gläser' }]],
    );
    assert.ok(varies(logged).includes('accept-language'));
    assert.equal(logged.headers['content-language'], 'de');

    // The same log replayed in Spanish is answered in Spanish (rebuilt), and again in German byte for byte.
    const replayEs = jsonOf(
      await wcall(app, 'POST', 'me/activities', {
        token: de.token,
        headers: lang('es'),
        key: 'de-1',
        body: { challengeId: challenge.id, quantity: 2 },
      }),
      201,
    );
    assert.deepEqual(replayEs.challenges[0].unit, { one: 'vaso', other: 'vasos' });
    assert.equal(replayEs.activity.id, log.activity.id);
    const replayDe = await wcall(app, 'POST', 'me/activities', {
      ...de,
      key: 'de-1',
      body: { challengeId: challenge.id, quantity: 2 },
    });
    assert.equal(replayDe.body, logged.body);

    // The undo answer too; and without Accept-Language everything is English again.
    const undone = jsonOf(
      await wcall(app, 'DELETE', `me/activities/${log.activity.id}`, { token: de.token, headers: lang('fr') }),
      200,
    );
    assert.deepEqual(undone.challenges[0].unit, { one: 'verre', other: 'verres' });
    assert.equal(undone.challenges[0].name, 'Boire de l’eau');
    const english = jsonOf(
      await wcall(app, 'GET', `me/challenges/${challenge.id}`, { token: de.token }),
      200,
    ).challenge;
    assert.deepEqual([english.name, english.unit], ['Drink water', { one: 'glass', other: 'glasses' }]);
  });

  it('GET /me/challenges answers each language from its own cache entry: a German ETag does not match the Spanish answer', async () => {
    const t = await widgetToken('carol');
    jsonOf(
      await wcall(app, 'POST', 'me/challenges', { token: t, body: { ...water, templateId: 'steps', target: 8000 } }),
      201,
    );
    const de = await wcall(app, 'GET', 'me/challenges', { token: t, headers: lang('de') });
    const es = await wcall(app, 'GET', 'me/challenges', { token: t, headers: lang('es') });
    assert.deepEqual(jsonOf(de, 200).challenges[0].unit, { one: 'Schritt', other: 'Schritte' });
    assert.deepEqual(jsonOf(es, 200).challenges[0].unit, { one: 'paso', other: 'pasos' });
    assert.equal(jsonOf(es, 200).challenges[0].name, 'Caminar');
    assert.notEqual(de.headers.etag, es.headers.etag);
    for (const res of [de, es])
      assert.deepEqual(
        varies(res).filter((f) => f !== 'origin'),
        ['accept-language', 'accept-encoding', 'authorization'],
      );
    assert.equal(
      (
        await wcall(app, 'GET', 'me/challenges', {
          token: t,
          headers: { ...lang('de'), 'if-none-match': String(de.headers.etag) },
        })
      ).statusCode,
      304,
    );
    assert.equal(
      (
        await wcall(app, 'GET', 'me/challenges', {
          token: t,
          headers: { ...lang('es'), 'if-none-match': String(de.headers.etag) },
        })
      ).statusCode,
      200,
    );
  });

  it('an error answer carries no Content-Language (its message is English)', async () => {
    const res = await wcall(app, 'GET', 'me/challenges/999999', { token, headers: lang('de') });
    assert.equal(res.statusCode, 404);
    assert.equal(res.headers['content-language'], undefined);
  });

  it("keeps CORS's Vary: Origin beside Accept-Language", async () => {
    const headers = { origin: 'http://localhost:3000', ...lang('de') };
    for (const path of ['templates', 'me/challenges']) {
      const res = await wcall(app, 'GET', path, { token, headers });
      assert.equal(res.statusCode, 200);
      assert.ok(
        varies(res).includes('origin') && varies(res).includes('accept-language'),
        `${path}: ${res.headers.vary}`,
      );
    }
  });

  it('a name the customer typed is returned as typed in every language', async () => {
    const t = await widgetToken('dana');
    const typed = '  Mein Wasser-Ziel 💧 ';
    const { challenge } = jsonOf(
      await wcall(app, 'POST', 'me/challenges', { token: t, headers: lang('es'), body: { ...water, name: typed } }),
      201,
    );
    assert.equal(challenge.name, typed.trim());
    jsonOf(
      await wcall(app, 'POST', 'me/challenges', {
        token: t,
        headers: lang('ar'),
        body: { ...water, templateId: 'meditation', target: 10, name: 'Drink water' },
      }),
      201,
    );
    for (const l of [undefined, 'es', 'de', 'fr', 'ar', 'ja']) {
      const list = jsonOf(await wcall(app, 'GET', 'me/challenges', { token: t, headers: lang(l) }), 200)
        .challenges as Challenge[];
      assert.deepEqual(
        list.map((c) => c.name),
        ['Drink water', typed.trim()],
        `Accept-Language: ${l}`,
      );
      const log = jsonOf(
        await wcall(app, 'POST', 'me/activities', {
          token: t,
          headers: lang(l),
          key: `dana-${l}`,
          body: { challengeId: challenge.id, quantity: 1 },
        }),
        201,
      );
      assert.equal(log.challenges[0].name, typed.trim());
    }
  });

  it("a name left at the template's label in the customer's language follows the reader's language", async () => {
    const t = await widgetToken('erin');
    // A form prefilled with the Spanish label sends it back unchanged.
    const { challenge } = jsonOf(
      await wcall(app, 'POST', 'me/challenges', {
        token: t,
        headers: lang('es'),
        body: { ...water, name: 'Beber agua' },
      }),
      201,
    );
    assert.equal(challenge.name, 'Beber agua');
    const de = jsonOf(
      await wcall(app, 'GET', `me/challenges/${challenge.id}`, { token: t, headers: lang('de') }),
      200,
    ).challenge;
    assert.equal(de.name, 'Wasser trinken');
  });
});
