/**
 * Target groups, target rules, enrolment — created and changed through the same functions by
 * the Capillary-compatible API and by the widget API, from typed commands (server/model/commands.ts).
 * The rules here are the engine's own; a wire format's checks live with its surface.
 */
import { DomainError } from '../model/errors.js';
import type {
  NewTargetGroup,
  TargetRuleInput,
  TargetGroupUpdate,
  TargetUpdate,
  Enrolment,
  Unenrolment,
} from '../model/commands.js';
import type { Tx, EnrolmentRow } from '../store/types.js';
import type { OrgDoc } from './org.js';
import type { TargetGroupDoc, TargetDoc, PeriodDoc, StreakDoc, EventDefDoc } from './model.js';
import { settle } from './occurrence.js';
import { periodIndexAt } from './periods.js';

const invalid = (message: string) => new DomainError('TARGET_GROUP_INVALID', message);
/** A rule's expression when none is given: always true. */
const TRUE_EXPRESSION_JSON = '{"arity":"literal","value":"true","type":"boolean:primitive"}';

export const normaliseTracking = (t: unknown): string => (t === 'STREAK' ? 'STREAKS' : String(t));

/** The most periods a target group can have: checked before any period is built. */
export const MAX_PERIODS = 366;
/** The most target rules and streak levels a target group can have. */
export const MAX_TARGETS = 20,
  MAX_STREAK_LEVELS = 20;

export function requireUcc(org: OrgDoc) {
  if (!org.uccEnabled) {
    throw new DomainError(
      'UCC_NOT_ENABLED',
      'User-created challenges are not enabled for this organisation; ask the platform to enable UCC.',
    );
  }
}

const notFoundTarget = (targetId: number, tgId: number) =>
  new DomainError('TARGET_NOT_FOUND', `Target ${targetId} not found in target group ${tgId}.`);

/** A target rule from a new rule, or from an update over the existing rule (`existing`). */
async function buildTarget(
  tx: Tx,
  org: OrgDoc,
  t: Partial<TargetRuleInput>,
  periods: PeriodDoc[],
  userCreated: boolean,
  id: number,
  firstDefaultId: number,
  existing?: TargetDoc,
): Promise<TargetDoc> {
  const name = (t.name ?? existing?.name)!;
  const eventName = (t.eventName ?? existing?.eventName)!;
  const def: EventDefDoc | undefined = await tx.getEventDef(org.id, eventName);
  if (!def) throw invalid(`Behavioural event "${eventName}" does not exist; create it with POST /v2/events first.`);
  const targetType = (t.targetType ?? existing?.targetType)!;
  let extendedFieldInfo = t.extendedFieldInfo ?? existing?.extendedFieldInfo ?? null;
  if (targetType === 'EVENT_ATTRIBUTE') {
    const field = extendedFieldInfo?.name;
    const f = def.fields.find((x) => x.name === field);
    if (!f) throw invalid(`extendedFieldInfo.name must name a field of event "${eventName}".`);
    if (f.type !== 'double')
      throw invalid(`Field "${field}" is of type ${f.type}; EVENT_ATTRIBUTE needs a double field.`);
    const fn = extendedFieldInfo!.aggregateFunction ?? 'SUM';
    if (fn !== 'SUM') throw new DomainError('NOT_SUPPORTED', `aggregateFunction ${fn} is not supported; use SUM.`);
    extendedFieldInfo = { name: f.name, aggregateFunction: 'SUM' };
  } else extendedFieldInfo = null;
  const enrolmentMethod = t.enrolmentMethod ?? existing?.enrolmentMethod ?? (userCreated ? 'IMPORT' : 'TRANSACTION');
  if (userCreated && enrolmentMethod !== 'IMPORT') {
    throw new DomainError(
      'UCC_ENROLMENT_METHOD',
      `The target rule of a user-created group must have enrolmentMethod IMPORT (got ${enrolmentMethod}).`,
    );
  }
  if (!['IMPORT', 'TRANSACTION'].includes(enrolmentMethod))
    throw invalid(`enrolmentMethod ${enrolmentMethod} is not valid; use IMPORT or TRANSACTION.`);
  const values = t.defaultValues ?? existing?.defaultValues.map((d) => d.defaultValue) ?? [];
  if (values.length > periods.length)
    throw invalid(`defaultValues has ${values.length} entries but the group has ${periods.length} periods.`);
  const defaultValues = periods.map((p, i) => {
    let v = i < values.length ? values[i] : NaN;
    if (i >= values.length && userCreated && targetType === 'COUNT') v = 2; // Capillary's UCC advice
    if (Number.isNaN(v) || v <= 0)
      throw invalid(`defaultValues[${i}].defaultValue must be a positive number (one per period).`);
    return { id: existing?.defaultValues[i]?.id ?? firstDefaultId + i, periodId: p.id, defaultValue: v };
  });
  return {
    id,
    name,
    description: t.description ?? existing?.description,
    active: t.active ?? existing?.active ?? true,
    targetEntity: 'EVENT',
    eventName,
    targetType,
    extendedFieldInfo: extendedFieldInfo as TargetDoc['extendedFieldInfo'],
    expression: t.expression ?? existing?.expression ?? 'true',
    expressionJson: t.expressionJson ?? existing?.expressionJson ?? TRUE_EXPRESSION_JSON,
    filters: t.filters ?? existing?.filters ?? [],
    enrolmentMethod,
    emfRuleSetId: existing?.emfRuleSetId ?? 9000 + id,
    targetMilestoneTriggers: existing?.targetMilestoneTriggers ?? [],
    defaultValues,
  };
}

