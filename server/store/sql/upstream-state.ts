import type { OutboxRow, OutboxState, UpstreamSagaRow, UpstreamStatePort } from '../port/upstream-state.js';
import type { Row } from './rows.js';
import type { SqlContext } from './sql-context.js';

const saga = (r: Row | undefined): UpstreamSagaRow | undefined =>
  r && {
    id: r.id,
    orgId: r.org_id,
    customerId: r.customer_id,
    sagaKey: r.saga_key,
    state: r.state,
    spec: r.spec,
    groupId: r.group_id,
    targetId: r.target_id,
    promotionId: r.promotion_id,
    attempts: r.attempts,
    lastError: r.last_error,
    createdMs: r.created_ms,
    updatedMs: r.updated_ms,
  };

const outbox = (r: Row | undefined): OutboxRow | undefined =>
  r && {
    id: r.id,
    orgId: r.org_id,
    customerId: r.customer_id,
    externalId: r.external_id,
    eventName: r.event_name,
    body: r.body,
    occurredMs: r.occurred_ms,
    createdMs: r.created_ms,
    dueMs: r.due_ms,
    state: r.state,
    attempts: r.attempts,
    requestId: r.request_id,
    sentMs: r.sent_ms,
    lastError: r.last_error,
    touched: r.touched,
  };

/** The columns a patch may set, in a fixed order (so that the statements a patch builds are few and prepared once). */
const SAGA_COLUMNS = {
  state: 'state',
  groupId: 'group_id',
  targetId: 'target_id',
  promotionId: 'promotion_id',
  attempts: 'attempts',
  lastError: 'last_error',
  updatedMs: 'updated_ms',
} as const;
const OUTBOX_COLUMNS = {
  state: 'state',
  dueMs: 'due_ms',
  attempts: 'attempts',
  requestId: 'request_id',
  sentMs: 'sent_ms',
  lastError: 'last_error',
} as const;

/** `SET a = ?, b = ?` for the fields the patch names (`state = state` when none: the row is still locked and matched). */
function setClause(columns: Record<string, string>, patch: Record<string, unknown>): [sql: string, args: unknown[]] {
  const sets: string[] = [];
  const args: unknown[] = [];
  for (const [field, column] of Object.entries(columns))
    if (patch[field] !== undefined) {
      sets.push(`${column} = ?`);
      args.push(patch[field]);
    }
  return [sets.length ? sets.join(', ') : 'state = state', args];
}

