/**
 * The idempotency service (server/widget-api/services/idempotency.ts) on its own: no HTTP, a real store.
 * The HTTP behaviour (POST /me/challenges with Idempotency-Key) is covered in widget-challenges.test.ts.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../server/errors.js';
import type { Store } from '../../server/store/types.js';
import { testStore } from './store-under-test.js';
import {
  parseIdempotencyKey,
  runIdempotent,
  type IdempotentWrite,
} from '../../server/widget-api/services/idempotency.js';

describe('idempotency service', () => {
  let store: Store;
  let deps: { store: Store; clock: { now(): number } };
  let runs = 0;
  /** A write that counts its runs, writes a meta row and answers the body it was given. */
  const write = (
    key: string | undefined,
    body: unknown,
    fail = false,
  ): IdempotentWrite<{ body: unknown; run: number }> => ({
    orgId: 'demo',
    customerId: 7,
    scope: 'create',
    key,
    status: 201,
    fingerprint: body,
    work: async (tx) => {
      runs++;
      await tx.setMeta(`written:${key}`, String(runs));
      if (fail) throw new ApiError(409, 'MAX_ACTIVE_CHALLENGES', 'refused after writing');
      return { body, run: runs };
    },
    serialize: (result) => JSON.stringify(result),
  });
  const refusal = (code: string, status: number) => (err: unknown) =>
    err instanceof ApiError && err.code === code && err.status === status;

  before(async () => {
    store = await testStore();
    deps = { store, clock: { now: () => 1_700_000_000_000 } };
  });
  after(() => store.close());

  it('a replay returns the stored status and bytes without running the write again', async () => {
    const first = await runIdempotent(deps, write('k1', { a: 1 }));
    assert.deepEqual(first, { status: 201, body: JSON.stringify({ body: { a: 1 }, run: runs }) });
    const before = runs;
    const again = await runIdempotent(deps, write('k1', { a: 1 }));
    assert.deepEqual(again, first);
    assert.equal(runs, before, 'the write did not run again');
  });

  it('the same key with a different body is refused with 422 IDEMPOTENCY_KEY_REUSED, changing nothing', async () => {
    await runIdempotent(deps, write('k2', { a: 1 }));
    const before = runs;
    await assert.rejects(runIdempotent(deps, write('k2', { a: 2 })), refusal('IDEMPOTENCY_KEY_REUSED', 422));
    assert.equal(runs, before);
    // The first answer still stands for the first body.
    const replay = await runIdempotent(deps, write('k2', { a: 1 }));
    assert.equal(JSON.parse(replay.body).body.a, 1);
  });

  it('keys are per customer and scope', async () => {
    await runIdempotent(deps, write('k3', { a: 1 }));
    const before = runs;
    await runIdempotent(deps, { ...write('k3', { a: 2 }), customerId: 8 });
    await runIdempotent(deps, { ...write('k3', { a: 3 }), scope: 'other' });
    assert.equal(runs, before + 2);
  });

  it('a failed write commits nothing: neither its rows nor the key, which can then be used again', async () => {
    await assert.rejects(runIdempotent(deps, write('k4', { a: 1 }, true)), refusal('MAX_ACTIVE_CHALLENGES', 409));
    assert.equal(await store.read((tx) => tx.getMeta('written:k4')), undefined, 'the write rolled back');
    assert.equal(await store.read((tx) => tx.getIdempotent('demo', 7, 'create', 'k4')), undefined, 'no key stored');
    // Corrected (here: a different body), the key is free.
    const ok = await runIdempotent(deps, write('k4', { a: 2 }));
    assert.equal(ok.status, 201);
    assert.equal(JSON.parse(ok.body).body.a, 2);
  });

  it('without a key the write runs every time and nothing is remembered', async () => {
    const before = runs;
    await runIdempotent(deps, write(undefined, { a: 1 }));
    await runIdempotent(deps, write(undefined, { a: 1 }));
    assert.equal(runs, before + 2);
  });

  it('checks the Idempotency-Key header value', () => {
    assert.equal(parseIdempotencyKey('abc-123', true), 'abc-123');
    assert.equal(parseIdempotencyKey(undefined, false), undefined);
    assert.equal(parseIdempotencyKey('', false), undefined);
    assert.throws(() => parseIdempotencyKey(undefined, true), refusal('IDEMPOTENCY_KEY_REQUIRED', 400));
    assert.throws(() => parseIdempotencyKey('has space', false), refusal('VALIDATION_FAILED', 400));
    assert.throws(() => parseIdempotencyKey('x'.repeat(201), false), refusal('VALIDATION_FAILED', 400));
    assert.throws(() => parseIdempotencyKey(['a', 'b'], false), refusal('VALIDATION_FAILED', 400));
  });
});
