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
  constructor(readonly max: number, readonly windowMs = 60_000, readonly sweepAbove = 10_000) {}

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

  get size() { return this.windows.size; }

  private sweep(now: number) {
    for (const [k, w] of this.windows) if (now >= w.end) this.windows.delete(k);
    this.nextSweep = now + this.windowMs;
  }
}
