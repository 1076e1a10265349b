import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import type { Challenge, LogActivityResponse, PointsResponse, Template } from '../../contract/widget-api.js';
import { jsonOf, wcall, widgetApp } from './helpers.js';

/**
 * The fitness story, through the widget API and the demo clock alone: alice drinks 8 glasses of
 * water a day for 7 days and is paid the template's reward exactly once.
 */
describe('the fitness story', () => {
  let app: FastifyInstance;
  let token: string;
  let water: Template;
  let challenge: Challenge;
  let startBalance: number;
  const logs: LogActivityResponse[] = [];
  let n = 0;
  const log = async (quantity: number) => {
    const res: LogActivityResponse = jsonOf(
      await wcall(app, 'POST', 'me/activities', {
        token,
        key: `story-${++n}`,
        body: { challengeId: challenge.id, quantity },
      }),
      201,
    );
    logs.push(res);
    return res;
  };
  const balance = async () => jsonOf(await wcall(app, 'GET', 'me', { token }), 200).balance as number;

  before(async () => {
    app = await widgetApp();
    token = jsonOf(await wcall(app, 'POST', '/demo/session', { body: { customer: 'alice' } }), 200).token;
  });
  after(() => app.close());

  it('alice creates "water, 8 glasses a day for 7 days" from the brand\'s template', async () => {
    const { templates } = jsonOf(await wcall(app, 'GET', 'templates', { token }), 200);
    water = templates.find((t: Template) => t.id === 'water');
    startBalance = await balance();
    challenge = jsonOf(
      await wcall(app, 'POST', 'me/challenges', {
        token,
        key: 'story-create',
        body: { templateId: 'water', target: 8, period: 'DAILY', periods: 7, name: 'Hydrate' },
      }),
      201,
    ).challenge;
    assert.equal(challenge.reward.points, Math.min(water.reward.pointsPerPeriod * 7, water.reward.maxPoints));
    assert.equal(challenge.reward.points, 70);
    assert.equal(challenge.status, 'active');
  });

  it('she logs 8 glasses each day for six days: progress and streak grow, nothing is paid yet', async () => {
    for (let day = 0; day < 6; day++) {
      await log(3);
      const res = await log(5);
      const c = res.challenges.find((x) => x.id === challenge.id)!;
      assert.equal(c.periods[day].value, 8);
      assert.equal(c.periods[day].state, 'met');
      assert.equal(c.currentPeriod, day);
      assert.deepEqual(c.streak, { current: day + 1, best: day + 1, required: 7 });
      assert.equal(c.daysLeft, 7 - day);
      assert.deepEqual(res.rewards, []);
      jsonOf(await wcall(app, 'POST', '/demo/clock', { body: { advanceDays: 1 } }), 200);
    }
    assert.equal(await balance(), startBalance);
    assert.ok(logs.every((l) => l.rewards.length === 0));
  });

  it('on day 7 the log that completes the week carries the reward, and the balance rises once', async () => {
    const partial = await log(7);
    assert.deepEqual(partial.rewards, []);
    const completing = await log(1);
    assert.equal(completing.rewards.length, 1);
    assert.equal(completing.rewards[0].challengeId, challenge.id);
    assert.equal(completing.rewards[0].points, 70);
    assert.equal(completing.rewards[0].reason, 'Completed "Hydrate"');
    const c = completing.challenges.find((x) => x.id === challenge.id)!;
    assert.equal(c.status, 'completed');
    assert.deepEqual(c.streak, { current: 7, best: 7, required: 7 });
    assert.deepEqual(c.reward, { points: 70, earned: 70 });
    assert.equal(await balance(), startBalance + 70);
  });

  it('one more glass that day pays nothing more', async () => {
    const extra = await log(1);
    assert.deepEqual(extra.rewards, []);
    assert.equal(await balance(), startBalance + 70);
  });

  it('GET /me/challenges?status=completed lists it, and it stays completed after the week', async () => {
    const completed = jsonOf(await wcall(app, 'GET', 'me/challenges?status=completed', { token }), 200);
    assert.deepEqual(
      completed.challenges.map((c: Challenge) => c.id),
      [challenge.id],
    );
    assert.deepEqual(jsonOf(await wcall(app, 'GET', 'me/challenges?status=active', { token }), 200), {
      challenges: [],
    });
    jsonOf(await wcall(app, 'POST', '/demo/clock', { body: { advanceDays: 3 } }), 200);
    const later = jsonOf(await wcall(app, 'GET', `me/challenges/${challenge.id}`, { token }), 200).challenge;
    assert.equal(later.status, 'completed');
    assert.equal(later.currentPeriod, null);
    assert.equal(later.daysLeft, 0);
    assert.deepEqual(
      later.periods.map((p: { state: string }) => p.state),
      Array(7).fill('met'),
    );
  });

  it('the ledger shows exactly one EARN of 70 for the challenge', async () => {
    const points: PointsResponse = jsonOf(await wcall(app, 'GET', 'me/points', { token }), 200);
    assert.equal(points.balance, startBalance + 70);
    assert.deepEqual(
      points.entries.map((e) => [e.type, e.points, e.challengeId]),
      [['EARN', 70, challenge.id]],
    );
    assert.equal(points.nextCursor, null);
  });
});
