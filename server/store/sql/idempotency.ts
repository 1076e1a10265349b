import type { IdempotencyPort } from '../port/idempotency.js';
import type { SqlContext } from './sql-context.js';

/** Stored answers of idempotent requests. */
export function idempotencyTx(s: SqlContext): IdempotencyPort {
  return {
    async getIdempotent(orgId, cid, scope, key) {
      const r = await s.get(
        'SELECT status, body, request_hash FROM idempotency WHERE org_id = ? AND customer_id = ? AND scope = ? AND key = ?',
        orgId,
        cid,
        scope,
        key,
      );
      return r && { status: r.status, body: r.body, requestHash: r.request_hash };
    },
    async putIdempotent(orgId, cid, scope, key, row, ms) {
      await s.run(
        'INSERT INTO idempotency (org_id, customer_id, scope, key, status, body, created_ms, request_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        orgId,
        cid,
        scope,
        key,
        row.status,
        row.body,
        ms,
        row.requestHash ?? null,
      );
    },
  };
}
