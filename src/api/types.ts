/**
 * The widget API's wire types (`/ucc/v1`), GENERATED from contract/widget-api.ts by `npm run gen:types`:
 * edit the contract, not this file. The browser imports them as types only, so the bundle gains nothing.
 */

export type PeriodType = 'DAILY' | 'WEEKLY';
export type Aggregation = 'SUM' | 'COUNT' | 'DISTINCT_DAYS';
export type ChallengeStatus = 'active' | 'completed' | 'ended' | 'left';
export type DiscountKind = 'PERCENT_OFF' | 'AMOUNT_OFF' | 'FREE_ITEM';
export type CouponStatus = 'ACTIVE' | 'REDEEMED' | 'EXPIRED';

/**
 * A unit label, singular and plural ("glass" / "glasses"). Languages with more plural forms (Arabic, Polish, Welsh…) also carry the other CLDR plural categories: pick one with `unit[new Intl.PluralRules(lang).select(n)] ?? unit.other`.
 */
export interface Unit {
  one: string;
  other: string;
  zero?: string;
  two?: string;
  few?: string;
  many?: string;
}
/**
 * An activity the brand lets customers build challenges on, with the brand's bounds.
 */
export interface Template {
  id: string;
  label: string;
  description: string;
  /**
   * Behavioural event the activity is recorded as.
   */
  eventName: string;
  /**
   * The numeric field summed (null for COUNT / DISTINCT_DAYS).
   */
  field: string | null;
  aggregation: Aggregation;
  unit: Unit;
  /**
   * Allowed period types; the first one is the default.
   */
  periods: PeriodType[];
  /**
   * Bounds on the value to reach in each period.
   */
  target: {
    min: number;
    max: number;
    default: number;
    step: number;
  };
  /**
   * Bounds on the number of periods (days for DAILY, weeks for WEEKLY).
   */
  length: {
    min: number;
    max: number;
    default: number;
  };
  /**
   * Smallest quantity one log may carry (COUNT and DISTINCT_DAYS templates take whole numbers only).
   */
  minQuantity: number;
  /**
   * Largest quantity one log may carry.
   */
  maxQuantityPerLog: number;
  /**
   * The most one period may receive in total.
   */
  maxQuantityPerPeriod: number;
  /**
   * Reward for completing every period: `min(pointsPerPeriod * periods, maxPoints)`.
   */
  reward: {
    pointsPerPeriod: number;
    maxPoints: number;
  };
}
export interface Policy {
  maxActiveChallenges: number;
  backfillHours: number;
  monthlyPointsCap: number;
}
export interface TemplatesResponse {
  templates: Template[];
  policy: Policy;
  timeZone: string;
}
export interface Me {
  /**
   * The customer's external id (the token's `sub`).
   */
  id: string;
  timeZone: string;
  balance: number;
}
export interface PeriodProgress {
  index: number;
  /**
   * Period start (inclusive), an ISO instant.
   */
  start: string;
  /**
   * Period end (exclusive), an ISO instant.
   */
  end: string;
  /**
   * Local calendar date of the period's first day, YYYY-MM-DD, in the challenge's time zone.
   */
  date: string;
  value: number;
  target: number;
  achieved: boolean;
  /**
   * 'missed': ended unachieved.
   */
  state: 'met' | 'missed' | 'current' | 'ahead';
}
export interface Challenge {
  id: string;
  templateId: string;
  name: string;
  eventName: string;
  unit: Unit;
  aggregation: Aggregation;
  target: number;
  period: PeriodType;
  periodCount: number;
  timeZone: string;
  startsAt: string;
  endsAt: string;
  createdAt: string;
  status: ChallengeStatus;
  periods: PeriodProgress[];
  /**
   * Index into `periods` of the period containing "now", or null before start / after end.
   */
  currentPeriod: number | null;
  streak: {
    current: number;
    best: number;
    required: number;
  };
  daysLeft: number;
  reward: {
    points: number;
    earned: number;
  };
}
export interface ChallengeResponse {
  challenge: Challenge;
}
export interface ChallengesResponse {
  challenges: Challenge[];
  /**
   * Upstream mode only: true when the loyalty programme could not be asked just now and an earlier copy (or this server's own records) is shown.
   */
  stale?: boolean;
}
export interface Activity {
  id: string;
  challengeId: string | null;
  templateId: string;
  eventName: string;
  quantity: number;
  occurredAt: string;
  createdAt: string;
  undone: boolean;
}
export interface Reward {
  challengeId: string;
  ledgerEntryId: string;
  points: number;
  reason: string;
}
export interface LogActivityResponse {
  activity: Activity;
  challenges: Challenge[];
  rewards: Reward[];
  /**
   * Upstream mode only: true when the log is kept here and sent to the brand's loyalty programme shortly; progress shown counts it already, a reward it earns appears on a later read.
   */
  pending?: boolean;
}
export interface UndoActivityResponse {
  activity: Activity;
  challenges: Challenge[];
  /**
   * Ledger reversals the undo caused (negative points).
   */
  reversals: Reward[];
}
export interface ActivitiesResponse {
  activities: Activity[];
}
export interface LedgerEntry {
  id: string;
  /**
   * EARN: a reward; REVERSAL: one taken back (or a redemption given back); REDEEM: points spent on a reward (negative).
   */
  type: 'EARN' | 'REVERSAL' | 'REDEEM';
  points: number;
  challengeId: string | null;
  description: string;
  createdAt: string;
}
export interface PointsResponse {
  balance: number;
  entries: LedgerEntry[];
  /**
   * Pass as `?before=` for the next page; null on the last page.
   */
  nextCursor: string | null;
  /**
   * Upstream mode only: true when the loyalty programme could not be asked just now and an earlier copy (or this server's own records) is shown.
   */
  stale?: boolean;
}
export interface Discount {
  kind: DiscountKind;
  /**
   * PERCENT_OFF: the percentage; AMOUNT_OFF: the amount in `currency`; FREE_ITEM: 1.
   */
  value: number;
  /**
   * AMOUNT_OFF only: ISO 4217.
   */
  currency?: string;
  /**
   * What the coupon gives, in the answer's language, e.g. "10% off your next order".
   */
  label: string;
}
export interface CatalogueReward {
  id: string;
  label: string;
  description?: string;
  /**
   * What it costs.
   */
  points: number;
  discount: Discount;
  /**
   * How long a coupon from it stays valid.
   */
  validityDays: number;
  /**
   * How many times one customer may redeem it; null: no limit.
   */
  perCustomerLimit: number | null;
  /**
   * How many times this customer has redeemed it.
   */
  redeemed: number;
  /**
   * The balance covers it and the limit is not reached.
   */
  affordable: boolean;
  /**
   * Points still missing (0 when the balance covers it).
   */
  shortfall: number;
}
export interface RewardsResponse {
  rewards: CatalogueReward[];
  balance: number;
  /**
   * Upstream mode only: true when the loyalty programme could not be asked just now and the last known balance is shown.
   */
  stale?: boolean;
}
export interface Coupon {
  code: string;
  expiresAt: string;
  discount: Discount;
  status: CouponStatus;
}
export interface Redemption {
  id: string;
  rewardId: string;
  label: string;
  /**
   * Points spent.
   */
  points: number;
  createdAt: string;
  coupon: Coupon;
}
export interface RedemptionResponse {
  redemption: Redemption;
  balance: number;
}
export interface RedemptionsResponse {
  redemptions: Redemption[];
}
export interface RedeemRequest {
  rewardId: string;
}
/**
 * Every refusal: a stable code, a message a person can act on, optional details.
 */
export interface ErrorBody {
  error: {
    code: string;
    message: string;
    details?: {
      [k: string]: unknown;
    };
  };
}
export interface CreateChallengeRequest {
  templateId: string;
  target: number;
  period: PeriodType;
  periods: number;
  name?: string;
}
export interface LogActivityRequest {
  challengeId?: string;
  templateId?: string;
  quantity: number;
  /**
   * ISO instant; defaults to now; must be within the backfill window.
   */
  occurredAt?: string;
}
export interface PatchMeRequest {
  timeZone: string;
}
