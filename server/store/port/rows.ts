/**
 * The records the store speaks in (one per table row, as the engine and the HTTP layers see them).
 */
import type { PromotionDoc } from '../../model/documents.js';

export interface CustomerRow {
  id: number;
  orgId: string;
  externalId: string;
  timeZone: string | null;
  balance: number;
  createdMs: number;
}
export interface EnrolmentRow {
  id: number;
  orgId: string;
  tgId: number;
  targetId: number;
  customerId: number;
  eventName: string | null;
  startIdx: number;
  active: boolean;
  enrolledMs: number;
  unenrolledMs: number | null;
}
export interface ProgressRow {
  enrolmentId: number;
  periodIdx: number;
  value: number;
  achievedMs: number | null;
}
export interface CompletionRow {
  id: number;
  enrolmentId: number;
  kind: 'PERIOD' | 'LEVEL';
  ref: number;
  achievedMs: number;
  revokedMs: number | null;
}
export interface EventRow {
  id: number;
  orgId: string;
  customerId: number;
  eventName: string;
  externalEventId: string | null;
  occurredMs: number;
  fields: Record<string, unknown>;
  createdMs: number;
  voidedMs: number | null;
}
export interface EffectRow {
  eventId: number;
  enrolmentId: number;
  periodIdx: number;
  amount: number;
  day: string | null;
}
export interface LedgerRow {
  id: number;
  orgId: string;
  customerId: number;
  /** EARN: a reward; REVERSAL: one taken back, or a redemption given back; REDEEM: points spent (negative). */
  type: 'EARN' | 'REVERSAL' | 'REDEEM';
  points: number;
  promotionId: number | null;
  completionId: number | null;
  reversesId: number | null;
  reversed: boolean;
  description: string;
  createdMs: number;
  expiresMs: number | null;
}
export interface PromotionRow {
  id: number;
  orgId: string;
  programId: number;
  name: string;
  identifier: string;
  sourceType: string;
  active: boolean;
  createdMs: number;
  doc: PromotionDoc;
}
export interface ChallengeRow {
  id: number;
  orgId: string;
  customerId: number;
  templateId: string;
  name: string;
  tgId: number;
  targetId: number;
  promotionId: number;
  enrolmentId: number;
  target: number;
  period: 'DAILY' | 'WEEKLY';
  periodCount: number;
  timeZone: string;
  rewardPoints: number;
  startsMs: number;
  endsMs: number;
  createdMs: number;
  leftMs: number | null;
}
export interface ActivityRow {
  id: number;
  orgId: string;
  customerId: number;
  challengeId: number | null;
  templateId: string;
  eventId: number;
  quantity: number;
  occurredMs: number;
  createdMs: number;
  undoneMs: number | null;
  /** Fingerprint of the widget request that logged it (a replay with another body is refused); null when unknown. */
  request?: string | null;
}
/** A stored answer; `requestHash` fingerprints the request so a reused key with another body is refused. */
export interface IdempotencyRow {
  status: number;
  body: string;
  requestHash?: string | null;
}
export type LedgerEntryRow = LedgerRow & { challengeId: number | null; challengeName: string | null };
/** A post to a Capillary webhook: its requestId, raw body and processing state. */
export interface WebhookPostRow {
  id: number;
  orgId: string;
  requestId: string;
  /** The body as posted (JSON text). */
  body: string;
  state: 'ACCEPTED' | 'PROCESSED' | 'FAILED';
  acceptedMs: number;
  /** When it is to be processed (acceptedMs + UCC_CAPILLARY_ASYNC_MS). */
  dueMs: number;
  processedMs: number | null;
  customerId: number | null;
  eventId: number | null;
  /** Processed, but not counted: the same external_event_id or unique-key values had been counted before. */
  duplicate: boolean;
  errorCode: number | null;
  message: string | null;
}
/** What a coupon gives (kept with the coupon as JSON: a coupon keeps its discount if the catalogue changes). */
export interface CouponDiscount {
  kind: 'PERCENT_OFF' | 'AMOUNT_OFF' | 'FREE_ITEM';
  /** PERCENT_OFF: the percentage; AMOUNT_OFF: the amount; FREE_ITEM: 1. */
  value: number;
  currency?: string;
  /** The most a percentage takes off (a coupon series' discountUpto); absent: no cap. */
  upto?: number;
}
/** A coupon: one code, one customer, one use (or cancelled when the redemption that bought it is reversed). */
export interface CouponRow {
  id: number;
  orgId: string;
  customerId: number;
  /** Unique per organisation, unguessable. */
  code: string;
  /** The catalogue reward it was bought with; null for a coupon issued from a series. */
  rewardId: string | null;
  seriesId: number | null;
  discount: CouponDiscount;
  issuedMs: number;
  expiresMs: number;
  redeemedMs: number | null;
  /** The shop's transaction number it was used on. */
  redeemTxn: string | null;
  cancelledMs: number | null;
}
/** A Capillary-style coupon series: the discount a brand issues coupons of (`POST v2/coupon/series`). */
export interface CouponSeriesRow {
  id: number;
  orgId: string;
  description: string;
  discountType: 'ABS' | 'PERC' | 'FREE_ITEM';
  discountValue: number;
  discountUpto: number | null;
  /** How many days a coupon of it stays valid. */
  expiryDays: number;
  maxRedeem: number;
  createdMs: number;
}
/** Points spent: the REDEEM ledger entry, the coupon it bought (none for a bare points redemption), the request that made it. */
export interface RedemptionRow {
  id: number;
  orgId: string;
  customerId: number;
  /** The catalogue reward; null for points redeemed without one (`POST v1.1/points/redeem`). */
  rewardId: string | null;
  points: number;
  ledgerId: number;
  couponId: number | null;
  /** Unique per customer: the same request id again is the same redemption. */
  requestId: string;
  createdMs: number;
  reversedMs: number | null;
}
