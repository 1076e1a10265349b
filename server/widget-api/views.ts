/** Row → wire shape (contract/widget-api.ts). Pure functions over what the caller already read. */
import type {
  Activity,
  CatalogueReward,
  Challenge,
  Coupon,
  Discount,
  Redemption,
  ChallengeStatus,
  LedgerEntry,
  PeriodProgress,
  Template,
} from '../../contract/widget-api.js';
import type { ActivityRow, ChallengeRow, CouponDiscount, CouponRow, LedgerEntryRow, Tx } from '../store/types.js';
import type { OrgDoc } from '../engine/org.js';
import type { RewardConfig } from '../model/org.js';
import { iso, localDate } from '../engine/time.js';
import type {
  ChallengePlan,
  ChallengeProgress,
  LoyaltyBackend,
  PlannedPeriod,
  RedemptionWithCoupon,
} from '../loyalty/port.js';
import { challengeName, rewardTexts, templateIn, type Lang } from './i18n.js';

const DAY = 86_400_000;

/** A template in the organisation's default language (policy, error messages); `templateIn` for what a customer reads. */
export const templateOf = (org: OrgDoc, id: string): Template | undefined => templateIn(org, id, null);

/** The index of the period containing instant `ms`, or -1 before the first or after the last. */
export function periodAt(periods: readonly PlannedPeriod[], ms: number): number {
  let lo = 0,
    hi = periods.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = periods[mid];
    if (ms < p.startMs) hi = mid - 1;
    else if (ms >= p.endMs) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/**
 * A challenge's periods never move once created, so their text (ISO instants, local dates) is worked
 * out once per plan; the loyalty backend hands out the same plan object while it caches the challenge.
 */
const periodText = new WeakMap<ChallengePlan, { start: string; end: string; date: string }[]>();
function textOf(plan: ChallengePlan) {
  let t = periodText.get(plan);
  if (!t) {
    t = plan.periods.map((p) => ({
      start: iso(p.startMs),
      end: iso(p.endMs),
      date: localDate(p.startMs, plan.timeZone),
    }));
    periodText.set(plan, t);
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

/** A challenge as its customer reads it (its progress from the loyalty backend), its template's texts in `lang` (i18n.ts). */
export function challengeView(
  org: OrgDoc,
  ch: ChallengeRow,
  stats: ChallengeProgress,
  earned: number,
  now: number,
  lang: Lang = null,
): Challenge {
  const tpl = templateIn(org, ch.templateId, lang);
  const { plan, values } = stats;
  const text = textOf(plan);
  const periods: PeriodProgress[] = plan.periods.map((p, i) => ({
    index: i,
    start: text[i].start,
    end: text[i].end,
    date: text[i].date,
    value: values.get(i) ?? 0,
    target: p.target ?? ch.target,
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
    eventName: tpl?.eventName ?? plan.eventName ?? '',
    unit: tpl?.unit ?? { one: '', other: '' },
    aggregation: tpl?.aggregation ?? plan.aggregation,
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
    reward: { points: ch.rewardPoints, earned },
  };
}

/**
 * A challenge with its progress from the loyalty backend (`hint`: what a posting or void just returned)
 * — and its net points only once it is complete: a challenge's one streak level needs every period,
 * and the engine revokes a completion (reversing its points) as soon as the level is no longer
 * reached, so an incomplete challenge has no live completion and earned 0.
 */
export async function loadChallenge(
  tx: Tx,
  loyalty: LoyaltyBackend,
  org: OrgDoc,
  ch: ChallengeRow,
  now: number,
  hint?: unknown,
  lang: Lang = null,
): Promise<Challenge> {
  const view = challengeView(org, ch, await loyalty.progress(tx, org, ch, now, hint), 0, now, lang);
  if (view.status === 'completed') view.reward.earned = await loyalty.earnedFor(tx, org, ch);
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

/** What a coupon gives, labelled: a catalogue reward's label in `lang`, else (a reward no longer offered) a plain one. */
export function discountView(d: CouponDiscount, label: string | undefined): Discount {
  const plain =
    d.kind === 'PERCENT_OFF'
      ? `${d.value}% off`
      : d.kind === 'AMOUNT_OFF'
        ? `${d.value}${d.currency ? ` ${d.currency}` : ''} off`
        : 'A free item';
  return {
    kind: d.kind,
    value: d.value,
    ...(d.kind === 'AMOUNT_OFF' && d.currency !== undefined ? { currency: d.currency } : {}),
    label: label ?? plain,
  };
}

/** A catalogue reward as this customer reads it: what it costs, what she has redeemed, whether she can afford it now. */
export function catalogueView(r: RewardConfig, lang: Lang, redeemed: number, balance: number): CatalogueReward {
  const texts = rewardTexts(r, lang);
  const shortfall = Math.max(0, r.points - balance);
  const limited = r.perCustomerLimit !== null && redeemed >= r.perCustomerLimit;
  return {
    id: r.id,
    ...texts,
    points: r.points,
    discount: discountView(
      { kind: r.kind, value: r.value, ...(r.currency !== undefined ? { currency: r.currency } : {}) },
      texts.label,
    ),
    validityDays: r.validityDays,
    perCustomerLimit: r.perCustomerLimit,
    redeemed,
    affordable: shortfall === 0 && !limited,
    shortfall,
  };
}

/** A coupon as its owner reads it (a cancelled one reads as expired: it can no longer be used). */
export function couponView(c: CouponRow, label: string | undefined, now: number): Coupon {
  return {
    code: c.code,
    expiresAt: iso(c.expiresMs),
    discount: discountView(c.discount, label),
    status: c.redeemedMs !== null ? 'REDEEMED' : c.cancelledMs !== null || now >= c.expiresMs ? 'EXPIRED' : 'ACTIVE',
  };
}

/** A redemption with its coupon, labelled in `lang` from the organisation's catalogue. */
export function redemptionView(
  org: OrgDoc,
  { redemption: r, coupon }: RedemptionWithCoupon,
  lang: Lang,
  now: number,
): Redemption {
  const reward = org.rewards?.find((x) => x.id === r.rewardId);
  const label = reward ? rewardTexts(reward, lang).label : undefined;
  const c = couponView(coupon, label, now);
  return {
    id: String(r.id),
    rewardId: r.rewardId ?? '',
    label: c.discount.label,
    points: r.points,
    createdAt: iso(r.createdMs),
    coupon: c,
  };
}
