import type { UccStore } from './store.js';
import type { Challenge, CreateChallengeRequest, Reward, UndoActivityResponse } from '../api/types.js';

// The store's actions as functions (not methods), so a page only carries the ones its elements use.

/** Random id for idempotency keys; `randomUUID` needs a secure context, `getRandomValues` does not. */
export const uid = (): string =>
  crypto.randomUUID?.() ??
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

/** Replaces challenges by id (new ones first) and redraws; what they earned is known (an answer's rewards fire their own events). */
export function applyChallenges(store: UccStore, list: Challenge[]) {
  store.seen(list);
  const cur = store.r.challenges.data;
  if (cur) {
    const byId = new Map(list.map((c) => [c.id, c]));
    const next = cur.map((c) => byId.get(c.id) ?? c);
    for (const c of list) if (!cur.some((x) => x.id === c.id)) next.unshift(c);
    store.r.challenges = { ...store.r.challenges, data: next };
  }
  store.notify();
}

/** Adds earned (or reversed) points to the balance and ledger without asking the server again. */
export function applyRewards(store: UccStore, rewards: Reward[], at = new Date().toISOString()) {
  if (!rewards.length) return;
  const sum = rewards.reduce((s, r) => s + r.points, 0);
  const { r } = store;
  const pts = r.points.data;
  if (pts) {
    const entries = rewards.map((x) => ({
      id: x.ledgerEntryId,
      type: x.points < 0 ? ('REVERSAL' as const) : ('EARN' as const),
      points: x.points,
      challengeId: x.challengeId,
      description: x.reason,
      createdAt: at,
    }));
    r.points = { ...r.points, data: { ...pts, balance: pts.balance + sum, entries: [...entries, ...pts.entries] } };
  }
  const me = r.me.data;
  if (me) r.me = { ...r.me, data: { ...me, balance: me.balance + sum } };
  store.notify();
}

async function one(store: UccStore, res: Promise<{ challenge: Challenge }>) {
  const { challenge } = await res;
  applyChallenges(store, [challenge]);
  return challenge;
}

export const createChallenge = (store: UccStore, req: CreateChallengeRequest, key: string) =>
  one(store, store.client.createChallenge(req, key));

export const leaveChallenge = (store: UccStore, id: string) => one(store, store.client.leaveChallenge(id));

/**
 * Loads the ledger's next page (`before` the last page's `nextCursor`) and appends it; returns the index
 * of its first entry, or -1 when the ledger changed meanwhile (another customer, or already loaded).
 */
export async function morePoints(store: UccStore) {
  const before = store.r.points.data?.nextCursor;
  const page = await store.client.points({ limit: 10, before: before! });
  const pts = store.r.points.data;
  if (!pts || pts.nextCursor !== before) return -1;
  store.r.points = {
    ...store.r.points,
    data: { ...pts, entries: [...pts.entries, ...page.entries], nextCursor: page.nextCursor },
  };
  store.notify();
  return pts.entries.length;
}

export async function undo(store: UccStore, activityId: string): Promise<UndoActivityResponse> {
  const res = await store.client.undoActivity(activityId);
  applyChallenges(store, res.challenges);
  applyRewards(store, res.reversals);
  return res;
}
