/**
 * The loyalty port's contract (server/loyalty/port.ts), driven on LocalLoyalty directly: no HTTP, a
 * real temp SQLite store seeded with the demo organisation. What the widget API relies on: a create
 * is all-or-nothing in the caller's transaction; a posting counts now and answers the rewards it
 * triggered; progress and points follow; a void takes a reward back and a second void changes
 * nothing; an undo is refused once a period it counted in has closed; leaving stops counting.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../server/store/types.js';
import { STORE, testStore } from './store-under-test.js';
import { seedDemo } from '../../server/seed.js';
import { generatePeriods, startOfDay } from '../../server/engine/time.js';
import type { OrgDoc } from '../../server/model/org.js';
import { LocalLoyalty } from '../../server/loyalty/local.js';
import type { ChallengeRefs, ChallengeSpec, Posting } from '../../server/loyalty/port.js';

const DAY = 86_400_000;

describe('loyalty port: LocalLoyalty', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ucc-loyalty-'));
  let store: Store;
  const loyalty = new LocalLoyalty();
  const day0 = startOfDay(Date.now(), 'UTC');
  const noon = (d: number) => day0 + d * DAY + 12 * 3_600_000;
  let org: OrgDoc;
  let customerId: number;
  let refs: ChallengeRefs;
  let first: Posting, second: Posting;

  const spec = (customer: number, key: string): ChallengeSpec => {
    const periods = generatePeriods(day0, 'UTC', 'DAILY', 2);
    return {
      customerId: customer,
      key,
      name: 'Drink water',
      eventName: 'waterLogged',
      aggregation: 'SUM',
      field: 'glasses',
      target: 3,
      period: 'DAILY',
      periods,
      timeZone: 'UTC',
      streakName: '2 days in a row',
      reward: { pointsPerPeriod: 10, maxPoints: 200 },
      rewardFromMs: day0,
      rewardUntilMs: periods[1].endMs + 48 * 3_600_000,
    };
  };
  const water = (quantity: number, occurredMs: number, externalId: string) => ({
    customerId,
    eventName: 'waterLogged',
    field: 'glasses',
    quantity,
    occurredMs,
    externalId,
  });

  before(async () => {
    store = await testStore(dir, 'store.db');
    await seedDemo(store, Date.now());
    org = (await store.read((tx) => tx.getOrg('demo')))!;
  });
  after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ensureCustomer registers a customer once per externalId', async () => {
    customerId = await store.tx((tx) => loyalty.ensureCustomer(tx, org, 'port-test', noon(0)));
    assert.equal(await store.tx((tx) => loyalty.ensureCustomer(tx, org, 'port-test', noon(0))), customerId);
    assert.notEqual(await store.tx((tx) => loyalty.ensureCustomer(tx, org, 'port-test-2', noon(0))), customerId);
  });

  it('createChallenge is all-or-nothing in the caller transaction', async () => {
    let lost: ChallengeRefs | undefined;
    await assert.rejects(
      store.tx(async (tx) => {
        const c = await loyalty.createChallenge(tx, org, spec(customerId, 'port_rolled_back'), noon(0));
        lost = { customerId, ...c.refs };
        throw new Error('refused after creating');
      }),
      /refused after creating/,
    );
    assert.ok(lost);
    assert.equal(await store.read((tx) => loyalty.plan(tx, org, lost!)), undefined);
  });

  it('createChallenge answers platform ids and an empty progress over the planned periods', async () => {
    const created = await store.tx((tx) => loyalty.createChallenge(tx, org, spec(customerId, 'port_water'), noon(0)));
    refs = { customerId, ...created.refs };
    for (const id of Object.values(created.refs)) assert.ok(Number.isInteger(id) && id > 0);
    const { plan } = created.progress;
    assert.equal(plan.periods.length, 2);
    assert.deepEqual(
      plan.periods.map((p) => [p.startMs, p.endMs, p.target]),
      [
        [day0, day0 + DAY, 3],
        [day0 + DAY, day0 + 2 * DAY, 3],
      ],
    );
    assert.equal(plan.aggregation, 'SUM');
    assert.equal(plan.eventName, 'waterLogged');
    assert.equal(plan.timeZone, 'UTC');
    assert.equal(created.progress.values.size, 0);
    assert.deepEqual(created.progress.achieved, [false, false]);
    assert.equal(created.progress.best, 0);
    // The same plan object while the group is cached (views cache their text per plan).
    // The same object where the store keeps the group it read (SQLite); an equal one where it keeps nothing (PostgreSQL).
    const again = await store.read((tx) => loyalty.plan(tx, org, refs));
    if (STORE === 'sqlite') assert.equal(again, created.progress.plan);
    else assert.deepEqual(again, created.progress.plan);
  });

  it('postOccurrence counts now; progress follows with or without the hint', async () => {
    const posted = await store.tx(async (tx) => {
      assert.equal(await loyalty.findPosting(tx, org, 'port:1'), undefined);
      return loyalty.postOccurrence(tx, org, water(3, noon(0), 'port:1'), noon(0));
    });
    first = posted.posting;
    assert.equal(posted.counted, 'now');
    assert.deepEqual(posted.touched, [refs.enrolmentId]);
    assert.deepEqual(posted.rewards, []);
    const hinted = await store.read((tx) =>
      loyalty.progress(tx, org, refs, noon(0), posted.hint?.get(refs.enrolmentId)),
    );
    const read = await store.read((tx) => loyalty.progress(tx, org, refs, noon(0)));
    for (const p of [hinted, read]) {
      assert.equal(p.values.get(0), 3);
      assert.deepEqual(p.achieved, [true, false]);
      assert.equal(p.current, 1);
      assert.equal(p.currentIdx, 0);
    }
    const found = await store.read((tx) => loyalty.findPosting(tx, org, 'port:1'));
    assert.equal(found?.id, first.id);
    assert.equal((await store.read((tx) => loyalty.getPosting(tx, org, first.id)))?.externalEventId, 'port:1');
  });

  it('a posting that completes the streak answers its reward; earned, points and balance show it', async () => {
    const posted = await store.tx((tx) => loyalty.postOccurrence(tx, org, water(3, noon(1), 'port:2'), noon(1)));
    second = posted.posting;
    assert.equal(posted.rewards.length, 1);
    const [reward] = posted.rewards;
    assert.equal(reward.enrolmentId, refs.enrolmentId);
    assert.equal(reward.points, 20); // PER_PERIOD 10 × 2 periods
    const [rebuilt, earned, page, progress] = await store.read((tx) =>
      Promise.all([
        loyalty.rewardsOf(tx, org, second, [refs.enrolmentId]),
        loyalty.earnedFor(tx, org, refs),
        tx
          .getCustomer(org.id, customerId)
          .then((row) => loyalty.points(tx, org, { id: customerId, row }, { limit: 10 })),
        loyalty.progressAll(tx, org, customerId, [refs], noon(1)),
      ]),
    );
    assert.deepEqual(rebuilt, [{ enrolmentId: reward.enrolmentId, ledgerId: reward.ledgerId, points: 20 }]);
    assert.equal(earned, 20);
    assert.equal(page.balance, 20);
    assert.equal(page.nextCursor, null);
    assert.deepEqual(
      page.entries.map((e) => [e.id, e.type, e.points]),
      [[reward.ledgerId, 'EARN', 20]],
    );
    assert.equal(progress[0].best, 2);
    assert.equal(progress[0].current, 2);
    const row = await store.read((tx) => tx.getCustomer(org.id, customerId));
    assert.equal(await store.read((tx) => loyalty.balance(tx, org, row)), 20);
  });

  it('points pages with an opaque cursor', async () => {
    await store.tx((tx) => loyalty.postOccurrence(tx, org, water(1, noon(1), 'port:3'), noon(1)));
    const page = (limit: number, before?: string) =>
      store.read(async (tx) =>
        loyalty.points(tx, org, { id: customerId, row: await tx.getCustomer(org.id, customerId) }, { limit, before }),
      );
    const all = await page(10);
    assert.equal(all.entries.length, 1);
    assert.equal((await page(1)).nextCursor, null);
    assert.deepEqual((await page(10, String(all.entries[0].id))).entries, []);
    assert.deepEqual((await page(10, 'not-a-cursor')).entries.length, 1);
  });

  it('inspectPosting refuses an undo once a period it counted in has closed', async () => {
    const [closed, open] = await store.read((tx) =>
      Promise.all([
        loyalty.inspectPosting(tx, org, first, noon(1), true),
        loyalty.inspectPosting(tx, org, second, noon(1), true),
      ]),
    );
    assert.equal(closed.blocked, 'PERIOD_CLOSED');
    assert.deepEqual(open, { touched: [refs.enrolmentId], blocked: null });
    const unchecked = await store.read((tx) => loyalty.inspectPosting(tx, org, first, noon(1), false));
    assert.equal(unchecked.blocked, null);
  });

  it('voidOccurrence takes the reward back; a second void changes nothing', async () => {
    const voided = await store.tx((tx) => loyalty.voidOccurrence(tx, org, second, noon(1)));
    assert.deepEqual(voided.touched, [refs.enrolmentId]);
    assert.equal(voided.reversals.length, 1);
    assert.equal(voided.reversals[0].enrolmentId, refs.enrolmentId);
    assert.equal(voided.reversals[0].points, -20);
    const after1 = await store.read(async (tx) => ({
      progress: await loyalty.progress(tx, org, refs, noon(1), voided.hint?.get(refs.enrolmentId)),
      earned: await loyalty.earnedFor(tx, org, refs),
      balance: await loyalty.balance(tx, org, await tx.getCustomer(org.id, customerId)),
    }));
    assert.deepEqual(after1.progress.achieved, [true, false]);
    assert.equal(after1.progress.values.get(1), 1); // the other log of that day still counts
    assert.equal(after1.earned, 0);
    assert.equal(after1.balance, 0);
    // The void re-read the event: voiding the stale handle again changes nothing.
    const again = await store.tx(async (tx) =>
      loyalty.voidOccurrence(tx, org, (await loyalty.getPosting(tx, org, second.id))!, noon(1)),
    );
    assert.deepEqual(again, { touched: [], reversals: [], hint: new Map() });
    const page = await store.read(async (tx) =>
      loyalty.points(tx, org, { id: customerId, row: await tx.getCustomer(org.id, customerId) }, { limit: 10 }),
    );
    assert.deepEqual(
      page.entries.map((e) => [e.type, e.points]),
      [
        ['REVERSAL', -20],
        ['EARN', 20],
      ],
    );
  });

  it('leaveChallenge ends the enrolment (twice is fine): later postings count nowhere', async () => {
    await store.tx((tx) => loyalty.leaveChallenge(tx, org, refs, noon(1)));
    await store.tx((tx) => loyalty.leaveChallenge(tx, org, refs, noon(1)));
    const posted = await store.tx((tx) => loyalty.postOccurrence(tx, org, water(3, noon(1), 'port:4'), noon(1)));
    assert.deepEqual(posted.touched, []);
    assert.deepEqual(posted.rewards, []);
  });
});
