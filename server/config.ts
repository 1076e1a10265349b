/** The server's environment: mode, secrets, database, origins, limits (docs/operations.md). UCC_ORGS_FILE: orgs-file.ts. */
import { DEMO_TOKEN_SECRET, DEMO_WIDGET_SECRET, md5 } from './seed.js';
import { DEFAULT_RATE_LIMITS, type RateLimits } from './app-context.js';

export interface Config {
  host: string;
  port: number;
  /** UCC_DB: a SQLite file (the default ./data/ucc.db) or a postgres:// URL (docs/operations.md, PostgreSQL). */
  db: string;
  /** UCC_PG_POOL: connections per process to PostgreSQL (default 10). */
  pgPoolSize: number;
  demo: boolean;
  /** UCC_DURABILITY: 'normal' (synchronous=NORMAL, the default) or 'full' (synchronous=FULL: commits survive power loss). */
  durability: 'normal' | 'full';
  tokenSecret: string;
  orgsFile: string | null;
  /** Demo mode: page origins added to the demo organisation's allowedOrigins (UCC_ALLOWED_ORIGINS). */
  allowedOrigins: string[];
  rateLimits: RateLimits;
  /**
   * UCC_CAPILLARY_ASYNC_MS: unset, webhook posts are processed before they are answered; set to N ≥ 0, a post is accepted
   * at once (1100 and a requestId) and processed N ms later, as the Capillary platform does (docs/capillary-api.md).
   */
  capillaryAsyncMs: number | null;
  /** UCC_UPSTREAM_URL (demo mode): the demo organisation runs upstream against this Capillary-compatible server. */
  upstreamUrl: string | null;
  /** UCC_UPSTREAM_GRACE_MS: the demo organisation's undo grace period upstream (default 60 000). */
  upstreamGraceMs: number | undefined;
  /** UCC_DEMO_EVENT_KEY: the demo events' unique-key field, for a server acting as another's upstream. */
  demoEventKey: string | undefined;
}

export const DEMO_SECRETS = new Set([DEMO_TOKEN_SECRET, DEMO_WIDGET_SECRET, 'demo-secret', md5('demo.pass')]);

/**
 * UCC_DEMO: unset = demo mode; exactly 1/true or 0/false (any case) otherwise. Anything else (`off`,
 * `no`, `production`, empty) is refused rather than guessed: a typo must not open production as demo.
 */
export function parseDemo(value: string | undefined): boolean {
  if (value === undefined) return true;
  const v = value.trim().toLowerCase();
  if (v === '1' || v === 'true') return true;
  if (v === '0' || v === 'false') return false;
  throw new Error(
    `UCC_DEMO must be 1 or true (demo mode) or 0 or false (production mode); got ${JSON.stringify(value)}. Unset it for demo mode.`,
  );
}

/** A whole number of requests from an environment variable (≥ 1), or `fallback` when unset. */
function limitVar(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new Error(`${name} must be a whole number of at least 1 (got ${JSON.stringify(raw)}).`);
  return n;
}

/** The longest UCC_CAPILLARY_ASYNC_MS: one hour. */
export const MAX_CAPILLARY_ASYNC_MS = 3_600_000;

/** UCC_CAPILLARY_ASYNC_MS: unset or empty = null (synchronous webhooks); else whole milliseconds from 0 to one hour. */
export function parseCapillaryAsyncMs(raw: string | undefined): number | null {
  if (raw === undefined || raw.trim() === '') return null;
  const n = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n > MAX_CAPILLARY_ASYNC_MS)
    throw new Error(
      `UCC_CAPILLARY_ASYNC_MS must be whole milliseconds from 0 to ${MAX_CAPILLARY_ASYNC_MS} (got ${JSON.stringify(raw)}); unset it for synchronous webhooks.`,
    );
  return n;
}

