/**
 * Activities: a log is one behavioural event occurrence. The engine applies it to every active
 * enrolment of the customer on that event; the answer carries each touched challenge's progress
 * and any reward, so the widget needs no second request.
 */
import type {
  Challenge,
  LogActivityRequest,
  LogActivityResponse,
  Reward,
  Template,
  UndoActivityResponse,
} from '../../contract/widget-api.js';
import type { Tx, ChallengeRow, ActivityRow, EventRow, ProgressRow } from '../store/types.js';
import { minQuantity, type OrgDoc } from '../engine/org.js';
import type { PointsMove } from '../engine/occurrence.js';
import { recordOccurrence, voidOccurrence } from '../engine/occurrence.js';
import { periodIndexAt } from '../engine/periods.js';
import { startOfDay } from '../engine/time.js';
import { DateTime } from 'luxon';
import { widgetError } from './errors.js';
import { customerZone, requireChallenge, requireTemplate } from './challenges.js';
import { activityView, loadChallenge, parseId, rewardReason, templateOf } from './views.js';
import type { Lang } from './i18n.js';

export const FUTURE_SKEW_MS = 60_000;

/**
 * The window the per-period quantity cap counts in: the named challenge's period containing the
 * log; otherwise the customer's local day (DAILY templates) or local ISO week (WEEKLY-only templates).
 */
async function capWindow(
  tx: Tx,
  org: OrgDoc,
  t: Template,
  ch: ChallengeRow | undefined,
  tz: string,
  at: number,
): Promise<[number, number]> {
  if (ch) {
    const tg = await tx.getTargetGroup(org.id, ch.tgId);
    const i = tg ? periodIndexAt(tg, at) : -1;
    if (tg && i >= 0) return [tg.periods[i].startMs, tg.periods[i].endMs];
  }
  if (t.periods[0] === 'WEEKLY') {
    const w = DateTime.fromMillis(at, { zone: tz }).startOf('week');
    return [w.toMillis(), w.plus({ weeks: 1 }).toMillis()];
  }
  const d = startOfDay(at, tz);
  return [d, DateTime.fromMillis(d, { zone: tz }).plus({ days: 1 }).toMillis()];
}

/** Maps engine point moves to rewards, via the challenges already loaded for this answer. */
function toRewards(moves: PointsMove[], byEnrolment: Map<number, ChallengeRow>): Reward[] {
  const out: Reward[] = [];
  for (const m of moves) {
    const ch = byEnrolment.get(m.enrolmentId);
    if (ch)
      out.push({
        challengeId: String(ch.id),
        ledgerEntryId: String(m.ledgerId),
        points: m.points,
        reason: rewardReason(ch.name),
      });
  }
  return out;
}

/** Loads the widget challenges behind touched enrolments (enrolments of Capillary-API groups have none). */
async function touchedChallenges(
  tx: Tx,
  org: OrgDoc,
  touched: number[],
  known: ChallengeRow | undefined,
  now: number,
  progress: Map<number, ProgressRow[]> | undefined,
  lang: Lang,
) {
  const byEnrolment = new Map<number, ChallengeRow>();
  const views: Challenge[] = [];
  for (const eid of new Set(touched)) {
    const ch = known?.enrolmentId === eid ? known : await tx.getChallengeByEnrolment(eid);
    if (!ch || ch.orgId !== org.id) continue;
    byEnrolment.set(eid, ch);
    views.push(await loadChallenge(tx, org, ch, now, progress?.get(eid), lang));
  }
  return { byEnrolment, views };
}

export async function logActivity(
  tx: Tx,
  org: OrgDoc,
  customerId: number,
  b: LogActivityRequest,
  key: string,
  now: number,
  lang: Lang = null,
): Promise<LogActivityResponse> {
  return (await recordLog(tx, org, customerId, b, key, now, null, lang)).response;
}

/** The external event id a widget log is recorded under: per customer and Idempotency-Key. */
export const logEventId = (customerId: number, key: string) => `w:${customerId}:${key}`;

/**
 * Policy checks, the occurrence, the activity record, and the answer (its challenges' template texts in
 * `lang`); also returns the event id the answer is stored under.
 */
