/**
 * Two server processes on one PostgreSQL database, as an operator runs them behind a load balancer
 * (UCC_DB=postgres://…): both started at once on a fresh database, 20 clients of 10 customers spread
 * over both, the same log sent to both at once, a log through one and the progress read through
 * the other, and one instance SIGKILLed while logs are in flight to it. Counted through the widget
 * API and checked in the database with SQL. Skipped, saying why, when no PostgreSQL answers at
 * UCC_TEST_PG (default postgres://postgres@127.0.0.1:5432/postgres).
 *
 * Each customer has three 3-day challenges (two on steps, one on meditation) created with the demo
 * clock two days back, so that with the real clock every period is open to logs (today, and
 * yesterday and the day before within the 48-hour backfill window) and every challenge completes
 * during the load: 30 completions, one 30-point reward each.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startServer, widgetToken } from './helpers.js';

const ADMIN_URL = process.env.UCC_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DAY = 86_400_000;
const SEEDED = ['alice', 'bob', 'carol'];
const CUSTOMERS = 10; // the three seeded demo customers and seven registered by their first token
const CLIENTS = 20; // two per customer, each with its own token
const LOGS_PER_CUSTOMER = 200; // 2,000 logs, each with its own Idempotency-Key
const STEADY = 160; // j < 160: the steady load over both instances
const CROSS = 160; // j = 160: logged through one instance, read through the other
const RACED = 10; // j = 200…209: fresh keys, each sent to both instances at once
const REPLAYED = 10; // per customer: acknowledged keys sent again to both instances at once
const KILL_AFTER = 100; // logs of the kill phase acknowledged before instance A is SIGKILLed
const POINTS = 30; // min(10 points a period × 3 periods, 200) for every template used here

type TemplateId = 'steps' | 'meditation';
const CHALLENGES: { templateId: TemplateId; target: number }[] = [
  { templateId: 'steps', target: 1000 },
  { templateId: 'steps', target: 1500 },
  { templateId: 'meditation', target: 5 },
];

interface Instance {
  name: 'A' | 'B';
  url: string;
  server: ReturnType<typeof startServer>;
  alive: boolean;
}
interface Customer {
  externalId: string;
  tokens: string[];
  id: number;
  challenges: { id: string; templateId: TemplateId; target: number }[];
}
interface Spec {
  c: number;
  j: number;
  key: string;
  templateId: TemplateId;
  period: 0 | 1 | 2;
  quantity: number;
  body: string;
}
interface Answer {
  at: 'A' | 'B';
  status: number;
  ms: number;
  text: string;
  json: any;
  error?: string;
}
interface Acked {
  spec: Spec;
  answer: Answer;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
const iso = (ms: number) => new Date(ms).toISOString();

let skipReason: string | null = null;
let admin: pg.Client | null = null;
/** The test's own connection to the run's database (a Client: its end() waits for the connection to close, before the DROP). */
let db: pg.Client | null = null;
let dbName = '';
let dbUrl = '';
/** Midnight (UTC, the demo organisation's zone) two days before the run's day: the challenges' first period. */
let day0 = 0;
const instances: Instance[] = [];
const customers: Customer[] = [];
/** The first 201 answer of every key, whichever instance gave it (a retry's answer when the first attempt died with A). */
const acked = new Map<string, Acked>();
/** Every answer that was not 201, with the log it answered. */
const refused: { spec: Spec; answer: Answer; phase: string }[] = [];

const A = () => instances[0];
const B = () => instances[1];

