import type { PromotionsPort } from '../port/promotions.js';
import type { SqlContext } from './sql-context.js';
import { ledger, promotion } from './rows.js';

/** Promotions and the points ledger. */
export function promotionsTx(s: SqlContext): PromotionsPort {
  return {
    async insertPromotion(p, targets) {
      await s.run(
        'INSERT INTO promotions (id, org_id, program_id, name, identifier, source_type, active, created_ms, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        p.id,
        p.orgId,
        p.programId,
        p.name,
        p.identifier,
        p.sourceType,
        p.active ? 1 : 0,
        p.createdMs,
        JSON.stringify(p.doc),
      );
      for (const t of targets)
        await s.run(
          'INSERT INTO promotion_targets (promotion_id, tg_id, rule_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
          p.id,
          t.tgId,
          t.ruleId,
        );
    },
    async getPromotion(orgId, id) {
      return promotion(await s.get('SELECT * FROM promotions WHERE org_id = ? AND id = ?', orgId, id));
    },
    async findPromotion(orgId, programId, by) {
      if (by.name !== undefined)
        return promotion(
          await s.get(
            'SELECT * FROM promotions WHERE org_id = ? AND program_id = ? AND name = ?',
            orgId,
            programId,
            by.name,
          ),
        );
      return promotion(
        await s.get(
          'SELECT * FROM promotions WHERE org_id = ? AND program_id = ? AND identifier = ?',
          orgId,
          programId,
          by.identifier,
        ),
      );
    },
    async listPromotions(orgId, programId, o) {
      const where = `org_id = ? AND program_id = ? ${o.sourceType ? 'AND source_type = ?' : ''} ${o.includeInactive ? '' : 'AND active = 1'}`;
      const args: unknown[] = [orgId, programId, ...(o.sourceType ? [o.sourceType] : [])];
      const total = (await s.get(`SELECT count(*) AS n FROM promotions WHERE ${where}`, ...args))!.n as number;
      const rows = (
        await s.all(`SELECT * FROM promotions WHERE ${where} ORDER BY id LIMIT ? OFFSET ?`, ...args, o.limit, o.offset)
      ).map((r) => promotion(r)!);
      return { rows, total };
    },
    async listPromotionsForTargetGroup(tgId) {
      return (
        await s.all(
          'SELECT p.*, pt.rule_id FROM promotion_targets pt JOIN promotions p ON p.id = pt.promotion_id WHERE pt.tg_id = ? ORDER BY p.id',
          tgId,
        )
      ).map((r) => ({ ...promotion(r)!, ruleId: r.rule_id }));
    },
    async insertLedger(l) {
      return ledger(
        (await s.get(
          `INSERT INTO ledger (org_id, customer_id, type, points, promotion_id, completion_id, reverses_id, description, created_ms, expires_ms)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
          l.orgId,
          l.customerId,
          l.type,
          l.points,
          l.promotionId,
          l.completionId,
          l.reversesId,
          l.description,
          l.createdMs,
          l.expiresMs,
        ))!,
      );
    },
    async markLedgerReversed(id) {
      await s.run('UPDATE ledger SET reversed = 1 WHERE id = ?', id);
    },
    async listLedgerForCompletion(cid) {
      return (await s.all('SELECT * FROM ledger WHERE completion_id = ? ORDER BY id', cid)).map(ledger);
    },
    async ledgerUsage(promotionId, customerId) {
      const r =
        customerId === null
          ? (await s.get(
              `SELECT coalesce(sum(points), 0) AS points, coalesce(sum(CASE WHEN type = 'EARN' AND reversed = 0 THEN 1 ELSE 0 END), 0) AS times FROM ledger WHERE promotion_id = ?`,
              promotionId,
            ))!
          : (await s.get(
              `SELECT coalesce(sum(points), 0) AS points, coalesce(sum(CASE WHEN type = 'EARN' AND reversed = 0 THEN 1 ELSE 0 END), 0) AS times FROM ledger WHERE promotion_id = ? AND customer_id = ?`,
              promotionId,
              customerId,
            ))!;
      return { points: r.points, times: r.times };
    },
    async customerEarnedSince(customerId, sinceMs, sourceType) {
      return (await s.get(
        `SELECT coalesce(sum(l.points), 0) AS n FROM ledger l JOIN promotions p ON p.id = l.promotion_id
          WHERE l.customer_id = ? AND l.created_ms >= ? AND p.source_type = ?`,
        customerId,
        sinceMs,
        sourceType,
      ))!.n;
    },
    async listLedger(customerId, o) {
      return (
        await s.all(
          `SELECT * FROM ledger WHERE customer_id = ? ${o.beforeId ? 'AND id < ?' : ''} ORDER BY id DESC LIMIT ?`,
          ...(o.beforeId ? [customerId, o.beforeId, o.limit] : [customerId, o.limit]),
        )
      ).map(ledger);
    },
    async pageLedger(customerId, o) {
      const rows = (
        await s.all(
          `SELECT * FROM ledger WHERE customer_id = ? ORDER BY id ${o.ascending ? 'ASC' : 'DESC'} LIMIT ? OFFSET ?`,
          customerId,
          o.limit,
          o.offset,
        )
      ).map(ledger);
      const total = (await s.get('SELECT count(*) AS n FROM ledger WHERE customer_id = ?', customerId))!.n;
      return { rows, total: Number(total) };
    },
    async earnedByEnrolment(eid) {
      return (await s.get(
        `SELECT coalesce(sum(l.points), 0) AS n FROM completions c JOIN ledger l ON l.completion_id = c.id
          WHERE c.enrolment_id = ? AND c.revoked_ms IS NULL`,
        eid,
      ))!.n;
    },
    async listLedgerEntries(customerId, o) {
      return (
        await s.all(
          `SELECT l.*, ch.id AS challenge_id, ch.name AS challenge_name FROM ledger l LEFT JOIN completions c ON c.id = l.completion_id
          LEFT JOIN challenges ch ON ch.enrolment_id = c.enrolment_id
          WHERE l.customer_id = ? ${o.beforeId ? 'AND l.id < ?' : ''} ORDER BY l.id DESC LIMIT ?`,
          ...(o.beforeId ? [customerId, o.beforeId, o.limit] : [customerId, o.limit]),
        )
      ).map((r) => ({ ...ledger(r), challengeId: r.challenge_id ?? null, challengeName: r.challenge_name ?? null }));
    },
  };
}
