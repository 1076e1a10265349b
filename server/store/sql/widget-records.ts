import type { WidgetRecordsPort } from '../port/widget-records.js';
import type { SqlContext } from './sql-context.js';
import { roundQuantity } from './caches.js';
import { activity, challenge } from './rows.js';

/** The widget API's challenges and activities. */
export function widgetRecordsTx(s: SqlContext): WidgetRecordsPort {
  return {
    async insertChallenge(c) {
      return s.caches.insertChallenge(
        challenge(
          await s.get(
            `INSERT INTO challenges (org_id, customer_id, template_id, name, tg_id, target_id, promotion_id, enrolment_id, target,
          period, period_count, time_zone, reward_points, starts_ms, ends_ms, created_ms, left_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
            c.orgId,
            c.customerId,
            c.templateId,
            c.name,
            c.tgId,
            c.targetId,
            c.promotionId,
            c.enrolmentId,
            c.target,
            c.period,
            c.periodCount,
            c.timeZone,
            c.rewardPoints,
            c.startsMs,
            c.endsMs,
            c.createdMs,
            c.leftMs,
          ),
        ),
      )!;
    },
    async getChallenge(customerId, id) {
      const c =
        s.caches.challenge(id) ??
        s.caches.loadedChallenge(challenge(await s.get('SELECT * FROM challenges WHERE id = ?', id)));
      return c && c.customerId === customerId ? c : undefined;
    },
    async getChallengeByEnrolment(eid) {
      return challenge(await s.get('SELECT * FROM challenges WHERE enrolment_id = ?', eid));
    },
    async listChallenges(customerId) {
      return (await s.all('SELECT * FROM challenges WHERE customer_id = ? ORDER BY id', customerId)).map((r) =>
        challenge(r)!,
      );
    },
    async setChallengeLeft(id, ms) {
      s.caches.setChallengeLeft(id);
      await s.run('UPDATE challenges SET left_ms = ? WHERE id = ?', ms, id);
    },
    async insertActivity(a) {
      s.caches.insertActivity(a);
      const id = await s.insertId(
        `INSERT INTO activities (org_id, customer_id, challenge_id, template_id, event_id, quantity, occurred_ms, created_ms, request)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        a.orgId,
        a.customerId,
        a.challengeId,
        a.templateId,
        a.eventId,
        a.quantity,
        a.occurredMs,
        a.createdMs,
        a.request ?? null,
      );
      return { ...a, request: a.request ?? null, id, undoneMs: null };
    },
    async getActivity(customerId, id) {
      return activity(await s.get('SELECT * FROM activities WHERE id = ? AND customer_id = ?', id, customerId));
    },
    async getActivityByEvent(eventId) {
      // Through activities_customer (customer, occurred_ms) from the event row: no index on event_id to keep up per log.
      return activity(
        await s.get(
          `SELECT a.* FROM events e JOIN activities a ON a.customer_id = e.customer_id AND a.occurred_ms = e.occurred_ms
          AND a.event_id = e.id WHERE e.id = ?`,
          eventId,
        ),
      );
    },
    async listActivities(customerId, o) {
      const cond = ['customer_id = ?'];
      const args: unknown[] = [customerId];
      if (o.challengeId !== undefined) {
        cond.push('challenge_id = ?');
        args.push(o.challengeId);
      }
      if (o.templateId !== undefined) {
        cond.push('template_id = ?');
        args.push(o.templateId);
      }
      if (o.fromMs !== undefined) {
        cond.push('occurred_ms >= ?');
        args.push(o.fromMs);
      }
      if (o.toMs !== undefined) {
        cond.push('occurred_ms < ?');
        args.push(o.toMs);
      }
      return (
        await s.all(
          `SELECT * FROM activities WHERE ${cond.join(' AND ')} ORDER BY occurred_ms DESC, id DESC LIMIT ?`,
          ...args,
          o.limit,
        )
      ).map((r) => activity(r)!);
    },
    async sumActivityQuantity(customerId, templateId, fromMs, toMs) {
      const hit = s.caches.activitySum(customerId, templateId, fromMs, toMs);
      if (hit !== undefined) return hit;
      const sum = roundQuantity(
        (await s.get(
          `SELECT coalesce(sum(quantity), 0) AS n FROM activities WHERE customer_id = ? AND occurred_ms >= ? AND occurred_ms < ?
          AND template_id = ? AND undone_ms IS NULL`,
          customerId,
          fromMs,
          toMs,
          templateId,
        ))!.n,
      );
      s.caches.loadedActivitySum(customerId, templateId, fromMs, toMs, sum);
      return sum;
    },
    async setActivityUndone(id, ms) {
      s.caches.setActivityUndone();
      await s.run('UPDATE activities SET undone_ms = ? WHERE id = ?', ms, id);
    },
  };
}
