/**
 * The reference server as a faithful Capillary upstream: webhook posts accepted at once and processed later
 * (UCC_CAPILLARY_ASYNC_MS), their state by requestId, de-duplication by an event's unique-key fields, and the read
 * endpoints a client of a real organisation needs (balance by user id, the ledger, externalId → userId, editing a
 * target group). Through the real app, on a real database file (or a PostgreSQL schema: store-under-test.ts).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.js';
import { parseCapillaryAsyncMs, readConfig } from '../../server/config.js';
import { DEMO_TILL_AUTH, startServer, streakGroupBody, tillAuth, uccPromotionBody } from './helpers.js';
import { testDb } from './store-under-test.js';

const NOUCC = tillAuth('noucc.till', 'noucc.pass');
const dirs: string[] = [];
const apps: FastifyInstance[] = [];

async function open(dir: string, capillaryAsyncMs?: number) {
  const app = await buildApp({ db: testDb(dir), demo: true, serveStatic: false, capillaryAsyncMs });
  apps.push(app);
  return app;
}
function freshDir() {
  const dir = mkdtempSync(join(tmpdir(), 'ucc-upstream-'));
  dirs.push(dir);
  return dir;
}
after(async () => {
  for (const a of apps) await a.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function call(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  body?: unknown,
  auth: string | null = DEMO_TILL_AUTH,
) {
  const res = await app.inject({
    method,
    url,
    payload: body === undefined ? undefined : JSON.stringify(body),
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(auth ? { authorization: auth } : {}),
    },
  });
  assert.match(String(res.headers['content-type']), /application\/json/, `${method} ${url} answers JSON`);
  return { status: res.statusCode, body: res.json() as any };
}

const eventData = (app: FastifyInstance, requestId: string, auth?: string | null) =>
  call(app, 'GET', `/v2/events/event_data?id=${requestId}`, undefined, auth);

/** Polls the post's state until it is no longer ACCEPTED (at most `ms`). */
async function settled(app: FastifyInstance, requestId: string, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    const r = await eventData(app, requestId);
    assert.equal(r.status, 200);
    if (r.body.data[0].status !== 'ACCEPTED' || Date.now() > end) return r.body.data[0];
    await new Promise((res) => setTimeout(res, 20));
  }
}

/** A one-day streak group on 2026-03-02 for `event`, a promotion on it, and `customers` enrolled: one post completes it. */
async function rewardedGroup(
  app: FastifyInstance,
  name: string,
  customers: number[],
  event = 'waterLogged',
  field = 'glasses',
) {
  const group = streakGroupBody(name, '2026-03-02', 1, 1, 1);
  group.targets[0].eventName = event;
  group.targets[0].extendedFieldInfo.name = field;
  const tg = (await call(app, 'POST', '/v3/targetGroups', group)).body.data;
  const promo = await call(
    app,
    'POST',
    '/api_gateway/loyalty/v1/programs/1/createPromotion/simple',
    uccPromotionBody(name, tg.id, tg.targets[0].id, tg.targets[0].name, 1),
  );
  assert.equal(promo.status, 200);
  if (customers.length === 0) return tg;
  const enrol = await call(
    app,
    'POST',
    `/v3/targetGroups/${tg.id}/targets/${tg.targets[0].id}/enroll`,
    customers.map((customerId) => ({ customerId, periodName: 'Day_1' })),
  );
  assert.equal(enrol.status, 200);
  return tg;
}
const balanceOf = async (app: FastifyInstance, userId: number) =>
  (await call(app, 'GET', `/v2/customers/${userId}/points/balance?programId=1`)).body.mainPoints as number;
const water = (customer: string, ext?: string, extra: Record<string, unknown> = {}) => ({
  event_name: 'waterLogged',
  customer_id: customer,
  ...(ext ? { external_event_id: ext } : {}),
  glasses: 1,
  eventDateTime: '2026-03-02 09:30:00',
  ...extra,
});

