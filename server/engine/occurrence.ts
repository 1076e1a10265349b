/**
 * Event occurrences → target progress → completions (TARGETCOMPLETED) → promotions → points.
 * Work per occurrence is bounded by the enrolments it concerns and their periods, never by how
 * many events came before: each touched enrolment's per-period progress rows are read (they also
 * make the answer) and one of them written; only a period that flips between achieved and not
 * reads completions and promotions.
 */
import { DomainError } from '../model/errors.js';
import type { Occurrence } from '../model/commands.js';
import type { Tx, EnrolmentRow, EventRow, CompletionRow, ProgressRow } from '../store/types.js';
import { strategyPoints, type OrgDoc } from './org.js';
import type { TargetGroupDoc, TargetDoc } from './model.js';
import { localDate, startOfMonth } from './time.js';
import { periodIndexAt, streakStats } from './periods.js';

/** The longest text an event's string field may hold. */
export const MAX_FIELD_LENGTH = 1000;

export interface PointsMove {
  enrolmentId: number;
  customerId: number;
  ledgerId: number;
  points: number;
  promotionId: number;
  completionId: number;
  kind: 'PERIOD' | 'LEVEL';
  ref: number;
  description: string;
}
/** What an occurrence did: rewards given and taken back, the enrolments it touched and their progress rows after it. */
export interface Outcome {
  awards: PointsMove[];
  reversals: PointsMove[];
  touched: number[];
  progress: Map<number, ProgressRow[]>;
}
export const emptyOutcome = (): Outcome => ({ awards: [], reversals: [], touched: [], progress: new Map() });

/**
 * Validates an occurrence's fields against the event definition; returns the typed fields and, when the definition
 * declares isUniqueKeyField fields, the occurrence's unique key: those fields' values, in the definition's order (the
 * customer and the event name are always part of the key, as Capillary documents, and are kept beside it). An
 * occurrence whose key was counted before for the same customer and event is not counted again.
 */
export async function validateOccurrence(tx: Tx, org: OrgDoc, eventName: string, raw: Record<string, unknown>) {
  const def = await tx.getEventDef(org.id, eventName);
  if (!def) throw new DomainError('EVENT_UNKNOWN', `Unknown behavioural event "${eventName}".`);
  const fields: Record<string, unknown> = {};
  for (const f of def.fields) {
    if (f.type === 'customer') continue;
    const v = raw[f.name];
    const required = f.attributes?.isRequired?.value === 'true';
    if (v === undefined || v === null || v === '') {
      if (required)
        throw new DomainError('EVENT_FIELD_REQUIRED', `Field "${f.name}" is required for event "${eventName}".`);
      continue;
    }
    // Strict types: a double is a finite number, every other field a string.
    if (f.type === 'double') {
      const n = typeof v === 'number' && Number.isFinite(v) ? v : NaN;
      if (Number.isNaN(n))
        throw new DomainError(
          'EVENT_FIELD_TYPE_MISMATCH',
          `Field "${f.name}" must be a JSON number (got ${Array.isArray(v) ? 'an array' : `a ${typeof v}`}).`,
        );
      fields[f.name] = n;
    } else {
      if (typeof v !== 'string')
        throw new DomainError('EVENT_FIELD_TYPE_MISMATCH', `Field "${f.name}" must be a JSON string.`);
      if (v.length > MAX_FIELD_LENGTH)
        throw new DomainError(
          'EVENT_FIELD_TYPE_MISMATCH',
          `Field "${f.name}" must be at most ${MAX_FIELD_LENGTH} characters.`,
        );
      fields[f.name] = v;
    }
  }
  const keyFields = def.fields.filter((f) => f.type !== 'customer' && f.attributes?.isUniqueKeyField?.value === 'true');
  const uniqueKey = keyFields.length ? JSON.stringify(keyFields.map((f) => fields[f.name] ?? null)) : null;
  return { fields, uniqueKey };
}

function amountFor(target: TargetDoc, fields: Record<string, unknown>): number {
  if (target.targetType === 'COUNT') return 1;
  if (target.targetType === 'EVENT_ATTRIBUTE') return Number(fields[target.extendedFieldInfo!.name] ?? 0);
  return 0; // VISIT is handled per day
}

/**
 * Records one occurrence. The same `externalEventId` twice is counted once: the second call
 * returns the first event with `duplicate: true` and changes nothing. A caller that has already
 * looked the id up in this transaction passes `externalIdChecked` to skip the second read.
 */
