/**
 * Challenges: a challenge is a user-created STREAKS target group with one IMPORT rule, a UCC
 * promotion paying the template's PER_PERIOD award strategy, and the customer's enrolment —
 * created through the same engine functions as the Capillary-compatible API, in one transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Challenge, CreateChallengeRequest, PeriodType, Template } from '../../contract/widget-api.js';
import type { Tx, ChallengeRow, ProgressRow } from '../store/types.js';
import type { OrgDoc } from '../engine/org.js';
import { createTargetGroup, enrol, unenrol } from '../engine/targets.js';
import { createPromotion } from '../engine/promotions.js';
import { generatePeriods, startOfDay } from '../engine/time.js';
import { widgetError } from './errors.js';
import { challengeView, loadChallenge, templateOf } from './views.js';
import { storedName, type Lang } from './i18n.js';

const RULE_TYPE = { SUM: 'EVENT_ATTRIBUTE', COUNT: 'COUNT', DISTINCT_DAYS: 'VISIT' } as const;

export const rewardPoints = (t: Template, periods: number) =>
  Math.min(t.reward.pointsPerPeriod * periods, t.reward.maxPoints);

export function requireTemplate(org: OrgDoc, id: string): Template {
  const t = templateOf(org, id);
  if (!t)
    throw widgetError(
      404,
      'TEMPLATE_NOT_FOUND',
      `There is no activity template "${id}"; GET /ucc/v1/templates lists them.`,
    );
  return t;
}

export function customerZone(org: OrgDoc, tz: string | null | undefined) {
  return tz ?? org.timeZone;
}

/** Brand policy for a new challenge, checked before anything is written. */
export function checkCreate(org: OrgDoc, t: Template, b: CreateChallengeRequest): string {
  if (!t.periods.includes(b.period)) {
    throw widgetError(
      422,
      'PERIOD_NOT_ALLOWED',
      `"${t.label}" challenges can be ${t.periods.join(' or ')}, not ${b.period}.`,
      { allowed: t.periods },
    );
  }
  const whole = t.aggregation !== 'SUM';
  if (b.target < t.target.min || b.target > t.target.max || (whole && !Number.isInteger(b.target))) {
    throw widgetError(
      422,
      'TARGET_OUT_OF_RANGE',
      `Choose a target from ${t.target.min} to ${t.target.max}${whole ? ' (a whole number)' : ''} ${t.unit.other}.`,
      { min: t.target.min, max: t.target.max },
    );
  }
  if (b.periods < t.length.min || b.periods > t.length.max) {
    const unit = b.period === 'DAILY' ? 'days' : 'weeks';
    throw widgetError(422, 'LENGTH_OUT_OF_RANGE', `Choose a length from ${t.length.min} to ${t.length.max} ${unit}.`, {
      min: t.length.min,
      max: t.length.max,
    });
  }
  const name = (b.name ?? t.label).trim();
  if (name.length < 1 || name.length > 80)
    throw widgetError(422, 'NAME_INVALID', 'The name must be 1 to 80 characters (spaces around it are ignored).', {
      min: 1,
      max: 80,
    });
  return name;
}

function awardStrategyFor(org: OrgDoc, t: Template) {
  const s = org.awardStrategies.find(
    (x) =>
      x.kind === 'PER_PERIOD' && x.pointsPerPeriod === t.reward.pointsPerPeriod && x.maxPoints === t.reward.maxPoints,
  );
  if (!s) throw new Error(`org ${org.id}: no PER_PERIOD award strategy matches template ${t.id}'s reward`);
  return s;
}

const isLive = (ch: ChallengeRow, now: number) => ch.leftMs === null && now < ch.endsMs;

/**
 * Creates the challenge (group, rule, promotion, enrolment, record) inside the caller's transaction;
 * answers with its template's texts in `lang`.
 */
