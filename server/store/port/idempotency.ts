/** Stored answers of idempotent requests, by organisation, customer, scope and key. */
import type { IdempotencyRow } from './rows.js';

export interface IdempotencyPort {
  getIdempotent(orgId: string, customerId: number, scope: string, key: string): Promise<IdempotencyRow | undefined>;
  putIdempotent(
    orgId: string,
    customerId: number,
    scope: string,
    key: string,
    row: IdempotencyRow,
    ms: number,
  ): Promise<void>;
}
