/** Table rows (snake_case columns) to the store's records. */
import type {
  CustomerRow,
  EnrolmentRow,
  ProgressRow,
  CompletionRow,
  EventRow,
  LedgerRow,
  PromotionRow,
  ChallengeRow,
  ActivityRow,
  CouponRow,
  CouponSeriesRow,
  RedemptionRow,
} from '../port/rows.js';

/** A row as better-sqlite3 returns it. */
export type Row = Record<string, any>;

export const customer = (r: Row | undefined): CustomerRow | undefined =>
  r && {
    id: r.id,
    orgId: r.org_id,
    externalId: r.external_id,
    timeZone: r.time_zone,
    balance: r.balance,
    createdMs: r.created_ms,
  };
export const enrolment = (r: Row | undefined): EnrolmentRow | undefined =>
  r && {
    id: r.id,
    orgId: r.org_id,
    tgId: r.tg_id,
    targetId: r.target_id,
    customerId: r.customer_id,
    eventName: r.event_name,
    startIdx: r.start_idx,
    active: !!r.active,
    enrolledMs: r.enrolled_ms,
    unenrolledMs: r.unenrolled_ms,
  };
export const progress = (r: Row): ProgressRow => ({
  enrolmentId: r.enrolment_id,
  periodIdx: r.period_idx,
  value: r.value,
  achievedMs: r.achieved_ms,
});
export const completion = (r: Row): CompletionRow => ({
  id: r.id,
  enrolmentId: r.enrolment_id,
  kind: r.kind,
  ref: r.ref,
  achievedMs: r.achieved_ms,
  revokedMs: r.revoked_ms,
});
export const event = (r: Row | undefined): EventRow | undefined =>
  r && {
    id: r.id,
    orgId: r.org_id,
    customerId: r.customer_id,
    eventName: r.event_name,
    externalEventId: r.external_event_id,
    occurredMs: r.occurred_ms,
    fields: JSON.parse(r.fields),
    createdMs: r.created_ms,
    voidedMs: r.voided_ms,
  };
export const ledger = (r: Row): LedgerRow => ({
  id: r.id,
  orgId: r.org_id,
  customerId: r.customer_id,
  type: r.type,
  points: r.points,
  promotionId: r.promotion_id,
  completionId: r.completion_id,
  reversesId: r.reverses_id,
  reversed: !!r.reversed,
  description: r.description,
  createdMs: r.created_ms,
  expiresMs: r.expires_ms,
});
export const promotion = (r: Row | undefined): PromotionRow | undefined =>
  r && {
    id: r.id,
    orgId: r.org_id,
    programId: r.program_id,
    name: r.name,
    identifier: r.identifier,
    sourceType: r.source_type,
    active: !!r.active,
    createdMs: r.created_ms,
    doc: JSON.parse(r.doc),
  };
export const challenge = (r: Row | undefined): ChallengeRow | undefined =>
  r && {
    id: r.id,
    orgId: r.org_id,
    customerId: r.customer_id,
    templateId: r.template_id,
    name: r.name,
    tgId: r.tg_id,
    targetId: r.target_id,
    promotionId: r.promotion_id,
    enrolmentId: r.enrolment_id,
    target: r.target,
    period: r.period,
    periodCount: r.period_count,
    timeZone: r.time_zone,
    rewardPoints: r.reward_points,
    startsMs: r.starts_ms,
    endsMs: r.ends_ms,
    createdMs: r.created_ms,
    leftMs: r.left_ms,
  };
export const activity = (r: Row | undefined): ActivityRow | undefined =>
  r && {
    id: r.id,
    orgId: r.org_id,
    customerId: r.customer_id,
    challengeId: r.challenge_id,
    templateId: r.template_id,
    eventId: r.event_id,
    quantity: r.quantity,
    occurredMs: r.occurred_ms,
    createdMs: r.created_ms,
    undoneMs: r.undone_ms,
    request: r.request ?? null,
  };
export const coupon = (r: Row | undefined): CouponRow | undefined =>
  r && {
    id: r.id,
    orgId: r.org_id,
    customerId: r.customer_id,
    code: r.code,
    rewardId: r.reward_id,
    seriesId: r.series_id,
    discount: JSON.parse(r.discount),
    issuedMs: r.issued_ms,
    expiresMs: r.expires_ms,
    redeemedMs: r.redeemed_ms,
    redeemTxn: r.redeem_txn,
    cancelledMs: r.cancelled_ms,
  };
export const couponSeries = (r: Row | undefined): CouponSeriesRow | undefined =>
  r && {
    id: r.id,
    orgId: r.org_id,
    description: r.description,
    discountType: r.discount_type,
    discountValue: r.discount_value,
    discountUpto: r.discount_upto,
    expiryDays: r.expiry_days,
    maxRedeem: r.max_redeem,
    createdMs: r.created_ms,
  };
export const redemption = (r: Row | undefined): RedemptionRow | undefined =>
  r && {
    id: r.id,
    orgId: r.org_id,
    customerId: r.customer_id,
    rewardId: r.reward_id,
    points: r.points,
    ledgerId: r.ledger_id,
    couponId: r.coupon_id,
    requestId: r.request_id,
    createdMs: r.created_ms,
    reversedMs: r.reversed_ms,
  };
