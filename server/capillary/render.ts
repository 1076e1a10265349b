/** Capillary-shaped JSON for stored entities. */
import type { TargetGroupDoc, PeriodDoc, TargetDoc } from '../engine/model.js';
import type { EnrolmentRow, ProgressRow, CompletionRow, PromotionRow } from '../store/types.js';
import { capTimestamp, localDate, iso } from '../engine/time.js';
import { periodIndexAt, streakStats } from '../engine/periods.js';

const attribution = (ms: number, by: string) => {
  const who = { id: 0, code: by, description: '', name: by, type: 'TILL' };
  return { createdOn: capTimestamp(ms), lastUpdatedOn: capTimestamp(ms), createdBy: who, lastUpdatedBy: who };
};

/**
 * A list answer holds at most about PAGE_BYTES of rendered JSON (~20 ms of CPU on the reference machine), however
 * many or large the groups asked for: the rest is on the next page. The weights estimate each rendered item's
 * JSON size from the sizes of its parts (measured: a period ~525 B, a default value with its map entry ~97 B).
 */
export const PAGE_BYTES = 1_000_000;
const PERIOD_BYTES = 530,
  TARGET_BYTES = 470,
  DEFAULT_VALUE_BYTES = 100,
  STREAK_BYTES = 300;
export const targetWeight = (t: TargetDoc) => TARGET_BYTES + t.defaultValues.length * DEFAULT_VALUE_BYTES;
export const groupWeight = (tg: TargetGroupDoc, includePeriods: boolean) =>
  1_300 +
  PERIOD_BYTES * (1 + (includePeriods ? tg.periods.length : 0)) +
  tg.targets.reduce((n, t) => n + targetWeight(t), 0) +
  STREAK_BYTES * tg.streaks.length;
export const userGroupWeight = (tg: TargetGroupDoc, e: EnrolmentRow) =>
  450 + PERIOD_BYTES * (tg.periods.length - e.startIdx) + STREAK_BYTES * tg.streaks.length;

/** The first of `items` (at least one) whose renders fit in PAGE_BYTES, each loaded only once the ones before fit. */
export async function fitting<T, R>(items: T[], load: (x: T) => R | Promise<R>, weight: (r: R) => number) {
  const out: R[] = [];
  let bytes = 0;
  for (const x of items) {
    const r = await load(x);
    bytes += weight(r);
    if (bytes > PAGE_BYTES && out.length > 0) break;
    out.push(r);
  }
  return out;
}

export function periodStatus(p: PeriodDoc, now: number) {
  return now < p.startMs ? 'UPCOMING' : now >= p.endMs ? 'ENDED' : 'RUNNING';
}

export function groupStatus(tg: TargetGroupDoc, now: number) {
  if (!tg.active) return 'STOPPED';
  if (now < tg.periods[0].startMs) return 'UPCOMING';
  if (now >= tg.periods[tg.periods.length - 1].endMs) return 'ENDED';
  return 'LIVE';
}

function renderPeriod(tg: TargetGroupDoc, p: PeriodDoc, now: number, by = attribution(tg.createdMs, tg.createdBy)) {
  return {
    id: p.id,
    refCode: p.refCode,
    description: p.description ?? null,
    active: p.active,
    targetGroupId: tg.id,
    startDate: localDate(p.startMs, tg.timeZoneName),
    endDate: localDate(p.endMs - 1, tg.timeZoneName),
    startDateWithTimeStamp: iso(p.startMs),
    endDateWithTimeStamp: iso(p.endMs - 1),
    periodStatus: periodStatus(p, now),
    attribution: by,
  };
}

