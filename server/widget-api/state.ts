import type { AppContext } from '../context.js';
import type { OrgDoc } from '../engine/org.js';

/** Who a widget request acts for: one customer of one organisation. */
export interface Principal {
  org: OrgDoc;
  customerId: number;
  externalId: string;
  key: string;
}

/**
 * Per-app memory of the widget API, shared by its routes and the demo routes: verified tokens
 * (so a token's signature is checked once, not on every request) and the customer ids tokens
 * resolve to. Both are pure caches: dropping them costs one verification or one lookup.
 */
export interface WidgetState {
  /** Verified tokens; `principal` once the customer it names is resolved (a request then does one lookup). */
  tokens: Map<string, { orgId: string; sub: string; expMs: number; principal?: Principal }>;
  customers: Map<string, number>;
}

const states = new WeakMap<AppContext, WidgetState>();
export const CACHE_LIMIT = 10_000;

export function widgetState(ctx: AppContext): WidgetState {
  let s = states.get(ctx);
  if (!s) {
    s = { tokens: new Map(), customers: new Map() };
    states.set(ctx, s);
  }
  return s;
}

/** Bounded insert: a full cache is dropped wholesale rather than tracked per entry. */
export function remember<K, V>(map: Map<K, V>, key: K, value: V) {
  if (map.size >= CACHE_LIMIT) map.clear();
  map.set(key, value);
}
