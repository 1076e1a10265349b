/**
 * The widget API's contract (`/ucc/v1`): every request and response body, written once.
 *
 * - The server validates requests and serialises answers with these schemas (fast-json-stringify
 *   drops anything not listed), and @fastify/swagger turns them into the OpenAPI page at /docs.
 * - The browser's types (src/api/types.ts) are generated from them (`npm run gen:types`; a test
 *   fails when that file is stale), so the bundle gains nothing and the two cannot drift apart.
 *
 * Field names are fixed: the widgets, the end-to-end tests and brands' integrations rely on them.
 * This folder is a leaf: it imports nothing of the project.
 */
import { Type as T, type Static, type TSchema } from 'typebox';

/** `type: [x, 'null']` rather than TypeBox's `anyOf`: fast-json-stringify writes it without trying branches. */
const Nullable = <S extends TSchema & { type: string }>(s: S) =>
  T.Unsafe<Static<S> | null>({ ...s, type: [s.type, 'null'] });
/** A string enum as `{ enum: [...] }` (one keyword, as the OpenAPI page shows it). */
const Enum = <const V extends string[]>(values: V, o: object = {}) =>
  T.Unsafe<V[number]>({ type: 'string', enum: values, ...o });
/** An object that refuses or drops unlisted fields; every listed field is required unless Optional. */
const Obj = <P extends Record<string, TSchema>>(properties: P, o: object = {}) =>
  T.Object(properties, { additionalProperties: false, ...o });
const Iso = (o: object = {}) => T.String({ format: 'date-time', ...o });
const Range = { min: T.Number(), max: T.Number() };

export const PeriodType = Enum(['DAILY', 'WEEKLY'], { title: 'PeriodType' });
export const Aggregation = Enum(['SUM', 'COUNT', 'DISTINCT_DAYS'], { title: 'Aggregation' });
export const ChallengeStatus = Enum(['active', 'completed', 'ended', 'left'], { title: 'ChallengeStatus' });

export const Unit = Obj(
  {
    one: T.String(),
    other: T.String(),
    zero: T.Optional(T.String()),
    two: T.Optional(T.String()),
    few: T.Optional(T.String()),
    many: T.Optional(T.String()),
  },
  {
    title: 'Unit',
    description:
      'A unit label, singular and plural ("glass" / "glasses"). Languages with more plural forms (Arabic, Polish, Welsh…) also carry the other CLDR plural categories: pick one with `unit[new Intl.PluralRules(lang).select(n)] ?? unit.other`.',
  },
);

export const Template = Obj(
  {
    id: T.String(),
    label: T.String(),
    description: T.String(),
    eventName: T.String({ description: 'Behavioural event the activity is recorded as.' }),
    field: Nullable(T.String({ description: 'The numeric field summed (null for COUNT / DISTINCT_DAYS).' })),
    aggregation: Aggregation,
    unit: Unit,
    periods: T.Array(PeriodType, { description: 'Allowed period types; the first one is the default.' }),
    target: Obj(
      { ...Range, default: T.Number(), step: T.Number() },
      { description: 'Bounds on the value to reach in each period.' },
    ),
    length: Obj(
      { ...Range, default: T.Number() },
      { description: 'Bounds on the number of periods (days for DAILY, weeks for WEEKLY).' },
    ),
    minQuantity: T.Number({
      description: 'Smallest quantity one log may carry (COUNT and DISTINCT_DAYS templates take whole numbers only).',
    }),
    maxQuantityPerLog: T.Number({ description: 'Largest quantity one log may carry.' }),
    maxQuantityPerPeriod: T.Number({ description: 'The most one period may receive in total.' }),
    reward: Obj(
      { pointsPerPeriod: T.Number(), maxPoints: T.Number() },
      { description: 'Reward for completing every period: `min(pointsPerPeriod * periods, maxPoints)`.' },
    ),
  },
  {
    title: 'Template',
    description: "An activity the brand lets customers build challenges on, with the brand's bounds.",
  },
);

