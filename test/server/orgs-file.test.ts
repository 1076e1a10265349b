import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { readOrgsFile } from '../../server/orgs-file.js';
import { demoOrgs, md5 } from '../../server/seed.js';
import { buildApp } from '../../server/app.js';
import { SqliteStore } from '../../server/store/sqlite.js';
import { jsonOf, startServer, wcall, widgetToken } from './helpers.js';

const EXAMPLE = 'server/orgs.example.json';
const SCHEMA = 'server/orgs.schema.json';
const example = () => JSON.parse(readFileSync(EXAMPLE, 'utf8'));

/** A production-mode app (in memory) holding the example file's first organisation; closed after `fn`. */
async function withExampleOrg(
  fn: (app: Awaited<ReturnType<typeof buildApp>>, org: ReturnType<typeof readOrgsFile>[number]) => Promise<void>,
) {
  const store = new SqliteStore(':memory:');
  const [org] = readOrgsFile(EXAMPLE);
  await store.tx((tx) => tx.putOrg(org));
  const app = await buildApp({ store, demo: false, tokenSecret: 'p'.repeat(48), serveStatic: false });
  try {
    await fn(app, org);
  } finally {
    await app.close();
    store.close();
  }
}

describe('UCC_ORGS_FILE: server/orgs.schema.json and server/orgs.example.json', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ucc-orgs-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes `data` (or raw text) to a file in the temp folder and returns readOrgsFile's error message. */
  const refusal = (data: unknown, raw?: string) => {
    const file = join(dir, 'orgs.json');
    writeFileSync(file, raw ?? JSON.stringify(data, null, 2));
    try {
      readOrgsFile(file);
    } catch (err) {
      return { file, message: (err as Error).message, lines: (err as Error).message.split('\n') };
    }
    throw new Error('readOrgsFile accepted the file');
  };

  it('the schema is valid draft-07 and the example file matches it', () => {
    const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
    ajv.addKeyword('patternErrorMessage');
    ajv.addKeyword('errorMessage');
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')));
    assert.equal(validate(example()), true, JSON.stringify(validate.errors));
  });

  it('the example file loads: one brand organisation, its "$comment"s dropped', () => {
    const orgs = readOrgsFile(EXAMPLE);
    assert.equal(orgs.length, 1);
    const [org] = orgs;
    assert.equal(org.id, 'acme');
    assert.deepEqual(org.allowedOrigins, ['https://brand.example', 'https://www.brand.example']);
    assert.deepEqual(
      org.templates.map((t) => t.id),
      ['water', 'workouts'],
    );
    assert.ok(
      org.widgetSecret.startsWith('replace-me') && org.widgetSecret.length >= 32,
      'an obvious placeholder, long enough',
    );
    assert.equal('$comment' in org, false);
    assert.equal(
      org.templates.some((t) => '$comment' in t),
      false,
    );
  });

  it('the schema describes the real organisation documents: the demo organisations, with real secrets, pass', () => {
    const orgs = demoOrgs().map((o, i) => ({
      ...o,
      id: `brand${i}`,
      widgetSecret: 'w'.repeat(40) + i,
      till: o.till && { ...o.till, username: `brand${i}.till`, passwordMd5: md5(`pass${i}`) },
      oauthClients: o.oauthClients.map((c) => ({ ...c, key: `key${i}`, secret: 's'.repeat(24) })),
      webhookIds: [`hook${i}`],
    }));
    const file = join(dir, 'demo-like.json');
    writeFileSync(file, JSON.stringify(orgs));
    assert.deepEqual(readOrgsFile(file), orgs);
  });

  it('a loaded organisation serves the widget API to its own pages', async () => {
    await withExampleOrg(async (app, org) => {
      const token = await widgetToken('customer-1', { iss: 'acme', secret: org.widgetSecret });
      const res = await wcall(app, 'GET', 'templates', { token, headers: { origin: 'https://www.brand.example' } });
      assert.deepEqual(
        jsonOf(res, 200).templates.map((t: { id: string }) => t.id),
        ['water', 'workouts'],
      );
      assert.equal(res.headers['access-control-allow-origin'], 'https://www.brand.example');
    });
  });

  it('a missing required field names the file, the organisation and the field', () => {
    const data = example();
    delete data[0].widgetSecret;
    const { file, lines } = refusal(data);
    assert.equal(lines[0], `${file}: organisation 0 ("acme") → widgetSecret: is required but missing`);
    assert.match(lines.at(-1)!, /server\/orgs\.schema\.json.*server\/orgs\.example\.json/);
  });

  it('a short widget secret is refused with its length, not its value', () => {
    const data = example();
    data[0].widgetSecret = 'hunter2';
    const { file, message } = refusal(data);
    assert.match(
      message,
      new RegExp(
        `^${file}: organisation 0 \\("acme"\\) → widgetSecret: must be at least 32 characters \\(got 7\\)$`,
        'm',
      ),
    );
    assert.doesNotMatch(message, /hunter2/);
  });

  it('a template that could accept no log is refused: its smallest quantity above maxQuantityPerLog', () => {
    const data = example();
    data[0].templates[0].minQuantity = 5; // SUM
    data[0].templates[0].maxQuantityPerLog = 2;
    data[0].templates[1].maxQuantityPerLog = 0.5; // COUNT: whole numbers from 1 by default
    const { lines } = refusal(data);
    assert.match(
      lines[0],
      /templates\[0\] \("\w+"\) → minQuantity: no log could be accepted: .*\(5\) is more than maxQuantityPerLog \(2\)$/,
    );
    assert.match(
      lines[1],
      /templates\[1\] \("\w+"\) → maxQuantityPerLog: no log could be accepted: .*\(1, the default for COUNT\) is more than maxQuantityPerLog \(0\.5\)$/,
    );
  });

  it('a wrong type deep in a template names the template and the field', () => {
    const data = example();
    data[0].templates[1].target.step = '1';
    data[0].templates[0].unit = 'glasses';
    const { file, lines } = refusal(data);
    assert.deepEqual(lines.slice(0, -1), [
      `${file}: organisation 0 ("acme") → templates[0] ("water") → unit: must be an object (got "glasses")`,
      `${file}: organisation 0 ("acme") → templates[1] ("workouts") → target.step: must be a number (got "1")`,
    ]);
  });

  it('an unknown field is named, with the field it was probably meant to be', () => {
    const data = example();
    data[0].templates[0].lable = 'Water';
    data[0].colour = 'red';
    const { file, lines } = refusal(data);
    assert.ok(
      lines.includes(
        `${file}: organisation 0 ("acme") → templates[0] ("water") → lable: is not a known field; did you mean "label"?`,
      ),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) =>
        l.startsWith(`${file}: organisation 0 ("acme") → colour: is not a known field (known fields: id, name, `),
      ),
      lines.join('\n'),
    );
  });

  it('invalid JSON names the file, the line and the column', () => {
    const text = readFileSync(EXAMPLE, 'utf8').replace('"programId": 1,', '"programId": 1,,');
    const line = text.slice(0, text.indexOf(',,')).split('\n').length;
    const { file, message } = refusal(null, text);
    assert.match(message, new RegExp(`^${file}: is not valid JSON: line ${line}, column 20: `));
    assert.match(
      refusal(null, '[{"id": "a",}]').message,
      /: is not valid JSON: line 1, column 13: .*\(JSON allows no trailing comma\)\.$/,
    );
    assert.match(
      refusal(null, '[\n  // a comment\n]').message,
      /: is not valid JSON: line 2, column 3: .*\(JSON has no comments; use a "\$comment" field\)\.$/,
    );
    assert.match(refusal(null, '').message, /: is not valid JSON: line 1, column 1: Unexpected end of JSON input\.$/);
    assert.match(
      refusal({ id: 'acme' }).message,
      /: must hold a JSON array of organisations, \[ \{…\}, … \] \(got an object\)/,
    );
    assert.match(refusal([]).message, /: must list at least 1 organisation \(got 0\)$/m);
  });

  it('a missing file is named', () => {
    assert.throws(() => readOrgsFile(join(dir, 'nope.json')), {
      message: `${join(dir, 'nope.json')}: cannot read the organisations file (UCC_ORGS_FILE): no such file.`,
    });
  });

  it("a template's field follows its aggregation; a strategy's fields follow its kind", () => {
    const data = example();
    data[0].templates[0].field = null;
    data[0].templates[1].field = 'count';
    data[0].awardStrategies[0].maxPoints = 10;
    const { file, lines } = refusal(data);
    assert.deepEqual(lines.slice(0, -1), [
      `${file}: organisation 0 ("acme") → awardStrategies[0].maxPoints: is only for PER_PERIOD strategies (this one is FIXED)`,
      `${file}: organisation 0 ("acme") → templates[0] ("water") → field: must name the event's numeric field when aggregation is SUM`,
      `${file}: organisation 0 ("acme") → templates[1] ("workouts") → field: must be null unless aggregation is SUM`,
    ]);
  });

  it('checks what the schema cannot: time zone, bounds, rewards an award strategy pays, origins as browsers send them', () => {
    const data = example();
    data[0].timeZone = 'Europe/Londres';
    data[0].templates[0].target.default = 50;
    data[0].templates[1].reward.maxPoints = 401;
    data[0].allowedOrigins.push('https://Brand.example:443');
    const { file, lines } = refusal(data);
    assert.deepEqual(lines.slice(0, -1), [
      `${file}: organisation 0 ("acme") → timeZone: "Europe/Londres" is not an IANA time zone (e.g. "Europe/Paris", "America/New_York", "UTC")`,
      `${file}: organisation 0 ("acme") → allowedOrigins[2]: "https://Brand.example:443" is not an origin as browsers send it; use "https://brand.example" (scheme://host[:port]: no path or trailing slash, lowercase host, no default port)`,
      `${file}: organisation 0 ("acme") → templates[0] ("water") → target.default: must be from min to max, 1 to 20 (got 50)`,
      `${file}: organisation 0 ("acme") → templates[1] ("workouts") → reward: no award strategy pays it: add {"kind": "PER_PERIOD", "pointsPerPeriod": 40, "maxPoints": 401, …} to awardStrategies`,
    ]);
  });

  it('refuses ids and credentials another organisation uses, and the reserved id "demo"', () => {
    const data = [...example(), ...example()];
    const { file, lines } = refusal(data);
    assert.equal(
      lines[0],
      `${file}: organisation 1 ("acme") → id: the id "acme" is also used by organisation 0; it must be unique`,
    );
    assert.ok(
      lines.includes(
        `${file}: organisation 1 ("acme") → till.username: the till "acme.till" is also used by organisation 0; it must be unique`,
      ),
    );
    const demo = example();
    demo[0].id = 'demo';
    assert.match(
      refusal(demo).message,
      /organisation 0 \("demo"\) → id: "demo" is reserved for the demo organisation; choose another id/,
    );
  });

  it('keeps refusing demo secrets', () => {
    const widget = example();
    widget[0].widgetSecret = 'demo-widget-secret-not-for-production';
    assert.match(
      refusal(widget).message,
      /organisation 0 \("acme"\) → widgetSecret: is a demo value; generate a random one/,
    );
    const till = example();
    till[0].till.passwordMd5 = md5('demo.pass');
    assert.match(
      refusal(till).message,
      /organisation 0 \("acme"\) → till\.passwordMd5: is the md5 of the demo password/,
    );
    const oauth = example();
    oauth[0].oauthClients[0].secret = 'demo-server-token-secret-not-for-production';
    assert.match(refusal(oauth).message, /organisation 0 \("acme"\) → oauthClients\[0\]\.secret: is a demo value/);
  });

  it('an organisation with an upstream config loads (it keeps its credentials server-side) and refuses demo credentials there', () => {
    const upstream = {
      baseUrl: 'https://eu.api.capillarytech.com/',
      webhookUrl: 'https://eu.api.capillarytech.com/webhooks/acme',
      oauth: { key: 'acme-key', secret: 'a-real-looking-oauth-secret-9f8e7d6c' },
      capillaryOrgId: 50123,
      programId: 611,
      awardStrategyId: 7,
      expiryStrategyId: 3,
      customerIdentifier: 'externalId',
      undoGraceMs: 30000,
    };
    const ok = example();
    ok[0].upstream = upstream;
    const file = join(dir, 'orgs.json');
    writeFileSync(file, JSON.stringify(ok));
    assert.deepEqual(readOrgsFile(file)[0].upstream, upstream);
    const demo = example();
    demo[0].upstream = { ...upstream, oauth: { key: 'demo-key', secret: 'demo-secret' } };
    assert.match(refusal(demo).message, /upstream\.oauth\.secret: is a demo value/);
    const noCredentials = example();
    noCredentials[0].upstream = { ...upstream, oauth: undefined };
    assert.match(refusal(noCredentials).message, /upstream/);
  });

  it('reports at most five problems, and how many more there are', () => {
    const data = example();
    Object.assign(data[0], {
      name: 1,
      programId: 'one',
      uccEnabled: 'yes',
      timeZone: 2,
      webhookIds: [1],
      widgetSecret: 3,
      policy: null,
    });
    const { file, lines } = refusal(data);
    assert.equal(lines.length, 7);
    assert.equal(lines[5], `${file}: … and 2 more problems`);
  });

  it('a malformed i18n entry names the template, the language and the field', () => {
    const data = example();
    data[0].templates[0].i18n = {
      Spanish: { label: 'Beber agua', description: 'Vasos de agua al día', unit: { one: 'vaso', other: 'vasos' } },
      de: { label: 'Wasser trinken', description: 'Gläser Wasser pro Tag', unit: { one: 'Glas' } },
      fr: 'Boire de l’eau',
      ar: { label: 'اشرب الماء', description: 'أكواب الماء في اليوم', unit: { other: 'كوب', several: 'أكواب' } },
    };
    data[0].templates[1].i18n.es.lable = 'Hacer ejercicio';
    const { file, lines } = refusal(data);
    assert.deepEqual(lines.slice(0, -1), [
      `${file}: organisation 0 ("acme") → templates[0] ("water") → i18n.Spanish: is not a language tag: write a BCP 47 tag, a lowercase language code optionally with a script or region ("es", "pt-BR", "zh-Hant")`,
      `${file}: organisation 0 ("acme") → templates[0] ("water") → i18n.de.unit.other: is required but missing`,
      `${file}: organisation 0 ("acme") → templates[0] ("water") → i18n.fr: must be an object (got "Boire de l’eau")`,
      `${file}: organisation 0 ("acme") → templates[0] ("water") → i18n.ar.unit.several: is not a known field (known fields: zero, one, two, few, many, other)`,
      `${file}: organisation 0 ("acme") → templates[1] ("workouts") → i18n.es.lable: is not a known field; did you mean "label"?`,
    ]);
  });

  it('translations must be complete and name each language once', () => {
    const data = example();
    delete data[0].templates[0].i18n.es.description;
    data[0].templates[1].i18n['ES'] = data[0].templates[1].i18n.es;
    data[0].templates[1].i18n.en = data[0].templates[1].i18n.es;
    const { file, lines } = refusal(data);
    assert.deepEqual(lines.slice(0, -1), [
      // the schema first; what it cannot say once the file matches it
      `${file}: organisation 0 ("acme") → templates[1] ("workouts") → i18n.ES: is not a language tag: write a BCP 47 tag, a lowercase language code optionally with a script or region ("es", "pt-BR", "zh-Hant")`,
    ]);
    delete data[0].templates[1].i18n.ES;
    data[0].templates[1].i18n['es-mx'] = data[0].templates[1].i18n.es;
    data[0].templates[1].i18n['es-MX'] = data[0].templates[1].i18n.es;
    assert.deepEqual(refusal(data).lines.slice(0, -1), [
      `${file}: organisation 0 ("acme") → templates[0] ("water") → i18n.es.description: is missing: the template has a description ("Glasses of water a day"), so every translation needs one`,
      `${file}: organisation 0 ("acme") → templates[1] ("workouts") → i18n.en: is the organisation's defaultLanguage ("en"): the template's own label, description and unit are in it; remove this entry or change defaultLanguage`,
      `${file}: organisation 0 ("acme") → templates[1] ("workouts") → i18n.es-MX: is the same language as "es-mx" (tags are not case-sensitive); keep one`,
    ]);
  });

  it('a loaded organisation answers its templates in the language asked for', async () => {
    await withExampleOrg(async (app, org) => {
      const token = await widgetToken('customer-1', { iss: 'acme', secret: org.widgetSecret });
      const labels = async (l: string) =>
        jsonOf(await wcall(app, 'GET', 'templates', { token, headers: { 'accept-language': l } }), 200).templates.map(
          (t: { label: string; unit: { other: string } }) => `${t.label}: ${t.unit.other}`,
        );
      assert.deepEqual(await labels('es-AR'), ['Beber agua: vasos', 'Hacer ejercicio: entrenamientos']);
      assert.deepEqual(await labels('ja, en;q=0.1'), ['Drink water: glasses', 'Work out: workouts']);
    });
  });

  it('the server refuses to start with a malformed i18n entry, naming the file and the field', async () => {
    const data = example();
    data[0].templates[1].i18n.de.unit = { one: 'Trainingseinheit' };
    const file = join(dir, 'bad-i18n.json');
    writeFileSync(file, JSON.stringify(data, null, 2));
    const s = startServer({
      UCC_DEMO: '0',
      UCC_TOKEN_SECRET: 'p'.repeat(48),
      UCC_ORGS_FILE: file,
      UCC_DB: join(dir, 'i18n.db'),
    });
    assert.equal(await s.exited, 1);
    assert.equal(
      s.stderr(),
      [
        `ucc-widgets: cannot start: ${file}: organisation 0 ("acme") → templates[1] ("workouts") → i18n.de.unit.other: is required but missing`,
        'See server/orgs.schema.json for every field, and server/orgs.example.json for an example.',
        '',
      ].join('\n'),
    );
  });

  it('the server refuses to start with a bad file: exit 1, the problems on stderr, no stack trace, no database', async () => {
    const data = example();
    data[0].widgetSecret = 'too-short';
    data[0].templates[1].unit.other = 7;
    const file = join(dir, 'bad-orgs.json');
    writeFileSync(file, JSON.stringify(data, null, 2));
    const db = join(dir, 'prod.db');
    const s = startServer({ UCC_DEMO: '0', UCC_TOKEN_SECRET: 'p'.repeat(48), UCC_ORGS_FILE: file, UCC_DB: db });
    assert.equal(await s.exited, 1);
    assert.equal(
      s.stderr(),
      [
        `ucc-widgets: cannot start: ${file}: organisation 0 ("acme") → widgetSecret: must be at least 32 characters (got 9)`,
        `${file}: organisation 0 ("acme") → templates[1] ("workouts") → unit.other: must be a string (got 7)`,
        'See server/orgs.schema.json for every field, and server/orgs.example.json for an example.',
        '',
      ].join('\n'),
    );
    assert.doesNotMatch(s.stderr(), /^\s+at /m, 'no stack trace');
    assert.equal(existsSync(db), false, 'the database is not created');
  });

  it('the server starts in production mode with the example file', async () => {
    const s = startServer({
      UCC_DEMO: '0',
      UCC_TOKEN_SECRET: 'p'.repeat(48),
      UCC_ORGS_FILE: EXAMPLE,
      UCC_DB: join(dir, 'example.db'),
    });
    try {
      const url = await s.ready;
      const token = await widgetToken('customer-1', { iss: 'acme', secret: example()[0].widgetSecret });
      const res = await fetch(`${url}/ucc/v1/me`, {
        headers: { authorization: `Bearer ${token}`, origin: 'https://brand.example' },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('access-control-allow-origin'), 'https://brand.example');
      s.child.kill('SIGTERM');
      assert.equal(await s.exited, 0);
    } finally {
      s.child.kill('SIGKILL');
    }
  });
});
