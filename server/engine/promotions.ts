import { badRequest, conflict, notFound, Codes } from '../errors.js';
import type { Tx, PromotionRow } from '../store/types.js';
import type { OrgDoc } from './org.js';
import type { PromotionDoc } from './model.js';
import { requireUcc } from './targets.js';
import { parseInstant } from './time.js';
import { capillaryNumber, strictNumber } from './wire.js';

type Body = Record<string, any>;
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
const invalid = (m: string) => badRequest(Codes.PROMO_INVALID, m);
/** The most target groups, and target rules, one promotion can listen to. */
export const MAX_PROMOTION_TARGETS = 20;

function limit(v: unknown, name: string): number {
  if (v === undefined || v === null) return -1;
  const n = strictNumber(v);
  if (!Number.isInteger(n) || n < -1) throw invalid(`limits.${name} must be an integer, -1 for no limit.`);
  return n;
}

/** POST …/programs/{programId}/createPromotion/{promotionType}: the UCC promotion (TARGETCOMPLETED → AWARD_TARGET_POINTS_ACTION). */
export async function createPromotion(
  tx: Tx,
  org: OrgDoc,
  programId: number,
  promotionType: string,
  body: Body,
  now: number,
): Promise<PromotionRow> {
  if (programId !== org.programId)
    throw notFound(Codes.PROGRAM_NOT_FOUND, `Program ${programId} not found in this organisation.`);
  if (!['SIMPLE', 'RANGE', 'KEYWORD'].includes(promotionType.toUpperCase()))
    throw invalid(`promotionType must be SIMPLE, RANGE or KEYWORD (got ${promotionType}).`);
  const p = body?.promotion;
  if (typeof p !== 'object' || p === null) throw invalid('The body must be {"promotion": {...}}.');
  if (p.id !== -1) throw invalid('promotion.id must be -1 for a new promotion.');
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
    throw invalid('promotion.name is required (at most 255 characters).');
  if (typeof p.identifier !== 'string' || !p.identifier || p.identifier.length > 255)
    throw invalid('promotion.identifier is required (at most 255 characters).');
  if (!p.startDate) throw badRequest(Codes.PROMO_START_EMPTY, 'promotion.startDate must not be empty.');
  if (!p.endDate) throw badRequest(Codes.PROMO_END_EMPTY, 'promotion.endDate must not be empty.');
  const startMs = parseInstant(p.startDate, org.timeZone),
    endMs = parseInstant(p.endDate, org.timeZone);
  if (Number.isNaN(startMs))
    throw badRequest(Codes.PROMO_START_EMPTY, 'promotion.startDate is not a valid ISO date-time.');
  if (Number.isNaN(endMs) || endMs <= startMs)
    throw badRequest(Codes.PROMO_END_EMPTY, 'promotion.endDate must be a valid ISO date-time after startDate.');
  if (p.eventName !== 'TARGETCOMPLETED')
    throw invalid('A user-created promotion must listen for eventName TARGETCOMPLETED.');
  const r = p.promotionRestrictions ?? {};
  const tgIds: unknown[] = r.targetGroupIds,
    ruleIds: unknown[] = r.targetRuleIds;
  if (!Array.isArray(tgIds) || !tgIds.length || !Array.isArray(ruleIds) || !ruleIds.length) {
    throw badRequest(
      Codes.PROMO_TARGETS_MISSING,
      'promotionRestrictions.targetGroupIds and targetRuleIds are required for a USER_CREATED promotion.',
    );
  }
  if (tgIds.length > MAX_PROMOTION_TARGETS || ruleIds.length > MAX_PROMOTION_TARGETS) {
    throw badRequest(
      Codes.PROMO_TARGETS_MISSING,
      `promotionRestrictions.targetGroupIds and targetRuleIds can each list at most ${MAX_PROMOTION_TARGETS} ids.`,
    );
  }
  if (r.isExclusive === true || r.isConsideredForRanking === true)
    throw invalid('isExclusive and isConsideredForRanking must both be false for a user-created promotion.');
  const targets: { tgId: number; ruleId: number | null }[] = [];
  for (const id of tgIds) {
    const tg = Number.isSafeInteger(id) ? await tx.getTargetGroup(org.id, id as number) : undefined;
    if (!tg) throw badRequest(Codes.PROMO_TARGETS_MISSING, `targetGroupIds: target group ${id} not found.`);
    const rules = tg.targets.filter((t) => ruleIds.includes(t.id));
    if (!rules.length)
      throw badRequest(Codes.PROMO_TARGETS_MISSING, `targetRuleIds names no rule of target group ${id}.`);
    for (const rule of rules) targets.push({ tgId: tg.id, ruleId: rule.id });
  }
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
  let award: PromotionDoc['award'] | undefined;
  for (const [i, rule] of rs.rules.entries()) {
    if (rule?.id !== -1) throw badRequest(Codes.PROMO_RULESET_FIELDS, `rules[${i}].id must be -1.`);
    if (!rule.exp || !rule.expJSON || rule.isActive === undefined || !rule.caseToActions)
      throw badRequest(Codes.PROMO_RULESET_FIELDS, `rules[${i}] needs exp, expJSON, isActive and caseToActions.`);
    for (const action of rule.caseToActions.true ?? []) {
      if (action?.actionName !== 'AWARD_TARGET_POINTS_ACTION')
        throw invalid(`Action ${action?.actionName} is not supported; use AWARD_TARGET_POINTS_ACTION.`);
      const m = action.mandatoryPropertiesValues ?? {};
      const empty = MANDATORY.filter((k) => typeof m[k] !== 'string' || m[k].trim() === '');
      if (empty.length)
        throw badRequest(
          Codes.PROMO_ACTION_PROPERTIES,
          `mandatoryPropertiesValues is missing or empty: ${empty.join(', ')}.`,
        );
      const awardStrategyId = capillaryNumber(m.AwardStrategy),
        expiryStrategyId = capillaryNumber(m.ExpiryStrategy),
        targetGroupId = capillaryNumber(m.TargetGroupId);
      if (!org.awardStrategies.some((s) => s.id === awardStrategyId))
        throw badRequest(
          Codes.PROMO_ACTION_PROPERTIES,
          `AwardStrategy ${m.AwardStrategy} does not exist in this organisation.`,
        );
      if (!org.expiryStrategies.some((s) => s.id === expiryStrategyId))
        throw badRequest(
          Codes.PROMO_ACTION_PROPERTIES,
          `ExpiryStrategy ${m.ExpiryStrategy} does not exist in this organisation.`,
        );
      if (!tgIds.includes(targetGroupId))
        throw badRequest(
          Codes.PROMO_ACTION_PROPERTIES,
          `TargetGroupId ${m.TargetGroupId} is not in promotionRestrictions.targetGroupIds.`,
        );
      award = { awardStrategyId, expiryStrategyId, targetGroupId, targetRuleName: m.TargetRuleName };
    }
  }
  if (!award)
    throw badRequest(
      Codes.PROMO_RULESET_FIELDS,
      'The rule must have an AWARD_TARGET_POINTS_ACTION under caseToActions.true.',
    );
  if (await tx.findPromotion(org.id, programId, { name: p.name }))
    throw conflict(Codes.PROMO_NAME_EXISTS, `A promotion named "${p.name}" already exists in program ${programId}.`);
  if (await tx.findPromotion(org.id, programId, { identifier: p.identifier }))
    throw conflict(Codes.PROMO_IDENTIFIER_EXISTS, `A promotion with identifier "${p.identifier}" already exists.`);
  const l = p.limits ?? {};
  const limits = {
    pointsPerCustomer: limit(l.pointsPerCustomer, 'pointsPerCustomer'),
    numberOfTimesPerCustomer: limit(l.numberOfTimesPerCustomer, 'numberOfTimesPerCustomer'),
    totalPointsInPromotion: limit(l.totalPointsInPromotion, 'totalPointsInPromotion'),
  };
  const id = await tx.nextIds('promotion', 1);
  const row: PromotionRow = {
    id,
    orgId: org.id,
    programId,
    name: p.name,
    identifier: p.identifier,
    sourceType: 'USER_CREATED',
    active: p.active !== false,
    createdMs: now,
    doc: { promotion: { ...p, id }, award, limits, eventName: 'TARGETCOMPLETED', startMs, endMs },
  };
  await tx.insertPromotion(row, targets);
  return row;
}