export function renderTarget(tg: TargetGroupDoc, t: TargetDoc) {
  return {
    id: t.id,
    name: t.name,
    description: t.description ?? null,
    active: t.active,
    targetGroupId: tg.id,
    targetEntity: t.targetEntity,
    eventName: t.eventName,
    targetType: t.targetType,
    extendedFieldInfo: t.extendedFieldInfo,
    expression: t.expression,
    expressionJson: t.expressionJson,
    filters: t.filters,
    enrolmentMethod: t.enrolmentMethod,
    emfRuleSetId: t.emfRuleSetId,
    emfUnrolledRulesetId: null,
    targetMilestoneTriggers: t.targetMilestoneTriggers,
    defaultValues: t.defaultValues,
    targetPeriodDefaultValuesMap: Object.fromEntries(t.defaultValues.map((d) => [String(d.periodId), d])),
  };
}

export function renderGroup(tg: TargetGroupDoc, now: number, includePeriods = true) {
  const idx = periodIndexAt(tg, now);
  const first = tg.periods[0],
    last = tg.periods[tg.periods.length - 1];
  const by = attribution(tg.createdMs, tg.createdBy); // the same for the group, its periods and streak levels
  return {
    id: tg.id,
    name: tg.name,
    description: tg.description ?? null,
    active: tg.active,
    preferredTillId: tg.preferredTillId,
    trackingType: tg.trackingType,
    targetEvaluationType: tg.targetEvaluationType,
    totalPeriods: tg.totalPeriods,
    frequencyType: tg.frequencyType,
    frequency: tg.frequency,
    recurringCycles: tg.recurringCycles,
    userCreated: tg.userCreated,
    leaderboardEnabled: tg.leaderboardEnabled,
    timeZoneName: tg.timeZoneName,
    fromDate: localDate(first.startMs, tg.timeZoneName),
    toDate: localDate(last.endMs - 1, tg.timeZoneName),
    targetCycleStartDate: iso(first.startMs),
    targetCycleEndDate: iso(last.endMs - 1),
    status: groupStatus(tg, now),
    createdOn: tg.createdMs,
    activePeriod: idx >= 0 ? renderPeriod(tg, tg.periods[idx], now, by) : null,
    ...(includePeriods ? { periods: tg.periods.map((p) => renderPeriod(tg, p, now, by)) } : {}),
    targets: tg.targets.map((t) => renderTarget(tg, t)),
    streaks: tg.streaks.map((s) => ({
      id: s.id,
      targetGroupId: tg.id,
      name: s.name,
      targetCountOfSequence: s.targetCountOfSequence,
      attribution: by,
    })),
    attribution: by,
  };
}

/** One entry of GET /v3/users/{id}/targetGroups: one `targets[]` row per period, and the streak levels. */
export function renderUserGroup(
  tg: TargetGroupDoc,
  e: EnrolmentRow,
  rows: ProgressRow[],
  completions: CompletionRow[],
  now: number,
) {
  const target = tg.targets.find((t) => t.id === e.targetId)!;
  const byIdx = new Map(rows.map((r) => [r.periodIdx, r]));
  const cur = periodIndexAt(tg, now);
  const stats = streakStats(tg, e.startIdx, rows, now);
  return {
    id: tg.id,
    name: tg.name,
    preferredTillId: tg.preferredTillId,
    trackingType: tg.trackingType,
    targetEvaluationType: tg.targetEvaluationType,
    userCreated: tg.userCreated,
    attribution: attribution(tg.createdMs, tg.createdBy),
    targets: tg.periods.slice(e.startIdx).map((p, k) => {
      const i = e.startIdx + k;
      const r = byIdx.get(i);
      return {
        targetId: target.id,
        targetRuleId: target.id,
        targetName: target.name,
        targetType: target.targetType,
        targetEntity: target.targetEntity,
        eventName: target.eventName,
        periodId: p.id,
        periodRefCode: p.refCode,
        periodStartDate: localDate(p.startMs, tg.timeZoneName),
        periodEndDate: localDate(p.endMs - 1, tg.timeZoneName),
        periodStartDateWithTimeStamp: iso(p.startMs),
        periodEndDateWithTimeStamp: iso(p.endMs - 1),
        targetValue: target.defaultValues[i].defaultValue,
        targetAchievedValue: r?.value ?? 0,
        targetAchievedDateTime: r?.achievedMs != null ? iso(r.achievedMs) : null,
        streakAchievedDateTime: null,
        enrolledOn: iso(e.enrolledMs),
        currentPeriod: i === cur,
        milestones: null,
      };
    }),
    streaks: tg.streaks.map((s) => {
      const c = completions.find((x) => x.kind === 'LEVEL' && x.ref === s.id);
      return {
        userStreakId: e.id * 1000 + (s.id % 1000),
        streakId: s.id,
        streakName: s.name,
        status: c ? 'ACHIEVED' : 'IN_PROGRESS',
        currentCount: Math.min(stats.current, s.targetCountOfSequence),
        bestCount: stats.best,
        totalTargetCountOfSequence: s.targetCountOfSequence,
        streakAchievedUserTargetId: c ? c.id : null,
      };
    }),
  };
}

