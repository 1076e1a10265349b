/**
 * Coupons (docs/rewards.md, docs/capillary-api.md "Spending points"): `/v2/coupon/series`, `/v2/coupon/issue`,
 * `/v2/coupon/is_redeemable`, `/v2/coupon/redeem` (a shop's checkout) and `/v2/customers/{id}/coupons`.
 */
import type { FastifyInstance } from 'fastify';
import { badRequest, Codes } from '../../errors.js';
import { iso } from '../../engine/time.js';
import {
  checkCoupon,
  couponError,
  couponStatus,
  issueCoupon,
  redeemCoupon,
  type CouponRefusal,
} from '../../engine/redemptions.js';
import type { CouponDiscount, CouponRow } from '../../store/types.js';
import { CAPILLARY_ERRORS } from '../errors.js';
import { customerByIds, userOrThrow } from '../lookup.js';
import { decimal, flag, pageParams, type Q } from '../query.js';
import { schemas } from '../schemas.js';

const DISCOUNT_TYPE = { PERCENT_OFF: 'PERC', AMOUNT_OFF: 'ABS', FREE_ITEM: 'FREE_ITEM' } as const;

/** The coupon fields the platform's coupon answers carry (issue-single-coupon's sample), plus ours. */
const couponFields = (c: CouponRow) => ({
  id: c.id,
  code: c.code,
  seriesId: c.seriesId,
  rewardId: c.rewardId,
  discountType: DISCOUNT_TYPE[c.discount.kind],
  discountValue: c.discount.value,
  discountUpto: c.discount.upto ?? null,
  validTill: iso(c.expiresMs),
  issuedDate: iso(c.issuedMs),
  redemptionCount: c.redeemedMs === null ? 0 : 1,
});

/** What a coupon takes off a bill: a percentage of it (at most `upto`), a fixed amount (at most the bill), or nothing for a free item. */
export function couponValue(d: CouponDiscount, billAmount: number | undefined): number {
  if (d.kind === 'FREE_ITEM') return 0;
  if (d.kind === 'AMOUNT_OFF') return billAmount === undefined ? d.value : Math.min(d.value, billAmount);
  if (billAmount === undefined) return 0;
  const off = Math.round(billAmount * d.value) / 100;
  return d.upto !== undefined ? Math.min(off, d.upto) : off;
}

/** The platform's status names of a coupon (`GET v2/customers/coupons?status=ACTIVE_UNREDEEMED`). */
const STATUS = { ACTIVE: 'ACTIVE_UNREDEEMED', REDEEMED: 'REDEEMED', EXPIRED: 'EXPIRED', CANCELLED: 'CANCELLED' };

const days = (v: unknown) => {
  const n = typeof v === 'number' ? v : decimal(typeof v === 'string' ? v : undefined);
  if (!Number.isSafeInteger(n) || n < 1 || n > 3660)
    throw badRequest(Codes.INVALID_INPUT, 'expiryStrategyValue must be a number of days from 1 to 3660.');
  return n;
};

