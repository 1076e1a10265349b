/**
 * A Capillary-compatible upstream for tests: a second process of our own server (server/main.ts, through
 * startServer) in demo mode on a fresh database, with UCC_CAPILLARY_ASYNC_MS so that webhook posts are
 * accepted at once and processed later, as the real platform does. `api` reads the upstream's own
 * Capillary API with the demo organisation's till credentials, as the oracle of a test: what the
 * organisation really holds, whatever the client under test believes.
 *
 * The demo organisation (server/seed.ts): org `demo`, till `demo.till`/`demo.pass`, OAuth
 * `demo-key`/`demo-secret`, webhook `/webhooks/demo`, program 1, customers alice, bob and carol
 * (user ids 1001–1003), events waterLogged (glasses), stepsLogged (steps), workoutLogged,
 * meditationLogged (minutes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_TILL_AUTH, startServer } from '../helpers.js';
import { testDb } from '../store-under-test.js';

/** The demo organisation's credentials, as the upstream client's config takes them. */
export const DEMO_UPSTREAM = {
  orgId: 'demo',
  till: { user: 'demo.till', password: 'demo.pass' },
  oauth: { key: 'demo-key', secret: 'demo-secret' },
  webhookPath: 'webhooks/demo',
  programId: 1,
  /** The demo organisation's award strategies: 1 = 100 points, 2 = 10 a period (≤ 200), 3 = 40 a period (≤ 400). */
  awardStrategyId: 2,
  expiryStrategyId: 1,
  customerIdentifier: 'externalId',
  customers: { alice: 1001, bob: 1002, carol: 1003 } as Record<string, number>,
} as const;