describe('UCC_CAPILLARY_ASYNC_MS', () => {
  test('unset means synchronous webhooks; whole milliseconds from 0 to an hour are accepted; anything else refuses to start', () => {
    assert.equal(readConfig({}).capillaryAsyncMs, null);
    assert.equal(parseCapillaryAsyncMs(''), null);
    assert.equal(parseCapillaryAsyncMs('0'), 0);
    assert.equal(readConfig({ UCC_CAPILLARY_ASYNC_MS: '250' }).capillaryAsyncMs, 250);
    for (const bad of ['-1', '1.5', 'soon', '0x10', '3600001', '1e3'])
      assert.throws(() => parseCapillaryAsyncMs(bad), /UCC_CAPILLARY_ASYNC_MS/, bad);
  });
});

describe('a webhook post without the setting (synchronous, as before)', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await open(freshDir());
  });

  test('is processed before it is answered, with the same answer as before, and its requestId reads back PROCESSED', async () => {
    const tg = await rewardedGroup(app, 'sync_water', [1001]);
    const r = await call(app, 'POST', '/webhooks/demo', water('1001', 'sync-1'));
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body).sort(), ['eventId', 'requestId', 'status']);
    assert.deepEqual(r.body.status, { code: 1100, message: 'Event is pushed to transformation state' });
    assert.ok((await balanceOf(app, 1001)) > 0, 'the reward is there as soon as the post is answered');
    const d = (await eventData(app, r.body.requestId)).body;
    assert.deepEqual(d.errors, []);
    assert.equal(d.data[0].eventId, r.body.requestId);
    assert.equal(d.data[0].status, 'PROCESSED');
    assert.equal(d.data[0].userId, 1001);
    assert.equal(d.data[0].eventName, 'waterLogged');
    assert.equal(d.data[0].date, '2026-03-02T09:30:00.000Z');
    assert.equal(d.data[0].additonalAttributes.external_event_id, 'sync-1');
    assert.ok(tg.id > 0);
  });
});

describe('a webhook post with UCC_CAPILLARY_ASYNC_MS', () => {
  let app: FastifyInstance;
  const DELAY = 300;
  before(async () => {
    app = await open(freshDir(), DELAY);
  });

  test('is accepted at once with 1100 and a requestId, and counted by the engine only after the delay', async () => {
    await rewardedGroup(app, 'async_water', [1001]);
    const t0 = Date.now();
    const r = await call(app, 'POST', '/webhooks/demo', water('alice', 'async-1'));
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, {
      status: { code: 1100, message: 'Event is pushed to transformation state' },
      requestId: r.body.requestId,
    });
    assert.match(r.body.requestId, /^[0-9a-f-]{36}$/);
    const pending = (await eventData(app, r.body.requestId)).body.data[0];
    assert.equal(pending.status, 'ACCEPTED');
    assert.equal(pending.userId, null);
    assert.equal(pending.processedOn, null);
    assert.equal(await balanceOf(app, 1001), 0, 'nothing is counted before the delay');
    const done = await settled(app, r.body.requestId);
    assert.ok(Date.now() - t0 >= DELAY, 'processed no sooner than the delay');
    assert.equal(done.status, 'PROCESSED');
    assert.equal(done.userId, 1001);
    assert.equal(done.errorCode, null);
    assert.equal(done.duplicate, false);
    assert.equal(done.message, 'Event processed successfully');
    assert.ok((await balanceOf(app, 1001)) > 0, 'counted, and rewarded, once processed');
  });

  test('a post the engine refuses later is accepted, then reads back FAILED with the code a synchronous post would get', async () => {
    const unknownCustomer = await call(app, 'POST', '/webhooks/demo', water('nobody'));
    assert.equal(unknownCustomer.status, 200);
    assert.equal(unknownCustomer.body.status.code, 1100);
    const unknownEvent = await call(app, 'POST', '/webhooks/demo', { event_name: 'noSuchEvent', customer_id: '1001' });
    const wrongType = await call(app, 'POST', '/webhooks/demo', water('1001', undefined, { glasses: 'eight' }));
    for (const [r, code] of [
      [unknownCustomer, 1832],
      [unknownEvent, 1830],
      [wrongType, 1831],
    ] as const) {
      const d = await settled(app, r.body.requestId);
      assert.equal(d.status, 'FAILED');
      assert.equal(d.errorCode, code);
      assert.ok(d.message.length > 0);
      assert.ok(d.processedOn);
    }
  });

  test('what can be checked at once is refused at once, in the webhook envelope, and nothing is recorded', async () => {
    const noName = await call(app, 'POST', '/webhooks/demo', { customer_id: '1001' });
    assert.equal(noName.status, 400);
    assert.equal(noName.body.status.code, 1830);
    assert.ok(noName.body.requestId);
    assert.equal((await eventData(app, noName.body.requestId)).status, 404, 'a refused post has no state');
    const badTime = await call(app, 'POST', '/webhooks/demo', water('1001', undefined, { eventDateTime: 'tomorrow' }));
    assert.equal(badTime.status, 400);
    assert.equal(badTime.body.status.code, 1833);
    const badExt = await call(app, 'POST', '/webhooks/demo', water('1001', undefined, { external_event_id: '' }));
    assert.equal(badExt.status, 400);
    assert.equal(badExt.body.status.code, 300004);
    const noAuth = await call(app, 'POST', '/webhooks/demo', water('1001'), null);
    assert.equal(noAuth.status, 401);
    assert.ok(noAuth.body.status.code);
    const otherOrg = await call(app, 'POST', '/webhooks/demo', water('1001'), NOUCC);
    assert.equal(otherOrg.status, 404);
  });

  test('the same external_event_id twice is counted once, also when both wait to be processed', async () => {
    await rewardedGroup(app, 'async_ext', [1002]);
    const a = await call(app, 'POST', '/webhooks/demo', water('bob', 'ext-twice'));
    const b = await call(app, 'POST', '/webhooks/demo', water('bob', 'ext-twice'));
    assert.notEqual(a.body.requestId, b.body.requestId);
    const [da, db] = [await settled(app, a.body.requestId), await settled(app, b.body.requestId)];
    assert.deepEqual([da.status, db.status], ['PROCESSED', 'PROCESSED']);
    assert.deepEqual([da.duplicate, db.duplicate], [false, true]);
    const points = await balanceOf(app, 1002);
    assert.ok(points > 0);
    await call(app, 'POST', '/webhooks/demo', water('bob', 'ext-twice')).then((r) => settled(app, r.body.requestId));
    assert.equal(await balanceOf(app, 1002), points);
  });
});