/** UCC_UPSTREAM_URL: an http(s) base URL, demo mode only (a production organisation's upstream is in UCC_ORGS_FILE). */
export function parseUpstreamUrl(raw: string | undefined, demo: boolean): string | null {
  const v = raw?.trim();
  if (!v) return null;
  if (!demo)
    throw new Error(
      'UCC_UPSTREAM_URL only applies in demo mode (it runs the demo organisation upstream). In production mode (UCC_DEMO=0) give each organisation an "upstream" object in UCC_ORGS_FILE (docs/upstream.md).',
    );
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new Error(
      `UCC_UPSTREAM_URL must be the base URL of a Capillary-compatible server, e.g. http://127.0.0.1:8788 (got ${JSON.stringify(v)}).`,
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new Error(`UCC_UPSTREAM_URL must be an http or https URL (got ${JSON.stringify(v)}).`);
  return u.href;
}

/** Reads the environment. Production mode (UCC_DEMO=0) refuses demo or weak secrets, and UCC_ALLOWED_ORIGINS. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const demo = parseDemo(env.UCC_DEMO);
  const port = Number(env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number (got ${env.PORT}).`);
  const tokenSecret = env.UCC_TOKEN_SECRET ?? (demo ? DEMO_TOKEN_SECRET : '');
  if (!demo) {
    if (tokenSecret.length < 32 || DEMO_SECRETS.has(tokenSecret)) {
      throw new Error(
        'Production mode (UCC_DEMO=0) needs UCC_TOKEN_SECRET: a random secret of at least 32 characters, not a demo value.',
      );
    }
  }
  const durability = (env.UCC_DURABILITY ?? 'normal').trim().toLowerCase();
  if (durability !== 'normal' && durability !== 'full') {
    throw new Error(
      `UCC_DURABILITY must be "normal" (the default: a commit survives a crash of the server process) or "full" (it also survives an OS crash or power loss, at a cost; see docs/operations.md) (got ${JSON.stringify(env.UCC_DURABILITY)}).`,
    );
  }
  const allowedOrigins = parseAllowedOrigins(env.UCC_ALLOWED_ORIGINS);
  if (!demo && allowedOrigins.length > 0) {
    throw new Error(
      'UCC_ALLOWED_ORIGINS only applies in demo mode (it adds page origins to the demo organisation). In production mode (UCC_DEMO=0) ' +
        'list each brand\'s page origins in its organisation\'s "allowedOrigins" in UCC_ORGS_FILE (see server/orgs.example.json), and unset UCC_ALLOWED_ORIGINS.',
    );
  }
  const upstreamUrl = parseUpstreamUrl(env.UCC_UPSTREAM_URL, demo);
  const grace = env.UCC_UPSTREAM_GRACE_MS?.trim();
  if (grace && (!/^\d+$/.test(grace) || Number(grace) > 3_600_000))
    throw new Error(
      `UCC_UPSTREAM_GRACE_MS must be whole milliseconds from 0 to 3600000 (got ${JSON.stringify(grace)}).`,
    );
  const eventKey = env.UCC_DEMO_EVENT_KEY?.trim() || undefined;
  if (eventKey && !/^[A-Za-z_][A-Za-z0-9_]{0,99}$/.test(eventKey))
    throw new Error(
      `UCC_DEMO_EVENT_KEY must be an event field name such as uccLogId (got ${JSON.stringify(eventKey)}).`,
    );
  return {
    upstreamUrl,
    upstreamGraceMs: grace ? Number(grace) : undefined,
    demoEventKey: eventKey,
    host: env.HOST ?? '127.0.0.1',
    port,
    db: env.UCC_DB ?? './data/ucc.db',
    pgPoolSize: limitVar(env, 'UCC_PG_POOL', 10),
    durability,
    demo,
    tokenSecret,
    orgsFile: env.UCC_ORGS_FILE ?? null,
    allowedOrigins,
    capillaryAsyncMs: parseCapillaryAsyncMs(env.UCC_CAPILLARY_ASYNC_MS),
    rateLimits: {
      perCustomerPerMinute: limitVar(env, 'UCC_RATE_CUSTOMER_PER_MIN', DEFAULT_RATE_LIMITS.perCustomerPerMinute),
      perIpPerMinute: limitVar(env, 'UCC_RATE_IP_PER_MIN', DEFAULT_RATE_LIMITS.perIpPerMinute),
      capillaryPerCredentialPerMinute: limitVar(
        env,
        'UCC_RATE_CAPILLARY_PER_MIN',
        DEFAULT_RATE_LIMITS.capillaryPerCredentialPerMinute,
      ),
      capillaryPerIpPerMinute: limitVar(
        env,
        'UCC_RATE_CAPILLARY_IP_PER_MIN',
        DEFAULT_RATE_LIMITS.capillaryPerIpPerMinute,
      ),
      loginFailures: limitVar(env, 'UCC_RATE_LOGIN_FAILURES', DEFAULT_RATE_LIMITS.loginFailures),
      demoSessionPerMinute: limitVar(env, 'UCC_RATE_DEMO_SESSION_PER_MIN', DEFAULT_RATE_LIMITS.demoSessionPerMinute),
    },
  };
}

/**
 * Why `s` is not a page origin as browsers send it in the Origin header (scheme://host[:port]:
 * http or https, no path, no trailing slash, lowercase host, no default port), or null when it is one.
 */
export function originProblem(s: string): string | null {
  const example = 'e.g. https://www.brand.example or http://localhost:3000';
  if (s.includes('*')) return `is not an origin: wildcards are not supported; list each origin (${example})`;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return `is not an origin: write scheme://host[:port] (${example})`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `is not an origin: the scheme must be http or https (${example})`;
  if (url.origin === s) return null;
  return `is not an origin as browsers send it; use "${url.origin}" (scheme://host[:port]: no path or trailing slash, lowercase host, no default port)`;
}

/** UCC_ALLOWED_ORIGINS: comma-separated page origins (empty entries ignored); refuses anything that is not an origin. */
export function parseAllowedOrigins(value: string | undefined): string[] {
  const entries = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const problems = entries.flatMap((s) => {
    const p = originProblem(s);
    return p ? [`UCC_ALLOWED_ORIGINS: "${s}" ${p}.`] : [];
  });
  if (problems.length) throw new Error(problems.join('\n'));
  return [...new Set(entries)];
}
