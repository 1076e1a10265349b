import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStore } from '../../server/store/sqlite.js';
import { seedDemo } from '../../server/seed.js';
import { createTargetGroup, enrol } from '../../server/engine/targets.js';
import { createPromotion } from '../../server/engine/promotions.js';
import { recordOccurrence, voidOccurrence } from '../../server/engine/occurrence.js';
import { uccPromotionBody, streakGroupBody } from './helpers.js';

const DAY = 86_400_000;
const start = Date.parse('2026-03-01T00:00:00Z');

async function setup() {
  const store = new SqliteStore(':memory:');
  await seedDemo(store, start);
  const org = (await store.read((tx) => tx.getOrg('demo')))!;
  const tg = await store.tx((tx) => createTargetGroup(tx, org, streakGroupBody('water-week', '2026-03-01', 7, 8, 7), start, 'test'));
  await store.tx((tx) => createPromotion(tx, org, 1, 'simple', uccPromotionBody('water-week', tg.id, tg.targets[0].id, tg.targets[0].name, 1), start));
  await store.tx((tx) => enrol(tx, org, tg.id, tg.targets[0].id, [{ customerId: 1001 }, { customerId: 1002 }], start));
  return { store, org, tg };
}

test('a streak level reached on the seventh day awards the strategy points exactly once', async () => {
  const { store, org } = await setup();
  for (let d = 0; d < 7; d++) {
    const r = await store.tx((tx) => recordOccurrence(tx, org, { eventName: 'waterLogged', customerId: 1001, externalEventId: `a-${d}`, occurredMs: start + d * DAY + 3600_000, fields: { glasses: 8 } }, start + d * DAY));
    assert.equal(r.outcome.awards.length, d === 6 ? 1 : 0);
  }
  const alice = await store.read((tx) => tx.getCustomer('demo', 1001));
  assert.equal(alice!.balance, 100);
  // replays change nothing
  for (let d = 0; d < 7; d++) {
    const r = await store.tx((tx) => recordOccurrence(tx, org, { eventName: 'waterLogged', customerId: 1001, externalEventId: `a-${d}`, occurredMs: start + d * DAY + 3600_000, fields: { glasses: 8 } }, start + 8 * DAY));
    assert.equal(r.duplicate, true);
  }
  assert.equal((await store.read((tx) => tx.getCustomer('demo', 1001)))!.balance, 100);
});

test('undoing the event that completed the streak reverses the reward with a ledger entry', async () => {
  const { store, org } = await setup();
  let last;
  for (let d = 0; d < 7; d++) {
    last = await store.tx((tx) => recordOccurrence(tx, org, { eventName: 'waterLogged', customerId: 1001, externalEventId: `u-${d}`, occurredMs: start + d * DAY + 3600_000, fields: { glasses: 8 } }, start + d * DAY));
  }
  const out = await store.tx((tx) => voidOccurrence(tx, org, last!.event, start + 6 * DAY + 7200_000));
  assert.equal(out.reversals.length, 1);
  assert.equal(out.reversals[0].points, -100);
  const ledger = await store.read((tx) => tx.listLedger(1001, { limit: 10 }));
  assert.deepEqual(ledger.map((l) => [l.type, l.points]), [['REVERSAL', -100], ['EARN', 100]]);
  assert.equal((await store.read((tx) => tx.getCustomer('demo', 1001)))!.balance, 0);
});

test('a customer who misses day 4 gets no points', async () => {
  const { store, org } = await setup();
  for (let d = 0; d < 7; d++) {
    if (d === 3) continue;
    await store.tx((tx) => recordOccurrence(tx, org, { eventName: 'waterLogged', customerId: 1002, externalEventId: `b-${d}`, occurredMs: start + d * DAY + 3600_000, fields: { glasses: 8 } }, start + d * DAY));
  }
  assert.equal((await store.read((tx) => tx.getCustomer('demo', 1002)))!.balance, 0);
});

test('daily periods follow the group\'s time zone across a DST change: the short day is still one day', async () => {
  const store = new SqliteStore(':memory:');
  await seedDemo(store, start);
  const org = (await store.read((tx) => tx.getOrg('demo')))!;
  const body = { ...streakGroupBody('berlin', '2026-03-28', 3, 8, 3), timeZoneName: 'Europe/Berlin' } as Record<string, unknown>;
  delete body.periods;
  body.fromDate = '2026-03-28';
  const tg = await store.tx((tx) => createTargetGroup(tx, org, body, start, 'test'));
  const hours = tg.periods.map((p) => (p.endMs - p.startMs) / 3600_000);
  assert.deepEqual(hours, [24, 23, 24]);
  assert.equal(new Date(tg.periods[1].startMs).toISOString(), '2026-03-28T23:00:00.000Z');
  await store.tx((tx) => enrol(tx, org, tg.id, tg.targets[0].id, [{ customerId: 1001, periodName: 'Cycle_1' }], start));
  // 23:30 local on 29 March (21:30 UTC, after the switch to CEST) belongs to the second day
  await store.tx((tx) => recordOccurrence(tx, org, { eventName: 'waterLogged', customerId: 1001, externalEventId: 'dst', occurredMs: Date.parse('2026-03-29T21:30:00Z'), fields: { glasses: 8 } }, start));
  const rows = await store.read(async (tx) => tx.listProgress((await tx.getEnrolment(tg.targets[0].id, 1001))!.id));
  assert.deepEqual(rows.map((r) => [r.periodIdx, r.value]), [[1, 8]]);
});
