import { decodeJwt, jwtVerify, SignJWT } from 'jose';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.js';
import type { OrgDoc } from '../engine/org.js';
import { widgetError } from './errors.js';
import { remember, type Principal, type WidgetAuthState } from './state.js';

export type { Principal };

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

const SKEW_S = 60;
export const MAX_LIFETIME_S = 24 * 3600;
const encoder = new TextEncoder();
const secrets = new WeakMap<OrgDoc, Uint8Array>();
const secretOf = (org: OrgDoc) => {
  let k = secrets.get(org);
  if (!k) {
    k = encoder.encode(org.widgetSecret);
    secrets.set(org, k);
  }
  return k;
};

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
const bearerToken = (header: string | undefined) => (header ? /^Bearer +([^ ]+) *$/i.exec(header)?.[1] : undefined);

const missing = () => widgetError(401, 'TOKEN_MISSING', 'Send the customer token as "Authorization: Bearer <token>".');
const invalid = () => widgetError(401, 'TOKEN_INVALID', 'The customer token is not valid.');
const expired = () => widgetError(401, 'TOKEN_EXPIRED', 'The customer token has expired; fetch a new one.');

/**
 * Verifies `Authorization: Bearer <jwt>`: HS256 only, signed with the widget secret of the
 * organisation named by `iss`; `sub`, `iat` and `exp` required; lifetime at most 24 h; 60 s skew.
 * Token times are checked against the real clock (the brand's server signs with it), not the
 * demo clock, so moving the demo clock never invalidates a session.
 * A verified token is remembered in `state` until it expires, so its signature is checked once.
 */
export async function verifyToken(
  ctx: AppContext,
  state: WidgetAuthState,
  header: string | undefined,
): Promise<{ org: OrgDoc; sub: string }> {
  if (!header) throw missing();
  const token = bearerToken(header);
  if (!token) throw invalid();
  const hit = state.tokens.get(token);
  if (hit) {
    if (Date.now() > hit.expMs + SKEW_S * 1000) {
      state.tokens.delete(token);
      throw expired();
    }
    const org = ctx.orgs.get(hit.orgId);
    if (!org) throw invalid();
    return { org, sub: hit.sub };
  }
  let iss: unknown;
  try {
    iss = decodeJwt(token).iss;
  } catch {
    throw invalid();
  }
  const org = typeof iss === 'string' ? ctx.orgs.get(iss) : undefined;
  if (!org || !org.widgetSecret) throw invalid();
  let payload;
  try {
    ({ payload } = await jwtVerify(token, secretOf(org), {
      algorithms: ['HS256'],
      issuer: org.id,
      clockTolerance: SKEW_S,
      requiredClaims: ['sub', 'exp', 'iat'],
    }));
  } catch (err) {
    throw (err as { code?: string }).code === 'ERR_JWT_EXPIRED' ? expired() : invalid();
  }
  const { sub, exp, iat } = payload as { sub: unknown; exp: number; iat: number };
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 128) throw invalid();
  if (exp - iat > MAX_LIFETIME_S || iat > Date.now() / 1000 + SKEW_S) throw invalid();
  remember(state.tokens, token, { orgId: org.id, sub, expMs: exp * 1000 });
  return { org, sub };
}

/** Resolves (and on first sight registers) the customer the token names. */
export async function resolveCustomer(
  ctx: AppContext,
  state: WidgetAuthState,
  org: OrgDoc,
  sub: string,
): Promise<number> {
  const key = `${org.id}:${sub}`;
  const known = state.customers.get(key);
  if (known !== undefined) return known;
  const loyalty = ctx.loyaltyFor(org);
  const id = await ctx.store.tx((tx) => loyalty.ensureCustomer(tx, org, sub, ctx.clock.now()));
  remember(state.customers, key, id);
  return id;
}

/** The principal of a token already verified and resolved, not expired, for an organisation still loaded as it was. */
export function knownPrincipal(ctx: AppContext, state: WidgetAuthState, req: FastifyRequest): Principal | undefined {
  const token = bearerToken(req.headers.authorization);
  const hit = token === undefined ? undefined : state.tokens.get(token);
  const p = hit?.principal;
  return p && Date.now() <= hit.expMs + SKEW_S * 1000 && ctx.orgs.get(hit.orgId) === p.org ? p : undefined;
}

export async function authenticate(ctx: AppContext, state: WidgetAuthState, req: FastifyRequest): Promise<Principal> {
  const known = knownPrincipal(ctx, state, req);
  if (known) return known;
  const header = req.headers.authorization;
  const { org, sub } = await verifyToken(ctx, state, header);
  const customerId = await resolveCustomer(ctx, state, org, sub);
  const principal = { org, customerId, externalId: sub, key: `${org.id}:${sub}` };
  const entry = state.tokens.get(bearerToken(header)!); // verified above, so remembered
  if (entry) entry.principal = principal;
  return principal;
}

/** Signs a customer token the way a brand's server would (used by /demo/session and tests). */
export function signCustomerToken(org: OrgDoc, sub: string, lifetimeS = 3600) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(org.id)
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + lifetimeS)
    .sign(secretOf(org));
}
