/**
 * Pure period and streak arithmetic over a target group's periods and its progress rows: nothing
 * write-side, no storage, no HTTP. Used by the engine, the Capillary renderers and the widget views.
 */
import type { ProgressRow } from '../store/types.js';
import type { TargetGroupDoc } from './model.js';

/** Periods as far as the arithmetic needs them: `[startMs, endMs)`, in order. */
export interface Spans {
  readonly periods: readonly { readonly startMs: number; readonly endMs: number }[];
}

/** The index of the period containing instant `ms`, or -1 before the first or after the last. */
export function periodIndexAt(tg: Spans, ms: number): number {
  let lo = 0,
    hi = tg.periods.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = tg.periods[mid];
    if (ms < p.startMs) hi = mid - 1;
    else if (ms >= p.endMs) lo = mid + 1;
    else return mid;
  }
  return -1;
}

export interface StreakStats {
  current: number;
  best: number;
  achieved: boolean[];
  currentIdx: number | null;
}

/**
 * Streak arithmetic over the per-period progress rows (never over events): the current streak is
 * the run of achieved periods ending at the current period (or the one before, while the current
 * period is still open); a period that ended unachieved breaks the run. Periods before `startIdx` (the
 * enrolment's first) never count.
 */
export function streakStats(tg: TargetGroupDoc, startIdx: number, rows: ProgressRow[], now: number): StreakStats {
  const achieved = tg.periods.map(() => false);
  for (const r of rows) if (r.achievedMs !== null && r.periodIdx >= startIdx) achieved[r.periodIdx] = true;
  return streakOf(tg, achieved, now);
}

/** The streak over per-period met flags (the rule above; also upstream mode's, over its merged progress). */
export function streakOf(tg: Spans, achieved: boolean[], now: number): StreakStats {
  let best = 0,
    run = 0;
  for (const a of achieved) {
    run = a ? run + 1 : 0;
    best = Math.max(best, run);
  }
  const idx = periodIndexAt(tg, now);
  const last = tg.periods.length - 1;
  const anchor = idx >= 0 ? (achieved[idx] ? idx : idx - 1) : now >= tg.periods[last].endMs ? last : -1;
  let current = 0;
  for (let i = anchor; i >= 0 && achieved[i]; i--) current++;
  return { current, best, achieved, currentIdx: idx >= 0 ? idx : null };
}
