/**
 * Target groups, target rules, enrolment — created and changed through the same functions by
 * the Capillary-compatible API and by the widget API.
 */
import { ApiError, badRequest, conflict, forbidden, notFound, Codes } from '../errors.js';
import type { Tx, EnrolmentRow } from '../store/types.js';
import type { OrgDoc } from './org.js';
import type { TargetGroupDoc, TargetDoc, PeriodDoc, StreakDoc, EventDefDoc } from './model.js';
import { generatePeriods, isValidZone, parseEnd, parseInstant, supportedFrequency } from './time.js';
import { settle } from './occurrence.js';
import { periodIndexAt } from './periods.js';
import { capillaryNumber, strictNumber } from './wire.js';

type Body = Record<string, any>;
const invalid = (message: string, details?: Record<string, unknown>) =>
  badRequest(Codes.INVALID_INPUT, message, details);
const TRUE_EXPRESSION_JSON = '{"arity":"literal","value":"true","type":"boolean:primitive"}';

export const normaliseTracking = (t: unknown): string => (t === 'STREAK' ? 'STREAKS' : String(t));

/** The most periods a target group can have: checked before any period is built. */
export const MAX_PERIODS = 366;
/** The most target rules and streak levels a target group can have. */
export const MAX_TARGETS = 20,
  MAX_STREAK_LEVELS = 20;

export function requireUcc(org: OrgDoc) {
  if (!org.uccEnabled) {
    throw forbidden(
      Codes.UCC_NOT_ENABLED,
      'User-created challenges are not enabled for this organisation; ask the platform to enable UCC.',
    );
  }
}

async function buildTarget(
  tx: Tx,
  org: OrgDoc,
  t: Body,
  periods: PeriodDoc[],
  userCreated: boolean,
  id: number,
  firstDefaultId: number,
  existing?: TargetDoc,
): Promise<TargetDoc> {
  if (typeof t !== 'object' || t === null) throw invalid('Each target rule must be an object.');
  const name = t.name ?? existing?.name;
  if (typeof name !== 'string' || !name.trim()) throw invalid('targets[].name is required.');
  if (name.length > 200) throw badRequest(310008, 'Target rule name must be at most 200 characters.');
  const targetEntity = t.targetEntity ?? existing?.targetEntity ?? 'EVENT';
  if (targetEntity !== 'EVENT')
    throw badRequest(
      Codes.NOT_SUPPORTED,
      `targetEntity ${targetEntity} is not supported by this engine; use EVENT (behavioural events).`,
    );
  const eventName = t.eventName ?? existing?.eventName;
  if (typeof eventName !== 'string') throw invalid('targets[].eventName is required for EVENT targets.');
  const def: EventDefDoc | undefined = await tx.getEventDef(org.id, eventName);
  if (!def) throw invalid(`Behavioural event "${eventName}" does not exist; create it with POST /v2/events first.`);
  const targetType = t.targetType ?? existing?.targetType;
  if (!['COUNT', 'EVENT_ATTRIBUTE', 'VISIT'].includes(targetType)) {
    throw badRequest(
      Codes.NOT_SUPPORTED,
      `targetType ${targetType} is not supported for EVENT targets; use COUNT, EVENT_ATTRIBUTE or VISIT.`,
    );
  }
  let extendedFieldInfo = t.extendedFieldInfo ?? existing?.extendedFieldInfo ?? null;
  if (targetType === 'EVENT_ATTRIBUTE') {
    const field = extendedFieldInfo?.name;
    const f = def.fields.find((x) => x.name === field);
    if (!f) throw invalid(`extendedFieldInfo.name must name a field of event "${eventName}".`);
    if (f.type !== 'double')
      throw invalid(`Field "${field}" is of type ${f.type}; EVENT_ATTRIBUTE needs a double field.`);
    const fn = extendedFieldInfo.aggregateFunction ?? 'SUM';
    if (fn !== 'SUM') throw badRequest(Codes.NOT_SUPPORTED, `aggregateFunction ${fn} is not supported; use SUM.`);
    extendedFieldInfo = { name: field, aggregateFunction: 'SUM' };
  } else extendedFieldInfo = null;
  const enrolmentMethod = t.enrolmentMethod ?? existing?.enrolmentMethod ?? (userCreated ? 'IMPORT' : 'TRANSACTION');
  if (userCreated && enrolmentMethod !== 'IMPORT') {
    throw badRequest(
      Codes.UCC_ENROLMENT_METHOD,
      `The target rule of a user-created group must have enrolmentMethod IMPORT (got ${enrolmentMethod}).`,
    );
  }
  if (!['IMPORT', 'TRANSACTION'].includes(enrolmentMethod))
    throw invalid(`enrolmentMethod ${enrolmentMethod} is not valid; use IMPORT or TRANSACTION.`);
  const raw: unknown[] = t.defaultValues ?? existing?.defaultValues ?? [];
  if (!Array.isArray(raw)) throw invalid('targets[].defaultValues must be an array.');
  if (raw.length > periods.length)
    throw invalid(`defaultValues has ${raw.length} entries but the group has ${periods.length} periods.`);
  const defaultValues = periods.map((p, i) => {
    const entry = raw[i] as Body | undefined;
    let v = entry === undefined ? NaN : capillaryNumber(entry?.defaultValue);
    if (entry === undefined && userCreated && targetType === 'COUNT') v = 2; // Capillary's UCC advice
    if (Number.isNaN(v) || v <= 0)
      throw invalid(`defaultValues[${i}].defaultValue must be a positive number (one per period).`);
    return { id: existing?.defaultValues[i]?.id ?? firstDefaultId + i, periodId: p.id, defaultValue: v };
  });
  return {
    id,
    name,
    description: t.description ?? existing?.description,
    active: t.active ?? existing?.active ?? true,
    targetEntity,
    eventName,
    targetType,
    extendedFieldInfo,
    expression: String(t.expression ?? existing?.expression ?? 'true'),
    expressionJson: t.expressionJson ?? existing?.expressionJson ?? TRUE_EXPRESSION_JSON,
    filters: Array.isArray(t.filters) ? t.filters : (existing?.filters ?? []),
    enrolmentMethod,
    emfRuleSetId: existing?.emfRuleSetId ?? 9000 + id,
    targetMilestoneTriggers: existing?.targetMilestoneTriggers ?? [],
    defaultValues,
  };
}

