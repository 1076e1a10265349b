/** UCC promotions: TARGETCOMPLETED on the restricted groups and rules → AWARD_TARGET_POINTS_ACTION. */
import { DomainError } from '../model/errors.js';
import type { NewPromotion } from '../model/commands.js';
import type { Tx, PromotionRow } from '../store/types.js';
import type { OrgDoc } from './org.js';
import { requireUcc } from './targets.js';

/** The most target groups, and target rules, one promotion can listen to. */
export const MAX_PROMOTION_TARGETS = 20;

export function requireProgram(org: OrgDoc, programId: number) {
  if (programId !== org.programId)
    throw new DomainError('PROGRAM_NOT_FOUND', `Program ${programId} not found in this organisation.`);
}

const action = (message: string) => new DomainError('PROMOTION_ACTION_INVALID', message);
const targets = (message: string) => new DomainError('PROMOTION_TARGETS_INVALID', message);

/** A new USER_CREATED promotion. */
export async function createPromotion(tx: Tx, org: OrgDoc, cmd: NewPromotion, now: number): Promise<PromotionRow> {
  const { programId, targetGroupIds: tgIds, targetRuleIds: ruleIds, awards } = cmd;
  requireProgram(org, programId);
  requireUcc(org);
  if (!(cmd.endMs > cmd.startMs)) throw new DomainError('PROMOTION_INVALID', 'A promotion must end after it starts.');
  if (!tgIds.length || !ruleIds.length)
    throw targets('promotionRestrictions.targetGroupIds and targetRuleIds are required for a USER_CREATED promotion.');
  if (tgIds.length > MAX_PROMOTION_TARGETS || ruleIds.length > MAX_PROMOTION_TARGETS) {
    throw targets(
      `promotionRestrictions.targetGroupIds and targetRuleIds can each list at most ${MAX_PROMOTION_TARGETS} ids.`,
    );
  }
  const listened: { tgId: number; ruleId: number | null }[] = [];
  for (const id of tgIds) {
    const tg = Number.isSafeInteger(id) ? await tx.getTargetGroup(org.id, id) : undefined;
    if (!tg) throw targets(`targetGroupIds: target group ${id} not found.`);
    const rules = tg.targets.filter((t) => ruleIds.includes(t.id));
    if (!rules.length) throw targets(`targetRuleIds names no rule of target group ${id}.`);
    for (const rule of rules) listened.push({ tgId: tg.id, ruleId: rule.id });
  }
  for (const a of awards) {
    if (!org.awardStrategies.some((s) => s.id === a.awardStrategyId))
      throw action(`AwardStrategy ${a.awardStrategyId} does not exist in this organisation.`);
    if (!org.expiryStrategies.some((s) => s.id === a.expiryStrategyId))
      throw action(`ExpiryStrategy ${a.expiryStrategyId} does not exist in this organisation.`);
    if (!tgIds.includes(a.targetGroupId))
      throw action(`TargetGroupId ${a.targetGroupId} is not in promotionRestrictions.targetGroupIds.`);
  }
  const award = awards.at(-1);
  if (!award) throw action('A promotion needs an AWARD_TARGET_POINTS_ACTION.');
  for (const [k, v] of Object.entries(cmd.limits))
    if (!Number.isInteger(v) || v < -1)
      throw new DomainError('PROMOTION_INVALID', `limits.${k} must be an integer, -1 for no limit.`);
  if (await tx.findPromotion(org.id, programId, { name: cmd.name }))
    throw new DomainError(
      'PROMOTION_NAME_EXISTS',
      `A promotion named "${cmd.name}" already exists in program ${programId}.`,
    );
  if (await tx.findPromotion(org.id, programId, { identifier: cmd.identifier }))
    throw new DomainError(
      'PROMOTION_IDENTIFIER_EXISTS',
      `A promotion with identifier "${cmd.identifier}" already exists.`,
    );
  const id = await tx.nextIds('promotion', 1);
  const row: PromotionRow = {
    id,
    orgId: org.id,
    programId,
    name: cmd.name,
    identifier: cmd.identifier,
    sourceType: 'USER_CREATED',
    active: cmd.active,
    createdMs: now,
    doc: {
      promotion: { ...cmd.document, id },
      award,
      limits: cmd.limits,
      eventName: 'TARGETCOMPLETED',
      startMs: cmd.startMs,
      endMs: cmd.endMs,
      targetGroupIds: tgIds,
      targetRuleIds: ruleIds,
    },
  };
  await tx.insertPromotion(row, listened);
  return row;
}
