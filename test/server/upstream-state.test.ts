/**
 * The upstream backend's local state in the store (server/store/port/upstream-state.ts): Capillary
 * userIds, create sagas and the outbox of webhook posts, on SQLite and (UCC_TEST_STORE=postgres) PostgreSQL.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../server/store/types.js';
import type { OutboxRow, UpstreamSagaRow } from '../../server/store/port/index.js';
import { testStore } from './store-under-test.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');

async function open(t: TestContext): Promise<Store> {
  const store = await testStore();
  t.after(() => store.close());
  return store;
}

const newSaga = (o: Partial<UpstreamSagaRow> = {}): Omit<UpstreamSagaRow, 'id'> => ({
  orgId: 'brand',
  customerId: 7,
  sagaKey: 'key-1',
  state: 'PENDING',
  spec: '{"name":"Water"}',
  groupId: null,
  targetId: null,
  promotionId: null,
  attempts: 0,
  lastError: null,
  createdMs: T0,
  updatedMs: T0,
  ...o,
});

const newPost = (o: Partial<OutboxRow> = {}): Omit<OutboxRow, 'id'> => ({
  orgId: 'brand',
  customerId: 7,
  externalId: 'w:7:k1',
  eventName: 'ucc_activity',
  body: '{"quantity":1}',
  occurredMs: T0,
  createdMs: T0,
  dueMs: T0 + 60_000,
  state: 'HELD',
  attempts: 0,
  requestId: null,
  sentMs: null,
  lastError: null,
  touched: '[1]',
  ...o,
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("a customer's userId is kept from the first put: a second put changes nothing", async (t) => {
  const store = await open(t);
  assert.equal(await store.read((tx) => tx.getUpstreamUser('brand', 7)), undefined);
  await store.tx((tx) => tx.putUpstreamUser({ orgId: 'brand', customerId: 7, userId: 555 }));
  await store.tx((tx) => tx.putUpstreamUser({ orgId: 'brand', customerId: 7, userId: 666 }));
  assert.equal(await store.read((tx) => tx.getUpstreamUser('brand', 7)), 555);
  assert.equal(await store.read((tx) => tx.getUpstreamUser('other', 7)), undefined);
});

test('a saga is created once per key: the second insert answers undefined and getSaga finds the first', async (t) => {
  const store = await open(t);
  const first = await store.tx((tx) => tx.insertSaga(newSaga()));
  assert.ok(first);
  assert.deepEqual(first, { ...newSaga(), id: first.id });
  // The second insert's transaction goes on (no unique violation aborts it) and commits what it writes after.
  const second = await store.tx(async (tx) => {
    const r = await tx.insertSaga(newSaga({ spec: '{"name":"Other"}', createdMs: T0 + 1 }));
    await tx.setMeta('after-second-insert', 'yes');
    return r;
  });
  assert.equal(second, undefined);
  assert.equal(await store.read((tx) => tx.getMeta('after-second-insert')), 'yes');
  assert.deepEqual(await store.read((tx) => tx.getSaga('brand', 7, 'key-1')), first);
  assert.deepEqual(await store.read((tx) => tx.getSagaById('brand', first.id)), first);
  assert.equal(await store.read((tx) => tx.getSagaById('other', first.id)), undefined);
  // Another customer, or another key, is another saga.
  const other = await store.tx((tx) => tx.insertSaga(newSaga({ customerId: 8 })));
  assert.ok(other && other.id !== first.id);
});

test('a saga step is saved only from the expected state; without `from` it is saved whatever the state', async (t) => {
  const store = await open(t);
  const s = (await store.tx((tx) => tx.insertSaga(newSaga())))!;
  const wrong = await store.tx((tx) => tx.updateSaga(s.id, { state: 'PROMOTION', groupId: 11 }, 'GROUP'));
  assert.equal(wrong, false);
  assert.deepEqual(await store.read((tx) => tx.getSagaById('brand', s.id)), s);

  assert.equal(
    await store.tx((tx) =>
      tx.updateSaga(
        s.id,
        { state: 'GROUP', groupId: 11, targetId: 12, lastError: 'timeout', updatedMs: T0 + 5 },
        'PENDING',
      ),
    ),
    true,
  );
  assert.equal(await store.tx((tx) => tx.updateSaga(s.id, { attempts: 2, lastError: null, updatedMs: T0 + 9 })), true);
  assert.deepEqual(await store.read((tx) => tx.getSagaById('brand', s.id)), {
    ...s,
    state: 'GROUP',
    groupId: 11,
    targetId: 12,
    attempts: 2,
    lastError: null,
    updatedMs: T0 + 9,
  });
  assert.equal(await store.tx((tx) => tx.updateSaga(s.id + 1000, { attempts: 1 })), false);
});

test('sagas are read by ids within their organisation only, in id order', async (t) => {
  const store = await open(t);
  const a = (await store.tx((tx) => tx.insertSaga(newSaga({ sagaKey: 'a' }))))!;
  const b = (await store.tx((tx) => tx.insertSaga(newSaga({ sagaKey: 'b' }))))!;
  const c = (await store.tx((tx) => tx.insertSaga(newSaga({ sagaKey: 'c', orgId: 'other' }))))!;
  const found = await store.read((tx) => tx.getSagasByIds('brand', [b.id, a.id, c.id, 99_999]));
  assert.deepEqual(found, [a, b]);
  assert.deepEqual(await store.read((tx) => tx.getSagasByIds('brand', [])), []);
});

test('stale sagas are the unfinished ones not updated since the instant, of every organisation, oldest first', async (t) => {
  const store = await open(t);
  const mk = (sagaKey: string, state: UpstreamSagaRow['state'], updatedMs: number, orgId = 'brand') =>
    store.tx((tx) => tx.insertSaga(newSaga({ sagaKey, state, updatedMs, orgId })));
  const pending = (await mk('pending', 'PENDING', T0 + 20))!;
  const enrolled = (await mk('enrolled', 'ENROLLED', T0 + 10, 'other'))!;
  const group = (await mk('group', 'GROUP', T0 + 30))!;
  await mk('active', 'ACTIVE', T0);
  await mk('abandoned', 'ABANDONED', T0);
  await mk('fresh', 'PROMOTION', T0 + 100);
  const stale = await store.read((tx) => tx.listStaleSagas(T0 + 100, 10));
  assert.deepEqual(
    stale.map((s) => s.sagaKey),
    ['enrolled', 'pending', 'group'],
  );
  assert.deepEqual(stale, [enrolled, pending, group]);
  assert.deepEqual(
    (await store.read((tx) => tx.listStaleSagas(T0 + 100, 2))).map((s) => s.sagaKey),
    ['enrolled', 'pending'],
  );
});

test('an outbox post is found by id and by its external id, within its organisation', async (t) => {
  const store = await open(t);
  const post = await store.tx((tx) => tx.insertOutbox(newPost()));
  assert.deepEqual(post, { ...newPost(), id: post.id });
  assert.deepEqual(await store.read((tx) => tx.getOutbox('brand', post.id)), post);
  assert.deepEqual(await store.read((tx) => tx.getOutboxByExternalId('brand', 'w:7:k1')), post);
  assert.equal(await store.read((tx) => tx.getOutboxByExternalId('other', 'w:7:k1')), undefined);
  assert.equal(await store.read((tx) => tx.getOutbox('other', post.id)), undefined);
});

test('a second outbox post with the same external id in one organisation is refused by a unique index', async (t) => {
  const store = await open(t);
  const first = await store.tx((tx) => tx.insertOutbox(newPost()));
  await assert.rejects(store.tx((tx) => tx.insertOutbox(newPost({ body: '{"quantity":2}' }))));
  assert.deepEqual(await store.read((tx) => tx.getOutboxByExternalId('brand', 'w:7:k1')), first);
  // The same external id in another organisation is another post.
  await store.tx((tx) => tx.insertOutbox(newPost({ orgId: 'other' })));
});

test('due posts are the HELD and SENDING ones due by now, earliest due first, of the organisation only', async (t) => {
  const store = await open(t);
  const add = (externalId: string, state: OutboxRow['state'], dueMs: number, orgId = 'brand') =>
    store.tx((tx) => tx.insertOutbox(newPost({ externalId, state, dueMs, orgId })));
  await add('later', 'HELD', T0 + 50);
  await add('sending', 'SENDING', T0 + 20);
  await add('held', 'HELD', T0 + 30);
  await add('due-now', 'HELD', T0 + 40);
  await add('future', 'HELD', T0 + 41);
  await add('voided', 'VOIDED', T0);
  await add('sent', 'SENT', T0);
  await add('failed', 'FAILED', T0);
  await add('other-org', 'HELD', T0, 'other');
  const due = await store.read((tx) => tx.listDueOutbox('brand', T0 + 40, 10));
  assert.deepEqual(
    due.map((p) => p.externalId),
    ['sending', 'held', 'due-now'],
  );
  assert.deepEqual(
    (await store.read((tx) => tx.listDueOutbox('brand', T0 + 40, 1))).map((p) => p.externalId),
    ['sending'],
  );
});

test('a post moves only from one of the given states, and the row after the move is returned', async (t) => {
  const store = await open(t);
  const post = await store.tx((tx) => tx.insertOutbox(newPost()));
  assert.equal(await store.tx((tx) => tx.moveOutbox(post.id, ['SENDING'], { state: 'SENT' })), undefined);
  const claimed = await store.tx((tx) =>
    tx.moveOutbox(post.id, ['HELD', 'SENDING'], { state: 'SENDING', dueMs: T0 + 90_000, attempts: 1 }),
  );
  assert.deepEqual(claimed, { ...post, state: 'SENDING', dueMs: T0 + 90_000, attempts: 1 });
  const sent = await store.tx((tx) =>
    tx.moveOutbox(post.id, ['SENDING'], { state: 'SENT', requestId: 'req-1', sentMs: T0 + 61_000, lastError: null }),
  );
  assert.deepEqual(sent, { ...claimed, state: 'SENT', requestId: 'req-1', sentMs: T0 + 61_000 });
  assert.deepEqual(await store.read((tx) => tx.getOutbox('brand', post.id)), sent);
  assert.equal(await store.tx((tx) => tx.moveOutbox(post.id, [], { state: 'VOIDED' })), undefined);
});

test('of two transactions claiming and voiding the same held post at once, exactly one wins', async (t) => {
  const store = await open(t);
  for (let i = 0; i < 5; i++) {
    const post = await store.tx((tx) => tx.insertOutbox(newPost({ externalId: `w:7:race-${i}` })));
    const move = (state: 'SENDING' | 'VOIDED') =>
      store.tx(async (tx) => {
        const r = await tx.moveOutbox(post.id, ['HELD'], { state });
        await sleep(20); // hold the row until COMMIT a while: the other transaction is under way meanwhile
        return r;
      });
    const [claim, voided] = await Promise.all([move('SENDING'), move('VOIDED')]);
    const winners = [claim, voided].filter((r) => r !== undefined);
    assert.equal(winners.length, 1, `race ${i}: ${JSON.stringify([claim, voided])}`);
    assert.deepEqual(await store.read((tx) => tx.getOutbox('brand', post.id)), winners[0]);
  }
});

test('the outbox counts are per state and per organisation, and the demo reset empties the upstream tables', async (t) => {
  const store = await open(t);
  assert.deepEqual(await store.read((tx) => tx.countOutbox('brand')), {});
  await store.tx(async (tx) => {
    await tx.insertOutbox(newPost({ externalId: 'a' }));
    await tx.insertOutbox(newPost({ externalId: 'b' }));
    await tx.insertOutbox(newPost({ externalId: 'c', state: 'SENT' }));
    await tx.insertOutbox(newPost({ externalId: 'd', state: 'FAILED', orgId: 'other' }));
    await tx.insertSaga(newSaga());
    await tx.putUpstreamUser({ orgId: 'brand', customerId: 7, userId: 555 });
  });
  const counts = await store.read((tx) => tx.countOutbox('brand'));
  assert.deepEqual(counts, { HELD: 2, SENT: 1 });
  assert.equal(typeof counts.HELD, 'number');
  assert.deepEqual(await store.read((tx) => tx.countOutbox('other')), { FAILED: 1 });

  await store.tx((tx) => tx.deleteAllData());
  assert.deepEqual(await store.read((tx) => tx.countOutbox('brand')), {});
  assert.equal(await store.read((tx) => tx.getSaga('brand', 7, 'key-1')), undefined);
  assert.equal(await store.read((tx) => tx.getUpstreamUser('brand', 7)), undefined);
});
