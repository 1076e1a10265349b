/** Row → wire shape (contract/widget-api.ts). Pure functions over what the caller already read. */
import type {
  Activity,
  Challenge,
  ChallengeStatus,
  LedgerEntry,
  PeriodProgress,
  Template,
} from '../../contract/widget-api.js';
import type { ActivityRow, ChallengeRow, LedgerEntryRow, ProgressRow, Tx } from '../store/types.js';
import type { OrgDoc } from '../engine/org.js';
import type { TargetGroupDoc } from '../engine/model.js';
import { streakStats } from '../engine/periods.js';
import { iso, localDate } from '../engine/time.js';
import { challengeName, templateIn, type Lang } from './i18n.js';

const DAY = 86_400_000;
const AGGREGATION = { EVENT_ATTRIBUTE: 'SUM', COUNT: 'COUNT', VISIT: 'DISTINCT_DAYS' } as const;

/** A template in the organisation's default language (policy, error messages); `templateIn` for what a customer reads. */
export const templateOf = (org: OrgDoc, id: string): Template | undefined => templateIn(org, id, null);

export interface ChallengeState {
  rows: ProgressRow[];
  startIdx: number;
  earned: number;
}

/**
 * A group's periods never move once created, so their text (ISO instants, local dates) is worked
 * out once per group document; the store hands out the same document object while it is cached.
 */
const periodText = new WeakMap<TargetGroupDoc, { start: string; end: string; date: string }[]>();
function textOf(tg: TargetGroupDoc) {
  let t = periodText.get(tg);
  if (!t) {
    t = tg.periods.map((p) => ({
      start: iso(p.startMs),
      end: iso(p.endMs),
      date: localDate(p.startMs, tg.timeZoneName),
    }));
    periodText.set(tg, t);
  }
  return t;
}

/** A challenge row's instants as text, worked out once per row object (the store hands out the same cached row). */
const rowText = new WeakMap<ChallengeRow, { startsAt: string; endsAt: string; createdAt: string }>();
function instantsOf(ch: ChallengeRow) {
  let t = rowText.get(ch);
  if (!t) {
    t = { startsAt: iso(ch.startsMs), endsAt: iso(ch.endsMs), createdAt: iso(ch.createdMs) };
    rowText.set(ch, t);
  }
  return t;
}

/** A challenge as its customer reads it, its template's texts in `lang` (i18n.ts). */
export function challengeView(
  org: OrgDoc,
  ch: ChallengeRow,
  tg: TargetGroupDoc,
  st: ChallengeState,
  now: number,
  lang: Lang = null,
): Challenge {
  const t = templateIn(org, ch.templateId, lang);
  const rule = tg.targets[0];
  const stats = streakStats(tg, st.startIdx, st.rows, now);
  const values = new Map(st.rows.map((r) => [r.periodIdx, r.value]));
  const text = textOf(tg);
  const periods: PeriodProgress[] = tg.periods.map((p, i) => ({
    index: i,
    start: text[i].start,
    end: text[i].end,
    date: text[i].date,
    value: values.get(i) ?? 0,
    target: rule.defaultValues[i]?.defaultValue ?? ch.target,
    achieved: stats.achieved[i],
    state: stats.achieved[i] ? 'met' : now >= p.endMs ? 'missed' : now >= p.startMs ? 'current' : 'ahead',
  }));
  const completed = stats.best >= ch.periodCount;
  const status: ChallengeStatus = completed
    ? 'completed'
    : ch.leftMs !== null
      ? 'left'
      : now >= ch.endsMs
        ? 'ended'
        : 'active';
  return {
    id: String(ch.id),
    templateId: ch.templateId,
    name: challengeName(org, ch.name, ch.templateId, lang),
    eventName: t?.eventName ?? rule.eventName ?? '',
    unit: t?.unit ?? { one: '', other: '' },
    aggregation: t?.aggregation ?? AGGREGATION[rule.targetType],
    target: ch.target,
    period: ch.period,
    periodCount: ch.periodCount,
    timeZone: ch.timeZone,
    ...instantsOf(ch),
    status,
    periods,
    currentPeriod: stats.currentIdx,
    streak: { current: stats.current, best: stats.best, required: ch.periodCount },
    daysLeft: status === 'active' ? Math.max(0, Math.ceil((ch.endsMs - now) / DAY)) : 0,
    reward: { points: ch.rewardPoints, earned: st.earned },
  };
}

/**
 * Reads what a challenge's progress needs: its group (cached by the store), progress rows (unless the
 * caller has them, e.g. from the engine's outcome) and
 * enrolment start — and its net points only once it is complete: a challenge's one streak level
 * needs every period, and the engine revokes a completion (reversing its points) as soon as the
 * level is no longer reached, so an incomplete challenge has no live completion and earned 0.
 */
export async function loadChallenge(
  tx: Tx,
  org: OrgDoc,
  ch: ChallengeRow,
  now: number,
  progressRows?: ProgressRow[],
  lang: Lang = null,
): Promise<Challenge> {
  const tg = await tx.getTargetGroup(org.id, ch.tgId);
  if (!tg) throw new Error(`challenge ${ch.id}: target group ${ch.tgId} is missing`);
  const [rows, enrolment] = await Promise.all([
    progressRows ?? tx.listProgress(ch.enrolmentId),
    tx.getEnrolmentById(ch.enrolmentId, ch.customerId),
  ]);
  const startIdx = enrolment?.startIdx ?? 0;
  const view = challengeView(org, ch, tg, { rows, startIdx, earned: 0 }, now, lang);
  if (view.status === 'completed') view.reward.earned = await tx.earnedByEnrolment(ch.enrolmentId);
  return view;
}

export const activityView = (a: ActivityRow, eventName: string): Activity => {
  const createdAt = iso(a.createdMs);
  return {
    id: String(a.id),
    challengeId: a.challengeId === null ? null : String(a.challengeId),
    templateId: a.templateId,
    eventName,
    quantity: a.quantity,
    occurredAt: a.occurredMs === a.createdMs ? createdAt : iso(a.occurredMs),
    createdAt,
    undone: a.undoneMs !== null,
  };
};

/** What a person reads for a reward: the challenge's own name, not the generated group and promotion names. */
export const rewardReason = (name: string, reversal = false) => `${reversal ? 'Reversed: ' : ''}Completed "${name}"`;

export const ledgerView = (l: LedgerEntryRow): LedgerEntry => ({
  id: String(l.id),
  type: l.type,
  points: l.points,
  challengeId: l.challengeId === null ? null : String(l.challengeId),
  description: l.challengeName === null ? l.description : rewardReason(l.challengeName, l.type === 'REVERSAL'),
  createdAt: iso(l.createdMs),
});

/** Parses a decimal id from a path or body; anything else can name nothing. */
export const parseId = (s: string | undefined): number | null => (s && /^[0-9]{1,15}$/.test(s) ? Number(s) : null);
