/** Stored shapes of the engine's entities, kept close to Capillary's own JSON. */

export interface EventFieldDoc {
  name: string;
  type: string;
  attributes?: Record<string, { valueType: string; value: string }>;
  identifierType?: unknown;
}
export interface EventDefDoc {
  eventName: string;
  description?: string;
  actions: string[];
  fields: EventFieldDoc[];
  createdMs: number;
}

export interface PeriodDoc {
  id: number;
  refCode: string;
  description?: string;
  active: boolean;
  /** Instants (ms since epoch): start inclusive, end exclusive. */
  startMs: number;
  endMs: number;
}
export interface DefaultValueDoc {
  id: number;
  periodId: number;
  defaultValue: number;
}
export interface TargetDoc {
  id: number;
  name: string;
  description?: string;
  active: boolean;
  targetEntity: string;
  eventName: string | null;
  targetType: 'COUNT' | 'EVENT_ATTRIBUTE' | 'VISIT';
  extendedFieldInfo: { name: string; aggregateFunction: string } | null;
  expression: string;
  expressionJson: string;
  filters: unknown[];
  enrolmentMethod: string;
  emfRuleSetId: number;
  targetMilestoneTriggers: unknown[];
  defaultValues: DefaultValueDoc[];
}
export interface StreakDoc {
  id: number;
  name: string;
  targetCountOfSequence: number;
}
export interface TargetGroupDoc {
  id: number;
  name: string;
  description?: string;
  active: boolean;
  preferredTillId: number | null;
  trackingType: 'DEFAULT' | 'STREAKS';
  targetEvaluationType: 'FIXED_CALENDAR_WINDOW';
  totalPeriods: number;
  frequencyType: string;
  frequency: number;
  recurringCycles: number;
  userCreated: boolean;
  leaderboardEnabled: boolean;
  timeZoneName: string;
  periods: PeriodDoc[];
  targets: TargetDoc[];
  streaks: StreakDoc[];
  createdMs: number;
  createdBy: string;
}

export interface PromotionDoc {
  /** The promotion as its surface wrote it (Capillary JSON from the Capillary API; `{id}` from the widget API). */
  promotion: Record<string, unknown>;
  /** Resolved from the one ruleset's AWARD_TARGET_POINTS_ACTION. */
  award: { awardStrategyId: number; expiryStrategyId: number; targetGroupId: number; targetRuleName: string };
  limits: { pointsPerCustomer: number; numberOfTimesPerCustomer: number; totalPointsInPromotion: number };
  eventName: string;
  startMs: number;
  endMs: number;
  /** The groups and rules it listens to (also in `promotion.promotionRestrictions` when its surface wrote one). */
  targetGroupIds?: number[];
  targetRuleIds?: number[];
}
