/** Spending points: redemptions (points → a coupon), coupons and coupon series (docs/rewards.md). */
import type { CouponRow, CouponSeriesRow, RedemptionRow } from './rows.js';

export interface RedemptionsPort {
  // the balance
  /**
   * Takes `points` off the customer's balance only if the balance covers them (one conditional UPDATE):
   * answers the new balance, or undefined when it does not (nothing changed). A balance never goes below
   * zero by a redemption, whatever runs at the same time.
   */
  spendBalance(customerId: number, points: number): Promise<number | undefined>;
  // redemptions
  insertRedemption(row: Omit<RedemptionRow, 'id' | 'reversedMs'>): Promise<RedemptionRow>;
  getRedemption(orgId: string, id: number): Promise<RedemptionRow | undefined>;
  /** The redemption a customer's request id made (its idempotent replay), if any. */
  getRedemptionByRequest(customerId: number, orgId: string, requestId: string): Promise<RedemptionRow | undefined>;
  /** A customer's redemptions, newest first. */
  listRedemptions(customerId: number, opts: { limit: number }): Promise<RedemptionRow[]>;
  /** How many times the customer redeemed each catalogue reward, reversed redemptions left out (reward id → count). */
  redeemedCounts(customerId: number): Promise<Map<string, number>>;
  setRedemptionReversed(id: number, ms: number): Promise<void>;
  // coupons
  insertCoupon(row: Omit<CouponRow, 'id' | 'redeemedMs' | 'redeemTxn' | 'cancelledMs'>): Promise<CouponRow>;
  getCoupon(orgId: string, id: number): Promise<CouponRow | undefined>;
  getCouponByCode(orgId: string, code: string): Promise<CouponRow | undefined>;
  /** Several coupons by id (one read for a list of redemptions). */
  getCoupons(orgId: string, ids: number[]): Promise<Map<number, CouponRow>>;
  /** A customer's coupons, newest first, one page. */
  listCoupons(customerId: number, opts: { limit: number; offset: number }): Promise<CouponRow[]>;
  /**
   * Marks a coupon used on a transaction if it is neither used nor cancelled (one conditional UPDATE):
   * true when this call used it. Single use, whatever runs at the same time.
   */
  useCoupon(id: number, ms: number, transactionNumber: string): Promise<boolean>;
  /** Cancels a coupon that is neither used nor cancelled: true when this call cancelled it. */
  cancelCoupon(id: number, ms: number): Promise<boolean>;
  // coupon series
  insertCouponSeries(row: Omit<CouponSeriesRow, 'id'>): Promise<CouponSeriesRow>;
  getCouponSeries(orgId: string, id: number): Promise<CouponSeriesRow | undefined>;
}
