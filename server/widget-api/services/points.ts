/** The customer's points: balance and ledger. */
import type { PointsResponse } from '../../../contract/widget-api.js';
import { ledgerView } from '../views.js';
import type { Customer, ServiceDeps } from './deps.js';

/** The points balance and one page of the ledger, newest first; `before` is the previous page's nextCursor. */
export function pointsPage(
  deps: ServiceDeps,
  { org, customerId }: Customer,
  q: { limit: number; before?: string },
): Promise<PointsResponse> {
  const loyalty = deps.loyaltyFor(org);
  return deps.store.read(async (tx) => {
    const row = await tx.getCustomer(org.id, customerId);
    const page = await loyalty.points(tx, org, { id: customerId, row }, q);
    return { balance: page.balance, entries: page.entries.map(ledgerView), nextCursor: page.nextCursor };
  });
}
