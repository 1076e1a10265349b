import { asError, type UccError } from '../api/errors.js';
import type { UccClientApi } from '../api/client.js';
import type { OfflineQueue, QueuedLog } from '../api/offline-queue.js';
import type {
  Challenge,
  ChallengesResponse,
  LogActivityResponse,
  Me,
  PointsResponse,
  RedemptionsResponse,
  Reward,
  RewardsResponse,
  TemplatesResponse,
} from '../api/types.js';

export type Status = 'idle' | 'loading' | 'ok' | 'error';
export interface Resource<T> {
  status: Status;
  data?: T;
  error?: UccError;
  /** The read's answer said `stale`: the loyalty programme could not be asked, an earlier copy is shown (upstream mode). */
  stale?: boolean;
}
export interface Resources {
  templates: Resource<TemplatesResponse>;
  me: Resource<Me>;
  challenges: Resource<Challenge[]>;
  points: Resource<PointsResponse>;
  /** The reward catalogue with what the customer can afford (`<ucc-rewards>`). */
  rewards: Resource<RewardsResponse>;
  /** The customer's redemptions and their coupons (`<ucc-rewards>`). */
  redemptions: Resource<RedemptionsResponse>;
}
export type ResourceKey = keyof Resources;

const idle = (): Resources => ({
  templates: { status: 'idle' },
  me: { status: 'idle' },
  challenges: { status: 'idle' },
  points: { status: 'idle' },
  rewards: { status: 'idle' },
  redemptions: { status: 'idle' },
});

/**
 * One per provider: the customer's data, loaded once and shared by every element. Actions go through
 * the store so their responses update it in place and every subscribed element redraws with no refetch.
 * (Elements render from these shared resources rather than each owning a `@lit/task`: one request per
 * provider instead of one per element, and a log in one element shows in all of them at once.)
 *
 * This class holds the data and loads it. The actions (create, leave, log, undo, replaying the offline
 * queue) are functions taking the store, in store-actions.ts and store-log.ts, imported only by the
 * elements that act: a page that only shows progress carries no logging or IndexedDB code.
 */
export class UccStore {
  r: Resources = idle();
  /** Logs made offline for the current customer, waiting to be sent. */
  pending: QueuedLog[] = [];
  /** Called with every replayed log's response, so the provider can fire the usual events. */
  onReplay?: (res: LogActivityResponse) => void;
  /** Called when queued logs wait for a new token (TOKEN_EXPIRED with a fixed token), with how many. */
  onExpired?: (pending: number) => void;
  /**
   * Called with a reward that showed on a later read of the challenges rather than in a log's answer (upstream
   * mode: a log the widget server sent on), so the provider can fire `ucc-reward-earned`.
   */
  onReward?: (reward: Reward) => void;
  /** Called when loading fails, so the provider can report it once as `ucc-error`. */
  onError?: (e: UccError) => void;
  /** True while there is no way to authenticate (no token yet): elements say so and load nothing. */
  paused = false;
  /** IndexedDB database name of the offline queue, opened by the first element that logs (store-log.ts `useQueue`). */
  queueName = 'ucc-offline';
  /**
   * Re-reads the current customer's queued logs and sends them; present once the offline queue is
   * in use (the provider calls it when it connects, on `online` and on `refresh()`).
   */
  replay?(): Promise<void>;
  /** Whose data this is: a new object when the customer changes, so elements drop what the last one saw. */
  customer = {};
  /** Bumped by reset(): a queue listing read before it may be another customer's. */
  #gen = 0;
  /** The latest load of each key; only its answer is kept (reset() forgets them all). */
  #last: Partial<Record<ResourceKey, object>> = {};
  #subs = new Set<() => void>();
  /** Each challenge's highest `reward.earned` seen, for `#earnedOf` (a customer): a later read showing more is a new reward. */
  #earned: Record<string, number> = {};

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
  notify() {
    for (const f of this.#subs) f();
  }

  /**
   * Starts loading a resource unless it is loaded or loading; `force` reloads (retry). `quiet`: a reward the
   * challenges show since is not reported here (another tab's log, whose answer reported it there).
   */
  load(key: ResourceKey, force = false, quiet = false) {
    const res = this.r[key];
    if (this.paused || (!force && res.status !== 'idle')) return;
    // Only the last load of a key is kept: a reload (another language) may answer before an older load,
    // and a load from before reset() (another customer) is no one's.
    const mine = (this.#last[key] = {});
    const c = this.client;
    // Every challenge (`status` all, the default), the first page of points.
    const p: Promise<unknown> = key === 'points' ? c.points({ limit: 10 }) : c[key]();
    (this.r[key] as Resource<unknown>) = { status: 'loading', data: res.data, stale: res.stale };
    this.notify();
    p.then(
      (x) => {
        if (mine !== this.#last[key]) return;
        const list = key === 'challenges' && (x as ChallengesResponse).challenges;
        (this.r[key] as Resource<unknown>) = { status: 'ok', data: list || x, stale: (x as ChallengesResponse).stale };
        if (list) this.seen(list, !quiet);
      },
      (e) =>
        mine === this.#last[key] &&
        ((this.r[key] = { status: 'error', error: asError(e) }), this.onError?.(asError(e))),
    ).then(() => this.notify());
  }

  /**
   * Notes what each challenge of `list` has earned. With `fire` (a read of the challenges): a rise over the
   * most seen before is a reward that reached the loyalty programme after its log's answer (upstream mode),
   * reported once through `onReward`, and the points (and the reward catalogue) are read again. A challenge not seen before (the first
   * load, one made in another tab) reports nothing, nor does a rise a log's answer already brought (its
   * `rewards` fired the event); a drop (an undo) is not a new high, so a reward comes back only through a log.
   */
  seen(list: Challenge[], fire?: boolean) {
    for (const {
      id,
      name,
      reward: { earned },
    } of list) {
      const was = this.#earned[id] ?? earned;
      if (earned < was) continue;
      this.#earned[id] = earned;
      if (fire && earned > was) {
        // Worded as the server words a log's reward (widget-api/views.ts `rewardReason`).
        this.onReward?.({ challengeId: id, ledgerEntryId: '', points: earned - was, reason: `Completed "${name}"` });
        // …and the catalogue, whose affordability follows the balance.
        for (const k of ['points', 'rewards'] as const) if (this.r[k].data) this.load(k, true);
      }
    }
  }

  /** Reloads every resource that failed. */
  retry() {
    for (const k in this.r) this.r[k as ResourceKey].status === 'error' && this.load(k as ResourceKey, true);
  }

  /** Forgets everything (new customer, demo reset) and lets elements load afresh; `customer`: it is another one. */
  reset(customer?: boolean) {
    if (customer) this.customer = {};
    this.#gen++;
    this.#last = {};
    this.r = idle();
    this.pending = [];
    this.notify();
    return this.refreshPending();
  }

  /** Re-reads the current customer's queued logs (none without a queue). */
  async refreshPending() {
    const gen = this.#gen;
    const list = (await this.queue?.list(await this.owner())) ?? [];
    // A list read before a reset may be another customer's.
    if (gen === this.#gen) this.pending = list;
    this.notify();
  }
}
