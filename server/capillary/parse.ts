/**
 * Capillary wire JSON → the engine's typed commands (server/model/commands.ts). Every check on the
 * shape and JSON types of a body, and on what this engine supports of Capillary's options, is here,
 * with the message and code the Capillary-compatible API has always answered; the rules that are the
 * engine's own (UCC rules, counts, order, what exists) it checks itself and refuses with a DomainError.
 */
import { badRequest, Codes } from '../errors.js';
import type {
  Enrolment,
  NewEventDefinition,
  NewPromotion,
  NewTargetGroup,
  PeriodSpan,
  StreakLevelInput,
  TargetGroupUpdate,
  TargetRuleInput,
  TargetUpdate,
  Unenrolment,
} from '../model/commands.js';
import type { OrgDoc } from '../engine/org.js';
import { MAX_PERIODS, normaliseTracking, requireUcc } from '../engine/targets.js';
import { requireProgram } from '../engine/promotions.js';
import { ACTIONS_RULE, EVENT_NAME_RULE } from '../engine/events.js';
import { generatePeriods, isValidZone, parseEnd, parseInstant, supportedFrequency } from '../engine/time.js';
import { capillaryNumber, strictNumber } from './wire.js';

type Body = Record<string, any>;
const invalid = (message: string) => badRequest(Codes.INVALID_INPUT, message);
const isObject = (b: unknown): b is Body => typeof b === 'object' && b !== null && !Array.isArray(b);
/** `v` unless it is null or undefined (Capillary's "not given"). */
const given = <T>(v: T | null | undefined): T | undefined => v ?? undefined;

/** A target rule's own fields; `creating` when every field must be given (a new rule). */
function parseRuleFields(t: Body, creating: boolean): Partial<TargetRuleInput> {
  if (t.name != null || creating) {
    if (typeof t.name !== 'string' || !t.name.trim()) throw invalid('targets[].name is required.');
    if (t.name.length > 200) throw badRequest(310008, 'Target rule name must be at most 200 characters.');
  }
  const raw = t.defaultValues;
  if (raw != null && !Array.isArray(raw)) throw invalid('targets[].defaultValues must be an array.');
  return {
    name: given(t.name),
    description: given(t.description),
    active: given(t.active),
    enrolmentMethod: given(t.enrolmentMethod),
    expression: t.expression == null ? undefined : String(t.expression),
    expressionJson: given(t.expressionJson),
    filters: Array.isArray(t.filters) ? t.filters : undefined,
    defaultValues: raw == null ? undefined : raw.map((e: Body | null) => capillaryNumber(e?.defaultValue)),
  };
}

function parseNewRule(t: unknown): TargetRuleInput {
  if (typeof t !== 'object' || t === null) throw invalid('Each target rule must be an object.');
  const r = t as Body;
  const fields = parseRuleFields(r, true);
  const targetEntity = r.targetEntity ?? 'EVENT';
  if (targetEntity !== 'EVENT')
    throw badRequest(
      Codes.NOT_SUPPORTED,
      `targetEntity ${targetEntity} is not supported by this engine; use EVENT (behavioural events).`,
    );
  if (typeof r.eventName !== 'string') throw invalid('targets[].eventName is required for EVENT targets.');
  if (!['COUNT', 'EVENT_ATTRIBUTE', 'VISIT'].includes(r.targetType)) {
    throw badRequest(
      Codes.NOT_SUPPORTED,
      `targetType ${r.targetType ?? undefined} is not supported for EVENT targets; use COUNT, EVENT_ATTRIBUTE or VISIT.`,
    );
  }
  return {
    ...fields,
    name: r.name,
    eventName: r.eventName,
    targetType: r.targetType,
    extendedFieldInfo: given(r.extendedFieldInfo),
    defaultValues: fields.defaultValues ?? [],
  };
}