export async function createChallenge(
  tx: Tx,
  org: OrgDoc,
  customerId: number,
  b: CreateChallengeRequest,
  now: number,
  lang: Lang = null,
): Promise<Challenge> {
  if (!org.uccEnabled) throw widgetError(403, 'UCC_NOT_ENABLED', 'This brand has not enabled personal challenges.');
  const t = requireTemplate(org, b.templateId);
  const name = storedName(org, checkCreate(org, t, b), t.id, lang);
  const [customer, mine] = await Promise.all([tx.getCustomer(org.id, customerId), tx.listChallenges(customerId)]);
  const max = org.policy.maxActiveChallenges;
  if (mine.filter((c) => isLive(c, now)).length >= max) {
    throw widgetError(
      409,
      'MAX_ACTIVE_CHALLENGES',
      `You already have ${max} active challenges; finish or leave one first.`,
      { max },
    );
  }
  const tz = customerZone(org, customer?.timeZone);
  const period: PeriodType = b.period;
  const start = startOfDay(now, tz);
  const spans = generatePeriods(start, tz, period, b.periods);
  const endMs = spans[spans.length - 1].endMs;
  const groupName = `ucc_${org.id}_${customerId}_${randomUUID()}`;
  const field = t.aggregation === 'SUM' ? t.field : null;
  const tg = await createTargetGroup(
    tx,
    org,
    {
      name: groupName,
      description: name,
      trackingType: 'STREAKS',
      userCreated: true,
      active: true,
      timeZoneName: tz,
      frequencyType: period,
      frequency: 1,
      recurringCycles: 0,
      periods: spans,
      targets: [
        {
          name: `${groupName}_rule`,
          eventName: t.eventName,
          targetType: RULE_TYPE[t.aggregation],
          ...(field ? { extendedFieldInfo: { name: field, aggregateFunction: 'SUM' } } : {}),
          enrolmentMethod: 'IMPORT',
          filters: [],
          defaultValues: spans.map(() => b.target),
        },
      ],
      streaks: [
        { name: `${b.periods} ${period === 'DAILY' ? 'days' : 'weeks'} in a row`, targetCountOfSequence: b.periods },
      ],
    },
    now,
    `customer:${customerId}`,
  );
  const rule = tg.targets[0];
  // The promotion stays open for the backfill window after the last period, so a late log for the last day still pays.
  const promo = await createPromotion(
    tx,
    org,
    {
      programId: org.programId,
      name: `${groupName}_promo`,
      identifier: `${groupName}_promo`,
      active: true,
      startMs: start,
      endMs: endMs + org.policy.backfillHours * 3_600_000,
      targetGroupIds: [tg.id],
      targetRuleIds: [rule.id],
      awards: [
        {
          awardStrategyId: awardStrategyFor(org, t).id,
          expiryStrategyId: org.expiryStrategies[0]?.id ?? 1,
          targetGroupId: tg.id,
          targetRuleName: rule.name,
        },
      ],
      limits: { pointsPerCustomer: -1, numberOfTimesPerCustomer: 1, totalPointsInPromotion: -1 },
    },
    now,
  );
  const [enrolment] = await enrol(tx, org, tg.id, rule.id, [{ customerId, periodName: tg.periods[0].refCode }], now);
  const row = await tx.insertChallenge({
    orgId: org.id,
    customerId,
    templateId: t.id,
    name,
    tgId: tg.id,
    targetId: rule.id,
    promotionId: promo.id,
    enrolmentId: enrolment.id,
    target: b.target,
    period,
    periodCount: b.periods,
    timeZone: tz,
    rewardPoints: rewardPoints(t, b.periods),
    startsMs: tg.periods[0].startMs,
    endsMs: tg.periods[tg.periods.length - 1].endMs,
    createdMs: now,
    leftMs: null,
  });
  return challengeView(org, row, tg, { rows: [], startIdx: enrolment.startIdx, earned: 0 }, now, lang);
}

export async function requireChallenge(tx: Tx, customerId: number, id: number | null): Promise<ChallengeRow> {
  const ch = id === null ? undefined : await tx.getChallenge(customerId, id);
  if (!ch) throw widgetError(404, 'CHALLENGE_NOT_FOUND', 'No such challenge.');
  return ch;
}

/**
 * What one list answer holds besides the running challenges (always listed; at most the policy's
 * maxActiveChallenges): the newest others, at most 50 and at most 1,500 periods in all. A customer who
 * creates and leaves challenges over and over cannot make the answer, and the work to build it, grow
 * without bound (1,000 challenges took 300 ms of CPU).
 */
export const MAX_LISTED_CHALLENGES = 50,
  MAX_LISTED_PERIODS = 1500;

/** My challenges, newest first: three reads for the whole list (plus the points of completed ones), not three per challenge. */
export async function listChallengeViews(
  tx: Tx,
  org: OrgDoc,
  customerId: number,
  status: 'active' | 'completed' | 'all',
  now: number,
  lang: Lang = null,
) {
  let room = MAX_LISTED_CHALLENGES,
    periods = MAX_LISTED_PERIODS;
  const rows = (await tx.listChallenges(customerId)).reverse().filter((ch) => {
    if (isLive(ch, now)) return true;
    if (periods < ch.periodCount) room = 0;
    if (status === 'active' || room === 0) return false;
    room--;
    periods -= ch.periodCount;
    return true;
  });
  if (rows.length === 0) return [];
  const [enrolments, progress] = await Promise.all([
    tx.listEnrolmentsForCustomer(customerId, { activeOnly: false }),
    tx.listProgressForEnrolments(rows.map((ch) => ch.enrolmentId)),
  ]);
  const startIdx = new Map(enrolments.map((e) => [e.id, e.startIdx]));
  const byEnrolment = new Map<number, ProgressRow[]>();
  for (const p of progress) {
    const list = byEnrolment.get(p.enrolmentId);
    if (list) list.push(p);
    else byEnrolment.set(p.enrolmentId, [p]);
  }
  const out: Challenge[] = [];
  for (const ch of rows) {
    const tg = await tx.getTargetGroup(org.id, ch.tgId);
    if (!tg) throw new Error(`challenge ${ch.id}: target group ${ch.tgId} is missing`);
    const view = challengeView(
      org,
      ch,
      tg,
      { rows: byEnrolment.get(ch.enrolmentId) ?? [], startIdx: startIdx.get(ch.enrolmentId) ?? 0, earned: 0 },
      now,
      lang,
    );
    if (status !== 'all' && view.status !== status) continue;
    if (view.status === 'completed') view.reward.earned = await tx.earnedByEnrolment(ch.enrolmentId);
    out.push(view);
  }
  return out;
}

/** Leaves a challenge: the enrolment ends; rewards already given stay. Leaving twice answers the same. */
export async function leaveChallenge(
  tx: Tx,
  org: OrgDoc,
  ch: ChallengeRow,
  now: number,
  lang: Lang = null,
): Promise<Challenge> {
  if (ch.leftMs === null) {
    const e = await tx.getEnrolmentById(ch.enrolmentId);
    if (e?.active) await unenrol(tx, org, ch.tgId, ch.targetId, [{ customerId: ch.customerId }], now);
    await tx.setChallengeLeft(ch.id, now);
    ch = { ...ch, leftMs: now };
  }
  return loadChallenge(tx, org, ch, now, undefined, lang);
}