describe('GET /v2/events/event_data', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await open(freshDir(), 0);
  });
  test("answers only the caller's own posts, needs credentials and an id, in the v2 envelope", async () => {
    const r = await call(app, 'POST', '/webhooks/demo', water('1001'));
    await settled(app, r.body.requestId);
    const other = await eventData(app, r.body.requestId, NOUCC);
    assert.equal(other.status, 404);
    assert.deepEqual(other.body.warnings, []);
    assert.equal(other.body.errors[0].code, 1834);
    const unknown = await eventData(app, '00000000-0000-4000-8000-000000000000');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.errors[0].code, 1834);
    const noId = await call(app, 'GET', '/v2/events/event_data');
    assert.equal(noId.status, 400);
    assert.equal(noId.body.errors[0].code, 300004);
    const noAuth = await eventData(app, r.body.requestId, null);
    assert.equal(noAuth.status, 401);
    assert.equal(noAuth.body.errors[0].code, 401);
  });
});

describe('posts left pending by a stop', () => {
  test('are processed when a server starts again on the same database, at their due time, once', async () => {
    const dir = freshDir();
    const first = await open(dir, 400);
    await rewardedGroup(first, 'restart_water', [1003]);
    const posted = [];
    for (let i = 0; i < 3; i++)
      posted.push((await call(first, 'POST', '/webhooks/demo', water('carol', `r-${i}`))).body);
    assert.ok(posted.every((p) => p.status.code === 1100));
    await first.close(); // before the delay: the posts stay ACCEPTED in the database
    const again = await open(dir); // the setting unset now: pending posts are processed all the same
    const states = [];
    for (const p of posted) states.push(await settled(again, p.requestId));
    assert.deepEqual(
      states.map((s) => s.status),
      ['PROCESSED', 'PROCESSED', 'PROCESSED'],
    );
    assert.deepEqual(
      states.map((s) => s.duplicate),
      [false, false, false],
    );
    assert.ok((await balanceOf(again, 1003)) > 0);
    const ledger = (
      await call(
        again,
        'GET',
        '/v2/pointsLedger/getCustomerLedgerInfo?identifierName=id&identifierValue=1003&source=INSTORE&limit=100&offset=0&order=DESC',
      )
    ).body;
    assert.equal(ledger.ledgerDetails.totalElements, 1, 'rewarded once');
  });
});

