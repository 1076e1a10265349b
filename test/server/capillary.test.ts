import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.js';
import { DEMO_TILL_AUTH, streakGroupBody, tillAuth, uccPromotionBody } from './helpers.js';
import { testDb } from './store-under-test.js';

const basic = tillAuth;
const DEMO = DEMO_TILL_AUTH;
const NOUCC = basic('noucc.till', 'noucc.pass');

let app: FastifyInstance;
let dir: string;

async function call(
  method: string,
  url: string,
  body?: unknown,
  auth: string | null = DEMO,
  headers: Record<string, string> = {},
) {
  const res = await app.inject({
    method: method as 'GET',
    url,
    payload: body === undefined ? undefined : JSON.stringify(body),
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(auth ? { authorization: auth } : {}),
      ...headers,
    },
  });
  assert.match(String(res.headers['content-type']), /application\/json/, `${method} ${url} answers JSON`);
  return { status: res.statusCode, body: res.json() as any };
}

function countGroup(name: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    trackingType: 'DEFAULT',
    targetEvaluationType: 'FIXED_CALENDAR_WINDOW',
    totalPeriods: 2,
    frequencyType: 'DAILY',
    frequency: 1,
    recurringCycles: 0,
    userCreated: true,
    active: true,
    fromDate: '2026-01-01',
    timeZoneName: 'UTC',
    targets: [
      {
        name: `${name}_rule`,
        targetEntity: 'EVENT',
        eventName: 'waterLogged',
        targetType: 'COUNT',
        enrolmentMethod: 'IMPORT',
        expression: 'true',
        filters: [],
      },
    ],
    ...extra,
  };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ucc-cap-'));
  app = await buildApp({ db: testDb(dir), demo: true, serveStatic: false });
});
after(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('authentication', () => {
  test('Basic till credentials with the md5 of the password are accepted', async () => {
    const r = await call('GET', '/v2/events');
    assert.equal(r.status, 200);
    assert.ok(r.body.data.some((e: any) => e.clickEventsMeta.eventName === 'waterLogged'));
  });
  test('a wrong password, a plain-text password or no credentials get 401', async () => {
    for (const auth of [
      basic('demo.till', 'nope'),
      'Basic ' + Buffer.from('demo.till:demo.pass').toString('base64'),
      null,
    ]) {
      const r = await call('GET', '/v3/targetGroups', undefined, auth);
      assert.equal(r.status, 401);
      assert.equal(r.body.errors[0].code, 401);
    }
  });
  test('OAuth client credentials give a token accepted in X-CAP-API-OAUTH-TOKEN', async () => {
    const t = await call('POST', '/v3/oauth/token/generate', { key: 'demo-key', secret: 'demo-secret' }, null);
    assert.equal(t.status, 200);
    assert.equal(t.body.data.ttlSeconds, 1800);
    const r = await call('GET', '/v3/targetGroups', undefined, null, {
      'x-cap-api-oauth-token': t.body.data.accessToken,
    });
    assert.equal(r.status, 200);
    const bad = await call('POST', '/v3/oauth/token/generate', { key: 'demo-key', secret: 'wrong' }, null);
    assert.equal(bad.status, 401);
    const forged = await call('GET', '/v3/targetGroups', undefined, null, {
      'x-cap-api-oauth-token': t.body.data.accessToken.slice(0, -3) + 'abc',
    });
    assert.equal(forged.status, 401);
  });
});

describe('behavioural events (POST/GET /v2/events)', () => {
  test('creates an event and refuses the same name with 1806', async () => {
    const body = {
      eventName: 'stretchLogged',
      actions: ['EMFConsumer'],
      fields: [
        { name: 'minutes', type: 'double', attributes: { isRequired: { valueType: 'Boolean', value: 'true' } } },
      ],
    };
    const r = await call('POST', '/v2/events', body);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { warnings: [], errors: [] });
    const dup = await call('POST', '/v2/events', body);
    assert.equal(dup.status, 409);
    assert.equal(dup.body.errors[0].code, 1806);
  });
  test('refuses an invalid name (1811), actions (1810), field type (1823) and a unique key that is not required (1802)', async () => {
    const cases: [unknown, number][] = [
      [{ eventName: '9bad name', actions: ['EMFConsumer'] }, 1811],
      [{ eventName: 'okName', actions: ['Nope'] }, 1810],
      [{ eventName: 'okName', actions: ['EMFConsumer'], fields: [{ name: 'x', type: 'float' }] }, 1823],
      [
        {
          eventName: 'okName',
          actions: ['EMFConsumer'],
          fields: [
            { name: 'x', type: 'string', attributes: { isUniqueKeyField: { valueType: 'Boolean', value: 'true' } } },
          ],
        },
        1802,
      ],
    ];
    for (const [body, code] of cases) {
      const r = await call('POST', '/v2/events', body);
      assert.equal(r.status, 400);
      assert.equal(r.body.errors[0].code, code);
    }
    const list = await call('GET', '/v2/events');
    assert.ok(!list.body.data.some((e: any) => e.clickEventsMeta.eventName === 'okName'), 'nothing was written');
  });
});