/** POST /v3/targetGroups, and the widget API's challenge creation. */
export async function createTargetGroup(
  tx: Tx,
  org: OrgDoc,
  b: Body,
  now: number,
  createdBy: string,
): Promise<TargetGroupDoc> {
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw invalid('The body must be a target group object.');
  const userCreated = b.userCreated === true;
  if (userCreated) requireUcc(org);
  if (typeof b.name !== 'string' || !b.name.trim()) throw invalid('name is required.');
  if (b.name.length > 200) throw invalid('name must be at most 200 characters.');
  if (await tx.findTargetGroupByName(org.id, b.name))
    throw conflict(Codes.NAME_EXISTS, `A target group named "${b.name}" already exists.`);
  const trackingType = normaliseTracking(b.trackingType ?? 'DEFAULT');
  if (!['DEFAULT', 'STREAKS'].includes(trackingType))
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

  // Periods: explicit, or generated from the cycle start, frequency and totalPeriods.
  let spans: { startMs: number; endMs: number; refCode?: string; description?: string; active?: boolean }[];
  if (Array.isArray(b.periods) && b.periods.length > 0) {
    if (b.periods.length > MAX_PERIODS)
      throw invalid(`A target group can have at most ${MAX_PERIODS} periods (periods[] has ${b.periods.length}).`);
    spans = b.periods.map((p: Body, i: number) => {
      const startMs = parseInstant(p?.startDate, tz);
      const endMs = parseEnd(p?.endDate, tz);
      if (Number.isNaN(startMs) || Number.isNaN(endMs))
        throw invalid(`periods[${i}] needs startDate and endDate as ISO dates.`);
      if (endMs <= startMs) throw invalid(`periods[${i}] ends before it starts.`);
      return { startMs, endMs, refCode: p.refCode, description: p.description, active: p.active };
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
    spans = generatePeriods(start, tz, frequencyType, total);
  }
  for (let i = 1; i < spans.length; i++)
    if (spans[i].startMs < spans[i - 1].endMs)
      throw invalid(`periods[${i}] overlaps or precedes periods[${i - 1}]; periods must be in order.`);
  const refCodes = new Set<string>();
  const periodBase = await tx.nextIds('period', spans.length);
  const periods: PeriodDoc[] = spans.map((s, i) => {
    const refCode = typeof s.refCode === 'string' && s.refCode ? s.refCode : `Cycle_${i + 1}`;
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

  const rawTargets: Body[] = Array.isArray(b.targets) ? b.targets : [];
  if (userCreated && rawTargets.length > 1) {
    throw badRequest(
      Codes.UCC_ONE_TARGET_RULE,
      `A user-created target group can have at most one target rule (got ${rawTargets.length}).`,
    );
  }
  if (rawTargets.length === 0) throw invalid('targets[] must hold at least one target rule.');
  if (rawTargets.length > MAX_TARGETS)
    throw invalid(`A target group can have at most ${MAX_TARGETS} target rules (got ${rawTargets.length}).`);
  const id = await tx.nextIds('targetGroup', 1);
  const targets: TargetDoc[] = [];
  for (const t of rawTargets) {
    const tid = await tx.nextIds('target', 1);
    targets.push(
      await buildTarget(tx, org, t, periods, userCreated, tid, await tx.nextIds('defaultValue', periods.length)),
    );
  }
  let streaks: StreakDoc[] = [];
  if (trackingType === 'STREAKS') {
    if (!Array.isArray(b.streaks) || b.streaks.length === 0)
      throw invalid('streaks[] is required for trackingType STREAKS.');
    if (b.streaks.length > MAX_STREAK_LEVELS)
      throw invalid(`A target group can have at most ${MAX_STREAK_LEVELS} streak levels (got ${b.streaks.length}).`);
    const sBase = await tx.nextIds('streak', b.streaks.length);
    streaks = b.streaks.map((s: Body, i: number) => {
      const n = strictNumber(s?.targetCountOfSequence);
      if (typeof s?.name !== 'string' || !s.name) throw invalid(`streaks[${i}].name is required.`);
      if (!Number.isInteger(n) || n < 1 || n > periods.length)
        throw invalid(`streaks[${i}].targetCountOfSequence must be an integer from 1 to ${periods.length}.`);
      return { id: sBase + i, name: s.name, targetCountOfSequence: n };
    });
  }
  const doc: TargetGroupDoc = {
    id,
    name: b.name,
    description: b.description,
    active: b.active ?? true,
    preferredTillId: b.preferredTillId ?? null,
    trackingType: trackingType as TargetGroupDoc['trackingType'],
    targetEvaluationType: 'FIXED_CALENDAR_WINDOW',
    totalPeriods: periods.length,
    frequencyType,
    frequency: strictNumber(b.frequency) || 1,
    recurringCycles: Number.isInteger(b.recurringCycles) ? b.recurringCycles : -1,
    userCreated,
    leaderboardEnabled: false,
    timeZoneName: tz,
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
    throw notFound(Codes.TARGET_GROUP_NOT_FOUND, `Target group ${id} not found in this organisation.`);
  return tg;
}

/** PUT /v3/targetGroups/{id}: descriptive fields only; structure cannot change after creation. */
export async function updateTargetGroup(tx: Tx, org: OrgDoc, id: number, b: Body): Promise<TargetGroupDoc> {
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw invalid('The body must be a target group object.');
  const tg = await loadGroup(tx, org, id, true);
  if (tg.userCreated && b.userCreated === false) {
    throw forbidden(
      Codes.UCC_CANNOT_BECOME_DEFAULT,
      'A user-created target group can never be turned into a default target group.',
    );
  }
  if (!tg.userCreated && b.userCreated === true)
    throw invalid('A default target group cannot become user-created; create a new group with userCreated true.');
  if (tg.userCreated && Array.isArray(b.targets) && b.targets.length > 1) {
    throw badRequest(Codes.UCC_ONE_TARGET_RULE, 'A user-created target group can have at most one target rule.');
  }
  if (b.name !== undefined && b.name !== tg.name) {
    if (typeof b.name !== 'string' || !b.name.trim() || b.name.length > 200)
      throw invalid('name must be 1–200 characters.');
    if (await tx.findTargetGroupByName(org.id, b.name))
      throw conflict(Codes.NAME_EXISTS, `A target group named "${b.name}" already exists.`);
  }
  const next: TargetGroupDoc = {
    ...tg,
    name: b.name ?? tg.name,
    description: b.description ?? tg.description,
    active: typeof b.active === 'boolean' ? b.active : tg.active,
    preferredTillId: b.preferredTillId ?? tg.preferredTillId,
  };
  await tx.updateTargetGroup(org.id, next);
  return next;
}

/** PUT /v3/targetGroups/{id}/targets/{targetId}: expression, filters, default values, name, active. */
export async function updateTarget(
  tx: Tx,
  org: OrgDoc,
  tgId: number,
  targetId: number,
  b: Body,
): Promise<TargetGroupDoc> {
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw invalid('The body must be a target rule object.');
  const tg = await loadGroup(tx, org, tgId, true);
  const existing = tg.targets.find((t) => t.id === targetId);
  if (!existing) throw notFound(Codes.TARGET_NOT_FOUND, `Target ${targetId} not found in target group ${tgId}.`);
  for (const k of ['eventName', 'targetType', 'targetEntity', 'extendedFieldInfo'] as const) {
    if (b[k] !== undefined && JSON.stringify(b[k]) !== JSON.stringify(existing[k]))
      throw invalid(
        `${k} cannot change after creation; only name, description, active, expression, expressionJson, filters and defaultValues can.`,
      );
  }
  const updated = await buildTarget(tx, org, b, tg.periods, tg.userCreated, existing.id, 0, existing);
  const next = { ...tg, targets: tg.targets.map((t) => (t.id === targetId ? updated : t)) };
  await tx.updateTargetGroup(org.id, next);
  return next;
}

export interface EnrolItem {
  customerId: number;
  periodName?: string | null;
  initialBalance?: number | null;
  resetStreakStatus?: boolean;
}

/** Enrols customers from a period onward. Returns the enrolment rows. */
export async function enrol(
  tx: Tx,
  org: OrgDoc,
  tgId: number,
  targetId: number,
  items: EnrolItem[],
  now: number,
): Promise<EnrolmentRow[]> {
  const tg = await loadGroup(tx, org, tgId, true);
  const target = tg.targets.find((t) => t.id === targetId);
  if (!target) throw notFound(Codes.TARGET_NOT_FOUND, `Target ${targetId} not found in target group ${tgId}.`);
  if (!Array.isArray(items) || items.length === 0)
    throw invalid('The body must be a non-empty JSON array of {customerId, periodName}.');
  const out: EnrolmentRow[] = [];
  for (const [i, item] of items.entries()) {
    if (typeof item !== 'object' || item === null) throw invalid(`[${i}] must be an object.`);
    const customer = Number.isSafeInteger(item.customerId) ? await tx.getCustomer(org.id, item.customerId) : undefined;
    if (!customer) throw badRequest(Codes.INVALID_USER, `Invalid userId ${item.customerId}.`);
    let startIdx: number;
    if (item.periodName != null) {
      startIdx = tg.periods.findIndex((p) => p.refCode === item.periodName);
      if (startIdx < 0) throw badRequest(Codes.PERIOD_NOT_FOUND, `Target period "${item.periodName}" not found.`);
    } else if (tg.trackingType === 'STREAKS') {
      const cur = periodIndexAt(tg, now);
      startIdx = cur >= 0 ? cur : now < tg.periods[0].startMs ? 0 : tg.periods.length - 1;
    } else
      throw badRequest(
        Codes.PERIOD_NOT_FOUND,
        'periodName (the period refCode) is required to enrol into a milestone.',
      );
    const initial = item.initialBalance;
    if (initial != null && (typeof initial !== 'number' || !Number.isFinite(initial) || initial < 0))
      throw invalid(`[${i}].initialBalance must be a non-negative number.`);
    let row = await tx.getEnrolment(targetId, customer.id);
    if (row?.active) throw conflict(Codes.ALREADY_ENROLLED, `User ${customer.id} is already enrolled for the target.`);
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
export async function unenrol(
  tx: Tx,
  org: OrgDoc,
  tgId: number,
  targetId: number,
  items: { customerId: number }[],
  now: number,
) {
  const tg = await loadGroup(tx, org, tgId, true);
  if (!tg.targets.some((t) => t.id === targetId))
    throw notFound(Codes.TARGET_NOT_FOUND, `Target ${targetId} not found in target group ${tgId}.`);
  if (!Array.isArray(items) || items.length === 0)
    throw invalid('The body must be a non-empty JSON array of {customerId}.');
  const out: EnrolmentRow[] = [];
  for (const item of items) {
    const customer = Number.isSafeInteger(item?.customerId) ? await tx.getCustomer(org.id, item.customerId) : undefined;
    if (!customer) throw badRequest(Codes.INVALID_USER, `Invalid userId ${item?.customerId}.`);
    const row = await tx.getEnrolment(targetId, customer.id);
    if (!row?.active)
      throw new ApiError(409, Codes.NOT_ENROLLED, `User ${customer.id} is not enrolled for the target.`);
    await tx.updateEnrolment(row.id, { active: false, unenrolledMs: now });
    out.push({ ...row, active: false, unenrolledMs: now });
  }
  return out;
}
