/** A customer's challenges: create (once per Idempotency-Key), the cached progress read, one, leave. */
import type { Challenge, ChallengeResponse, CreateChallengeRequest } from '../../../contract/widget-api.js';
import { createChallenge, leaveChallenge, listChallengeViews, requireChallenge } from '../challenges.js';
import type { Lang } from '../i18n.js';
import { customerCacheKey, validUntil, type Entry, type ReadCache } from '../read-cache.js';
import { loadChallenge, parseId } from '../views.js';
import type { Customer, ServiceDeps } from './deps.js';
import { runIdempotent, type SentAnswer } from './idempotency.js';

export interface CreateInput extends Customer {
  body: CreateChallengeRequest;
  key: string | undefined;
  lang: Lang;
  /** The 201 answer's bytes (the route's response schema). */
  serialize: (answer: ChallengeResponse) => string;
}

/** Creates a challenge (group, rule, promotion and enrolment in one transaction), once per Idempotency-Key. */
export function createChallengeOnce(deps: ServiceDeps, input: CreateInput): Promise<SentAnswer> {
  const { org, customerId, body: b, lang } = input;
  return runIdempotent(deps, {
    orgId: org.id,
    customerId,
    scope: 'create',
    key: input.key,
    status: 201,
    fingerprint: [b.templateId, b.target, b.period, b.periods, b.name ?? null],
    work: async (tx) => ({
      challenge: await createChallenge(tx, deps.loyaltyFor(org), org, customerId, b, deps.clock.now(), lang),
    }),
    serialize: input.serialize,
  });
}

export interface ListInput extends Customer {
  status: 'active' | 'completed' | 'all';
  lang: Lang;
  /** The answer's bytes (the route's response schema). */
  serialize: (answer: { challenges: Challenge[] }) => string;
}

/**
 * The customer's challenges as serialised bytes with their ETag: from the read cache when nothing of
 * this customer's changed since, else read, serialised and cached until its content could change with time.
 */
export async function challengesRead(deps: ServiceDeps, cache: ReadCache, input: ListInput): Promise<Entry> {
  const { org, customerId, status, lang } = input;
  // Several processes on one database: the database's version of this customer's data, read before the data itself.
  const version = await deps.store.dataVersion?.(customerId);
  const ticket = cache.ticket(
    customerCacheKey(org.id, customerId),
    lang === null ? status : `${status}|${lang}`,
    version,
  );
  const at = deps.clock.now();
  const entry = cache.get(ticket, at);
  if (entry) return entry;
  const loyalty = deps.loyaltyFor(org);
  const challenges = await deps.store.read((tx) => listChallengeViews(tx, loyalty, org, customerId, status, at, lang));
  return cache.put(ticket, input.serialize({ challenges }), validUntil(challenges, at));
}

export interface OneInput extends Customer {
  id: string;
  lang: Lang;
}

/** One challenge of the customer's with its progress (404 CHALLENGE_NOT_FOUND for anyone else's). */
export function getChallenge(deps: ServiceDeps, { org, customerId, id, lang }: OneInput): Promise<ChallengeResponse> {
  return deps.store.read(async (tx) => {
    const ch = await requireChallenge(tx, customerId, parseId(id));
    return { challenge: await loadChallenge(tx, deps.loyaltyFor(org), org, ch, deps.clock.now(), undefined, lang) };
  });
}

/** Leaves a challenge (unenrols; rewards already given stay); leaving twice answers the same. */
export function leave(deps: ServiceDeps, { org, customerId, id, lang }: OneInput): Promise<ChallengeResponse> {
  return deps.store.tx(async (tx) => {
    const ch = await requireChallenge(tx, customerId, parseId(id));
    return { challenge: await leaveChallenge(tx, deps.loyaltyFor(org), org, ch, deps.clock.now(), lang) };
  });
}