/** A URL without its password, for messages. */
function safeUrl(url: string) {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

async function call(
  inst: Instance,
  method: 'GET' | 'POST',
  path: string,
  o: { token?: string; key?: string; body?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.key) headers['idempotency-key'] = o.key;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const t0 = performance.now();
  try {
    const res = await fetch(`${inst.url}${path}`, {
      method,
      headers,
      body: o.body,
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { at: inst.name, status: res.status, ms: performance.now() - t0, text, json };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const error = e.cause?.code ?? e.cause?.message ?? e.message;
    return { at: inst.name, status: 0, ms: performance.now() - t0, text: '', json: null, error };
  }
}

const postLog = (inst: Instance, s: Spec, token: string) =>
  call(inst, 'POST', '/ucc/v1/me/activities', { token, key: s.key, body: s.body });

/** The log number `j` of customer `c`: its key, its activity, the period it falls in and its quantity. */
function spec(c: number, j: number): Spec {
  const templateId: TemplateId = j % 2 === 0 ? 'steps' : 'meditation';
  const period = (Math.floor(j / 2) % 3) as 0 | 1 | 2;
  // Steps: 50–110 a log, so each of the ~33 logs of a period sums past the 1,500 target; meditation: 1–10 minutes.
  const quantity = templateId === 'steps' ? 50 + ((j * 37) % 61) : 1 + (j % 10);
  const body: Record<string, unknown> = {};
  if (j % 4 < 2) body.templateId = templateId;
  else {
    const mine = customers[c].challenges.filter((ch) => ch.templateId === templateId);
    body.challengeId = mine[(j >> 2) % mine.length].id;
  }
  body.quantity = quantity;
  // Period 0: late on the first day (within the backfill window); period 1: noon of the second; period 2: now.
  if (period === 0) body.occurredAt = iso(day0 + DAY - 5_000 - j);
  if (period === 1) body.occurredAt = iso(day0 + DAY + DAY / 2 + j);
  return { c, j, key: `log-${c}-${j}`, templateId, period, quantity, body: JSON.stringify(body) };
}

/** Records an answer: the first 201 of a key is its acknowledgement; anything else is kept as refused. */
function record(s: Spec, answer: Answer, phase: string) {
  if (answer.status === 201) {
    if (!acked.has(s.key)) acked.set(s.key, { spec: s, answer });
  } else refused.push({ spec: s, answer, phase });
}

/** "A 500 INTERNAL ×3" lines: what went wrong, counted. */
function summary(list: { answer: Answer }[]) {
  const counts = new Map<string, number>();
  for (const { answer: a } of list) {
    const what = `${a.at} ${a.status} ${a.json?.error?.code ?? a.error ?? a.text.slice(0, 80)}`;
    counts.set(what, (counts.get(what) ?? 0) + 1);
  }
  return [...counts].map(([what, n]) => `${what} ×${n}`);
}

/** The per-period sums each challenge of customer `c` must show: every acknowledged log of its activity. */
function expectedValues(c: number, templateId: TemplateId) {
  const v = [0, 0, 0];
  for (const { spec: s } of acked.values()) if (s.c === c && s.templateId === templateId) v[s.period] += s.quantity;
  return v.map(round6);
}
const ackedOf = (c: number) => [...acked.values()].filter((a) => a.spec.c === c);

/** "p50 12 ms, p95 40 ms, max 90 ms" of some answers. */
function latency(list: Answer[]) {
  const ms = list.map((a) => a.ms).sort((x, y) => x - y);
  const at = (q: number) => Math.round(ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? 0);
  return `p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms`;
}

/** JSON paths at which two values differ (array indices as []), at most `max`. */
function differences(a: unknown, b: unknown, path = '', out: Set<string> = new Set(), max = 8): Set<string> {
  if (out.size >= max) return out;
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || a === null || b === null) {
    if (a !== b) out.add(path || '(root)');
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.add(`${path}.length`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) differences(a[i], b[i], `${path}[]`, out, max);
    return out;
  }
  if (typeof a === 'object') {
    const ka = Object.keys(a as object),
      kb = Object.keys(b as object);
    if (ka.join() !== kb.join()) out.add(`${path} keys`);
    for (const k of ka) if (k in (b as object)) differences((a as any)[k], (b as any)[k], `${path}.${k}`, out, max);
    return out;
  }
  if (a !== b) out.add(path);
  return out;
}

/** Lines the servers logged at error level (pino level 50+), for the evidence of a failure. */
function serverErrors() {
  const out: string[] = [];
  for (const inst of instances) {
    for (const line of (inst.server.stdout() + inst.server.stderr()).split('\n')) {
      if (/"level":(5|6)\d/.test(line) || /cannot start|Error:/.test(line))
        out.push(`${inst.name}: ${line.slice(0, 400)}`);
    }
  }
  return out;
}

function needInstances() {
  assert.equal(instances.length, 2, 'the instances of the first test are running');
  assert.equal(customers.length, CUSTOMERS, 'the customers and challenges of the second test exist');
}

/** Every customer's challenges as one instance reads them, checked against what was acknowledged. */
async function checkProgress(inst: Instance, label: string) {
  for (const [c, cust] of customers.entries()) {
    const r = await call(inst, 'GET', '/ucc/v1/me/challenges', { token: cust.tokens[0] });
    assert.equal(r.status, 200, `${label}: ${inst.name} GET /me/challenges for ${cust.externalId}: ${r.text}`);
    for (const ch of cust.challenges) {
      const got = r.json.challenges.find((x: { id: string }) => x.id === ch.id);
      assert.ok(got, `${label}: ${inst.name} lists challenge ${ch.id} of ${cust.externalId}`);
      assert.deepEqual(
        got.periods.map((p: { value: number }) => p.value),
        expectedValues(c, ch.templateId),
        `${label}: ${inst.name} shows the acknowledged sums per period of ${cust.externalId}'s ${ch.templateId} challenge (target ${ch.target})`,
      );
    }
  }
}

/** Every customer's activity history as one instance reads it: exactly the acknowledged logs, once each. */
async function checkHistory(inst: Instance, label: string) {
  for (const [c, cust] of customers.entries()) {
    const r = await call(inst, 'GET', '/ucc/v1/me/activities?limit=500', { token: cust.tokens[0] });
    assert.equal(r.status, 200, `${label}: ${inst.name} GET /me/activities for ${cust.externalId}: ${r.text}`);
    const list: { id: string; quantity: number }[] = r.json.activities;
    assert.ok(list.length < 500, 'the whole history fits one page');
    const ids = new Set(list.map((a) => a.id));
    assert.equal(ids.size, list.length, `${label}: no activity listed twice for ${cust.externalId}`);
    const mine = ackedOf(c);
    assert.equal(
      list.length,
      mine.length,
      `${label}: ${inst.name} lists ${list.length} activities of ${cust.externalId}, ${mine.length} were acknowledged`,
    );
    const byId = new Map(list.map((a) => [a.id, a]));
    for (const a of mine) {
      const got = byId.get(a.answer.json.activity.id);
      assert.ok(got, `${label}: acknowledged log ${a.spec.key} (activity ${a.answer.json.activity.id}) is listed`);
      assert.equal(got.quantity, a.spec.quantity, `${label}: quantity of ${a.spec.key}`);
    }
  }
}

before(async () => {
  const probe = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await probe.connect();
    await probe.query('SELECT 1');
  } catch (err) {
    skipReason = `no PostgreSQL reachable at ${safeUrl(ADMIN_URL)} (set UCC_TEST_PG to a postgres:// URL of a server where the user may CREATE DATABASE): ${(err as Error).message}`;
    console.log(`# multi-instance: skipped: ${skipReason}`);
    await probe.end().catch(() => undefined);
    return;
  }
  admin = probe;
  dbName = `ucc_mi_${process.pid}_${Date.now()}`;
  await admin.query(`CREATE DATABASE ${dbName}`);
  const u = new URL(ADMIN_URL);
  u.pathname = `/${dbName}`;
  dbUrl = u.toString();
  db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
});

const killAll = () => {
  for (const inst of instances) if (inst.server.child.exitCode === null) inst.server.child.kill('SIGKILL');
};
process.once('exit', killAll); // even if the hooks never run

after(async () => {
  killAll();
  await Promise.all(instances.map((i) => Promise.race([i.server.exited, sleep(5000)])));
  await db?.end().catch(() => undefined);
  if (admin) {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch((err) => {
      console.log(`# multi-instance: could not drop database ${dbName}: ${err.message}`);
    });
    await admin.end().catch(() => undefined);
  }
});

test('two instances started at once on one fresh PostgreSQL database both migrate it, come up and answer /healthz', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const env = {
    UCC_DB: dbUrl,
    HOST: '127.0.0.1',
    UCC_RATE_CUSTOMER_PER_MIN: '1000000',
    UCC_RATE_IP_PER_MIN: '1000000',
    UCC_RATE_DEMO_SESSION_PER_MIN: '1000',
  };
  const servers = [startServer(env), startServer(env)];
  instances.push(...servers.map((server, i) => ({ name: (['A', 'B'] as const)[i], url: '', server, alive: true })));
  const urls = await Promise.allSettled(servers.map((s) => s.ready));
  for (const [i, u] of urls.entries()) {
    assert.equal(
      u.status,
      'fulfilled',
      `instance ${instances[i].name} started: ${u.status === 'rejected' ? String(u.reason).slice(0, 2000) : ''}`,
    );
    instances[i].url = (u as PromiseFulfilledResult<string>).value;
  }
  assert.notEqual(instances[0].url, instances[1].url);
  for (const inst of instances) {
    const h = await call(inst, 'GET', '/healthz');
    assert.equal(h.status, 200, `${inst.name} /healthz: ${h.text}`);
    assert.deepEqual(h.json, { status: 'ok' });
  }
  // One demo organisation, seeded once though both processes seeded at start-up.
  const orgs = await db!.query(`SELECT id FROM orgs ORDER BY id`);
  assert.deepEqual(
    orgs.rows.map((r) => r.id),
    ['demo', 'noucc'],
  );
  const seeded = await db!.query(`SELECT external_id, count(*)::int AS n FROM customers GROUP BY external_id`);
  assert.deepEqual(
    seeded.rows.map((r) => [r.external_id, r.n]).sort(),
    SEEDED.map((x) => [x, 1]),
    'the seeded customers exist once each',
  );
});

