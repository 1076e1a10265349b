/**
 * UCC_ORGS_FILE: the production organisations, validated deeply before anything starts — the JSON schema
 * (server/orgs.schema.json), then what a schema cannot say, then what needs the database — each problem
 * named by file, organisation and field.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { isValidZone } from './engine/time.js';
import { minQuantity, type OrgDoc } from './engine/org.js';
import { DEMO_SECRETS, originProblem } from './config.js';

const MAX_PROBLEMS = 5;
const FORMAT_HINT = 'See server/orgs.schema.json for every field, and server/orgs.example.json for an example.';
let orgsValidator: ValidateFunction | undefined;

/** The compiled server/orgs.schema.json (draft-07, ajv 8). */
function validator(): ValidateFunction {
  if (!orgsValidator) {
    const ajv = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true });
    // Human messages for pattern and `not` failures (also understood by VS Code's JSON editor).
    ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
    ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
    orgsValidator = ajv.compile(JSON.parse(readFileSync(new URL('./orgs.schema.json', import.meta.url), 'utf8')));
  }
  return orgsValidator;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A value for a message: strings quoted and shortened, containers by kind. Never used for secrets. */
const shown = (v: unknown) =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'an array'
      : isObject(v)
        ? 'an object'
        : typeof v === 'string'
          ? JSON.stringify(v.length > 40 ? `${v.slice(0, 39)}…` : v)
          : String(v);
const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

/** Edit distance, for "did you mean" on unknown fields. */
function distance(a: string, b: string) {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length];
}

/** One ajv error in words; the field it is about may be a child of the error's instance path. */
function explain(e: ErrorObject): { extra?: string; message: string } | null {
  const p = e.params as Record<string, any>;
  const hint = isObject(e.parentSchema) ? e.parentSchema : {};
  switch (e.keyword) {
    case 'if':
      return null; // its `then`/`else` errors say what is wrong
    case 'propertyNames':
      return null; // the error about the name itself (with e.propertyName) says what is wrong
    case 'required':
      return { extra: p.missingProperty, message: 'is required but missing' };
    case 'additionalProperties': {
      const allowed = Object.keys(isObject(hint.properties) ? hint.properties : {}).filter((k) => k !== '$comment');
      const near = allowed.map((k) => [k, distance(p.additionalProperty, k)] as const).sort((a, b) => a[1] - b[1])[0];
      const suggestion =
        near && near[1] <= 2 ? `; did you mean "${near[0]}"?` : ` (known fields: ${allowed.join(', ')})`;
      return { extra: p.additionalProperty, message: `is not a known field${suggestion}` };
    }
    case 'type': {
      const types = (Array.isArray(p.type) ? p.type : String(p.type).split(',')).map((t: string) => TYPE_NAMES[t] ?? t);
      return {
        message:
          typeof hint.errorMessage === 'string'
            ? hint.errorMessage
            : `must be ${types.join(' or ')} (got ${shown(e.data)})`,
      };
    }
    case 'minLength':
      return {
        message:
          typeof hint.errorMessage === 'string'
            ? hint.errorMessage
            : `must be at least ${p.limit} characters (got ${String(e.data).length})`,
      };
    case 'maxLength':
      return { message: `must be at most ${p.limit} characters (got ${String(e.data).length})` };
    case 'minimum':
      return { message: `must be at least ${p.limit} (got ${shown(e.data)})` };
    case 'maximum':
      return { message: `must be at most ${p.limit} (got ${shown(e.data)})` };
    case 'exclusiveMinimum':
      return { message: `must be more than ${p.limit} (got ${shown(e.data)})` };
    case 'exclusiveMaximum':
      return { message: `must be less than ${p.limit} (got ${shown(e.data)})` };
    case 'minItems': {
      const what = e.instancePath === '' ? 'organisation' : 'item';
      return {
        message: `must list at least ${p.limit} ${what}${p.limit === 1 ? '' : 's'} (got ${Array.isArray(e.data) ? e.data.length : 0})`,
      };
    }
    case 'uniqueItems':
      return { message: `lists ${shown((e.data as unknown[])[p.j])} twice (items ${p.j} and ${p.i})` };
    case 'enum':
      return {
        message: `must be one of ${(p.allowedValues as unknown[]).map(shown).join(', ')} (got ${shown(e.data)})`,
      };
    case 'const':
      return { message: `must be ${shown(p.allowedValue)} (got ${shown(e.data)})` };
    case 'pattern':
      return {
        message: typeof hint.patternErrorMessage === 'string' ? hint.patternErrorMessage : `must match ${p.pattern}`,
      };
    case 'not':
      return { message: typeof hint.errorMessage === 'string' ? hint.errorMessage : 'is not allowed here' };
    default:
      return { message: e.message ?? `fails ${e.keyword}` };
  }
}

