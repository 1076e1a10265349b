import { asError, isNetworkError, type UccError } from '../api/errors.js';
import type { UccClientApi } from '../api/client.js';
import type { OfflineQueue, QueuedLog } from '../api/offline-queue.js';
import type {
  Challenge, CreateChallengeRequest, LogActivityRequest, LogActivityResponse, Me, PointsResponse,
  Reward, TemplatesResponse, UndoActivityResponse,
} from '../api/types.js';

export type Status = 'idle' | 'loading' | 'ok' | 'error';
export interface Resource<T> { status: Status; data?: T; error?: UccError }
export interface Resources {
  templates: Resource<TemplatesResponse>;
  me: Resource<Me>;
  challenges: Resource<Challenge[]>;
  points: Resource<PointsResponse>;
}
export type ResourceKey = keyof Resources;

const idle = (): Resources => ({ templates: { status: 'idle' }, me: { status: 'idle' }, challenges: { status: 'idle' }, points: { status: 'idle' } });

/** Random id for idempotency keys; `randomUUID` needs a secure context, `getRandomValues` does not. */
export const uid = (): string =>
  crypto.randomUUID?.() ?? Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * One per provider: the customer's data, loaded once and shared by every element. Actions go through
 * the store so their responses update it in place and every subscribed element redraws with no refetch.
 * (Elements render from these shared resources rather than each owning a `@lit/task`: one request per
 * provider instead of one per element, and a log in one element shows in all of them at once.)
 */
export class UccStore {
  r: Resources = idle();
  /** Logs made offline for the current customer, waiting to be sent. */
  pending: QueuedLog[] = [];
  /** Called with every replayed log's response, so the provider can fire the usual events. */
  onReplay?: (res: LogActivityResponse) => void;
  /** Called when loading fails, so the provider can report it once as `ucc-error`. */
  onError?: (e: UccError) => void;
  /** True while there is no way to authenticate (no token yet): elements say so and load nothing. */
  paused = false;
  #gen = 0;
  #subs = new Set<() => void>();
  #flushing?: Promise<void>;
  #rerun?: Promise<void>;

  constructor(
    public client: UccClientApi,
    public queue?: OfflineQueue,
    /** The current customer's id, stamped on queued logs (async: may need to fetch a token first). */
    public owner: () => string | Promise<string> = () => '',
  ) {}

