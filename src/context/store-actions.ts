import type { UccStore } from './store.js';
import type { Challenge, CreateChallengeRequest, Redemption, Reward, UndoActivityResponse } from '../api/types.js';

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
  const cat = r.rewards.data;
  if (cat) afford(store, cat.balance + sum);
  store.notify();
}

/**
 * The reward catalogue against a new balance, without asking the server: what each reward still needs
 * and whether it can be redeemed; `once`: the reward just redeemed, one more time.
 */
export function afford(store: UccStore, balance: number, once?: string) {
  const { r } = store,
    cat = r.rewards.data;
  if (!cat) return;
  r.rewards = {
    ...r.rewards,
    data: {
      ...cat,
      balance,
      rewards: cat.rewards.map((w) => {
        const redeemed = w.redeemed + +(w.id === once),
          shortfall = Math.max(0, w.points - balance);
        return {
          ...w,
          redeemed,
          shortfall,
          affordable: !shortfall && (w.perCustomerLimit == null || redeemed < w.perCustomerLimit),
        };
      }),
    },
  };
}

/**
 * Spends points on a reward: one request (`key`: the same for every try of one attempt, so a retry never
 * spends twice). Its answer's balance shows everywhere (`<ucc-points>`, the catalogue's affordability),
 * with the spending in the ledger and the coupon first in the customer's list; nothing is read again.
 */
export async function redeem(store: UccStore, rewardId: string, key: string): Promise<Redemption> {
  const { redemption: x, balance } = await store.client.redeem(rewardId, key);
  const { r } = store,
    pts = r.points.data,
    me = r.me.data,
    mine = r.redemptions.data;
  if (pts) {
    const entry = {
      id: x.id,
      type: 'REDEEM' as const,
      points: -x.points,
      challengeId: null,
      description: x.label,
      createdAt: x.createdAt,
    };
    r.points = { ...r.points, data: { ...pts, balance, entries: [entry, ...pts.entries] } };
  }
  if (me) r.me = { ...r.me, data: { ...me, balance } };
  if (mine) r.redemptions = { ...r.redemptions, data: { redemptions: [x, ...mine.redemptions] } };
  afford(store, balance, rewardId);
  store.notify();
  return x;
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