/** A new target group (POST /v3/targetGroups, and the widget API's challenge creation). */
export async function createTargetGroup(
  tx: Tx,
  org: OrgDoc,
  cmd: NewTargetGroup,
  now: number,
  createdBy: string,
): Promise<TargetGroupDoc> {
  const { userCreated } = cmd;
  if (userCreated) requireUcc(org);
  if (await tx.findTargetGroupByName(org.id, cmd.name))
    throw new DomainError('TARGET_GROUP_NAME_EXISTS', `A target group named "${cmd.name}" already exists.`);
  const spans = cmd.periods;
  if (spans.length === 0) throw invalid('A target group needs at least one period.');
  if (spans.length > MAX_PERIODS)
    throw invalid(`A target group can have at most ${MAX_PERIODS} periods (got ${spans.length}).`);
  for (let i = 1; i < spans.length; i++)
    if (spans[i].startMs < spans[i - 1].endMs)
      throw invalid(`periods[${i}] overlaps or precedes periods[${i - 1}]; periods must be in order.`);
  const refCodes = new Set<string>();
  const periodBase = await tx.nextIds('period', spans.length);
  const periods: PeriodDoc[] = spans.map((s, i) => {
    const refCode = s.refCode || `Cycle_${i + 1}`;
    if (refCodes.has(refCode)) throw invalid(`Duplicate period refCode "${refCode}".`);
    refCodes.add(refCode);
    return {
      id: periodBase + i,
      refCode,
      description: s.description,
      active: s.active ?? true,
      startMs: s.startMs,
      endMs: s.endMs,
    };
  });

  const rules = cmd.targets;
  if (userCreated && rules.length > 1) {
    throw new DomainError(
      'UCC_ONE_TARGET_RULE',
      `A user-created target group can have at most one target rule (got ${rules.length}).`,
    );
  }
  if (rules.length === 0) throw invalid('targets[] must hold at least one target rule.');
  if (rules.length > MAX_TARGETS)
    throw invalid(`A target group can have at most ${MAX_TARGETS} target rules (got ${rules.length}).`);
  const id = await tx.nextIds('targetGroup', 1);
  const targets: TargetDoc[] = [];
  for (const t of rules) {
    const tid = await tx.nextIds('target', 1);
    targets.push(
      await buildTarget(tx, org, t, periods, userCreated, tid, await tx.nextIds('defaultValue', periods.length)),
    );
  }
  let streaks: StreakDoc[] = [];
  if (cmd.trackingType === 'STREAKS') {
    const levels = cmd.streaks;
    if (levels.length === 0) throw invalid('streaks[] is required for trackingType STREAKS.');
    if (levels.length > MAX_STREAK_LEVELS)
      throw invalid(`A target group can have at most ${MAX_STREAK_LEVELS} streak levels (got ${levels.length}).`);
    const sBase = await tx.nextIds('streak', levels.length);
    streaks = levels.map((s, i) => {
      const n = s.targetCountOfSequence;
      if (!Number.isInteger(n) || n < 1 || n > periods.length)
        throw invalid(`streaks[${i}].targetCountOfSequence must be an integer from 1 to ${periods.length}.`);
      return { id: sBase + i, name: s.name, targetCountOfSequence: n };
    });
  }
  const doc: TargetGroupDoc = {
    id,
    name: cmd.name,
    description: cmd.description,
    active: cmd.active ?? true,
    preferredTillId: cmd.preferredTillId ?? null,
    trackingType: cmd.trackingType,
    targetEvaluationType: 'FIXED_CALENDAR_WINDOW',
    totalPeriods: periods.length,
    frequencyType: cmd.frequencyType,
    frequency: cmd.frequency,
    recurringCycles: cmd.recurringCycles,
    userCreated,
    leaderboardEnabled: false,
    timeZoneName: cmd.timeZoneName,
    periods,
    targets,
    streaks,
    createdMs: now,
    createdBy,
  };
  await tx.insertTargetGroup(org.id, doc, now);
  return doc;
}

