import ky, { HTTPError } from 'ky';
import { UccError } from './errors.js';
import type {
  ActivitiesResponse,
  ChallengeResponse,
  ChallengesResponse,
  CreateChallengeRequest,
  ErrorBody,
  LogActivityRequest,
  LogActivityResponse,
  Me,
  PointsResponse,
  RedemptionResponse,
  RedemptionsResponse,
  RewardsResponse,
  TemplatesResponse,
  UndoActivityResponse,
} from './types.js';

export interface UccClientOptions {
  /** API base, e.g. `/ucc/v1` or `https://loyalty.example.com/ucc/v1`; a function is read on every request. */
  base: string | (() => string);
  /** Current customer token (without `Bearer`). */
  token?: () => string | undefined | Promise<string | undefined>;
  /** Asked once when the server answers TOKEN_EXPIRED; resolve true when a fresh token is available. */
  refreshToken?: () => Promise<boolean>;
  /** The language to answer in (`Accept-Language`: template labels and units); the browser's own when unset. */
  locale?: () => string | undefined;
  /** Per-attempt timeout in ms (default 10 000). */
  timeout?: number;
  fetch?: typeof fetch;
}

type Method = 'get' | 'post' | 'patch' | 'delete';
type Query = Record<string, string | number | undefined>;

/** The widget API (`/ucc/v1`), one typed method per endpoint. Elements reach it only through the store. */
export class UccClient {
  #options: UccClientOptions;
  constructor(options: UccClientOptions) {
    this.#options = options;
  }

  templates() {
    return this.#call<TemplatesResponse>('get', 'templates');
  }
  me() {
    return this.#call<Me>('get', 'me');
  }
  updateMe(body: { timeZone: string }) {
    return this.#call<Me>('patch', 'me', { json: body });
  }
  challenges(status: 'active' | 'completed' | 'all' = 'all') {
    return this.#call<ChallengesResponse>('get', 'me/challenges', { query: { status } });
  }
  challenge(id: string) {
    return this.#call<ChallengeResponse>('get', `me/challenges/${enc(id)}`);
  }
  createChallenge(body: CreateChallengeRequest, idempotencyKey?: string) {
    return this.#call<ChallengeResponse>('post', 'me/challenges', { json: body, key: idempotencyKey });
  }
  leaveChallenge(id: string) {
    return this.#call<ChallengeResponse>('delete', `me/challenges/${enc(id)}`);
  }
  /** Safe to retry: the server answers a replay of the same key with the same response. */
  logActivity(body: LogActivityRequest, idempotencyKey: string) {
    return this.#call<LogActivityResponse>('post', 'me/activities', { json: body, key: idempotencyKey, retry: true });
  }
  activities(query: { challengeId?: string; from?: string; to?: string } = {}) {
    return this.#call<ActivitiesResponse>('get', 'me/activities', { query });
  }
  undoActivity(id: string) {
    return this.#call<UndoActivityResponse>('delete', `me/activities/${enc(id)}`);
  }
  points(query: { limit?: number; before?: string } = {}) {
    return this.#call<PointsResponse>('get', 'me/points', { query });
  }
  /** The brand's reward catalogue, with what this customer can afford. */
  rewards() {
    return this.#call<RewardsResponse>('get', 'rewards');
  }
  /** Spends points on a reward. Safe to retry with the same key: a replay never spends twice and answers the same coupon. */
  redeem(rewardId: string, idempotencyKey: string) {
    return this.#call<RedemptionResponse>('post', 'me/redemptions', {
      json: { rewardId },
      key: idempotencyKey,
      retry: true,
    });
  }
  /** The customer's redemptions and their coupons, newest first. */
  redemptions() {
    return this.#call<RedemptionsResponse>('get', 'me/redemptions');
  }

  async #call<T>(
    method: Method,
    path: string,
    o: { json?: unknown; query?: Query; key?: string; retry?: boolean } = {},
  ): Promise<T> {
    const { base, token, refreshToken, locale, timeout = 10_000, fetch } = this.#options;
    // Only the parameters given; none at all when there are none (ky would ask for "path?").
    let searchParams: Record<string, string> | undefined;
    for (const [k, v] of Object.entries(o.query ?? {}))
      if (v !== undefined && v !== '') (searchParams ??= {})[k] = String(v);
    for (let refreshed = false; ; refreshed = true) {
      const t = await token?.();
      const headers: Record<string, string> = {};
      if (t) headers.authorization = `Bearer ${t}`;
      if (o.key) headers['idempotency-key'] = o.key;
      const lang = locale?.();
      if (lang) headers['accept-language'] = lang;
      try {
        return await ky(path, {
          prefixUrl: typeof base === 'function' ? base() : base,
          method,
          json: o.json,
          searchParams,
          headers,
          timeout,
          fetch,
          retry:
            method === 'get' || o.retry
              ? {
                  // Jittered backoff. ky waits a Retry-After of at most 3 s (a longer one is cut to 3 s) before each of
                  // its 2 retries; the error then carries the full Retry-After, which the offline queue waits out.
                  limit: 2,
                  methods: [method],
                  backoffLimit: 3000,
                  maxRetryAfter: 3000,
                  delay: (n) => 200 * 2 ** n * Math.random(),
                }
              : 0,
        }).json<T>();
      } catch (e) {
        const err = await toUccError(e);
        if (err.code === 'TOKEN_EXPIRED' && !refreshed && refreshToken && (await refreshToken())) continue;
        throw err;
      }
    }
  }
}

const enc = encodeURIComponent;

async function toUccError(e: unknown): Promise<UccError> {
  if (e instanceof HTTPError) {
    const { status } = e.response;
    const body = (await e.response.json().catch(() => null)) as ErrorBody | null;
    const x = body?.error;
    const after = e.response.headers.get('retry-after');
    const ms = after ? (isNaN(+after) ? Date.parse(after) - Date.now() : +after * 1000) : 0;
    return new UccError(
      status,
      x?.code ?? `HTTP_${status}`,
      x?.message ?? e.message,
      x?.details,
      ms > 0 ? ms : undefined,
    );
  }
  return new UccError(0, 'NETWORK_ERROR', e instanceof Error ? e.message : String(e));
}

/** The client surface the store needs; tests and custom transports implement it. */
export type UccClientApi = Pick<
  UccClient,
  {
    [K in keyof UccClient]: UccClient[K] extends (...a: never[]) => unknown ? K : never;
  }[keyof UccClient]
>;
