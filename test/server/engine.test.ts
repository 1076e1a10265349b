import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../server/store/types.js';
import { testStore } from './store-under-test.js';
import { seedDemo } from '../../server/seed.js';
import { createTargetGroup, enrol, unenrol } from '../../server/engine/targets.js';
import { createPromotion } from '../../server/engine/promotions.js';
import { recordOccurrence, voidOccurrence } from '../../server/engine/occurrence.js';
import { generatePeriods } from '../../server/engine/time.js';
import type { NewTargetGroup } from '../../server/model/commands.js';
import { uccPromotionCommand, streakGroupCommand } from './helpers.js';

const DAY = 86_400_000;
const start = Date.parse('2026-03-01T00:00:00Z');

async function setup() {
  const store = await testStore();
  await seedDemo(store, start);
  const org = (await store.read((tx) => tx.getOrg('demo')))!;
  const tg = await store.tx((tx) =>
    createTargetGroup(tx, org, streakGroupCommand('water-week', '2026-03-01', 7, 8, 7), start, 'test'),
  );
  await store.tx((tx) =>
    createPromotion(tx, org, uccPromotionCommand('water-week', tg.id, tg.targets[0].id, tg.targets[0].name, 1), start),
  );
  await store.tx((tx) => enrol(tx, org, tg.id, tg.targets[0].id, [{ customerId: 1001 }, { customerId: 1002 }], start));
  return { store, org, tg };
}

test('a streak level reached on the seventh day awards the strategy points exactly once', async () => {
  const { store, org } = await setup();
  for (let d = 0; d < 7; d++) {
    const r = await store.tx((tx) =>
      recordOccurrence(
        tx,
        org,
        {
          eventName: 'waterLogged',
          customerId: 1001,
          externalEventId: `a-${d}`,
          occurredMs: start + d * DAY + 3600_000,
          fields: { glasses: 8 },
        },
        start + d * DAY,
      ),
    );
    assert.equal(r.outcome.awards.length, d === 6 ? 1 : 0);
  }
  const alice = await store.read((tx) => tx.getCustomer('demo', 1001));
  assert.equal(alice!.balance, 100);
  // replays change nothing
  for (let d = 0; d < 7; d++) {
    const r = await store.tx((tx) =>
      recordOccurrence(
        tx,
        org,
        {
          eventName: 'waterLogged',
          customerId: 1001,
          externalEventId: `a-${d}`,
          occurredMs: start + d * DAY + 3600_000,
          fields: { glasses: 8 },
        },
        start + 8 * DAY,
      ),
    );
    assert.equal(r.duplicate, true);
  }
  assert.equal((await store.read((tx) => tx.getCustomer('demo', 1001)))!.balance, 100);
});

test('undoing the event that completed the streak reverses the reward with a ledger entry', async () => {
  const { store, org } = await setup();
  let last;
  for (let d = 0; d < 7; d++) {
    last = await store.tx((tx) =>
      recordOccurrence(
        tx,
        org,
        {
          eventName: 'waterLogged',
          customerId: 1001,
          externalEventId: `u-${d}`,
          occurredMs: start + d * DAY + 3600_000,
          fields: { glasses: 8 },
        },
        start + d * DAY,
      ),
    );
  }
  const out = await store.tx((tx) => voidOccurrence(tx, org, last!.event, start + 6 * DAY + 7200_000));
  assert.equal(out.reversals.length, 1);
  assert.equal(out.reversals[0].points, -100);
  const ledger = await store.read((tx) => tx.listLedger(1001, { limit: 10 }));
  assert.deepEqual(
    ledger.map((l) => [l.type, l.points]),
    [
      ['REVERSAL', -100],
      ['EARN', 100],
    ],
  );
  assert.equal((await store.read((tx) => tx.getCustomer('demo', 1001)))!.balance, 0);
});

test('a customer who misses day 4 gets no points', async () => {
  const { store, org } = await setup();
  for (let d = 0; d < 7; d++) {
    if (d === 3) continue;
    await store.tx((tx) =>
      recordOccurrence(
        tx,
        org,
        {
          eventName: 'waterLogged',
          customerId: 1002,
          externalEventId: `b-${d}`,
          occurredMs: start + d * DAY + 3600_000,
          fields: { glasses: 8 },
        },
        start + d * DAY,
      ),
    );
  }
  assert.equal((await store.read((tx) => tx.getCustomer('demo', 1002)))!.balance, 0);
});