test('customers registered and challenges created through either instance exist once, even when a new customer’s first requests reach both at once', async (t) => {
  if (skipReason) return t.skip(skipReason);
  assert.equal(instances.length, 2, 'the instances of the first test are running');
  // The load logs into "the day before yesterday" (within the 48 h backfill window) to "now": it must not cross midnight.
  const tod = Date.now() % DAY;
  if (tod > DAY - 4 * 60_000) {
    t.diagnostic(`waiting ${Math.round((DAY - tod) / 1000) + 10} s for midnight UTC, so that the run stays in one day`);
    await sleep(DAY - tod + 10_000);
  }
  day0 = Date.now() - (Date.now() % DAY) - 2 * DAY;

  const now = Math.floor(Date.now() / 1000);
  for (let c = 0; c < CUSTOMERS; c++) {
    const externalId = c < SEEDED.length ? SEEDED[c] : `multi-${c}`;
    let tokens: string[];
    if (c < SEEDED.length) {
      // The demo page's way: a session from the demo route, one through each instance.
      tokens = [];
      for (const inst of instances) {
        const r = await call(inst, 'POST', '/demo/session', { body: JSON.stringify({ customer: externalId }) });
        assert.equal(r.status, 200, `${inst.name} POST /demo/session ${externalId}: ${r.text}`);
        tokens.push(r.json.token);
      }
    } else {
      // A brand's server signs; the customer is registered by the first request. Two tokens (two tabs).
      tokens = [await widgetToken(externalId, { iat: now }), await widgetToken(externalId, { iat: now - 7 })];
      const [a, b] = await Promise.all(
        instances.map((inst, i) => call(inst, 'GET', '/ucc/v1/me', { token: tokens[i] })),
      );
      assert.deepEqual(
        [a.status, b.status],
        [200, 200],
        `first requests of new customer ${externalId} to both instances at once: A ${a.text} / B ${b.text}`,
      );
      assert.equal(a.json.id, externalId);
      assert.deepEqual(a.json, b.json);
    }
    customers.push({ externalId, tokens, id: 0, challenges: [] });
  }
  const rows = await db!.query(
    `SELECT external_id, min(id)::int AS id, count(*)::int AS n FROM customers WHERE org_id = 'demo' GROUP BY external_id`,
  );
  const byExt = new Map(rows.rows.map((r) => [r.external_id as string, r]));
  for (const cust of customers) {
    assert.equal(byExt.get(cust.externalId)?.n, 1, `customer ${cust.externalId} is stored once`);
    cust.id = byExt.get(cust.externalId)!.id;
  }

  // The demo clock two days back, set once through A as an operator would: B must follow (the store's broadcast).
  const moved = await call(A(), 'POST', '/demo/clock', { body: JSON.stringify({ advanceDays: -2 }) });
  assert.equal(moved.status, 200, `A POST /demo/clock: ${moved.text}`);
  assert.equal(moved.json.offsetDays, -2);
  const create = async (inst: Instance, c: number, k: number) => {
    const cust = customers[c],
      def = CHALLENGES[k];
    const r = await call(inst, 'POST', '/ucc/v1/me/challenges', {
      token: cust.tokens[k % 2],
      key: `create-${c}-${k}`,
      body: JSON.stringify({ templateId: def.templateId, target: def.target, period: 'DAILY', periods: 3 }),
    });
    assert.equal(r.status, 201, `${inst.name} POST /me/challenges for ${cust.externalId}: ${r.text}`);
    assert.equal(r.json.challenge.startsAt, iso(day0), `${inst.name}: the challenge starts the day before yesterday`);
    cust.challenges.push({ id: r.json.challenge.id, ...def });
  };
  /** Waits until `inst` reads customer 0's first challenge in period `index` (its clock followed A's). */
  const follows = async (inst: Instance, index: number, what: string) => {
    let seen: unknown;
    for (const t0 = Date.now(); Date.now() - t0 < 5000; await sleep(50)) {
      const r = await call(inst, 'GET', `/ucc/v1/me/challenges/${customers[0].challenges[0].id}`, {
        token: customers[0].tokens[0],
      });
      seen = r.json?.challenge?.currentPeriod ?? r.text;
      if (seen === index) return;
    }
    assert.fail(`${inst.name} did not follow ${what} within 5 s (it reads current period ${seen}, not ${index})`);
  };
  try {
    await create(A(), 0, 0);
    await follows(B(), 0, 'the demo clock moved two days back through A');
    await Promise.all(
      customers.map(async (_, c) => {
        for (let k = c === 0 ? 1 : 0; k < CHALLENGES.length; k++) await create(instances[(c + k) % 2], c, k);
      }),
    );
  } finally {
    const reset = await call(A(), 'POST', '/demo/clock', { body: JSON.stringify({ reset: true }) });
    assert.equal(reset.status, 200, `A clock reset: ${reset.text}`);
    assert.equal(reset.json.offsetDays, 0);
  }
  await follows(B(), 2, 'the demo clock reset through A');
  await follows(A(), 2, 'its own clock reset');
  const stored = await db!.query(`SELECT count(*)::int AS n, count(DISTINCT enrolment_id)::int AS e FROM challenges`);
  assert.deepEqual(stored.rows[0], { n: CUSTOMERS * CHALLENGES.length, e: CUSTOMERS * CHALLENGES.length });
  // The widgets' first progress read on both instances (a page load): a process that cached it would show it stale.
  for (const inst of instances)
    for (const cust of customers)
      assert.equal((await call(inst, 'GET', '/ucc/v1/me/challenges', { token: cust.tokens[0] })).status, 200);
});

