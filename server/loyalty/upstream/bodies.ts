/**
 * The outgoing bodies, built from a challenge's plain inputs in the vendor's shapes (the recorded
 * request examples are these builders' output for the examples' inputs; see the tests). Each result
 * satisfies its schema in schemas.ts.
 */
import type { EnrolBody, EventBody, PromotionBody, TargetGroupBody, UnenrolBody } from './schemas.js';

/** The always-true rule expression of a UCC target rule and of its promotion's rule. */
export const TRUE_EXPRESSION = 'true';
export const TRUE_EXPRESSION_JSON = JSON.stringify({ arity: 'literal', value: 'true', type: 'boolean:primitive' });

export interface TargetGroupSpec {
  /** Unique in the organisation (310069): the saga finds a group it may have created by this name. */
  name: string;
  description?: string;
  preferredTillId?: number;
  eventName: string;
  frequencyType: TargetGroupBody['frequencyType'];
  periods: { refCode: string; startDate: string; endDate: string; status: 'RUNNING' | 'UPCOMING' | 'NOT_STARTED' }[];
  /** The target of each period (one number: every period). */
  target: number | number[];
  /** COUNT (one per log) or EVENT_ATTRIBUTE (the sum of `attribute`). */
  targetType?: 'COUNT' | 'EVENT_ATTRIBUTE';
  attribute?: string;
  /** The rule's name (default `${name}_rule`). */
  ruleName?: string;
  streaks?: { name: string; targetCountOfSequence: number }[];
  timeZoneName?: string;
}

/** `POST v3/targetGroups`: a user-created group with one IMPORT rule on the event, FIXED_CALENDAR_WINDOW. */
export function targetGroupBody(s: TargetGroupSpec): TargetGroupBody {
  const targets = Array.isArray(s.target) ? s.target : s.periods.map(() => s.target as number);
  if (targets.length !== s.periods.length) throw new RangeError('one target per period');
  const targetType = s.targetType ?? 'COUNT';
  return {
    active: true,
    description: s.description ?? '',
    name: s.name,
    ...(s.preferredTillId !== undefined ? { preferredTillId: s.preferredTillId } : {}),
    trackingType: s.streaks?.length ? 'STREAKS' : 'DEFAULT',
    targetEvaluationType: 'FIXED_CALENDAR_WINDOW',
    totalPeriods: s.periods.length,
    frequencyType: s.frequencyType,
    frequency: 1,
    recurringCycles: 0,
    userCreated: true,
    ...(s.timeZoneName ? { timeZoneName: s.timeZoneName } : {}),
    periods: s.periods.map((p) => ({
      active: true,
      description: '',
      startDate: p.startDate,
      endDate: p.endDate,
      periodStatus: p.status,
      refCode: p.refCode,
    })),
    targets: [
      {
        active: true,
        description: '',
        name: s.ruleName ?? `${s.name}_rule`,
        targetEntity: 'EVENT',
        eventName: s.eventName,
        targetType,
        ...(targetType === 'EVENT_ATTRIBUTE' && s.attribute
          ? { extendedFieldInfo: { name: s.attribute, aggregateFunction: 'SUM' as const } }
          : {}),
        enrolmentMethod: 'IMPORT',
        expression: TRUE_EXPRESSION,
        expressionJson: TRUE_EXPRESSION_JSON,
        filters: [],
        defaultValues: targets.map((defaultValue) => ({ defaultValue })),
      },
    ],
    ...(s.streaks?.length ? { streaks: s.streaks } : {}),
  };
}

export interface PromotionSpec {
  name: string;
  /** Unique in the program (4007). */
  identifier: string;
  programId: number;
  orgId: number;
  /** Epoch ms: the promotion's and its ruleset's validity. */
  startMs: number;
  endMs: number;
  targetGroupId: number;
  targetRuleId: number;
  targetRuleName: string;
  awardStrategyId: number;
  expiryStrategyId: number;
  rulesetName: string;
  restrictions?: PromotionBody['promotion']['promotionRestrictions']['restrictions'];
}

/** ISO with a `+00:00` offset and no milliseconds, as the vendor's sample writes promotion dates. */
const offsetIso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');