test("daily periods follow the group's time zone across a DST change: the short day is still one day", async () => {
  const store = await testStore();
  await seedDemo(store, start);
  const org = (await store.read((tx) => tx.getOrg('demo')))!;
  // fromDate 2026-03-28 in Berlin, three daily periods (the Capillary API resolves a body's fromDate the same way)
  const cmd: NewTargetGroup = {
    ...streakGroupCommand('berlin', '2026-03-28', 3, 8, 3),
    timeZoneName: 'Europe/Berlin',
    periods: generatePeriods(Date.parse('2026-03-27T23:00:00Z'), 'Europe/Berlin', 'DAILY', 3),
  };
  const tg = await store.tx((tx) => createTargetGroup(tx, org, cmd, start, 'test'));
  const hours = tg.periods.map((p) => (p.endMs - p.startMs) / 3600_000);
  assert.deepEqual(hours, [24, 23, 24]);
  assert.equal(new Date(tg.periods[1].startMs).toISOString(), '2026-03-28T23:00:00.000Z');
  await store.tx((tx) => enrol(tx, org, tg.id, tg.targets[0].id, [{ customerId: 1001, periodName: 'Cycle_1' }], start));
  // 23:30 local on 29 March (21:30 UTC, after the switch to CEST) belongs to the second day
  await store.tx((tx) =>
    recordOccurrence(
      tx,
      org,
      {
        eventName: 'waterLogged',
        customerId: 1001,
        externalEventId: 'dst',
        occurredMs: Date.parse('2026-03-29T21:30:00Z'),
        fields: { glasses: 8 },
      },
      start,
    ),
  );
  const rows = await store.read(async (tx) => tx.listProgress((await tx.getEnrolment(tg.targets[0].id, 1001))!.id));
  assert.deepEqual(
    rows.map((r) => [r.periodIdx, r.value]),
    [[1, 8]],
  );
});

async function defaultGroup(
  store: Store,
  org: any,
  name: string,
  targetType: 'COUNT' | 'VISIT',
  perPeriod: number,
  periods = 3,
) {
  const cmd: NewTargetGroup = {
    name,
    trackingType: 'DEFAULT',
    frequencyType: 'WEEKLY',
    frequency: 1,
    recurringCycles: -1,
    periods: generatePeriods(Date.parse('2026-03-01T00:00:00Z'), 'UTC', 'WEEKLY', periods),
    timeZoneName: 'UTC',
    userCreated: true,
    targets: [
      {
        name: `${name}_rule`,
        eventName: 'waterLogged',
        targetType,
        enrolmentMethod: 'IMPORT',
        defaultValues: Array.from({ length: periods }, () => perPeriod),
      },
    ],
    streaks: [],
  };
  return store.tx((tx) => createTargetGroup(tx, org, cmd, start, 'test'));
}
const log = (store: Store, org: any, customerId: number, id: string, ms: number) =>
  store.tx((tx) =>
    recordOccurrence(
      tx,
      org,
      { eventName: 'waterLogged', customerId, externalEventId: id, occurredMs: ms, fields: { glasses: 1 } },
      ms,
    ),
  );

test('VISIT counts distinct local days, not events; a DEFAULT group awards each achieved period', async () => {
  const store = await testStore();
  await seedDemo(store, start);
  const org = (await store.read((tx) => tx.getOrg('demo')))!;
  const tg = await defaultGroup(store, org, 'visits', 'VISIT', 2);
  await store.tx((tx) =>
    createPromotion(tx, org, uccPromotionCommand('visits', tg.id, tg.targets[0].id, tg.targets[0].name, 1), start),
  );
  await store.tx((tx) => enrol(tx, org, tg.id, tg.targets[0].id, [{ customerId: 1001, periodName: 'Cycle_1' }], start));
  await log(store, org, 1001, 'v1', start + 3600_000);
  await log(store, org, 1001, 'v2', start + 7200_000); // same day: still one visit
  const e = (await store.read((tx) => tx.getEnrolment(tg.targets[0].id, 1001)))!;
  assert.deepEqual(
    (await store.read((tx) => tx.listProgress(e.id))).map((r) => r.value),
    [1],
  );
  const third = await log(store, org, 1001, 'v3', start + DAY + 3600_000); // second day: period 1 achieved
  assert.equal(third.outcome.awards.length, 1);
  await log(store, org, 1001, 'v4', start + 7 * DAY);
  const week2 = await log(store, org, 1001, 'v5', start + 8 * DAY);
  assert.equal(week2.outcome.awards.length, 1, 'each DEFAULT period is its own milestone');
  assert.equal((await store.read((tx) => tx.getCustomer('demo', 1001)))!.balance, 200);
});

