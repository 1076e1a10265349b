/**
 * Challenges: a challenge is a user-created STREAKS target group with one IMPORT rule, a UCC
 * promotion paying the template's reward, and the customer's enrolment — created by the
 * organisation's loyalty backend (server/loyalty/port.ts; locally the same engine functions as the
 * Capillary-compatible API) in the caller's transaction, with the widget's challenge record.
 */
import { randomUUID } from 'node:crypto';
import type { Challenge, CreateChallengeRequest, PeriodType, Template } from '../../contract/widget-api.js';
import type { Tx, ChallengeRow } from '../store/types.js';
import type { OrgDoc } from '../engine/org.js';
import { generatePeriods, startOfDay } from '../engine/time.js';
import type { ChallengeSpec, LoyaltyBackend, PreparedChallenge } from '../loyalty/port.js';
import { widgetError } from './errors.js';
import { challengeView, loadChallenge, templateOf } from './views.js';
import { storedName, type Lang } from './i18n.js';

export const rewardPoints = (tpl: Template, periods: number) =>
  Math.min(tpl.reward.pointsPerPeriod * periods, tpl.reward.maxPoints);

export function requireTemplate(org: OrgDoc, id: string): Template {
  const tpl = templateOf(org, id);
  if (!tpl)
    throw widgetError(
      404,
      'TEMPLATE_NOT_FOUND',
      `There is no activity template "${id}"; GET /ucc/v1/templates lists them.`,
    );
  return tpl;
}

export function customerZone(org: OrgDoc, tz: string | null | undefined) {
  return tz ?? org.timeZone;
}

/** Brand policy for a new challenge, checked before anything is written. */
export function checkCreate(org: OrgDoc, tpl: Template, b: CreateChallengeRequest): string {
  if (!tpl.periods.includes(b.period)) {
    throw widgetError(
      422,
      'PERIOD_NOT_ALLOWED',
      `"${tpl.label}" challenges can be ${tpl.periods.join(' or ')}, not ${b.period}.`,
      { allowed: tpl.periods },
    );
  }
  const whole = tpl.aggregation !== 'SUM';
  if (b.target < tpl.target.min || b.target > tpl.target.max || (whole && !Number.isInteger(b.target))) {
    throw widgetError(
      422,
      'TARGET_OUT_OF_RANGE',
      `Choose a target from ${tpl.target.min} to ${tpl.target.max}${whole ? ' (a whole number)' : ''} ${tpl.unit.other}.`,
      { min: tpl.target.min, max: tpl.target.max },
    );
  }
  if (b.periods < tpl.length.min || b.periods > tpl.length.max) {
    const unit = b.period === 'DAILY' ? 'days' : 'weeks';
    throw widgetError(
      422,
      'LENGTH_OUT_OF_RANGE',
      `Choose a length from ${tpl.length.min} to ${tpl.length.max} ${unit}.`,
      {
        min: tpl.length.min,
        max: tpl.length.max,
      },
    );
  }
  const name = (b.name ?? tpl.label).trim();
  if (name.length < 1 || name.length > 80)
    throw widgetError(422, 'NAME_INVALID', 'The name must be 1 to 80 characters (spaces around it are ignored).', {
      min: 1,
      max: 80,
    });
  return name;
}

const isLive = (ch: ChallengeRow, now: number) => ch.leftMs === null && now < ch.endsMs;

/**
 * Checks a create against the template and the brand's policy (in `tx`, which sees the customer's
 * challenges) and works out what the platform is to make: the challenge's spec.
 */
export async function draftChallenge(
  tx: Tx,
  org: OrgDoc,
  customerId: number,
  b: CreateChallengeRequest,
  now: number,
  lang: Lang = null,
): Promise<{ tpl: Template; spec: ChallengeSpec }> {
  if (!org.uccEnabled) throw widgetError(403, 'UCC_NOT_ENABLED', 'This brand has not enabled personal challenges.');
  const tpl = requireTemplate(org, b.templateId);
  const name = storedName(org, checkCreate(org, tpl, b), tpl.id, lang);
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
  // The promotion stays open for the backfill window after the last period, so a late log for the last day still pays.
  return {
    tpl,
    spec: {
      customerId,
      templateId: tpl.id,
      key: `ucc_${org.id}_${customerId}_${randomUUID()}`,
      name,
      eventName: tpl.eventName,
      aggregation: tpl.aggregation,
      field: tpl.aggregation === 'SUM' ? (tpl.field ?? null) : null,
      target: b.target,
      period,
      periods: spans,
      timeZone: tz,
      streakName: `${b.periods} ${period === 'DAILY' ? 'days' : 'weeks'} in a row`,
      reward: { pointsPerPeriod: tpl.reward.pointsPerPeriod, maxPoints: tpl.reward.maxPoints },
      rewardFromMs: start,
      rewardUntilMs: endMs + org.policy.backfillHours * 3_600_000,
    },
  };
}

/**
 * Creates the challenge (group, rule, promotion, enrolment, record) inside the caller's transaction;
 * answers with its template's texts in `lang`. `prepared`: the platform's objects were made already
 * (upstream mode's saga, from the spec it carries); the policy is checked again here all the same.
 */
export async function createChallenge(
  tx: Tx,
  loyalty: LoyaltyBackend,
  org: OrgDoc,
  customerId: number,
  b: CreateChallengeRequest,
  now: number,
  lang: Lang = null,
  prepared?: PreparedChallenge,
): Promise<Challenge> {
  const { tpl, spec: drafted } = await draftChallenge(tx, org, customerId, b, now, lang);
  const spec = prepared?.spec ?? drafted;
  const { refs, progress } = await loyalty.createChallenge(tx, org, spec, now, prepared);
  const planned = progress.plan.periods;
  const row = await tx.insertChallenge({
    orgId: org.id,
    customerId,
    templateId: tpl.id,
    name: spec.name,
    ...refs,
    target: b.target,
    period: b.period,
    periodCount: b.periods,
    timeZone: spec.timeZone,
    rewardPoints: rewardPoints(tpl, b.periods),
    startsMs: planned[0].startMs,
    endsMs: planned[planned.length - 1].endMs,
    createdMs: now,
    leftMs: null,
  });
  return challengeView(org, row, progress, 0, now, lang);
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
  loyalty: LoyaltyBackend,
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
  const progress = await loyalty.progressAll(tx, org, customerId, rows, now);
  const out: Challenge[] = [];
  for (let i = 0; i < rows.length; i++) {
    const view = challengeView(org, rows[i], progress[i], 0, now, lang);
    if (status !== 'all' && view.status !== status) continue;
    if (view.status === 'completed') view.reward.earned = await loyalty.earnedFor(tx, org, rows[i]);
    out.push(view);
  }
  return out;
}

/** Leaves a challenge: the enrolment ends; rewards already given stay. Leaving twice answers the same. */
export async function leaveChallenge(
  tx: Tx,
  loyalty: LoyaltyBackend,
  org: OrgDoc,
  ch: ChallengeRow,
  now: number,
  lang: Lang = null,
): Promise<Challenge> {
  if (ch.leftMs === null) {
    await loyalty.leaveChallenge(tx, org, ch, now);
    await tx.setChallengeLeft(ch.id, now);
    ch = { ...ch, leftMs: now };
  }
  return loadChallenge(tx, loyalty, org, ch, now, undefined, lang);
}