export const Policy = Obj(
  { maxActiveChallenges: T.Integer(), backfillHours: T.Number(), monthlyPointsCap: T.Number() },
  { title: 'Policy' },
);
export const TemplatesResponse = Obj(
  { templates: T.Array(Template), policy: Policy, timeZone: T.String() },
  { title: 'TemplatesResponse' },
);
export const Me = Obj(
  {
    id: T.String({ description: "The customer's external id (the token's `sub`)." }),
    timeZone: T.String(),
    balance: T.Number(),
  },
  { title: 'Me' },
);

export const PeriodProgress = Obj(
  {
    index: T.Integer(),
    start: Iso({ description: 'Period start (inclusive), an ISO instant.' }),
    end: Iso({ description: 'Period end (exclusive), an ISO instant.' }),
    date: T.String({
      description: "Local calendar date of the period's first day, YYYY-MM-DD, in the challenge's time zone.",
    }),
    value: T.Number(),
    target: T.Number(),
    achieved: T.Boolean(),
    state: Enum(['met', 'missed', 'current', 'ahead'], { description: "'missed': ended unachieved." }),
  },
  { title: 'PeriodProgress' },
);

export const Challenge = Obj(
  {
    id: T.String(),
    templateId: T.String(),
    name: T.String(),
    eventName: T.String(),
    unit: Unit,
    aggregation: Aggregation,
    target: T.Number(),
    period: PeriodType,
    periodCount: T.Integer(),
    timeZone: T.String(),
    startsAt: Iso(),
    endsAt: Iso(),
    createdAt: Iso(),
    status: ChallengeStatus,
    periods: T.Array(PeriodProgress),
    currentPeriod: Nullable(
      T.Integer({
        description: 'Index into `periods` of the period containing "now", or null before start / after end.',
      }),
    ),
    streak: Obj({ current: T.Integer(), best: T.Integer(), required: T.Integer() }),
    daysLeft: T.Integer(),
    reward: Obj({ points: T.Number(), earned: T.Number() }),
  },
  { title: 'Challenge' },
);
export const ChallengeResponse = Obj({ challenge: Challenge }, { title: 'ChallengeResponse' });
export const ChallengesResponse = Obj(
  {
    challenges: T.Array(Challenge),
    stale: T.Optional(
      T.Boolean({
        description:
          "Upstream mode only: true when the loyalty programme could not be asked just now and an earlier copy (or this server's own records) is shown.",
      }),
    ),
  },
  { title: 'ChallengesResponse' },
);

export const Activity = Obj(
  {
    id: T.String(),
    challengeId: Nullable(T.String()),
    templateId: T.String(),
    eventName: T.String(),
    quantity: T.Number(),
    occurredAt: Iso(),
    createdAt: Iso(),
    undone: T.Boolean(),
  },
  { title: 'Activity' },
);
export const Reward = Obj(
  { challengeId: T.String(), ledgerEntryId: T.String(), points: T.Number(), reason: T.String() },
  { title: 'Reward' },
);
export const LogActivityResponse = Obj(
  {
    activity: Activity,
    challenges: T.Array(Challenge),
    rewards: T.Array(Reward),
    pending: T.Optional(
      T.Boolean({
        description:
          "Upstream mode only: true when the log is kept here and sent to the brand's loyalty programme shortly; progress shown counts it already, a reward it earns appears on a later read.",
      }),
    ),
  },
  { title: 'LogActivityResponse' },
);
export const UndoActivityResponse = Obj(
  {
    activity: Activity,
    challenges: T.Array(Challenge),
    reversals: T.Array(Reward, { description: 'Ledger reversals the undo caused (negative points).' }),
  },
  { title: 'UndoActivityResponse' },
);
export const ActivitiesResponse = Obj({ activities: T.Array(Activity) }, { title: 'ActivitiesResponse' });
export const LedgerEntry = Obj(
  {
    id: T.String(),
    type: Enum(['EARN', 'REVERSAL', 'REDEEM'], {
      description:
        'EARN: a reward; REVERSAL: one taken back (or a redemption given back); REDEEM: points spent on a reward (negative).',
    }),
    points: T.Number(),
    challengeId: Nullable(T.String()),
    description: T.String(),
    createdAt: Iso(),
  },
  { title: 'LedgerEntry' },
);
export const PointsResponse = Obj(
  {
    balance: T.Number(),
    entries: T.Array(LedgerEntry),
    nextCursor: Nullable(T.String({ description: 'Pass as `?before=` for the next page; null on the last page.' })),
    stale: T.Optional(
      T.Boolean({
        description:
          "Upstream mode only: true when the loyalty programme could not be asked just now and an earlier copy (or this server's own records) is shown.",
      }),
    ),
  },
  { title: 'PointsResponse' },
);

