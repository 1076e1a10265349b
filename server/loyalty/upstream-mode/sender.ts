/**
 * The outbox sender of one upstream organisation: posts each held log to the organisation's webhook
 * once its undo grace period is over (and runs `@unenrol` jobs at once), each claim and each result
 * in a short transaction of its own, the HTTP call between. Woken after every commit that queued
 * something and every `pollMs` (another instance's rows, retries, a restart's leftovers).
 *
 * - A post is claimed HELD → SENDING with a lease (`dueMs` = now + lease); a sender that dies
 *   mid-post leaves it SENDING, and it is taken again once the lease is over (the resend carries the
 *   same unique-key value, so the platform counts it once).
 * - Unreachable (timeouts, 5xx, 429, the breaker open): back to HELD, due after a backoff (or when
 *   the breaker lets a probe through). Refused (4xx): FAILED, with the vendor's code in `lastError`.
 * - The sweeper: sagas stuck before ACTIVE for `staleSagaMs` are abandoned (an enrolment made for a
 *   create nobody finished is taken back) and their orphan group and promotion ids logged: the
 *   platform documents no way to delete them.
 */
import type { Store, OutboxRow, UpstreamSagaRow } from '../../store/types.js';
import { unenrolBody } from '../upstream/bodies.js';
import { UpstreamRejected, UpstreamUnavailable, backoffMs, defaultRetry } from '../upstream/resilience.js';
import type { UpstreamLoyalty } from './backend.js';

const LEASE_MS = 30_000;
const BATCH = 20;

export interface SenderOptions {
  clock: { now(): number };
  pollMs: number;
  staleSagaMs: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>) => void;
}

export class OutboxSender {
  private timer?: NodeJS.Timeout;
  private soon?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  private lastSweep = 0;
  /** Posts sent and jobs done by this process (tests and the bench read it). */
  readonly stats = { sent: 0, failed: 0, retried: 0 };

  constructor(
    private readonly backend: UpstreamLoyalty,
    private readonly store: Store,
    private readonly o: SenderOptions,
  ) {}

  start() {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.wake(), this.o.pollMs);
    this.timer.unref();
    this.wake();
  }

  stop() {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.soon);
  }

  /** Runs a pass now (or right after the one running). */
  wake() {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((e) => this.o.log?.('error', 'outbox pass failed', { error: (e as Error).message }))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        } else this.planNext();
      });
  }

  /** Resolves when no pass is running (tests). */
  async idle() {
    while (this.running) await this.running;
  }

  /** Wakes at the earliest held post's due time (the grace period's end), besides the poll. */
  private async planNext() {
    if (this.stopped) return;
    clearTimeout(this.soon);
    const next = await this.store
      .read((tx) => tx.listDueOutbox(this.backend.orgId, Number.MAX_SAFE_INTEGER, 1))
      .catch(() => []);
    if (!next[0] || this.stopped) return;
    const wait = Math.max(0, next[0].dueMs - this.o.clock.now());
    if (wait < this.o.pollMs) {
      this.soon = setTimeout(() => this.wake(), wait + 5);
      this.soon.unref();
    }
  }

  private async pass() {
    for (;;) {
      const now = this.o.clock.now();
      const due = await this.store.read((tx) => tx.listDueOutbox(this.backend.orgId, now, BATCH));
      if (due.length === 0) break;
      let progressed = false;
      for (const row of due) {
        if (this.stopped) return;
        if (!this.backend.available()) return; // the breaker is open: everything stays queued
        const claimed = await this.claim(row, now);
        if (!claimed) continue;
        progressed = true;
        await this.send(claimed);
      }
      if (!progressed) break;
    }
    if (this.o.clock.now() - this.lastSweep >= Math.min(60_000, this.o.staleSagaMs)) await this.sweep();
  }

  /** HELD → SENDING, or a SENDING whose lease is over → SENDING again with a new lease. */
  private async claim(row: OutboxRow, now: number): Promise<OutboxRow | undefined> {
    const lease = { state: 'SENDING' as const, dueMs: now + LEASE_MS, attempts: row.attempts + 1 };
    return this.store.tx((tx) => tx.moveOutbox(row.id, [row.state], lease, row.state === 'SENDING' ? now : undefined));
  }

  private async send(row: OutboxRow) {
    try {
      let requestId: string | null = null;
      if (row.eventName === '@unenrol') {
        const { groupId, targetId } = JSON.parse(row.body) as { groupId: number; targetId: number };
        const userId = await this.backend.userIdOf(row.customerId);
        try {
          await this.backend.client.unenrol(groupId, targetId, unenrolBody(userId));
        } catch (e) {
          // Not enrolled (any more): what leaving wanted.
          if (!(e instanceof UpstreamRejected && Number(e.code) === 310908)) throw e;
        }
      } else {
        requestId = (await this.backend.client.postEvent(JSON.parse(row.body), { idempotent: true })).requestId;
      }
      await this.store.tx((tx) =>
        tx.moveOutbox(row.id, ['SENDING'], { state: 'SENT', requestId, sentMs: this.o.clock.now(), lastError: null }),
      );
      this.stats.sent++;
      this.backend.forget(row.customerId);
    } catch (e) {
      const message = (e as Error).message.slice(0, 500);
      // Refused by the platform (4xx), or a body our own checks refuse (a TypeError): sending again cannot help.
      if ((e instanceof UpstreamRejected && e.status !== 429) || e instanceof TypeError) {
        await this.store.tx((tx) => tx.moveOutbox(row.id, ['SENDING'], { state: 'FAILED', lastError: message }));
        this.stats.failed++;
        this.o.log?.('error', 'the platform refused a queued post; it will not be sent again', {
          outboxId: row.id,
          error: message,
        });
        return;
      }
      const breaker = this.backend.client.breaker.retryInMs;
      const after =
        e instanceof UpstreamUnavailable && e.detail.retryAfterMs !== undefined
          ? e.detail.retryAfterMs
          : Math.max(breaker, 500 + backoffMs(Math.min(row.attempts, 6), { ...defaultRetry, capMs: 30_000 }));
      await this.store.tx((tx) =>
        tx.moveOutbox(row.id, ['SENDING'], { state: 'HELD', dueMs: this.o.clock.now() + after, lastError: message }),
      );
      this.stats.retried++;
    }
  }

  /** Abandons sagas nobody finished; logs the ids the platform keeps (it offers no delete). */
  async sweep() {
    this.lastSweep = this.o.clock.now();
    const stale = await this.store.read((tx) => tx.listStaleSagas(this.o.clock.now() - this.o.staleSagaMs, BATCH));
    for (const s of stale) if (s.orgId === this.backend.orgId) await this.abandon(s);
  }

  private async abandon(s: UpstreamSagaRow) {
    if (s.state === 'ENROLLED') {
      try {
        const userId = await this.backend.userIdOf(s.customerId);
        await this.backend.client.unenrol(s.groupId!, s.targetId!, unenrolBody(userId));
      } catch (e) {
        if (!(e instanceof UpstreamRejected)) return; // unreachable: try again on a later sweep
      }
    }
    const ok = await this.store.tx((tx) =>
      tx.updateSaga(s.id, { state: 'ABANDONED', updatedMs: this.o.clock.now() }, s.state),
    );
    if (ok)
      this.o.log?.('warn', 'abandoned an unfinished challenge create; the platform keeps these objects', {
        saga: s.id,
        step: s.state,
        orphanGroupId: s.groupId,
        orphanPromotionId: s.promotionId,
      });
  }
}
