/**
 * An HTTP-level refusal, raised by a route or a surface's parser (the engine throws DomainErrors,
 * server/model/errors.ts, which each surface maps to its own statuses). `code` is the stable
 * machine-readable code: Capillary's numeric codes on the Capillary-compatible API, UPPER_SNAKE
 * strings on the widget API. Each HTTP surface renders it in its own envelope; anything that is
 * neither is logged and answered as a masked 500.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/**
 * The database cannot take or give data right now: busy (another process holds its write lock past
 * the deadline), full disk, I/O error, or its file is gone or was replaced. Nothing of the request
 * was committed. Each surface answers 503 with its own envelope and code (widget API
 * `STORAGE_UNAVAILABLE`, Capillary `Codes.STORAGE_UNAVAILABLE`) and `Retry-After`; `reason` is
 * for the log only.
 */
/** A storage error in one line for the log and /healthz: the database's code (SQLite's or PostgreSQL's SQLSTATE, or node's), and the message. */
export function describeStorageError(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  return `${typeof e?.code === 'string' ? `${e.code}: ` : ''}${String(e?.message ?? err)}`;
}

export class StorageUnavailable extends ApiError {
  constructor(readonly reason: string) {
    super(
      503,
      'STORAGE_UNAVAILABLE',
      'The database is unavailable right now; nothing was saved. Try again in a few seconds.',
    );
  }
}

export const badRequest = (code: string | number, message: string, details?: Record<string, unknown>) =>
  new ApiError(400, code, message, details);
export const notFound = (code: string | number, message: string) => new ApiError(404, code, message);
export const conflict = (code: string | number, message: string) => new ApiError(409, code, message);
export const forbidden = (code: string | number, message: string) => new ApiError(403, code, message);
export const unauthorized = (code: string | number, message: string) => new ApiError(401, code, message);

/** Codes we defined where Capillary documents none (listed in docs/operations.md). */
export const Codes = {
  UCC_NOT_ENABLED: 310901,
  UCC_CANNOT_BECOME_DEFAULT: 310902,
  UCC_ONE_TARGET_RULE: 310903,
  UCC_ENROLMENT_METHOD: 310904,
  NOT_SUPPORTED: 310905,
  TARGET_GROUP_NOT_FOUND: 310906,
  TARGET_NOT_FOUND: 310907,
  NOT_ENROLLED: 310908,
  STORAGE_UNAVAILABLE: 310909,
  /** A warning, not an error: a list answer was cut at its size bound; the rest is at a later offset. */
  MORE_ON_NEXT_PAGE: 310910,
  INVALID_INPUT: 300004,
  NAME_EXISTS: 310069,
  ALREADY_ENROLLED: 310119,
  INVALID_USER: 310011,
  PERIOD_NOT_FOUND: 310019,
  EVENT_EXISTS: 1806,
  EVENT_INVALID_ACTIONS: 1810,
  EVENT_INVALID_NAME: 1811,
  EVENT_INVALID_FIELD_TYPE: 1823,
  EVENT_REQUIRED_FIELD: 1802,
  EVENT_UNKNOWN: 1830,
  EVENT_FIELD_TYPE_MISMATCH: 1831,
  EVENT_CUSTOMER_UNKNOWN: 1832,
  EVENT_TIME_INVALID: 1833,
  EVENT_REQUEST_UNKNOWN: 1834,
  CUSTOMER_NOT_FOUND: 8015,
  CUSTOMER_EXISTS: 8016,
  AUTH_FAILED: 401,
  PERMISSION_DENIED: 403,
  PROMO_NAME_EXISTS: 4003,
  PROMO_IDENTIFIER_EXISTS: 4007,
  PROMO_START_EMPTY: 4011,
  PROMO_END_EMPTY: 4012,
  PROMO_TARGETS_MISSING: 4074,
  PROMO_ONE_RULESET: 4075,
  PROMO_RULESET_FIELDS: 4076,
  PROMO_FILTER_NAME: 4078,
  PROMO_SOURCE_MISSING: 4079,
  PROMO_ACTION_PROPERTIES: 4080,
  PROMO_INVALID: 4090,
  PROGRAM_NOT_FOUND: 4091,
  // Spending points (docs/rewards.md): the vendor's codes where its pages give them a meaning, ours (3109xx) elsewhere.
  REWARD_NOT_FOUND: 310911,
  INSUFFICIENT_POINTS: 310912,
  REQUEST_ID_REUSED: 310913,
  REDEMPTION_NOT_FOUND: 310914,
  COUPON_CANCELLED: 310915,
  COUPON_SERIES_NOT_FOUND: 310916,
  REDEMPTION_DUPLICATE_REVERSAL: 902,
  REWARD_LIMIT_REACHED: 12005,
  COUPON_CUSTOMER_NOT_FOUND: 701,
  COUPON_INVALID: 702,
  COUPON_NOT_YOURS: 703,
  COUPON_USED: 711,
  COUPON_EXPIRED: 713,
  COUPON_TRANSACTION_NUMBER: 718,
  POINTS_REDEEMED: 800,
  COUPON_REDEEMED: 700,
} as const;