export const DiscountKind = Enum(['PERCENT_OFF', 'AMOUNT_OFF', 'FREE_ITEM'], { title: 'DiscountKind' });
export const Discount = Obj(
  {
    kind: DiscountKind,
    value: T.Number({
      description: 'PERCENT_OFF: the percentage; AMOUNT_OFF: the amount in `currency`; FREE_ITEM: 1.',
    }),
    currency: T.Optional(T.String({ description: 'AMOUNT_OFF only: ISO 4217.' })),
    label: T.String({
      description: 'What the coupon gives, in the answer\'s language, e.g. "10% off your next order".',
    }),
  },
  { title: 'Discount' },
);
export const CatalogueReward = Obj(
  {
    id: T.String(),
    label: T.String(),
    description: T.Optional(T.String()),
    points: T.Integer({ description: 'What it costs.' }),
    discount: Discount,
    validityDays: T.Integer({ description: 'How long a coupon from it stays valid.' }),
    perCustomerLimit: Nullable(
      T.Integer({ description: 'How many times one customer may redeem it; null: no limit.' }),
    ),
    redeemed: T.Integer({ description: 'How many times this customer has redeemed it.' }),
    affordable: T.Boolean({ description: 'The balance covers it and the limit is not reached.' }),
    shortfall: T.Integer({ description: 'Points still missing (0 when the balance covers it).' }),
  },
  { title: 'CatalogueReward' },
);
export const RewardsResponse = Obj(
  {
    rewards: T.Array(CatalogueReward),
    balance: T.Number(),
    stale: T.Optional(
      T.Boolean({
        description:
          'Upstream mode only: true when the loyalty programme could not be asked just now and the last known balance is shown.',
      }),
    ),
  },
  { title: 'RewardsResponse' },
);
export const CouponStatus = Enum(['ACTIVE', 'REDEEMED', 'EXPIRED'], { title: 'CouponStatus' });
export const Coupon = Obj(
  {
    code: T.String(),
    expiresAt: Iso(),
    discount: Discount,
    status: CouponStatus,
  },
  { title: 'Coupon' },
);
export const Redemption = Obj(
  {
    id: T.String(),
    rewardId: T.String(),
    label: T.String(),
    points: T.Integer({ description: 'Points spent.' }),
    createdAt: Iso(),
    coupon: Coupon,
  },
  { title: 'Redemption' },
);
export const RedemptionResponse = Obj({ redemption: Redemption, balance: T.Number() }, { title: 'RedemptionResponse' });
export const RedemptionsResponse = Obj({ redemptions: T.Array(Redemption) }, { title: 'RedemptionsResponse' });
export const RedeemRequest = Obj({ rewardId: T.String({ minLength: 1, maxLength: 64 }) }, { title: 'RedeemRequest' });

export const ErrorBody = T.Object(
  {
    error: T.Object({
      code: T.String(),
      message: T.String(),
      details: T.Optional(T.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true })),
    }),
  },
  { title: 'ErrorBody', description: 'Every refusal: a stable code, a message a person can act on, optional details.' },
);

