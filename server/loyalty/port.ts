/**
 * The loyalty port: what the widget API's services ask of "the loyalty platform", in the widget's
 * terms (challenges, activities, points), not Capillary JSON and not SQL. Two implementations:
 *
 * - `LocalLoyalty` (local.ts): the embedded engine over this server's store — today's behaviour.
 * - `UpstreamLoyalty` (upstream-mode/backend.ts): a brand's real Capillary organisation over HTTP
 *   (docs/loyalty-port.md; /work/shared/capillary-api.md §14 for the platform facts).
 *
 * Every method takes the widget server's own transaction (`tx`). The local implementation does all
 * its work inside it (a create is all-or-nothing, logs share the grouped commit); the upstream one
 * writes its own local state there (ids, the outbox of webhook posts, saga steps) and calls Capillary
 * around it. Each method's comment says what the upstream implementation will do, and whether its
 * answer is synchronous (the platform has it when the call returns) or eventually consistent.
 *
 * The widget's own records — challenges, activities, stored idempotent answers, the customer's time
 * zone — stay in the store (widget-records, idempotency and the customer row) in both modes; the
 * widget API reads and writes those directly. Everything the platform owns — target groups, rules,
 * promotions, enrolments, occurrences, per-period progress, completions, the points ledger and
 * balance — is reached only through this port.
 */
import type { OrgDoc, RewardConfig } from '../model/org.js';
import type { ChallengeRow, CouponRow, CustomerRow, LedgerEntryRow, RedemptionRow, Store, Tx } from '../store/types.js';

/** How a challenge's activity adds up per period (a template's `aggregation`). */
export type Aggregation = 'SUM' | 'COUNT' | 'DISTINCT_DAYS';

/**
 * The platform's ids of one challenge, as the widget's challenge record keeps them (a `ChallengeRow`
 * is one): target group, its one rule (target), promotion, and the customer's enrolment.
 */
export type ChallengeRefs = Pick<ChallengeRow, 'customerId' | 'tgId' | 'targetId' | 'promotionId' | 'enrolmentId'>;

/** A new challenge, everything already decided by the widget server (template, policy, periods). */
export interface ChallengeSpec {
  customerId: number;
  /** The widget template it follows (an upstream organisation may pay each template by its own award strategy). */
  templateId?: string;
  /** A unique name stem for the platform's objects (group, rule and promotion names are built from it). */
  key: string;
  /** The challenge's name as the customer gave it (the group's description). */
  name: string;
  eventName: string;
  aggregation: Aggregation;
  /** The event field summed by a SUM challenge; null otherwise. */
  field: string | null;
  /** The value to reach in every period. */
  target: number;
  period: 'DAILY' | 'WEEKLY';
  /** The explicit periods, `[startMs, endMs)`, in order, computed in `timeZone`. */
  periods: { startMs: number; endMs: number }[];
  timeZone: string;
  /** The one streak level: every period in a row. */
  streakName: string;
  /** The template's reward rule (which award strategy pays it is the backend's business). */
  reward: { pointsPerPeriod: number; maxPoints: number };
  /** The promotion's window: from the first period's start to this instant (the last period's end plus the backfill window). */
  rewardFromMs: number;
  rewardUntilMs: number;
}

/** One period of a challenge's plan: its window and the value to reach (undefined: the challenge's own target). */
export interface PlannedPeriod {
  startMs: number;
  endMs: number;
  target: number | undefined;
}

/**
 * A challenge's plan as the platform holds it: periods never move once created, so an implementation
 * hands out the same object for as long as it caches the challenge (views cache text per plan object).
 */
export interface ChallengePlan {
  readonly periods: readonly PlannedPeriod[];
  readonly timeZone: string;
  readonly eventName: string | null;
  readonly aggregation: Aggregation;
}

/** A challenge's progress at `now`: per-period achieved values and the streak. */
export interface ChallengeProgress {
  plan: ChallengePlan;
  /** Achieved value per period index (absent: 0). */
  values: ReadonlyMap<number, number>;
  /** Per period: met (only periods from the enrolment's first count). */
  achieved: boolean[];
  /** Current run of met periods, the longest run, and the period containing now (null outside them). */
  current: number;
  best: number;
  currentIdx: number | null;
}

/** A challenge as created: its platform ids and its (empty) progress. */
export interface CreatedChallenge {
  refs: Omit<ChallengeRefs, 'customerId'>;
  progress: ChallengeProgress;
}

/** One activity log as the platform receives it (one behavioural event occurrence). */
export interface ActivityOccurrence {
  customerId: number;
  eventName: string;
  /** The event field carrying the quantity (SUM templates); null: the event has no quantity field. */
  field: string | null;
  quantity: number;
  occurredMs: number;
  /** Unique per customer and Idempotency-Key: the same id twice is one occurrence. */
  externalId: string;
}