/** Polls `fn` until it returns a truthy value (returned), or throws its last error / a timeout. */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  {
    timeoutMs = 5000,
    everyMs = 20,
    what = 'the condition',
  }: { timeoutMs?: number; everyMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
      last = undefined;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= end)
      throw new Error(
        `waitFor: ${what} not met within ${timeoutMs} ms${last ? `: ${(last as Error).message ?? last}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface ApiAnswer {
  status: number;
  body: any;
}

/** A webhook post's state (`GET v2/events/event_data?id=`), data[0] of the answer. */
export interface EventData {
  status: 'ACCEPTED' | 'PROCESSED' | 'FAILED';
  userId: number | null;
  eventName: string;
  duplicate: boolean;
  errorCode: number | null;
  message: string | null;
  acceptedOn: string;
  processedOn: string | null;
  additonalAttributes: Record<string, unknown>;
  [k: string]: unknown;
}

/** One period of a customer's group (`GET v3/users/{userId}/targetGroups`). */
export interface UserPeriod {
  periodId: number;
  periodRefCode: string;
  targetValue: number;
  targetAchievedValue: number;
  currentPeriod: boolean;
  [k: string]: unknown;
}
export interface UserGroup {
  id: number;
  name: string;
  userCreated: boolean;
  targets: UserPeriod[];
  streaks: { streakName: string; status: string; currentCount: number; totalTargetCountOfSequence: number }[];
  [k: string]: unknown;
}

export interface UpstreamApi {
  /** The till's Basic header (`DEMO_TILL_AUTH`). */
  readonly auth: string;
  /** Any call on the upstream with the till's auth; `path` relative to the root (`v3/targetGroups`). */
  call(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<ApiAnswer>;
  /** externalId → userId (`GET v2/customers/lookup/customerDetails`). */
  userId(externalId: string): Promise<number>;
  /** mainPoints (`customerDetails`, then `GET v2/customers/{userId}/points/balance?programId=1`). */
  balance(externalId: string): Promise<number>;
  /** The customer's groups, user-created included (`GET v3/users/{userId}/targetGroups`). */
  targetGroupsOf(externalId: string): Promise<UserGroup[]>;
  /** Sum of targetAchievedValue over every period of every group of the customer (0 when none). */
  achieved(externalId: string): Promise<number>;
  /** Posts an event to the demo webhook as the till; answers the webhook envelope. */
  postEvent(body: Record<string, unknown>): Promise<ApiAnswer>;
  /** A webhook post's state, or null for a requestId the organisation never got (404). */
  eventData(requestId: string): Promise<EventData | null>;
  /** Waits until the post is no longer ACCEPTED; its final state. */
  settled(requestId: string, timeoutMs?: number): Promise<EventData>;
  /** Every target group, user-created included, without periods (`GET v3/targetGroups`, all pages). */
  targetGroups(): Promise<{ id: number; name: string; [k: string]: unknown }[]>;
  /** Every promotion of program 1, user-created, inactive included (`…/programs/1/userCreatedPromotions`, all pages). */
  promotions(): Promise<
    { promotionId: string; promotionName: string; identifier: string; active: boolean; [k: string]: unknown }[]
  >;
}

export interface Upstream {
  /** The upstream's base URL, without a trailing slash (changes only when a restart could not get the port back). */
  readonly url: string;
  /** The webhook URL of the demo organisation. */
  readonly webhookUrl: string;
  readonly port: number;
  /** UCC_DB of the upstream (kept across restarts). */
  readonly db: string;
  readonly running: boolean;
  /** The output (stdout, then stderr) of its latest process. */
  output(): string;
  /** SIGTERM; resolves when the process has exited. */
  stop(): Promise<void>;
  /** SIGKILL (a crash); resolves when the process has exited. */
  kill(): Promise<void>;
  /** Stops it if running, then starts it again on the same database (and the same port if it is free); the URL. */
  restart(env?: Record<string, string>): Promise<string>;
  /** Stops it and removes its database. */
  close(): Promise<void>;
  api: UpstreamApi;
}

/**
 * Starts the upstream: `asyncMs` is UCC_CAPILLARY_ASYNC_MS (null for synchronous webhooks); `env` is
 * added over it (e.g. UCC_RATE_CAPILLARY_PER_MIN).
 */
export async function startUpstream({
  asyncMs,
  env = {},
}: {
  asyncMs: number | null;
  env?: Record<string, string>;
}): Promise<Upstream> {
  const dir = mkdtempSync(join(tmpdir(), 'ucc-upstream-'));
  const db = testDb(dir, 'upstream.db');
  const baseEnv: Record<string, string> = {
    UCC_DEMO: '1',
    UCC_DB: db,
    ...(asyncMs === null ? {} : { UCC_CAPILLARY_ASYNC_MS: String(asyncMs) }),
    ...env,
  };
  let server: ReturnType<typeof startServer> | null = null;
  let last: ReturnType<typeof startServer> | null = null;
  let url = '';
  let port = 0;

  const launch = async (extra: Record<string, string>, wantPort: number) => {
    const s = startServer({ ...baseEnv, ...extra, PORT: String(wantPort) });
    try {
      url = await s.ready;
    } catch (e) {
      if (wantPort !== 0 && /EADDRINUSE/.test((e as Error).message)) return launch(extra, 0);
      throw e;
    }
    server = last = s;
    port = Number(new URL(url).port);
    return url;
  };
  const end = async (signal: 'SIGTERM' | 'SIGKILL') => {
    const s = server;
    if (!s) return;
    server = null;
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill(signal);
    await s.exited;
  };

  try {
    await launch({}, 0);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  // Kill the process if the test runner exits without stopping it.
  const onExit = () => server?.child.kill('SIGKILL');
  process.on('exit', onExit);

  const call = async (method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<ApiAnswer> => {
    const res = await fetch(`${url}/${path.replace(/^\/+/, '')}`, {
      method,
      headers: {
        authorization: DEMO_TILL_AUTH,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: the text as it is
    }
    return { status: res.status, body: parsed };
  };
  const ok = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const r = await call(method, path, body);
    if (r.status !== 200)
      throw new Error(`upstream ${method} ${path.split('?')[0]}: HTTP ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const userIds = new Map<string, number>();
  const api: UpstreamApi = {
    auth: DEMO_TILL_AUTH,
    call,
    async userId(externalId) {
      const known = userIds.get(externalId);
      if (known !== undefined) return known;
      const b = await ok(
        'GET',
        `v2/customers/lookup/customerDetails?source=INSTORE&identifierName=externalId&identifierValue=${encodeURIComponent(externalId)}`,
      );
      userIds.set(externalId, b.id);
      return b.id as number;
    },
    async balance(externalId) {
      const b = await ok('GET', `v2/customers/${await api.userId(externalId)}/points/balance?programId=1`);
      return Number(b.mainPoints);
    },
    async targetGroupsOf(externalId) {
      const id = await api.userId(externalId);
      const out: UserGroup[] = [];
      for (let offset = 0; ;) {
        const b = await ok(
          'GET',
          `v3/users/${id}/targetGroups?includeUserCreatedTargetGroups=true&limit=100&offset=${offset}`,
        );
        const groups = (b.data?.targetGroups ?? []) as UserGroup[];
        out.push(...groups);
        offset += groups.length;
        if (groups.length === 0 || !b.pagination || offset >= b.pagination.total) return out;
      }
    },
    async achieved(externalId) {
      let sum = 0;
      for (const g of await api.targetGroupsOf(externalId))
        for (const t of g.targets) sum += Number(t.targetAchievedValue);
      return sum;
    },
    postEvent: (body) => call('POST', DEMO_UPSTREAM.webhookPath, body),
    async eventData(requestId) {
      const r = await call('GET', `v2/events/event_data?id=${encodeURIComponent(requestId)}`);
      if (r.status === 404) return null;
      if (r.status !== 200) throw new Error(`upstream event_data: HTTP ${r.status}: ${JSON.stringify(r.body)}`);
      return r.body.data[0] as EventData;
    },
    settled: (requestId, timeoutMs = 5000) =>
      waitFor(
        async () => {
          const d = await api.eventData(requestId);
          return d && d.status !== 'ACCEPTED' ? d : null;
        },
        { timeoutMs, what: `webhook post ${requestId} processed` },
      ),
    async targetGroups() {
      const out = [];
      for (let offset = 0; ;) {
        const b = await ok(
          'GET',
          `v3/targetGroups?includeUserCreatedTargetGroups=true&includePeriods=false&limit=100&offset=${offset}`,
        );
        out.push(...b.data);
        offset += b.data.length;
        if (b.data.length === 0 || offset >= b.pagination.total) return out;
      }
    },
    async promotions() {
      const out = [];
      for (let offset = 0; ;) {
        const b = await ok(
          'GET',
          `api_gateway/loyalty/v1/programs/1/userCreatedPromotions?sourceType=USER_CREATED&includeInactivePromotions=true&limit=100&offset=${offset}`,
        );
        out.push(...b.promotions);
        offset += b.promotions.length;
        if (b.promotions.length === 0 || offset >= b.pageDetails.totalEntries) return out;
      }
    },
  };

  return {
    get url() {
      return url;
    },
    get webhookUrl() {
      return `${url}/${DEMO_UPSTREAM.webhookPath}`;
    },
    get port() {
      return port;
    },
    db,
    get running() {
      return server !== null;
    },
    output: () => (last ? last.stdout() + last.stderr() : ''),
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    async restart(extra = {}) {
      await end('SIGTERM');
      return launch(extra, port);
    },
    async close() {
      await end('SIGTERM');
      process.off('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    },
    api,
  };
}
