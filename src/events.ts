import type { UccError } from './api/errors.js';
import type { Activity, Challenge, Redemption, Reward } from './api/types.js';

/** Public events; all bubble and cross shadow roots (`composed`). */
export interface UccEventMap {
  'ucc-challenge-created': CustomEvent<{ challenge: Challenge }>;
  'ucc-challenge-left': CustomEvent<{ challenge: Challenge }>;
  'ucc-activity-logged': CustomEvent<{ activity: Activity; challenges: Challenge[] }>;
  'ucc-reward-earned': CustomEvent<{ reward: Reward }>;
  /** The customer spent points on a reward: `redemption.coupon` holds the code, its expiry and discount. */
  'ucc-reward-redeemed': CustomEvent<{ redemption: Redemption }>;
  /** The token expired and logs wait in the offline queue: set a new `token` to send them. */
  'ucc-token-expired': CustomEvent<{ pending: number }>;
  /** `error` with the technical detail; `code` and `status` from it; `message`, the text the customer was shown. */
  'ucc-error': CustomEvent<{ error: UccError; code: string; status: number; message: string }>;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface GlobalEventHandlersEventMap extends UccEventMap {}
}