// Request bodies: unknown fields are refused (400 VALIDATION_FAILED); sizes are bounded here, before any work.
export const CreateChallengeRequest = Obj(
  {
    templateId: T.String({ minLength: 1, maxLength: 64 }),
    target: T.Number({ exclusiveMinimum: 0 }),
    period: PeriodType,
    periods: T.Integer({ minimum: 1, maximum: 366 }),
    name: T.Optional(T.String({ maxLength: 400 })),
  },
  { title: 'CreateChallengeRequest' },
);
export const LogActivityRequest = Obj(
  {
    challengeId: T.Optional(T.String({ pattern: '^[0-9]{1,15}$' })),
    templateId: T.Optional(T.String({ minLength: 1, maxLength: 64 })),
    quantity: T.Number({ exclusiveMinimum: 0 }),
    occurredAt: T.Optional(Iso({ description: 'ISO instant; defaults to now; must be within the backfill window.' })),
  },
  { title: 'LogActivityRequest' },
);
export const PatchMeRequest = Obj({ timeZone: T.String({ minLength: 1, maxLength: 64 }) }, { title: 'PatchMeRequest' });

/** Every named schema above, for the generated browser types. */
export const wireSchemas = {
  PeriodType,
  Aggregation,
  ChallengeStatus,
  Unit,
  Template,
  Policy,
  TemplatesResponse,
  Me,
  PeriodProgress,
  Challenge,
  ChallengeResponse,
  ChallengesResponse,
  Activity,
  Reward,
  LogActivityResponse,
  UndoActivityResponse,
  ActivitiesResponse,
  LedgerEntry,
  PointsResponse,
  DiscountKind,
  Discount,
  CatalogueReward,
  RewardsResponse,
  CouponStatus,
  Coupon,
  Redemption,
  RedemptionResponse,
  RedemptionsResponse,
  RedeemRequest,
  ErrorBody,
  CreateChallengeRequest,
  LogActivityRequest,
  PatchMeRequest,
};

export type PeriodType = Static<typeof PeriodType>;
export type Aggregation = Static<typeof Aggregation>;
export type ChallengeStatus = Static<typeof ChallengeStatus>;
export type Unit = Static<typeof Unit>;
export type Template = Static<typeof Template>;
export type Policy = Static<typeof Policy>;
export type TemplatesResponse = Static<typeof TemplatesResponse>;
export type Me = Static<typeof Me>;
export type PeriodProgress = Static<typeof PeriodProgress>;
export type Challenge = Static<typeof Challenge>;
export type ChallengeResponse = Static<typeof ChallengeResponse>;
export type ChallengesResponse = Static<typeof ChallengesResponse>;
export type Activity = Static<typeof Activity>;
export type Reward = Static<typeof Reward>;
export type LogActivityResponse = Static<typeof LogActivityResponse>;
export type UndoActivityResponse = Static<typeof UndoActivityResponse>;
export type ActivitiesResponse = Static<typeof ActivitiesResponse>;
export type LedgerEntry = Static<typeof LedgerEntry>;
export type PointsResponse = Static<typeof PointsResponse>;
export type ErrorBody = Static<typeof ErrorBody>;
export type DiscountKind = Static<typeof DiscountKind>;
export type Discount = Static<typeof Discount>;
export type CatalogueReward = Static<typeof CatalogueReward>;
export type RewardsResponse = Static<typeof RewardsResponse>;
export type CouponStatus = Static<typeof CouponStatus>;
export type Coupon = Static<typeof Coupon>;
export type Redemption = Static<typeof Redemption>;
export type RedemptionResponse = Static<typeof RedemptionResponse>;
export type RedemptionsResponse = Static<typeof RedemptionsResponse>;
export type RedeemRequest = Static<typeof RedeemRequest>;
export type CreateChallengeRequest = Static<typeof CreateChallengeRequest>;
export type LogActivityRequest = Static<typeof LogActivityRequest>;
export type PatchMeRequest = Static<typeof PatchMeRequest>;
