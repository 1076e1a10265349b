/** A customer's challenges: create (once per Idempotency-Key), the cached progress read, one, leave. */
import type { Challenge, ChallengeResponse, CreateChallengeRequest } from '../../../contract/widget-api.js';
import {
  createChallenge,
  draftChallenge,
  leaveChallenge,
  listChallengeViews,
  requireChallenge,
} from '../challenges.js';
import type { PreparedChallenge } from '../../loyalty/port.js';
import type { Lang } from '../i18n.js';
import { customerCacheKey, entryOf, validUntil, type Entry, type ReadCache } from '../read-cache.js';
import { loadChallenge, parseId } from '../views.js';
import type { Customer, ServiceDeps } from './deps.js';
import { runIdempotent, storedAnswer, type SentAnswer } from './idempotency.js';

export interface CreateInput extends Customer {
  body: CreateChallengeRequest;
  key: string | undefined;
  lang: Lang;
  /** The 201 answer's bytes (the route's response schema). */
  serialize: (answer: ChallengeResponse) => string;
}

/**
 * Creates a challenge (group, rule, promotion and enrolment), once per Idempotency-Key. On the embedded
 * engine all in one transaction. Upstream: the policy is checked, then the platform's saga runs
 * (its steps in transactions of their own, the HTTP calls between), then the challenge record and
 * the stored answer are written in one transaction that checks the policy again.
 */
export async function createChallengeOnce(deps: ServiceDeps, input: CreateInput): Promise<SentAnswer> {
  const { org, customerId, body: b, lang } = input;
  const loyalty = deps.loyaltyFor(org);
  const fingerprint = [b.templateId, b.target, b.period, b.periods, b.name ?? null];
  let prepared: PreparedChallenge | undefined;
  if (loyalty.prepareChallenge) {
    if (input.key !== undefined) {
      const key = input.key;
      const prior = await deps.store.read((tx) =>
        storedAnswer(tx, { orgId: org.id, customerId, scope: 'create', fingerprint }, key),
      );
      if (prior) return prior;
    }
    const now = deps.clock.now();
    const { spec } = await deps.store.read((tx) => draftChallenge(tx, org, customerId, b, now, lang));
    prepared = await loyalty.prepareChallenge(
      deps.store,
      org,
      spec,
      input.key ?? `once:${spec.key}`,
      JSON.stringify(fingerprint),
    );
  }
  const sent = await runIdempotent(deps, {
    orgId: org.id,
    customerId,
    scope: 'create',
    key: input.key,
    status: 201,
    fingerprint,
    work: async (tx) => ({
      challenge: await createChallenge(tx, loyalty, org, customerId, b, deps.clock.now(), lang, prepared),
    }),
    serialize: input.serialize,
  });
  loyalty.afterWrite?.(org, customerId);
  return sent;
}

export interface ListInput extends Customer {
  status: 'active' | 'completed' | 'all';
  lang: Lang;
  /** The answer's bytes (the route's response schema). */
  serialize: (answer: { challenges: Challenge[]; stale?: boolean }) => string;
}

/**
 * The customer's challenges as serialised bytes with their ETag: from the read cache when nothing of
 * this customer's changed since, else read, serialised and cached until its content could change with time.
 */
export async function challengesRead(deps: ServiceDeps, cache: ReadCache, input: ListInput): Promise<Entry> {
  const { org, customerId, status, lang } = input;
  const loyalty = deps.loyaltyFor(org);
  if (loyalty.beforeRead) {
    // Upstream: the platform's progress changes without any write here, so the answer is not kept; the backend keeps its reads briefly.
    const { stale } = await loyalty.beforeRead(deps.store, org, customerId, 'progress');
    const at = deps.clock.now();
    const challenges = await deps.store.read((tx) =>
      listChallengeViews(tx, loyalty, org, customerId, status, at, lang),
    );
    return entryOf({ global: -1, customer: -1 }, input.serialize({ challenges, ...(stale ? { stale } : {}) }), at);
  }
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
  const challenges = await deps.store.read((tx) => listChallengeViews(tx, loyalty, org, customerId, status, at, lang));
  return cache.put(ticket, input.serialize({ challenges }), validUntil(challenges, at));
}

export interface OneInput extends Customer {
  id: string;
  lang: Lang;
}

/** One challenge of the customer's with its progress (404 CHALLENGE_NOT_FOUND for anyone else's). */
export async function getChallenge(
  deps: ServiceDeps,
  { org, customerId, id, lang }: OneInput,
): Promise<ChallengeResponse> {
  await deps.loyaltyFor(org).beforeRead?.(deps.store, org, customerId, 'progress');
  return deps.store.read(async (tx) => {
    const ch = await requireChallenge(tx, customerId, parseId(id));
    return { challenge: await loadChallenge(tx, deps.loyaltyFor(org), org, ch, deps.clock.now(), undefined, lang) };
  });
}

/** Leaves a challenge (unenrols; rewards already given stay); leaving twice answers the same. */
export async function leave(deps: ServiceDeps, { org, customerId, id, lang }: OneInput): Promise<ChallengeResponse> {
  const loyalty = deps.loyaltyFor(org);
  const answer = await deps.store.tx(async (tx) => {
    const ch = await requireChallenge(tx, customerId, parseId(id));
    return { challenge: await leaveChallenge(tx, loyalty, org, ch, deps.clock.now(), lang) };
  });
  loyalty.afterWrite?.(org, customerId);
  return answer;
}
