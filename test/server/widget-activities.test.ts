import { describe, it, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import type { Activity, Challenge, LogActivityResponse } from '../../contract/widget-api.js';
import { errorOf, jsonOf, wcall, widgetApp, widgetToken } from './helpers.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../server/app.js';
import type { Store } from '../../server/store/types.js';
import { testStore } from './store-under-test.js';
import { LogAnswerCache } from '../../server/widget-api/activities.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const water = { templateId: 'water', target: 8, period: 'DAILY', periods: 7 };
let seq = 0;
const key = () => `key-${++seq}`;

async function create(app: FastifyInstance, token: string, body: Record<string, unknown> = water): Promise<Challenge> {
  return jsonOf(await wcall(app, 'POST', 'me/challenges', { token, body }), 201).challenge;
}
async function log(
  app: FastifyInstance,
  token: string,
  body: Record<string, unknown>,
  k = key(),
): Promise<LogActivityResponse> {
  return jsonOf(await wcall(app, 'POST', 'me/activities', { token, key: k, body }), 201);
}
const advance = async (app: FastifyInstance, days: number) =>
  jsonOf(await wcall(app, 'POST', '/demo/clock', { body: { advanceDays: days } }), 200);
const isoAt = (app: FastifyInstance, deltaMs: number) => new Date(app.ctx.clock.now() + deltaMs).toISOString();

describe('logging an activity', () => {
  let app: FastifyInstance;
  let token: string;
  beforeEach(async () => {
    app = await widgetApp();
    token = await widgetToken('alice');
  });
  afterEach(() => app.close());

  it('answers 201 with the activity and the updated progress of the challenge', async () => {
    const c = await create(app, token);
    const before = app.ctx.clock.now();
    const res = await log(app, token, { challengeId: c.id, quantity: 3 });
    const a = res.activity;
    assert.match(a.id, /^\d+$/);
    assert.deepEqual(
      { ...a, id: 'x', occurredAt: 'x', createdAt: 'x' },
      {
        id: 'x',
        challengeId: c.id,
        templateId: 'water',
        eventName: 'waterLogged',
        quantity: 3,
        occurredAt: 'x',
        createdAt: 'x',
        undone: false,
      },
    );
    assert.ok(Math.abs(Date.parse(a.occurredAt) - before) < 2000);
    assert.equal(res.challenges.length, 1);
    assert.equal(res.challenges[0].id, c.id);
    assert.equal(res.challenges[0].periods[0].value, 3);
    assert.equal(res.challenges[0].periods[0].achieved, false);
    assert.deepEqual(res.rewards, []);
  });

  it('updates every active challenge on the same activity, and only those', async () => {
    const a = await create(app, token);
    const b = await create(app, token, { ...water, target: 4, name: 'Small' });
    const m = await create(app, token, { templateId: 'meditation', target: 10, period: 'DAILY', periods: 3 });
    const res = await log(app, token, { templateId: 'water', quantity: 5 });
    assert.equal(res.activity.challengeId, null);
    assert.deepEqual(
      res.challenges.map((c) => [c.id, c.periods[0].value, c.periods[0].achieved]).sort(),
      [
        [a.id, 5, false],
        [b.id, 5, true],
      ].sort(),
    );
    const viaChallenge = await log(app, token, { challengeId: a.id, quantity: 1 });
    assert.equal(viaChallenge.challenges.length, 2, 'logging through one challenge counts for its siblings too');
    const med = jsonOf(await wcall(app, 'GET', `me/challenges/${m.id}`, { token }), 200).challenge;
    assert.equal(med.periods[0].value, 0);
  });

  it('requires an Idempotency-Key: 400 IDEMPOTENCY_KEY_REQUIRED', async () => {
    const c = await create(app, token);
    errorOf(
      await wcall(app, 'POST', 'me/activities', { token, body: { challengeId: c.id, quantity: 1 } }),
      400,
      'IDEMPOTENCY_KEY_REQUIRED',
    );
    errorOf(
      await wcall(app, 'POST', 'me/activities', { token, key: 'has spaces', body: { challengeId: c.id, quantity: 1 } }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('replays the same key with the original answer and changes nothing; another body with it is 422', async () => {
    const c = await create(app, token);
    const first = await wcall(app, 'POST', 'me/activities', {
      token,
      key: 'log-once',
      body: { challengeId: c.id, quantity: 2 },
    });
    jsonOf(first, 201);
    for (let i = 0; i < 3; i++) {
      const again = await wcall(app, 'POST', 'me/activities', {
        token,
        key: 'log-once',
        body: { challengeId: c.id, quantity: 2 },
      });
      assert.equal(again.statusCode, 201);
      assert.equal(again.body, first.body);
    }
    errorOf(
      await wcall(app, 'POST', 'me/activities', { token, key: 'log-once', body: { challengeId: c.id, quantity: 3 } }),
      422,
      'IDEMPOTENCY_KEY_REUSED',
    );
    const now = jsonOf(await wcall(app, 'GET', `me/challenges/${c.id}`, { token }), 200).challenge;
    assert.equal(now.periods[0].value, 2);
    assert.equal(jsonOf(await wcall(app, 'GET', 'me/activities', { token }), 200).activities.length, 1);
  });

  const refusals: [string, (c: Challenge, app: FastifyInstance) => Record<string, unknown>, number, string][] = [
    ['neither challengeId nor templateId', () => ({ quantity: 1 }), 400, 'VALIDATION_FAILED'],
    [
      'a templateId that contradicts the challenge',
      (c) => ({ challengeId: c.id, templateId: 'steps', quantity: 1 }),
      400,
      'VALIDATION_FAILED',
    ],
    ['a zero quantity', (c) => ({ challengeId: c.id, quantity: 0 }), 400, 'VALIDATION_FAILED'],
    ['an unknown challenge', () => ({ challengeId: '987654', quantity: 1 }), 404, 'CHALLENGE_NOT_FOUND'],
    ['an unknown template', () => ({ templateId: 'yoga', quantity: 1 }), 404, 'TEMPLATE_NOT_FOUND'],
    ['more than maxQuantityPerLog', (c) => ({ challengeId: c.id, quantity: 11 }), 422, 'QUANTITY_TOO_LARGE'],
    [
      'a time older than the backfill window',
      (c, a) => ({ templateId: 'water', quantity: 1, occurredAt: isoAt(a, -49 * HOUR) }),
      422,
      'OUTSIDE_BACKFILL_WINDOW',
    ],
    [
      'a time in the future',
      (c, a) => ({ challengeId: c.id, quantity: 1, occurredAt: isoAt(a, 5 * 60_000) }),
      422,
      'OCCURRED_IN_FUTURE',
    ],
    [
      'a time before the challenge started',
      (c, a) => ({ challengeId: c.id, quantity: 1, occurredAt: isoAt(a, -30 * HOUR) }),
      409,
      'CHALLENGE_NOT_ACTIVE',
    ],
    [
      'an occurredAt that is not a date-time',
      (c) => ({ challengeId: c.id, quantity: 1, occurredAt: 'yesterday' }),
      400,
      'VALIDATION_FAILED',
    ],
  ];
  for (const [what, body, status, code] of refusals) {
    it(`refuses ${what} with ${status} ${code} and records nothing`, async () => {
      const c = await create(app, token);
      errorOf(await wcall(app, 'POST', 'me/activities', { token, key: key(), body: body(c, app) }), status, code);
      assert.deepEqual(jsonOf(await wcall(app, 'GET', 'me/activities', { token }), 200), { activities: [] });
      assert.equal(
        jsonOf(await wcall(app, 'GET', `me/challenges/${c.id}`, { token }), 200).challenge.periods[0].value,
        0,
      );
    });
  }

  it('refuses a log that would take the period over maxQuantityPerPeriod with 422 PERIOD_QUANTITY_EXCEEDED', async () => {
    const c = await create(app, token);
    for (let i = 0; i < 3; i++) await log(app, token, { challengeId: c.id, quantity: 10 });
    await log(app, token, { templateId: 'water', quantity: 5 });
    const err = errorOf(
      await wcall(app, 'POST', 'me/activities', { token, key: key(), body: { challengeId: c.id, quantity: 6 } }),
      422,
      'PERIOD_QUANTITY_EXCEEDED',
    );
    assert.deepEqual(err.details, { max: 40, remaining: 5 });
    await log(app, token, { challengeId: c.id, quantity: 5 });
    await advance(app, 1); // a new day has its own allowance
    await log(app, token, { challengeId: c.id, quantity: 10 });
  });

  it("gives back the allowance of an undone log, and counts a backfilled log in its own day's allowance", async () => {
    const c = await create(app, token);
    const first = await log(app, token, { challengeId: c.id, quantity: 10 });
    for (let i = 0; i < 3; i++) await log(app, token, { challengeId: c.id, quantity: 10 });
    errorOf(
      await wcall(app, 'POST', 'me/activities', { token, key: key(), body: { challengeId: c.id, quantity: 1 } }),
      422,
      'PERIOD_QUANTITY_EXCEEDED',
    );
    jsonOf(await wcall(app, 'DELETE', `me/activities/${first.activity.id}`, { token }), 200);
    await log(app, token, { challengeId: c.id, quantity: 10 }); // the undone 10 are free again
    errorOf(
      await wcall(app, 'POST', 'me/activities', { token, key: key(), body: { challengeId: c.id, quantity: 1 } }),
      422,
      'PERIOD_QUANTITY_EXCEEDED',
    );
    await advance(app, 1);
    for (const q of [10, 10, 10, 5]) await log(app, token, { templateId: 'water', quantity: q }); // today: 35 of 40
    const yesterday = isoAt(app, -20 * HOUR);
    errorOf(
      await wcall(app, 'POST', 'me/activities', {
        token,
        key: key(),
        body: { templateId: 'water', quantity: 1, occurredAt: yesterday },
      }),
      422,
      'PERIOD_QUANTITY_EXCEEDED',
    );
    const err = errorOf(
      await wcall(app, 'POST', 'me/activities', { token, key: key(), body: { templateId: 'water', quantity: 6 } }),
      422,
      'PERIOD_QUANTITY_EXCEEDED',
    );
    assert.deepEqual(err.details, { max: 40, remaining: 5 });
    await log(app, token, { templateId: 'water', quantity: 5 });
  });

  it('accepts a time inside the backfill window and a time less than 60 s ahead', async () => {
    await create(app, token);
    const late = await log(app, token, { templateId: 'water', quantity: 1, occurredAt: isoAt(app, -47 * HOUR) });
    assert.deepEqual(late.challenges, [], 'before the challenge began: recorded, counted nowhere');
    const ahead = await log(app, token, { templateId: 'water', quantity: 1, occurredAt: isoAt(app, 30_000) });
    assert.equal(ahead.challenges.length, 1);
  });

  it('counts a backfilled log in the period it happened in', async () => {
    const c = await create(app, token);
    await advance(app, 1);
    const res = await log(app, token, { challengeId: c.id, quantity: 8, occurredAt: isoAt(app, -DAY) });
    assert.deepEqual(
      res.challenges[0].periods.slice(0, 2).map((p) => [p.value, p.state]),
      [
        [8, 'met'],
        [0, 'current'],
      ],
    );
    assert.deepEqual(res.challenges[0].streak, { current: 1, best: 1, required: 7 });
  });
});

describe('activity history', () => {
  let app: FastifyInstance;
  let token: string;
  let c: Challenge;
  const ids: string[] = [];
  before(async () => {
    app = await widgetApp();
    token = await widgetToken('alice');
    c = await create(app, token);
    ids.push((await log(app, token, { challengeId: c.id, quantity: 1 })).activity.id);
    ids.push((await log(app, token, { templateId: 'meditation', quantity: 15 })).activity.id);
    await advance(app, 1);
    ids.push((await log(app, token, { templateId: 'water', quantity: 2 })).activity.id);
  });
  after(() => app.close());

  it('GET /me/activities lists every log, newest first', async () => {
    const { activities } = jsonOf(await wcall(app, 'GET', 'me/activities', { token }), 200) as {
      activities: Activity[];
    };
    assert.deepEqual(
      activities.map((a) => a.id),
      [ids[2], ids[1], ids[0]],
    );
    assert.deepEqual(
      activities.map((a) => a.eventName),
      ['waterLogged', 'meditationLogged', 'waterLogged'],
    );
  });

  it('filters by challenge: every log of its activity while it runs, however it was named', async () => {
    const { activities } = jsonOf(await wcall(app, 'GET', `me/activities?challengeId=${c.id}`, { token }), 200);
    assert.deepEqual(
      activities.map((a: Activity) => a.id),
      [ids[2], ids[0]],
    );
  });

  it('filters by a from/to range, as dates or instants', async () => {
    const today = new Date(app.ctx.clock.now()).toISOString().slice(0, 10);
    const onlyToday = jsonOf(await wcall(app, 'GET', `me/activities?from=${today}&to=${today}`, { token }), 200);
    assert.deepEqual(
      onlyToday.activities.map((a: Activity) => a.id),
      [ids[2]],
    );
    const until = jsonOf(
      await wcall(app, 'GET', `me/activities?to=${encodeURIComponent(isoAt(app, -HOUR * 12))}`, { token }),
      200,
    );
    assert.deepEqual(
      until.activities.map((a: Activity) => a.id),
      [ids[1], ids[0]],
    );
    errorOf(await wcall(app, 'GET', 'me/activities?from=last-week', { token }), 400, 'VALIDATION_FAILED');
    errorOf(await wcall(app, 'GET', 'me/activities?challengeId=424242', { token }), 404, 'CHALLENGE_NOT_FOUND');
  });
});

describe('undoing a log', () => {
  let app: FastifyInstance;
  let token: string;
  beforeEach(async () => {
    app = await widgetApp();
    token = await widgetToken('alice');
  });
  afterEach(() => app.close());

  it('takes the log back while its period is open, recomputing progress', async () => {
    const c = await create(app, token);
    await log(app, token, { challengeId: c.id, quantity: 5 });
    const second = await log(app, token, { challengeId: c.id, quantity: 3 });
    const res = jsonOf(await wcall(app, 'DELETE', `me/activities/${second.activity.id}`, { token }), 200);
    assert.equal(res.activity.id, second.activity.id);
    assert.equal(res.activity.undone, true);
    assert.equal(res.challenges[0].periods[0].value, 5);
    assert.deepEqual(res.reversals, []);
    const listed = jsonOf(await wcall(app, 'GET', 'me/activities', { token }), 200).activities;
    assert.deepEqual(
      listed.map((a: Activity) => a.undone),
      [true, false],
      'history keeps the undone log, marked',
    );
    // undoing twice answers the same without changing anything
    const again = jsonOf(await wcall(app, 'DELETE', `me/activities/${second.activity.id}`, { token }), 200);
    assert.equal(again.challenges[0].periods[0].value, 5);
    errorOf(await wcall(app, 'DELETE', 'me/activities/777777', { token }), 404, 'ACTIVITY_NOT_FOUND');
  });

  it('reverses a reward the log caused with a ledger entry, and a new completing log earns it again once', async () => {
    const c = await create(app, token, { ...water, target: 1, periods: 3 });
    await log(app, token, { challengeId: c.id, quantity: 1 });
    await advance(app, 1);
    await log(app, token, { challengeId: c.id, quantity: 1 });
    await advance(app, 1);
    const done = await log(app, token, { challengeId: c.id, quantity: 1 });
    assert.equal(done.rewards.length, 1);
    assert.equal(done.rewards[0].points, 30);
    assert.equal(done.challenges[0].status, 'completed');
    assert.equal(jsonOf(await wcall(app, 'GET', 'me', { token }), 200).balance, 30);

    const undo = jsonOf(await wcall(app, 'DELETE', `me/activities/${done.activity.id}`, { token }), 200);
    assert.equal(undo.reversals.length, 1);
    assert.deepEqual(
      { ...undo.reversals[0], ledgerEntryId: 'x' },
      { challengeId: c.id, ledgerEntryId: 'x', points: -30, reason: 'Reversed: Completed "Drink water"' },
    );
    assert.equal(undo.challenges[0].status, 'active');
    assert.deepEqual(undo.challenges[0].reward, { points: 30, earned: 0 });
    const points = jsonOf(await wcall(app, 'GET', 'me/points', { token }), 200);
    assert.equal(points.balance, 0);
    assert.deepEqual(
      points.entries.map((e: { type: string; points: number; challengeId: string }) => [
        e.type,
        e.points,
        e.challengeId,
      ]),
      [
        ['REVERSAL', -30, c.id],
        ['EARN', 30, c.id],
      ],
    );

    const redo = await log(app, token, { challengeId: c.id, quantity: 1 });
    assert.equal(redo.rewards.length, 1);
    assert.deepEqual(redo.challenges[0].reward, { points: 30, earned: 30 });
    assert.equal(jsonOf(await wcall(app, 'GET', 'me', { token }), 200).balance, 30);
  });

  it('refuses to undo once the period has closed: 409 PERIOD_CLOSED', async () => {
    const c = await create(app, token);
    const res = await log(app, token, { challengeId: c.id, quantity: 4 });
    await advance(app, 1);
    errorOf(await wcall(app, 'DELETE', `me/activities/${res.activity.id}`, { token }), 409, 'PERIOD_CLOSED');
    assert.equal(
      jsonOf(await wcall(app, 'GET', `me/challenges/${c.id}`, { token }), 200).challenge.periods[0].value,
      4,
    );
  });
});

describe('points', () => {
  it('GET /me/points pages through the ledger, newest first, and the monthly cap bounds the reward', async () => {
    const app = await widgetApp();
    try {
      const org = app.ctx.orgs.get('demo')!;
      await app.ctx.store.tx((tx) => tx.putOrg({ ...org, policy: { ...org.policy, monthlyPointsCap: 50 } }));
      await app.ctx.orgs.load();
      const token = await widgetToken('alice');
      // two challenges on the same activity, completed by the same log; keep the three days inside one calendar month
      const d0 = new Date(app.ctx.clock.now());
      const daysLeftInMonth =
        new Date(Date.UTC(d0.getUTCFullYear(), d0.getUTCMonth() + 1, 0)).getUTCDate() - d0.getUTCDate();
      if (daysLeftInMonth < 2) await advance(app, daysLeftInMonth + 1);
      const cs = [];
      for (let i = 0; i < 2; i++)
        cs.push(
          await create(app, token, { templateId: 'meditation', target: 5, period: 'DAILY', periods: 3, name: `M${i}` }),
        );
      let last!: LogActivityResponse;
      for (let d = 0; d < 3; d++) {
        if (d > 0) await advance(app, 1);
        last = await log(app, token, { templateId: 'meditation', quantity: 5 });
      }
      const earned = cs.map((c) => last.rewards.find((r) => r.challengeId === c.id)?.points);
      assert.deepEqual(earned, [30, 20], 'the second reward is cut to what is left of the monthly cap');
      const p1 = jsonOf(await wcall(app, 'GET', 'me/points?limit=1', { token }), 200);
      assert.equal(p1.balance, 50);
      assert.equal(p1.entries.length, 1);
      assert.equal(p1.entries[0].points, 20);
      assert.equal(p1.entries[0].challengeId, cs[1].id);
      assert.equal(p1.entries[0].description, 'Completed "M1"');
      assert.ok(p1.nextCursor);
      const p2 = jsonOf(await wcall(app, 'GET', `me/points?limit=1&before=${p1.nextCursor}`, { token }), 200);
      assert.deepEqual(
        p2.entries.map((e: { points: number }) => e.points),
        [30],
      );
      assert.equal(p2.nextCursor, null);
    } finally {
      await app.close();
    }
  });
});

describe("authorisation: customer A against customer B's ids", () => {
  it("answers every /me route with 404 and leaves B's data unchanged", async () => {
    const app = await widgetApp();
    try {
      const alice = await widgetToken('alice');
      const bob = await widgetToken('bob');
      await create(app, alice);
      const bc = await create(app, bob);
      const ba = (await log(app, bob, { challengeId: bc.id, quantity: 4 })).activity;
      const snapshot = async () =>
        JSON.stringify([
          jsonOf(await wcall(app, 'GET', `me/challenges/${bc.id}`, { token: bob }), 200),
          jsonOf(await wcall(app, 'GET', 'me/activities', { token: bob }), 200),
          jsonOf(await wcall(app, 'GET', 'me/points', { token: bob }), 200),
          jsonOf(await wcall(app, 'GET', 'me', { token: bob }), 200),
        ]);
      const before = await snapshot();

      errorOf(await wcall(app, 'GET', `me/challenges/${bc.id}`, { token: alice }), 404, 'CHALLENGE_NOT_FOUND');
      errorOf(await wcall(app, 'DELETE', `me/challenges/${bc.id}`, { token: alice }), 404, 'CHALLENGE_NOT_FOUND');
      errorOf(
        await wcall(app, 'POST', 'me/activities', {
          token: alice,
          key: key(),
          body: { challengeId: bc.id, quantity: 1 },
        }),
        404,
        'CHALLENGE_NOT_FOUND',
      );
      errorOf(
        await wcall(app, 'GET', `me/activities?challengeId=${bc.id}`, { token: alice }),
        404,
        'CHALLENGE_NOT_FOUND',
      );
      errorOf(await wcall(app, 'DELETE', `me/activities/${ba.id}`, { token: alice }), 404, 'ACTIVITY_NOT_FOUND');
      // and nothing of bob's shows up in alice's own lists
      assert.ok(
        !jsonOf(await wcall(app, 'GET', 'me/challenges', { token: alice }), 200).challenges.some(
          (c: Challenge) => c.id === bc.id,
        ),
      );
      assert.ok(
        !jsonOf(await wcall(app, 'GET', 'me/activities', { token: alice }), 200).activities.some(
          (a: Activity) => a.id === ba.id,
        ),
      );
      // a log by alice on the same activity touches only her own challenge
      const mine = await log(app, alice, { templateId: 'water', quantity: 2 });
      assert.ok(mine.challenges.every((c) => c.id !== bc.id));

      assert.equal(await snapshot(), before);
    } finally {
      await app.close();
    }
  });
});

describe('concurrency', () => {
  let app: FastifyInstance;
  let token: string;
  beforeEach(async () => {
    app = await widgetApp();
    token = await widgetToken('alice');
  });
  afterEach(() => app.close());

  it('200 parallel logs with distinct keys leave exactly their sum', async () => {
    const c = await create(app, token, { templateId: 'steps', target: 50000, period: 'DAILY', periods: 7 });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        wcall(app, 'POST', 'me/activities', { token, key: `par-${i}`, body: { challengeId: c.id, quantity: i + 1 } }),
      ),
    );
    assert.deepEqual([...new Set(results.map((r) => r.statusCode))], [201]);
    const after = jsonOf(await wcall(app, 'GET', `me/challenges/${c.id}`, { token }), 200).challenge;
    assert.equal(after.periods[0].value, (200 * 201) / 2);
    assert.equal(jsonOf(await wcall(app, 'GET', 'me/activities?limit=500', { token }), 200).activities.length, 200);
  });

  it('200 parallel replays of one key leave exactly one log, all answered alike', async () => {
    const c = await create(app, token);
    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        wcall(app, 'POST', 'me/activities', { token, key: 'same-key', body: { challengeId: c.id, quantity: 3 } }),
      ),
    );
    assert.deepEqual([...new Set(results.map((r) => r.statusCode))], [201]);
    assert.equal(new Set(results.map((r) => r.body)).size, 1);
    const after = jsonOf(await wcall(app, 'GET', `me/challenges/${c.id}`, { token }), 200).challenge;
    assert.equal(after.periods[0].value, 3);
    assert.equal(jsonOf(await wcall(app, 'GET', 'me/activities', { token }), 200).activities.length, 1);
  });

  it('parallel logs cannot overrun the per-period cap', async () => {
    const c = await create(app, token);
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        wcall(app, 'POST', 'me/activities', { token, key: `cap-${i}`, body: { challengeId: c.id, quantity: 1 } }),
      ),
    );
    assert.equal(results.filter((r) => r.statusCode === 201).length, 40);
    assert.equal(results.filter((r) => r.statusCode === 422).length, 20);
    assert.equal(
      jsonOf(await wcall(app, 'GET', `me/challenges/${c.id}`, { token }), 200).challenge.periods[0].value,
      40,
    );
  });
});

