/**
 * The upstream client (server/loyalty/upstream/) against a small HTTP server on a real socket: the
 * vendor's recorded answers parse as they are, the bodies it sends match the vendor's recorded
 * requests and their schemas, OAuth tokens are cached and renewed, and the resilience rules hold
 * (timeouts, retries only where safe, Retry-After, the breaker, and a request budget never exceeded).
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { CapillaryClient, type ClientOptions, type UpstreamConfig } from '../../server/loyalty/upstream/client.js';
import {
  UpstreamMalformed,
  UpstreamRejected,
  UpstreamTimeout,
  UpstreamUnavailable,
  RequestBudget,
  retryAfterMs,
  type Clock,
} from '../../server/loyalty/upstream/resilience.js';
import {
  parsePromotion,
  parseTargetGroup,
  parseUserTargetGroups,
  parseBalance,
  parseLedger,
  refusalOf,
} from '../../server/loyalty/upstream/parse.js';
import { checkBody } from '../../server/loyalty/upstream/schemas.js';
import {
  enrolBody,
  eventBody,
  promotionBody,
  targetGroupBody,
  unenrolBody,
} from '../../server/loyalty/upstream/bodies.js';

const EXAMPLES = new URL('../fixtures/capillary-examples/', import.meta.url);
const example = (name: string) => readFileSync(new URL(name, EXAMPLES), 'utf8');
const exampleJson = (name: string) => JSON.parse(example(name)) as unknown;

// ---- a small vendor on a real socket -----------------------------------------------------------------

interface Hit {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}
type Handler = (hit: Hit, res: http.ServerResponse, n: number) => void;

const servers: http.Server[] = [];
after(() => servers.forEach((s) => s.close()));

/** A server whose `handler` answers every request; `hits` records them (arrival on `clock`). */
async function vendor(handler: Handler, clock: Clock = { now: () => Date.now(), sleep: async () => {} }) {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    const at = clock.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit = {
        method: req.method!,
        path: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        at,
      };
      hits.push(hit);
      handler(hit, res, hits.length);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { hits, base, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
};

const SECRET = 'very-secret-client-secret';
const PASSWORD = 'till-password-9';
const config = (base: string, auth: 'oauth' | 'till' = 'oauth'): UpstreamConfig => ({
  baseUrl: base,
  webhookUrl: `${base}webhooks/0123456789abcdef0123456789abcdef`,
  ...(auth === 'oauth'
    ? { oauth: { key: 'client-key-1', secret: SECRET } }
    : { till: { user: 'brand.till', password: PASSWORD } }),
  programId: 611,
  awardStrategyId: 50502,
  expiryStrategyId: 50501,
  customerIdentifier: 'externalId',
});
/** Fast retries for the tests; every option can still be overridden. */
const client = (base: string, o: ClientOptions = {}, auth: 'oauth' | 'till' = 'oauth') =>
  new CapillaryClient(config(base, auth), { retry: { baseMs: 10, capMs: 50 }, ...o });
const TOKEN_PATH = '/v3/oauth/token/generate';
const token = (res: http.ServerResponse, value: string, ttlSeconds = 300) =>
  json(res, 200, { data: { accessToken: value, ttlSeconds }, errors: null });
const USER_TG = example('user-target-groups.response.json');

/**
 * Virtual time for the budget: `now()` moves only when the test calls `advance()`, which wakes the
 * earliest sleeper. Minutes pass in milliseconds, and a request's transit (real, on the socket) takes
 * no virtual time, so the vendor's arrival times are exact.
 */
class VirtualClock implements Clock {
  private t = Date.UTC(2025, 2, 1);
  private sleepers: { at: number; wake: () => void }[] = [];
  now = () => this.t;
  sleep = (ms: number) => new Promise<void>((wake) => this.sleepers.push({ at: this.t + Math.max(0, ms), wake }));
  get sleeping() {
    return this.sleepers.length;
  }
  advance() {
    this.sleepers.sort((a, b) => a.at - b.at);
    const next = this.sleepers.shift();
    if (!next) return;
    this.t = Math.max(this.t, next.at);
    next.wake();
  }
}

// ---- the vendor's payloads ------------------------------------------------------------------------

describe('upstream client: the vendor payloads', () => {
  it('reads every recorded vendor answer as it is', () => {
    const tg = parseTargetGroup(exampleJson('create-target-group.response.json'), 'op');
    assert.equal(tg.id, 5101);
    assert.deepEqual(
      tg.periods.map((p) => [p.id, p.refCode]),
      [
        [9201, 'Cycle_1'],
        [9202, 'Cycle_2'],
        [9203, 'Cycle_3'],
      ],
    );
    assert.equal(tg.targets[0]!.id, 8801);
    assert.equal(tg.targets[0]!.emfRuleSetId, 300777);
    assert.deepEqual(
      tg.targets[0]!.defaultValues.map((d) => [d.periodId, d.value]),
      [
        [9201, 2],
        [9202, 2],
        [9203, 2],
      ],
    );
    const promo = parsePromotion(exampleJson('create-ucc-promotion.response.json'), 'op');
    assert.deepEqual(
      [promo.id, promo.status, promo.targetGroupIds, promo.targetRuleIds],
      [400123, 'LIVE', [5101], [8801]],
    );
    const progress = parseUserTargetGroups(exampleJson('user-target-groups.response.json'), 'op');
    assert.equal(progress.userId, 90000123);
    assert.deepEqual(
      progress.groups[0]!.periods.map((p) => [p.periodId, p.targetValue, p.achieved, p.current]),
      [
        [9201, 2, 2, false],
        [9202, 2, 1, true],
      ],
    );
  });

  it('reads numbers sent as strings ("2.000"), data as an object or an array, and warnings arrays', () => {
    const stringly = example('user-target-groups.response.json').replace(/: (\d+\.\d+)/g, ': "$1"');
    assert.match(stringly, /"targetAchievedValue": "1.000"/);
    const progress = parseUserTargetGroups(JSON.parse(stringly), 'op');
    assert.deepEqual(
      progress.groups[0]!.periods.map((p) => p.achieved),
      [2, 1],
    );
    const streaks = parseUserTargetGroups(
      {
        data: [
          {
            targetGroups: [
              {
                id: '77',
                targets: [],
                streaks: [
                  {
                    streakId: 11,
                    streakName: '3-day',
                    currentCount: '2',
                    totalTargetCountOfSequence: '3',
                    status: 'ACHIEVED',
                  },
                ],
              },
            ],
          },
        ],
        warnings: [{ code: 1, message: 'note' }],
      },
      'op',
    );
    assert.deepEqual(streaks.groups[0]!.streaks[0], {
      streakId: 11,
      name: '3-day',
      status: 'ACHIEVED',
      currentCount: 2,
      totalTargetCountOfSequence: 3,
    });
    assert.deepEqual(streaks.warnings, [{ code: 1, message: 'note' }]);
    const promoAsObject = JSON.parse(example('create-ucc-promotion.response.json'));
    promoAsObject.data = promoAsObject.data[0];
    promoAsObject.data.id = '400123';
    assert.equal(parsePromotion(promoAsObject, 'op').id, 400123);
    assert.deepEqual(
      parseBalance(
        {
          entityId: 90000123,
          entityType: 'CUSTOMER',
          totalPoints: '150.000',
          mainPoints: 120,
          promisedPoints: 30,
          warnings: [],
        },
        'op',
      ),
      { userId: 90000123, mainPoints: 120, totalPoints: 150, promisedPoints: 30, warnings: [] },
    );
    const ledger = parseLedger(
      {
        data: [{ id: 7, eventType: 'EARN', points: '40.00', eventDate: '2025-03-02T21:16:00Z' }],
        pagination: { total: '1' },
        warnings: [],
      },
      'op',
    );
    assert.deepEqual(
      [ledger.entries[0]!.id, ledger.entries[0]!.type, ledger.entries[0]!.points, ledger.total],
      ['7', 'EARN', 40, 1],
    );
  });

  it("recognises a refusal in each of the vendor's envelopes, and no refusal in a success", () => {
    assert.deepEqual(refusalOf({ data: null, errors: [{ code: 310011, message: 'Invalid userId' }], warnings: null }), {
      code: 310011,
      message: 'Invalid userId',
    });
    assert.deepEqual(
      refusalOf({
        status: { code: 400, message: 'failure' },
        validationErrors: [{ code: 4007, message: 'identifier exists' }],
        data: null,
      }),
      { code: 4007, message: 'identifier exists' },
    );
    assert.deepEqual(refusalOf({ status: { code: 1101, message: 'Invalid event' }, requestId: 'r' }), {
      code: 1101,
      message: 'Invalid event',
    });
    assert.deepEqual(
      refusalOf({ warnings: [], errors: [{ status: false, code: 8015, message: 'Customer not found' }] }),
      {
        code: 8015,
        message: 'Customer not found',
      },
    );
    for (const ok of [
      'create-target-group.response.json',
      'create-ucc-promotion.response.json',
      'user-target-groups.response.json',
    ])
      assert.equal(refusalOf(exampleJson(ok)), undefined, ok);
    assert.equal(
      refusalOf({ status: { code: 1100, message: 'Event is pushed to transformation state' }, requestId: 'r' }),
      undefined,
    );
    assert.equal(refusalOf({ warnings: [], errors: [] }), undefined);
  });

  it('refuses an answer without what the call needs (UpstreamMalformed), never a guess', () => {
    assert.throws(() => parseTargetGroup({ data: { name: 'x' } }, 'POST v3/targetGroups'), UpstreamMalformed);
    assert.throws(() => parseBalance({ warnings: [] }, 'op'), UpstreamMalformed);
  });

  it('the recorded request examples satisfy the outgoing schemas', () => {
    assert.deepEqual(checkBody('targetGroup', exampleJson('create-target-group.request.json')), []);
    assert.deepEqual(checkBody('promotion', exampleJson('create-ucc-promotion.request.json')), []);
    assert.deepEqual(checkBody('enrol', exampleJson('enroll.request.json')), []);
    assert.deepEqual(
      checkBody('event', {
        event_name: 'waterLogged',
        customer_id: '919900000001',
        external_event_id: 'wl-0001',
        glasses: 8,
        eventDateTime: '2025-03-02 21:15:00',
      }),
      [],
    );
  });

  it("builds from the examples' inputs the very bodies the vendor recorded, and they satisfy the schemas", () => {
    const tg = targetGroupBody({
      name: 'ucc_water_daily_7001',
      description: 'Drink 8 glasses of water daily',
      preferredTillId: 40012345,
      eventName: 'waterLogged',
      frequencyType: 'DAILY',
      periods: [1, 2, 3].map((d) => ({
        refCode: `Cycle_${d}`,
        startDate: `2025-03-0${d}T00:00:00.000Z`,
        endDate: `2025-03-0${d}T23:59:59.999Z`,
        status: d === 1 ? ('RUNNING' as const) : ('NOT_STARTED' as const),
      })),
      target: 2,
    });
    assert.deepEqual(tg, exampleJson('create-target-group.request.json'));
    assert.deepEqual(checkBody('targetGroup', tg), []);
    const recorded = exampleJson('create-ucc-promotion.request.json') as {
      promotion: { promotionRestrictions: { restrictions: never } };
    };
    const promo = promotionBody({
      name: 'ucc_water_reward_7001',
      identifier: 'ucc-water-7001',
      programId: 611,
      orgId: 70001,
      startMs: Date.UTC(2025, 2, 1),
      endMs: Date.UTC(2025, 2, 31, 23, 59, 59),
      targetGroupId: 5101,
      targetRuleId: 8801,
      targetRuleName: 'ucc_water_daily_7001_rule',
      awardStrategyId: 50502,
      expiryStrategyId: 50501,
      rulesetName: 'ucc_water_ruleset_7001',
      restrictions: recorded.promotion.promotionRestrictions.restrictions,
    });
    assert.deepEqual(promo, recorded);
    assert.deepEqual(checkBody('promotion', promo), []);
    const enrol = enrolBody(90000123, { periodName: 'Cycle_1' });
    assert.deepEqual(enrol, exampleJson('enroll.request.json'));
    assert.deepEqual(checkBody('unenrol', unenrolBody(90000123)), []);
    const event = eventBody({
      eventName: 'waterLogged',
      customerId: '919900000001',
      externalEventId: 'wl-0001',
      eventDateTime: '2025-03-02 21:15:00',
      fields: { glasses: 8 },
    });
    assert.deepEqual(event, {
      event_name: 'waterLogged',
      customer_id: '919900000001',
      external_event_id: 'wl-0001',
      glasses: 8,
      eventDateTime: '2025-03-02 21:15:00',
    });
    assert.deepEqual(checkBody('event', event), []);
  });

  it('the schemas refuse what UCC forbids, and the client never sends such a body', async () => {
    const body = exampleJson('create-target-group.request.json') as { targets: Record<string, unknown>[] };
    const twoRules = { ...body, targets: [body.targets[0], body.targets[0]] };
    assert.ok(checkBody('targetGroup', twoRules).some((p) => p.includes('/targets')));
    const transaction = { ...body, targets: [{ ...body.targets[0], enrolmentMethod: 'TRANSACTION' }] };
    assert.ok(checkBody('targetGroup', transaction).length > 0);
    assert.ok(
      checkBody('event', { event_name: 'x', customer_id: 'c', eventDateTime: '2025-03-02T21:15:00Z' }).length > 0,
    );
    const v = await vendor((_h, res) => json(res, 200, {}));
    await assert.rejects(client(v.base, {}, 'till').createTargetGroup(transaction as never), TypeError);
    assert.equal(v.hits.length, 0);
  });

  it("drives every call over HTTP with the vendor's paths, query strings and bodies", async () => {
    const v = await vendor((h, res) => {
      const path = h.path.split('?')[0]!;
      if (path === '/v3/targetGroups') return json(res, 200, example('create-target-group.response.json'));
      if (path.startsWith('/api_gateway/')) return json(res, 200, example('create-ucc-promotion.response.json'));
      if (path.endsWith('/enroll') || path.endsWith('/unEnroll'))
        return json(res, 200, { data: 90000123, errors: null, warnings: null });
      if (path === '/v2/customers/lookup/customerDetails')
        return json(res, 200, { customers: [{ id: 90000123 }], warnings: [] });
      if (path === '/v3/users/90000123/targetGroups') return json(res, 200, USER_TG);
      if (path === '/v2/customers/90000123/points/balance')
        return json(res, 200, {
          entityId: 90000123,
          entityType: 'CUSTOMER',
          totalPoints: 150,
          mainPoints: 150,
          promisedPoints: 0,
          promisedPointsBreakup: {},
        });
      if (path === '/v2/pointsLedger/getCustomerLedgerInfo')
        return json(res, 200, { data: [{ id: 1, eventType: 'EARN', points: 40 }], warnings: [] });
      if (path === '/v3/milestones')
        return json(res, 200, {
          pagination: { limit: 100, offset: 0, total: 2 },
          data: [
            { id: 1, name: 'ucc_water_daily_7001_b' },
            JSON.parse(example('create-target-group.response.json')).data,
          ],
        });
      if (path.startsWith('/webhooks/'))
        return json(res, 200, {
          status: { code: 1100, message: 'Event is pushed to transformation state' },
          requestId: '3f2a7c1e',
        });
      json(res, 404, { errors: [{ code: 404, message: 'no route' }] });
    });
    const c = client(v.base, {}, 'till');
    assert.equal((await c.lookupCustomer('cust-1')).userId, 90000123);
    assert.equal((await c.createTargetGroup(exampleJson('create-target-group.request.json') as never)).id, 5101);
    assert.equal((await c.createUccPromotion(exampleJson('create-ucc-promotion.request.json') as never)).id, 400123);
    assert.equal((await c.enrol(5101, 8801, enrolBody(90000123, { periodName: 'Cycle_1' }))).customerId, 90000123);
    assert.equal((await c.unenrol(5101, 8801, unenrolBody(90000123))).customerId, 90000123);
    assert.equal((await c.userTargetGroups(90000123)).groups[0]!.periods[1]!.achieved, 1);
    assert.equal((await c.pointsBalance(90000123)).mainPoints, 150);
    assert.equal((await c.ledger(90000123, { limit: 500, offset: 20 })).entries[0]!.points, 40);
    assert.equal((await c.findTargetGroupByName('ucc_water_daily_7001'))!.id, 5101);
    const posted = await c.postEvent(
      eventBody({
        eventName: 'waterLogged',
        customerId: 'cust-1',
        eventDateTime: '2025-03-02 21:15:00',
        fields: { glasses: 8 },
      }),
    );
    assert.equal(posted.requestId, '3f2a7c1e');
    const paths = v.hits.map((h) => `${h.method} ${h.path}`);
    assert.deepEqual(paths, [
      'GET /v2/customers/lookup/customerDetails?source=INSTORE&identifierName=externalId&identifierValue=cust-1',
      'POST /v3/targetGroups',
      'POST /api_gateway/loyalty/v1/programs/611/createPromotion/SIMPLE',
      'POST /v3/targetGroups/5101/targets/8801/enroll',
      'POST /v3/targetGroups/5101/targets/8801/unEnroll',
      'GET /v3/users/90000123/targetGroups?includeUserCreatedTargetGroups=true',
      'GET /v2/customers/90000123/points/balance?programId=611',
      'GET /v2/pointsLedger/getCustomerLedgerInfo?identifierName=id&identifierValue=90000123&source=INSTORE&limit=100&offset=20&order=DESC',
      'GET /v3/milestones?name=ucc_water_daily_7001&includeUserCreatedTargetGroups=true&require-periods=true&limit=100&offset=0',
      'POST /webhooks/0123456789abcdef0123456789abcdef',
    ]);
    assert.deepEqual(JSON.parse(v.hits[3]!.body), exampleJson('enroll.request.json'));
    const md5 = createHash('md5').update(PASSWORD).digest('hex');
    assert.ok(
      v.hits.every((h) => h.headers.authorization === `Basic ${Buffer.from(`brand.till:${md5}`).toString('base64')}`),
    );
    c.close();
  });

  it("a refusal in the v3 envelope (even with HTTP 200) is an UpstreamRejected with the vendor's code and message", async () => {
    const v = await vendor((_h, res) =>
      json(res, 200, {
        data: null,
        errors: [{ code: 310119, message: 'User already enrolled for the target' }],
        warnings: null,
      }),
    );
    const err = await client(v.base, {}, 'till')
      .enrol(77, 55, enrolBody(90000123, { periodName: 'Cycle_1' }))
      .catch((e) => e);
    assert.ok(err instanceof UpstreamRejected);
    assert.deepEqual([err.status, err.code, err.vendorMessage], [200, 310119, 'User already enrolled for the target']);
    assert.equal(v.hits.length, 1);
  });
});

// ---- OAuth ------------------------------------------------------------------------------------------

describe('upstream client: OAuth', () => {
  it('fetches a token once and reuses it for concurrent and later calls', async () => {
    const v = await vendor((h, res) => (h.path === TOKEN_PATH ? token(res, 'tok-1') : json(res, 200, USER_TG)));
    const c = client(v.base);
    await Promise.all([1, 2, 3, 4, 5].map(() => c.userTargetGroups(90000123)));
    await c.userTargetGroups(90000123);
    assert.equal(v.hits.filter((h) => h.path === TOKEN_PATH).length, 1);
    assert.deepEqual(JSON.parse(v.hits[0]!.body), { key: 'client-key-1', secret: SECRET });
    assert.ok(v.hits.filter((h) => h.path !== TOKEN_PATH).every((h) => h.headers['x-cap-api-oauth-token'] === 'tok-1'));
    c.close();
  });

  it('renews the token before its ttl runs out', async () => {
    let offset = 0;
    const clock: Clock = { now: () => Date.now() + offset, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
    let n = 0;
    const v = await vendor((h, res) =>
      h.path === TOKEN_PATH ? token(res, `tok-${++n}`, 300) : json(res, 200, USER_TG),
    );
    const c = client(v.base, { clock });
    await c.userTargetGroups(1);
    offset = 250_000; // 250 s of 300: still good
    await c.userTargetGroups(1);
    offset = 275_000; // within the last tenth: renewed
    await c.userTargetGroups(1);
    assert.deepEqual(
      v.hits.filter((h) => h.path !== TOKEN_PATH).map((h) => h.headers['x-cap-api-oauth-token']),
      ['tok-1', 'tok-1', 'tok-2'],
    );
    c.close();
  });

  it('renews the token once on a 401 and repeats the call; a second 401 is a rejection', async () => {
    let n = 0;
    const v = await vendor((h, res) => {
      if (h.path === TOKEN_PATH) return token(res, `tok-${++n}`);
      if (h.headers['x-cap-api-oauth-token'] === 'tok-1')
        return json(res, 401, { data: null, errors: [{ code: 401, message: 'expired' }] });
      json(res, 200, USER_TG);
    });
    const c = client(v.base);
    assert.equal((await c.userTargetGroups(90000123)).userId, 90000123);
    assert.equal(n, 2);
    const always = await vendor((h, res) =>
      h.path === TOKEN_PATH
        ? token(res, 'tok')
        : json(res, 401, { data: null, errors: [{ code: 401, message: 'no access' }] }),
    );
    const err = await client(always.base)
      .userTargetGroups(1)
      .catch((e) => e);
    assert.ok(err instanceof UpstreamRejected && err.status === 401);
    assert.equal(always.hits.filter((h) => h.path === TOKEN_PATH).length, 2);
    assert.equal(always.hits.filter((h) => h.path !== TOKEN_PATH).length, 2);
    c.close();
  });

  it('never puts a credential in an error, even when the vendor echoes it', async () => {
    const v = await vendor((h, res) =>
      json(res, 401, { data: null, errors: [{ code: 401, message: `bad secret ${SECRET} for ${h.body}` }] }),
    );
    const err = await client(v.base)
      .pointsBalance(1)
      .catch((e) => e);
    assert.ok(err instanceof UpstreamRejected);
    const shown = `${err.message} ${err.vendorMessage} ${inspect(err)} ${JSON.stringify(err)}`;
    assert.ok(!shown.includes(SECRET), shown);
    assert.match(err.vendorMessage, /\[redacted\]/);
    const md5 = createHash('md5').update(PASSWORD).digest('hex');
    const w = await vendor((h, res) =>
      json(res, 400, { errors: [{ code: 1, message: `${h.headers.authorization} ${md5} ${PASSWORD}` }] }),
    );
    const e2 = await client(w.base, {}, 'till')
      .pointsBalance(1)
      .catch((e) => e);
    assert.ok(
      !inspect(e2).includes(md5) && !inspect(e2).includes(PASSWORD) && !inspect(e2).includes('Basic YnJh'),
      inspect(e2),
    );
  });
});

// ---- resilience ------------------------------------------------------------------------------------

describe('upstream client: timeouts and retries', () => {
  it('an answer slower than the total timeout is an UpstreamTimeout', async () => {
    const v = await vendor((_h, res) => setTimeout(() => json(res, 200, USER_TG), 600));
    const started = Date.now();
    const err = await client(v.base, { totalTimeoutMs: 150, retry: { attempts: 1 } }, 'till')
      .userTargetGroups(1)
      .catch((e) => e);
    assert.ok(err instanceof UpstreamTimeout, String(err));
    assert.equal(err.phase, 'total');
    assert.ok(Date.now() - started < 500);
  });

  it('a connection not made within the connect timeout is an UpstreamTimeout, retried even for a POST (it never left)', async () => {
    let lookups = 0;
    const c = new CapillaryClient(config('http://upstream.invalid/', 'till'), {
      connectTimeoutMs: 100,
      retry: { attempts: 2, baseMs: 10, capMs: 10 },
      lookup: () => void lookups++, // resolution never answers: the socket stays connecting
    });
    const started = Date.now();
    const err = await c.createTargetGroup(exampleJson('create-target-group.request.json') as never).catch((e) => e);
    assert.ok(err instanceof UpstreamTimeout, String(err));
    assert.equal(err.phase, 'connect');
    assert.equal(lookups, 2);
    assert.ok(Date.now() - started < 1000);
    c.close();
  });

  it('a GET answered 503 is retried and succeeds', async () => {
    const v = await vendor((_h, res, n) => (n === 1 ? json(res, 503, 'busy') : json(res, 200, USER_TG)));
    assert.equal((await client(v.base, {}, 'till').userTargetGroups(1)).userId, 90000123);
    assert.equal(v.hits.length, 2);
  });

  it('a non-idempotent POST answered 503 is not retried', async () => {
    const v = await vendor((_h, res) => json(res, 503, 'busy'));
    const err = await client(v.base, {}, 'till')
      .createTargetGroup(exampleJson('create-target-group.request.json') as never)
      .catch((e) => e);
    assert.ok(err instanceof UpstreamUnavailable && err.detail.status === 503);
    assert.equal(v.hits.length, 1);
  });

  it('a webhook post marked idempotent (unique-key fields) is retried after a 502', async () => {
    const v = await vendor((_h, res, n) =>
      n === 1
        ? json(res, 502, 'bad gateway')
        : json(res, 200, { status: { code: 1100, message: 'ok' }, requestId: 'r-1' }),
    );
    const body = eventBody({
      eventName: 'waterLogged',
      customerId: 'c-1',
      externalEventId: 'p-1',
      eventDateTime: '2025-03-02 21:15:00',
      fields: { glasses: 1 },
    });
    assert.equal((await client(v.base, {}, 'till').postEvent(body, { idempotent: true })).requestId, 'r-1');
    assert.equal(v.hits.length, 2);
    assert.equal(v.hits[0]!.body, v.hits[1]!.body);
  });

  it('a 429 with Retry-After: 1 waits at least a second, then retries (even a POST)', async () => {
    const v = await vendor((_h, res, n) =>
      n === 1
        ? json(res, 429, '', { 'retry-after': '1' })
        : json(res, 200, { status: { code: 1100 }, requestId: 'r-2' }),
    );
    const body = eventBody({
      eventName: 'waterLogged',
      customerId: 'c-1',
      eventDateTime: '2025-03-02 21:15:00',
      fields: {},
    });
    assert.equal((await client(v.base, {}, 'till').postEvent(body)).requestId, 'r-2');
    assert.equal(v.hits.length, 2);
    assert.ok(v.hits[1]!.at - v.hits[0]!.at >= 995, `waited ${v.hits[1]!.at - v.hits[0]!.at} ms`);
    assert.equal(retryAfterMs(new Date(Date.now() + 3000).toUTCString(), Date.now())! > 1000, true);
  });

  it('a 429 without Retry-After backs off (full jitter) and retries', async () => {
    const v = await vendor((_h, res, n) => (n < 3 ? json(res, 429, '') : json(res, 200, USER_TG)));
    const c = client(v.base, { retry: { attempts: 3, baseMs: 100, capMs: 1000 }, random: () => 1 }, 'till');
    assert.equal((await c.userTargetGroups(1)).userId, 90000123);
    assert.equal(v.hits.length, 3);
    assert.ok(v.hits[1]!.at - v.hits[0]!.at >= 95, 'first backoff: base');
    assert.ok(v.hits[2]!.at - v.hits[1]!.at >= 195, 'second backoff: doubled');
  });

  it('a Retry-After longer than the client may wait fails at once, carrying the wait for the caller to queue', async () => {
    const v = await vendor((_h, res) => json(res, 429, '', { 'retry-after': '120' }));
    const started = Date.now();
    const err = await client(v.base, {}, 'till')
      .userTargetGroups(1)
      .catch((e) => e);
    assert.ok(err instanceof UpstreamUnavailable, String(err));
    assert.deepEqual([err.detail.status, err.detail.retryAfterMs], [429, 120_000]);
    assert.equal(v.hits.length, 1);
    assert.ok(Date.now() - started < 500);
  });

  it('a 200 whose body is not JSON is UpstreamMalformed, and the attempt reports name no secret, query or body', async () => {
    const v = await vendor((h, res) =>
      h.path === TOKEN_PATH ? token(res, 'tok-secret-value') : json(res, 200, '<html>maintenance</html>'),
    );
    const reports: unknown[] = [];
    const c = client(v.base, { onAttempt: (a) => reports.push(a) });
    await assert.rejects(c.lookupCustomer('customer-ext-42'), UpstreamMalformed);
    const shown = JSON.stringify(reports);
    assert.match(shown, /GET v2\/customers\/lookup\/customerDetails/);
    for (const secret of [SECRET, 'tok-secret-value', 'customer-ext-42', 'client-key-1'])
      assert.ok(!shown.includes(secret), shown);
    c.close();
  });

  it('a connection dropped mid-answer is UpstreamUnavailable: a GET is retried, a plain POST is not', async () => {
    const drop: Handler = (_h, res, n) => {
      if (n > 1) return json(res, 200, USER_TG);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' });
      res.write('{"data":{"userId":');
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const v = await vendor(drop);
    assert.equal((await client(v.base, {}, 'till').userTargetGroups(1)).userId, 90000123);
    assert.equal(v.hits.length, 2);
    const w = await vendor((h, res, n) => drop(h, res, n));
    const err = await client(w.base, {}, 'till')
      .createTargetGroup(exampleJson('create-target-group.request.json') as never)
      .catch((e) => e);
    assert.ok(err instanceof UpstreamUnavailable, String(err));
    assert.match(err.message, /dropped mid-answer/);
    assert.equal(w.hits.length, 1);
  });

  it('a refused connection is retried even for a POST (it never left), then reported unavailable', async () => {
    const v = await vendor(() => undefined);
    await v.close();
    const err = await client(v.base, { retry: { attempts: 2 } }, 'till')
      .createTargetGroup(exampleJson('create-target-group.request.json') as never)
      .catch((e) => e);
    assert.ok(err instanceof UpstreamUnavailable, String(err));
    assert.equal(err.detail.cause, 'ECONNREFUSED');
  });
});

describe('upstream client: the circuit breaker', () => {
  it('opens after N consecutive failures, rejects fast while open, half-opens after the cool-down and closes after a success', async () => {
    let healthy = false;
    const v = await vendor((_h, res) => (healthy ? json(res, 200, USER_TG) : json(res, 500, 'down')));
    const c = client(v.base, { retry: { attempts: 1 }, breaker: { failureThreshold: 3, coolDownMs: 300 } }, 'till');
    for (let i = 0; i < 3; i++) await assert.rejects(c.userTargetGroups(1), UpstreamUnavailable);
    assert.equal(c.state, 'open');
    const started = Date.now();
    const fast = await c.userTargetGroups(1).catch((e) => e);
    assert.ok(fast instanceof UpstreamUnavailable && fast.detail.breakerOpen === true);
    assert.ok(Date.now() - started < 50);
    assert.equal(v.hits.length, 3, 'no request while open');
    await new Promise((r) => setTimeout(r, 320));
    assert.equal(c.state, 'half-open');
    // A failed probe opens it again.
    await assert.rejects(c.userTargetGroups(1), UpstreamUnavailable);
    assert.equal(c.state, 'open');
    await new Promise((r) => setTimeout(r, 320));
    healthy = true;
    assert.equal((await c.userTargetGroups(1)).userId, 90000123);
    assert.equal(c.state, 'closed');
    assert.equal(v.hits.length, 5);
  });

  it('in half-open lets one probe through and fails the others fast', async () => {
    const v = await vendor((_h, res, n) =>
      n <= 2 ? json(res, 500, 'down') : setTimeout(() => json(res, 200, USER_TG), 50),
    );
    const c = client(v.base, { retry: { attempts: 1 }, breaker: { failureThreshold: 2, coolDownMs: 100 } }, 'till');
    for (let i = 0; i < 2; i++) await assert.rejects(c.userTargetGroups(1));
    await new Promise((r) => setTimeout(r, 120));
    const results = await Promise.allSettled([c.userTargetGroups(1), c.userTargetGroups(1), c.userTargetGroups(1)]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'rejected'],
    );
    assert.equal(v.hits.length, 3);
    assert.equal(c.state, 'closed');
  });
});

describe('upstream client: the request budget', () => {
  it('under 300 concurrent calls with a budget of 60 a minute, the vendor never sees more than 60 in any minute', async () => {
    const clock = new VirtualClock();
    const v = await vendor((_h, res) => json(res, 200, USER_TG), clock);
    const c = client(v.base, { clock, budget: { perMinute: 60 } }, 'till');
    const total = 300;
    let done = 0;
    const calls = Array.from({ length: total }, () => c.userTargetGroups(90000123).finally(() => done++));
    // Virtual time moves only when nothing is on the wire: every granted request has been answered
    // and the rest wait on the budget.
    while (done < total) {
      await new Promise((r) => setTimeout(r, 2));
      const inFlight = total - done - c.budget.queued;
      if (inFlight === 0 && clock.sleeping > 0) clock.advance();
    }
    await Promise.all(calls);
    assert.equal(v.hits.length, total);
    const at = v.hits.map((h) => h.at).sort((a, b) => a - b);
    let most = 0;
    for (let i = 0; i < at.length; i++) {
      let j = i;
      while (j < at.length && at[j]! - at[i]! < 60_000) j++;
      most = Math.max(most, j - i);
    }
    assert.ok(most <= 60, `${most} requests within one minute`);
    assert.equal(most, 60, 'the budget was used, not starved');
    const minutes = (at.at(-1)! - at[0]!) / 60_000;
    assert.ok(minutes >= 4 && minutes < 4.2, `300 calls took ${minutes} minutes of budget`);
    c.close();
  });

  it('two clients of one API key share one budget', async () => {
    const clock = new VirtualClock();
    const v = await vendor((_h, res) => json(res, 200, USER_TG), clock);
    const budget = new RequestBudget({ perMinute: 3 }, clock);
    const a = client(v.base, { clock, budget }, 'till');
    const b = client(v.base, { clock, budget }, 'till');
    let done = 0;
    const calls = [a, b, a, b, a, b].map((c) => c.userTargetGroups(1).finally(() => done++));
    while (done < 6) {
      await new Promise((r) => setTimeout(r, 2));
      if (6 - done - budget.queued === 0 && clock.sleeping > 0) clock.advance();
    }
    await Promise.all(calls);
    const at = v.hits.map((h) => h.at - v.hits[0]!.at);
    assert.deepEqual(at, [0, 0, 0, 61_000, 61_000, 61_000]);
    a.close();
    b.close();
  });
});