describe('posts left pending by a crash', () => {
  test('a server process killed (SIGKILL) after accepting posts: the next start processes them', async () => {
    const dir = freshDir();
    const server = startServer({ UCC_DB: testDb(dir), UCC_CAPILLARY_ASYNC_MS: '2500' });
    let requestIds: string[];
    try {
      const url = await server.ready;
      const post = async (ext: string) =>
        (await (
          await fetch(`${url}/webhooks/demo`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: DEMO_TILL_AUTH },
            body: JSON.stringify(water('1001', ext)),
          })
        ).json()) as { status: { code: number }; requestId: string };
      const answers = [await post('crash-1'), await post('crash-2')];
      assert.deepEqual(
        answers.map((a) => a.status.code),
        [1100, 1100],
      );
      requestIds = answers.map((a) => a.requestId);
    } finally {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    const again = await open(dir, 2500);
    const before = await eventData(again, requestIds[0]);
    assert.equal(before.body.data[0].status, 'ACCEPTED', 'accepted posts survived the crash');
    for (const id of requestIds) assert.equal((await settled(again, id)).status, 'PROCESSED');
  });
});

describe('de-duplication by the unique-key fields of an event', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await open(freshDir());
    const def = await call(app, 'POST', '/v2/events', {
      eventName: 'runLogged',
      actions: ['EMFConsumer'],
      fields: [
        { name: 'customer', type: 'customer' },
        {
          name: 'runId',
          type: 'string',
          attributes: {
            isRequired: { valueType: 'Boolean', value: 'true' },
            isUniqueKeyField: { valueType: 'Boolean', value: 'true' },
          },
        },
        { name: 'km', type: 'double', attributes: { isRequired: { valueType: 'Boolean', value: 'true' } } },
      ],
    });
    assert.equal(def.status, 200);
  });
  const run = (customer: string, runId: string, extra: Record<string, unknown> = {}) => ({
    event_name: 'runLogged',
    customer_id: customer,
    runId,
    km: 5,
    eventDateTime: '2026-03-02 07:00:00',
    ...extra,
  });

  test('a second occurrence with the same values is accepted but counted once; other values or customers count', async () => {
    await rewardedGroup(app, 'runs', [1001], 'runLogged', 'km');
    const a = await call(app, 'POST', '/webhooks/demo', run('1001', 'run-1'));
    const b = await call(app, 'POST', '/webhooks/demo', run('1001', 'run-1', { km: 9 }));
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.equal(b.body.status.code, 1100);
    assert.equal(b.body.eventId, a.body.eventId, 'the second is the first event');
    assert.match(b.body.status.message, /unique key/);
    const d = (await eventData(app, b.body.requestId)).body.data[0];
    assert.equal(d.duplicate, true);
    assert.equal(d.status, 'PROCESSED');
    const c = await call(app, 'POST', '/webhooks/demo', run('1001', 'run-2'));
    assert.notEqual(c.body.eventId, a.body.eventId);
    const other = await call(app, 'POST', '/webhooks/demo', run('1002', 'run-1'));
    assert.notEqual(other.body.eventId, a.body.eventId, 'the customer is part of the key');
    const ledger = (
      await call(
        app,
        'GET',
        '/v2/pointsLedger/getCustomerLedgerInfo?identifierName=id&identifierValue=1001&source=INSTORE',
      )
    ).body;
    assert.equal(ledger.ledgerDetails.totalElements, 1);
  });

  test('a different external_event_id does not make a unique-key duplicate count, and external_event_id still de-duplicates', async () => {
    const a = await call(app, 'POST', '/webhooks/demo', run('1003', 'run-9', { external_event_id: 'x-1' }));
    const b = await call(app, 'POST', '/webhooks/demo', run('1003', 'run-9', { external_event_id: 'x-2' }));
    assert.equal(b.body.eventId, a.body.eventId);
    const c = await call(app, 'POST', '/webhooks/demo', run('1003', 'run-10', { external_event_id: 'x-1' }));
    assert.equal(c.body.eventId, a.body.eventId);
    assert.match(c.body.status.message, /external_event_id/);
  });

  test('an event without unique-key fields is never de-duplicated by its values', async () => {
    const a = await call(app, 'POST', '/webhooks/demo', water('1002'));
    const b = await call(app, 'POST', '/webhooks/demo', water('1002'));
    assert.notEqual(a.body.eventId, b.body.eventId);
  });
});

