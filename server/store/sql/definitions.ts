import type { TargetGroupDoc, EventDefDoc } from '../../model/documents.js';
import type { DefinitionsPort } from '../port/definitions.js';
import type { SqlContext } from './sql-context.js';
import { enrolment, type Row } from './rows.js';

/** The columns a target group is listed and filtered by (migration 11), written with its doc. */
const LISTED = 'active, starts_ms, ends_ms, target_types';
const listed = (doc: TargetGroupDoc) => [
  doc.active ? 1 : 0,
  doc.periods[0].startMs,
  doc.periods[doc.periods.length - 1].endMs,
  `,${doc.targets.map((t) => t.targetType).join(',')},`,
];

/** Event definitions, target groups and enrolments. */
export function definitionsTx(s: SqlContext): DefinitionsPort {
  const tg = (orgId: string, r: Row | undefined): TargetGroupDoc | undefined => {
    if (!r || r.org_id !== orgId) return undefined;
    let hit = s.caches.targetGroup(r.id);
    if (!hit) {
      hit = { orgId, doc: JSON.parse(r.doc) as TargetGroupDoc };
      s.caches.loadedTargetGroup(r.id, hit);
    }
    return hit.doc;
  };
  /** The customer's enrolments, from the cache or read once; callers get the cached rows (never mutated). */
  const enrolmentsOf = async (customerId: number) => {
    let rows = s.caches.enrolmentsOf(customerId);
    if (!rows) {
      rows = (await s.all('SELECT * FROM enrolments WHERE customer_id = ? ORDER BY id', customerId)).map((r) =>
        Object.freeze(enrolment(r)!),
      );
      s.caches.loadedEnrolments(customerId, rows);
    }
    return rows;
  };
  return {
    async getEventDef(orgId, name) {
      const hit = s.caches.eventDef(orgId, name);
      if (hit) return hit;
      const r = await s.get('SELECT doc FROM event_defs WHERE org_id = ? AND name = ?', orgId, name);
      const def = r && (JSON.parse(r.doc) as EventDefDoc);
      if (def) s.caches.loadedEventDef(orgId, name, def);
      return def;
    },
    async listEventDefs(orgId) {
      return (await s.all('SELECT doc FROM event_defs WHERE org_id = ? ORDER BY name', orgId)).map(
        (r) => JSON.parse(r.doc) as EventDefDoc,
      );
    },
    async pageEventDefs(orgId, { offset, limit }) {
      const total = ((await s.get('SELECT count(*) AS n FROM event_defs WHERE org_id = ?', orgId)) as { n: number }).n;
      const names = (
        await s.all(
          'SELECT name, length(doc) AS bytes FROM event_defs WHERE org_id = ? ORDER BY name LIMIT ? OFFSET ?',
          orgId,
          limit,
          offset,
        )
      ).map((r) => ({ eventName: r.name as string, bytes: r.bytes as number }));
      return { total, names };
    },
    async putEventDef(orgId, def) {
      s.caches.putEventDef(orgId, def.eventName);
      await s.run(
        'INSERT INTO event_defs (org_id, name, doc) VALUES (?, ?, ?) ON CONFLICT (org_id, name) DO UPDATE SET doc = excluded.doc',
        orgId,
        def.eventName,
        JSON.stringify(def),
      );
    },
    async getTargetGroup(orgId, id) {
      const cached = s.caches.targetGroup(id);
      if (cached) return cached.orgId === orgId ? cached.doc : undefined;
      return tg(orgId, await s.get('SELECT * FROM target_groups WHERE id = ?', id));
    },
    async getTargetGroups(orgId, ids) {
      const found = new Map<number, TargetGroupDoc>();
      const missing: number[] = [];
      for (const id of new Set(ids)) {
        const cached = s.caches.targetGroup(id);
        if (!cached) missing.push(id);
        else if (cached.orgId === orgId) found.set(id, cached.doc);
      }
      if (missing.length) {
        const [inIds, arg] = s.inIds('id', missing);
        for (const r of await s.all(`SELECT * FROM target_groups WHERE ${inIds}`, arg)) {
          const doc = tg(orgId, r);
          if (doc) found.set(r.id, doc);
        }
      }
      return found;
    },
    async findTargetGroupByName(orgId, name) {
      return tg(orgId, await s.get('SELECT * FROM target_groups WHERE org_id = ? AND name = ?', orgId, name));
    },
    async pageTargetGroups(orgId, q) {
      const where: string[] = [],
        args: unknown[] = [];
      const and = (cond: string, ...values: unknown[]) => {
        where.push(cond);
        args.push(...values);
      };
      and('org_id = ?', orgId);
      if (!q.includeUserCreated) and('user_created = 0');
      // An empty filter filters nothing; a name is compared without case as JavaScript folds it (not only A–Z);
      // a target type never holds a comma, so one with a comma matches nothing.
      if (q.trackingType) and('tracking_type = ?', q.trackingType);
      if (q.nameContains) and('instr(js_lower(name), ?) > 0', q.nameContains.toLowerCase());
      if (q.targetType)
        if (q.targetType.includes(',')) and('1 = 0');
        else and('instr(target_types, ?) > 0', `,${q.targetType},`);
      const now = q.status?.now;
      if (q.status?.is === 'STOPPED') and('active = 0');
      if (q.status?.is === 'UPCOMING') and('active = 1 AND ? < starts_ms', now);
      if (q.status?.is === 'ENDED') and('active = 1 AND ? >= ends_ms', now);
      if (q.status?.is === 'LIVE') and('active = 1 AND starts_ms <= ? AND ? < ends_ms', now, now);
      const sql = `FROM target_groups WHERE ${where.join(' AND ')}`;
      const total = ((await s.get(`SELECT count(*) AS n ${sql}`, ...args)) as { n: number }).n;
      const ids =
        q.limit > 0 ? await s.all(`SELECT id ${sql} ORDER BY id LIMIT ? OFFSET ?`, ...args, q.limit, q.offset) : [];
      return { total, ids: ids.map((r) => r.id as number) };
    },
    async insertTargetGroup(orgId, doc, createdMs) {
      await s.run(
        `INSERT INTO target_groups (id, org_id, name, user_created, tracking_type, created_ms, doc, ${LISTED})
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        doc.id,
        orgId,
        doc.name,
        doc.userCreated ? 1 : 0,
        doc.trackingType,
        createdMs,
        JSON.stringify(doc),
        ...listed(doc),
      );
      for (const t of doc.targets)
        await s.run(
          'INSERT INTO targets (id, tg_id, org_id, event_name) VALUES (?, ?, ?, ?)',
          t.id,
          doc.id,
          orgId,
          t.eventName,
        );
      s.caches.insertTargetGroup(orgId, doc);
    },
    async updateTargetGroup(orgId, doc) {
      await s.run(
        `UPDATE target_groups SET name = ?, user_created = ?, doc = ?, (${LISTED}) = (?, ?, ?, ?) WHERE id = ? AND org_id = ?`,
        doc.name,
        doc.userCreated ? 1 : 0,
        JSON.stringify(doc),
        ...listed(doc),
        doc.id,
        orgId,
      );
      for (const t of doc.targets) await s.run('UPDATE targets SET event_name = ? WHERE id = ?', t.eventName, t.id);
      await s.run(
        'UPDATE enrolments SET event_name = (SELECT event_name FROM targets WHERE targets.id = enrolments.target_id) WHERE tg_id = ?',
        doc.id,
      );
      s.caches.updateTargetGroup(orgId, doc); // any customer's enrolments on this group may have changed event
    },
    async getEnrolment(targetId, customerId) {
      return enrolment(
        await s.get('SELECT * FROM enrolments WHERE target_id = ? AND customer_id = ?', targetId, customerId),
      );
    },
    async getEnrolmentById(id, customerId) {
      if (customerId !== undefined) return (await enrolmentsOf(customerId)).find((e) => e.id === id);
      return enrolment(await s.get('SELECT * FROM enrolments WHERE id = ?', id));
    },
    async insertEnrolment(row) {
      s.caches.insertEnrolment(row.customerId);
      return enrolment(
        await s.get(
          `INSERT INTO enrolments (org_id, tg_id, target_id, customer_id, event_name, start_idx, active, enrolled_ms, unenrolled_ms)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
          row.orgId,
          row.tgId,
          row.targetId,
          row.customerId,
          row.eventName,
          row.startIdx,
          row.active ? 1 : 0,
          row.enrolledMs,
          row.unenrolledMs,
        ),
      )!;
    },
    async updateEnrolment(id, p) {
      const cur = enrolment(await s.get('SELECT * FROM enrolments WHERE id = ?', id))!;
      s.caches.updateEnrolment(cur.customerId);
      const n = { ...cur, ...p };
      await s.run(
        'UPDATE enrolments SET active = ?, start_idx = ?, enrolled_ms = ?, unenrolled_ms = ? WHERE id = ?',
        n.active ? 1 : 0,
        n.startIdx,
        n.enrolledMs,
        n.unenrolledMs,
        id,
      );
    },
    async listEnrolmentsForCustomer(customerId, { activeOnly }) {
      return (
        await s.all(
          `SELECT * FROM enrolments WHERE customer_id = ? ${activeOnly ? 'AND active = 1' : ''} ORDER BY id`,
          customerId,
        )
      ).map((r) => enrolment(r)!);
    },
    async listActiveEnrolmentsForEvent(customerId, eventName) {
      return (await enrolmentsOf(customerId)).filter((e) => e.active && e.eventName === eventName);
    },
  };
}