test('2,000 logs from 20 clients spread over both instances: 1,600 of them in a steady load are each acknowledged and stored once, and both instances show the exact sums', async (t) => {
  if (skipReason) return t.skip(skipReason);
  needInstances();
  const queues = customers.map((_, c) => range(0, STEADY).map((j) => spec(c, j)));
  let turn = 0;
  const started = performance.now();
  await Promise.all(
    range(0, CLIENTS).map(async (w) => {
      const c = w % CUSTOMERS,
        token = customers[c].tokens[Math.floor(w / CUSTOMERS)];
      for (let s = queues[c].shift(); s; s = queues[c].shift()) {
        const inst = instances[turn++ % 2];
        record(s, await postLog(inst, s, token), 'steady');
      }
    }),
  );
  const ms = performance.now() - started;
  const steady = [...acked.values()].filter((a) => a.spec.j < STEADY);
  t.diagnostic(
    `steady load: ${steady.length} of ${CUSTOMERS * STEADY} logs acknowledged in ${Math.round(ms)} ms (A ${steady.filter((a) => a.answer.at === 'A').length}, B ${steady.filter((a) => a.answer.at === 'B').length}); ` +
      `latency A ${latency(steady.filter((a) => a.answer.at === 'A').map((a) => a.answer))}, B ${latency(steady.filter((a) => a.answer.at === 'B').map((a) => a.answer))}`,
  );
  const errors = serverErrors();
  if (errors.length) t.diagnostic(`server errors:\n${errors.slice(0, 10).join('\n')}`);
  assert.deepEqual(
    summary(refused.filter((r) => r.phase === 'steady')),
    [],
    'every log of the steady load answered 201',
  );
  const ids = new Set(steady.map((a) => a.answer.json.activity.id));
  assert.equal(ids.size, steady.length, 'every key got its own activity');
  await checkHistory(A(), 'after the steady load');
  await checkHistory(B(), 'after the steady load');
  await checkProgress(A(), 'after the steady load');
  await checkProgress(B(), 'after the steady load');
});

