import { timingSafeEqual } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { FastifyRequest } from 'fastify';
import { unauthorized, Codes } from '../errors.js';
import type { OrgDoc } from '../engine/org.js';

export const OAUTH_TTL_SECONDS = 1800;

const same = (a: string, b: string) => {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** POST /v3/oauth/token/generate: client credentials → a short-lived access token for X-CAP-API-OAUTH-TOKEN. */
export async function issueOAuthToken(req: FastifyRequest, key: unknown, secret: unknown): Promise<string> {
  const { orgs, tokenSecret } = req.server.ctx;
  const org = typeof key === 'string' ? orgs.byOAuthKey(key) : undefined;
  const client = org?.oauthClients.find((c) => c.key === key);
  if (!org || !client || typeof secret !== 'string' || !same(client.secret, secret)) throw unauthorized(Codes.AUTH_FAILED, 'Invalid client key or secret.');
  return new SignJWT({ org: org.id, key: client.key }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt()
    .setExpirationTime(`${OAUTH_TTL_SECONDS}s`).sign(tokenSecret);
}

/**
 * Resolves the calling organisation from Basic auth (`till:md5(password)`) or an OAuth access
 * token in `X-CAP-API-OAUTH-TOKEN`. Every Capillary-compatible route runs this first, and every
 * read and write is scoped to the organisation it returns.
 */
export async function authenticate(req: FastifyRequest): Promise<OrgDoc> {
  const { orgs, tokenSecret } = req.server.ctx;
  const oauth = req.headers['x-cap-api-oauth-token'];
  if (typeof oauth === 'string' && oauth) {
    try {
      const { payload } = await jwtVerify(oauth, tokenSecret, { algorithms: ['HS256'] });
      const org = typeof payload.org === 'string' ? orgs.get(payload.org) : undefined;
      if (org && org.oauthClients.some((c) => c.key === payload.key)) return org;
    } catch { /* fall through to 401 */ }
    throw unauthorized(Codes.AUTH_FAILED, 'Invalid or expired OAuth token; generate a new one with POST /v3/oauth/token/generate.');
  }
  const header = req.headers.authorization;
  if (typeof header === 'string' && header.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    const user = decoded.slice(0, i), pass = decoded.slice(i + 1).toLowerCase();
    const org = i > 0 ? orgs.byTill(user) : undefined;
    if (org?.till && /^[0-9a-f]{32}$/.test(pass) && same(org.till.passwordMd5, pass)) return org;
    throw unauthorized(Codes.AUTH_FAILED, 'Invalid till credentials: send Basic base64(till:md5(password)).');
  }
  throw unauthorized(Codes.AUTH_FAILED, 'Authentication required: Basic till credentials or an X-CAP-API-OAUTH-TOKEN header.');
}

