/**
 * The engine's refusals. A DomainError has a stable `code` and a message, and no HTTP status: each
 * HTTP surface maps the codes to its own statuses and envelopes (server/capillary/errors.ts for the
 * Capillary-compatible API; the widget API answers every one as a masked 500, because its own checks
 * run first and an engine refusal there means our orchestration or the organisation's configuration
 * is wrong).
 */
export type DomainCode =
  | 'UCC_NOT_ENABLED'
  | 'UCC_CANNOT_BECOME_DEFAULT'
  | 'UCC_ONE_TARGET_RULE'
  | 'UCC_ENROLMENT_METHOD'
  | 'NOT_SUPPORTED'
  | 'TARGET_GROUP_INVALID'
  | 'TARGET_GROUP_NAME_EXISTS'
  | 'TARGET_GROUP_NOT_FOUND'
  | 'TARGET_NOT_FOUND'
  | 'CUSTOMER_UNKNOWN'
  | 'PERIOD_NOT_FOUND'
  | 'ALREADY_ENROLLED'
  | 'NOT_ENROLLED'
  | 'PROGRAM_NOT_FOUND'
  | 'PROMOTION_INVALID'
  | 'PROMOTION_TARGETS_INVALID'
  | 'PROMOTION_ACTION_INVALID'
  | 'PROMOTION_NAME_EXISTS'
  | 'PROMOTION_IDENTIFIER_EXISTS'
  | 'EVENT_NAME_INVALID'
  | 'EVENT_ACTIONS_INVALID'
  | 'EVENT_FIELD_INVALID'
  | 'EVENT_FIELD_ATTRIBUTES_INVALID'
  | 'EVENT_EXISTS'
  | 'EVENT_UNKNOWN'
  | 'EVENT_FIELD_REQUIRED'
  | 'EVENT_FIELD_TYPE_MISMATCH'
  | 'REWARD_NOT_FOUND'
  | 'REWARD_LIMIT_REACHED'
  | 'INSUFFICIENT_POINTS'
  | 'POINTS_INVALID'
  | 'REQUEST_ID_REUSED'
  | 'REDEMPTION_NOT_FOUND'
  | 'REDEMPTION_REVERSED'
  | 'COUPON_SERIES_NOT_FOUND'
  | 'COUPON_NOT_FOUND'
  | 'COUPON_NOT_YOURS'
  | 'COUPON_USED'
  | 'COUPON_EXPIRED'
  | 'COUPON_CANCELLED'
  | 'TRANSACTION_NUMBER_REQUIRED';

export class DomainError extends Error {
  constructor(
    readonly code: DomainCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