/** POST /v3/targetGroups. */
export function parseNewTargetGroup(org: OrgDoc, b: unknown): NewTargetGroup {
  if (!isObject(b)) throw invalid('The body must be a target group object.');
  const userCreated = b.userCreated === true;
  if (userCreated) requireUcc(org);
  if (typeof b.name !== 'string' || !b.name.trim()) throw invalid('name is required.');
  if (b.name.length > 200) throw invalid('name must be at most 200 characters.');
  const trackingType = normaliseTracking(b.trackingType ?? 'DEFAULT');
  if (trackingType !== 'DEFAULT' && trackingType !== 'STREAKS')
    throw badRequest(Codes.NOT_SUPPORTED, `trackingType ${trackingType} is not supported; use DEFAULT or STREAKS.`);
  const evaluation = b.targetEvaluationType ?? 'FIXED_CALENDAR_WINDOW';
  if (evaluation !== 'FIXED_CALENDAR_WINDOW')
    throw badRequest(
      Codes.NOT_SUPPORTED,
      `targetEvaluationType ${evaluation} is not supported; use FIXED_CALENDAR_WINDOW.`,
    );
  if (b.leaderboardEnabled === true) throw badRequest(310133, 'Leaderboards are not enabled for this organisation.');
  const tz = b.timeZoneName ?? org.timeZone;
  if (!isValidZone(tz)) throw invalid(`timeZoneName "${tz}" is not an IANA time zone name.`);
  const frequencyType = b.frequencyType ?? 'DAILY';
  if (!supportedFrequency(frequencyType) && frequencyType !== 'CUSTOM')
    throw badRequest(Codes.NOT_SUPPORTED, `frequencyType ${frequencyType} is not supported.`);

  // Periods: explicit, or generated from the cycle start, frequency and totalPeriods (bounded before any is built).
  let periods: PeriodSpan[];
  if (Array.isArray(b.periods) && b.periods.length > 0) {
    if (b.periods.length > MAX_PERIODS)
      throw invalid(`A target group can have at most ${MAX_PERIODS} periods (periods[] has ${b.periods.length}).`);
    periods = b.periods.map((p: Body, i: number) => {
      const startMs = parseInstant(p?.startDate, tz);
      const endMs = parseEnd(p?.endDate, tz);
      if (Number.isNaN(startMs) || Number.isNaN(endMs))
        throw invalid(`periods[${i}] needs startDate and endDate as ISO dates.`);
      if (endMs <= startMs) throw invalid(`periods[${i}] ends before it starts.`);
      return {
        startMs,
        endMs,
        refCode: typeof p.refCode === 'string' ? p.refCode : undefined,
        description: p.description,
        active: p.active,
      };
    });
  } else {
    const total = strictNumber(b.totalPeriods);
    if (!Number.isInteger(total) || total < 1)
      throw invalid('Give periods[] or a positive integer totalPeriods with fromDate.');
    if (total > MAX_PERIODS)
      throw invalid(`A target group can have at most ${MAX_PERIODS} periods (totalPeriods ${total}).`);
    if (frequencyType === 'CUSTOM') throw invalid('frequencyType CUSTOM needs explicit periods[].');
    const start = parseInstant(b.targetCycleStartDate ?? b.fromDate, tz);
    if (Number.isNaN(start))
      throw invalid('fromDate (or targetCycleStartDate) is required when periods[] is not given.');
    periods = generatePeriods(start, tz, frequencyType, total);
  }
  const targets = (Array.isArray(b.targets) ? b.targets : []).map(parseNewRule);
  let streaks: StreakLevelInput[] = [];
  if (trackingType === 'STREAKS' && Array.isArray(b.streaks)) {
    streaks = b.streaks.map((s: Body, i: number) => {
      if (typeof s?.name !== 'string' || !s.name) throw invalid(`streaks[${i}].name is required.`);
      return { name: s.name, targetCountOfSequence: strictNumber(s.targetCountOfSequence) };
    });
  }
  return {
    name: b.name,
    description: b.description,
    active: given(b.active),
    preferredTillId: given(b.preferredTillId),
    userCreated,
    trackingType,
    timeZoneName: tz,
    frequencyType,
    frequency: strictNumber(b.frequency) || 1,
    recurringCycles: Number.isInteger(b.recurringCycles) ? b.recurringCycles : -1,
    periods,
    targets,
    streaks,
  };
}

/** PUT /v3/targetGroups/{id}: descriptive fields only. */
export function parseTargetGroupUpdate(b: unknown): TargetGroupUpdate {
  if (!isObject(b)) throw invalid('The body must be a target group object.');
  if (b.name !== undefined && typeof b.name !== 'string') throw invalid('name must be 1–200 characters.');
  return {
    name: b.name,
    description: given(b.description),
    active: typeof b.active === 'boolean' ? b.active : undefined,
    preferredTillId: given(b.preferredTillId),
    userCreated: typeof b.userCreated === 'boolean' ? b.userCreated : undefined,
    targetRuleCount: Array.isArray(b.targets) ? b.targets.length : undefined,
  };
}

/** One target rule's edit through PUT /v3/targetGroups/editTargetGroup/{id}: its id (optional with one rule) and expression. */
export interface RuleExpressionEdit {
  id?: number;
  expression?: string;
  expressionJson?: string;
}