test('promotion limits cap the times, the points per customer and the points in the promotion', async () => {
  const store = await testStore();
  await seedDemo(store, start);
  const org = (await store.read((tx) => tx.getOrg('demo')))!;
  const cases: [Record<string, number>, number, number][] = [
    [{ numberOfTimesPerCustomer: 1 }, 100, 100], // later periods earn nothing
    [{ pointsPerCustomer: 150 }, 150, 150], // 100 + 50, then nothing
    [{ totalPointsInPromotion: 120 }, 120, 0], // alice 100 + 20, then nothing left for bob
  ];
  for (const [i, [limits, aliceExpected, bobExpected]] of cases.entries()) {
    const tg = await defaultGroup(store, org, `limits${i}`, 'COUNT', 1);
    await store.tx((tx) =>
      createPromotion(
        tx,
        org,
        uccPromotionCommand(`limits${i}`, tg.id, tg.targets[0].id, tg.targets[0].name, 1, limits),
        start,
      ),
    );
    await store.tx((tx) =>
      enrol(
        tx,
        org,
        tg.id,
        tg.targets[0].id,
        [
          { customerId: 1001, periodName: 'Cycle_1' },
          { customerId: 1002, periodName: 'Cycle_1' },
        ],
        start,
      ),
    );
    const before = async (id: number) => (await store.read((tx) => tx.getCustomer('demo', id)))!.balance;
    const a0 = await before(1001),
      b0 = await before(1002);
    for (const w of [0, 1, 2]) await log(store, org, 1001, `l${i}a${w}`, start + w * 7 * DAY);
    for (const w of [0, 1]) await log(store, org, 1002, `l${i}b${w}`, start + w * 7 * DAY);
    assert.equal((await before(1001)) - a0, aliceExpected, `alice under ${JSON.stringify(limits)}`);
    assert.equal((await before(1002)) - b0, bobExpected, `bob under ${JSON.stringify(limits)}`);
  }
});

test('initialBalance seeds the first period; resetStreakStatus on re-enrolment lets a level be reached again', async () => {
  const store = await testStore();
  await seedDemo(store, start);
  const org = (await store.read((tx) => tx.getOrg('demo')))!;
  const tg = await store.tx((tx) =>
    createTargetGroup(tx, org, streakGroupCommand('reenrol', '2026-03-01', 3, 8, 1), start, 'test'),
  );
  await store.tx((tx) =>
    createPromotion(tx, org, uccPromotionCommand('reenrol', tg.id, tg.targets[0].id, tg.targets[0].name, 1), start),
  );
  const rule = tg.targets[0].id;
  await store.tx((tx) =>
    enrol(tx, org, tg.id, rule, [{ customerId: 1001, periodName: 'Day_1', initialBalance: 8 }], start),
  );
  assert.equal(
    (await store.read((tx) => tx.getCustomer('demo', 1001)))!.balance,
    100,
    'an initial balance at the target completes the level',
  );
  await store.tx((tx) => unenrol(tx, org, tg.id, rule, [{ customerId: 1001 }], start));
  await store.tx((tx) =>
    enrol(
      tx,
      org,
      tg.id,
      rule,
      [{ customerId: 1001, periodName: 'Day_2', initialBalance: 0, resetStreakStatus: true }],
      start + DAY,
    ),
  );
  await store.tx((tx) =>
    recordOccurrence(
      tx,
      org,
      {
        eventName: 'waterLogged',
        customerId: 1001,
        externalEventId: 're-1',
        occurredMs: start + DAY + 60_000,
        fields: { glasses: 8 },
      },
      start + DAY,
    ),
  );
  assert.equal(
    (await store.read((tx) => tx.getCustomer('demo', 1001)))!.balance,
    200,
    'the wiped level is reached and rewarded again',
  );
});
