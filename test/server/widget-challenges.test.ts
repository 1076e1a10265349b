import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import type { Challenge, Template } from '../../contract/widget-api.js';
import { demoTemplates } from '../../server/seed.js';
import { minQuantity } from '../../server/engine/org.js';
import { errorOf, jsonOf, wcall, widgetApp, widgetToken } from './helpers.js';

const water = { templateId: 'water', target: 8, period: 'DAILY', periods: 7 };
const DAY = 86_400_000;

async function counts(app: FastifyInstance) {
  return app.ctx.store.read(async (tx) => ({
    groups: (await tx.pageTargetGroups('demo', { includeUserCreated: true, offset: 0, limit: 0 })).total,
    promotions: (await tx.listPromotions('demo', 1, { includeInactive: true, limit: 1000, offset: 0 })).total,
    enrolments: (await tx.listEnrolmentsForCustomer(1001, { activeOnly: false })).length,
    challenges: (await tx.listChallenges(1001)).length,
  }));
}

describe('templates and the customer', () => {
  let app: FastifyInstance;
  let token: string;
  before(async () => {
    app = await widgetApp();
    token = await widgetToken('alice');
  });
  after(() => app.close());

  it("GET /templates lists the brand's templates, its policy and the customer's time zone", async () => {
    const body = jsonOf(await wcall(app, 'GET', 'templates', { token }), 200);
    assert.deepEqual(
      body.templates,
      demoTemplates.map(({ i18n: _, ...t }) => ({ ...t, minQuantity: minQuantity(t) })),
      "in English, without the translations, with each log's minimum",
    );
    assert.deepEqual(
      body.templates.map((t: Template) => t.minQuantity),
      [0.000001, 0.000001, 1, 0.000001],
    );
    assert.deepEqual(
      body.templates.map((t: { id: string }) => t.id),
      ['water', 'steps', 'workouts', 'meditation'],
    );
    assert.deepEqual(body.policy, { maxActiveChallenges: 5, backfillHours: 48, monthlyPointsCap: 1000 });
    assert.equal(body.timeZone, 'UTC');
  });

  it('PATCH /me sets an IANA time zone, which GET /me and /templates then report', async () => {
    assert.deepEqual(jsonOf(await wcall(app, 'PATCH', 'me', { token, body: { timeZone: 'America/New_York' } }), 200), {
      id: 'alice',
      timeZone: 'America/New_York',
      balance: 0,
    });
    assert.equal(jsonOf(await wcall(app, 'GET', 'me', { token }), 200).timeZone, 'America/New_York');
    assert.equal(jsonOf(await wcall(app, 'GET', 'templates', { token }), 200).timeZone, 'America/New_York');
  });

  it('PATCH /me refuses a name that is not an IANA time zone with 422 INVALID_TIME_ZONE', async () => {
    errorOf(
      await wcall(app, 'PATCH', 'me', { token, body: { timeZone: 'Mars/Olympus_Mons' } }),
      422,
      'INVALID_TIME_ZONE',
    );
    errorOf(await wcall(app, 'PATCH', 'me', { token, body: { timeZone: 'CEST+2' } }), 422, 'INVALID_TIME_ZONE');
    errorOf(
      await wcall(app, 'PATCH', 'me', { token, body: { timeZone: 'UTC', balance: 1e6 } }),
      400,
      'VALIDATION_FAILED',
    );
    assert.equal(jsonOf(await wcall(app, 'GET', 'me', { token }), 200).balance, 0);
  });
});

