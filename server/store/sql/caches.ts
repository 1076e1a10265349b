import type { TargetGroupDoc, EventDefDoc } from '../../model/documents.js';
import type { ChallengeRow, EnrolmentRow, ProgressRow } from '../port/rows.js';

/**
 * A cache map holding at most `limit` entries; past that the oldest insertion goes first. The
 * store's caches hold what every log reads (target groups, event definitions, challenges,
 * enrolments, progress rows, the period's logged quantity); each is written through by the
 * store's own writes and dropped whole when a transaction that wrote rolls back.
 */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(readonly limit: number) {
    super();
  }
  override set(key: K, value: V) {
    if (!this.has(key) && this.size >= this.limit) this.delete(this.keys().next().value as K);
    return super.set(key, value);
  }
}
export const CACHE_ROWS = 50_000;

/** Quantities are summed to 6 decimals (as progress values are), so a cached running sum equals SQL's. */
export const roundQuantity = (x: number) => Math.round(x * 1e6) / 1e6;

/** A per-period quantity sum of a customer's live logs on one template. */
interface SumWindow {
  templateId: string;
  fromMs: number;
  toMs: number;
  sum: number;
}

/**
 * Every cache of the SQLite store, in one place. The concern files read through the lookups,
 * record what they read with the `loaded…` methods, and tell every write that touches a cached
 * row through the method named after that write (putEventDef, insertEnrolment, putProgress, …),
 * which updates or drops the entries it makes stale. `clear()` drops everything: after a
 * transaction that wrote rolls back (the caches may hold rows it wrote through), and on the demo
 * reset. The store serialises transactions and better-sqlite3 answers synchronously, so no read
 * can load a row while a write is under way: a lookup, its load and the write that follows
 * always see the same transaction.
 */
export class StoreCaches {
  private readonly targetGroups = new BoundedMap<number, { orgId: string; doc: TargetGroupDoc }>(CACHE_ROWS);
  /** Parsed event definitions by `org\0name` (read on every occurrence; written only by POST /v2/events). */
  private readonly eventDefs = new BoundedMap<string, EventDefDoc>(CACHE_ROWS);
  /** Challenge rows by id (every widget log names one; written on create and leave). */
  private readonly challenges = new BoundedMap<number, ChallengeRow>(CACHE_ROWS);
  /** Every enrolment of a customer (every occurrence lists the active ones on its event). */
  private readonly enrolments = new BoundedMap<number, EnrolmentRow[]>(CACHE_ROWS);
  /** Progress rows of an enrolment, in period order (every log reads them for its answer and writes one). */
  private readonly progress = new BoundedMap<number, ProgressRow[]>(CACHE_ROWS);
  /**
   * Per-period quantity sums of a customer's live logs, by template and window (the cap check of every log
   * asks for the same window again): kept up to date by insertActivity, dropped by any undo.
   */
  private readonly sums = new BoundedMap<number, SumWindow[]>(CACHE_ROWS);

  /** Drops every cached row. */
  clear() {
    this.targetGroups.clear();
    this.eventDefs.clear();
    this.challenges.clear();
    this.enrolments.clear();
    this.progress.clear();
    this.sums.clear();
  }

  // ---- event definitions
  eventDef(orgId: string, name: string) {
    return this.eventDefs.get(`${orgId}\0${name}`);
  }
  loadedEventDef(orgId: string, name: string, def: EventDefDoc) {
    this.eventDefs.set(`${orgId}\0${name}`, def);
  }
  putEventDef(orgId: string, eventName: string) {
    this.eventDefs.delete(`${orgId}\0${eventName}`);
  }

  // ---- target groups
  targetGroup(id: number) {
    return this.targetGroups.get(id);
  }
  loadedTargetGroup(id: number, hit: { orgId: string; doc: TargetGroupDoc }) {
    this.targetGroups.set(id, hit);
  }
  insertTargetGroup(orgId: string, doc: TargetGroupDoc) {
    this.targetGroups.set(doc.id, { orgId, doc });
  }
  updateTargetGroup(orgId: string, doc: TargetGroupDoc) {
    this.enrolments.clear(); // any customer's enrolments on this group may have changed event
    this.targetGroups.set(doc.id, { orgId, doc });
  }

  // ---- enrolments (all of a customer's, frozen: callers get the cached rows)
  enrolmentsOf(customerId: number) {
    return this.enrolments.get(customerId);
  }
  loadedEnrolments(customerId: number, rows: EnrolmentRow[]) {
    this.enrolments.set(customerId, rows);
  }
  insertEnrolment(customerId: number) {
    this.enrolments.delete(customerId);
  }
  updateEnrolment(customerId: number) {
    this.enrolments.delete(customerId);
  }

  // ---- progress (the cached rows; readers copy them)
  progressOf(enrolmentId: number) {
    return this.progress.get(enrolmentId);
  }
  loadedProgress(enrolmentId: number, rows: ProgressRow[]) {
    this.progress.set(enrolmentId, rows);
  }
  putProgress(p: ProgressRow) {
    const rows = this.progress.get(p.enrolmentId);
    if (rows) {
      const row = { enrolmentId: p.enrolmentId, periodIdx: p.periodIdx, value: p.value, achievedMs: p.achievedMs };
      const i = rows.findIndex((r) => r.periodIdx >= p.periodIdx);
      if (i === -1) rows.push(row);
      else if (rows[i].periodIdx === p.periodIdx) rows[i] = row;
      else rows.splice(i, 0, row);
    }
  }
  clearProgress(enrolmentId: number) {
    this.progress.delete(enrolmentId);
  }

  // ---- challenges (frozen rows)
  challenge(id: number) {
    return this.challenges.get(id);
  }
  /** Caches a challenge read or inserted (frozen) and returns it. */
  loadedChallenge(c: ChallengeRow | undefined) {
    if (c) this.challenges.set(c.id, Object.freeze(c));
    return c;
  }
  insertChallenge(c: ChallengeRow | undefined) {
    return this.loadedChallenge(c);
  }
  setChallengeLeft(id: number) {
    this.challenges.delete(id);
  }

  // ---- per-period activity sums
  activitySum(customerId: number, templateId: string, fromMs: number, toMs: number) {
    return this.sums.get(customerId)?.find((w) => w.templateId === templateId && w.fromMs === fromMs && w.toMs === toMs)
      ?.sum;
  }
  loadedActivitySum(customerId: number, templateId: string, fromMs: number, toMs: number, sum: number) {
    let windows = this.sums.get(customerId);
    if (!windows) {
      windows = [];
      this.sums.set(customerId, windows);
    }
    windows.push({ templateId, fromMs, toMs, sum });
    if (windows.length > 8) windows.shift(); // a customer's few current windows
  }
  insertActivity(a: { customerId: number; templateId: string; occurredMs: number; quantity: number }) {
    for (const w of this.sums.get(a.customerId) ?? []) {
      if (w.templateId === a.templateId && a.occurredMs >= w.fromMs && a.occurredMs < w.toMs)
        w.sum = roundQuantity(w.sum + a.quantity);
    }
  }
  setActivityUndone() {
    this.sums.clear();
  }
}
