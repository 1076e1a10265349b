/**
 * Idempotency-Key (docs/widget-api.md, Idempotency): the header's check, and the transaction that runs
 * a write once per (customer, scope, key), storing its first answer with the write so that a replay
 * sends those exact bytes; the same key with another request body is refused. No HTTP in here: the
 * route gives the serializer of its response schema and sends what comes back.
 */
import type { Tx } from '../../store/types.js';
import { widgetError } from '../errors.js';
import type { ServiceDeps } from './deps.js';

/** An answer as sent (or as it will be replayed): status and the exact bytes. */
export interface SentAnswer {
  status: number;
  body: string;
}

/**
 * Validates an Idempotency-Key header value: 1–200 printable ASCII characters; absent is refused when `required`
 * (`why`: what the key guarantees, for the refusal's message).
 */
export function parseIdempotencyKey(
  value: string | string[] | undefined,
  required: boolean,
  why = 'a retried log is counted once',
): string | undefined {
  if (value === undefined || value === '') {
    if (required)
      throw widgetError(400, 'IDEMPOTENCY_KEY_REQUIRED', `Send an Idempotency-Key header (e.g. a UUID) so ${why}.`);
    return undefined;
  }
  if (typeof value !== 'string' || value.length > 200 || !/^[\x21-\x7e]+$/.test(value)) {
    throw widgetError(400, 'VALIDATION_FAILED', 'Idempotency-Key must be 1–200 printable ASCII characters.', {
      field: 'headers.idempotency-key',
    });
  }
  return value;
}

/** The refusal of a key already used for a different request (422). */
export const keyReusedError = () =>
  widgetError(
    422,
    'IDEMPOTENCY_KEY_REUSED',
    'This Idempotency-Key was already used for a different request; use a new key.',
  );

export interface IdempotentWrite<T> {
  orgId: string;
  customerId: number;
  /** Keys are per customer and per scope (e.g. 'create'). */
  scope: string;
  /** No key: the write runs, nothing is remembered. */
  key: string | undefined;
  /** The status of a first answer. */
  status: number;
  /** What the key is bound to: a small JSON-able value built from the request body. */
  fingerprint: unknown;
  /** The write, in the transaction the answer is stored in; a throw rolls back both. */
  work: (tx: Tx) => Promise<T>;
  /** The answer's bytes (the route's response schema for `status`). */
  serialize: (result: T) => string;
}

/**
 * Runs `w.work` once per (customer, scope, key) in one store transaction: a replay answers the first
 * answer's status and bytes without running the work; the same key with another fingerprint is refused
 * with 422 IDEMPOTENCY_KEY_REUSED; a refused or failed write stores nothing (the key can be used again).
 */
export async function runIdempotent<T>(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
  w: IdempotentWrite<T>,
): Promise<SentAnswer> {
  const { key } = w;
  // The fingerprint of a small JSON body is short: stored as it is, no hashing needed.
  const hash = key === undefined ? null : JSON.stringify(w.fingerprint);
  return deps.store.tx(async (tx) => {
    if (key !== undefined) {
      const prior = await storedAnswer(tx, w, key);
      if (prior) return prior;
    }
    const result = await w.work(tx);
    const body = w.serialize(result);
    if (key !== undefined)
      await tx.putIdempotent(
        w.orgId,
        w.customerId,
        w.scope,
        key,
        { status: w.status, body, requestHash: hash },
        deps.clock.now(),
      );
    return { status: w.status, body };
  });
}

/**
 * The answer stored under (customer, scope, key), if any; the same key for another request (its
 * fingerprint) is refused with 422 IDEMPOTENCY_KEY_REUSED. Upstream writes also ask it before calling the
 * platform (outside a transaction), so a replay is answered without asking the platform again.
 */
export async function storedAnswer(
  tx: Tx,
  w: Pick<IdempotentWrite<unknown>, 'orgId' | 'customerId' | 'scope' | 'fingerprint'>,
  key: string,
): Promise<SentAnswer | undefined> {
  const prior = await tx.getIdempotent(w.orgId, w.customerId, w.scope, key);
  if (!prior) return undefined;
  if (prior.requestHash && prior.requestHash !== JSON.stringify(w.fingerprint)) throw keyReusedError();
  return { status: prior.status, body: prior.body };
}
