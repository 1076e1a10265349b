/**
 * Posts to a Capillary webhook (`POST /webhooks/:webhookId`): the checks answered at once, the work of one post (its
 * customer, its time, the occurrence it records), and, when UCC_CAPILLARY_ASYNC_MS is set, the queue that processes
 * accepted posts that many milliseconds later, as the platform does ("Event is pushed to transformation state").
 *
 * Every post is recorded under its requestId (webhook_posts), in the transaction that processes it (synchronous) or
 * when it is accepted (asynchronous), so `GET /v2/events/event_data?id=<requestId>` can answer its state. An accepted
 * post is processed once, by whichever process claims it first; posts still ACCEPTED when a process stops (or
 * crashes) are processed when a process starts on the same database.
 */
import type { FastifyBaseLogger } from 'fastify';
import { ApiError, badRequest, Codes } from '../errors.js';
import type { OrgDoc } from '../engine/org.js';
import { recordOccurrence } from '../engine/occurrence.js';
import { parseInstant } from '../engine/time.js';
import { DomainError } from '../model/errors.js';
import type { Store, Tx } from '../store/types.js';
import { CAPILLARY_ERRORS } from './errors.js';

type Body = Record<string, any>;

export const ACCEPTED_MESSAGE = 'Event is pushed to transformation state';
export const DUPLICATE_MESSAGE = 'Duplicate event ignored (external_event_id already processed)';
export const UNIQUE_DUPLICATE_MESSAGE = 'Duplicate event ignored (unique key fields already processed)';
/** A processed post's message in `event_data` (the wording of Capillary's event log, get-events-logs). */
export const PROCESSED_MESSAGE = 'Event processed successfully';
/** What `event_data` says of a processed post: processed, or the duplicate it was. */
export const processedMessage = (r: PostResult) => (r.duplicate ? r.message : PROCESSED_MESSAGE);

/** The checks a post gets before it is accepted (both modes): the event's name, the external id and the time's form. */
export function checkPost(body: Body) {
  const { event_name, external_event_id, eventDateTime } = body;
  if (typeof event_name !== 'string' || !event_name) throw badRequest(Codes.EVENT_UNKNOWN, 'event_name is required.');
  if (
    external_event_id !== undefined &&
    (typeof external_event_id !== 'string' || !external_event_id || external_event_id.length > 128)
  ) {
    throw badRequest(Codes.INVALID_INPUT, 'external_event_id must be a non-empty string of at most 128 characters.');
  }
  if (eventDateTime !== undefined && Number.isNaN(parseInstant(eventDateTime, 'UTC')))
    throw badRequest(Codes.EVENT_TIME_INVALID, 'eventDateTime must look like "YYYY-MM-DD HH:mm:ss" or ISO 8601.');
}

/** What processing a post did: the customer and event, and whether it was a duplicate (counted before). */
export interface PostResult {
  customerId: number;
  eventId: number;
  duplicate: boolean;
  message: string;
}

/**
 * Processes one post in `tx`: finds its customer (user id or external id), reads its time (`postedMs` without
 * eventDateTime; a time without a zone in the customer's), records the occurrence. Throws ApiError or DomainError.
 */
export async function applyPost(tx: Tx, org: OrgDoc, body: Body, now: number, postedMs: number): Promise<PostResult> {
  const { event_name, customer_id, external_event_id, eventDateTime, ...fields } = body;
  const key = customer_id === undefined || customer_id === null ? '' : String(customer_id);
  const customer =
    (/^\d+$/.test(key) ? await tx.getCustomer(org.id, Number(key)) : undefined) ??
    (key ? await tx.getCustomerByExternalId(org.id, key) : undefined);
  if (!customer)
    throw badRequest(
      Codes.EVENT_CUSTOMER_UNKNOWN,
      `customer_id "${key}" is not a customer of this organisation (user id or external id).`,
    );
  const occurredMs =
    eventDateTime === undefined ? postedMs : parseInstant(eventDateTime, customer.timeZone ?? org.timeZone);
  if (Number.isNaN(occurredMs))
    throw badRequest(Codes.EVENT_TIME_INVALID, 'eventDateTime must look like "YYYY-MM-DD HH:mm:ss" or ISO 8601.');
  const externalEventId = (external_event_id as string | undefined) ?? null;
  const r = await recordOccurrence(
    tx,
    org,
    { eventName: event_name, customerId: customer.id, externalEventId, occurredMs, fields },
    now,
  );
  const byExternalId = r.duplicate && externalEventId !== null && r.event.externalEventId === externalEventId;
  return {
    customerId: customer.id,
    eventId: r.event.id,
    duplicate: r.duplicate,
    message: !r.duplicate ? ACCEPTED_MESSAGE : byExternalId ? DUPLICATE_MESSAGE : UNIQUE_DUPLICATE_MESSAGE,
  };
}