describe('target groups (v3)', () => {
  test('a user-created COUNT group gets default values of 2 and is hidden unless includeUserCreatedTargetGroups=true', async () => {
    const r = await call('POST', '/v3/targetGroups', countGroup('ucc_count'));
    assert.equal(r.status, 200);
    assert.equal(r.body.errors, null);
    const tg = r.body.data;
    assert.equal(tg.userCreated, true);
    assert.deepEqual(
      tg.targets[0].defaultValues.map((d: any) => d.defaultValue),
      [2, 2],
    );
    assert.equal(tg.targets[0].enrolmentMethod, 'IMPORT');
    assert.equal(Object.keys(tg.targets[0].targetPeriodDefaultValuesMap).length, 2);
    assert.deepEqual(
      tg.periods.map((p: any) => [p.refCode, p.startDate, p.endDate]),
      [
        ['Cycle_1', '2026-01-01', '2026-01-01'],
        ['Cycle_2', '2026-01-02', '2026-01-02'],
      ],
    );
    assert.equal((await call('GET', `/v3/targetGroups/${tg.id}`)).status, 404);
    assert.equal(
      (await call('GET', `/v3/targetGroups/${tg.id}?includeUserCreatedTargetGroups=true`)).body.data.id,
      tg.id,
    );
    assert.ok(!(await call('GET', '/v3/targetGroups')).body.data.some((g: any) => g.id === tg.id));
    assert.ok(
      (await call('GET', '/v3/targetGroups?includeUserCreatedTargetGroups=true')).body.data.some(
        (g: any) => g.id === tg.id,
      ),
    );
  });
  test('STREAK is accepted as a spelling of STREAKS', async () => {
    const r = await call('POST', '/v3/targetGroups', {
      ...streakGroupBody('ucc_streak_spelling', '2026-02-01', 3, 8, 3),
      trackingType: 'STREAK',
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.data.trackingType, 'STREAKS');
    assert.equal(r.body.data.streaks[0].targetCountOfSequence, 3);
  });
  test('each UCC rule is refused with its own code', async () => {
    const noucc = await call('POST', '/v3/targetGroups', countGroup('ucc_noucc'), NOUCC);
    assert.equal(noucc.status, 403);
    assert.equal(noucc.body.errors[0].code, 310901);
    const base = countGroup('ucc_two_rules');
    const two = await call('POST', '/v3/targetGroups', {
      ...base,
      targets: [base.targets[0], { ...base.targets[0], name: 'second' }],
    });
    assert.equal(two.status, 400);
    assert.equal(two.body.errors[0].code, 310903);
    const tx = await call('POST', '/v3/targetGroups', {
      ...base,
      targets: [{ ...base.targets[0], enrolmentMethod: 'TRANSACTION' }],
    });
    assert.equal(tx.status, 400);
    assert.equal(tx.body.errors[0].code, 310904);
    const created = await call('POST', '/v3/targetGroups', countGroup('ucc_never_default'));
    const toDefault = await call('PUT', `/v3/targetGroups/${created.body.data.id}`, { userCreated: false });
    assert.equal(toDefault.status, 403);
    assert.equal(toDefault.body.errors[0].code, 310902);
    assert.equal(
      (await call('GET', `/v3/targetGroups/${created.body.data.id}?includeUserCreatedTargetGroups=true`)).body.data
        .userCreated,
      true,
    );
  });
  test('a duplicate name gets 310069, an unsupported evaluation type a clear "not supported" error', async () => {
    await call('POST', '/v3/targetGroups', countGroup('ucc_dup'));
    const dup = await call('POST', '/v3/targetGroups', countGroup('ucc_dup'));
    assert.equal(dup.status, 409);
    assert.equal(dup.body.errors[0].code, 310069);
    const cyclic = await call(
      'POST',
      '/v3/targetGroups',
      countGroup('ucc_cyclic', { targetEvaluationType: 'CYCLIC_WINDOW' }),
    );
    assert.equal(cyclic.status, 400);
    assert.equal(cyclic.body.errors[0].code, 310905);
    assert.match(cyclic.body.errors[0].message, /not supported/);
  });
  test("PUT changes a group name and a target rule's default values", async () => {
    const tg = (await call('POST', '/v3/targetGroups', countGroup('ucc_edit'))).body.data;
    const renamed = await call('PUT', `/v3/targetGroups/${tg.id}`, { name: 'ucc_edit_renamed' });
    assert.equal(renamed.body.data.name, 'ucc_edit_renamed');
    const t = await call('PUT', `/v3/targetGroups/${tg.id}/targets/${tg.targets[0].id}`, {
      defaultValues: [{ defaultValue: 3 }, { defaultValue: '4.00' }],
    });
    assert.equal(t.status, 200);
    assert.deepEqual(
      t.body.data.defaultValues.map((d: any) => d.defaultValue),
      [3, 4],
    );
    const bad = await call('PUT', `/v3/targetGroups/${tg.id}/targets/${tg.targets[0].id}`, {
      eventName: 'stepsLogged',
    });
    assert.equal(bad.status, 400);
  });
  test('GET /v3/milestones filters by type, name and status and paginates', async () => {
    const all = await call('GET', '/v3/milestones?includeUserCreatedTargetGroups=true&limit=100');
    assert.ok(all.body.pagination.total >= 3);
    const streaks = await call('GET', '/v3/milestones?includeUserCreatedTargetGroups=true&type=STREAKS');
    assert.ok(streaks.body.data.every((g: any) => g.trackingType === 'STREAKS'));
    const page = await call('GET', '/v3/milestones?includeUserCreatedTargetGroups=true&limit=1&offset=1');
    assert.equal(page.body.data.length, 1);
    assert.deepEqual(
      { limit: page.body.pagination.limit, offset: page.body.pagination.offset },
      { limit: 1, offset: 1 },
    );
    const named = await call('GET', '/v3/milestones?includeUserCreatedTargetGroups=true&name=ucc_count');
    assert.deepEqual(
      named.body.data.map((g: any) => g.name),
      ['ucc_count'],
    );
    const ended = await call('GET', '/v3/milestones?includeUserCreatedTargetGroups=true&status=ENDED&name=ucc_count');
    assert.equal(ended.body.data.length, 1);
    assert.equal((await call('GET', '/v3/milestones')).body.data.length, 0, 'UCC groups are left out by default');
    assert.equal((await call('GET', '/v3/milestones?limit=500')).status, 400);
  });
  test('the status, active-only and target-on filters run in the database and agree with each group as rendered', async () => {
    const today = new Date(app.ctx.clock.now()).toISOString().slice(0, 10);
    const made: Record<string, number> = {};
    for (const [name, fromDate, type] of [
      ['f_ended', '2026-01-01', 'COUNT'],
      ['f_upcoming', '2099-01-01', 'COUNT'],
      ['f_live', today, 'COUNT'],
      ['f_stopped', today, 'COUNT'],
      ['f_visit', today, 'VISIT'],
    ] as const) {
      const rule = {
        ...countGroup(name).targets[0],
        targetType: type,
        defaultValues: Array(3).fill({ defaultValue: 1 }),
      };
      const r = await call(
        'POST',
        '/v3/targetGroups',
        countGroup(name, { fromDate, totalPeriods: 3, targets: [rule] }),
      );
      assert.equal(r.status, 200, JSON.stringify(r.body));
      made[name] = r.body.data.id;
    }
    assert.equal((await call('PUT', `/v3/targetGroups/${made.f_stopped}`, { active: false })).status, 200);
    const names = async (q: string) =>
      (await call('GET', `/v3/milestones?includeUserCreatedTargetGroups=true&limit=100&name=f_&${q}`)).body.data.map(
        (g: any) => [g.name, g.status],
      );
    assert.deepEqual(await names('status=LIVE'), [
      ['f_live', 'LIVE'],
      ['f_visit', 'LIVE'],
    ]);
    assert.deepEqual(await names('status=ENDED'), [['f_ended', 'ENDED']]);
    assert.deepEqual(await names('status=UPCOMING'), [['f_upcoming', 'UPCOMING']]);
    assert.deepEqual(await names('status=STOPPED'), [['f_stopped', 'STOPPED']]);
    assert.deepEqual(await names('target-on=VISIT'), [['f_visit', 'LIVE']]);
    // An empty filter filters nothing, as before the filters moved into the database; a comma matches nothing.
    const all = await names('');
    assert.equal(all.length, 5);
    assert.deepEqual(await names('type='), all);
    assert.deepEqual(await names('target-on='), all);
    assert.deepEqual(await names('target-on=COUNT,VISIT'), []);
    const active = await call('GET', '/v3/targetGroups?includeUserCreatedTargetGroups=true&includeOnlyActive=true');
    const activeNames = active.body.data.map((g: any) => g.name).filter((n: string) => n.startsWith('f_'));
    assert.deepEqual(activeNames, ['f_live', 'f_visit']);
    assert.deepEqual(active.body.pagination, { limit: 100, offset: 0, total: active.body.data.length });
    assert.equal(active.body.warnings, null, 'everything fits: no warning');
    // Names compare without case beyond A–Z, as JavaScript folds them.
    const accented = countGroup('f_Été', { fromDate: today, totalPeriods: 3 });
    accented.targets = [
      { ...countGroup('x').targets[0], name: 'f_ete_rule', defaultValues: Array(3).fill({ defaultValue: 1 }) },
    ] as never;
    assert.equal((await call('POST', '/v3/targetGroups', accented)).status, 200);
    const found = await call('GET', '/v3/milestones?includeUserCreatedTargetGroups=true&name=%C3%A9t%C3%A9');
    assert.deepEqual(
      found.body.data.map((g: any) => g.name),
      ['f_Été'],
    );
  });
});

describe('enrolment and promotions', () => {
  let tg: any;
  before(async () => {
    tg = (await call('POST', '/v3/targetGroups', streakGroupBody('ucc_enrol', '2026-01-10', 3, 8, 3))).body.data;
  });
  test('enrols from a period, refuses a second enrolment (310119), an unknown user (310011) and period (310019)', async () => {
    const url = `/v3/targetGroups/${tg.id}/targets/${tg.targets[0].id}`;
    const ok = await call('POST', `${url}/enroll`, [{ customerId: 1003, periodName: 'Day_1' }]);
    assert.deepEqual(ok.body, { data: 1003, errors: null, warnings: null });
    const again = await call('POST', `${url}/enroll`, [{ customerId: 1003, periodName: 'Day_1' }]);
    assert.equal(again.status, 409);
    assert.equal(again.body.errors[0].code, 310119);
    assert.equal(
      (await call('POST', `${url}/enroll`, [{ customerId: 999999, periodName: 'Day_1' }])).body.errors[0].code,
      310011,
    );
    assert.equal(
      (await call('POST', `${url}/enroll`, [{ customerId: 1002, periodName: 'Nope' }])).body.errors[0].code,
      310019,
    );
    const un = await call('POST', `${url}/unEnroll`, [{ customerId: 1003 }]);
    assert.deepEqual(un.body, { data: 1003, errors: null, warnings: null });
    const unAgain = await call('POST', `${url}/unEnroll`, [{ customerId: 1003 }]);
    assert.equal(unAgain.status, 409);
    assert.equal(unAgain.body.errors[0].code, 310908);
  });
  test('enrol body must be a JSON array', async () => {
    const r = await call('POST', `/v3/targetGroups/${tg.id}/targets/${tg.targets[0].id}/enroll`, { customerId: 1003 });
    assert.equal(r.status, 400);
    assert.equal(r.body.errors[0].code, 300004);
  });
  test('creates the UCC promotion (promotionType case-insensitive) and lists it with sourceType=USER_CREATED', async () => {
    const r = await call(
      'POST',
      '/api_gateway/loyalty/v1/programs/1/createPromotion/SIMPLE',
      uccPromotionBody('ucc_enrol', tg.id, tg.targets[0].id, tg.targets[0].name, 1),
    );
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.status, { code: 200, message: 'success' });
    assert.equal(r.body.data[0].eventName, 'TARGETCOMPLETED');
    assert.deepEqual(r.body.data[0].promotionRestrictions.targetGroupIds, [tg.id]);
    for (const path of ['promotionsV2', 'userCreatedPromotions']) {
      const list = await call(
        'GET',
        `/api_gateway/loyalty/v1/programs/1/${path}?limit=10&offset=0&sourceType=USER_CREATED`,
      );
      assert.equal(list.status, 200);
      assert.ok(list.body.promotions.some((p: any) => p.promotionId === String(r.body.data[0].id)));
      assert.equal(list.body.pageDetails.pageSize, 10);
    }
  });
  test('refuses promotions that break the documented rules with 4003, 4007, 4011, 4074, 4075, 4076, 4079, 4080', async () => {
    const good = () => uccPromotionBody('ucc_promo_rules', tg.id, tg.targets[0].id, tg.targets[0].name, 1) as any;
    const cases: [(b: any) => void, number][] = [
      [
        (b) => {
          b.promotion.promotionRestrictions.targetGroupIds = [];
        },
        4074,
      ],
      [
        (b) => {
          b.promotion.rulesetInfos.push(b.promotion.rulesetInfos[0]);
        },
        4075,
      ],
      [
        (b) => {
          delete b.promotion.rulesetInfos[0].endpointName;
        },
        4076,
      ],
      [
        (b) => {
          delete b.promotion.promotionSourceType;
        },
        4079,
      ],
      [
        (b) => {
          b.promotion.rulesetInfos[0].rules[0].caseToActions.true[0].mandatoryPropertiesValues.AwardStrategy = '';
        },
        4080,
      ],
      [
        (b) => {
          b.promotion.startDate = '';
        },
        4011,
      ],
      [
        (b) => {
          b.promotion.name = 'ucc_enrol_promo';
        },
        4003,
      ],
      [
        (b) => {
          b.promotion.identifier = 'ucc_enrol_promo_id';
        },
        4007,
      ],
    ];
    for (const [mutate, code] of cases) {
      const b = good();
      mutate(b);
      const r = await call('POST', '/api_gateway/loyalty/v1/programs/1/createPromotion/simple', b);
      assert.ok(r.status >= 400 && r.status < 500, `code ${code} answers 4xx`);
      assert.equal(r.body.validationErrors[0].code, code);
    }
    const noucc = await call('POST', '/api_gateway/loyalty/v1/programs/1/createPromotion/simple', good(), NOUCC);
    assert.equal(noucc.status, 403, 'UCC is off for the other org');
    assert.equal(noucc.body.validationErrors[0].code, 310901);
  });
});

