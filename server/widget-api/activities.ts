/**
 * Activities: a log is one behavioural event occurrence, posted through the organisation's loyalty
 * backend (server/loyalty/port.ts), which applies it to every active enrolment of the customer on
 * that event; the answer carries each touched challenge's progress and any reward, so the widget
 * needs no second request.
 */
import type {
  Challenge,
  LogActivityRequest,
  LogActivityResponse,
  Reward,
  Template,
  UndoActivityResponse,
} from '../../contract/widget-api.js';
import type { Tx, ChallengeRow, ActivityRow } from '../store/types.js';
import { minQuantity, type OrgDoc } from '../engine/org.js';
import { startOfDay } from '../engine/time.js';
import type { LoyaltyBackend, PointsMove, Posting, ProgressHint } from '../loyalty/port.js';
import { DateTime } from 'luxon';
import { widgetError } from './errors.js';
import { customerZone, requireChallenge, requireTemplate } from './challenges.js';
import { activityView, loadChallenge, parseId, periodAt, rewardReason, templateOf } from './views.js';
import type { Lang } from './i18n.js';

export const FUTURE_SKEW_MS = 60_000;

/**
 * The window the per-period quantity cap counts in: the named challenge's period containing the
 * log; otherwise the customer's local day (DAILY templates) or local ISO week (WEEKLY-only templates).
 */
async function capWindow(
  tx: Tx,
  loyalty: LoyaltyBackend,
  org: OrgDoc,
  tpl: Template,
  ch: ChallengeRow | undefined,
  tz: string,
  at: number,
): Promise<[number, number]> {
  if (ch) {
    const plan = await loyalty.plan(tx, org, ch);
    const i = plan ? periodAt(plan.periods, at) : -1;
    if (plan && i >= 0) return [plan.periods[i].startMs, plan.periods[i].endMs];
  }
  if (tpl.periods[0] === 'WEEKLY') {
    const w = DateTime.fromMillis(at, { zone: tz }).startOf('week');
    return [w.toMillis(), w.plus({ weeks: 1 }).toMillis()];
  }
  const d = startOfDay(at, tz);
  return [d, DateTime.fromMillis(d, { zone: tz }).plus({ days: 1 }).toMillis()];
}

/** Maps the backend's point moves to rewards (or reversals), via the challenges already loaded for this answer. */
function toRewards(moves: PointsMove[], byEnrolment: Map<number, ChallengeRow>, reversal = false): Reward[] {
  const out: Reward[] = [];
  for (const m of moves) {
    const ch = byEnrolment.get(m.enrolmentId);
    if (ch)
      out.push({
        challengeId: String(ch.id),
        ledgerEntryId: String(m.ledgerId),
        points: m.points,
        reason: rewardReason(ch.name, reversal),
      });
  }
  return out;
}

/** Loads the widget challenges behind touched enrolments (enrolments of Capillary-API groups have none). */
async function touchedChallenges(
  tx: Tx,
  loyalty: LoyaltyBackend,
  org: OrgDoc,
  touched: number[],
  known: ChallengeRow | undefined,
  now: number,
  hint: ProgressHint | undefined,
  lang: Lang,
) {
  const byEnrolment = new Map<number, ChallengeRow>();
  const views: Challenge[] = [];
  for (const eid of new Set(touched)) {
    const ch = known?.enrolmentId === eid ? known : await tx.getChallengeByEnrolment(eid);
    if (!ch || ch.orgId !== org.id) continue;
    byEnrolment.set(eid, ch);
    views.push(await loadChallenge(tx, loyalty, org, ch, now, hint?.get(eid), lang));
  }
  return { byEnrolment, views };
}

export async function logActivity(
  tx: Tx,
  loyalty: LoyaltyBackend,
  org: OrgDoc,
  customerId: number,
  b: LogActivityRequest,
  key: string,
  now: number,
  lang: Lang = null,
): Promise<LogActivityResponse> {
  return (await recordLog(tx, loyalty, org, customerId, b, key, now, null, lang)).response;
}

/** The external event id a widget log is recorded under: per customer and Idempotency-Key. */
export const logEventId = (customerId: number, key: string) => `w:${customerId}:${key}`;

/**
 * Policy checks, the occurrence, the activity record, and the answer (its challenges' template texts in
 * `lang`); also returns the posting the answer is stored under. The caller has looked the log's
 * external id up (`loyalty.findPosting`) in this transaction.
 */