export async function loadGroup(tx: Tx, org: OrgDoc, id: number, includeUserCreated: boolean) {
  const tg = Number.isSafeInteger(id) ? await tx.getTargetGroup(org.id, id) : undefined;
  if (!tg || (tg.userCreated && !includeUserCreated))
    throw new DomainError('TARGET_GROUP_NOT_FOUND', `Target group ${id} not found in this organisation.`);
  return tg;
}

/** Changes a group's descriptive fields; its structure cannot change after creation. */
export async function updateTargetGroup(
  tx: Tx,
  org: OrgDoc,
  id: number,
  cmd: TargetGroupUpdate,
): Promise<TargetGroupDoc> {
  const tg = await loadGroup(tx, org, id, true);
  if (tg.userCreated && cmd.userCreated === false) {
    throw new DomainError(
      'UCC_CANNOT_BECOME_DEFAULT',
      'A user-created target group can never be turned into a default target group.',
    );
  }
  if (!tg.userCreated && cmd.userCreated === true)
    throw invalid('A default target group cannot become user-created; create a new group with userCreated true.');
  if (tg.userCreated && (cmd.targetRuleCount ?? 0) > 1) {
    throw new DomainError('UCC_ONE_TARGET_RULE', 'A user-created target group can have at most one target rule.');
  }
  if (cmd.name !== undefined && cmd.name !== tg.name) {
    if (!cmd.name.trim() || cmd.name.length > 200) throw invalid('name must be 1–200 characters.');
    if (await tx.findTargetGroupByName(org.id, cmd.name))
      throw new DomainError('TARGET_GROUP_NAME_EXISTS', `A target group named "${cmd.name}" already exists.`);
  }
  const next: TargetGroupDoc = {
    ...tg,
    name: cmd.name ?? tg.name,
    description: cmd.description ?? tg.description,
    active: cmd.active ?? tg.active,
    preferredTillId: cmd.preferredTillId ?? tg.preferredTillId,
  };
  await tx.updateTargetGroup(org.id, next);
  return next;
}

/** Changes one target rule: name, description, active, expression, filters, default values. */
export async function updateTarget(
  tx: Tx,
  org: OrgDoc,
  tgId: number,
  targetId: number,
  cmd: TargetUpdate,
): Promise<TargetGroupDoc> {
  const tg = await loadGroup(tx, org, tgId, true);
  const existing = tg.targets.find((t) => t.id === targetId);
  if (!existing) throw notFoundTarget(targetId, tgId);
  for (const k of ['eventName', 'targetType', 'targetEntity', 'extendedFieldInfo'] as const) {
    const v = cmd.fixed?.[k];
    if (v !== undefined && JSON.stringify(v) !== JSON.stringify(existing[k]))
      throw invalid(
        `${k} cannot change after creation; only name, description, active, expression, expressionJson, filters and defaultValues can.`,
      );
  }
  const { fixed: _fixed, ...changes } = cmd;
  const updated = await buildTarget(tx, org, changes, tg.periods, tg.userCreated, existing.id, 0, existing);
  const next = { ...tg, targets: tg.targets.map((t) => (t.id === targetId ? updated : t)) };
  await tx.updateTargetGroup(org.id, next);
  return next;
}