/** `POST …/createPromotion/{type}`: TARGETCOMPLETED, USER_CREATED, one ruleset awarding the configured strategies. */
export function promotionBody(s: PromotionSpec): PromotionBody {
  return {
    promotion: {
      id: -1,
      name: s.name,
      programId: s.programId,
      startDate: offsetIso(s.startMs),
      endDate: offsetIso(s.endMs),
      allocatePointsOn: 'BILL',
      identifier: s.identifier,
      eventName: 'TARGETCOMPLETED',
      pointsOfferType: 'LOYALTY',
      promotionType: 'BILL',
      promotionSourceType: 'USER_CREATED',
      limits: { pointsPerCustomer: -1, numberOfTimesPerCustomer: -1, totalPointsInPromotion: -1 },
      promotionRestrictions: {
        loyaltyEarningType: 'ISSUE_AND_EARN',
        isStackable: false,
        isExclusive: false,
        isConsideredForRanking: false,
        targetRuleIds: [s.targetRuleId],
        targetGroupIds: [s.targetGroupId],
        ...(s.restrictions ? { restrictions: s.restrictions } : {}),
      },
      rulesetInfos: [
        {
          id: -1,
          contextID: s.programId,
          orgID: s.orgId,
          contextType: 'program',
          endpointName: 'POINTSENGINE_ENDPOINT',
          name: s.rulesetName,
          type: 'USER_CREATED',
          startDate: s.startMs,
          endDate: s.endMs,
          active: true,
          rules: [
            {
              id: -1,
              exp: TRUE_EXPRESSION,
              expJSON: TRUE_EXPRESSION_JSON,
              isActive: true,
              caseToActions: {
                true: [
                  {
                    id: -1,
                    actionName: 'AWARD_TARGET_POINTS_ACTION',
                    mandatoryPropertiesValues: {
                      ProRateOnSourceValue: 'EVENT_DEFAULT_VALUE',
                      DelayStrategy: 'AS_DEFINED_IN_ALLOCATION_STRATEGY',
                      SourceValueRoundingStrategy: 'ACTUAL',
                      ExpiryStrategy: String(s.expiryStrategyId),
                      AwardStrategy: String(s.awardStrategyId),
                      PointsRoundingStrategy: 'ACTUAL',
                      TargetGroupId: String(s.targetGroupId),
                      TargetRuleName: s.targetRuleName,
                    },
                  },
                ],
              },
              filterInfo: [],
              description: '',
              expDataType: '',
              ruleSetId: -1,
              updatedViaNewUI: false,
            },
          ],
          filterInfo: [
            {
              id: -1,
              contextType: 'RULESET',
              name: 'LoyaltyType',
              description: 'LoyaltyType',
              isInclude: true,
              propertyToValues: { loyaltyType: ['loyalty'] },
            },
            {
              id: -1,
              contextType: 'RULESET',
              name: 'EventSource',
              description: 'EventSource',
              isInclude: true,
              propertyToValues: { eventSource: ['INSTORE'] },
            },
          ],
          cappingInfo: [],
          isRulesetForGlobalPromotion: 'false',
          programIds: [],
        },
      ],
    },
  };
}

/** Enrol one customer from `periodName` on (and every later period), progress starting at `initialBalance`. */
export function enrolBody(
  customerId: number,
  o: { periodName?: string; initialBalance?: number | null; resetStreakStatus?: boolean } = {},
): EnrolBody {
  return [
    {
      customerId,
      ...(o.periodName !== undefined ? { periodName: o.periodName } : {}),
      initialBalance: o.initialBalance === undefined ? 0 : o.initialBalance,
      resetStreakStatus: o.resetStreakStatus ?? false,
    },
  ];
}

export const unenrolBody = (customerId: number): UnenrolBody => [{ customerId }];

export interface EventSpec {
  eventName: string;
  /** The identifier the webhook's transformer maps (the organisation's `customerIdentifier`). */
  customerId: string | number;
  /** "YYYY-MM-DD HH:mm:ss" (the vendor leaves its time zone undocumented: see docs/upstream.md). */
  eventDateTime: string;
  /** A brand-side unique id (the widget server's posting id); part of the unique key when configured so. */
  externalEventId?: string;
  fields: Record<string, string | number | boolean>;
}

/** The webhook's flat body. The event's own attributes may not reuse a standard name. */
export function eventBody(s: EventSpec): EventBody {
  for (const k of ['event_name', 'customer_id', 'eventDateTime', 'external_event_id'])
    if (k in s.fields) throw new RangeError(`event field ${k} is reserved`);
  return {
    event_name: s.eventName,
    customer_id: s.customerId,
    ...(s.externalEventId !== undefined ? { external_event_id: s.externalEventId } : {}),
    ...s.fields,
    eventDateTime: s.eventDateTime,
  };
}
