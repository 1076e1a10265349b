/**
 * A cache of serialised `GET /me/challenges` answers (the widgets' progress read, up to ~100 kB
 * for 20 long challenges), kept with its ETag and its gzip form.
 *
 * Correctness rests on two rules:
 * - Versions: every entry remembers the global version and its customer's version at the moment
 *   its read began. A write bumps them when it arrives AND after it has answered (so after its
 *   COMMIT): a read that saw data from before a write can never outlive it. Widget writes bump their
 *   customer; every other write (Capillary API, webhook, demo clock and reset) bumps everything.
 * - Time: an answer depends on "now" (current period, met/missed/ahead, days left, status), so an
 *   entry expires at the first instant any of those could change: the next period start or end,
 *   the challenge's end, or the next change of `daysLeft`.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Challenge } from '../../contract/widget-api.js';

const DAY = 86_400_000;

export interface Entry {
  global: number;
  customer: number;
  validUntil: number;
  raw: string;
  etag: string;
  gz: Buffer | null;
}
export interface Ticket {
  key: string;
  customerKey: string;
  global: number;
  customer: number;
}

export class ReadCache {
  private global = 0;
  private customers = new Map<string, number>();
  private entries = new Map<string, Entry>();
  constructor(private readonly maxEntries = 10_000) {}

  /** Call before reading: the versions a fresh entry will be checked against. */
  ticket(customerKey: string, variant: string): Ticket {
    return {
      key: `${customerKey}|${variant}`,
      customerKey,
      global: this.global,
      customer: this.customers.get(customerKey) ?? 0,
    };
  }

  get(t: Ticket, now: number): Entry | undefined {
    const e = this.entries.get(t.key);
    if (!e) return undefined;
    if (e.global !== this.global || e.customer !== (this.customers.get(t.customerKey) ?? 0) || now >= e.validUntil) {
      this.entries.delete(t.key);
      return undefined;
    }
    return e;
  }

  put(t: Ticket, raw: string, validUntil: number): Entry {
    const e: Entry = {
      global: t.global,
      customer: t.customer,
      validUntil,
      raw,
      gz: null,
      etag: `W/"${createHash('sha1').update(raw).digest('base64url')}"`,
    };
    if (this.maxEntries === 0) return e; // keeps nothing: every read is answered fresh (and still gets its ETag)
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(t.key, e);
    return e;
  }

  gzip(e: Entry): Buffer {
    return (e.gz ??= gzipSync(e.raw, { level: 6 }));
  }

  bumpCustomer(customerKey: string) {
    this.customers.set(customerKey, (this.customers.get(customerKey) ?? 0) + 1);
  }
  bumpAll() {
    this.global++;
    this.entries.clear();
  }
  /** Forgets every entry and customer version; a read begun before answers but is never kept. */
  clear() {
    this.bumpAll();
    this.customers.clear();
  }
}

/** The cache's key of one customer's reads (and of the writes that invalidate them). */
export const customerCacheKey = (orgId: string, customerId: number) => `${orgId}:${customerId}`;

/** The first instant at which any of these challenges' views could read differently. */
export function validUntil(challenges: Challenge[], now: number): number {
  let until = now + DAY;
  const consider = (ms: number) => {
    if (ms > now && ms < until) until = ms;
  };
  for (const c of challenges) {
    const end = Date.parse(c.endsAt);
    consider(end);
    if (c.daysLeft > 0) consider(end - (c.daysLeft - 1) * DAY);
    for (const p of c.periods) {
      consider(Date.parse(p.start));
      consider(Date.parse(p.end));
    }
  }
  return until;
}