describe('replay after the answer left memory (restart or eviction)', () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let token: string;
  const open = () =>
    buildApp({
      store,
      demo: true,
      serveStatic: false,
      rateLimits: { perCustomerPerMinute: 100_000, perIpPerMinute: 100_000 },
    });
  const restart = async () => {
    await app.close();
    app = await open();
  };
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ucc-replay-'));
    store = await testStore(dir, 'replay.db');
    app = await open();
    token = await widgetToken('alice');
  });
  afterEach(async () => {
    await app.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rebuilds the answer from the rows: same activity, current progress, status 201, nothing changes', async () => {
    const c = await create(app, token);
    const first = jsonOf(
      await wcall(app, 'POST', 'me/activities', {
        token,
        key: 'after-restart',
        body: { challengeId: c.id, quantity: 2 },
      }),
      201,
    );
    await log(app, token, { challengeId: c.id, quantity: 3 });
    await restart();
    const again = await wcall(app, 'POST', 'me/activities', {
      token,
      key: 'after-restart',
      body: { challengeId: c.id, quantity: 2 },
    });
    const body = jsonOf(again, 201) as LogActivityResponse;
    assert.deepEqual(body.activity, first.activity);
    assert.deepEqual(
      body.challenges.map((x) => [x.id, x.periods[0].value]),
      [[c.id, 5]],
      'progress as it is now',
    );
    assert.deepEqual(body.rewards, []);
    // the rebuilt answer is then kept: a further replay gets the same bytes
    assert.equal(
      (
        await wcall(app, 'POST', 'me/activities', {
          token,
          key: 'after-restart',
          body: { challengeId: c.id, quantity: 2 },
        })
      ).body,
      again.body,
    );
    errorOf(
      await wcall(app, 'POST', 'me/activities', {
        token,
        key: 'after-restart',
        body: { challengeId: c.id, quantity: 1 },
      }),
      422,
      'IDEMPOTENCY_KEY_REUSED',
    );
    assert.equal(
      jsonOf(await wcall(app, 'GET', `me/challenges/${c.id}`, { token }), 200).challenge.periods[0].value,
      5,
    );
    assert.equal(jsonOf(await wcall(app, 'GET', 'me/activities', { token }), 200).activities.length, 2);
  });

  it('refuses another body with the key straight after a restart: 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const c = await create(app, token);
    await log(app, token, { challengeId: c.id, quantity: 2 }, 'reuse-after-restart');
    await restart();
    errorOf(
      await wcall(app, 'POST', 'me/activities', {
        token,
        key: 'reuse-after-restart',
        body: { templateId: 'water', quantity: 2 },
      }),
      422,
      'IDEMPOTENCY_KEY_REUSED',
    );
    assert.equal(jsonOf(await wcall(app, 'GET', 'me/activities', { token }), 200).activities.length, 1);
  });

  it('finds the reward the log caused through its completion and ledger entry', async () => {
    const c = await create(app, token, { ...water, target: 1, periods: 3 });
    await log(app, token, { challengeId: c.id, quantity: 1 });
    await advance(app, 1);
    await log(app, token, { challengeId: c.id, quantity: 1 });
    await advance(app, 1);
    const done = jsonOf(
      await wcall(app, 'POST', 'me/activities', { token, key: 'completing', body: { challengeId: c.id, quantity: 1 } }),
      201,
    ) as LogActivityResponse;
    assert.equal(done.rewards.length, 1);
    await restart();
    const again = jsonOf(
      await wcall(app, 'POST', 'me/activities', { token, key: 'completing', body: { challengeId: c.id, quantity: 1 } }),
      201,
    ) as LogActivityResponse;
    assert.deepEqual(again, done, 'nothing has changed since, so the rebuilt answer equals the original');
    assert.equal(jsonOf(await wcall(app, 'GET', 'me', { token }), 200).balance, 30);
  });

  it('after an undo, replays the activity as undone and the reward as still found (its ledger entry stays)', async () => {
    const c = await create(app, token, { ...water, target: 1, periods: 3 });
    await log(app, token, { challengeId: c.id, quantity: 1 });
    await advance(app, 1);
    await log(app, token, { challengeId: c.id, quantity: 1 });
    await advance(app, 1);
    const done = jsonOf(
      await wcall(app, 'POST', 'me/activities', {
        token,
        key: 'undone-later',
        body: { challengeId: c.id, quantity: 1 },
      }),
      201,
    ) as LogActivityResponse;
    jsonOf(await wcall(app, 'DELETE', `me/activities/${done.activity.id}`, { token }), 200);
    await restart();
    const again = jsonOf(
      await wcall(app, 'POST', 'me/activities', {
        token,
        key: 'undone-later',
        body: { challengeId: c.id, quantity: 1 },
      }),
      201,
    ) as LogActivityResponse;
    assert.equal(again.activity.id, done.activity.id);
    assert.equal(again.activity.undone, true);
    assert.equal(again.challenges[0].periods[2].value, 0);
    assert.equal(again.challenges[0].status, 'active');
    assert.deepEqual(again.rewards, done.rewards);
    assert.equal(jsonOf(await wcall(app, 'GET', 'me', { token }), 200).balance, 0, 'the replay re-applies nothing');
  });
});

describe('LogAnswerCache', () => {
  it('keeps the last N answers, least recently used out first', () => {
    const cache = new LogAnswerCache(2);
    const sent = (n: number) => ({ status: 201, body: Buffer.from(`{"n":${n}}`), request: 'r' });
    cache.set('a', sent(1));
    cache.set('b', sent(2));
    assert.equal(String(cache.get('a')?.body), '{"n":1}'); // a is now the most recent
    cache.set('c', sent(3));
    assert.equal(cache.get('b'), undefined);
    assert.deepEqual(
      [String(cache.get('a')?.body), String(cache.get('c')?.body), cache.size],
      ['{"n":1}', '{"n":3}', 2],
    );
  });
});