describe('read endpoints at the vendor paths', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await open(freshDir());
    await rewardedGroup(app, 'reads', [1001]);
    assert.equal((await call(app, 'POST', '/webhooks/demo', water('1001'))).status, 200);
  });

  test('GET v2/customers/{userId}/points/balance answers the documented sample shape', async () => {
    const r = await call(app, 'GET', '/v2/customers/1001/points/balance?programId=1');
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body).sort(), [
      'entityId',
      'entityType',
      'mainPoints',
      'promisedPoints',
      'promisedPointsBreakup',
      'totalPoints',
      'warnings',
    ]);
    assert.equal(r.body.entityId, 1001);
    assert.equal(r.body.entityType, 'CUSTOMER');
    assert.ok(r.body.mainPoints > 0);
    assert.equal(r.body.totalPoints, r.body.mainPoints);
    assert.equal(r.body.promisedPoints, 0);
    assert.deepEqual(r.body.promisedPointsBreakup, { delayedAccrualPoints: 0, externalTriggerBasedPoints: 0 });
    assert.equal((await call(app, 'GET', '/v2/customers/1001/points/balance')).status, 200, 'programId is optional');
    const unknown = await call(app, 'GET', '/v2/customers/999999/points/balance');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.errors[0].code, 8015);
    assert.equal((await call(app, 'GET', '/v2/customers/1001/points/balance?programId=7')).body.errors[0].code, 4091);
    assert.equal((await call(app, 'GET', '/v2/customers/1001/points/balance?programId=x')).status, 400);
    assert.equal((await call(app, 'GET', '/v2/customers/abc/points/balance')).status, 404);
    assert.equal((await call(app, 'GET', '/v2/customers/1001/points/balance', undefined, null)).status, 401);
  });

  test('GET v2/pointsLedger/getCustomerLedgerInfo pages the ledger, newest first by default', async () => {
    const url = (q: string) =>
      `/v2/pointsLedger/getCustomerLedgerInfo?identifierName=id&identifierValue=1001&source=INSTORE&${q}`;
    const r = await call(app, 'GET', url('limit=100&offset=0&order=DESC'));
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.customerDetails, { userId: 1001, externalId: 'alice', entityType: 'CUSTOMER' });
    assert.equal(r.body.ledgerDetails.totalElements, 1);
    const [entry] = r.body.ledgerDetails.ledgerEntries;
    assert.equal(entry.ledgerEntryType, 'CREDIT');
    assert.ok(entry.points > 0);
    assert.equal('promotionId' in entry, false, 'ledger entries carry no promotion id, as on the platform');
    const byExternal = await call(
      app,
      'GET',
      '/v2/pointsLedger/getCustomerLedgerInfo?identifierName=externalId&identifierValue=alice&source=INSTORE&sortOrder=ASC',
    );
    assert.deepEqual(byExternal.body.ledgerDetails.ledgerEntries, r.body.ledgerDetails.ledgerEntries);
    const page2 = await call(app, 'GET', url('limit=1&offset=1'));
    assert.deepEqual(page2.body.ledgerDetails.ledgerEntries, [], 'offset is a page number');
    assert.equal(page2.body.ledgerDetails.totalPages, 1);
    for (const q of ['limit=101', 'limit=-1', 'offset=x', 'order=UP'])
      assert.equal((await call(app, 'GET', url(q))).body.errors[0].code, 300004, q);
    const badSource = await call(app, 'GET', url('source=NOWHERE').replace('source=INSTORE&', ''));
    assert.equal(badSource.status, 400);
    const unknown = await call(
      app,
      'GET',
      '/v2/pointsLedger/getCustomerLedgerInfo?identifierName=externalId&identifierValue=nobody&source=INSTORE',
    );
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.errors[0].code, 8015);
    assert.equal((await call(app, 'GET', url('limit=1'), undefined, null)).status, 401);
  });

  test('GET v2/customers/lookup/customerDetails turns an externalId into the userId', async () => {
    const r = await call(
      app,
      'GET',
      '/v2/customers/lookup/customerDetails?source=INSTORE&identifierName=externalId&identifierValue=bob',
    );
    assert.equal(r.status, 200);
    assert.equal(r.body.id, 1002);
    assert.equal(r.body.externalId, 'bob');
    assert.deepEqual(r.body.errors, []);
    const unknown = await call(
      app,
      'GET',
      '/v2/customers/lookup/customerDetails?source=INSTORE&identifierName=externalId&identifierValue=nobody',
    );
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.errors[0].code, 8015);
    const badName = await call(
      app,
      'GET',
      '/v2/customers/lookup/customerDetails?source=INSTORE&identifierName=shoeSize&identifierValue=9',
    );
    assert.equal(badName.body.errors[0].code, 300004);
    const badSource = await call(
      app,
      'GET',
      '/v2/customers/lookup/customerDetails?source=MOON&identifierName=externalId&identifierValue=bob',
    );
    assert.equal(badSource.status, 400);
    const other = await call(
      app,
      'GET',
      '/v2/customers/lookup/customerDetails?source=INSTORE&identifierName=externalId&identifierValue=bob',
      undefined,
      NOUCC,
    );
    assert.equal(other.status, 404, "another organisation's customer is not found");
    // today's path still answers
    assert.equal(
      (await call(app, 'GET', '/v2/customers/lookup?identifierName=externalId&identifierValue=bob')).body.id,
      1002,
    );
  });

  test('PUT v3/targetGroups/editTargetGroup/{id} changes only the name and the rule expressions', async () => {
    const tg = await rewardedGroup(app, 'edit_me', []);
    const r = await call(app, 'PUT', `/v3/targetGroups/editTargetGroup/${tg.id}`, {
      id: tg.id,
      name: 'edited_name',
      description: 'ignored',
      preferredTillId: 75155297,
      totalPeriods: 9,
      targets: [{ id: tg.targets[0].id, expression: 'true', expressionJson: tg.targets[0].expressionJson }],
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.errors, null);
    assert.equal(r.body.data.id, tg.id);
    assert.equal(r.body.data.name, 'edited_name');
    assert.equal(r.body.data.totalPeriods, tg.totalPeriods, 'the rest of the group stays as it was');
    assert.equal(r.body.data.description, tg.description);
    const read = await call(app, 'GET', `/v3/targetGroups/${tg.id}?includeUserCreatedTargetGroups=true`);
    assert.equal(read.body.data.name, 'edited_name');
    const oneRule = await call(app, 'PUT', `/v3/targetGroups/editTargetGroup/${tg.id}`, {
      targets: [{ expression: true }],
    });
    assert.equal(oneRule.status, 200, 'a group of one rule needs no rule id');
    assert.equal(oneRule.body.data.targets[0].expression, 'true');
    const wrongId = await call(app, 'PUT', `/v3/targetGroups/editTargetGroup/${tg.id}`, { id: tg.id + 1, name: 'x' });
    assert.equal(wrongId.status, 400);
    assert.deepEqual(wrongId.body.data, null);
    assert.equal(wrongId.body.errors[0].code, 300004);
    const unknown = await call(app, 'PUT', '/v3/targetGroups/editTargetGroup/99999999', { name: 'x' });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.errors[0].code, 310906);
    const taken = await call(app, 'PUT', `/v3/targetGroups/editTargetGroup/${tg.id}`, { name: 'reads' });
    assert.equal(taken.status, 409);
    assert.equal(taken.body.errors[0].code, 310069);
    const badRule = await call(app, 'PUT', `/v3/targetGroups/editTargetGroup/${tg.id}`, {
      name: 'never_applied',
      targets: [{ id: 12345678, expression: 'true' }],
    });
    assert.equal(badRule.status, 404);
    assert.equal(
      (await call(app, 'GET', `/v3/targetGroups/${tg.id}?includeUserCreatedTargetGroups=true`)).body.data.name,
      'edited_name',
      'no partial write: the name of a refused edit is not kept',
    );
    assert.equal((await call(app, 'PUT', `/v3/targetGroups/editTargetGroup/${tg.id}`, [])).status, 400);
    assert.equal(
      (await call(app, 'PUT', `/v3/targetGroups/editTargetGroup/${tg.id}`, { name: 'x' }, null)).status,
      401,
    );
  });
});