test('the same key and body sent to both instances at once logs once, and both answer the same status and activity', async (t) => {
  if (skipReason) return t.skip(skipReason);
  needInstances();
  interface Pair {
    kind: 'fresh' | 'replay';
    spec: Spec;
    a: Answer;
    b: Answer;
  }
  const pairs: Pair[] = [];
  // Per customer one pair at a time (nothing else of that customer changes between the two answers); customers in parallel.
  await Promise.all(
    customers.map(async (cust, c) => {
      const both = async (kind: Pair['kind'], s: Spec) => {
        const [a, b] = await Promise.all([postLog(A(), s, cust.tokens[0]), postLog(B(), s, cust.tokens[1])]);
        pairs.push({ kind, spec: s, a, b });
        record(s, a, `both-${kind}`);
        record(s, b, `both-${kind}`);
      };
      for (let i = 0; i < RACED; i++) await both('fresh', spec(c, LOGS_PER_CUSTOMER + i));
      for (let i = 0; i < REPLAYED; i++) await both('replay', spec(c, 7 + 16 * i));
    }),
  );
  const sameBytes = pairs.filter((p) => p.a.status === 201 && p.a.text === p.b.text);
  const diffs = new Map<string, number>();
  for (const p of pairs) {
    if (p.a.status !== 201 || p.b.status !== 201 || p.a.text === p.b.text) continue;
    const d = [...differences(p.a.json, p.b.json)].join(', ') || 'same JSON, different bytes';
    diffs.set(`${p.kind}: ${d}`, (diffs.get(`${p.kind}: ${d}`) ?? 0) + 1);
  }
  t.diagnostic(
    `${pairs.length} pairs (${pairs.filter((p) => p.kind === 'fresh').length} fresh keys, ${pairs.filter((p) => p.kind === 'replay').length} replays): ` +
      `${sameBytes.length} with byte-identical answers` +
      (diffs.size ? `; bodies differ at: ${[...diffs].map(([d, n]) => `[${d}] ×${n}`).join('; ')}` : ''),
  );
  const errors = serverErrors();
  if (errors.length) t.diagnostic(`server errors:\n${errors.slice(0, 10).join('\n')}`);

  const statuses = pairs.filter((p) => p.a.status !== 201 || p.b.status !== 201);
  assert.deepEqual(
    statuses.map(
      (p) =>
        `${p.kind} ${p.spec.key}: A ${p.a.status} ${p.a.text.slice(0, 120)} / B ${p.b.status} ${p.b.text.slice(0, 120)}`,
    ),
    [],
    'both instances answered 201 to every pair',
  );
  for (const p of pairs) {
    assert.equal(p.a.json.activity.id, p.b.json.activity.id, `${p.kind} ${p.spec.key}: the same activity from A and B`);
    assert.deepEqual(p.a.json.activity, p.b.json.activity, `${p.kind} ${p.spec.key}: the same activity record`);
    assert.deepEqual(p.a.json.rewards, p.b.json.rewards, `${p.kind} ${p.spec.key}: the same rewards`);
    assert.deepEqual(
      p.a.json.challenges.map((x: { id: string }) => x.id),
      p.b.json.challenges.map((x: { id: string }) => x.id),
      `${p.kind} ${p.spec.key}: the same challenges touched, in the same order (A then B)`,
    );
    // Nothing of this customer changed between the two answers: both are the same bytes (on PostgreSQL a replay is
    // rebuilt from the rows on either instance, with the original activity and rewards and the current progress).
    assert.equal(p.a.text, p.b.text, `${p.kind} ${p.spec.key}: the same answer from A and B`);
    if (p.kind === 'replay') {
      const first = acked.get(p.spec.key)!.answer.json;
      assert.deepEqual(p.a.json.activity, first.activity, `replay ${p.spec.key}: the original activity`);
      assert.deepEqual(p.a.json.rewards, first.rewards, `replay ${p.spec.key}: the original rewards`);
    } else {
      // Nothing of this customer changed between the two answers: the rebuilt answer is the original one.
      assert.deepEqual(p.a.json, p.b.json, `fresh ${p.spec.key}: the same answer from A and B`);
    }
  }
  await checkHistory(A(), 'after the pairs');
  await checkHistory(B(), 'after the pairs');
  const keys = pairs.map((p) => `w:${customers[p.spec.c].id}:${p.spec.key}`);
  const events = await db!.query(
    `SELECT external_event_id, count(*)::int AS n FROM events WHERE org_id = 'demo' AND external_event_id = ANY($1) GROUP BY external_event_id`,
    [keys],
  );
  assert.equal(events.rows.length, pairs.length, 'every key of a pair has its event');
  assert.deepEqual(
    events.rows.filter((r) => r.n !== 1),
    [],
    'no key of a pair has two events',
  );
});

