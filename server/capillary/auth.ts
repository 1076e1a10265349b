import { timingSafeEqual } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { FastifyRequest } from 'fastify';
import { ApiError, unauthorized, Codes } from '../errors.js';
import type { OrgDoc } from '../engine/org.js';
import type { AppContext } from '../app-context.js';
import { LoginFailures, RateLimiter } from '../widget-api/rate-limit.js';

export const OAUTH_TTL_SECONDS = 1800;

const same = (a: string, b: string) => {
  const x = Buffer.from(a),
    y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The Capillary surface's code for 429 (ours, like 401 AUTH_FAILED: Capillary documents none). */
export const RATE_LIMITED = 429;

/**
 * A 429 in the family's envelope; `details.retryAfterSeconds` becomes the Retry-After header
 * (app.ts's onError hook, so the Capillary error handlers need not know about it).
 */
const tooMany = (wait: number, message: string) =>
  new ApiError(429, RATE_LIMITED, `${message}; try again in ${wait} s.`, { retryAfterSeconds: wait });

/**
 * The Capillary surface's limits, one set per app: requests per client address and per credential
 * (fixed one-minute windows), and failed logins (Basic, OAuth client secret) per address and per
 * credential, whose wait doubles with each failure past a small free budget.
 */
interface Guards {
  perIp: RateLimiter;
  perCredential: RateLimiter;
  failures: LoginFailures;
}
const guardsByCtx = new WeakMap<AppContext, Guards>();
function guards(ctx: AppContext): Guards {
  let g = guardsByCtx.get(ctx);
  if (!g) {
    const r = ctx.rateLimits;
    g = {
      perIp: new RateLimiter(r.capillaryPerIpPerMinute),
      perCredential: new RateLimiter(r.capillaryPerCredentialPerMinute),
      failures: new LoginFailures(r.loginFailures),
    };
    guardsByCtx.set(ctx, g);
  }
  return g;
}

/** Every Capillary request, before its credentials are looked at: the client address's budget. */
function admitAddress(g: Guards, req: FastifyRequest) {
  const wait = g.perIp.hit(req.ip);
  if (wait > 0) throw tooMany(wait, 'Too many requests from this address');
}

/**
 * A login with `credential` (till username or OAuth client key) from this address: refused with
 * 429 while either must still wait after earlier failures (the refusal counts as a failure, so a
 * client that keeps trying waits ever longer); `check` says whether the secret is right. A wrong
 * secret is a 401 and a failure for both; a right one forgives the credential's failures.
 */
function login(g: Guards, req: FastifyRequest, credential: string, check: () => boolean, refusal: () => ApiError) {
  const now = Date.now();
  const ipKey = `ip:${req.ip}`,
    credKey = `cred:${credential}`;
  if (g.failures.wait(ipKey, now) > 0 || g.failures.wait(credKey, now) > 0) {
    const wait = Math.max(g.failures.fail(ipKey, now), g.failures.fail(credKey, now), 1);
    throw tooMany(wait, 'Too many failed logins from this address or for this credential');
  }
  if (!check()) {
    g.failures.fail(ipKey, now);
    g.failures.fail(credKey, now);
    throw refusal();
  }
  g.failures.succeed(credKey);
}

/** A logged-in credential's request budget. */
function admitCredential(g: Guards, credential: string) {
  const wait = g.perCredential.hit(credential);
  if (wait > 0) throw tooMany(wait, 'Too many requests for this credential');
}

/** POST /v3/oauth/token/generate: client credentials → a short-lived access token for X-CAP-API-OAUTH-TOKEN. */
export async function issueOAuthToken(req: FastifyRequest, key: unknown, secret: unknown): Promise<string> {
  const { orgs, tokenSecret } = req.server.ctx;
  const g = guards(req.server.ctx);
  admitAddress(g, req);
  const org = typeof key === 'string' ? orgs.byOAuthKey(key) : undefined;
  const client = org?.oauthClients.find((c) => c.key === key);
  // One key per credential for failures and budget (bounded: a guessed key can be long).
  const credential = `oauth:${typeof key === 'string' ? key.slice(0, 200) : ''}`;
  login(
    g,
    req,
    credential,
    () => !!org && !!client && typeof secret === 'string' && same(client.secret, secret),
    () => unauthorized(Codes.AUTH_FAILED, 'Invalid client key or secret.'),
  );
  admitCredential(g, credential);
  return new SignJWT({ org: org!.id, key: client!.key })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(`${OAUTH_TTL_SECONDS}s`)
    .sign(tokenSecret);
}

/**
 * Resolves the calling organisation from Basic auth (`till:md5(password)`) or an OAuth access
 * token in `X-CAP-API-OAUTH-TOKEN`. Every Capillary-compatible route runs this first, and every
 * read and write is scoped to the organisation it returns.
 */
export async function authenticate(req: FastifyRequest): Promise<OrgDoc> {
  const { orgs, tokenSecret } = req.server.ctx;
  const g = guards(req.server.ctx);
  admitAddress(g, req);
  const oauth = req.headers['x-cap-api-oauth-token'];
  if (typeof oauth === 'string' && oauth) {
    // A wrong access token is not a failed login: tokens cannot be guessed, and a brand's workers
    // all holding one that just expired must not lock their own address out.
    let org: OrgDoc | undefined;
    try {
      const { payload } = await jwtVerify(oauth, tokenSecret, { algorithms: ['HS256'] });
      org = typeof payload.org === 'string' ? orgs.get(payload.org) : undefined;
      if (org && org.oauthClients.some((c) => c.key === payload.key)) {
        admitCredential(g, `oauth:${payload.key}`);
        return org;
      }
    } catch (err) {
      if (err instanceof ApiError) throw err; /* else fall through to 401 */
    }
    throw unauthorized(
      Codes.AUTH_FAILED,
      'Invalid or expired OAuth token; generate a new one with POST /v3/oauth/token/generate.',
    );
  }
  const header = req.headers.authorization;
  if (typeof header === 'string' && header.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    const user = decoded.slice(0, i),
      pass = decoded.slice(i + 1).toLowerCase();
    const org = i > 0 ? orgs.byTill(user) : undefined;
    const credential = `till:${user.slice(0, 200)}`;
    login(
      g,
      req,
      credential,
      () => !!org?.till && /^[0-9a-f]{32}$/.test(pass) && same(org.till.passwordMd5, pass),
      () => unauthorized(Codes.AUTH_FAILED, 'Invalid till credentials: send Basic base64(till:md5(password)).'),
    );
    admitCredential(g, credential);
    return org!;
  }
  throw unauthorized(
    Codes.AUTH_FAILED,
    'Authentication required: Basic till credentials or an X-CAP-API-OAUTH-TOKEN header.',
  );
}
