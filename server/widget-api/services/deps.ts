import type { Store } from '../../store/types.js';
import type { OrgDoc } from '../../engine/org.js';
import type { LoyaltyFor } from '../../loyalty/port.js';

/**
 * What the widget API's services need of the app: the store (the widget's own records), "now", and
 * each organisation's loyalty backend (the platform's work) — app.ctx satisfies it.
 */
export interface ServiceDeps {
  store: Store;
  clock: { now(): number };
  loyaltyFor: LoyaltyFor;
}

/** The customer a service acts for (from the request's principal). */
export interface Customer {
  org: OrgDoc;
  customerId: number;
}
