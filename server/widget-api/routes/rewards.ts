/** `GET /rewards`, `POST /me/redemptions`, `GET /me/redemptions`. */
import type { FastifyInstance } from 'fastify';
import type { RedeemRequest } from '../../../contract/widget-api.js';
import * as C from '../../../contract/widget-api.js';
import * as S from '../schemas.js';
import { parseIdempotencyKey } from '../services/idempotency.js';
import { redeemOnce, redemptionsOf, rewardsFor } from '../services/rewards.js';
import { language, security, sendJson, tags } from './http.js';

export async function rewardRoutes(app: FastifyInstance) {
  app.get(
    '/rewards',
    {
      schema: {
        tags,
        security,
        summary: "The brand's rewards: what each costs and whether this customer can afford it",
        description:
          "The catalogue in the customer's language (Accept-Language), with the balance. Per reward: `redeemed` (how many times this customer has, reversed ones not counted), `shortfall` (points still missing, 0 when the balance covers it) and `affordable` (the balance covers it and `perCustomerLimit` is not reached).",
        headers: S.languageHeaders,
        response: S.responses(200, C.RewardsResponse),
      },
    },
    (req, reply) => rewardsFor(app.ctx, req.principal, language(req, reply)),
  );

  app.post<{ Body: RedeemRequest }>(
    '/me/redemptions',
    {
      schema: {
        tags,
        security,
        summary: 'Redeem a reward: its points for a coupon, exactly once per Idempotency-Key',
        description:
          "Takes the reward's points off the balance (a `REDEEM` ledger entry) and issues a coupon (a 10-character code, valid `validityDays`), in one transaction. The `Idempotency-Key` is required: the same key again answers the first answer's exact bytes and redeems nothing more; the same key with another `rewardId` is 422 `IDEMPOTENCY_KEY_REUSED`. Refusals change nothing: 422 `INSUFFICIENT_POINTS` (details `{shortfall, balance, points}`), 409 `REWARD_LIMIT_REACHED` (details `{limit}`), 404 `REWARD_NOT_FOUND`. The balance never goes below zero, whatever runs at the same time.",
        headers: S.idempotencyHeaders(true),
        body: C.RedeemRequest,
        response: S.responses(201, C.RedemptionResponse),
      },
    },
    async (req, reply) => {
      const sent = await redeemOnce(app.ctx, {
        org: req.principal.org,
        customerId: req.principal.customerId,
        rewardId: req.body.rewardId,
        key: parseIdempotencyKey(req.headers['idempotency-key'], true, 'a retried redemption spends the points once')!,
        lang: language(req, reply),
        serialize: (answer) => String(reply.status(201).serialize(answer)),
      });
      return sendJson(reply, sent.status, sent.body);
    },
  );

  app.get(
    '/me/redemptions',
    {
      schema: {
        tags,
        security,
        summary: 'My redemptions and their coupons, newest first',
        description:
          "Newest first (at most 100); a reversed redemption is left out. `coupon.status`: `ACTIVE` (can be used at the shop's checkout), `REDEEMED` (used), `EXPIRED`.",
        headers: S.languageHeaders,
        response: S.responses(200, C.RedemptionsResponse),
      },
    },
    (req, reply) => redemptionsOf(app.ctx, req.principal, language(req, reply)),
  );
}