export async function recordLog(
  tx: Tx,
  loyalty: LoyaltyBackend,
  org: OrgDoc,
  customerId: number,
  b: LogActivityRequest,
  key: string,
  now: number,
  request: string | null = null,
  lang: Lang = null,
): Promise<{ response: LogActivityResponse; posting: Posting }> {
  let ch: ChallengeRow | undefined;
  let tpl: Template;
  if (b.challengeId !== undefined) {
    ch = await requireChallenge(tx, customerId, parseId(b.challengeId));
    tpl = requireTemplate(org, ch.templateId);
    if (b.templateId !== undefined && b.templateId !== tpl.id)
      throw widgetError(
        400,
        'VALIDATION_FAILED',
        "templateId does not match the challenge's template; send one or the other.",
      );
  } else if (b.templateId !== undefined) {
    tpl = requireTemplate(org, b.templateId);
  } else throw widgetError(400, 'VALIDATION_FAILED', 'Send challengeId or templateId.', { field: 'body' });

  const occurredMs = b.occurredAt === undefined ? now : Date.parse(b.occurredAt);
  if (Number.isNaN(occurredMs))
    throw widgetError(400, 'VALIDATION_FAILED', 'occurredAt must be an ISO date-time.', { field: 'body.occurredAt' });
  if (occurredMs > now + FUTURE_SKEW_MS) throw widgetError(422, 'OCCURRED_IN_FUTURE', 'occurredAt is in the future.');
  const backfillMs = org.policy.backfillHours * 3_600_000;
  if (occurredMs < now - backfillMs) {
    throw widgetError(
      422,
      'OUTSIDE_BACKFILL_WINDOW',
      `Activities can be logged at most ${org.policy.backfillHours} hours after they happened.`,
      { backfillHours: org.policy.backfillHours },
    );
  }
  if (ch && (ch.leftMs !== null || occurredMs < ch.startsMs || occurredMs >= ch.endsMs)) {
    throw widgetError(
      409,
      'CHALLENGE_NOT_ACTIVE',
      ch.leftMs !== null ? 'You left this challenge.' : 'This challenge is not running at that time.',
    );
  }
  const min = minQuantity(tpl),
    whole = tpl.aggregation !== 'SUM';
  if (b.quantity < min || (whole && !Number.isInteger(b.quantity))) {
    throw widgetError(
      400,
      'VALIDATION_FAILED',
      `quantity must be ${whole ? 'a whole number of' : 'at least'} ${whole ? tpl.unit.other : `${min} ${tpl.unit.other}`}${whole ? `, at least ${min}` : ''}.`,
      { field: 'body.quantity', min, whole },
    );
  }
  if (b.quantity > tpl.maxQuantityPerLog) {
    throw widgetError(
      422,
      'QUANTITY_TOO_LARGE',
      `One log can hold at most ${tpl.maxQuantityPerLog} ${tpl.unit.other}.`,
      {
        max: tpl.maxQuantityPerLog,
      },
    );
  }
  const customer = ch ? undefined : await tx.getCustomer(org.id, customerId);
  const tz = ch ? ch.timeZone : customerZone(org, customer?.timeZone);
  const [from, to] = await capWindow(tx, loyalty, org, tpl, ch, tz, occurredMs);
  const sofar = await tx.sumActivityQuantity(customerId, tpl.id, from, to);
  if (sofar + b.quantity > tpl.maxQuantityPerPeriod) {
    throw widgetError(
      422,
      'PERIOD_QUANTITY_EXCEEDED',
      `At most ${tpl.maxQuantityPerPeriod} ${tpl.unit.other} can be logged per period; ${Math.max(0, tpl.maxQuantityPerPeriod - sofar)} more allowed.`,
      { max: tpl.maxQuantityPerPeriod, remaining: Math.max(0, tpl.maxQuantityPerPeriod - sofar) },
    );
  }

  const posted = await loyalty.postOccurrence(
    tx,
    org,
    {
      customerId,
      eventName: tpl.eventName,
      field: tpl.field,
      quantity: b.quantity,
      occurredMs,
      externalId: logEventId(customerId, key),
    },
    now,
  );
  const row = await tx.insertActivity({
    orgId: org.id,
    customerId,
    challengeId: ch?.id ?? null,
    templateId: tpl.id,
    eventId: posted.posting.id,
    quantity: b.quantity,
    occurredMs,
    createdMs: now,
    request,
  });
  const { byEnrolment, views } = await touchedChallenges(tx, loyalty, org, posted.touched, ch, now, posted.hint, lang);
  return {
    response: {
      activity: activityView(row, tpl.eventName),
      challenges: views,
      rewards: toRewards(posted.rewards, byEnrolment),
      ...(posted.counted === 'pending' ? { pending: true } : {}),
    },
    posting: posted.posting,
  };
}

/** The fingerprint of a log request that an Idempotency-Key is bound to (kept on the activity row). */
export const logRequestFingerprint = (b: LogActivityRequest) =>
  JSON.stringify([b.challengeId ?? null, b.templateId ?? null, b.quantity, b.occurredAt ?? null]);

const keyReused = () =>
  widgetError(
    422,
    'IDEMPOTENCY_KEY_REUSED',
    'This Idempotency-Key was already used for a different request; use a new key.',
  );

/**
 * A log's answer rebuilt from the rows when its bytes are no longer in memory (after a restart or an
 * eviction): the activity as it is now, the current progress of the challenges its event touched, and the
 * rewards its completions earned (completions and EARN entries written at the log's own instant).
 * Refuses a request whose fingerprint differs from the one the log was recorded with.
 */
