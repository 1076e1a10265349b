import type { RedemptionsPort } from '../port/redemptions.js';
import type { CouponRow } from '../port/rows.js';
import type { SqlContext } from './sql-context.js';
import { coupon, couponSeries, redemption } from './rows.js';

/** Redemptions, coupons and coupon series. */
export function redemptionsTx(s: SqlContext): RedemptionsPort {
  return {
    async spendBalance(customerId, points) {
      const r = await s.get(
        'UPDATE customers SET balance = balance - ? WHERE id = ? AND balance >= ? RETURNING balance',
        points,
        customerId,
        points,
      );
      return r === undefined ? undefined : Number(r.balance);
    },
    async insertRedemption(x) {
      return redemption(
        await s.get(
          `INSERT INTO redemptions (org_id, customer_id, reward_id, points, ledger_id, coupon_id, request_id, created_ms)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
          x.orgId,
          x.customerId,
          x.rewardId,
          x.points,
          x.ledgerId,
          x.couponId,
          x.requestId,
          x.createdMs,
        ),
      )!;
    },
    async getRedemption(orgId, id) {
      return redemption(await s.get('SELECT * FROM redemptions WHERE org_id = ? AND id = ?', orgId, id));
    },
    async getRedemptionByRequest(customerId, orgId, requestId) {
      return redemption(
        await s.get(
          'SELECT * FROM redemptions WHERE org_id = ? AND customer_id = ? AND request_id = ?',
          orgId,
          customerId,
          requestId,
        ),
      );
    },
    async listRedemptions(customerId, o) {
      return (
        await s.all('SELECT * FROM redemptions WHERE customer_id = ? ORDER BY id DESC LIMIT ?', customerId, o.limit)
      ).map((r) => redemption(r)!);
    },
    async redeemedCounts(customerId) {
      const rows = await s.all(
        `SELECT reward_id, count(*) AS n FROM redemptions
          WHERE customer_id = ? AND reward_id IS NOT NULL AND reversed_ms IS NULL GROUP BY reward_id`,
        customerId,
      );
      return new Map(rows.map((r) => [r.reward_id as string, Number(r.n)]));
    },
    async setRedemptionReversed(id, ms) {
      await s.run('UPDATE redemptions SET reversed_ms = ? WHERE id = ? AND reversed_ms IS NULL', ms, id);
    },
    async insertCoupon(c) {
      return coupon(
        await s.get(
          `INSERT INTO coupons (org_id, customer_id, code, reward_id, series_id, discount, issued_ms, expires_ms)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
          c.orgId,
          c.customerId,
          c.code,
          c.rewardId,
          c.seriesId,
          JSON.stringify(c.discount),
          c.issuedMs,
          c.expiresMs,
        ),
      )!;
    },
    async getCoupon(orgId, id) {
      return coupon(await s.get('SELECT * FROM coupons WHERE org_id = ? AND id = ?', orgId, id));
    },
    async getCouponByCode(orgId, code) {
      return coupon(await s.get('SELECT * FROM coupons WHERE org_id = ? AND code = ?', orgId, code));
    },
    async getCoupons(orgId, ids) {
      const out = new Map<number, CouponRow>();
      if (ids.length === 0) return out;
      const [cond, arg] = s.inIds('id', ids);
      for (const r of await s.all(`SELECT * FROM coupons WHERE org_id = ? AND ${cond}`, orgId, arg))
        out.set(r.id, coupon(r)!);
      return out;
    },
    async listCoupons(customerId, o) {
      return (
        await s.all(
          'SELECT * FROM coupons WHERE customer_id = ? ORDER BY id DESC LIMIT ? OFFSET ?',
          customerId,
          o.limit,
          o.offset,
        )
      ).map((r) => coupon(r)!);
    },
    async useCoupon(id, ms, txn) {
      const r = await s.get(
        'UPDATE coupons SET redeemed_ms = ?, redeem_txn = ? WHERE id = ? AND redeemed_ms IS NULL AND cancelled_ms IS NULL RETURNING id',
        ms,
        txn,
        id,
      );
      return r !== undefined;
    },
    async cancelCoupon(id, ms) {
      const r = await s.get(
        'UPDATE coupons SET cancelled_ms = ? WHERE id = ? AND redeemed_ms IS NULL AND cancelled_ms IS NULL RETURNING id',
        ms,
        id,
      );
      return r !== undefined;
    },
    async insertCouponSeries(x) {
      return couponSeries(
        await s.get(
          `INSERT INTO coupon_series (org_id, description, discount_type, discount_value, discount_upto, expiry_days, max_redeem, created_ms)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
          x.orgId,
          x.description,
          x.discountType,
          x.discountValue,
          x.discountUpto,
          x.expiryDays,
          x.maxRedeem,
          x.createdMs,
        ),
      )!;
    },
    async getCouponSeries(orgId, id) {
      return couponSeries(await s.get('SELECT * FROM coupon_series WHERE org_id = ? AND id = ?', orgId, id));
    },
  };
}