describe('creating a challenge', () => {
  let app: FastifyInstance;
  let token: string;
  beforeEach(async () => {
    app = await widgetApp();
    token = await widgetToken('alice');
  });
  const done = () => app.close();

  it('answers 201 with the challenge and its empty progress, periods starting today', async () => {
    try {
      const { challenge: c } = jsonOf(await wcall(app, 'POST', 'me/challenges', { token, body: water }), 201) as {
        challenge: Challenge;
      };
      const today = DateTime.fromMillis(app.ctx.clock.now(), { zone: 'UTC' }).startOf('day');
      assert.match(c.id, /^\d+$/);
      assert.equal(c.templateId, 'water');
      assert.equal(c.name, 'Drink water');
      assert.equal(c.eventName, 'waterLogged');
      assert.deepEqual(c.unit, { one: 'glass', other: 'glasses' });
      assert.equal(c.aggregation, 'SUM');
      assert.equal(c.target, 8);
      assert.equal(c.period, 'DAILY');
      assert.equal(c.periodCount, 7);
      assert.equal(c.timeZone, 'UTC');
      assert.equal(c.startsAt, today.toUTC().toISO());
      assert.equal(c.endsAt, today.plus({ days: 7 }).toUTC().toISO());
      assert.equal(c.status, 'active');
      assert.equal(c.periods.length, 7);
      assert.deepEqual(c.periods[0], {
        index: 0,
        start: c.startsAt,
        end: today.plus({ days: 1 }).toUTC().toISO(),
        date: today.toISODate(),
        value: 0,
        target: 8,
        achieved: false,
        state: 'current',
      });
      assert.deepEqual(
        c.periods.slice(1).map((p) => p.state),
        Array(6).fill('ahead'),
      );
      assert.equal(c.currentPeriod, 0);
      assert.deepEqual(c.streak, { current: 0, best: 0, required: 7 });
      assert.equal(c.daysLeft, 7);
      assert.deepEqual(c.reward, { points: 70, earned: 0 });
      // the same challenge is stored: a user-created STREAKS group with one IMPORT rule, a UCC promotion and the enrolment
      const tg = (await app.ctx.store.read(async (tx) => {
        const { ids } = await tx.pageTargetGroups('demo', { includeUserCreated: true, offset: 0, limit: 1 });
        return tx.getTargetGroup('demo', ids[0]);
      }))!;
      assert.equal(tg.userCreated, true);
      assert.equal(tg.trackingType, 'STREAKS');
      assert.equal(tg.targets.length, 1);
      assert.equal(tg.targets[0].enrolmentMethod, 'IMPORT');
      assert.equal(tg.targets[0].targetType, 'EVENT_ATTRIBUTE');
      assert.deepEqual(
        tg.streaks.map((s) => s.targetCountOfSequence),
        [7],
      );
      assert.deepEqual(await counts(app), { groups: 1, promotions: 1, enrolments: 1, challenges: 1 });
    } finally {
      await done();
    }
  });

  it('stores the trimmed name as given and never interprets it', async () => {
    try {
      const html = '  <img src=x onerror=alert(1)> & "water"  ';
      const { challenge } = jsonOf(
        await wcall(app, 'POST', 'me/challenges', { token, body: { ...water, name: html } }),
        201,
      );
      assert.equal(challenge.name, html.trim());
      const again = jsonOf(await wcall(app, 'GET', `me/challenges/${challenge.id}`, { token }), 200);
      assert.equal(again.challenge.name, html.trim());
    } finally {
      await done();
    }
  });

  it("builds the periods in the customer's time zone", async () => {
    try {
      jsonOf(await wcall(app, 'PATCH', 'me', { token, body: { timeZone: 'Asia/Tokyo' } }), 200);
      const { challenge: c } = jsonOf(await wcall(app, 'POST', 'me/challenges', { token, body: water }), 201);
      const today = DateTime.fromMillis(app.ctx.clock.now(), { zone: 'Asia/Tokyo' }).startOf('day');
      assert.equal(c.timeZone, 'Asia/Tokyo');
      assert.equal(c.startsAt, today.toUTC().toISO());
      assert.equal(c.periods[0].date, today.toISODate());
    } finally {
      await done();
    }
  });

  it("creates a WEEKLY count challenge with 7-day periods from today and the template's reward rule", async () => {
    try {
      const { challenge: c } = jsonOf(
        await wcall(app, 'POST', 'me/challenges', {
          token,
          body: { templateId: 'workouts', target: 3, period: 'WEEKLY', periods: 4, name: 'Gym' },
        }),
        201,
      );
      assert.equal(c.aggregation, 'COUNT');
      assert.equal(c.periods.length, 4);
      assert.equal(Date.parse(c.periods[1].start) - Date.parse(c.periods[0].start), 7 * DAY);
      assert.equal(Date.parse(c.endsAt) - Date.parse(c.startsAt), 28 * DAY);
      assert.deepEqual(c.reward, { points: 160, earned: 0 });
      assert.equal(c.daysLeft, 28);
    } finally {
      await done();
    }
  });

  it("caps the promised reward at the template's maxPoints", async () => {
    try {
      const { challenge } = jsonOf(
        await wcall(app, 'POST', 'me/challenges', { token, body: { ...water, periods: 30 } }),
        201,
      );
      assert.deepEqual(challenge.reward, { points: 200, earned: 0 });
    } finally {
      await done();
    }
  });

  const refusals: [string, Record<string, unknown>, number, string, Record<string, unknown>?][] = [
    ['an unknown template', { ...water, templateId: 'yoga' }, 404, 'TEMPLATE_NOT_FOUND'],
    ['a period the template does not allow', { ...water, period: 'WEEKLY' }, 422, 'PERIOD_NOT_ALLOWED'],
    ["a target above the template's bound", { ...water, target: 21 }, 422, 'TARGET_OUT_OF_RANGE', { min: 1, max: 20 }],
    [
      "a target below the template's bound",
      { templateId: 'steps', target: 999, period: 'DAILY', periods: 7 },
      422,
      'TARGET_OUT_OF_RANGE',
      { min: 1000, max: 50000 },
    ],
    [
      'a fractional target for a count',
      { templateId: 'workouts', target: 2.5, period: 'WEEKLY', periods: 4 },
      422,
      'TARGET_OUT_OF_RANGE',
    ],
    ['too few periods', { ...water, periods: 2 }, 422, 'LENGTH_OUT_OF_RANGE', { min: 3, max: 30 }],
    ['too many periods', { ...water, periods: 31 }, 422, 'LENGTH_OUT_OF_RANGE', { min: 3, max: 30 }],
    ['a blank name', { ...water, name: '   ' }, 422, 'NAME_INVALID'],
    ['a name over 80 characters', { ...water, name: 'n'.repeat(81) }, 422, 'NAME_INVALID'],
    ['a zero target', { ...water, target: 0 }, 400, 'VALIDATION_FAILED'],
    ['a period type that does not exist', { ...water, period: 'HOURLY' }, 400, 'VALIDATION_FAILED'],
  ];
  for (const [what, body, status, code, details] of refusals) {
    it(`refuses ${what} with ${status} ${code} and writes nothing`, async () => {
      try {
        const err = errorOf(await wcall(app, 'POST', 'me/challenges', { token, body }), status, code);
        if (details) assert.deepEqual(err.details, details);
        assert.deepEqual(await counts(app), { groups: 0, promotions: 0, enrolments: 0, challenges: 0 });
      } finally {
        await done();
      }
    });
  }

  it('refuses a sixth active challenge with 409 MAX_ACTIVE_CHALLENGES; leaving one frees a slot', async () => {
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++)
        ids.push(jsonOf(await wcall(app, 'POST', 'me/challenges', { token, body: water }), 201).challenge.id);
      const err = errorOf(
        await wcall(app, 'POST', 'me/challenges', { token, body: water }),
        409,
        'MAX_ACTIVE_CHALLENGES',
      );
      assert.deepEqual(err.details, { max: 5 });
      assert.equal((await counts(app)).groups, 5);
      jsonOf(await wcall(app, 'DELETE', `me/challenges/${ids[0]}`, { token }), 200);
      jsonOf(await wcall(app, 'POST', 'me/challenges', { token, body: water }), 201);
      // other customers have their own allowance
      jsonOf(await wcall(app, 'POST', 'me/challenges', { token: await widgetToken('bob'), body: water }), 201);
    } finally {
      await done();
    }
  });

  it('a failure half-way through leaves nothing behind and is answered as a masked 500', async () => {
    try {
      // A template whose reward matches no award strategy fails after the target group was written.
      const org = app.ctx.orgs.get('demo')!;
      const broken = { ...demoTemplates[0], id: 'broken', reward: { pointsPerPeriod: 7, maxPoints: 77 } };
      await app.ctx.store.tx((tx) => tx.putOrg({ ...org, templates: [...org.templates, broken] }));
      await app.ctx.orgs.load();
      const err = errorOf(
        await wcall(app, 'POST', 'me/challenges', { token, body: { ...water, templateId: 'broken' } }),
        500,
        'INTERNAL',
      );
      assert.doesNotMatch(err.message, /strategy|broken|Error/);
      assert.deepEqual(await counts(app), { groups: 0, promotions: 0, enrolments: 0, challenges: 0 });
      jsonOf(await wcall(app, 'POST', 'me/challenges', { token, body: water }), 201); // and the store is still usable
    } finally {
      await done();
    }
  });

  it('replays a create with the same Idempotency-Key byte for byte, creating one challenge', async () => {
    try {
      const first = await wcall(app, 'POST', 'me/challenges', { token, body: water, key: 'create-1' });
      jsonOf(first, 201);
      const again = await wcall(app, 'POST', 'me/challenges', { token, body: water, key: 'create-1' });
      jsonOf(again, 201);
      assert.equal(again.body, first.body);
      assert.equal((await counts(app)).challenges, 1);
      errorOf(
        await wcall(app, 'POST', 'me/challenges', { token, body: { ...water, target: 9 }, key: 'create-1' }),
        422,
        'IDEMPOTENCY_KEY_REUSED',
      );
      // the key is the customer's own: bob may use the same string
      jsonOf(
        await wcall(app, 'POST', 'me/challenges', { token: await widgetToken('bob'), body: water, key: 'create-1' }),
        201,
      );
      assert.equal((await counts(app)).challenges, 1);
    } finally {
      await done();
    }
  });

  it('does not remember a refused create: the key can be used again for a corrected request', async () => {
    try {
      errorOf(
        await wcall(app, 'POST', 'me/challenges', { token, body: { ...water, target: 99 }, key: 'k2' }),
        422,
        'TARGET_OUT_OF_RANGE',
      );
      jsonOf(await wcall(app, 'POST', 'me/challenges', { token, body: water, key: 'k2' }), 201);
    } finally {
      await done();
    }
  });
});

