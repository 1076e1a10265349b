/**
 * Spending points (docs/rewards.md): a redemption takes a reward's points off the balance (one REDEEM
 * ledger entry, negative) and issues a coupon; a reversal gives them back (a REVERSAL entry naming the
 * REDEEM one) and cancels the coupon; a coupon is used once at a shop's checkout.
 *
 * Exactly once: a redemption is keyed by the customer's request id (the same id again answers the
 * first redemption and changes nothing); the balance is taken down by one conditional UPDATE (never
 * below zero) and a coupon used by another (never twice), and on PostgreSQL every one of these runs
 * under the customer's lock (store/postgres/locking.ts), on SQLite in the single writer's turn.
 */
import { randomInt } from 'node:crypto';
import { DomainError } from '../model/errors.js';
import type { OrgDoc, RewardConfig } from '../model/org.js';
import type { CouponDiscount, CouponRow, CouponSeriesRow, LedgerRow, RedemptionRow, Tx } from '../store/types.js';

const DAY = 86_400_000;
/** Coupon codes: no 0/O, 1/I/L, so a code read aloud or typed from a screen is not misread. */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 10;
/** The longest request id (Idempotency-Key, requestId, external_reference_number) a redemption keeps. */
export const MAX_REQUEST_ID = 200;

/** A fresh unguessable coupon code: 10 characters of a 31-letter alphabet (~49 bits) from node:crypto. */
export function couponCode(): string {
  let s = '';
  for (let i = 0; i < CODE_LENGTH; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return s;
}

/** What a catalogue reward's coupon gives. */
export const rewardDiscount = (r: RewardConfig): CouponDiscount => ({
  kind: r.kind,
  value: r.value,
  ...(r.currency !== undefined ? { currency: r.currency } : {}),
});

/** A redemption as made (or as found again for its request id: `replay`). */
export interface Redeemed {
  redemption: RedemptionRow;
  /** The coupon it bought (null for points redeemed without a reward). */
  coupon: CouponRow | null;
  ledger: LedgerRow | null;
  /** The balance after it (for a replay: the balance now). */
  balance: number;
  replay: boolean;
}

async function customerOrThrow(tx: Tx, org: OrgDoc, customerId: number) {
  const c = await tx.getCustomer(org.id, customerId);
  if (!c) throw new DomainError('CUSTOMER_UNKNOWN', `Customer ${customerId} is not in this organisation.`);
  return c;
}

/** The redemption this request id made before, or undefined; the same id for another reward is refused. */
async function replayOf(
  tx: Tx,
  org: OrgDoc,
  customerId: number,
  requestId: string,
  rewardId: string | null,
  points: number | null,
): Promise<Redeemed | undefined> {
  if (requestId.length === 0 || requestId.length > MAX_REQUEST_ID)
    throw new DomainError('POINTS_INVALID', `A request id is 1–${MAX_REQUEST_ID} characters.`);
  const prior = await tx.getRedemptionByRequest(customerId, org.id, requestId);
  if (!prior) return undefined;
  if (prior.rewardId !== rewardId || (points !== null && prior.points !== points))
    throw new DomainError(
      'REQUEST_ID_REUSED',
      `Request id "${requestId}" was already used for another redemption; use a new one.`,
    );
  const [coupon, customer] = await Promise.all([
    prior.couponId === null ? null : tx.getCoupon(org.id, prior.couponId),
    tx.getCustomer(org.id, customerId),
  ]);
  return { redemption: prior, coupon: coupon ?? null, ledger: null, balance: customer?.balance ?? 0, replay: true };
}

/**
 * Takes `points` off the balance with one REDEEM entry, or refuses with INSUFFICIENT_POINTS (details:
 * shortfall, balance, points) and changes nothing.
 */
async function spend(
  tx: Tx,
  org: OrgDoc,
  customerId: number,
  balance: number,
  points: number,
  what: string,
  now: number,
) {
  const after = balance >= points ? await tx.spendBalance(customerId, points) : undefined;
  if (after === undefined) {
    const have = (await tx.getCustomer(org.id, customerId))?.balance ?? 0;
    throw new DomainError('INSUFFICIENT_POINTS', `${what} costs ${points} points; the balance is ${have}.`, {
      shortfall: points - have,
      balance: have,
      points,
    });
  }
  const ledger = await tx.insertLedger({
    orgId: org.id,
    customerId,
    type: 'REDEEM',
    points: -points,
    promotionId: null,
    completionId: null,
    reversesId: null,
    description: `Redeemed: ${what}`,
    createdMs: now,
    expiresMs: null,
  });
  return { ledger, balance: after };
}

/** Issues a coupon with a fresh code (unique in the organisation). */
async function newCoupon(
  tx: Tx,
  org: OrgDoc,
  c: { customerId: number; rewardId: string | null; seriesId: number | null; discount: CouponDiscount; days: number },
  now: number,
): Promise<CouponRow> {
  let code = couponCode();
  // ~49 bits: a clash is all but impossible; checked all the same (PostgreSQL's unique key retries a racing one).
  while (await tx.getCouponByCode(org.id, code)) code = couponCode();
  return tx.insertCoupon({
    orgId: org.id,
    customerId: c.customerId,
    code,
    rewardId: c.rewardId,
    seriesId: c.seriesId,
    discount: c.discount,
    issuedMs: now,
    expiresMs: now + c.days * DAY,
  });
}

/**
 * Spends a catalogue reward's points on a coupon, once per (customer, requestId): the same id again
 * answers the first redemption (`replay`). Refusals: REWARD_NOT_FOUND, REWARD_LIMIT_REACHED (details:
 * limit, redeemed; reversed redemptions do not count), INSUFFICIENT_POINTS (details: shortfall, balance,
 * points). Otherwise one REDEEM entry (−points), the balance down, a coupon valid `validityDays`, and
 * the redemption row, all in `tx`.
 */
export async function redeemReward(
  tx: Tx,
  org: OrgDoc,
  cmd: { customerId: number; rewardId: string; requestId: string },
  now: number,
): Promise<Redeemed> {
  const replay = await replayOf(tx, org, cmd.customerId, cmd.requestId, cmd.rewardId, null);
  if (replay) return replay;
  const reward = org.rewards?.find((r) => r.id === cmd.rewardId);
  if (!reward) throw new DomainError('REWARD_NOT_FOUND', `There is no reward "${cmd.rewardId}".`);
  const customer = await customerOrThrow(tx, org, cmd.customerId);
  if (reward.perCustomerLimit !== null) {
    const redeemed = (await tx.redeemedCounts(cmd.customerId)).get(reward.id) ?? 0;
    if (redeemed >= reward.perCustomerLimit)
      throw new DomainError(
        'REWARD_LIMIT_REACHED',
        `"${reward.label}" can be redeemed ${reward.perCustomerLimit} time(s) per customer.`,
        { limit: reward.perCustomerLimit, redeemed },
      );
  }
  const { ledger, balance } = await spend(tx, org, cmd.customerId, customer.balance, reward.points, reward.label, now);
  const coupon = await newCoupon(
    tx,
    org,
    {
      customerId: cmd.customerId,
      rewardId: reward.id,
      seriesId: null,
      discount: rewardDiscount(reward),
      days: reward.validityDays,
    },
    now,
  );
  const redemption = await tx.insertRedemption({
    orgId: org.id,
    customerId: cmd.customerId,
    rewardId: reward.id,
    points: reward.points,
    ledgerId: ledger.id,
    couponId: coupon.id,
    requestId: cmd.requestId,
    createdMs: now,
  });
  return { redemption, coupon, ledger, balance, replay: false };
}

/**
 * Spends points without a reward (Capillary's `POST v1.1/points/redeem`): one REDEEM entry and no
 * coupon, once per (customer, requestId). POINTS_INVALID for a count that is not a whole number ≥ 1.
 */
export async function redeemPoints(
  tx: Tx,
  org: OrgDoc,
  cmd: { customerId: number; points: number; requestId: string; what?: string },
  now: number,
): Promise<Redeemed> {
  if (!Number.isSafeInteger(cmd.points) || cmd.points < 1)
    throw new DomainError('POINTS_INVALID', 'Points to redeem must be a whole number of at least 1.');
  const replay = await replayOf(tx, org, cmd.customerId, cmd.requestId, null, cmd.points);
  if (replay) return replay;
  const customer = await customerOrThrow(tx, org, cmd.customerId);
  const what = cmd.what ?? `${cmd.points} points`;
  const { ledger, balance } = await spend(tx, org, cmd.customerId, customer.balance, cmd.points, what, now);
  const redemption = await tx.insertRedemption({
    orgId: org.id,
    customerId: cmd.customerId,
    rewardId: null,
    points: cmd.points,
    ledgerId: ledger.id,
    couponId: null,
    requestId: cmd.requestId,
    createdMs: now,
  });
  return { redemption, coupon: null, ledger, balance, replay: false };
}

/** Can the customer spend `points` now? (Capillary's isredeemable.) */
export async function canRedeem(tx: Tx, org: OrgDoc, customerId: number, points: number) {
  if (!Number.isSafeInteger(points) || points < 1)
    throw new DomainError('POINTS_INVALID', 'Points to redeem must be a whole number of at least 1.');
  const c = await customerOrThrow(tx, org, customerId);
  return { redeemable: c.balance >= points, balance: c.balance };
}

/** What a reversal did: `reversed` false when the redemption had been reversed before (nothing changed). */
export interface Reversed {
  redemption: RedemptionRow;
  reversed: boolean;
  ledger: LedgerRow | null;
  balance: number;
}

/**
 * Gives a redemption's points back: a REVERSAL entry (+points, naming the REDEEM entry), the balance
 * up, the coupon cancelled. Refused (COUPON_USED) once the coupon was used at a checkout;
 * REDEMPTION_NOT_FOUND for an id that is not this organisation's (or, given `customerId`, not hers). A
 * second reversal changes nothing (`reversed: false`).
 */
export async function reverseRedemption(
  tx: Tx,
  org: OrgDoc,
  cmd: { redemptionId: number; customerId?: number },
  now: number,
): Promise<Reversed> {
  const r = await tx.getRedemption(org.id, cmd.redemptionId);
  if (!r || (cmd.customerId !== undefined && r.customerId !== cmd.customerId))
    throw new DomainError('REDEMPTION_NOT_FOUND', `There is no redemption ${cmd.redemptionId}.`);
  if (r.reversedMs !== null) {
    const c = await tx.getCustomer(org.id, r.customerId);
    return { redemption: r, reversed: false, ledger: null, balance: c?.balance ?? 0 };
  }
  const coupon = r.couponId === null ? undefined : await tx.getCoupon(org.id, r.couponId);
  if (coupon && coupon.redeemedMs !== null)
    throw new DomainError('COUPON_USED', `Coupon ${coupon.code} was already used; its redemption cannot be reversed.`);
  const ledger = await tx.insertLedger({
    orgId: org.id,
    customerId: r.customerId,
    type: 'REVERSAL',
    points: r.points,
    promotionId: null,
    completionId: null,
    reversesId: r.ledgerId,
    description: `Redemption ${r.id} reversed`,
    createdMs: now,
    expiresMs: null,
  });
  await tx.markLedgerReversed(r.ledgerId);
  await tx.addToBalance(r.customerId, r.points);
  if (coupon) await tx.cancelCoupon(coupon.id, now);
  await tx.setRedemptionReversed(r.id, now);
  const c = await tx.getCustomer(org.id, r.customerId);
  return { redemption: { ...r, reversedMs: now }, reversed: true, ledger, balance: c?.balance ?? 0 };
}

/** A coupon series' discount as a coupon carries it. */
export const seriesDiscount = (s: CouponSeriesRow): CouponDiscount => ({
  kind: s.discountType === 'ABS' ? 'AMOUNT_OFF' : s.discountType === 'PERC' ? 'PERCENT_OFF' : 'FREE_ITEM',
  value: s.discountValue,
  ...(s.discountUpto !== null ? { upto: s.discountUpto } : {}),
});

/** Issues a coupon of a series to a customer (Capillary's `POST v2/coupon/issue`): valid the series' expiry days. */
export async function issueCoupon(
  tx: Tx,
  org: OrgDoc,
  cmd: { seriesId: number; customerId: number },
  now: number,
): Promise<CouponRow> {
  const series = await tx.getCouponSeries(org.id, cmd.seriesId);
  if (!series) throw new DomainError('COUPON_SERIES_NOT_FOUND', `There is no coupon series ${cmd.seriesId}.`);
  await customerOrThrow(tx, org, cmd.customerId);
  return newCoupon(
    tx,
    org,
    {
      customerId: cmd.customerId,
      rewardId: null,
      seriesId: series.id,
      discount: seriesDiscount(series),
      days: series.expiryDays,
    },
    now,
  );
}

/** Why a coupon cannot be used now (a DomainCode), or null when it can. */
export type CouponRefusal =
  'COUPON_NOT_FOUND' | 'COUPON_NOT_YOURS' | 'COUPON_USED' | 'COUPON_EXPIRED' | 'COUPON_CANCELLED';

/** A coupon's status as its owner reads it. */
export const couponStatus = (c: CouponRow, now: number): 'ACTIVE' | 'REDEEMED' | 'EXPIRED' | 'CANCELLED' =>
  c.redeemedMs !== null ? 'REDEEMED' : c.cancelledMs !== null ? 'CANCELLED' : now >= c.expiresMs ? 'EXPIRED' : 'ACTIVE';

/**
 * Whether a code can be used now by `customerId` (undefined: by whoever holds it): the coupon (if the
 * organisation has one by that code) and why not, if not — another customer's (COUPON_NOT_YOURS, and no
 * coupon handed back), used, cancelled, expired.
 */
export async function checkCoupon(
  tx: Tx,
  org: OrgDoc,
  code: string,
  customerId: number | undefined,
  now: number,
): Promise<{ coupon: CouponRow | undefined; refusal: CouponRefusal | null }> {
  const coupon = await tx.getCouponByCode(org.id, code.trim().toUpperCase());
  if (!coupon) return { coupon, refusal: 'COUPON_NOT_FOUND' };
  if (customerId !== undefined && coupon.customerId !== customerId)
    return { coupon: undefined, refusal: 'COUPON_NOT_YOURS' };
  const status = couponStatus(coupon, now);
  const refusal =
    status === 'REDEEMED'
      ? 'COUPON_USED'
      : status === 'CANCELLED'
        ? 'COUPON_CANCELLED'
        : status === 'EXPIRED'
          ? 'COUPON_EXPIRED'
          : null;
  return { coupon, refusal };
}

const REFUSALS: Record<CouponRefusal, (code: string) => string> = {
  COUPON_NOT_FOUND: (code) => `There is no coupon ${code}.`,
  COUPON_NOT_YOURS: (code) => `Coupon ${code} was issued to another customer.`,
  COUPON_USED: (code) => `Coupon ${code} was already used.`,
  COUPON_EXPIRED: (code) => `Coupon ${code} has expired.`,
  COUPON_CANCELLED: (code) => `Coupon ${code} was cancelled.`,
};

/** The DomainError of a coupon refusal. */
export const couponError = (refusal: CouponRefusal, code: string) => new DomainError(refusal, REFUSALS[refusal](code));

/**
 * Uses a coupon on a shop's transaction (Capillary's `POST v2/coupon/redeem`), once: refused as
 * `checkCoupon` says, TRANSACTION_NUMBER_REQUIRED without a transaction number, and COUPON_USED for a
 * second use, however many run at the same time (one conditional UPDATE).
 */
export async function redeemCoupon(
  tx: Tx,
  org: OrgDoc,
  cmd: { code: string; customerId: number; transactionNumber: string },
  now: number,
): Promise<CouponRow> {
  if (!cmd.transactionNumber)
    throw new DomainError('TRANSACTION_NUMBER_REQUIRED', 'A coupon is used on a transaction: send its number.');
  const { coupon, refusal } = await checkCoupon(tx, org, cmd.code, cmd.customerId, now);
  if (refusal !== null || !coupon) throw couponError(refusal ?? 'COUPON_NOT_FOUND', cmd.code);
  if (!(await tx.useCoupon(coupon.id, now, cmd.transactionNumber))) throw couponError('COUPON_USED', coupon.code);
  return { ...coupon, redeemedMs: now, redeemTxn: cmd.transactionNumber };
}