/**
 * PUT /v3/targetGroups/editTargetGroup/{id}: the group as Capillary's page sends it (id, name, dates, periods, streaks,
 * targets …). Only the name and the target rules' expression and expressionJson are editable (the page's "Attention");
 * every other field is read as the group's own and left as it is. A body `id` must be the path's.
 */
export function parseEditTargetGroup(b: unknown, id: number): { name?: string; rules: RuleExpressionEdit[] } {
  if (!isObject(b)) throw invalid('The body must be a target group object.');
  if (b.id !== undefined && strictNumber(b.id) !== id) throw invalid(`id must be the path's target group id (${id}).`);
  if (b.name !== undefined && typeof b.name !== 'string') throw invalid('name must be 1–200 characters.');
  if (b.targets !== undefined && !Array.isArray(b.targets)) throw invalid('targets must be an array of target rules.');
  const rules = ((b.targets ?? []) as unknown[]).flatMap((t, i): RuleExpressionEdit[] => {
    if (!isObject(t)) throw invalid(`targets[${i}] must be a target rule object.`);
    if (t.id !== undefined && !Number.isSafeInteger(strictNumber(t.id)))
      throw invalid(`targets[${i}].id must be a target rule id.`);
    if (t.expression !== undefined && typeof t.expression !== 'string' && typeof t.expression !== 'boolean')
      throw invalid(`targets[${i}].expression must be a string.`);
    if (t.expressionJson !== undefined && typeof t.expressionJson !== 'string')
      throw invalid(`targets[${i}].expressionJson must be a string (JSON text).`);
    if (t.expression === undefined && t.expressionJson === undefined) return [];
    return [
      {
        ...(t.id !== undefined ? { id: strictNumber(t.id) } : {}),
        ...(t.expression !== undefined ? { expression: String(t.expression) } : {}),
        ...(t.expressionJson !== undefined ? { expressionJson: t.expressionJson as string } : {}),
      },
    ];
  });
  return { ...(b.name !== undefined ? { name: b.name as string } : {}), rules };
}

/** PUT /v3/targetGroups/{id}/targets/{targetId}. */
export function parseTargetUpdate(b: unknown): TargetUpdate {
  if (!isObject(b)) throw invalid('The body must be a target rule object.');
  const fields = parseRuleFields(b, false);
  const fixed: TargetUpdate['fixed'] = {};
  for (const k of ['eventName', 'targetType', 'targetEntity', 'extendedFieldInfo'] as const)
    if (b[k] !== undefined) fixed[k] = b[k];
  return { ...fields, fixed };
}

/** POST …/enroll: a non-empty array of {customerId, periodName?, initialBalance?, resetStreakStatus?}. */
export function parseEnrolments(b: unknown): Enrolment[] {
  if (!Array.isArray(b) || b.length === 0)
    throw invalid('The body must be a non-empty JSON array of {customerId, periodName}.');
  return b.map((item, i) => {
    if (typeof item !== 'object' || item === null) throw invalid(`[${i}] must be an object.`);
    const initialBalance = item.initialBalance;
    if (initialBalance != null && typeof initialBalance !== 'number')
      throw invalid(`[${i}].initialBalance must be a non-negative number.`);
    return {
      customerId: item.customerId,
      periodName: item.periodName,
      initialBalance,
      resetStreakStatus: item.resetStreakStatus === true,
    };
  });
}

/** POST …/unEnroll: a non-empty array of {customerId}. */
export function parseUnenrolments(b: unknown): Unenrolment[] {
  if (!Array.isArray(b) || b.length === 0) throw invalid('The body must be a non-empty JSON array of {customerId}.');
  return b.map((item) => ({ customerId: item?.customerId }));
}

/** POST /v2/events. */
export function parseEventDefinition(b: unknown): NewEventDefinition {
  if (!isObject(b)) throw badRequest(Codes.EVENT_INVALID_NAME, 'The body must be an event definition object.');
  if (typeof b.eventName !== 'string') throw badRequest(Codes.EVENT_INVALID_NAME, EVENT_NAME_RULE);
  if (!Array.isArray(b.actions)) throw badRequest(Codes.EVENT_INVALID_ACTIONS, ACTIONS_RULE);
  const fields = (Array.isArray(b.fields) ? b.fields : []).map((f: Body, i: number) => {
    if (typeof f?.name !== 'string')
      throw badRequest(Codes.EVENT_INVALID_FIELD_TYPE, `fields[${i}].name must be an identifier.`);
    const attributes = f.attributes ?? {};
    if (typeof attributes !== 'object')
      throw badRequest(Codes.EVENT_REQUIRED_FIELD, `fields[${i}].attributes must be an object.`);
    // `type` and `actions` are checked against the engine's lists (a value of another JSON type is in neither).
    return {
      name: f.name,
      type: f.type,
      attributes,
      ...(f.identifierType ? { identifierType: f.identifierType } : {}),
    };
  });
  return { eventName: b.eventName, description: b.description, actions: b.actions, fields };
}

