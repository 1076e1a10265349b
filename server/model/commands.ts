/**
 * The engine's inputs: typed commands, built by each surface from its own wire format (the
 * Capillary-compatible API parses Capillary JSON into them in server/capillary/parse.ts; the widget
 * API builds them from a template). Dates are instants (ms since epoch); periods are resolved.
 */
import type { EventFieldDoc, PromotionDoc, TargetDoc } from './documents.js';

/** One period of a new target group: `[startMs, endMs)`; `refCode` defaults to `Cycle_<n>`. */
export interface PeriodSpan {
  startMs: number;
  endMs: number;
  refCode?: string;
  description?: string;
  active?: boolean;
}

/** A target rule: what is measured and the value to reach in each period. */
export interface TargetRuleInput {
  name: string;
  description?: string;
  active?: boolean;
  eventName: string;
  targetType: TargetDoc['targetType'];
  /** For EVENT_ATTRIBUTE: the event's numeric field to sum (`aggregateFunction` SUM only). */
  extendedFieldInfo?: { name?: string; aggregateFunction?: string } | null;
  /** IMPORT or TRANSACTION; by default IMPORT in a user-created group. */
  enrolmentMethod?: string;
  expression?: string;
  expressionJson?: string;
  filters?: unknown[];
  /** The value to reach, one per period in order (NaN where the caller gave no number). */
  defaultValues: number[];
}

export interface StreakLevelInput {
  name: string;
  targetCountOfSequence: number;
}

export interface NewTargetGroup {
  name: string;
  description?: string;
  active?: boolean;
  preferredTillId?: number | null;
  userCreated: boolean;
  trackingType: 'DEFAULT' | 'STREAKS';
  timeZoneName: string;
  frequencyType: string;
  frequency: number;
  recurringCycles: number;
  periods: PeriodSpan[];
  targets: TargetRuleInput[];
  /** Levels of a STREAKS group (ignored for DEFAULT). */
  streaks: StreakLevelInput[];
}

/** A change to a target group's descriptive fields (its structure never changes). */
export interface TargetGroupUpdate {
  name?: string;
  description?: string;
  active?: boolean;
  preferredTillId?: number | null;
  /** What the caller says the group is; it can never change. */
  userCreated?: boolean;
  /** How many target rules the caller sent (a user-created group has one). */
  targetRuleCount?: number;
}

/** A change to one target rule: the fields given replace the rule's. */
export interface TargetUpdate extends Partial<Omit<TargetRuleInput, 'eventName' | 'targetType' | 'extendedFieldInfo'>> {
  /** Fields fixed at creation, as the caller sent them: each must equal the rule's own. */
  fixed?: Partial<Record<'eventName' | 'targetType' | 'targetEntity' | 'extendedFieldInfo', unknown>>;
}

/** Enrols one customer from a period (its refCode) onward; a STREAKS group defaults to the current one. */
export interface Enrolment {
  customerId: number;
  periodName?: string | null;
  /** Seeds the first period's value; on re-enrolment a number overwrites and null resumes. */
  initialBalance?: number | null;
  /** On re-enrolment: wipe the streak levels already reached. */
  resetStreakStatus?: boolean;
}

export interface Unenrolment {
  customerId: number;
}

/** A UCC promotion: TARGETCOMPLETED on the restricted groups and rules → AWARD_TARGET_POINTS_ACTION. */
export interface NewPromotion {
  programId: number;
  name: string;
  identifier: string;
  active: boolean;
  startMs: number;
  endMs: number;
  targetGroupIds: number[];
  targetRuleIds: number[];
  /** Its AWARD_TARGET_POINTS_ACTIONs (a UCC promotion has one; of several, the last is the one that pays). */
  awards: PromotionDoc['award'][];
  limits: PromotionDoc['limits'];
  /** The promotion as its surface wrote it, stored for that surface's renderers (the engine never reads it). */
  document?: Record<string, unknown>;
}

export interface NewEventDefinition {
  eventName: string;
  description?: string;
  actions: string[];
  fields: EventFieldDoc[];
}

/** One occurrence of a behavioural event for a customer; `externalEventId` makes it idempotent. */
export interface Occurrence {
  eventName: string;
  customerId: number;
  externalEventId: string | null;
  occurredMs: number;
  fields: Record<string, unknown>;
}