export async function replayLog(
  tx: Tx,
  loyalty: LoyaltyBackend,
  org: OrgDoc,
  posting: Posting,
  request: string,
  now: number,
  lang: Lang = null,
): Promise<LogActivityResponse> {
  const a = await tx.getActivityByEvent(posting.id);
  if (!a || a.request !== request) throw keyReused();
  const { touched } = await loyalty.inspectPosting(tx, org, posting, now, false);
  const { byEnrolment, views } = await touchedChallenges(tx, loyalty, org, touched, undefined, now, undefined, lang);
  const earned = await loyalty.rewardsOf(tx, org, posting, [...byEnrolment.keys()]);
  return {
    activity: activityView(a, templateOf(org, a.templateId)?.eventName ?? posting.eventName),
    challenges: views,
    rewards: toRewards(earned, byEnrolment),
  };
}

/**
 * A sent answer as replayed: status, the exact bytes, and the request fingerprint they answer. The
 * bytes are a Buffer (encoded once, sent as is): held outside the JS heap, thousands of recent
 * answers cost the garbage collector nothing to keep.
 */
export interface SentLog {
  status: number;
  body: Buffer;
  request: string;
}

/**
 * The last `capacity` log answers of this process, byte for byte, least recently used first out; a widget
 * retries a log within seconds, so a replay almost always finds its answer here. Keyed by the event the log
 * recorded (id, creation instant and external id), and only consulted after that event was found in the
 * database, so an answer whose transaction rolled back can never be replayed.
 */
export class LogAnswerCache {
  private map = new Map<string, SentLog>();
  constructor(readonly capacity = 4096) {}
  /** An answer is per language too: a replay in another language is rebuilt in that language (replayLog). */
  static key(e: Pick<Posting, 'id' | 'createdMs' | 'externalEventId'>, lang: Lang = null) {
    return `${e.id}:${e.createdMs}:${lang ?? ''}:${e.externalEventId}`;
  }
  get(key: string) {
    const hit = this.map.get(key);
    if (hit) {
      this.map.delete(key);
      this.map.set(key, hit);
    }
    return hit;
  }
  set(key: string, sent: SentLog) {
    this.map.delete(key);
    this.map.set(key, sent);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
  }
  clear() {
    this.map.clear();
  }
  get size() {
    return this.map.size;
  }
}

/** Checks a cached answer against the replayed request: the same key with another body is refused. */
export function replayCached(sent: SentLog, request: string): SentLog {
  if (sent.request !== request) throw keyReused();
  return sent;
}

export async function requireActivity(tx: Tx, customerId: number, id: number | null): Promise<ActivityRow> {
  const a = id === null ? undefined : await tx.getActivity(customerId, id);
  if (!a) throw widgetError(404, 'ACTIVITY_NOT_FOUND', 'No such activity.');
  return a;
}

/** Undo: only while every period the log counted in is still open; rewards it caused are reversed in the ledger. */
export async function undoActivity(
  tx: Tx,
  loyalty: LoyaltyBackend,
  org: OrgDoc,
  a: ActivityRow,
  now: number,
  lang: Lang = null,
): Promise<UndoActivityResponse> {
  const eventName = templateOf(org, a.templateId)?.eventName ?? '';
  const posting = await loyalty.getPosting(tx, org, a.eventId);
  if (!posting) throw new Error(`activity ${a.id}: event ${a.eventId} is missing`);
  const state = await loyalty.inspectPosting(tx, org, posting, now, a.undoneMs === null);
  if (a.undoneMs === null) {
    if (state.blocked === 'PERIOD_CLOSED')
      throw widgetError(409, 'PERIOD_CLOSED', 'That period has closed; only logs of an open period can be undone.');
    if (state.blocked === 'UNDO_WINDOW_PASSED')
      throw widgetError(
        409,
        'UNDO_WINDOW_PASSED',
        'That activity was already sent to the loyalty programme, which cannot take it back; log a correction instead.',
      );
    if (state.touched.length === 0) {
      const customer = await tx.getCustomer(org.id, a.customerId);
      const tz = customerZone(org, customer?.timeZone);
      if (startOfDay(a.occurredMs, tz) !== startOfDay(now, tz))
        throw widgetError(409, 'PERIOD_CLOSED', 'Only logs of today can be undone.');
    }
  }
  const outcome =
    a.undoneMs === null
      ? await loyalty.voidOccurrence(tx, org, posting, now)
      : { reversals: [], touched: state.touched, hint: undefined };
  if ('blocked' in outcome && outcome.blocked === 'UNDO_WINDOW_PASSED')
    throw widgetError(
      409,
      'UNDO_WINDOW_PASSED',
      'That activity was already sent to the loyalty programme, which cannot take it back; log a correction instead.',
    );
  if (a.undoneMs === null) {
    await tx.setActivityUndone(a.id, now);
    a = { ...a, undoneMs: now };
  }
  const { byEnrolment, views } = await touchedChallenges(
    tx,
    loyalty,
    org,
    outcome.touched,
    undefined,
    now,
    outcome.hint,
    lang,
  );
  return {
    activity: activityView(a, eventName),
    challenges: views,
    reversals: toRewards(outcome.reversals, byEnrolment, true),
  };
}