/**
 * The handle of an occurrence the backend recorded (the local engine's event row; upstream, the
 * outbox row). Pass it back to the backend unchanged. `id` is what a widget activity record keeps.
 */
export interface Posting {
  readonly id: number;
  readonly createdMs: number;
  readonly externalEventId: string | null;
  readonly eventName: string;
}

/** Points given (positive) or taken back (negative) for one challenge's enrolment. */
export interface PointsMove {
  enrolmentId: number;
  ledgerId: number;
  points: number;
}

/**
 * Backend-private progress known right after a posting or void (the local engine's progress rows):
 * hand `hint.get(enrolmentId)` to `progress` so it need not read it again.
 */
export interface ProgressHint {
  get(enrolmentId: number): unknown;
}

/** What a log did on the platform. */
export interface Posted {
  posting: Posting;
  /** 'now': progress and rewards are final in this answer; 'pending': sent (or queued) and counted later upstream. */
  counted: 'now' | 'pending';
  /** The enrolments (challenges) the occurrence counted in. */
  touched: number[];
  /** Rewards it triggered (only those the platform's ledger shows). */
  rewards: PointsMove[];
  hint?: ProgressHint;
}

/** What a void did. */
export interface Voided {
  /** Set when the occurrence could not be taken back after all (it left for the platform meanwhile): nothing changed. */
  blocked?: 'UNDO_WINDOW_PASSED';
  touched: number[];
  /** Rewards taken back (negative points). */
  reversals: PointsMove[];
  hint?: ProgressHint;
}

/** Whether a posting may still be undone, and the challenges it counted in. */
export interface PostingState {
  touched: number[];
  /**
   * Why it cannot be undone any more (only asked for when `check` is set): PERIOD_CLOSED, a period it
   * counted in has ended; UNDO_WINDOW_PASSED, the occurrence already left for the platform, which
   * cannot take it back. null: it can.
   */
  blocked: null | 'PERIOD_CLOSED' | 'UNDO_WINDOW_PASSED';
}

export type PointsEntry = LedgerEntryRow;

export interface PointsPage {
  balance: number;
  /** Newest first, each with the widget challenge it belongs to (if any). */
  entries: PointsEntry[];
  /** Opaque: the next page's `before`; null on the last page. */
  nextCursor: string | null;
}

/**
 * The platform refused an action or cannot be reached: the widget API answers `status` with `code`
 * (upstream: e.g. 503 UPSTREAM_UNAVAILABLE, 502 UPSTREAM_REJECTED, 403 CUSTOMER_NOT_IN_PROGRAMME; both
 * backends: a redemption's refusals, 422 INSUFFICIENT_POINTS, 409 REWARD_LIMIT_REACHED, 404
 * REWARD_NOT_FOUND). `retryAfterSeconds` becomes Retry-After.
 */
export class LoyaltyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/**
 * A create prepared outside any local transaction (the upstream saga, run to ACTIVE): the spec the
 * platform's objects were made from (it wins over a spec computed again later) and the backend's handle.
 */
export interface PreparedChallenge {
  spec: ChallengeSpec;
  handle: unknown;
}

/** A redemption as the widget shows it: the points spent, the coupon they bought, and the balance after. */
export interface RedeemedReward {
  redemption: RedemptionRow;
  coupon: CouponRow;
  /** The balance after the redemption. */
  balance: number;
}

/** One of the customer's redemptions with its coupon (`listRedemptions`). */
export interface RedemptionWithCoupon {
  redemption: RedemptionRow;
  coupon: CouponRow;
}

/** A redemption's platform work done before the widget's transaction (upstream only): the backend's handle. */
export interface PreparedRedemption {
  handle: unknown;
}

/** What a read is about to need from the platform (`beforeRead`). */
export type ReadNeed = 'progress' | 'points' | 'balance';

export interface LoyaltyBackend {
  readonly kind: 'local' | 'upstream';

  /**
   * Upstream only: the create's platform work, done before the widget's create transaction, each
   * step in a transaction of its own with the HTTP call between (a saga saved after every step and
   * resumed by `sagaKey`, the create's Idempotency-Key). `fingerprint` is the request's: the same
   * key with another request is refused. Its result is passed to `createChallenge`.
   */
  prepareChallenge?(
    store: Store,
    org: OrgDoc,
    spec: ChallengeSpec,
    sagaKey: string,
    fingerprint: string,
  ): Promise<PreparedChallenge>;