describe('the fitness story through the Capillary API alone', () => {
  test('8 glasses on each of 7 days gives alice exactly 100 points; missing day 4 gives bob 0; replays change nothing', async () => {
    const ev = await call('POST', '/v2/events', {
      eventName: 'glassesLogged',
      actions: ['EMFConsumer'],
      fields: [
        { name: 'customer', type: 'customer' },
        { name: 'glasses', type: 'double', attributes: { isRequired: { valueType: 'Boolean', value: 'true' } } },
      ],
    });
    assert.equal(ev.status, 200);
    const group = streakGroupBody('ucc_water_week', '2026-03-02', 7, 8, 7);
    group.targets[0].eventName = 'glassesLogged';
    const tg = (await call('POST', '/v3/targetGroups', group)).body.data;
    assert.equal(tg.trackingType, 'STREAKS');
    const promo = await call(
      'POST',
      '/api_gateway/loyalty/v1/programs/1/createPromotion/simple',
      uccPromotionBody('ucc_water_week', tg.id, tg.targets[0].id, tg.targets[0].name, 1),
    );
    assert.equal(promo.status, 200);
    const enrol = await call('POST', `/v3/targetGroups/${tg.id}/targets/${tg.targets[0].id}/enroll`, [
      { customerId: 1001, periodName: 'Day_1' },
      { customerId: 1002, periodName: 'Day_1' },
    ]);
    assert.deepEqual(enrol.body.data, [1001, 1002]);
    const post = (customer: string, day: number) =>
      call('POST', '/webhooks/demo', {
        event_name: 'glassesLogged',
        customer_id: customer,
        external_event_id: `story-${customer}-${day}`,
        glasses: 8,
        eventDateTime: `2026-03-${String(2 + day).padStart(2, '0')} 09:30:00`,
      });
    for (let day = 0; day < 7; day++) {
      const a = await post('1001', day);
      assert.equal(a.status, 200);
      assert.equal(a.body.status.code, 1100);
      if (day !== 3) assert.equal((await post('bob', day)).status, 200);
    }
    const balance = async (id: string) =>
      (
        await call(
          'GET',
          `/v2/customers/lookup/points/balance?source=INSTORE&identifierName=externalId&identifierValue=${id}`,
        )
      ).body;
    assert.equal((await balance('alice')).mainPoints, 100);
    assert.equal((await balance('bob')).mainPoints, 0);
    for (let day = 0; day < 7; day++) await post('1001', day);
    assert.equal((await balance('alice')).mainPoints, 100, 'the same external_event_ids are counted once');
    const progress = await call('GET', '/v3/users/1001/targetGroups?includeUserCreatedTargetGroups=true');
    const mine = progress.body.data.targetGroups.find((g: any) => g.id === tg.id);
    assert.equal(mine.targets.length, 7);
    assert.ok(mine.targets.every((t: any) => t.targetValue === 8 && t.targetAchievedValue === 8));
    assert.equal(mine.streaks[0].status, 'ACHIEVED');
    assert.equal(mine.streaks[0].totalTargetCountOfSequence, 7);
    const bobs = (
      await call('GET', '/v3/users/1002/targetGroups?includeUserCreatedTargetGroups=true')
    ).body.data.targetGroups.find((g: any) => g.id === tg.id);
    assert.equal(bobs.streaks[0].status, 'IN_PROGRESS');
    const ledger = await call('GET', '/v2/customers/1001/loyaltyEvents');
    assert.deepEqual(
      ledger.body.data.map((l: any) => [l.eventType, l.points]),
      [['EARN', 100]],
    );
    // unenrolling keeps rewards already given
    await call('POST', `/v3/targetGroups/${tg.id}/targets/${tg.targets[0].id}/unEnroll`, [{ customerId: 1001 }]);
    assert.equal((await balance('alice')).mainPoints, 100);
    const active = await call('GET', '/v3/users/1002/enrolledTargets?includeOnlyUserCreated=true');
    assert.ok(active.body.data.some((t: any) => t.targetGroupId === tg.id && t.enrolmentMethod === 'IMPORT'));
    const active2 = await call('GET', '/v3/users/1002/enrolledTargets?includeUserCreatedTargetGroups=true');
    assert.ok(active2.body.data.some((t: any) => t.targetGroupId === tg.id));
    assert.ok(
      !(await call('GET', '/v3/users/1002/enrolledTargets')).body.data.some((t: any) => t.targetGroupId === tg.id),
    );
  });
});

