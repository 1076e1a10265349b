/**
 * Fixed-window request counters, one window per key starting at its first request: the widget
 * API's per-address and per-customer limits. Replaces @fastify/rate-limit's `createRateLimit`,
 * whose generic path (async key generator, promise-wrapped store, an LRU of 5,000 keys) cost
 * about 2.5 % of a log request's CPU for the two checks (bench/log-throughput.ts, BENCH_PROFILE=1);
 * this is one Map lookup per check. Expired windows are swept at most once a window, when many
 * keys are held, so memory stays bounded by the keys seen within one window.
 */
export class RateLimiter {
  private windows = new Map<string, { n: number; end: number }>();
  private nextSweep = 0;
  constructor(
    readonly max: number,
    readonly windowMs = 60_000,
    readonly sweepAbove = 10_000,
  ) {}

  /** Counts one request for `key`. Returns 0 while within the limit, else the seconds until its window ends. */
  hit(key: string, now = Date.now()): number {
    let w = this.windows.get(key);
    if (!w) {
      if (this.windows.size >= this.sweepAbove && now >= this.nextSweep) this.sweep(now);
      w = { n: 0, end: now + this.windowMs };
      this.windows.set(key, w);
    } else if (now >= w.end) {
      w.n = 0;
      w.end = now + this.windowMs;
    }
    w.n++;
    return w.n > this.max ? Math.max(1, Math.ceil((w.end - now) / 1000)) : 0;
  }

  get size() {
    return this.windows.size;
  }

  private sweep(now: number) {
    for (const [k, w] of this.windows) if (now >= w.end) this.windows.delete(k);
    this.nextSweep = now + this.windowMs;
  }
}

/**
 * Failed logins per key (a credential, a client address): the first `free` failures within
 * `forgetMs` of each other cost nothing; each further one — including an attempt refused because
 * the key must still wait — doubles the wait (1 s, 2 s, 4 s, … at most `maxDelayS`, 5 minutes). A key is
 * forgotten after `forgetMs` without failures, or when its credential logs in.
 */
export class LoginFailures {
  private entries = new Map<string, { n: number; until: number; last: number }>();
  private nextSweep = 0;
  constructor(
    readonly free: number,
    readonly maxDelayS = 300,
    readonly forgetMs = 15 * 60_000,
    readonly sweepAbove = 10_000,
  ) {}

  /** Seconds `key` must still wait before its next attempt (0: it may try now). */
  wait(key: string, now = Date.now()): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    if (now - e.last >= this.forgetMs) {
      this.entries.delete(key);
      return 0;
    }
    return e.until > now ? Math.ceil((e.until - now) / 1000) : 0;
  }

  /** Counts a failed or refused attempt; returns the wait it imposes in seconds (0 within the free budget). */
  fail(key: string, now = Date.now()): number {
    let e = this.entries.get(key);
    if (e && now - e.last >= this.forgetMs) {
      this.entries.delete(key);
      e = undefined;
    }
    if (!e) {
      if (this.entries.size >= this.sweepAbove && now >= this.nextSweep) this.sweep(now);
      e = { n: 0, until: 0, last: now };
      this.entries.set(key, e);
    }
    e.n++;
    e.last = now;
    if (e.n <= this.free) return 0;
    const delay = Math.min(2 ** Math.min(e.n - this.free - 1, 30), this.maxDelayS);
    e.until = now + delay * 1000;
    return delay;
  }

  /** A successful login: the credential's failures are forgiven. */
  succeed(key: string) {
    this.entries.delete(key);
  }

  get size() {
    return this.entries.size;
  }

  private sweep(now: number) {
    for (const [k, e] of this.entries) if (now - e.last >= this.forgetMs) this.entries.delete(k);
    this.nextSweep = now + 60_000;
  }
}