  /**
   * Upstream only: fetches what a read will ask for (the customer's target groups, or balance and
   * ledger) before the read's transaction, so that no transaction waits on the network; a fresh
   * enough copy (or an open breaker) makes it a no-op. Answers whether what the read will see is
   * stale (the platform could not be asked and an older copy, or local state only, is used).
   */
  beforeRead?(
    store: Store,
    org: OrgDoc,
    customerId: number,
    need: ReadNeed,
    page?: { limit: number; before?: string },
  ): Promise<{ stale: boolean }>;

  /** Upstream only: called after a transaction that wrote this customer's platform state committed (sends queued posts, drops cached reads). */
  afterWrite?(org: OrgDoc, customerId: number): void;

  /** Upstream only: whether the platform is reachable now (false while the organisation's circuit breaker is open). */
  available?(org: OrgDoc): boolean;

  /**
   * The customer a widget token names (`sub` = the brand's externalId), registered on first sight;
   * answers the widget server's customer id. Upstream: the local customer row plus, once,
   * `GET v2/customers/lookup/customerDetails?identifierName=externalId` for the platform's userId
   * (cached locally, it never changes). Synchronous.
   */
  ensureCustomer(tx: Tx, org: OrgDoc, externalId: string, now: number): Promise<number>;

  /**
   * Creates a challenge: user-created STREAKS target group with one IMPORT rule (the target as every
   * period's default value, explicit periods, one streak level), the UCC promotion paying the reward,
   * and the customer's enrolment from the first period. Local: all in `tx` (a throw rolls it all
   * back). Upstream: a saga resumed by the create's Idempotency-Key (PENDING → GROUP → PROMOTION →
   * ENROLLED → ACTIVE, each step's id kept in `tx`): `POST v3/targetGroups` (userCreated) →
   * `POST api_gateway/loyalty/v1/programs/{programId}/createPromotion/SIMPLE` (`promotionSourceType` USER_CREATED, TARGETCOMPLETED,
   * the configured award and expiry strategies) → `POST v3/targetGroups/{id}/targets/{id}/enroll`.
   * Synchronous once ACTIVE.
   */
  createChallenge(
    tx: Tx,
    org: OrgDoc,
    spec: ChallengeSpec,
    now: number,
    prepared?: PreparedChallenge,
  ): Promise<CreatedChallenge>;

  /**
   * A challenge's plan (periods, targets), undefined if the platform does not know it. Local: the
   * target group (cached by the store). Upstream: the periods and targets kept locally at create.
   */
  plan(tx: Tx, org: OrgDoc, ch: ChallengeRefs): Promise<ChallengePlan | undefined>;

  /**
   * One challenge's progress at `now` (`hint`: what a posting or void just returned for its enrolment).
   * Upstream: `GET v3/users/{userId}/targetGroups` (per period `targetAchievedValue`,
   * `streaks[].currentCount`), per period the greater of that and the local activity sum (the
   * platform processes webhook posts asynchronously): eventually consistent.
   */
  progress(tx: Tx, org: OrgDoc, ch: ChallengeRefs, now: number, hint?: unknown): Promise<ChallengeProgress>;

  /**
   * The progress of several challenges of one customer (a list answer), in their order; as `progress`
   * (upstream: one `v3/users/{userId}/targetGroups` call for all of them).
   */
  progressAll(tx: Tx, org: OrgDoc, customerId: number, chs: ChallengeRefs[], now: number): Promise<ChallengeProgress[]>;

  /**
   * Net points a challenge's completion credited (earned minus reversed). Upstream: from the points
   * ledger (`v2/pointsLedger/getCustomerLedgerInfo`, which names no promotion: matched by the locally
   * kept award); a reward counts only once the upstream ledger shows it. Eventually consistent.
   */
  earnedFor(tx: Tx, org: OrgDoc, ch: ChallengeRefs): Promise<number>;

  /**
   * Leaves a challenge: its enrolment ends (a no-op if already ended); rewards already given stay.
   * Upstream: `POST v3/targetGroups/{id}/targets/{id}/unEnroll`. Synchronous.
   */
  leaveChallenge(tx: Tx, org: OrgDoc, ch: ChallengeRefs, now: number): Promise<void>;

  /**
   * The occurrence recorded under this external id, if any (an idempotent replay). Local: the event
   * row. Upstream: the local outbox row. Synchronous.
   */
  findPosting(tx: Tx, org: OrgDoc, externalId: string): Promise<Posting | undefined>;

  /** The occurrence a widget activity record points at (`activity.eventId`). Synchronous. */
  getPosting(tx: Tx, org: OrgDoc, id: number): Promise<Posting | undefined>;