/** The answer to a promotion's creation on this API (so its document is the Capillary JSON it was sent). */
export function renderPromotion(p: PromotionRow) {
  const src = p.doc.promotion as Record<string, any>;
  return {
    id: p.id,
    name: p.name,
    description: src.description ?? null,
    promotionStatus: 'LIVE',
    programId: p.programId,
    startDate: src.startDate,
    endDate: src.endDate,
    identifier: p.identifier,
    isActive: p.active,
    eventName: p.doc.eventName,
    allocatePointsOn: src.allocatePointsOn ?? 'CUSTOMER',
    promotionType: src.promotionType ?? 'CUSTOMER',
    pointsOfferType: src.pointsOfferType ?? 'LOYALTY',
    promotionSourceType: p.sourceType,
    limits: { ...p.doc.limits, totalPointsPerEventLimit: -1 },
    promotionRestrictions: {
      ...(src.promotionRestrictions ?? {}),
      scope: 'PROGRAM',
      isExclusive: false,
      isConsideredForRanking: false,
      isAlwaysApply: false,
      expiryReminder: null,
    },
    rulesetInfos: src.rulesetInfos,
  };
}

/**
 * The promotionsV2 list item (the sample's shape: numbers as strings), for promotions created on this
 * API (their Capillary JSON is stored) and by the widget API (dates and restrictions from the typed fields).
 */
export function renderPromotionListItem(p: PromotionRow, usage: { points: number; times: number } | null) {
  const src = p.doc.promotion as Record<string, any>;
  const l = p.doc.limits;
  return {
    promotionId: String(p.id),
    promotionName: p.name,
    programId: String(p.programId),
    startDate: src.startDate ?? iso(p.doc.startMs),
    endDate: src.endDate ?? iso(p.doc.endMs),
    identifier: p.identifier,
    description: src.description ?? '',
    active: p.active,
    eventName: 'TargetCompleted',
    promotionSourceType: p.sourceType,
    promotionMetadata: [],
    limits: {
      maxPointsPerEvent: '-1',
      pointsPerCustomer: String(l.pointsPerCustomer),
      numberOFTimesPerCustomer: String(l.numberOfTimesPerCustomer),
      totalPointsInPromotion: String(l.totalPointsInPromotion),
    },
    customerUsage: usage
      ? {
          currentPointsPerCustomer: String(usage.points),
          currentNumberOfTimesPerCustomer: String(usage.times),
          currentTotalPointsInPromotion: null,
        }
      : null,
    pointsOfferType: src.pointsOfferType ?? 'LOYALTY',
    promotionRestriction: {
      issualRestrictions: [],
      earnRestrictions: [],
      redemptionRestrictions: [],
      targetGroupIds: src.promotionRestrictions?.targetGroupIds ?? p.doc.targetGroupIds ?? [],
      targetRuleIds: src.promotionRestrictions?.targetRuleIds ?? p.doc.targetRuleIds ?? [],
    },
  };
}