test('a log taken by one instance shows at once in the other instance’s progress read and history', async (t) => {
  if (skipReason) return t.skip(skipReason);
  needInstances();
  for (const [c, cust] of customers.entries()) {
    const reader = instances[c % 2],
      writer = instances[(c + 1) % 2];
    const before = await call(reader, 'GET', '/ucc/v1/me/challenges', { token: cust.tokens[0] });
    assert.equal(before.status, 200);
    const s = spec(c, CROSS);
    const r = await postLog(writer, s, cust.tokens[1]);
    record(s, r, 'cross');
    assert.equal(r.status, 201, `${writer.name} logs ${s.key}: ${r.text}`);
  }
  for (const inst of instances) {
    await checkProgress(inst, 'after a log through the other instance');
    await checkHistory(inst, 'after a log through the other instance');
  }
});

test('SIGKILL of one instance while logs are in flight to it: every acknowledged log is stored once, retries on the survivor count once, and the sums stay exact', async (t) => {
  if (skipReason) return t.skip(skipReason);
  needInstances();
  const queues = customers.map((_, c) => range(CROSS + 1, LOGS_PER_CUSTOMER).map((j) => spec(c, j)));
  let turn = 0,
    done = 0,
    inflightA = 0,
    inflightAtKill = -1,
    killedAt = 0;
  const retried: { spec: Spec; failed: Answer; answer: Answer }[] = [];
  const kill = () => {
    inflightAtKill = inflightA;
    killedAt = Date.now();
    A().alive = false;
    A().server.child.kill('SIGKILL');
  };
  await Promise.all(
    range(0, CLIENTS).map(async (w) => {
      const c = w % CUSTOMERS,
        token = customers[c].tokens[Math.floor(w / CUSTOMERS)];
      for (let s = queues[c].shift(); s; s = queues[c].shift()) {
        let inst = A().alive ? instances[turn++ % 2] : B();
        if (inst === A()) inflightA++;
        let answer = await postLog(inst, s, token);
        if (inst === A()) inflightA--;
        if (answer.status === 0 && inst === A() && !A().alive) {
          // The widget's queue sends it again, same key and body; the load balancer routes it to the survivor.
          const failed = answer;
          inst = B();
          answer = await postLog(inst, s, token);
          retried.push({ spec: s, failed, answer });
        }
        record(s, answer, 'kill');
        if (answer.status === 201 && ++done === KILL_AFTER) kill();
      }
    }),
  );
  const exit = await Promise.race([A().server.exited, sleep(5000).then(() => 'still running')]);
  assert.notEqual(exit, 'still running', 'instance A is gone');
  const killPhase = [...acked.values()].filter((a) => a.spec.j > CROSS && a.spec.j < LOGS_PER_CUSTOMER);
  const byA = killPhase.filter((a) => a.answer.at === 'A');
  // A retried log found already stored (A committed it, its answer was lost) carries an activity created before the kill.
  const storedByA = retried.filter(
    (r) => r.answer.status === 201 && Date.parse(r.answer.json.activity.createdAt) < killedAt,
  );
  t.diagnostic(
    `kill phase: ${killPhase.length} of ${CUSTOMERS * (LOGS_PER_CUSTOMER - CROSS - 1)} acknowledged (A ${byA.length} before it was killed, B ${killPhase.length - byA.length}); ` +
      `${inflightAtKill} requests in flight to A at the SIGKILL; ${retried.length} retried on B, of which ${storedByA.length} A had already stored`,
  );
  const errors = serverErrors();
  if (errors.length) t.diagnostic(`server errors:\n${errors.slice(0, 10).join('\n')}`);
  assert.ok(inflightAtKill > 0, 'logs were in flight to A when it was killed');
  assert.ok(retried.length > 0, 'some logs died with A and were sent again');
  assert.deepEqual(
    retried.filter((r) => !r.failed.error),
    [],
    'the logs that died with A failed as connections do, without an answer',
  );
  assert.deepEqual(
    summary(refused.filter((r) => r.phase === 'kill')),
    [],
    'every log of the kill phase answered 201 in the end',
  );
  assert.equal(acked.size, CUSTOMERS * (LOGS_PER_CUSTOMER + RACED), 'every key was acknowledged');

  // Every acknowledged log, whichever instance acknowledged it, is in the database, once.
  const expected = [...acked.values()].map((a) => `w:${customers[a.spec.c].id}:${a.spec.key}`);
  const events = await db!.query(
    `SELECT e.external_event_id, count(*)::int AS n, min(a.id)::text AS activity, count(a.id)::int AS activities
       FROM events e LEFT JOIN activities a ON a.event_id = e.id
      WHERE e.org_id = 'demo' AND e.external_event_id LIKE 'w:%' GROUP BY e.external_event_id`,
  );
  const byKey = new Map(events.rows.map((r) => [r.external_event_id as string, r]));
  assert.deepEqual(
    expected.filter((k) => !byKey.has(k)),
    [],
    'no acknowledged log is missing from the database',
  );
  assert.deepEqual(
    events.rows.filter((r) => r.n !== 1 || r.activities !== 1),
    [],
    'each key has one event and one activity',
  );
  assert.equal(events.rows.length, expected.length, 'nothing but the acknowledged logs was stored');
  for (const a of acked.values())
    assert.equal(
      String(byKey.get(`w:${customers[a.spec.c].id}:${a.spec.key}`)!.activity),
      a.answer.json.activity.id,
      `${a.spec.key}: the acknowledged activity id is the stored one`,
    );
  const totals = await db!.query(`SELECT count(*)::int AS n FROM activities`);
  assert.equal(totals.rows[0].n, acked.size, 'one activity per acknowledged key');
  await checkHistory(B(), 'after the SIGKILL');
  await checkProgress(B(), 'after the SIGKILL');
  const progress = await db!.query(
    `SELECT c.id::text AS challenge, p.period_idx::int AS idx, p.value::float AS value
       FROM challenges c JOIN progress p ON p.enrolment_id = c.enrolment_id`,
  );
  for (const [c, cust] of customers.entries())
    for (const ch of cust.challenges)
      assert.deepEqual(
        progress.rows
          .filter((r) => r.challenge === ch.id)
          .sort((x, y) => x.idx - y.idx)
          .map((r) => round6(r.value)),
        expectedValues(c, ch.templateId),
        `stored progress of challenge ${ch.id}`,
      );
});

