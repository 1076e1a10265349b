/**
 * The rewards catalogue (docs/rewards.md, docs/capillary-api.md "Spending points"), under
 * `/api_gateway/rewards/core/v1`: the organisation's catalogue (its `rewards` config), a reward's
 * issue (points → a coupon in one call, once per `requestId`: what upstream mode calls), and its revoke.
 */
import type { FastifyInstance } from 'fastify';
import { badRequest, Codes } from '../../errors.js';
import type { OrgDoc } from '../../engine/org.js';
import { redeemReward, reverseRedemption } from '../../engine/redemptions.js';
import { iso } from '../../engine/time.js';
import { DomainError } from '../../model/errors.js';
import type { RewardConfig } from '../../model/org.js';
import { customerByIds } from '../lookup.js';
import { decimal, type Q } from '../query.js';
import { schemas } from '../schemas.js';

const ok = { success: true, code: 200, message: 'Success' };

/** A catalogue reward's numeric id on this surface: its `upstreamRewardId`, else its place in the catalogue (from 1). */
const numericId = (org: OrgDoc, r: RewardConfig) => r.upstreamRewardId ?? (org.rewards ?? []).indexOf(r) + 1;

/** The reward a path names: by its numeric id (as the platform's), or by its catalogue id. */
function rewardOf(org: OrgDoc, id: string): RewardConfig {
  const n = decimal(id);
  const r = (org.rewards ?? []).find((x) => (Number.isSafeInteger(n) ? numericId(org, x) === n : x.id === id));
  if (!r) throw new DomainError('REWARD_NOT_FOUND', `There is no reward ${id}.`);
  return r;
}

const DISCOUNT_TYPE = { PERCENT_OFF: 'PERC', AMOUNT_OFF: 'ABS', FREE_ITEM: 'FREE_ITEM' } as const;

export async function rewardRoutes(app: FastifyInstance) {
  const { store, clock } = app.ctx;

  // docs.capillarytech.com/reference (list rewards): the brand is the organisation (its id or name); page from 0.
  app.get('/user/reward/brand/:brand', async (req) => {
    const q = req.query as Q;
    const brand = (req.params as Q).brand!;
    const page = q.page === undefined ? 0 : decimal(q.page),
      size = q.size === undefined ? 20 : decimal(q.size);
    if (!Number.isSafeInteger(page) || !Number.isSafeInteger(size) || size < 1 || size > 100)
      throw badRequest(Codes.INVALID_INPUT, 'page must be ≥ 0 and size from 1 to 100.');
    const org = req.org;
    const all = brand === org.id || brand === org.name ? (org.rewards ?? []) : [];
    const rewardList = all.slice(page * size, page * size + size).map((r) => ({
      id: numericId(org, r),
      catalogueId: r.id,
      name: r.label,
      description: r.description ?? '',
      type: 'VOUCHER',
      redemptionType: 'INTOUCH_REWARD',
      brand: org.id,
      enabled: true,
      paymentConfigs: [{ id: 1, paymentMode: 'POINTS', points: r.points }],
      languageSpecificInfo: [
        { language: org.defaultLanguage ?? 'en', name: r.label, description: r.description ?? '' },
        ...Object.entries(r.i18n ?? {}).map(([language, t]) => ({
          language,
          name: t.label ?? r.label,
          description: t.description ?? r.description ?? '',
        })),
      ],
      discountType: DISCOUNT_TYPE[r.kind],
      discountValue: r.value,
      validityDays: r.validityDays,
      perCustomerLimit: r.perCustomerLimit,
    }));
    return { status: ok, rewardList, page, size, totalElements: all.length };
  });

  // docs.capillarytech.com/reference/post-issue-user-reward: points → coupon in one call; requestId makes it once.
  app.post('/user/reward/:rewardId/issue', { schema: { body: schemas.rewardIssue } }, async (req) => {
    const b = req.body as Record<string, any>;
    if (typeof b.requestId !== 'string' || b.requestId === '')
      throw badRequest(Codes.INVALID_INPUT, 'requestId is required: it makes a retried issue count once.');
    if (b.quantity !== undefined && b.quantity !== null && b.quantity !== 1)
      throw badRequest(Codes.NOT_SUPPORTED, 'quantity must be 1 here (one coupon per issue).');
    const reward = rewardOf(req.org, (req.params as Q).rewardId!);
    const r = await store.tx(async (tx) => {
      const c = await customerByIds(tx, req.org, b);
      return redeemReward(tx, req.org, { customerId: c.id, rewardId: reward.id, requestId: b.requestId }, clock.now());
    });
    return {
      status: ok,
      intouch: {
        pointsRedeemed: r.redemption.points,
        couponCode: r.coupon!.code,
        codeExpiry: iso(r.coupon!.expiresMs),
      },
      transactionId: r.redemption.id,
      requestId: b.requestId,
      rewardId: numericId(req.org, reward),
    };
  });

  // docs.capillarytech.com/reference/revoke-user-reward: ISSUED → CANCELLED, the points back; a second revoke changes nothing.
  app.post('/user/reward/revoke', { schema: { body: schemas.rewardRevoke } }, async (req) => {
    const b = req.body as { txnId?: unknown };
    const id = typeof b.txnId === 'number' ? b.txnId : decimal(String(b.txnId ?? ''));
    if (!Number.isSafeInteger(id)) throw badRequest(Codes.INVALID_INPUT, 'txnId is required.');
    const r = await store.tx(async (tx) => {
      const found = await tx.getRedemption(req.org.id, id);
      if (!found || found.rewardId === null)
        throw new DomainError('REDEMPTION_NOT_FOUND', `There is no issued reward ${id}.`);
      return reverseRedemption(tx, req.org, { redemptionId: id }, clock.now());
    });
    return {
      status: ok,
      txnId: r.redemption.id,
      rewardStatus: 'CANCELLED',
      pointsReversed: r.reversed ? r.redemption.points : 0,
    };
  });
}
