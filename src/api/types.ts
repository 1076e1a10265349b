/**
 * The widget API's wire types (`/ucc/v1`). Shared by the browser client (src/) and the
 * server (server/widget-api), so the two cannot drift apart. Field names here are fixed:
 * the widgets, the end-to-end tests and brands' integrations rely on them.
 */

export type PeriodType = 'DAILY' | 'WEEKLY';
export type Aggregation = 'SUM' | 'COUNT' | 'DISTINCT_DAYS';
export type ChallengeStatus = 'active' | 'completed' | 'ended' | 'left';

export interface Range {
  min: number;
  max: number;
}

/**
 * A unit label, singular and plural ("glass" / "glasses"). Languages with more plural forms (Arabic,
 * Polish, Welsh…) may also carry the other CLDR plural categories: pick one with
 * `unit[new Intl.PluralRules(lang).select(n)] ?? unit.other`.
 */
export interface Unit {
  one: string;
  other: string;
  /** Further CLDR plural forms, for languages that have them (Arabic, Polish, Russian…); `other` when missing. */
  zero?: string;
  two?: string;
  few?: string;
  many?: string;
}

/** An activity the brand lets customers build challenges on, with the brand's bounds. */
export interface Template {
  id: string;
  label: string;
  description: string;
  /** Behavioural event the activity is recorded as, and the numeric field summed (null for COUNT / DISTINCT_DAYS). */
  eventName: string;
  field: string | null;
  aggregation: Aggregation;
  unit: Unit;
  /** Allowed period types; the first one is the default. */
  periods: PeriodType[];
  /** Bounds on the value to reach in each period. */
  target: Range & { default: number; step: number };
  /** Bounds on the number of periods (days for DAILY, weeks for WEEKLY). */
  length: Range & { default: number };
  /** Largest quantity one log may carry, and the most one period may receive in total. */
  maxQuantityPerLog: number;
  maxQuantityPerPeriod: number;
  /** Reward for completing every period: `min(pointsPerPeriod * periods, maxPoints)`. */
  reward: { pointsPerPeriod: number; maxPoints: number };
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
  /** The customer's external id (the token's `sub`). */
  id: string;
  timeZone: string;
  balance: number;
}

export interface PeriodProgress {
  index: number;
  /** ISO instants, period start inclusive and end exclusive. */
  start: string;
  end: string;
  /** Local calendar date of the period's first day, YYYY-MM-DD, in the challenge's time zone. */
  date: string;
  value: number;
  target: number;
  achieved: boolean;
  /** 'met' | 'missed' (ended unachieved) | 'current' | 'ahead' */
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
  /** Index into `periods` of the period containing "now", or null before start / after end. */
  currentPeriod: number | null;
  streak: { current: number; best: number; required: number };
  daysLeft: number;
  reward: { points: number; earned: number };
}

export interface ChallengesResponse {
  challenges: Challenge[];
}

export interface ChallengeResponse {
  challenge: Challenge;
}

export interface CreateChallengeRequest {
  templateId: string;
  target: number;
  period: PeriodType;
  periods: number;
  name?: string;
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

export interface LogActivityRequest {
  challengeId?: string;
  templateId?: string;
  quantity: number;
  /** ISO instant; defaults to now; must be within the backfill window. */
  occurredAt?: string;
}

export interface LogActivityResponse {
  activity: Activity;
  challenges: Challenge[];
  rewards: Reward[];
}

export interface UndoActivityResponse {
  activity: Activity;
  challenges: Challenge[];
  /** Ledger reversals the undo caused (negative points). */
  reversals: Reward[];
}

export interface ActivitiesResponse {
  activities: Activity[];
}

export interface LedgerEntry {
  id: string;
  type: 'EARN' | 'REVERSAL';
  points: number;
  challengeId: string | null;
  description: string;
  createdAt: string;
}

export interface PointsResponse {
  balance: number;
  entries: LedgerEntry[];
  /** Pass as `?before=` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Every error the widget API answers has this body. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