test('every challenge completed once and paid exactly one reward, whichever instance took the completing log', async (t) => {
  if (skipReason) return t.skip(skipReason);
  needInstances();
  const survivor = B();
  // The answers: exactly one log per challenge carried its reward.
  const rewards = [...acked.values()].flatMap(
    (a) => a.answer.json.rewards as { challengeId: string; ledgerEntryId: string; points: number }[],
  );
  const completedBy = new Map<string, string[]>();
  for (const r of rewards) completedBy.set(r.challengeId, [...(completedBy.get(r.challengeId) ?? []), r.ledgerEntryId]);
  for (const [c, cust] of customers.entries()) {
    const list = await call(survivor, 'GET', '/ucc/v1/me/challenges', { token: cust.tokens[0] });
    assert.equal(list.status, 200);
    for (const ch of cust.challenges) {
      const got = list.json.challenges.find((x: { id: string }) => x.id === ch.id);
      assert.deepEqual(
        got.periods.map((p: { value: number }) => p.value),
        expectedValues(c, ch.templateId),
      );
      assert.equal(
        got.status,
        'completed',
        `challenge ${ch.id} of ${cust.externalId} (${ch.templateId}, target ${ch.target}) is completed`,
      );
      assert.deepEqual(got.reward, { points: POINTS, earned: POINTS }, `challenge ${ch.id}: reward earned once`);
      assert.equal(completedBy.get(ch.id)?.length, 1, `exactly one log answer carried challenge ${ch.id}'s reward`);
    }
    const points = await call(survivor, 'GET', '/ucc/v1/me/points?limit=100', { token: cust.tokens[0] });
    assert.equal(points.status, 200);
    const entries: { id: string; type: string; points: number; challengeId: string }[] = points.json.entries;
    assert.equal(points.json.balance, POINTS * CHALLENGES.length, `${cust.externalId}'s balance`);
    assert.deepEqual(
      entries.map((e) => [e.type, e.points, e.challengeId]).sort(),
      cust.challenges.map((ch) => ['EARN', POINTS, ch.id]).sort(),
      `${cust.externalId}'s ledger: one EARN per challenge, nothing else`,
    );
    for (const e of entries)
      assert.deepEqual(completedBy.get(e.challengeId), [e.id], 'the answer named that ledger entry');
    const me = await call(survivor, 'GET', '/ucc/v1/me', { token: cust.tokens[0] });
    assert.equal(me.json.balance, POINTS * CHALLENGES.length);
  }
  const completions = await db!.query(
    `SELECT enrolment_id, kind, ref, count(*)::int AS n, count(*) FILTER (WHERE revoked_ms IS NULL)::int AS live
       FROM completions GROUP BY enrolment_id, kind, ref`,
  );
  t.diagnostic(`${completions.rows.length} completions; ${rewards.length} rewards in log answers`);
  assert.equal(completions.rows.length, CUSTOMERS * CHALLENGES.length, 'one completion per challenge');
  assert.deepEqual(
    completions.rows.filter((r) => r.n !== 1 || r.live !== 1),
    [],
    'no completion twice, none revoked',
  );
  const ledger = await db!.query(
    `SELECT completion_id, count(*)::int AS n, sum(points)::int AS points FROM ledger
      WHERE type = 'EARN' GROUP BY completion_id`,
  );
  assert.equal(ledger.rows.length, CUSTOMERS * CHALLENGES.length, 'one EARN entry per completion');
  assert.deepEqual(
    ledger.rows.filter((r) => r.n !== 1 || r.points !== POINTS),
    [],
    'each completion paid once, 30 points',
  );
  const balances = await db!.query(
    `SELECT c.external_id, c.balance::int AS balance, coalesce(sum(l.points), 0)::int AS ledger
       FROM customers c LEFT JOIN ledger l ON l.customer_id = c.id WHERE c.org_id = 'demo'
      GROUP BY c.external_id, c.balance`,
  );
  for (const r of balances.rows) assert.equal(r.balance, r.ledger, `${r.external_id}: balance = sum of the ledger`);
});