export async function recordOccurrence(
  tx: Tx,
  org: OrgDoc,
  input: Occurrence,
  now: number,
  opts: { externalIdChecked?: boolean } = {},
) {
  if (input.externalEventId && !opts.externalIdChecked) {
    const existing = await tx.getEventByExternalId(org.id, input.externalEventId);
    if (existing) return { event: existing, duplicate: true, outcome: emptyOutcome() };
  }
  const { fields, uniqueKey } = await validateOccurrence(tx, org, input.eventName, input.fields);
  if (uniqueKey !== null) {
    const existing = await tx.getEventByUniqueKey(input.customerId, org.id, input.eventName, uniqueKey);
    if (existing && existing.voidedMs === null) return { event: existing, duplicate: true, outcome: emptyOutcome() };
  }
  const event = await tx.insertEvent({
    orgId: org.id,
    customerId: input.customerId,
    eventName: input.eventName,
    externalEventId: input.externalEventId,
    occurredMs: input.occurredMs,
    fields,
    createdMs: now,
  });
  if (uniqueKey !== null) await tx.putEventUniqueKey(input.customerId, org.id, input.eventName, uniqueKey, event.id);
  const outcome = emptyOutcome();
  for (const e of await tx.listActiveEnrolmentsForEvent(input.customerId, input.eventName)) {
    const tg = await tx.getTargetGroup(org.id, e.tgId);
    const target = tg?.targets.find((t) => t.id === e.targetId);
    if (!tg || !target || !tg.active || !target.active) continue;
    const idx = periodIndexAt(tg, input.occurredMs);
    if (idx < e.startIdx) continue; // before enrolment's first period, or outside every period
    let amount = amountFor(target, fields);
    let day: string | null = null;
    if (target.targetType === 'VISIT') {
      day = localDate(input.occurredMs, tg.timeZoneName);
      amount = (await tx.bumpVisitDay(e.id, idx, day, 1)) === 1 ? 1 : 0;
    }
    await tx.insertEffect({ eventId: event.id, enrolmentId: e.id, periodIdx: idx, amount, day });
    outcome.touched.push(e.id);
    const rows = await tx.listProgress(e.id);
    outcome.progress.set(e.id, rows);
    if (amount !== 0) await settle(tx, org, e, tg, target, idx, amount, now, outcome.awards, outcome.reversals, rows);
  }
  return { event, duplicate: false, outcome };
}

/** Takes an occurrence back: its effects are subtracted and any reward they caused is reversed. */
export async function voidOccurrence(tx: Tx, org: OrgDoc, event: EventRow, now: number): Promise<Outcome> {
  const outcome = emptyOutcome();
  if (event.voidedMs !== null) return outcome;
  for (const fx of await tx.listEffects(event.id)) {
    const e = await tx.getEnrolmentById(fx.enrolmentId, event.customerId);
    const tg = e && (await tx.getTargetGroup(org.id, e.tgId));
    const target = tg?.targets.find((t) => t.id === e!.targetId);
    if (!e || !tg || !target) continue;
    let amount = -fx.amount;
    if (target.targetType === 'VISIT' && fx.day)
      amount = (await tx.bumpVisitDay(e.id, fx.periodIdx, fx.day, -1)) === 0 ? -1 : 0;
    outcome.touched.push(e.id);
    const rows = outcome.progress.get(e.id) ?? (await tx.listProgress(e.id));
    outcome.progress.set(e.id, rows);
    if (amount !== 0)
      await settle(tx, org, e, tg, target, fx.periodIdx, amount, now, outcome.awards, outcome.reversals, rows);
  }
  await tx.voidEvent(event.id, now);
  return outcome;
}

/**
 * Adds `delta` to one period's achieved value and, when the period flips between achieved and
 * not, raises or takes back TARGETCOMPLETED: per period for DEFAULT, per streak level for STREAKS.
 * `rows` (the enrolment's progress rows, read by the caller) are kept up to date in place.
 */
export async function settle(
  tx: Tx,
  org: OrgDoc,
  e: EnrolmentRow,
  tg: TargetGroupDoc,
  target: TargetDoc,
  idx: number,
  delta: number,
  now: number,
  awards: PointsMove[],
  reversals: PointsMove[] = [],
  rows?: ProgressRow[],
) {
  rows ??= await tx.listProgress(e.id);
  const p = rows.find((r) => r.periodIdx === idx);
  const value = Math.round(((p?.value ?? 0) + delta) * 1e6) / 1e6;
  const goal = target.defaultValues[idx].defaultValue;
  const was = p != null && p.achievedMs !== null;
  const is = value >= goal;
  const next: ProgressRow = {
    enrolmentId: e.id,
    periodIdx: idx,
    value,
    achievedMs: is ? (p?.achievedMs ?? now) : null,
  };
  await tx.putProgress(next);
  if (p) Object.assign(p, next);
  else rows.splice(rows.findIndex((r) => r.periodIdx > idx) >>> 0, 0, next); // keep period order (-1 >>> 0 appends)
  if (was === is) return;
  const live = await tx.listCompletions(e.id, { liveOnly: true });
  if (tg.trackingType === 'DEFAULT') {
    const c = live.find((x) => x.kind === 'PERIOD' && x.ref === idx);
    if (is && !c) await complete(tx, org, e, tg, target, 'PERIOD', idx, now, awards);
    if (!is && c) reversals.push(...(await reverseCompletion(tx, org, e, c, now)));
    return;
  }
  const stats = streakStats(tg, e.startIdx, rows, now);
  for (const s of tg.streaks) {
    const c = live.find((x) => x.kind === 'LEVEL' && x.ref === s.id);
    const reached = stats.best >= s.targetCountOfSequence;
    if (reached && !c) await complete(tx, org, e, tg, target, 'LEVEL', s.id, now, awards);
    if (!reached && c) reversals.push(...(await reverseCompletion(tx, org, e, c, now)));
  }
}