const decode = (seg: string) => seg.replace(/~1/g, '/').replace(/~0/g, '~');

/**
 * Where a problem is, in words: `organisation 0 ("acme") → templates[1] ("steps") → unit.one`.
 * Array items that have a string id are named by it.
 */
function placeOf(orgs: unknown, path: (string | number)[]): string {
  if (path.length === 0) return '';
  const [first, ...rest] = path;
  let node: unknown = Array.isArray(orgs) ? orgs[Number(first)] : undefined;
  const named = (v: unknown) => (isObject(v) && typeof v.id === 'string' && v.id ? ` (${JSON.stringify(v.id)})` : '');
  const parts = [`organisation ${first}${named(node)}`];
  let cur = '';
  for (const seg of rest) {
    if (Array.isArray(node)) {
      node = node[Number(seg)];
      cur += `[${seg}]`;
      const name = named(node);
      if (name) {
        parts.push(cur + name);
        cur = '';
      }
    } else {
      cur += cur ? `.${seg}` : String(seg);
      node = isObject(node) ? node[String(seg)] : undefined;
    }
  }
  if (cur) parts.push(cur);
  return parts.join(' → ');
}

type Problem = { path: (string | number)[]; message: string };

function schemaProblems(data: unknown): Problem[] {
  const validate = validator();
  if (validate(data)) return [];
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const e of validate.errors ?? []) {
    const said = explain(e);
    if (!said) continue;
    const path: (string | number)[] = e.instancePath.split('/').slice(1).map(decode);
    if (said.extra !== undefined) path.push(said.extra);
    else if (e.propertyName !== undefined) path.push(e.propertyName); // a bad key of a map (a language tag in i18n)
    const key = path.join('/');
    if (seen.has(key)) continue; // one problem per field: the first is the most basic (its type before its content)
    seen.add(key);
    out.push({ path, message: said.message });
  }
  return out;
}

