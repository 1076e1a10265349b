import { UccError, asError } from '../api/errors.js';
import { OfflineQueue, type QueuedLog } from '../api/offline-queue.js';
import type { LogActivityRequest, LogActivityResponse } from '../api/types.js';
import { applyChallenges, applyRewards, uid } from './store-actions.js';
import type { UccStore } from './store.js';

// Logging and the offline queue: only `<ucc-log-activity>` (and the root entry) import this module,
// so only pages that can log carry the queue, IndexedDB code and replay.

/** Opens the store's offline queue if it has none yet, re-reads the customer's queued logs and sends them. */
export function replay(store: QueueStore) {
  store.queue ??= new OfflineQueue(store.queueName);
  // Another tab (or provider) changed the queue: show what is left and the data its logs changed (quietly: the
  // rewards they earned were reported there).
  store.bc ??=
    self.BroadcastChannel &&
    Object.assign(new BroadcastChannel('ucc-queue:' + store.queueName), {
      onmessage() {
        void store.refreshPending();
        for (const k of ['challenges', 'points', 'rewards'] as const)
          if (store.r[k].status !== 'idle') store.load(k, true, true);
      },
    });
  return store.refreshPending().then(() => flush(store));
}

/**
 * For an element that logs: makes the store able to replay its queue (`store.replay`, which the
 * provider calls on `online`, when it connects and on `refresh()`), and replays it now.
 */
export function useQueue(store: UccStore) {
  store.replay ??= () => replay(store);
  return store.replay();
}

/** Why queued logs wait: the browser is offline, the service can't be reached (no answer, 5xx, 408, 429), or the token expired. */
export type Net = 'offline' | 'down' | 'auth';
/** A store with its queue's state (kept on the store: each store replays its own customer's queue). */
export type QueueStore = UccStore & {
  net?: Net;
  flushing?: Promise<void>;
  rerun?: Promise<void>;
  timer?: ReturnType<typeof setTimeout>;
  tries?: number;
  bc?: BroadcastChannel;
};

/** Retry delays of a queue the service did not take (ms): `base`·2^n with jitter, at most `max`. Tests shorten them. */
export const backoff = { base: 1000, max: 60_000 };

/** Logs now, or queues the log when it cannot be delivered now (offline, service down, token expired); resolves null when queued. */
export async function log(
  store: QueueStore,
  request: LogActivityRequest,
  key = uid(),
): Promise<LogActivityResponse | null> {
  const entry: QueuedLog = { key, owner: '', request, queuedAt: new Date().toISOString() };
  // Known offline: nothing was sent, so pin the time now, else a late replay would count for a later day.
  // After a failed attempt the body stays as sent: the server may already hold it under this key.
  if (store.queue && navigator.onLine === false) {
    return enqueue(
      store,
      { ...entry, request: { ...request, occurredAt: request.occurredAt ?? entry.queuedAt } },
      'offline',
    );
  }
  try {
    return applyLog(store, await store.client.logActivity(request, key));
  } catch (e) {
    const net = why(e);
    if (store.queue && net) return enqueue(store, entry, net, e);
    throw e;
  }
}

/** Removes a refused log the customer has seen. */
export async function dismiss(store: QueueStore, key: string) {
  await store.queue?.remove(key);
  await store.refreshPending();
  post(store);
}

/**
 * Sends queued logs of the current customer, oldest first. An entry is removed only on success; a
 * permanent refusal (4xx but 401, 408, 429) stays, marked `refused`, until dismissed; anything else
 * keeps it and stops (retried with backoff, or on a new token). Runs never overlap, in this page
 * nor across tabs (Web Lock), so nothing is sent twice; a call during a run schedules one more run
 * after it (the running one may have listed the queue before a new entry).
 */
export function flush(store: QueueStore): Promise<void> {
  if (store.flushing) return (store.rerun ??= store.flushing.then(() => ((store.rerun = undefined), flush(store))));
  return (store.flushing = doFlush(store).finally(() => (store.flushing = undefined)));
}

async function doFlush(s: QueueStore) {
  const q = s.queue;
  if (!q || s.paused) return;
  if (navigator.onLine === false) return setNet(s, 'offline');
  if (s.net === 'offline') setNet(s);
  let net: Net | undefined,
    err: unknown,
    changed = false;
  const run = async () => {
    // Listed under the lock: another tab may just have sent (and removed) an entry.
    for (const e of await q.list(await s.owner())) {
      if (e.refused) continue;
      // The customer may have changed (new token) while this run waited: never send their log with another's token.
      if ((await s.owner()) !== e.owner) break;
      try {
        const res = await s.client.logActivity(e.request, e.key);
        await q.remove(e.key);
        changed = true;
        s.onReplay?.(applyLog(s, res));
      } catch (x) {
        if ((net = why(x))) {
          err = x;
          break;
        }
        const { code, message } = asError(x);
        await q.add({ ...e, refused: { code, message } });
        changed = true;
      }
    }
  };
  await (navigator.locks ? navigator.locks.request('ucc-queue:' + s.queueName, run) : run());
  await s.refreshPending();
  setNet(s, net, err);
  if (changed) post(s);
}

/** Whether a failed send may succeed later (and why it failed), or undefined for a permanent refusal. */
function why(e: unknown): Net | undefined {
  const status = e instanceof UccError ? e.status : 0;
  if (status === 401) return 'auth';
  if (!status || status >= 500 || status === 408 || status === 429)
    return navigator.onLine === false ? 'offline' : 'down';
}

function setNet(s: QueueStore, net?: Net, e?: unknown) {
  if (net === 'auth' && s.net !== 'auth') s.onExpired?.(s.pending.filter((p) => !p.refused).length);
  s.net = net;
  if (net !== 'down') s.tries = 0;
  // One timer per store: Retry-After when the server gave one, else exponential backoff with jitter.
  else
    s.timer ??= setTimeout(
      () => ((s.timer = undefined), flush(s)),
      (e as UccError)?.retryAfter ??
        Math.min(backoff.max, backoff.base * 2 ** (s.tries = (s.tries ?? 0) + 1)) * (0.5 + Math.random() / 2),
    );
  s.notify();
}

/** Tells the store's other tabs (and other providers of this page) that the queue changed. */
function post(s: QueueStore) {
  s.bc?.postMessage(0);
}

async function enqueue(store: QueueStore, entry: QueuedLog, net: Net, e?: unknown) {
  await store.queue!.add({ ...entry, owner: await store.owner() });
  await store.refreshPending();
  setNet(store, net, e);
  post(store);
  return null;
}

function applyLog(store: UccStore, res: LogActivityResponse) {
  applyChallenges(store, res.challenges);
  applyRewards(store, res.rewards, res.activity.createdAt);
  return res;
}
