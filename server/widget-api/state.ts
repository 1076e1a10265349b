import type { OrgDoc } from '../engine/org.js';

/** Who a widget request acts for: one customer of one organisation. */
export interface Principal {
  org: OrgDoc;
  customerId: number;
  externalId: string;
  key: string;
}

export const CACHE_LIMIT = 10_000;

/**
 * The widget API's authentication memory, one per app (owned by plugins/widget-auth.ts): verified
 * tokens (so a token's signature is checked once, not on every request) and the customer ids tokens
 * resolve to. Both are pure caches: dropping them costs one verification or one lookup.
 */
export class WidgetAuthState {
  /** Verified tokens; `principal` once the customer it names is resolved (a request then does one lookup). */
  readonly tokens = new Map<string, { orgId: string; sub: string; expMs: number; principal?: Principal }>();
  readonly customers = new Map<string, number>();

  /** Forgets every verified token and resolved customer (the demo reset, which deletes the customers). */
  clear() {
    this.tokens.clear();
    this.customers.clear();
  }
}

/** Bounded insert: a full cache is dropped wholesale rather than tracked per entry. */
export function remember<K, V>(map: Map<K, V>, key: K, value: V) {
  if (map.size >= CACHE_LIMIT) map.clear();
  map.set(key, value);
}
