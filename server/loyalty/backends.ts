/**
 * The organisation → loyalty backend choice, in one place (app.ts builds it): an organisation with an
 * `upstream` config (its orgs-file entry, or the demo organisation under UCC_UPSTREAM_URL) runs on its
 * own Capillary organisation (upstream-mode/), every other one on the embedded engine (local.ts).
 */
import type { OrgDoc, UpstreamOrgConfig } from '../model/org.js';
import type { Store } from '../store/types.js';
import { LocalLoyalty } from './local.js';
import type { LoyaltyBackend } from './port.js';
import { UpstreamLoyalty, type UpstreamLoyaltyOptions } from './upstream-mode/backend.js';

export interface Backends {
  loyaltyFor(org: OrgDoc): LoyaltyBackend;
  /** The upstream backends made so far (their senders run until close). */
  upstream(): UpstreamLoyalty[];
  close(): void;
}

export function loyaltyBackends(
  opts: {
    store?: Store;
    /** The upstream config of an organisation that has none of its own (demo: UCC_UPSTREAM_URL). */
    upstreamOf?: (org: OrgDoc) => UpstreamOrgConfig | undefined;
    upstream?: Omit<UpstreamLoyaltyOptions, 'clock'> & { clock?: { now(): number } };
  } = {},
): Backends {
  const local = new LocalLoyalty();
  const made = new Map<string, UpstreamLoyalty>();
  return {
    loyaltyFor(org) {
      const config = org.upstream ?? opts.upstreamOf?.(org);
      if (!config || !opts.store) return local;
      let b = made.get(org.id);
      if (!b) {
        b = new UpstreamLoyalty(org.id, config, opts.store, { clock: Date, ...opts.upstream });
        b.sender.start();
        made.set(org.id, b);
      }
      return b;
    },
    upstream: () => [...made.values()],
    close() {
      for (const b of made.values()) b.close();
      made.clear();
    },
  };
}
