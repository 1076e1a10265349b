/**
 * The store interface: everything the engine and the HTTP layers read or write goes through it.
 * It speaks in records, not SQL, and every method is async so that a PostgreSQL store (one
 * connection per transaction) can implement it without touching the engine. The SQLite store
 * serialises transactions, so a transaction sees no other writer.
 */
import type { OrgDoc } from '../model/org.js';
import type { TargetGroupDoc, EventDefDoc, PromotionDoc } from '../model/documents.js';

export interface CustomerRow {
  id: number;
  orgId: string;
  externalId: string;
  timeZone: string | null;
  balance: number;
  createdMs: number;
}
export interface EnrolmentRow {
  id: number;
  orgId: string;
  tgId: number;
  targetId: number;
  customerId: number;
  eventName: string | null;
  startIdx: number;
  active: boolean;
  enrolledMs: number;
  unenrolledMs: number | null;
}
export interface ProgressRow {
  enrolmentId: number;
  periodIdx: number;
  value: number;
  achievedMs: number | null;
}
export interface CompletionRow {
  id: number;
  enrolmentId: number;
  kind: 'PERIOD' | 'LEVEL';
  ref: number;
  achievedMs: number;
  revokedMs: number | null;
}
export interface EventRow {
  id: number;
  orgId: string;
  customerId: number;
  eventName: string;
  externalEventId: string | null;
  occurredMs: number;
  fields: Record<string, unknown>;
  createdMs: number;
  voidedMs: number | null;
}
export interface EffectRow {
  eventId: number;
  enrolmentId: number;
  periodIdx: number;
  amount: number;
  day: string | null;
}
export interface LedgerRow {
  id: number;
  orgId: string;
  customerId: number;
  type: 'EARN' | 'REVERSAL';
  points: number;
  promotionId: number | null;
  completionId: number | null;
  reversesId: number | null;
  reversed: boolean;
  description: string;
  createdMs: number;
  expiresMs: number | null;
}
export interface PromotionRow {
  id: number;
  orgId: string;
  programId: number;
  name: string;
  identifier: string;
  sourceType: string;
  active: boolean;
  createdMs: number;
  doc: PromotionDoc;
}
export interface ChallengeRow {
  id: number;
  orgId: string;
  customerId: number;
  templateId: string;
  name: string;
  tgId: number;
  targetId: number;
  promotionId: number;
  enrolmentId: number;
  target: number;
  period: 'DAILY' | 'WEEKLY';
  periodCount: number;
  timeZone: string;
  rewardPoints: number;
  startsMs: number;
  endsMs: number;
  createdMs: number;
  leftMs: number | null;
}
export interface ActivityRow {
  id: number;
  orgId: string;
  customerId: number;
  challengeId: number | null;
  templateId: string;
  eventId: number;
  quantity: number;
  occurredMs: number;
  createdMs: number;
  undoneMs: number | null;
  /** Fingerprint of the widget request that logged it (a replay with another body is refused); null when unknown. */
  request?: string | null;
}
/** A stored answer; `requestHash` fingerprints the request so a reused key with another body is refused. */
export interface IdempotencyRow {
  status: number;
  body: string;
  requestHash?: string | null;
}
export type LedgerEntryRow = LedgerRow & { challengeId: number | null; challengeName: string | null };

/** Which of an organisation's target groups to list (GET v3/targetGroups and v3/milestones). */
export interface TargetGroupQuery {
  includeUserCreated: boolean;
  trackingType?: string;
  /** The group's status at `now`, as `groupStatus` computes it from `active` and the first and last period. */
  status?: { is: 'LIVE' | 'UPCOMING' | 'ENDED' | 'STOPPED'; now: number };
  /** Part of the name, compared without case (ASCII letters). */
  nameContains?: string;
  /** At least one target rule of this type. */
  targetType?: string;
  offset: number;
  limit: number;
}

