/**
 * JSON Schemas (TypeBox) of the bodies the upstream client SENDS to Capillary, written from the
 * vendor's request examples (test/fixtures/capillary-examples/*.request.json; the vendor's pages on
 * events, target groups, enrolment, UCC promotions and OAuth). They are strict (no unlisted fields;
 * UCC's own rules: one IMPORT rule, one ruleset, `id: -1`), so a body built wrong fails here, before a
 * request leaves. The client checks every body it sends with `checkBody`.
 */
import { Type as T, type Static, type TSchema } from 'typebox';
import { Ajv, type ValidateFunction } from 'ajv';

const Enum = <const V extends string[]>(values: V) => T.Unsafe<V[number]>({ type: 'string', enum: values });
const Closed = <P extends Parameters<typeof T.Object>[0]>(properties: P) =>
  T.Object(properties, { additionalProperties: false });
const Text = (maxLength: number) => T.String({ maxLength });
const Id = T.Integer({ minimum: 1 });
/** `-1`: "new", on the promotion, its rulesets, rules, actions and filters. */
const New = T.Literal(-1);
/** The JSON AST of a rule expression, as a string (`{"arity":"literal",…}`). */
const ExpressionJson = T.String({ minLength: 2, maxLength: 4000, pattern: '^\\s*\\{' });
/** ISO date-time with milliseconds, with `Z` or an offset ("2025-03-01T00:00:00.000Z"). */
const IsoMs = T.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{3})?(Z|[+-]\\d{2}:?\\d{2})$' });

export const OAuthBody = Closed({ key: T.String({ minLength: 1 }), secret: T.String({ minLength: 1 }) });
export type OAuthBody = Static<typeof OAuthBody>;

// ---- POST v3/targetGroups (§4) -------------------------------------------------------------------

export const PeriodBody = Closed({
  active: T.Optional(T.Boolean()),
  description: T.Optional(Text(1000)),
  startDate: IsoMs,
  endDate: IsoMs,
  periodStatus: Enum(['RUNNING', 'UPCOMING', 'NOT_STARTED']),
  refCode: T.String({ minLength: 1, maxLength: 100 }),
});

export const TargetRuleBody = Closed({
  active: T.Optional(T.Boolean()),
  description: T.Optional(Text(1000)),
  name: T.String({ minLength: 1, maxLength: 200 }),
  targetEntity: T.Literal('EVENT'),
  eventName: T.String({ minLength: 1, maxLength: 100 }),
  targetType: Enum(['COUNT', 'VISIT', 'EVENT_ATTRIBUTE']),
  extendedFieldInfo: T.Optional(Closed({ name: T.String({ minLength: 1 }), aggregateFunction: T.Literal('SUM') })),
  /** UCC: users join through the enrol API only. */
  enrolmentMethod: T.Literal('IMPORT'),
  expression: T.String({ minLength: 1, maxLength: 2000 }),
  expressionJson: ExpressionJson,
  filters: T.Array(Closed({ entityType: Enum(['STORE', 'ZONE', 'CONCEPT']), entityIds: T.Array(T.Integer()) })),
  /** One per period, in period order: the period's target. */
  defaultValues: T.Array(Closed({ defaultValue: T.Number({ exclusiveMinimum: 0 }) }), { minItems: 1 }),
});

export const TargetGroupBody = Closed({
  active: T.Optional(T.Boolean()),
  description: T.Optional(Text(1000)),
  name: T.String({ minLength: 1, maxLength: 200 }),
  preferredTillId: T.Optional(Id),
  trackingType: Enum(['DEFAULT', 'STREAKS']),
  targetEvaluationType: Enum(['FIXED_CALENDAR_WINDOW', 'CYCLIC_WINDOW', 'PERIOD_AGNOSTIC_WINDOW']),
  totalPeriods: T.Integer({ minimum: 1 }),
  frequencyType: Enum(['DAILY', 'WEEKLY', 'MONTHLY', 'QUARTERLY', 'HALF_YEARLY', 'YEARLY', 'CUSTOM']),
  frequency: T.Integer({ minimum: 0 }),
  recurringCycles: T.Integer({ minimum: -1 }),
  /** Always true here: the client creates user-created (UCC) groups only. */
  userCreated: T.Literal(true),
  timeZoneName: T.Optional(T.String({ minLength: 1 })),
  periods: T.Array(PeriodBody, { minItems: 1 }),
  /** UCC: at most one target rule (one exactly, for a challenge). */
  targets: T.Array(TargetRuleBody, { minItems: 1, maxItems: 1 }),
  streaks: T.Optional(
    T.Array(Closed({ name: T.String({ minLength: 1 }), targetCountOfSequence: T.Integer({ minimum: 1 }) }), {
      minItems: 1,
    }),
  ),
});
export type TargetGroupBody = Static<typeof TargetGroupBody>;