/** Enrols customers from a period onward. Returns the enrolment rows. */
export async function enrol(
  tx: Tx,
  org: OrgDoc,
  tgId: number,
  targetId: number,
  items: Enrolment[],
  now: number,
): Promise<EnrolmentRow[]> {
  const tg = await loadGroup(tx, org, tgId, true);
  const target = tg.targets.find((t) => t.id === targetId);
  if (!target) throw notFoundTarget(targetId, tgId);
  const out: EnrolmentRow[] = [];
  for (const [i, item] of items.entries()) {
    const customer = Number.isSafeInteger(item.customerId) ? await tx.getCustomer(org.id, item.customerId) : undefined;
    if (!customer) throw new DomainError('CUSTOMER_UNKNOWN', `Invalid userId ${item.customerId}.`);
    let startIdx: number;
    if (item.periodName != null) {
      startIdx = tg.periods.findIndex((p) => p.refCode === item.periodName);
      if (startIdx < 0) throw new DomainError('PERIOD_NOT_FOUND', `Target period "${item.periodName}" not found.`);
    } else if (tg.trackingType === 'STREAKS') {
      const cur = periodIndexAt(tg, now);
      startIdx = cur >= 0 ? cur : now < tg.periods[0].startMs ? 0 : tg.periods.length - 1;
    } else
      throw new DomainError(
        'PERIOD_NOT_FOUND',
        'periodName (the period refCode) is required to enrol into a milestone.',
      );
    const initial = item.initialBalance;
    if (initial != null && (!Number.isFinite(initial) || initial < 0))
      throw invalid(`[${i}].initialBalance must be a non-negative number.`);
    let row = await tx.getEnrolment(targetId, customer.id);
    if (row?.active)
      throw new DomainError('ALREADY_ENROLLED', `User ${customer.id} is already enrolled for the target.`);
    if (row) {
      await tx.updateEnrolment(row.id, { active: true, startIdx, enrolledMs: now, unenrolledMs: null });
      row = { ...row, active: true, startIdx, enrolledMs: now, unenrolledMs: null };
      if (item.resetStreakStatus === true) {
        for (const c of await tx.listCompletions(row.id, { liveOnly: true }))
          if (c.kind === 'LEVEL') await tx.revokeCompletion(c.id, now);
      }
      if (initial != null) await tx.clearProgress(row.id);
    } else {
      row = await tx.insertEnrolment({
        orgId: org.id,
        tgId,
        targetId,
        customerId: customer.id,
        eventName: target.eventName,
        startIdx,
        active: true,
        enrolledMs: now,
        unenrolledMs: null,
      });
    }
    if (initial != null && initial > 0) {
      await tx.putProgress({ enrolmentId: row.id, periodIdx: startIdx, value: initial, achievedMs: null });
      await settle(tx, org, row, tg, target, startIdx, 0, now, []);
    }
    out.push(row);
  }
  return out;
}

/** Unenrols customers: they leave the current and every later period; rewards already given stay. */
export async function unenrol(tx: Tx, org: OrgDoc, tgId: number, targetId: number, items: Unenrolment[], now: number) {
  const tg = await loadGroup(tx, org, tgId, true);
  if (!tg.targets.some((t) => t.id === targetId)) throw notFoundTarget(targetId, tgId);
  const out: EnrolmentRow[] = [];
  for (const item of items) {
    const customer = Number.isSafeInteger(item.customerId) ? await tx.getCustomer(org.id, item.customerId) : undefined;
    if (!customer) throw new DomainError('CUSTOMER_UNKNOWN', `Invalid userId ${item.customerId}.`);
    const row = await tx.getEnrolment(targetId, customer.id);
    if (!row?.active) throw new DomainError('NOT_ENROLLED', `User ${customer.id} is not enrolled for the target.`);
    await tx.updateEnrolment(row.id, { active: false, unenrolledMs: now });
    out.push({ ...row, active: false, unenrolledMs: now });
  }
  return out;
}