describe('webhook event occurrences', () => {
  test('an unknown event, a missing required field or a wrong field type is refused and records nothing', async () => {
    const cases: [Record<string, unknown>, number][] = [
      [{ event_name: 'nopeLogged', customer_id: 'alice', external_event_id: 'bad-1' }, 1830],
      [{ event_name: 'waterLogged', customer_id: 'alice', external_event_id: 'bad-2' }, 1802],
      [{ event_name: 'waterLogged', customer_id: 'alice', external_event_id: 'bad-3', glasses: 'lots' }, 1831],
      [{ event_name: 'waterLogged', customer_id: 'zed', external_event_id: 'bad-4', glasses: 1 }, 1832],
      [
        {
          event_name: 'waterLogged',
          customer_id: 'alice',
          external_event_id: 'bad-5',
          glasses: 1,
          eventDateTime: 'yesterday',
        },
        1833,
      ],
    ];
    for (const [body, code] of cases) {
      const r = await call('POST', '/webhooks/demo', body);
      assert.equal(r.status, 400);
      assert.equal(r.body.status.code, code);
      assert.ok(r.body.requestId);
    }
    // the same ids now succeed, so none of them was recorded by the refused calls
    const ok = await call('POST', '/webhooks/demo', {
      event_name: 'waterLogged',
      customer_id: 'alice',
      external_event_id: 'bad-2',
      glasses: 1,
    });
    assert.match(ok.body.status.message, /pushed/);
  });
  test("another organisation's credentials cannot post to this webhook", async () => {
    const r = await call(
      'POST',
      '/webhooks/demo',
      { event_name: 'waterLogged', customer_id: 'alice', glasses: 1 },
      NOUCC,
    );
    assert.equal(r.status, 404);
    assert.equal(
      (await call('POST', '/webhooks/demo', { event_name: 'waterLogged', customer_id: 'alice', glasses: 1 }, null))
        .status,
      401,
    );
  });
  test('a non-JSON body is refused with 415 in the webhook envelope', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/webhooks/demo',
      payload: 'x=1',
      headers: { 'content-type': 'text/plain', authorization: DEMO },
    });
    assert.equal(res.statusCode, 415);
    assert.equal(res.json().status.code, 300004);
  });
});

