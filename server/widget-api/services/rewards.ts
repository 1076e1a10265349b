/** Spending points: the brand's reward catalogue as this customer can afford it, a redemption (once per Idempotency-Key), her redemptions. */
import type { RedemptionResponse, RedemptionsResponse, RewardsResponse } from '../../../contract/widget-api.js';
import type { PreparedRedemption } from '../../loyalty/port.js';
import { widgetError } from '../errors.js';
import type { Lang } from '../i18n.js';
import { catalogueView, redemptionView } from '../views.js';
import type { Customer, ServiceDeps } from './deps.js';
import { runIdempotent, storedAnswer, type SentAnswer } from './idempotency.js';

/** The catalogue in `lang`, each reward with what this customer redeemed, whether she can afford it, and the shortfall. */
export async function rewardsFor(
  deps: ServiceDeps,
  { org, customerId }: Customer,
  lang: Lang,
): Promise<RewardsResponse> {
  const loyalty = deps.loyaltyFor(org);
  const stale = (await loyalty.beforeRead?.(deps.store, org, customerId, 'balance'))?.stale ?? false;
  return deps.store.read(async (tx) => {
    const row = await tx.getCustomer(org.id, customerId);
    const [balance, counts] = await Promise.all([
      loyalty.balance(tx, org, row),
      (org.rewards ?? []).length ? loyalty.redeemedCounts(tx, org, customerId) : new Map<string, number>(),
    ]);
    return {
      rewards: (org.rewards ?? []).map((r) => catalogueView(r, lang, counts.get(r.id) ?? 0, balance)),
      balance,
      ...(stale ? { stale } : {}),
    };
  });
}

export interface RedeemInput extends Customer {
  rewardId: string;
  /** The Idempotency-Key (required): also the redemption's request id on the platform. */
  key: string;
  lang: Lang;
  /** The 201 answer's bytes (the route's response schema). */
  serialize: (answer: RedemptionResponse) => string;
}

/**
 * Redeems a catalogue reward, once per Idempotency-Key: the first answer is stored with the redemption
 * in one transaction, and a replay sends its exact bytes (the same key for another reward: 422
 * IDEMPOTENCY_KEY_REUSED). Refusals (nothing kept, the key can be used again): 404 REWARD_NOT_FOUND,
 * 409 REWARD_LIMIT_REACHED, 422 INSUFFICIENT_POINTS.
 */
export async function redeemOnce(deps: ServiceDeps, input: RedeemInput): Promise<SentAnswer> {
  const { org, customerId, rewardId, key, lang } = input;
  const loyalty = deps.loyaltyFor(org);
  const reward = org.rewards?.find((r) => r.id === rewardId);
  const fingerprint = [rewardId];
  let prepared: PreparedRedemption | undefined;
  if (reward && loyalty.prepareRedemption) {
    // Upstream: a replay is answered before the platform is asked again.
    const prior = await deps.store.read((tx) =>
      storedAnswer(tx, { orgId: org.id, customerId, scope: 'redeem', fingerprint }, key),
    );
    if (prior) return prior;
    prepared = await loyalty.prepareRedemption(deps.store, org, customerId, reward, key);
  }
  const sent = await runIdempotent(deps, {
    orgId: org.id,
    customerId,
    scope: 'redeem',
    key,
    status: 201,
    fingerprint,
    work: async (tx) => {
      if (!reward)
        throw widgetError(
          404,
          'REWARD_NOT_FOUND',
          `There is no reward "${rewardId}"; reload the rewards to see what you can redeem.`,
        );
      const now = deps.clock.now();
      const r = await loyalty.redeem(tx, org, customerId, reward, key, now, prepared);
      return { redemption: redemptionView(org, r, lang, now), balance: r.balance };
    },
    serialize: input.serialize,
  });
  loyalty.afterWrite?.(org, customerId);
  return sent;
}

/** The customer's redemptions, newest first, each with its coupon and the coupon's status now. */
export async function redemptionsOf(
  deps: ServiceDeps,
  { org, customerId }: Customer,
  lang: Lang,
): Promise<RedemptionsResponse> {
  const loyalty = deps.loyaltyFor(org);
  return deps.store.read(async (tx) => {
    const now = deps.clock.now();
    const list = await loyalty.listRedemptions(tx, org, customerId);
    return { redemptions: list.map((r) => redemptionView(org, r, lang, now)) };
  });
}