// ---- POST v3/targetGroups/{tg}/targets/{t}/enroll | unEnroll (§5, §6) ------------------------------

export const EnrolBody = T.Array(
  Closed({
    customerId: Id,
    /** The period's refCode; not needed for streaks. */
    periodName: T.Optional(T.String({ minLength: 1 })),
    initialBalance: T.Optional(T.Union([T.Integer({ minimum: 0 }), T.Null()])),
    resetStreakStatus: T.Optional(T.Boolean()),
  }),
  { minItems: 1, maxItems: 100 },
);
export type EnrolBody = Static<typeof EnrolBody>;

export const UnenrolBody = T.Array(Closed({ customerId: Id }), { minItems: 1, maxItems: 100 });
export type UnenrolBody = Static<typeof UnenrolBody>;

// ---- POST api_gateway/loyalty/v1/programs/{programId}/createPromotion/{type} (§9) ---------------------

const Restriction = Closed({
  name: T.String({ minLength: 1 }),
  value: T.Integer({ minimum: -1, maximum: 100 }),
  type: T.Optional(Enum(['PERIOD_BASED', 'NON_PERIOD_BASED', 'PROMOTION', 'CUSTOM'])),
  periodType: T.Optional(T.Literal('MOVING_WINDOW')),
  periodUnit: T.Optional(Enum(['DAILY', 'WEEKLY', 'MONTHLY'])),
});
/** The action's properties, all non-empty strings (4080 otherwise). */
const AwardProperties = Closed({
  ProRateOnSourceValue: T.String({ minLength: 1 }),
  DelayStrategy: T.String({ minLength: 1 }),
  SourceValueRoundingStrategy: T.String({ minLength: 1 }),
  ExpiryStrategy: T.String({ pattern: '^\\d+$' }),
  AwardStrategy: T.String({ pattern: '^\\d+$' }),
  PointsRoundingStrategy: T.String({ minLength: 1 }),
  TargetGroupId: T.String({ pattern: '^\\d+$' }),
  TargetRuleName: T.String({ minLength: 1, maxLength: 200 }),
});
const Rule = Closed({
  id: New,
  exp: T.String({ minLength: 1 }),
  expJSON: ExpressionJson,
  isActive: T.Boolean(),
  caseToActions: Closed({
    true: T.Array(
      Closed({
        id: New,
        actionName: T.Literal('AWARD_TARGET_POINTS_ACTION'),
        mandatoryPropertiesValues: AwardProperties,
      }),
      { minItems: 1 },
    ),
  }),
  filterInfo: T.Array(T.Object({})),
  description: T.Optional(T.String()),
  expDataType: T.Optional(T.String()),
  ruleSetId: New,
  updatedViaNewUI: T.Optional(T.Boolean()),
});
const RulesetFilter = Closed({
  id: New,
  contextType: T.Literal('RULESET'),
  name: T.String({ minLength: 1 }),
  description: T.Optional(T.String()),
  isInclude: T.Boolean(),
  propertyToValues: T.Record(T.String(), T.Array(T.String())),
});
const Ruleset = Closed({
  id: New,
  contextID: Id,
  orgID: Id,
  contextType: T.Literal('program'),
  endpointName: T.Literal('POINTSENGINE_ENDPOINT'),
  name: T.String({ minLength: 1, maxLength: 255 }),
  type: T.Literal('USER_CREATED'),
  /** Epoch milliseconds. */
  startDate: T.Integer({ minimum: 0 }),
  endDate: T.Integer({ minimum: 0 }),
  active: T.Literal(true),
  rules: T.Array(Rule, { minItems: 1 }),
  filterInfo: T.Array(RulesetFilter),
  cappingInfo: T.Optional(T.Array(T.Object({}))),
  isRulesetForGlobalPromotion: T.Optional(Enum(['true', 'false'])),
  programIds: T.Optional(T.Array(T.Integer())),
});
export const PromotionBody = Closed({
  promotion: Closed({
    id: New,
    name: T.String({ minLength: 1, maxLength: 255 }),
    programId: Id,
    /** ISO with an offset ("2025-03-01T00:00:00+00:00"). */
    startDate: IsoMs,
    endDate: IsoMs,
    allocatePointsOn: T.Optional(Enum(['BILL', 'LINEITEM', 'CUSTOMER'])),
    identifier: T.String({ minLength: 1, maxLength: 255 }),
    eventName: T.Literal('TARGETCOMPLETED'),
    pointsOfferType: T.Optional(Enum(['LOYALTY', 'LOYALTY_EARNING'])),
    promotionType: T.Optional(Enum(['BILL', 'LINEITEM', 'CUSTOMER'])),
    promotionSourceType: T.Literal('USER_CREATED'),
    limits: T.Optional(
      Closed({
        pointsPerCustomer: T.Integer({ minimum: -1 }),
        numberOfTimesPerCustomer: T.Integer({ minimum: -1 }),
        totalPointsInPromotion: T.Integer({ minimum: -1 }),
      }),
    ),
    promotionRestrictions: Closed({
      loyaltyEarningType: T.Optional(Enum(['ISSUE_AND_EARN', 'DIRECT_EARN'])),
      isStackable: T.Optional(T.Boolean()),
      /** Both false for UCC. */
      isExclusive: T.Literal(false),
      isConsideredForRanking: T.Literal(false),
      targetRuleIds: T.Array(Id, { minItems: 1 }),
      targetGroupIds: T.Array(Id, { minItems: 1 }),
      restrictions: T.Optional(
        Closed({
          redemptionRestrictions: T.Optional(T.Array(Restriction)),
          issualRestrictions: T.Optional(T.Array(Restriction)),
          earnRestrictions: T.Optional(T.Array(Restriction)),
          expiryRestrictions: T.Optional(T.Array(Restriction)),
        }),
      ),
    }),
    /** Exactly one for UCC (4075). */
    rulesetInfos: T.Array(Ruleset, { minItems: 1, maxItems: 1 }),
  }),
});
export type PromotionBody = Static<typeof PromotionBody>;