describe('customers and points', () => {
  test('registers a customer by externalId, looks them up, refuses duplicates (8016) and unknowns (8015)', async () => {
    const r = await call('POST', '/v2/customers', {
      profiles: [{ identifiers: [{ type: 'externalId', value: 'dave' }] }],
    });
    assert.equal(r.status, 200);
    assert.ok(r.body.createdId > 1003);
    assert.equal((await call('POST', '/v2/customers', { externalId: 'dave' })).body.errors[0].code, 8016);
    const look = await call('GET', '/v2/customers/lookup?identifierName=externalId&identifierValue=dave');
    assert.equal(look.body.id, r.body.createdId);
    const missing = await call(
      'GET',
      '/v2/customers/lookup/points/balance?identifierName=externalId&identifierValue=nobody',
    );
    assert.equal(missing.status, 404);
    assert.equal(missing.body.errors[0].code, 8015);
  });
});

describe('organisation isolation', () => {
  test("one organisation cannot read or change another's groups, customers or ledger", async () => {
    const tg = (await call('GET', '/v3/targetGroups?includeUserCreatedTargetGroups=true')).body.data[0];
    assert.equal(
      (await call('GET', `/v3/targetGroups/${tg.id}?includeUserCreatedTargetGroups=true`, undefined, NOUCC)).status,
      404,
    );
    assert.equal((await call('PUT', `/v3/targetGroups/${tg.id}`, { name: 'hijack' }, NOUCC)).status, 404);
    assert.equal(
      (
        await call(
          'POST',
          `/v3/targetGroups/${tg.id}/targets/${tg.targets[0].id}/enroll`,
          [{ customerId: 1001, periodName: 'Cycle_1' }],
          NOUCC,
        )
      ).status,
      404,
    );
    assert.equal((await call('GET', '/v3/users/1001/targetGroups', undefined, NOUCC)).body.errors[0].code, 310011);
    assert.equal(
      (
        await call(
          'GET',
          '/v2/customers/lookup/points/balance?identifierName=externalId&identifierValue=alice',
          undefined,
          NOUCC,
        )
      ).status,
      404,
    );
    assert.equal((await call('GET', '/v2/customers/1001/loyaltyEvents', undefined, NOUCC)).status, 404);
    assert.equal(
      (await call('GET', '/v3/targetGroups?includeUserCreatedTargetGroups=true', undefined, NOUCC)).body.data.length,
      0,
    );
    assert.equal(
      (await call('GET', `/v3/targetGroups/${tg.id}?includeUserCreatedTargetGroups=true`)).body.data.name,
      tg.name,
      'unchanged',
    );
  });
});