  /**
   * Records one log; the caller has just looked its external id up with `findPosting` in this `tx`
   * (none). Local: the engine's occurrence (progress, streaks, TARGETCOMPLETED, points) in `tx`:
   * `counted: 'now'`. Upstream: an outbox row in `tx`, posted once to the webhook after commit (which
   * upstream processes asynchronously and de-duplicates by the event's unique-key fields): `counted:
   * 'pending'`, `rewards` empty until the ledger shows them. Eventually consistent upstream.
   */
  postOccurrence(tx: Tx, org: OrgDoc, occ: ActivityOccurrence, now: number): Promise<Posted>;

  /**
   * The challenges a posting counted in and, with `check`, whether it can still be undone. Local:
   * its effect rows (PERIOD_CLOSED when a period it counted in has ended). Upstream: the local
   * activity's challenges; UNDO_WINDOW_PASSED once the outbox row was sent.
   */
  inspectPosting(tx: Tx, org: OrgDoc, posting: Posting, now: number, check: boolean): Promise<PostingState>;

  /**
   * Takes a log back (a second void changes nothing). Local: the engine subtracts its effects and
   * reverses a reward it caused (REVERSAL ledger entries). Upstream: while the outbox row is held
   * (the grace period) it is dropped, a true undo; after it was sent, `inspectPosting` already said
   * UNDO_WINDOW_PASSED (unless compensating negative quantities are supported).
   */
  voidOccurrence(tx: Tx, org: OrgDoc, posting: Posting, now: number): Promise<Voided>;

  /**
   * The rewards a posting earned in these enrolments (for a replayed log's answer): completions and
   * EARN entries written at the posting's instant. Upstream: the locally recorded awards seen in the
   * ledger. Eventually consistent upstream.
   */
  rewardsOf(tx: Tx, org: OrgDoc, posting: Posting, enrolmentIds: number[]): Promise<PointsMove[]>;

  /**
   * The customer's points balance (`customer` is the row the caller read; undefined: 0). Local: the
   * row's balance. Upstream: `GET v2/customers/{userId}/points/balance?programId=`. Synchronous read.
   */
  balance(tx: Tx, org: OrgDoc, customer: CustomerRow | undefined): Promise<number>;

  /**
   * The balance and one page of the ledger, newest first (`before`: the previous page's nextCursor).
   * Upstream: the balance call and `GET v2/pointsLedger/getCustomerLedgerInfo` (limit ≤ 100, offset,
   * DESC), entries matched to challenges through locally kept awards. Synchronous read.
   */
  points(
    tx: Tx,
    org: OrgDoc,
    customer: { id: number; row: CustomerRow | undefined },
    page: { limit: number; before?: string },
  ): Promise<PointsPage>;

  /**
   * Upstream only: the redemption's platform work, done before the widget's redeem transaction (no
   * transaction waits on the network): `POST api_gateway/rewards/core/v1/user/reward/{reward.upstreamRewardId}/issue`
   * with `requestId` (the widget's Idempotency-Key) as the platform's idempotency key — points taken and
   * the coupon issued in one call. Its result is passed to `redeem`.
   */
  prepareRedemption?(
    store: Store,
    org: OrgDoc,
    customerId: number,
    reward: RewardConfig,
    requestId: string,
  ): Promise<PreparedRedemption>;

  /**
   * Spends a catalogue reward's points on a coupon, once per (customer, `requestId`): the same id again
   * answers the first redemption. Refused with a LoyaltyError: 404 REWARD_NOT_FOUND, 409
   * REWARD_LIMIT_REACHED (details `{limit, redeemed}`), 422 INSUFFICIENT_POINTS (details `{shortfall,
   * balance, points}`). Local: the engine in `tx` (one REDEEM ledger entry, the balance down — never below
   * zero —, a coupon, the redemption row). Upstream: records what `prepared` (the platform's issue) answered.
   * Synchronous.
   */
  redeem(
    tx: Tx,
    org: OrgDoc,
    customerId: number,
    reward: RewardConfig,
    requestId: string,
    now: number,
    prepared?: PreparedRedemption,
  ): Promise<RedeemedReward>;

  /**
   * The customer's redemptions of catalogue rewards, newest first (at most 100), each with its coupon;
   * reversed ones are left out. Local: the store's rows. Upstream: the locally recorded issues.
   */
  listRedemptions(tx: Tx, org: OrgDoc, customerId: number): Promise<RedemptionWithCoupon[]>;

  /** How many times the customer redeemed each catalogue reward (reward id → count; reversed ones not counted). */
  redeemedCounts(tx: Tx, org: OrgDoc, customerId: number): Promise<Map<string, number>>;
}

/** Chooses the backend of an organisation (one place: app.ts builds it; today always LocalLoyalty). */
export type LoyaltyFor = (org: OrgDoc) => LoyaltyBackend;
