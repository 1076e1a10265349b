import { isNetworkError } from '../api/errors.js';
import { OfflineQueue, type QueuedLog } from '../api/offline-queue.js';
import type { LogActivityRequest, LogActivityResponse } from '../api/types.js';
import { applyChallenges, applyRewards, uid } from './store-actions.js';
import type { UccStore } from './store.js';

// Logging and the offline queue: only `<ucc-log-activity>` (and the root entry) import this module,
// so only pages that can log carry the queue, IndexedDB code and replay.

/** Opens the store's offline queue if it has none yet, re-reads the customer's queued logs and sends them. */
export function replay(store: UccStore) {
  store.queue ??= new OfflineQueue(store.queueName);
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

/** Logs now, or queues the log when the network is down; resolves null when queued. */
export async function log(store: UccStore, request: LogActivityRequest, key = uid()): Promise<LogActivityResponse | null> {
  const entry: QueuedLog = { key, owner: '', request, queuedAt: new Date().toISOString() };
  // Known offline: nothing was sent, so pin the time now, else a late replay would count for a later day.
  // After a failed attempt the body stays as sent: the server may already hold it under this key.
  if (store.queue && navigator.onLine === false) {
    return enqueue(store, { ...entry, request: { ...request, occurredAt: request.occurredAt ?? entry.queuedAt } });
  }
  try {
    return applyLog(store, await store.client.logActivity(request, key));
  } catch (e) {
    if (store.queue && isNetworkError(e)) return enqueue(store, entry);
    throw e;
  }
}

/** A store and its replay runs (kept on the store: each store replays its own customer's queue). */
type Replaying = UccStore & { flushing?: Promise<void>; rerun?: Promise<void> };

/**
 * Sends queued logs of the current customer, oldest first. An entry is removed only after a
 * definite server answer (success or a 4xx/5xx, which a replay would not change); a network
 * error keeps it and stops. Runs never overlap, so nothing is sent twice; a call during a run
 * schedules one more run after it (the running one may have listed the queue before a new entry).
 */
export function flush(store: Replaying): Promise<void> {
  if (store.flushing) return (store.rerun ??= store.flushing.then(() => ((store.rerun = undefined), flush(store))));
  return (store.flushing = doFlush(store).finally(() => (store.flushing = undefined)));
}

async function doFlush(store: UccStore) {
  const q = store.queue;
  if (!q || store.paused || navigator.onLine === false) return;
  for (const e of await q.list(await store.owner())) {
    try {
      const res = await store.client.logActivity(e.request, e.key);
      await q.remove(e.key);
      store.onReplay?.(applyLog(store, res));
    } catch (err) {
      if (isNetworkError(err)) break;
      await q.remove(e.key);
    }
  }
  await store.refreshPending();
}

async function enqueue(store: UccStore, entry: QueuedLog) {
  await store.queue!.add({ ...entry, owner: await store.owner() });
  await store.refreshPending();
  return null;
}

function applyLog(store: UccStore, res: LogActivityResponse) {
  applyChallenges(store, res.challenges);
  applyRewards(store, res.rewards, res.activity.createdAt);
  return res;
}
