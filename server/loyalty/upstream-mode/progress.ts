/**
 * Progress in upstream mode, from two sources: the widget server's own activity records (what this
 * customer logged, counted at once) and the platform's per-period `targetAchievedValue` (what the
 * organisation has processed so far, asynchronously). Per period the greater of the two: the
 * platform's value only ever grows, and a log it has not processed yet is in the local sum.
 */
import { DateTime } from 'luxon';
import type { ActivityRow } from '../../store/types.js';
import type { ChallengePlan, ChallengeProgress, ChallengeSpec } from '../port.js';
import type { GroupProgress } from '../upstream/parse.js';
import { periodIndexAt, streakOf } from '../../engine/periods.js';

/** The plan of a challenge created upstream: its periods and targets as the spec gave them (they never move). */
export function planOfSpec(spec: ChallengeSpec): ChallengePlan {
  return {
    periods: spec.periods.map((p) => ({ startMs: p.startMs, endMs: p.endMs, target: spec.target })),
    timeZone: spec.timeZone,
    eventName: spec.eventName,
    aggregation: spec.aggregation,
  };
}

/** Per period, what the customer's own (not undone) logs of the challenge's event add up to. */
export function localValues(
  plan: ChallengePlan,
  activities: ActivityRow[],
  eventOf: (templateId: string) => string | undefined,
) {
  const values = new Map<number, number>();
  const days = new Map<number, Set<string>>();
  for (const a of activities) {
    if (a.undoneMs !== null || eventOf(a.templateId) !== plan.eventName) continue;
    const i = periodIndexAt(plan, a.occurredMs);
    if (i < 0) continue;
    if (plan.aggregation === 'DISTINCT_DAYS') {
      const set = days.get(i) ?? new Set<string>();
      set.add(DateTime.fromMillis(a.occurredMs, { zone: plan.timeZone }).toISODate()!);
      days.set(i, set);
      values.set(i, set.size);
    } else values.set(i, (values.get(i) ?? 0) + (plan.aggregation === 'COUNT' ? 1 : a.quantity));
  }
  return values;
}

/**
 * The platform's per-period values of one group, by period index: matched by the refCode the saga gave
 * (`P1`, `P2`, …), else by order.
 */
export function upstreamValues(plan: ChallengePlan, group: GroupProgress | undefined) {
  const values = new Map<number, number>();
  if (!group) return values;
  group.periods.forEach((p, order) => {
    const m = /^P(\d+)$/.exec(p.refCode);
    const i = m ? Number(m[1]) - 1 : order;
    if (i >= 0 && i < plan.periods.length && p.achieved > 0) values.set(i, Math.max(values.get(i) ?? 0, p.achieved));
  });
  return values;
}

/** The merged progress: per period the greater value, met periods, the current and best run of met periods. */
export function mergedProgress(
  plan: ChallengePlan,
  local: ReadonlyMap<number, number>,
  upstream: ReadonlyMap<number, number>,
  now: number,
): ChallengeProgress {
  const values = new Map<number, number>();
  for (const [i, v] of local) values.set(i, v);
  for (const [i, v] of upstream) values.set(i, Math.max(values.get(i) ?? 0, v));
  const achieved = plan.periods.map((p, i) => (values.get(i) ?? 0) >= (p.target ?? Infinity));
  const { current, best, currentIdx } = streakOf(plan, achieved, now);
  return { plan, values, achieved, current, best, currentIdx };
}
