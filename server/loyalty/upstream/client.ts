/**
 * `CapillaryClient`: the HTTP client the upstream loyalty backend drives one brand's real Capillary
 * organisation with (capillary-api.md §3–§12, §14). One client per organisation: its OAuth token
 * cache, its request budget (per API key, shareable) and its circuit breaker live here. Typed
 * methods in, small typed results out (parse.ts); every failure is an UpstreamError
 * (resilience.ts). No credential is ever logged or put in an error. See docs/upstream.md.
 */
import { createHash } from 'node:crypto';
import type { UpstreamOrgConfig } from '../../model/org.js';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import {
  CircuitBreaker,
  RequestBudget,
  UpstreamError,
  UpstreamMalformed,
  UpstreamRejected,
  UpstreamTimeout,
  UpstreamUnavailable,
  backoffMs,
  defaultRetry,
  retryAfterMs,
  systemClock,
  type BreakerOptions,
  type BreakerState,
  type BudgetOptions,
  type Clock,
  type RetryOptions,
} from './resilience.js';
import {
  parseBalance,
  parseCustomer,
  parseEnrolment,
  parseLedger,
  parsePromotion,
  parsePromotionList,
  parseTargetGroup,
  parseTargetGroupList,
  parseToken,
  parseUserTargetGroups,
  parseWebhook,
  parseIssuedReward,
  type IssuedReward,
  refusalOf,
  type Balance,
  type CustomerRef,
  type LedgerPage,
  type PromotionRef,
  type TargetGroupRef,
  type UserTargetGroups,
} from './parse.js';
import {
  checkBody,
  type BodyKind,
  type EnrolBody,
  type EventBody,
  type RewardIssueBody,
  type PromotionBody,
  type TargetGroupBody,
  type UnenrolBody,
} from './schemas.js';

/** What the client needs of an organisation's `upstream` config (server/model/org.ts; docs/upstream.md). */
export type UpstreamConfig = Pick<
  UpstreamOrgConfig,
  'baseUrl' | 'webhookUrl' | 'oauth' | 'till' | 'programId' | 'awardStrategyId' | 'expiryStrategyId'
> & {
  /** The identifier the webhook's customer_id carries (externalId, mobile, …). */
  customerIdentifier: string;
};

export interface ClientOptions {
  /** TCP connect timeout per attempt (default 1 000 ms). */
  connectTimeoutMs?: number;
  /** Whole-attempt timeout, connect to last byte (default 5 000 ms). Budget waits and backoff are not counted. */
  totalTimeoutMs?: number;
  retry?: Partial<RetryOptions>;
  /** A budget to share with other clients of the same API key, or its options (default 100 per minute). */
  budget?: RequestBudget | Partial<BudgetOptions>;
  /** A breaker to share, or its options (default: opens after 5 consecutive failures, 30 s cool-down). */
  breaker?: CircuitBreaker | Partial<BreakerOptions>;
  clock?: Clock;
  /** Backoff jitter source (default Math.random). */
  random?: () => number;
  /** Told of every attempt (for logs and metrics); carries no credential, body or query string. */
  onAttempt?: (a: AttemptReport) => void;
  /** Largest answer body read (default 4 MiB). */
  maxBodyBytes?: number;
  /** Host name resolution (default the system's); resolving counts toward the connect timeout. */
  lookup?: LookupFunction;
}

export interface AttemptReport {
  op: string;
  attempt: number;
  status?: number;
  ms: number;
  outcome: 'ok' | 'rejected' | 'retry' | 'failed';
  error?: string;
}

/** Per call: whether a POST may be sent again after a failure it may have survived (unique-key webhook posts). */
export interface CallOptions {
  idempotent?: boolean;
}

type Auth = 'api' | 'webhook' | 'none';
interface Call {
  method: 'GET' | 'POST';
  url: URL;
  /** The call's name in errors and reports: method and path template, never ids, queries or secrets. */
  op: string;
  body?: { kind: BodyKind; value: unknown };
  idempotent: boolean;
  auth: Auth;
}
interface Answer {
  status: number;
  retryAfter?: string;
  text: string;
}
/** A failed attempt and whether the request surely never reached the organisation. */
interface Failure {
  error: UpstreamError;
  unsent: boolean;
}

const UNSENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export class CapillaryClient {
  readonly budget: RequestBudget;
  readonly breaker: CircuitBreaker;
  private readonly clock: Clock;
  private readonly retry: RetryOptions;
  private readonly connectMs: number;
  private readonly totalMs: number;
  private readonly maxBody: number;
  private readonly random: () => number;
  private readonly base: URL;
  private readonly agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 32 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 32 }),
  };
  private token?: { value: string; renewAt: number };
  private tokenFetch?: Promise<string>;
  private readonly secrets: string[];
  private readonly basic?: string;

  constructor(
    private readonly config: UpstreamConfig,
    private readonly options: ClientOptions = {},
  ) {
    if (!config.oauth && !config.till) throw new TypeError('upstream config needs oauth or till credentials');
    this.clock = options.clock ?? systemClock;
    this.retry = { ...defaultRetry, ...options.retry };
    this.connectMs = options.connectTimeoutMs ?? 1000;
    this.totalMs = options.totalTimeoutMs ?? 5000;
    this.maxBody = options.maxBodyBytes ?? 4 * 1024 * 1024;
    this.random = options.random ?? Math.random;
    this.budget =
      options.budget instanceof RequestBudget ? options.budget : new RequestBudget(options.budget, this.clock);
    this.breaker =
      options.breaker instanceof CircuitBreaker ? options.breaker : new CircuitBreaker(options.breaker, this.clock);
    this.base = new URL(config.baseUrl.endsWith('/') ? config.baseUrl : `${config.baseUrl}/`);
    const secrets: string[] = [];
    if (config.oauth) secrets.push(config.oauth.secret, config.oauth.key);
    if (config.till) {
      const md5 = createHash('md5').update(config.till.password).digest('hex');
      this.basic = Buffer.from(`${config.till.user}:${md5}`).toString('base64');
      secrets.push(config.till.password, md5, this.basic);
    }
    this.secrets = secrets.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  }

  /** The organisation's breaker: 'open' means calls fail fast (queue logs, answer 503, serve stale reads). */
  get state(): BreakerState {
    return this.breaker.state;
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  // ---- customers ---------------------------------------------------------------------------------

  /** externalId → the Capillary userId (it never changes: the caller caches it). */
  lookupCustomer(externalId: string): Promise<CustomerRef> {
    const url = this.url('v2/customers/lookup/customerDetails', {
      source: 'INSTORE',
      identifierName: 'externalId',
      identifierValue: externalId,
    });
    return this.call(
      { method: 'GET', url, op: 'GET v2/customers/lookup/customerDetails', idempotent: true, auth: 'api' },
      parseCustomer,
    );
  }

  // ---- target groups -----------------------------------------------------------------------------

  /** `POST v3/targetGroups`: not idempotent (a lost answer is resolved with findTargetGroupByName). */
  createTargetGroup(body: TargetGroupBody): Promise<TargetGroupRef> {
    return this.call(
      {
        method: 'POST',
        url: this.url('v3/targetGroups'),
        op: 'POST v3/targetGroups',
        body: { kind: 'targetGroup', value: body },
        idempotent: false,
        auth: 'api',
      },
      parseTargetGroup,
    );
  }

  /**
   * The user-created group named exactly `name`, or null: `GET v3/milestones?name=…` with UCC groups
   * included, paged (at most `maxPages` of 100).
   */
  async findTargetGroupByName(name: string, maxPages = 10): Promise<TargetGroupRef | null> {
    for (let page = 0; page < maxPages; page++) {
      const url = this.url('v3/milestones', {
        name,
        includeUserCreatedTargetGroups: 'true',
        'require-periods': 'true',
        limit: '100',
        offset: String(page * 100),
      });
      const { groups, total } = await this.call(
        { method: 'GET', url, op: 'GET v3/milestones', idempotent: true, auth: 'api' },
        parseTargetGroupList,
      );
      const hit = groups.find((g) => g.name === name);
      if (hit) return hit;
      if (groups.length < 100 || (total !== undefined && (page + 1) * 100 >= total)) return null;
    }
    return null;
  }

  /** Enrols from `body[].periodName` on. Not idempotent by default (a repeat answers 310119 "already enrolled"). */
  enrol(targetGroupId: number, targetId: number, body: EnrolBody, o: CallOptions = {}) {
    return this.call(
      {
        method: 'POST',
        url: this.url(`v3/targetGroups/${targetGroupId}/targets/${targetId}/enroll`),
        op: 'POST v3/targetGroups/{tg}/targets/{target}/enroll',
        body: { kind: 'enrol', value: body },
        idempotent: o.idempotent ?? false,
        auth: 'api',
      },
      parseEnrolment,
    );
  }

  unenrol(targetGroupId: number, targetId: number, body: UnenrolBody, o: CallOptions = {}) {
    return this.call(
      {
        method: 'POST',
        url: this.url(`v3/targetGroups/${targetGroupId}/targets/${targetId}/unEnroll`),
        op: 'POST v3/targetGroups/{tg}/targets/{target}/unEnroll',
        body: { kind: 'unenrol', value: body },
        idempotent: o.idempotent ?? false,
        auth: 'api',
      },
      parseEnrolment,
    );
  }

  // ---- promotions --------------------------------------------------------------------------------

  /**
   * `POST api_gateway/loyalty/v1/programs/{programId}/createPromotion/{promotionType}` (the
   * configured program). The vendor lists SIMPLE, RANGE and KEYWORD (its example: `simple`).
   */
  createUccPromotion(body: PromotionBody, o: { promotionType?: string } = {}): Promise<PromotionRef> {
    if (body.promotion.programId !== this.config.programId)
      throw new TypeError(`the promotion's programId is not the organisation's (${this.config.programId})`);
    const type = encodeURIComponent(o.promotionType ?? 'SIMPLE');
    return this.call(
      {
        method: 'POST',
        url: this.url(`api_gateway/loyalty/v1/programs/${this.config.programId}/createPromotion/${type}`),
        op: 'POST api_gateway/loyalty/v1/programs/{programId}/createPromotion/{promotionType}',
        body: { kind: 'promotion', value: body },
        idempotent: false,
        auth: 'api',
      },
      parsePromotion,
    );
  }

  /**
   * The program's user-created promotion with this identifier, or null: `GET
   * api_gateway/loyalty/v1/programs/{programId}/userCreatedPromotions?sourceType=USER_CREATED`, paged
   * (at most `maxPages` of 100). The saga's recovery when a create's answer was lost.
   */
  async findPromotionByIdentifier(identifier: string, maxPages = 10): Promise<{ id: number } | null> {
    for (let page = 0; page < maxPages; page++) {
      const url = this.url(`api_gateway/loyalty/v1/programs/${this.config.programId}/userCreatedPromotions`, {
        sourceType: 'USER_CREATED',
        includeInactivePromotions: 'true',
        limit: '100',
        offset: String(page * 100),
      });
      const list = await this.call(
        {
          method: 'GET',
          url,
          op: 'GET api_gateway/loyalty/v1/programs/{programId}/userCreatedPromotions',
          idempotent: true,
          auth: 'api',
        },
        parsePromotionList,
      );
      const hit = list.find((p) => p.identifier === identifier);
      if (hit) return { id: hit.id };
      if (list.length < 100) return null;
    }
    return null;
  }

  // ---- events ------------------------------------------------------------------------------------

  /**
   * One occurrence to the organisation's webhook → its requestId (processed asynchronously). Mark it
   * idempotent only when the event's unique-key fields make a repeat harmless.
   */
  postEvent(payload: EventBody, o: CallOptions = {}): Promise<{ requestId: string }> {
    return this.call(
      {
        method: 'POST',
        url: new URL(this.config.webhookUrl),
        op: 'POST webhook',
        body: { kind: 'event', value: payload },
        idempotent: o.idempotent ?? false,
        auth: 'webhook',
      },
      parseWebhook,
    );
  }

  // ---- progress and points -----------------------------------------------------------------------

  /** Per group the customer is in: per period `targetAchievedValue`, streak `currentCount`. */
  userTargetGroups(userId: number): Promise<UserTargetGroups> {
    return this.call(
      {
        method: 'GET',
        // User-created groups are left out unless asked for (capillary-api.md §14).
        url: this.url(`v3/users/${userId}/targetGroups`, { includeUserCreatedTargetGroups: 'true' }),
        op: 'GET v3/users/{userId}/targetGroups',
        idempotent: true,
        auth: 'api',
      },
      parseUserTargetGroups,
    );
  }

  pointsBalance(userId: number): Promise<Balance> {
    return this.call(
      {
        method: 'GET',
        url: this.url(`v2/customers/${userId}/points/balance`, { programId: String(this.config.programId) }),
        op: 'GET v2/customers/{userId}/points/balance',
        idempotent: true,
        auth: 'api',
      },
      parseBalance,
    );
  }

  /** A page of the points ledger, newest first (`limit` 1..100). */
  ledger(userId: number, page: { limit: number; offset: number }): Promise<LedgerPage> {
    const limit = Math.min(100, Math.max(1, Math.floor(page.limit)));
    const url = this.url('v2/pointsLedger/getCustomerLedgerInfo', {
      identifierName: 'id',
      identifierValue: String(userId),
      source: 'INSTORE',
      limit: String(limit),
      offset: String(Math.max(0, Math.floor(page.offset))),
      order: 'DESC',
    });
    return this.call(
      { method: 'GET', url, op: 'GET v2/pointsLedger/getCustomerLedgerInfo', idempotent: true, auth: 'api' },
      parseLedger,
    );
  }

  // ---- rewards -----------------------------------------------------------------------------------

  /**
   * Spends the customer's points on a catalogue reward and answers its coupon, in one call
   * (`POST api_gateway/rewards/core/v1/user/reward/{rewardId}/issue?username={till}&skip_validation=true`;
   * capillary-api.md §15). `requestId` is the vendor's documented idempotency key: the same one again
   * answers the first issue, so a lost answer is retried safely.
   */
  issueReward(rewardId: number, body: RewardIssueBody): Promise<IssuedReward> {
    const url = this.url(`api_gateway/rewards/core/v1/user/reward/${rewardId}/issue`, {
      ...(this.config.till ? { username: this.config.till.user } : {}),
      skip_validation: 'true',
    });
    return this.call(
      {
        method: 'POST',
        url,
        op: 'POST api_gateway/rewards/core/v1/user/reward/{rewardId}/issue',
        body: { kind: 'rewardIssue', value: body },
        idempotent: true,
        auth: 'api',
      },
      parseIssuedReward,
    );
  }

  // ---- the machinery -----------------------------------------------------------------------------

  private url(path: string, query: Record<string, string> = {}): URL {
    const u = new URL(path, this.base);
    for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
    return u;
  }

  /** `text` with every configured credential (and the current token) replaced. */
  private redact(text: string): string {
    let out = text;
    const all = this.token ? [this.token.value, ...this.secrets] : this.secrets;
    for (const s of all) out = out.split(s).join('[redacted]');
    return out;
  }

  private async accessToken(): Promise<string> {
    if (this.token && this.clock.now() < this.token.renewAt) return this.token.value;
    this.tokenFetch ??= this.fetchToken().finally(() => (this.tokenFetch = undefined));
    return this.tokenFetch;
  }

  /** `POST v3/oauth/token/generate`; renewed a tenth of its life (at most a minute) before it expires. */
  private async fetchToken(): Promise<string> {
    const t = await this.call(
      {
        method: 'POST',
        url: this.url('v3/oauth/token/generate'),
        op: 'POST v3/oauth/token/generate',
        body: { kind: 'oauth', value: { key: this.config.oauth!.key, secret: this.config.oauth!.secret } },
        idempotent: true,
        auth: 'none',
      },
      parseToken,
    );
    const lifeMs = t.ttlSeconds * 1000;
    this.token = { value: t.accessToken, renewAt: this.clock.now() + lifeMs - Math.min(60_000, lifeMs / 10) };
    return t.accessToken;
  }

  private async authHeaders(auth: Auth): Promise<Record<string, string>> {
    if (auth === 'none') return {};
    const basic = this.basic ? { authorization: `Basic ${this.basic}` } : undefined;
    // The webhook's sample authenticates with Basic; the APIs prefer OAuth when configured.
    if (auth === 'webhook' && basic) return basic;
    if (this.config.oauth) return { 'x-cap-api-oauth-token': await this.accessToken() };
    return basic!;
  }

  private report(a: AttemptReport) {
    try {
      this.options.onAttempt?.(a);
    } catch {
      /* a report hook never breaks a call */
    }
  }

  /**
   * One call: budget, breaker, timeouts, retries (GET and calls marked idempotent; any call whose
   * request surely never left, or that was answered 429), Retry-After, one token renewal on 401,
   * then the vendor's envelope: a refusal is an UpstreamRejected, else `parse` reads the answer.
   */
  private async call<T>(c: Call, parse: (body: unknown, op: string) => T): Promise<T> {
    let payload: string | undefined;
    if (c.body) {
      const problems = checkBody(c.body.kind, c.body.value);
      if (problems.length > 0)
        throw new TypeError(`${c.op}: the body is not valid: ${problems.slice(0, 5).join('; ')}`);
      payload = JSON.stringify(c.body.value);
    }
    let attempt = 0;
    let retries = 0;
    let renewed = false;
    for (;;) {
      attempt++;
      const headers = await this.authHeaders(c.auth);
      if (!this.breaker.tryAdmit())
        throw new UpstreamUnavailable(`${c.op}: the organisation's circuit is open`, c.op, {
          breakerOpen: true,
          retryAfterMs: this.breaker.retryInMs,
        });
      const canRetry = attempt < this.retry.attempts;
      await this.budget.acquire();
      const started = this.clock.now();
      let answer: Answer;
      try {
        answer = await this.send(c, headers, payload);
      } catch (e) {
        if (!(e && typeof e === 'object' && 'error' in e && e.error instanceof UpstreamError)) {
          this.breaker.neutral(); // our own mistake (a header Node refuses): says nothing of the organisation
          throw e;
        }
        const f = e as Failure;
        this.breaker.failure();
        const again = canRetry && (c.idempotent || f.unsent);
        this.report({
          op: c.op,
          attempt,
          ms: this.clock.now() - started,
          outcome: again ? 'retry' : 'failed',
          error: f.error.message,
        });
        if (!again) throw f.error;
        await this.clock.sleep(backoffMs(retries++, this.retry, this.random));
        continue;
      }
      const ms = this.clock.now() - started;
      const { status } = answer;
      const wait = retryAfterMs(answer.retryAfter, Date.now());
      if (status === 429 || status >= 500) {
        if (status === 429) this.breaker.neutral();
        else this.breaker.failure();
        // A 429 was not processed: any call may go again. A 5xx may have been: only safe calls.
        const again =
          canRetry && (status === 429 || c.idempotent) && (wait === undefined || wait <= this.retry.maxRetryAfterMs);
        this.report({ op: c.op, attempt, status, ms, outcome: again ? 'retry' : 'failed' });
        if (!again)
          throw new UpstreamUnavailable(
            `${c.op}: HTTP ${status}${status === 429 ? ' (request budget exceeded upstream)' : ''}`,
            c.op,
            { status, ...(wait !== undefined ? { retryAfterMs: wait } : {}) },
          );
        await this.clock.sleep(wait ?? backoffMs(retries++, this.retry, this.random));
        continue;
      }
      this.breaker.success();
      let body: unknown;
      try {
        body = answer.text.trim() === '' ? undefined : JSON.parse(answer.text);
      } catch {
        body = undefined;
        if (status < 400) {
          this.report({ op: c.op, attempt, status, ms, outcome: 'failed', error: 'not JSON' });
          throw new UpstreamMalformed(`${c.op}: HTTP ${status} with a body that is not JSON`, c.op);
        }
      }
      if (status === 401 && c.auth !== 'none' && headers['x-cap-api-oauth-token'] && !renewed) {
        // Expired or revoked early: one new token, one more try (a 401 was not processed).
        renewed = true;
        if (this.token?.value === headers['x-cap-api-oauth-token']) this.token = undefined;
        attempt--;
        this.report({ op: c.op, attempt, status, ms, outcome: 'retry' });
        continue;
      }
      const refusal = refusalOf(body);
      if (status >= 400 || refusal) {
        this.report({ op: c.op, attempt, status, ms, outcome: 'rejected' });
        const message = this.redact(refusal?.message ?? answer.text).slice(0, 500) || `HTTP ${status}`;
        throw new UpstreamRejected(c.op, status, refusal?.code, message);
      }
      try {
        const result = parse(body, c.op);
        this.report({ op: c.op, attempt, status, ms, outcome: 'ok' });
        return result;
      } catch (e) {
        this.report({ op: c.op, attempt, status, ms, outcome: 'failed', error: (e as Error).message });
        throw e;
      }
    }
  }

  /** One HTTP exchange with the connect and total timeouts; rejects with a Failure. */
  private send(c: Call, headers: Record<string, string>, payload: string | undefined): Promise<Answer> {
    const { op } = c;
    const lib = c.url.protocol === 'https:' ? https : http;
    const agent = c.url.protocol === 'https:' ? this.agents.https : this.agents.http;
    return new Promise<Answer>((resolve, reject) => {
      let settled = false;
      let connectTimer: NodeJS.Timeout | undefined;
      const finish = (f: Failure | null, a?: Answer) => {
        if (settled) return;
        settled = true;
        clearTimeout(totalTimer);
        clearTimeout(connectTimer);
        if (f) {
          reject(f);
          req.destroy();
        } else resolve(a!);
      };
      const req = lib.request(c.url, {
        method: c.method,
        agent,
        ...(this.options.lookup ? { lookup: this.options.lookup } : {}),
        headers: {
          accept: 'application/json',
          ...(payload !== undefined
            ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }
            : {}),
          ...headers,
        },
      });
      const totalTimer = setTimeout(
        () => finish({ error: new UpstreamTimeout(op, 'total', this.totalMs), unsent: false }),
        this.totalMs,
      );
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        connectTimer = setTimeout(
          () => finish({ error: new UpstreamTimeout(op, 'connect', this.connectMs), unsent: true }),
          this.connectMs,
        );
        socket.once('connect', () => clearTimeout(connectTimer));
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        const code = err.code ?? 'ERROR';
        finish({
          error: new UpstreamUnavailable(`${op}: ${code === 'ECONNRESET' ? 'connection reset' : code}`, op, {
            cause: code,
          }),
          unsent: UNSENT_CODES.has(code),
        });
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const dropped = () =>
          finish({
            error: new UpstreamUnavailable(`${op}: the connection dropped mid-answer`, op, {
              status: res.statusCode,
              cause: 'ECONNRESET',
            }),
            unsent: false,
          });
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxBody) {
            finish({
              error: new UpstreamMalformed(`${op}: the answer exceeds ${this.maxBody} bytes`, op),
              unsent: false,
            });
            return;
          }
          chunks.push(chunk);
        });
        res.on('aborted', dropped);
        res.on('error', dropped);
        res.on('end', () => {
          if (!res.complete) return dropped();
          const ra = res.headers['retry-after'];
          finish(null, {
            status: res.statusCode ?? 0,
            ...(typeof ra === 'string' ? { retryAfter: ra } : {}),
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('close', () => {
          if (!res.complete) dropped();
        });
      });
      req.end(payload);
    });
  }
}