const MANDATORY = [
  'ProRateOnSourceValue',
  'DelayStrategy',
  'SourceValueRoundingStrategy',
  'ExpiryStrategy',
  'AwardStrategy',
  'PointsRoundingStrategy',
  'TargetGroupId',
  'TargetRuleName',
];
const RULESET_FIELDS = ['contextID', 'contextType', 'endpointName', 'name', 'type', 'startDate', 'endDate', 'active'];
const FILTER_NAMES = ['LoyaltyType', 'EventSource'];
const promoInvalid = (m: string) => badRequest(Codes.PROMO_INVALID, m);

function limit(v: unknown, name: string): number {
  if (v === undefined || v === null) return -1;
  const n = strictNumber(v);
  if (!Number.isInteger(n) || n < -1) throw promoInvalid(`limits.${name} must be an integer, -1 for no limit.`);
  return n;
}

/** POST …/programs/{programId}/createPromotion/{promotionType}: the UCC promotion (TARGETCOMPLETED → AWARD_TARGET_POINTS_ACTION). */
export function parseNewPromotion(org: OrgDoc, programId: number, promotionType: string, body: unknown): NewPromotion {
  requireProgram(org, programId);
  if (!['SIMPLE', 'RANGE', 'KEYWORD'].includes(promotionType.toUpperCase()))
    throw promoInvalid(`promotionType must be SIMPLE, RANGE or KEYWORD (got ${promotionType}).`);
  const p = (body as Body | null)?.promotion;
  if (typeof p !== 'object' || p === null) throw promoInvalid('The body must be {"promotion": {...}}.');
  if (p.id !== -1) throw promoInvalid('promotion.id must be -1 for a new promotion.');
  if (!p.promotionSourceType)
    throw badRequest(
      Codes.PROMO_SOURCE_MISSING,
      'promotionSourceType is required (USER_CREATED for user-created challenges).',
    );
  if (p.promotionSourceType !== 'USER_CREATED')
    throw badRequest(
      Codes.NOT_SUPPORTED,
      `promotionSourceType ${p.promotionSourceType} is not supported by this engine; use USER_CREATED.`,
    );
  requireUcc(org);
  if (typeof p.name !== 'string' || !p.name || p.name.length > 255)
    throw promoInvalid('promotion.name is required (at most 255 characters).');
  if (typeof p.identifier !== 'string' || !p.identifier || p.identifier.length > 255)
    throw promoInvalid('promotion.identifier is required (at most 255 characters).');
  if (!p.startDate) throw badRequest(Codes.PROMO_START_EMPTY, 'promotion.startDate must not be empty.');
  if (!p.endDate) throw badRequest(Codes.PROMO_END_EMPTY, 'promotion.endDate must not be empty.');
  const startMs = parseInstant(p.startDate, org.timeZone),
    endMs = parseInstant(p.endDate, org.timeZone);
  if (Number.isNaN(startMs))
    throw badRequest(Codes.PROMO_START_EMPTY, 'promotion.startDate is not a valid ISO date-time.');
  if (Number.isNaN(endMs) || endMs <= startMs)
    throw badRequest(Codes.PROMO_END_EMPTY, 'promotion.endDate must be a valid ISO date-time after startDate.');
  if (p.eventName !== 'TARGETCOMPLETED')
    throw promoInvalid('A user-created promotion must listen for eventName TARGETCOMPLETED.');
  const r = p.promotionRestrictions ?? {};
  const tgIds: unknown[] = r.targetGroupIds,
    ruleIds: unknown[] = r.targetRuleIds;
  if (!Array.isArray(tgIds) || !tgIds.length || !Array.isArray(ruleIds) || !ruleIds.length) {
    throw badRequest(
      Codes.PROMO_TARGETS_MISSING,
      'promotionRestrictions.targetGroupIds and targetRuleIds are required for a USER_CREATED promotion.',
    );
  }
  if (r.isExclusive === true || r.isConsideredForRanking === true)
    throw promoInvalid('isExclusive and isConsideredForRanking must both be false for a user-created promotion.');
  if (!Array.isArray(p.rulesetInfos) || p.rulesetInfos.length !== 1)
    throw badRequest(
      Codes.PROMO_ONE_RULESET,
      'A user-created promotion must have exactly one ruleset in rulesetInfos.',
    );
  const rs = p.rulesetInfos[0];
  if (rs?.id !== -1) throw badRequest(Codes.PROMO_RULESET_FIELDS, 'rulesetInfos[0].id must be -1.');
  const missing = RULESET_FIELDS.filter((f) => rs[f] === undefined || rs[f] === null || rs[f] === '');
  if (missing.length) throw badRequest(Codes.PROMO_RULESET_FIELDS, `rulesetInfos[0] is missing ${missing.join(', ')}.`);
  if (rs.type !== 'USER_CREATED')
    throw badRequest(Codes.PROMO_RULESET_FIELDS, 'rulesetInfos[0].type must be USER_CREATED.');
  for (const f of rs.filterInfo ?? [])
    if (!FILTER_NAMES.includes(f?.name))
      throw badRequest(Codes.PROMO_FILTER_NAME, `Invalid filter name "${f?.name}"; use ${FILTER_NAMES.join(' or ')}.`);
  if (!Array.isArray(rs.rules) || !rs.rules.length)
    throw badRequest(Codes.PROMO_RULESET_FIELDS, 'rulesetInfos[0].rules must hold one rule.');
  const awards: NewPromotion['awards'] = [];
  for (const [i, rule] of rs.rules.entries()) {
    if (rule?.id !== -1) throw badRequest(Codes.PROMO_RULESET_FIELDS, `rules[${i}].id must be -1.`);
    if (!rule.exp || !rule.expJSON || rule.isActive === undefined || !rule.caseToActions)
      throw badRequest(Codes.PROMO_RULESET_FIELDS, `rules[${i}] needs exp, expJSON, isActive and caseToActions.`);
    for (const action of rule.caseToActions.true ?? []) {
      if (action?.actionName !== 'AWARD_TARGET_POINTS_ACTION')
        throw promoInvalid(`Action ${action?.actionName} is not supported; use AWARD_TARGET_POINTS_ACTION.`);
      const m = action.mandatoryPropertiesValues ?? {};
      const empty = MANDATORY.filter((k) => typeof m[k] !== 'string' || m[k].trim() === '');
      if (empty.length)
        throw badRequest(
          Codes.PROMO_ACTION_PROPERTIES,
          `mandatoryPropertiesValues is missing or empty: ${empty.join(', ')}.`,
        );
      // Ids are numbers in strings; one that is not a number names no strategy or group (the engine checks the others).
      const awardStrategyId = capillaryNumber(m.AwardStrategy),
        expiryStrategyId = capillaryNumber(m.ExpiryStrategy),
        targetGroupId = capillaryNumber(m.TargetGroupId);
      if (Number.isNaN(awardStrategyId))
        throw badRequest(
          Codes.PROMO_ACTION_PROPERTIES,
          `AwardStrategy ${m.AwardStrategy} does not exist in this organisation.`,
        );
      if (Number.isNaN(expiryStrategyId))
        throw badRequest(
          Codes.PROMO_ACTION_PROPERTIES,
          `ExpiryStrategy ${m.ExpiryStrategy} does not exist in this organisation.`,
        );
      if (Number.isNaN(targetGroupId))
        throw badRequest(
          Codes.PROMO_ACTION_PROPERTIES,
          `TargetGroupId ${m.TargetGroupId} is not in promotionRestrictions.targetGroupIds.`,
        );
      awards.push({ awardStrategyId, expiryStrategyId, targetGroupId, targetRuleName: m.TargetRuleName });
    }
  }
  if (!awards.length)
    throw badRequest(
      Codes.PROMO_RULESET_FIELDS,
      'The rule must have an AWARD_TARGET_POINTS_ACTION under caseToActions.true.',
    );
  const l = p.limits ?? {};
  return {
    programId,
    name: p.name,
    identifier: p.identifier,
    active: p.active !== false,
    startMs,
    endMs,
    targetGroupIds: tgIds as number[],
    targetRuleIds: ruleIds as number[],
    awards,
    limits: {
      pointsPerCustomer: limit(l.pointsPerCustomer, 'pointsPerCustomer'),
      numberOfTimesPerCustomer: limit(l.numberOfTimesPerCustomer, 'numberOfTimesPerCustomer'),
      totalPointsInPromotion: limit(l.totalPointsInPromotion, 'totalPointsInPromotion'),
    },
    document: p,
  };
}
