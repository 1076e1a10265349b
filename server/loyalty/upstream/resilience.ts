/**
 * What keeps the upstream client (client.ts) polite and safe in front of a brand's real Capillary
 * organisation: typed errors, an injectable clock, backoff with full jitter, `Retry-After`, a
 * client-side request budget per API key (never exceeded) and a circuit breaker per organisation.
 * Node built-ins only; see docs/upstream.md ("The upstream client").
 */

/** Time as the budget, the breaker, the token cache and the backoff see it (tests compress it). */
export interface Clock {
  /** Milliseconds since the epoch (or any fixed origin). */
  now(): number;
  /** Resolves after `ms` of this clock's time. */
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/** Every failure of an upstream call; `op` names the call ("GET v3/users/{userId}/targetGroups"), never a credential. */
export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly op: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The organisation cannot be reached or answered 5xx / dropped the connection, or the breaker is
 * open (`breakerOpen`), or it asked us to wait longer than we are allowed to (`retryAfterMs`). The
 * caller queues the work, answers 503 UPSTREAM_UNAVAILABLE or serves a stale read.
 */
export class UpstreamUnavailable extends UpstreamError {
  constructor(
    message: string,
    op: string,
    readonly detail: { status?: number; breakerOpen?: boolean; retryAfterMs?: number; cause?: string } = {},
  ) {
    super(message, op);
  }
}

/** A connect or total timeout (`phase`); the request may or may not have been processed upstream. */
export class UpstreamTimeout extends UpstreamError {
  constructor(
    op: string,
    readonly phase: 'connect' | 'total',
    readonly afterMs: number,
  ) {
    super(`${op}: no ${phase === 'connect' ? 'connection' : 'answer'} within ${afterMs} ms`, op);
  }
}

/**
 * The organisation refused the request: HTTP 4xx, or an envelope carrying errors (v3 `errors[]`,
 * api_gateway `status.code` ≠ 200 / `validationErrors`, webhook `status.code` ≠ 1100), with the
 * vendor's code and message (credentials redacted). Never retried (except 401 once, with a new token).
 */
export class UpstreamRejected extends UpstreamError {
  constructor(
    op: string,
    readonly status: number,
    readonly code: number | string | undefined,
    readonly vendorMessage: string,
  ) {
    super(`${op}: rejected (HTTP ${status}${code != null ? `, code ${code}` : ''}): ${vendorMessage}`, op);
  }
}

/** A 2xx answer the client cannot read (not JSON, or without the fields the call needs). */
export class UpstreamMalformed extends UpstreamError {}

/** Backoff and retry settings. Attempts include the first one. */
export interface RetryOptions {
  /** Attempts of one call in all (default 3). */
  attempts: number;
  /** First backoff ceiling (default 200 ms); the n-th retry waits random(0, min(cap, base·2ⁿ)). */
  baseMs: number;
  /** Largest backoff ceiling (default 5 s). */
  capMs: number;
  /** A Retry-After longer than this is not waited: the call fails UpstreamUnavailable with `retryAfterMs` (default 30 s). */
  maxRetryAfterMs: number;
}
export const defaultRetry: RetryOptions = { attempts: 3, baseMs: 200, capMs: 5000, maxRetryAfterMs: 30_000 };

/** Full jitter (AWS architecture blog): random(0, min(cap, base·2^retry)), retry counted from 0. */
export function backoffMs(retry: number, o: RetryOptions, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(o.capMs, o.baseMs * 2 ** retry));
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (header == null) return undefined;
  const h = header.trim();
  if (/^\d+(\.\d+)?$/.test(h)) return Math.ceil(Number(h) * 1000);
  const at = Date.parse(h);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface BudgetOptions {
  /** Requests per window (default 100: Capillary's documented per-key limit on demo clusters). */
  perMinute: number;
  /** The window (default 60 000 ms). */
  windowMs: number;
  /**
   * Extra hold per request (default 1 000 ms): a granted slot stays taken windowMs + marginMs, so
   * that transit-time differences cannot put more than `perMinute` requests into the vendor's window.
   */
  marginMs: number;
}

/**
 * A client-side request budget for one API key: a sliding-window log. `acquire()` resolves when a
 * request may leave; callers are served first come, first served. Any `windowMs + marginMs` span of
 * grants holds at most `perMinute` of them, so neither a sliding nor a fixed window upstream sees more.
 */
export class RequestBudget {
  readonly options: BudgetOptions;
  private readonly granted: number[] = [];
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;

  constructor(
    options: Partial<BudgetOptions> = {},
    private readonly clock: Clock = systemClock,
  ) {
    this.options = { perMinute: 100, windowMs: 60_000, marginMs: 1000, ...options };
    if (!(this.options.perMinute >= 1)) throw new RangeError('budget perMinute must be at least 1');
  }

  /** Callers waiting for a slot. */
  get queued(): number {
    return this.waiting;
  }

  acquire(): Promise<void> {
    this.waiting++;
    const turn = this.tail.then(() => this.take());
    this.tail = turn.catch(() => undefined);
    return turn.finally(() => this.waiting--);
  }

  private async take(): Promise<void> {
    const hold = this.options.windowMs + this.options.marginMs;
    for (;;) {
      const now = this.clock.now();
      while (this.granted.length > 0 && this.granted[0]! + hold <= now) this.granted.shift();
      if (this.granted.length < this.options.perMinute) {
        this.granted.push(now);
        return;
      }
      await this.clock.sleep(this.granted[0]! + hold - now);
    }
  }
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures (timeouts, connection errors, 5xx) that open the breaker (default 5). */
  failureThreshold: number;
  /** Time open before one probe is let through (default 30 s). */
  coolDownMs: number;
}

/**
 * A circuit breaker for one organisation. Closed: calls pass, consecutive failures are counted.
 * Open (after `failureThreshold` of them): calls fail fast with UpstreamUnavailable until
 * `coolDownMs` has passed. Half-open: one probe passes (others still fail fast); its success closes
 * the breaker, its failure opens it for another cool-down. A refusal (4xx) counts as a success: the
 * organisation answered.
 */
export class CircuitBreaker {
  readonly options: BreakerOptions;
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private current: BreakerState = 'closed';

  constructor(
    options: Partial<BreakerOptions> = {},
    private readonly clock: Clock = systemClock,
  ) {
    this.options = { failureThreshold: 5, coolDownMs: 30_000, ...options };
  }

  /** The state now (an open breaker whose cool-down has passed reads half-open). */
  get state(): BreakerState {
    if (this.current === 'open' && this.clock.now() - this.openedAt >= this.options.coolDownMs) return 'half-open';
    return this.current;
  }

  /** Milliseconds until an open breaker lets a probe through (0 otherwise). */
  get retryInMs(): number {
    return this.current === 'open' ? Math.max(0, this.openedAt + this.options.coolDownMs - this.clock.now()) : 0;
  }

  /** Whether a call may go now; a true answer in half-open is the probe, which must report back. */
  tryAdmit(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open') return false;
    if (this.probing) return false;
    this.current = 'half-open';
    this.probing = true;
    return true;
  }

  success(): void {
    this.failures = 0;
    this.probing = false;
    this.current = 'closed';
  }

  /** The call ended in a way that says nothing of the organisation's health (a 429, a caller error). */
  neutral(): void {
    this.probing = false;
  }

  failure(): void {
    this.failures++;
    if (this.current === 'half-open' || this.failures >= this.options.failureThreshold) {
      this.current = 'open';
      this.openedAt = this.clock.now();
    }
    this.probing = false;
  }
}