describe('reading and leaving challenges', () => {
  let app: FastifyInstance;
  let token: string;
  let ids: string[];
  before(async () => {
    app = await widgetApp();
    token = await widgetToken('alice');
    ids = [];
    for (const body of [water, { templateId: 'meditation', target: 10, period: 'DAILY', periods: 3 }]) {
      ids.push(jsonOf(await wcall(app, 'POST', 'me/challenges', { token, body }), 201).challenge.id);
    }
  });
  after(() => app.close());

  it('GET /me/challenges lists every challenge, newest first', async () => {
    const body = jsonOf(await wcall(app, 'GET', 'me/challenges', { token }), 200);
    assert.deepEqual(
      body.challenges.map((c: Challenge) => c.id),
      [ids[1], ids[0]],
    );
    assert.deepEqual(jsonOf(await wcall(app, 'GET', 'me/challenges?status=all', { token }), 200), body);
    assert.deepEqual(jsonOf(await wcall(app, 'GET', 'me/challenges?status=completed', { token }), 200), {
      challenges: [],
    });
  });

  it('GET /me/challenges/{id} answers one challenge; an unknown or malformed id is 404', async () => {
    const { challenge } = jsonOf(await wcall(app, 'GET', `me/challenges/${ids[0]}`, { token }), 200);
    assert.equal(challenge.id, ids[0]);
    assert.equal(challenge.templateId, 'water');
    errorOf(await wcall(app, 'GET', 'me/challenges/999999', { token }), 404, 'CHALLENGE_NOT_FOUND');
    errorOf(await wcall(app, 'GET', 'me/challenges/abc', { token }), 404, 'CHALLENGE_NOT_FOUND');
  });

  it('DELETE /me/challenges/{id} leaves it: status left, unenrolled, no longer active; twice is harmless', async () => {
    const { challenge } = jsonOf(await wcall(app, 'DELETE', `me/challenges/${ids[1]}`, { token }), 200);
    assert.equal(challenge.status, 'left');
    assert.equal(challenge.daysLeft, 0);
    const again = jsonOf(await wcall(app, 'DELETE', `me/challenges/${ids[1]}`, { token }), 200);
    assert.equal(again.challenge.status, 'left');
    const active = jsonOf(await wcall(app, 'GET', 'me/challenges?status=active', { token }), 200);
    assert.deepEqual(
      active.challenges.map((c: Challenge) => c.id),
      [ids[0]],
    );
    const enrolments = await app.ctx.store.read((tx) => tx.listEnrolmentsForCustomer(1001, { activeOnly: true }));
    assert.equal(enrolments.length, 1);
    errorOf(
      await wcall(app, 'POST', 'me/activities', {
        token,
        key: 'after-leave',
        body: { challengeId: ids[1], quantity: 5 },
      }),
      409,
      'CHALLENGE_NOT_ACTIVE',
    );
  });
});
