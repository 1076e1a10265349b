import type { Store } from '../../store/types.js';
import type { OrgDoc } from '../../engine/org.js';

/** What the widget API's services need of the app: the store and "now" (app.ctx satisfies it). */
export interface ServiceDeps {
  store: Store;
  clock: { now(): number };
}

/** The customer a service acts for (from the request's principal). */
export interface Customer {
  org: OrgDoc;
  customerId: number;
}
