/**
 * A cache of serialised `GET /me/challenges` answers (the widgets' progress read, up to ~100 kB
 * for 20 long challenges), kept with its ETag and its gzip form.
 *
 * Correctness rests on two rules:
 * - Versions: every entry remembers the global version and its customer's version at the moment
 *   its read began. A write bumps them when it arrives AND after it has answered (so after its
 *   COMMIT): a read that saw data from before a write can never outlive it. Widget writes bump their
 *   customer; every other write (Capillary API, webhook, demo clock and reset) bumps everything.
 *   Where other processes write the same database (PostgreSQL), this process cannot see their
 *   writes: the versions then come from the database (Store.dataVersion, read before the data), and
 *   an entry is served only while the database's version is still the one it was read at.
 * - Time: an answer depends on "now" (current period, met/missed/ahead, days left, status), so an
 *   entry expires at the first instant any of those could change: the next period start or end,
 *   the challenge's end, or the next change of `daysLeft`.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Challenge } from '../../contract/widget-api.js';

const DAY = 86_400_000;

export interface Entry {
  global: number | string;
  customer: number;
  validUntil: number;
  raw: string;
  etag: string;
  gz: Buffer | null;
}
export interface Ticket {
  key: string;
  customerKey: string;
  /** This process's global version, or the database's data version (then `customer` is 0). */
  global: number | string;
  customer: number;
}

export class ReadCache {
  private global = 0;
  private customers = new Map<string, number>();
  private entries = new Map<string, Entry>();
  constructor(private readonly maxEntries = 10_000) {}

  /**
   * Call before reading: the versions a fresh entry will be checked against — this process's, or
   * `dataVersion` read from the database just now (several processes on one database).
   */
  ticket(customerKey: string, variant: string, dataVersion?: string): Ticket {
    return {
      key: `${customerKey}|${variant}`,
      customerKey,
      global: dataVersion ?? this.global,
      customer: dataVersion === undefined ? (this.customers.get(customerKey) ?? 0) : 0,
    };
  }

  /** The entry of a ticket taken just now, if it was read at the same versions and is still current. */
  get(t: Ticket, now: number): Entry | undefined {
    const e = this.entries.get(t.key);
    if (!e) return undefined;
    if (e.global !== t.global || e.customer !== t.customer || now >= e.validUntil) {
      this.entries.delete(t.key);
      return undefined;
    }
    return e;
  }

  put(t: Ticket, raw: string, validUntil: number): Entry {
    const e = entryOf(t, raw, validUntil);
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

/** An answer with its ETag; `put` keeps one, a read that must not be kept (upstream mode) sends one as it is. */
export function entryOf(t: Pick<Ticket, 'global' | 'customer'>, raw: string, validUntil: number): Entry {
  return {
    global: t.global,
    customer: t.customer,
    validUntil,
    raw,
    gz: null,
    etag: `W/"${createHash('sha1').update(raw).digest('base64url')}"`,
  };
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