export interface Tx {
  // organisations and customers
  getOrg(id: string): Promise<OrgDoc | undefined>;
  listOrgs(): Promise<OrgDoc[]>;
  putOrg(org: OrgDoc): Promise<void>;
  nextIds(counter: string, n: number): Promise<number>; // returns the first of n fresh ids
  getCustomer(orgId: string, id: number): Promise<CustomerRow | undefined>;
  getCustomerByExternalId(orgId: string, externalId: string): Promise<CustomerRow | undefined>;
  insertCustomer(row: Omit<CustomerRow, 'id' | 'balance'> & { id?: number }): Promise<CustomerRow>;
  setCustomerTimeZone(id: number, tz: string): Promise<void>;
  addToBalance(customerId: number, points: number): Promise<void>;
  // behavioural events
  getEventDef(orgId: string, name: string): Promise<EventDefDoc | undefined>;
  listEventDefs(orgId: string): Promise<EventDefDoc[]>;
  /** One page of the organisation's event names in name order, with each stored definition's size in bytes. */
  pageEventDefs(
    orgId: string,
    page: { offset: number; limit: number },
  ): Promise<{ total: number; names: { eventName: string; bytes: number }[] }>;
  putEventDef(orgId: string, def: EventDefDoc): Promise<void>;
  // target groups
  getTargetGroup(orgId: string, id: number): Promise<TargetGroupDoc | undefined>;
  findTargetGroupByName(orgId: string, name: string): Promise<TargetGroupDoc | undefined>;
  /** The ids of one page of an organisation's groups in id order, filtered in the database; how many match in all. */
  pageTargetGroups(orgId: string, q: TargetGroupQuery): Promise<{ total: number; ids: number[] }>;
  insertTargetGroup(orgId: string, doc: TargetGroupDoc, createdMs: number): Promise<void>;
  updateTargetGroup(orgId: string, doc: TargetGroupDoc): Promise<void>;
  // enrolments and progress
  getEnrolment(targetId: number, customerId: number): Promise<EnrolmentRow | undefined>;
  /** By id; with the customer it belongs to, the store may answer from its cache of that customer's enrolments. */
  getEnrolmentById(id: number, customerId?: number): Promise<EnrolmentRow | undefined>;
  insertEnrolment(row: Omit<EnrolmentRow, 'id'>): Promise<EnrolmentRow>;
  updateEnrolment(
    id: number,
    patch: Partial<Pick<EnrolmentRow, 'active' | 'startIdx' | 'enrolledMs' | 'unenrolledMs'>>,
  ): Promise<void>;
  listEnrolmentsForCustomer(customerId: number, opts: { activeOnly: boolean }): Promise<EnrolmentRow[]>;
  listActiveEnrolmentsForEvent(customerId: number, eventName: string): Promise<EnrolmentRow[]>;
  listProgress(enrolmentId: number): Promise<ProgressRow[]>;
  putProgress(row: ProgressRow): Promise<void>;
  clearProgress(enrolmentId: number): Promise<void>;
  /** Adds `delta` events to one day of a VISIT target; returns the day's new count. */
  bumpVisitDay(enrolmentId: number, periodIdx: number, day: string, delta: number): Promise<number>;
  listCompletions(enrolmentId: number, opts: { liveOnly: boolean }): Promise<CompletionRow[]>;
  insertCompletion(row: Omit<CompletionRow, 'id' | 'revokedMs'>): Promise<CompletionRow>;
  revokeCompletion(id: number, ms: number): Promise<void>;
  // event occurrences
  getEventByExternalId(orgId: string, externalId: string): Promise<EventRow | undefined>;
  getEvent(orgId: string, id: number): Promise<EventRow | undefined>;
  insertEvent(row: Omit<EventRow, 'id' | 'voidedMs'>): Promise<EventRow>;
  voidEvent(id: number, ms: number): Promise<void>;
  insertEffect(row: EffectRow): Promise<void>;
  listEffects(eventId: number): Promise<EffectRow[]>;
  // promotions and ledger
  insertPromotion(
    row: Omit<PromotionRow, 'id'> & { id: number },
    targets: { tgId: number; ruleId: number | null }[],
  ): Promise<void>;
  getPromotion(orgId: string, id: number): Promise<PromotionRow | undefined>;
  findPromotion(
    orgId: string,
    programId: number,
    by: { name?: string; identifier?: string },
  ): Promise<PromotionRow | undefined>;
  listPromotions(
    orgId: string,
    programId: number,
    opts: { sourceType?: string; includeInactive: boolean; limit: number; offset: number },
  ): Promise<{ rows: PromotionRow[]; total: number }>;
  listPromotionsForTargetGroup(tgId: number): Promise<(PromotionRow & { ruleId: number | null })[]>;
  insertLedger(row: Omit<LedgerRow, 'id' | 'reversed'>): Promise<LedgerRow>;
  markLedgerReversed(id: number): Promise<void>;
  listLedgerForCompletion(completionId: number): Promise<LedgerRow[]>;
  ledgerUsage(promotionId: number, customerId: number | null): Promise<{ points: number; times: number }>;
  customerEarnedSince(customerId: number, sinceMs: number, sourceType: string): Promise<number>;
  listLedger(customerId: number, opts: { limit: number; beforeId?: number }): Promise<LedgerRow[]>;
  // widget API records
  insertChallenge(row: Omit<ChallengeRow, 'id'>): Promise<ChallengeRow>;
  getChallenge(customerId: number, id: number): Promise<ChallengeRow | undefined>;
  getChallengeByEnrolment(enrolmentId: number): Promise<ChallengeRow | undefined>;
  listChallenges(customerId: number): Promise<ChallengeRow[]>;
  setChallengeLeft(id: number, ms: number): Promise<void>;
  insertActivity(row: Omit<ActivityRow, 'id' | 'undoneMs'>): Promise<ActivityRow>;
  getActivity(customerId: number, id: number): Promise<ActivityRow | undefined>;
  /** The activity a widget log recorded with this event (its idempotent replay); undefined for other events. */
  getActivityByEvent(eventId: number): Promise<ActivityRow | undefined>;
  listActivities(
    customerId: number,
    opts: { challengeId?: number; templateId?: string; fromMs?: number; toMs?: number; limit: number },
  ): Promise<ActivityRow[]>;
  /** Sum of the quantities of a customer's not-undone activities on a template with occurredMs in [fromMs, toMs). */
  sumActivityQuantity(customerId: number, templateId: string, fromMs: number, toMs: number): Promise<number>;
  /** The progress rows of several enrolments at once (one read for a list of challenges). */
  listProgressForEnrolments(enrolmentIds: number[]): Promise<ProgressRow[]>;
  /** Net points (earned minus reversed) the live completions of one enrolment have credited. */
  earnedByEnrolment(enrolmentId: number): Promise<number>;
  /** The ledger, newest first, each entry with the widget challenge it belongs to (if any). */
  listLedgerEntries(customerId: number, opts: { limit: number; beforeId?: number }): Promise<LedgerEntryRow[]>;
  setActivityUndone(id: number, ms: number): Promise<void>;
  getIdempotent(orgId: string, customerId: number, scope: string, key: string): Promise<IdempotencyRow | undefined>;
  putIdempotent(
    orgId: string,
    customerId: number,
    scope: string,
    key: string,
    row: IdempotencyRow,
    ms: number,
  ): Promise<void>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string | null): Promise<void>;
  /** Demo reset: deletes every row of every data table (schema and migrations stay). */
  deleteAllData(): Promise<void>;
}

export interface Store {
  /** Runs `fn` as one transaction: all its writes commit together or none do. */
  tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Optional group commit: like `tx`, but transactions arriving together may share one commit
   * (each still all-or-nothing on its own; answered only after the commit). `fn` may run twice:
   * when another transaction of its group fails after writing, the group is rolled back and
   * each `fn` runs again alone, so it must not rely on effects of its first run.
   */
  txGrouped?<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Reads outside a write transaction (same interface; writes here are a bug). */
  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Number of SQL statements executed so far (used to show a log's cost is independent of history). */
  statementCount(): number;
  /** What is wrong with the storage right now, for /healthz (null when it is healthy). */
  health?(): string | null;
  close(): void;
}