// ---- the webhook (§3) ----------------------------------------------------------------------------

/**
 * A behavioural event occurrence, flat: `event_name`, `customer_id`, `eventDateTime`
 * ("YYYY-MM-DD HH:mm:ss"), an optional `external_event_id`, and the event's own attributes (scalars).
 */
export const EventBody = T.Object(
  {
    event_name: T.String({ minLength: 1, maxLength: 100 }),
    customer_id: T.Union([T.String({ minLength: 1 }), T.Integer({ minimum: 1 })]),
    eventDateTime: T.String({ pattern: '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$' }),
    external_event_id: T.Optional(T.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: T.Union([T.String(), T.Number(), T.Boolean()]) },
);
export type EventBody = Static<typeof EventBody>;

// ---- checking ------------------------------------------------------------------------------------

/** `POST api_gateway/rewards/core/v1/user/reward/{rewardId}/issue` (capillary-api.md §15; post-issue-user-reward). */
export const RewardIssueBody = Closed({
  externalId: T.String({ minLength: 1 }),
  brand: T.String({ minLength: 1 }),
  transactionNumber: T.String({ minLength: 1, maxLength: 200 }),
  requestId: T.String({ minLength: 1, maxLength: 200 }),
  programId: Id,
  quantity: T.Integer({ minimum: 1 }),
});
export type RewardIssueBody = Static<typeof RewardIssueBody>;

export const bodySchemas = {
  rewardIssue: RewardIssueBody,
  oauth: OAuthBody,
  targetGroup: TargetGroupBody,
  enrol: EnrolBody,
  unenrol: UnenrolBody,
  promotion: PromotionBody,
  event: EventBody,
} satisfies Record<string, TSchema>;
export type BodyKind = keyof typeof bodySchemas;

let compiled: Map<BodyKind, ValidateFunction> | undefined;
/** The problems of `body` as a `kind` body ("/targets/0/enrolmentMethod must be equal to constant"); empty when valid. */
export function checkBody(kind: BodyKind, body: unknown): string[] {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    compiled = new Map(Object.entries(bodySchemas).map(([k, s]) => [k as BodyKind, ajv.compile(s)]));
  }
  const validate = compiled.get(kind)!;
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}