export async function couponRoutes(app: FastifyInstance) {
  const { store, clock } = app.ctx;

  // docs.capillarytech.com (create coupon series): DAYS expiry only; ABS, PERC and (ours) FREE_ITEM discounts.
  app.post('/coupon/series', { schema: { body: schemas.couponSeries } }, async (req) => {
    const b = req.body as Record<string, any>;
    const type = String(b.discountType ?? '');
    if (type !== 'ABS' && type !== 'PERC' && type !== 'FREE_ITEM')
      throw badRequest(Codes.INVALID_INPUT, 'discountType must be ABS, PERC or FREE_ITEM.');
    if (typeof b.discountValue !== 'number' || (type === 'PERC' && b.discountValue > 100))
      throw badRequest(Codes.INVALID_INPUT, 'discountValue is required (a percentage ≤ 100 for PERC).');
    if ((b.expiryStrategyType ?? 'DAYS') !== 'DAYS')
      throw badRequest(Codes.NOT_SUPPORTED, 'Only expiryStrategyType DAYS is supported here.');
    if (b.maxRedeem !== undefined && b.maxRedeem !== null && b.maxRedeem !== 1)
      throw badRequest(Codes.NOT_SUPPORTED, 'A coupon is used once here: maxRedeem must be 1 (or left out).');
    const row = await store.tx((tx) =>
      tx.insertCouponSeries({
        orgId: req.org.id,
        description: typeof b.description === 'string' ? b.description : '',
        discountType: type,
        discountValue: b.discountValue,
        discountUpto: typeof b.discountUpto === 'number' ? b.discountUpto : null,
        expiryDays: days(b.expiryStrategyValue),
        maxRedeem: 1,
        createdMs: clock.now(),
      }),
    );
    return {
      id: row.id,
      description: row.description,
      discountType: row.discountType,
      discountValue: row.discountValue,
      discountUpto: row.discountUpto,
      expiryStrategyType: 'DAYS',
      expiryStrategyValue: row.expiryDays,
      maxRedeem: row.maxRedeem,
      warnings: [],
      errors: [],
    };
  });

  // docs.capillarytech.com/reference/issue-single-coupon
  app.post('/coupon/issue', { schema: { body: schemas.couponIssue } }, async (req) => {
    const b = req.body as { seriesId?: unknown; customer?: Record<string, unknown> };
    const seriesId = typeof b.seriesId === 'number' ? b.seriesId : decimal(String(b.seriesId ?? ''));
    if (!Number.isSafeInteger(seriesId)) throw badRequest(Codes.INVALID_INPUT, 'seriesId is required.');
    const c = await store.tx(async (tx) => {
      const customer = await customerByIds(tx, req.org, b.customer ?? {});
      return issueCoupon(tx, req.org, { seriesId, customerId: customer.id }, clock.now());
    });
    return { ...couponFields(c), warnings: [], errors: [] };
  });

  // docs.capillarytech.com/reference/check-if-coupon-is-redeemable: codes comma-separated, one answer each.
  app.get('/coupon/is_redeemable', async (req) => {
    const q = req.query as Q;
    const codes = (q.code ?? '').split(',').filter((x) => x.trim() !== '');
    if (codes.length === 0 || codes.length > 20)
      throw badRequest(Codes.INVALID_INPUT, 'code is required: 1–20 codes, comma-separated.');
    const details = flag(q.details);
    const now = clock.now();
    const redemption = await store.read(async (tx) => {
      const c = await customerByIds(tx, req.org, q, Codes.COUPON_CUSTOMER_NOT_FOUND);
      const out = [];
      for (const code of codes) {
        const { coupon, refusal } = await checkCoupon(tx, req.org, code, c.id, now);
        out.push({
          code: code.trim(),
          isRedeemable: refusal === null,
          redemptionsLeft: refusal === null ? 1 : 0,
          ...(refusal !== null ? { error: errorOf(refusal, code.trim()) } : {}),
          ...(details && coupon ? { couponDetails: couponFields(coupon) } : {}),
        });
      }
      return out;
    });
    return { redemption, warnings: [], errors: [] };
  });

  // docs.capillarytech.com/reference/redeem-single-coupon: every code of the request in one transaction, all or none.
  app.post('/coupon/redeem', { schema: { body: schemas.couponRedeem } }, async (req) => {
    const b = req.body as {
      redemptionRequestList?: { code?: string }[];
      user?: Record<string, unknown>;
      billAmount?: number | null;
      transactionNumber?: string;
    };
    const codes = (b.redemptionRequestList ?? []).map((x) => x.code ?? '').filter((x) => x !== '');
    if (codes.length === 0) throw badRequest(Codes.INVALID_INPUT, 'redemptionRequestList must name a code.');
    const bill = typeof b.billAmount === 'number' ? b.billAmount : undefined;
    const used = await store.tx(async (tx) => {
      const c = await customerByIds(tx, req.org, b.user ?? {}, Codes.COUPON_CUSTOMER_NOT_FOUND);
      const out: CouponRow[] = [];
      for (const code of codes)
        out.push(
          await redeemCoupon(
            tx,
            req.org,
            { code, customerId: c.id, transactionNumber: b.transactionNumber ?? '' },
            clock.now(),
          ),
        );
      return out;
    });
    return {
      redemption: used.map((c) => ({
        redemptionId: c.id,
        code: c.code,
        couponValue: couponValue(c.discount, bill),
        discountType: DISCOUNT_TYPE[c.discount.kind],
        discountValue: c.discount.value,
        transactionNumber: c.redeemTxn,
        redemptionStatus: { status: true, code: Codes.COUPON_REDEEMED, message: 'Coupon redeemed' },
      })),
      warnings: [],
      errors: [],
    };
  });

  // docs.capillarytech.com/reference/get-customer-coupons: newest first; `status` filters (ACTIVE_UNREDEEMED, REDEEMED, EXPIRED, CANCELLED).
  app.get('/customers/:id/coupons', async (req) => {
    const q = req.query as Q;
    const { limit, offset } = pageParams(q, 100, 20);
    const want = q.status?.toUpperCase();
    if (want !== undefined && !Object.values(STATUS).includes(want))
      throw badRequest(Codes.INVALID_INPUT, `status must be one of ${Object.values(STATUS).join(', ')}.`);
    const now = clock.now();
    const { c, rows } = await store.read(async (tx) => {
      const c = await userOrThrow(tx, req.org, (req.params as Q).id!);
      return { c, rows: await tx.listCoupons(c.id, { limit: want ? 1000 : limit, offset: want ? 0 : offset }) };
    });
    const all = rows.map((x) => ({ ...couponFields(x), status: STATUS[couponStatus(x, now)] }));
    const coupons = want ? all.filter((x) => x.status === want).slice(offset, offset + limit) : all;
    return { customerId: c.id, coupons, warnings: [], errors: [] };
  });
}

/** A refusal as the per-code `error` of an is_redeemable answer: the code and message the redeem would answer. */
function errorOf(refusal: CouponRefusal, code: string) {
  const e = couponError(refusal, code);
  return { code: CAPILLARY_ERRORS[e.code][1], message: e.message };
}