/** A refusal as the post's failure: the Capillary code and message it would have been answered with. */
export function failureOf(err: unknown): { code: number; message: string } | null {
  if (err instanceof ApiError && err.status < 500) return { code: Number(err.code), message: err.message };
  if (err instanceof DomainError) return { code: CAPILLARY_ERRORS[err.code][1], message: err.message };
  return null;
}

/** Another process settled the post first: this transaction is rolled back. */
class AlreadySettled extends Error {}

/** How long a post whose processing hit a storage fault waits before it is tried again. */
const RETRY_MS = 1000;
/** The most pending posts one start picks up (a timer each); any more wait for the next start. */
const MAX_RESUMED = 100_000;
/** The longest wait of a timer (UCC_CAPILLARY_ASYNC_MS is at most an hour; a due time further off is not waited for). */
const MAX_WAIT_MS = 3_600_000;

/** Accepted posts, each processed when due (its timer), one after another in this process; started and stopped with the app. */
export class WebhookQueue {
  private timers = new Map<string, NodeJS.Timeout>();
  private running = new Set<Promise<void>>();
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly deps: {
      store: Store;
      org: (id: string) => OrgDoc | undefined;
      now: () => number;
      log: FastifyBaseLogger;
      /** Called after a post was processed (its writes committed). */
      onProcessed: () => void;
    },
  ) {}

  /** Processes the post `delayMs` from now. */
  schedule(orgId: string, requestId: string, delayMs: number) {
    if (this.closed || this.timers.has(requestId)) return;
    const t = setTimeout(
      () => {
        this.timers.delete(requestId);
        // One post at a time, in the order they fell due (accepted, for one delay): never two of them in a race.
        const p = this.tail.then(() => this.process(orgId, requestId)).finally(() => this.running.delete(p));
        this.tail = p.catch(() => undefined);
        this.running.add(p);
      },
      Math.min(MAX_WAIT_MS, Math.max(0, delayMs)),
    );
    t.unref();
    this.timers.set(requestId, t);
  }

  /** Schedules every post still ACCEPTED in the database (left by a stop or a crash) at its due time. */
  async resume() {
    const now = this.deps.now();
    const pending = await this.deps.store.read((tx) => tx.listPendingWebhookPosts(MAX_RESUMED));
    for (const p of pending) this.schedule(p.orgId, p.requestId, p.dueMs - now);
    if (pending.length === MAX_RESUMED)
      this.deps.log.warn(`${MAX_RESUMED} pending webhook posts scheduled; the rest wait for the next start`);
  }

  /** Stops the timers and waits for the posts being processed (what is left stays ACCEPTED for the next start). */
  async close() {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }

  /** Processes one accepted post: its occurrence and PROCESSED in one transaction, or FAILED with the refusal's code. */
  async process(orgId: string, requestId: string) {
    const { store, now } = this.deps;
    const org = this.deps.org(orgId);
    try {
      const done = await store.tx(async (tx) => {
        const post = await tx.getWebhookPost(orgId, requestId);
        if (!post || post.state !== 'ACCEPTED') return false;
        if (!org) throw new ApiError(404, 404, 'Unknown webhook organisation.');
        const t = now();
        const r = await applyPost(tx, org, JSON.parse(post.body) as Body, t, post.acceptedMs);
        const settled = await tx.settleWebhookPost(requestId, 'PROCESSED', {
          processedMs: t,
          customerId: r.customerId,
          eventId: r.eventId,
          duplicate: r.duplicate,
          errorCode: null,
          message: processedMessage(r),
        });
        if (!settled) throw new AlreadySettled();
        return true;
      });
      if (done) this.deps.onProcessed();
    } catch (thrown) {
      if (thrown instanceof AlreadySettled) return;
      let err = thrown;
      const failure = failureOf(err);
      if (failure) {
        try {
          await store.tx((tx) =>
            tx.settleWebhookPost(requestId, 'FAILED', {
              processedMs: now(),
              customerId: null,
              eventId: null,
              duplicate: false,
              errorCode: failure.code,
              message: failure.message,
            }),
          );
          return;
        } catch (e) {
          err = e;
        }
      }
      if (this.closed) return; // left ACCEPTED: the next start processes it
      this.deps.log.error({ err }, `webhook post ${requestId}: processing failed; trying again in ${RETRY_MS} ms`);
      this.schedule(orgId, requestId, RETRY_MS);
    }
  }
}