/** What the schema cannot say: zones, unique ids and credentials, rewards that an award strategy pays, complete translations, demo secrets. */
function meaningProblems(orgs: OrgDoc[]): Problem[] {
  const out: Problem[] = [];
  const firstOwner = new Map<string, number>();
  /** Reports a value (a credential, an id) already used by an earlier organisation or item. */
  const once = (kind: string, value: string, i: number, path: (string | number)[], what: string) => {
    const k = `${kind}\0${value}`;
    const owner = firstOwner.get(k);
    if (owner === undefined) firstOwner.set(k, i);
    else
      out.push({
        path,
        message:
          owner === i
            ? `${what} is used twice in this organisation`
            : `${what} is also used by organisation ${owner}; it must be unique`,
      });
  };
  const demoSecret = 'is a demo value; generate a random one (e.g. openssl rand -base64 48)';
  orgs.forEach((o, i) => {
    if (o.id === 'demo')
      out.push({ path: [i, 'id'], message: '"demo" is reserved for the demo organisation; choose another id' });
    once('org', o.id, i, [i, 'id'], `the id ${JSON.stringify(o.id)}`);
    if (!isValidZone(o.timeZone))
      out.push({
        path: [i, 'timeZone'],
        message: `${shown(o.timeZone)} is not an IANA time zone (e.g. "Europe/Paris", "America/New_York", "UTC")`,
      });
    if (DEMO_SECRETS.has(o.widgetSecret)) out.push({ path: [i, 'widgetSecret'], message: demoSecret });
    if (o.till) {
      once('till', o.till.username, i, [i, 'till', 'username'], `the till ${JSON.stringify(o.till.username)}`);
      if (DEMO_SECRETS.has(o.till.passwordMd5))
        out.push({
          path: [i, 'till', 'passwordMd5'],
          message: 'is the md5 of the demo password; choose a real till password',
        });
    }
    o.oauthClients.forEach((c, k) => {
      once('oauth', c.key, i, [i, 'oauthClients', k, 'key'], `the OAuth key ${JSON.stringify(c.key)}`);
      if (DEMO_SECRETS.has(c.secret)) out.push({ path: [i, 'oauthClients', k, 'secret'], message: demoSecret });
    });
    o.webhookIds.forEach((w, k) => once('webhook', w, i, [i, 'webhookIds', k], `the webhook id ${JSON.stringify(w)}`));
    if (o.upstream?.oauth && DEMO_SECRETS.has(o.upstream.oauth.secret))
      out.push({ path: [i, 'upstream', 'oauth', 'secret'], message: demoSecret });
    if (o.upstream?.till && (o.upstream.till.password === 'demo.pass' || DEMO_SECRETS.has(o.upstream.till.password)))
      out.push({
        path: [i, 'upstream', 'till', 'password'],
        message: "is the demo till password; use the organisation's real one",
      });
    o.allowedOrigins.forEach((origin, k) => {
      const problem = originProblem(origin);
      if (problem) out.push({ path: [i, 'allowedOrigins', k], message: `${JSON.stringify(origin)} ${problem}` });
    });
    o.awardStrategies.forEach((s, k) =>
      once(`award:${i}`, String(s.id), i, [i, 'awardStrategies', k, 'id'], `the award strategy id ${s.id}`),
    );
    o.expiryStrategies.forEach((s, k) =>
      once(`expiry:${i}`, String(s.id), i, [i, 'expiryStrategies', k, 'id'], `the expiry strategy id ${s.id}`),
    );
    (o.rewards ?? []).forEach((r, k) => {
      once(`reward:${i}`, r.id, i, [i, 'rewards', k, 'id'], `the reward id ${JSON.stringify(r.id)}`);
      if (r.upstreamRewardId !== undefined)
        once(
          `upstreamReward:${i}`,
          String(r.upstreamRewardId),
          i,
          [i, 'rewards', k, 'upstreamRewardId'],
          `the upstream reward id ${r.upstreamRewardId}`,
        );
    });
    o.templates.forEach((tpl, k) => {
      const at = (...rest: string[]) => [i, 'templates', k, ...rest];
      once(`template:${i}`, tpl.id, i, at('id'), `the template id ${JSON.stringify(tpl.id)}`);
      for (const [name, r] of [
        ['target', tpl.target],
        ['length', tpl.length],
      ] as const) {
        if (r.min > r.max) out.push({ path: at(name), message: `min (${r.min}) is more than max (${r.max})` });
        else if (r.default < r.min || r.default > r.max)
          out.push({
            path: at(name, 'default'),
            message: `must be from min to max, ${r.min} to ${r.max} (got ${r.default})`,
          });
      }
      if (minQuantity(tpl) > tpl.maxQuantityPerLog)
        out.push({
          path: at(tpl.minQuantity === undefined ? 'maxQuantityPerLog' : 'minQuantity'),
          message: `no log could be accepted: the smallest quantity one log may carry (${minQuantity(tpl)}${tpl.minQuantity === undefined ? `, the default for ${tpl.aggregation}` : ''}) is more than maxQuantityPerLog (${tpl.maxQuantityPerLog})`,
        });
      const base = (o.defaultLanguage ?? 'en').toLowerCase();
      const tags = new Map<string, string>();
      for (const [tag, texts] of Object.entries(tpl.i18n ?? {})) {
        const lower = tag.toLowerCase();
        if (lower === base)
          out.push({
            path: at('i18n', tag),
            message: `is the organisation's defaultLanguage ("${o.defaultLanguage ?? 'en'}"): the template's own label, description and unit are in it; remove this entry or change defaultLanguage`,
          });
        else if (tags.has(lower))
          out.push({
            path: at('i18n', tag),
            message: `is the same language as "${tags.get(lower)}" (tags are not case-sensitive); keep one`,
          });
        tags.set(lower, tag);
        if (tpl.description !== '' && (texts.description ?? '') === '') {
          out.push({
            path: at('i18n', tag, 'description'),
            message: `is missing: the template has a description (${shown(tpl.description)}), so every translation needs one`,
          });
        }
      }
      const { pointsPerPeriod, maxPoints } = tpl.reward;
      if (
        !o.awardStrategies.some(
          (s) => s.kind === 'PER_PERIOD' && s.pointsPerPeriod === pointsPerPeriod && s.maxPoints === maxPoints,
        )
      ) {
        out.push({
          path: at('reward'),
          message: `no award strategy pays it: add {"kind": "PER_PERIOD", "pointsPerPeriod": ${pointsPerPeriod}, "maxPoints": ${maxPoints}, …} to awardStrategies`,
        });
      }
    });
  });
  return out;
}