/** TARGETCOMPLETED: records the completion and runs the promotions listening for this group and rule. */
async function complete(
  tx: Tx,
  org: OrgDoc,
  e: EnrolmentRow,
  tg: TargetGroupDoc,
  target: TargetDoc,
  kind: 'PERIOD' | 'LEVEL',
  ref: number,
  now: number,
  awards: PointsMove[],
) {
  const completion = await tx.insertCompletion({ enrolmentId: e.id, kind, ref, achievedMs: now });
  for (const promo of await tx.listPromotionsForTargetGroup(tg.id)) {
    const d = promo.doc;
    if (!promo.active || d.eventName !== 'TARGETCOMPLETED') continue;
    if (promo.ruleId !== null && promo.ruleId !== target.id) continue;
    if (now < d.startMs || now > d.endMs) continue;
    // AWARD_TARGET_POINTS_ACTION: the amount comes from the award strategy the promotion names.
    const strategy = org.awardStrategies.find((s) => s.id === d.award.awardStrategyId);
    if (!strategy) continue;
    let points = strategyPoints(strategy, tg.totalPeriods);
    const { pointsPerCustomer, numberOfTimesPerCustomer, totalPointsInPromotion } = d.limits;
    const mine = await tx.ledgerUsage(promo.id, e.customerId);
    if (numberOfTimesPerCustomer !== -1 && mine.times >= numberOfTimesPerCustomer) continue;
    if (pointsPerCustomer !== -1) points = Math.min(points, pointsPerCustomer - mine.points);
    if (totalPointsInPromotion !== -1)
      points = Math.min(points, totalPointsInPromotion - (await tx.ledgerUsage(promo.id, null)).points);
    if (promo.sourceType === 'USER_CREATED' && org.policy.monthlyPointsCap >= 0) {
      const earned = await tx.customerEarnedSince(e.customerId, startOfMonth(now, org.timeZone), 'USER_CREATED');
      points = Math.min(points, org.policy.monthlyPointsCap - earned);
    }
    if (points <= 0) continue;
    const expiry = org.expiryStrategies.find((s) => s.id === d.award.expiryStrategyId);
    const label = kind === 'LEVEL' ? (tg.streaks.find((s) => s.id === ref)?.name ?? 'streak') : tg.periods[ref].refCode;
    const description = `${promo.name}: ${tg.name} (${label}) completed`;
    const row = await tx.insertLedger({
      orgId: org.id,
      customerId: e.customerId,
      type: 'EARN',
      points,
      promotionId: promo.id,
      completionId: completion.id,
      reversesId: null,
      description,
      createdMs: now,
      expiresMs: expiry && expiry.days >= 0 ? now + expiry.days * 86_400_000 : null,
    });
    await tx.addToBalance(e.customerId, points);
    awards.push({
      enrolmentId: e.id,
      customerId: e.customerId,
      ledgerId: row.id,
      points,
      promotionId: promo.id,
      completionId: completion.id,
      kind,
      ref,
      description,
    });
  }
}

/** Revokes a completion and reverses its awards with REVERSAL entries (history is never deleted). */
export async function reverseCompletion(
  tx: Tx,
  org: OrgDoc,
  e: EnrolmentRow,
  c: CompletionRow,
  now: number,
): Promise<PointsMove[]> {
  const completionId = c.id;
  await tx.revokeCompletion(completionId, now);
  const out: PointsMove[] = [];
  for (const l of await tx.listLedgerForCompletion(completionId)) {
    if (l.type !== 'EARN' || l.reversed) continue;
    const description = `Reversed: ${l.description}`;
    const row = await tx.insertLedger({
      orgId: org.id,
      customerId: l.customerId,
      type: 'REVERSAL',
      points: -l.points,
      promotionId: l.promotionId,
      completionId,
      reversesId: l.id,
      description,
      createdMs: now,
      expiresMs: null,
    });
    await tx.markLedgerReversed(l.id);
    await tx.addToBalance(l.customerId, -l.points);
    out.push({
      enrolmentId: e.id,
      customerId: l.customerId,
      ledgerId: row.id,
      points: -l.points,
      promotionId: l.promotionId!,
      completionId,
      kind: c.kind,
      ref: c.ref,
      description,
    });
  }
  return out;
}