  subscribe(fn: () => void) {
    this.#subs.add(fn);
    return () => void this.#subs.delete(fn);
  }
  notify() { for (const f of this.#subs) f(); }

  /** Starts loading a resource unless it is loaded or loading; `force` reloads (retry). */
  load(key: ResourceKey, force = false) {
    const res = this.r[key];
    if (this.paused || (!force && res.status != 'idle')) return;
    const gen = this.#gen;
    const c = this.client;
    const p: Promise<unknown> = key == 'templates' ? c.templates() : key == 'me' ? c.me()
      : key == 'points' ? c.points({ limit: 10 }) : c.challenges('all').then((x) => x.challenges);
    (this.r[key] as Resource<unknown>) = { status: 'loading', data: res.data };
    this.notify();
    p.then(
      (data) => gen == this.#gen && ((this.r[key] as Resource<unknown>) = { status: 'ok', data }),
      (e) => gen == this.#gen && (this.r[key] = { status: 'error', error: asError(e) }, this.onError?.(asError(e))),
    ).then(() => this.notify());
  }

  /** Forgets everything (new customer, demo reset) and lets elements load afresh. */
  reset() {
    this.#gen++;
    this.r = idle();
    this.pending = [];
    this.notify();
    return this.refreshPending();
  }

  createChallenge(req: CreateChallengeRequest, key: string) {
    return this.#one(this.client.createChallenge(req, key));
  }

  leaveChallenge(id: string) {
    return this.#one(this.client.leaveChallenge(id));
  }

  async #one(res: Promise<{ challenge: Challenge }>) {
    const { challenge } = await res;
    this.applyChallenges([challenge]);
    return challenge;
  }

  /** Logs now, or queues the log when the network is down; resolves null when queued. */
  async log(request: LogActivityRequest, key = uid()): Promise<LogActivityResponse | null> {
    const entry: QueuedLog = { key, owner: '', request, queuedAt: new Date().toISOString() };
    // Known offline: nothing was sent, so pin the time now, else a late replay would count for a later day.
    // After a failed attempt the body stays as sent: the server may already hold it under this key.
    if (this.queue && navigator.onLine === false) {
      return this.#enqueue({ ...entry, request: { ...request, occurredAt: request.occurredAt ?? entry.queuedAt } });
    }
    try {
      return this.#applyLog(await this.client.logActivity(request, key));
    } catch (e) {
      if (this.queue && isNetworkError(e)) return this.#enqueue(entry);
      throw e;
    }
  }

  async undo(activityId: string): Promise<UndoActivityResponse> {
    const res = await this.client.undoActivity(activityId);
    this.applyChallenges(res.challenges);
    this.applyRewards(res.reversals);
    return res;
  }

  /**
   * Sends queued logs of the current customer, oldest first. An entry is removed only after a
   * definite server answer (success or a 4xx/5xx, which a replay would not change); a network
   * error keeps it and stops. Runs never overlap, so nothing is sent twice; a call during a run
   * schedules one more run after it (the running one may have listed the queue before a new entry).
   */
  flush(): Promise<void> {
    if (this.#flushing) return (this.#rerun ??= this.#flushing.then(() => ((this.#rerun = undefined), this.flush())));
    return (this.#flushing = this.#doFlush().finally(() => (this.#flushing = undefined)));
  }

  async #doFlush() {
    const q = this.queue;
    if (!q || this.paused || navigator.onLine === false) return;
    for (const e of await q.list(await this.owner())) {
      try {
        const res = await this.client.logActivity(e.request, e.key);
        await q.remove(e.key);
        this.onReplay?.(this.#applyLog(res));
      } catch (err) {
        if (isNetworkError(err)) break;
        await q.remove(e.key);
      }
    }
    await this.refreshPending();
  }

  async refreshPending() {
    this.pending = (await this.queue?.list(await this.owner())) ?? [];
    this.notify();
  }

  async #enqueue(entry: QueuedLog) {
    await this.queue!.add({ ...entry, owner: await this.owner() });
    await this.refreshPending();
    return null;
  }

  #applyLog(res: LogActivityResponse) {
    this.applyChallenges(res.challenges);
    this.applyRewards(res.rewards, res.activity.createdAt);
    return res;
  }

  /** Replaces challenges by id (new ones first) and redraws. */
  applyChallenges(list: Challenge[]) {
    const cur = this.r.challenges.data;
    if (cur) {
      const byId = new Map(list.map((c) => [c.id, c]));
      const next = cur.map((c) => byId.get(c.id) ?? c);
      for (const c of list) if (!cur.some((x) => x.id == c.id)) next.unshift(c);
      this.r.challenges = { ...this.r.challenges, data: next };
    }
    this.notify();
  }

  /** Adds earned (or reversed) points to the balance and ledger without asking the server again. */
  applyRewards(rewards: Reward[], at = new Date().toISOString()) {
    if (!rewards.length) return;
    const sum = rewards.reduce((s, r) => s + r.points, 0);
    const pts = this.r.points.data;
    if (pts) {
      const entries = rewards.map((r) => ({
        id: r.ledgerEntryId, type: r.points < 0 ? 'REVERSAL' as const : 'EARN' as const,
        points: r.points, challengeId: r.challengeId, description: r.reason, createdAt: at,
      }));
      this.r.points = { ...this.r.points, data: { ...pts, balance: pts.balance + sum, entries: [...entries, ...pts.entries] } };
    }
    const me = this.r.me.data;
    if (me) this.r.me = { ...this.r.me, data: { ...me, balance: me.balance + sum } };
    this.notify();
  }
}