/**
 * Offset of the first JSON syntax error in `s` (-1 when there is none). JSON.parse on Node 20 does
 * not give a position for every error ("Unexpected token"), so the file is scanned for it.
 */
function jsonErrorOffset(s: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = () => {
    while (i < s.length && ' \t\n\r'.includes(s[i])) i++;
  };
  const str = () => {
    i++;
    while (i < s.length) {
      const c = s[i];
      if (c === '"') {
        i++;
        return;
      }
      if (c < ' ') fail();
      if (c === '\\') {
        if (!/^\\(["\\/bfnrt]|u[0-9a-fA-F]{4})/.test(s.slice(i, i + 6))) fail();
        i += s[i + 1] === 'u' ? 6 : 2;
      } else i++;
    }
    fail();
  };
  const value = (): void => {
    ws();
    const open = s[i];
    if (open === '{' || open === '[') {
      const close = open === '{' ? '}' : ']';
      i++;
      ws();
      if (s[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (open === '{') {
          ws();
          if (s[i] !== '"') fail();
          str();
          ws();
          if (s[i] !== ':') fail();
          i++;
        }
        value();
        ws();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === close) {
          i++;
          return;
        }
        fail();
      }
    }
    if (open === '"') return str();
    const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(s.slice(i, i + 400));
    if (!m) fail();
    i += m![0].length;
  };
  try {
    value();
    ws();
    if (i < s.length) fail();
    return -1;
  } catch (at) {
    return typeof at === 'number' ? at : -1;
  }
}

/** A JSON syntax error in words, with its line and column, and a hint for trailing commas and comments. */
function jsonProblem(text: string, err: unknown): string {
  const message = (err instanceof Error ? err.message : String(err))
    .replace(/, ".*" is not valid JSON$/s, '')
    .replace(/ in JSON at position \d+.*$/s, '');
  const pos = jsonErrorOffset(text);
  if (pos < 0) return `is not valid JSON: ${message}`;
  const before = text.slice(0, pos);
  const line = before.split('\n').length,
    column = pos - before.lastIndexOf('\n');
  let hint = '';
  if (/,\s*$/.test(before) && /^\s*[\]}]/.test(text.slice(pos))) hint = ' (JSON allows no trailing comma)';
  else if (/^\/[/*]/.test(text.slice(pos))) hint = ' (JSON has no comments; use a "$comment" field)';
  return `is not valid JSON: line ${line}, column ${column}: ${message}${hint}`;
}

/** An event an organisation's templates log, declared in UCC_ORGS_FILE (`events`). */
export interface EventSpec {
  eventName: string;
  fields: string[];
}
/** An organisation as UCC_ORGS_FILE gives it: the OrgDoc, and the events to create at start-up. */
export type OrgFileEntry = OrgDoc & { events?: EventSpec[] };

/** The double fields of an event already in the database, by event name. */
export type DefinedEvents = Map<string, { fields: { name: string; type: string }[] }>;

/** Fewer different characters than this in a secret: typed, not generated. */
const MIN_DISTINCT = 10;
const weakSecret = (secret: string) => new Set(secret).size < MIN_DISTINCT;

/**
 * What production start-up checks beyond readOrgsFile, once the database is open: every template
 * names an event that is defined (in the file's `events` or already in the database) and, for SUM,
 * one of its double fields; secrets look generated (at least 10 different characters). Without
 * this, a template naming an undefined event answers 500 on every challenge create.
 * One line per problem (at most 5), naming the file, the organisation and the field.
 */
export function startupProblems(
  file: string,
  orgs: OrgFileEntry[],
  inDatabase: (orgId: string) => DefinedEvents,
): string[] {
  const out: Problem[] = [];
  const weak = `looks typed, not generated (fewer than ${MIN_DISTINCT} different characters); generate a random one (e.g. openssl rand -base64 48)`;
  orgs.forEach((o, i) => {
    if (weakSecret(o.widgetSecret)) out.push({ path: [i, 'widgetSecret'], message: weak });
    o.oauthClients.forEach((c, k) => {
      if (weakSecret(c.secret)) out.push({ path: [i, 'oauthClients', k, 'secret'], message: weak });
    });
    const stored = inDatabase(o.id);
    const declared = new Map<string, string[]>();
    (o.events ?? []).forEach((e, k) => {
      if (declared.has(e.eventName))
        out.push({ path: [i, 'events', k, 'eventName'], message: `${JSON.stringify(e.eventName)} is listed twice` });
      declared.set(e.eventName, e.fields);
      const db = stored.get(e.eventName);
      const missing = db ? e.fields.filter((f) => !db.fields.some((x) => x.name === f && x.type === 'double')) : [];
      if (missing.length) {
        out.push({
          path: [i, 'events', k, 'fields'],
          message: `the database already defines ${JSON.stringify(e.eventName)} without the double field${missing.length > 1 ? 's' : ''} ${missing.map((f) => JSON.stringify(f)).join(', ')}; an event cannot change once created: use a new event name`,
        });
      }
    });
    // Upstream, the events live on the brand's own organisation (declared there with the unique-key field: docs/upstream.md).
    if (o.upstream) return;
    o.templates.forEach((tpl, k) => {
      const db = stored.get(tpl.eventName);
      const fields = db ? db.fields.filter((f) => f.type === 'double').map((f) => f.name) : declared.get(tpl.eventName);
      if (!fields) {
        out.push({
          path: [i, 'templates', k, 'eventName'],
          message: `${JSON.stringify(tpl.eventName)} is not a defined event of this organisation: add {"eventName": ${JSON.stringify(tpl.eventName)}, "fields": [${tpl.field ? JSON.stringify(tpl.field) : ''}]} to its "events"`,
        });
      } else if (tpl.aggregation === 'SUM' && (!tpl.field || !fields.includes(tpl.field))) {
        out.push({
          path: [i, 'templates', k, 'field'],
          message: `${shown(tpl.field)} is not a double field of event ${JSON.stringify(tpl.eventName)} (its double fields: ${fields.length ? fields.map((f) => JSON.stringify(f)).join(', ') : 'none'})`,
        });
      }
    });
  });
  const lines = out.slice(0, MAX_PROBLEMS).map(({ path, message }) => `${file}: ${placeOf(orgs, path)}: ${message}`);
  if (out.length > MAX_PROBLEMS)
    lines.push(`${file}: … and ${out.length - MAX_PROBLEMS} more problem${out.length - MAX_PROBLEMS === 1 ? '' : 's'}`);
  return lines;
}

/**
 * Organisations for production, from UCC_ORGS_FILE (a JSON array of OrgDoc). Validates it against
 * server/orgs.schema.json and checks what a schema cannot (see meaningProblems); refuses demo
 * secrets. Throws an Error with one line per problem (at most 5), each naming the file and the field.
 */
export function readOrgsFile(file: string): OrgFileEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a folder'
            : (err as Error).message;
    throw new Error(`${file}: cannot read the organisations file (UCC_ORGS_FILE): ${why}.`, { cause: err });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: ${jsonProblem(text, err)}.`, { cause: err });
  }
  if (!Array.isArray(data))
    throw new Error(
      `${file}: must hold a JSON array of organisations, [ {…}, … ] (got ${shown(data)}). ${FORMAT_HINT}`,
    );
  let problems = schemaProblems(data);
  if (problems.length === 0) problems = meaningProblems(data as OrgDoc[]);
  if (problems.length > 0) {
    const lines = problems
      .slice(0, MAX_PROBLEMS)
      .map(({ path, message }) => `${file}: ${path.length ? `${placeOf(data, path)}: ` : ''}${message}`);
    if (problems.length > MAX_PROBLEMS)
      lines.push(
        `${file}: … and ${problems.length - MAX_PROBLEMS} more problem${problems.length - MAX_PROBLEMS === 1 ? '' : 's'}`,
      );
    lines.push(FORMAT_HINT);
    throw new Error(lines.join('\n'));
  }
  // "$comment" fields are for people reading the file, not part of an organisation.
  return (data as (OrgFileEntry & { $comment?: string })[]).map(({ $comment: _, ...org }) => ({
    ...org,
    templates: org.templates.map(
      ({ $comment: __, ...tpl }: (typeof org.templates)[number] & { $comment?: string }) => tpl,
    ),
  }));
}