/** The upstream loyalty backend's local state: Capillary userIds, create sagas, the outbox of webhook posts. */
export function upstreamStateTx(s: SqlContext): UpstreamStatePort {
  return {
    async getUpstreamUser(orgId, customerId) {
      const r = await s.get(
        'SELECT user_id FROM upstream_users WHERE customer_id = ? AND org_id = ?',
        customerId,
        orgId,
      );
      return r?.user_id;
    },
    async putUpstreamUser(u) {
      await s.run(
        'INSERT INTO upstream_users (org_id, customer_id, user_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
        u.orgId,
        u.customerId,
        u.userId,
      );
    },

    async getSaga(orgId, customerId, sagaKey) {
      return saga(
        await s.get(
          'SELECT * FROM upstream_sagas WHERE org_id = ? AND customer_id = ? AND saga_key = ?',
          orgId,
          customerId,
          sagaKey,
        ),
      );
    },
    async getSagaById(orgId, id) {
      return saga(await s.get('SELECT * FROM upstream_sagas WHERE id = ? AND org_id = ?', id, orgId));
    },
    async getSagasByIds(orgId, ids) {
      if (ids.length === 0) return [];
      const [inIds, arg] = s.inIds('id', ids);
      return (await s.all(`SELECT * FROM upstream_sagas WHERE ${inIds} AND org_id = ? ORDER BY id`, arg, orgId)).map(
        (r) => saga(r)!,
      );
    },
    async insertSaga(p) {
      // DO NOTHING, not a unique violation: on PostgreSQL that would abort the transaction (and the store would run it again).
      return saga(
        await s.get(
          `INSERT INTO upstream_sagas (org_id, customer_id, saga_key, state, spec, group_id, target_id, promotion_id, attempts,
            last_error, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (org_id, customer_id, saga_key) DO NOTHING RETURNING *`,
          p.orgId,
          p.customerId,
          p.sagaKey,
          p.state,
          p.spec,
          p.groupId,
          p.targetId,
          p.promotionId,
          p.attempts,
          p.lastError,
          p.createdMs,
          p.updatedMs,
        ),
      );
    },
    async updateSaga(id, patch, from) {
      const [set, args] = setClause(SAGA_COLUMNS, patch);
      const r =
        from === undefined
          ? await s.get(`UPDATE upstream_sagas SET ${set} WHERE id = ? RETURNING id`, ...args, id)
          : await s.get(`UPDATE upstream_sagas SET ${set} WHERE id = ? AND state = ? RETURNING id`, ...args, id, from);
      return r !== undefined;
    },
    async listStaleSagas(beforeMs, limit) {
      return (
        await s.all(
          `SELECT * FROM upstream_sagas WHERE state NOT IN ('ACTIVE', 'ABANDONED') AND updated_ms < ?
            ORDER BY updated_ms, id LIMIT ?`,
          beforeMs,
          limit,
        )
      ).map((r) => saga(r)!);
    },

    async insertOutbox(p) {
      const id = await s.insertId(
        `INSERT INTO upstream_outbox (org_id, customer_id, external_id, event_name, body, occurred_ms, created_ms, due_ms,
          state, attempts, request_id, sent_ms, last_error, touched) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        p.orgId,
        p.customerId,
        p.externalId,
        p.eventName,
        p.body,
        p.occurredMs,
        p.createdMs,
        p.dueMs,
        p.state,
        p.attempts,
        p.requestId,
        p.sentMs,
        p.lastError,
        p.touched,
      );
      return { ...p, id };
    },
    async getOutbox(orgId, id) {
      return outbox(await s.get('SELECT * FROM upstream_outbox WHERE id = ? AND org_id = ?', id, orgId));
    },
    async getOutboxByExternalId(orgId, externalId) {
      return outbox(
        await s.get('SELECT * FROM upstream_outbox WHERE org_id = ? AND external_id = ?', orgId, externalId),
      );
    },
    async listDueOutbox(orgId, nowMs, limit) {
      return (
        await s.all(
          `SELECT * FROM upstream_outbox WHERE org_id = ? AND state IN ('HELD', 'SENDING') AND due_ms <= ?
            ORDER BY due_ms, id LIMIT ?`,
          orgId,
          nowMs,
          limit,
        )
      ).map((r) => outbox(r)!);
    },
    async moveOutbox(id, from, patch, dueBefore) {
      if (from.length === 0) return undefined;
      const [set, args] = setClause(OUTBOX_COLUMNS, patch);
      // One conditional UPDATE: of two transactions moving the same post, the second waits for the first (PostgreSQL's
      // row lock; SQLite runs one transaction at a time) and then finds the state changed, so only one gets the row.
      return outbox(
        await s.get(
          `UPDATE upstream_outbox SET ${set} WHERE id = ? AND state IN (${from.map(() => '?').join(', ')})${dueBefore === undefined ? '' : ' AND due_ms <= ?'} RETURNING *`,
          ...args,
          id,
          ...from,
          ...(dueBefore === undefined ? [] : [dueBefore]),
        ),
      );
    },
    async countOutbox(orgId) {
      const counts: Partial<Record<OutboxState, number>> = {};
      for (const r of await s.all(
        'SELECT state, COUNT(*) AS n FROM upstream_outbox WHERE org_id = ? GROUP BY state',
        orgId,
      ))
        counts[r.state as OutboxState] = Number(r.n); // PostgreSQL's COUNT is a BIGINT
      return counts;
    },
  };
}