export async function recordLog(
  tx: Tx,
  org: OrgDoc,
  customerId: number,
  b: LogActivityRequest,
  key: string,
  now: number,
  request: string | null = null,
  lang: Lang = null,
): Promise<{ response: LogActivityResponse; eventId: number }> {
  let ch: ChallengeRow | undefined;
  let t: Template;
  if (b.challengeId !== undefined) {
    ch = await requireChallenge(tx, customerId, parseId(b.challengeId));
    t = requireTemplate(org, ch.templateId);
    if (b.templateId !== undefined && b.templateId !== t.id)
      throw widgetError(
        400,
        'VALIDATION_FAILED',
        "templateId does not match the challenge's template; send one or the other.",
      );
  } else if (b.templateId !== undefined) {
    t = requireTemplate(org, b.templateId);
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
  const min = minQuantity(t),
    whole = t.aggregation !== 'SUM';
  if (b.quantity < min || (whole && !Number.isInteger(b.quantity))) {
    throw widgetError(
      400,
      'VALIDATION_FAILED',
      `quantity must be ${whole ? 'a whole number of' : 'at least'} ${whole ? t.unit.other : `${min} ${t.unit.other}`}${whole ? `, at least ${min}` : ''}.`,
      { field: 'body.quantity', min, whole },
    );
  }
  if (b.quantity > t.maxQuantityPerLog) {
    throw widgetError(422, 'QUANTITY_TOO_LARGE', `One log can hold at most ${t.maxQuantityPerLog} ${t.unit.other}.`, {
      max: t.maxQuantityPerLog,
    });
  }
  const customer = ch ? undefined : await tx.getCustomer(org.id, customerId);
  const tz = ch ? ch.timeZone : customerZone(org, customer?.timeZone);
  const [from, to] = await capWindow(tx, org, t, ch, tz, occurredMs);
  const sofar = await tx.sumActivityQuantity(customerId, t.id, from, to);
  if (sofar + b.quantity > t.maxQuantityPerPeriod) {
    throw widgetError(
      422,
      'PERIOD_QUANTITY_EXCEEDED',
      `At most ${t.maxQuantityPerPeriod} ${t.unit.other} can be logged per period; ${Math.max(0, t.maxQuantityPerPeriod - sofar)} more allowed.`,
      { max: t.maxQuantityPerPeriod, remaining: Math.max(0, t.maxQuantityPerPeriod - sofar) },
    );
  }

  const { event, outcome } = await recordOccurrence(
    tx,
    org,
    {
      eventName: t.eventName,
      customerId,
      externalEventId: logEventId(customerId, key),
      occurredMs,
      fields: t.field ? { [t.field]: b.quantity } : {},
    },
    now,
    { externalIdChecked: true },
  ); // the route looked the key up in this transaction
  const row = await tx.insertActivity({
    orgId: org.id,
    customerId,
    challengeId: ch?.id ?? null,
    templateId: t.id,
    eventId: event.id,
    quantity: b.quantity,
    occurredMs,
    createdMs: now,
    request,
  });
  const { byEnrolment, views } = await touchedChallenges(tx, org, outcome.touched, ch, now, outcome.progress, lang);
  return {
    response: {
      activity: activityView(row, t.eventName),
      challenges: views,
      rewards: toRewards(outcome.awards, byEnrolment),
    },
    eventId: event.id,
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
  org: OrgDoc,
  event: EventRow,
  request: string,
  now: number,
  lang: Lang = null,
): Promise<LogActivityResponse> {
  const a = await tx.getActivityByEvent(event.id);
  if (!a || a.request !== request) throw keyReused();
  const effects = await tx.listEffects(event.id);
  const { byEnrolment, views } = await touchedChallenges(
    tx,
    org,
    effects.map((f) => f.enrolmentId),
    undefined,
    now,
    undefined,
    lang,
  );
  const rewards: Reward[] = [];
  for (const [eid, ch] of byEnrolment) {
    for (const c of await tx.listCompletions(eid, { liveOnly: false })) {
      if (c.achievedMs !== event.createdMs) continue;
      for (const l of await tx.listLedgerForCompletion(c.id)) {
        if (l.type === 'EARN' && l.createdMs === event.createdMs) {
          rewards.push({
            challengeId: String(ch.id),
            ledgerEntryId: String(l.id),
            points: l.points,
            reason: rewardReason(ch.name),
          });
        }
      }
    }
  }
  return {
    activity: activityView(a, templateOf(org, a.templateId)?.eventName ?? event.eventName),
    challenges: views,
    rewards,
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
  static key(e: Pick<EventRow, 'id' | 'createdMs' | 'externalEventId'>, lang: Lang = null) {
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
  org: OrgDoc,
  a: ActivityRow,
  now: number,
  lang: Lang = null,
): Promise<UndoActivityResponse> {
  const eventName = templateOf(org, a.templateId)?.eventName ?? '';
  const event = await tx.getEvent(org.id, a.eventId);
  if (!event) throw new Error(`activity ${a.id}: event ${a.eventId} is missing`);
  const effects = await tx.listEffects(event.id);
  if (a.undoneMs === null) {
    for (const fx of effects) {
      const e = await tx.getEnrolmentById(fx.enrolmentId);
      const tg = e && (await tx.getTargetGroup(org.id, e.tgId));
      if (tg && now >= tg.periods[fx.periodIdx].endMs)
        throw widgetError(409, 'PERIOD_CLOSED', 'That period has closed; only logs of an open period can be undone.');
    }
    if (effects.length === 0) {
      const customer = await tx.getCustomer(org.id, a.customerId);
      const tz = customerZone(org, customer?.timeZone);
      if (startOfDay(a.occurredMs, tz) !== startOfDay(now, tz))
        throw widgetError(409, 'PERIOD_CLOSED', 'Only logs of today can be undone.');
    }
  }
  const outcome =
    a.undoneMs === null
      ? await voidOccurrence(tx, org, event, now)
      : { awards: [], reversals: [], touched: effects.map((f) => f.enrolmentId), progress: undefined };
  if (a.undoneMs === null) {
    await tx.setActivityUndone(a.id, now);
    a = { ...a, undoneMs: now };
  }
  const { byEnrolment, views } = await touchedChallenges(
    tx,
    org,
    outcome.touched,
    undefined,
    now,
    outcome.progress,
    lang,
  );
  // The engine reports reversals without their enrolment; find it from the completion they revoke.
  const byCompletion = new Map<number, ChallengeRow>();
  if (outcome.reversals.length) {
    for (const [eid, ch] of byEnrolment)
      for (const c of await tx.listCompletions(eid, { liveOnly: false })) byCompletion.set(c.id, ch);
  }
  const reversals: Reward[] = [];
  for (const r of outcome.reversals) {
    const ch = byCompletion.get(r.completionId);
    if (ch)
      reversals.push({
        challengeId: String(ch.id),
        ledgerEntryId: String(r.ledgerId),
        points: r.points,
        reason: rewardReason(ch.name, true),
      });
  }
  return { activity: activityView(a, eventName), challenges: views, reversals };
}
