/** The customer's points: balance and ledger. */
import type { PointsResponse } from '../../../contract/widget-api.js';
import { ledgerView } from '../views.js';
import type { Customer, ServiceDeps } from './deps.js';

/** The points balance and one page of the ledger, newest first; `before` is the previous page's nextCursor. */
export async function pointsPage(
  deps: ServiceDeps,
  { org, customerId }: Customer,
  q: { limit: number; before?: string },
): Promise<PointsResponse> {
  const loyalty = deps.loyaltyFor(org);
  // Upstream: the platform's balance and ledger, fetched before the read (stale: it could not be asked).
  const stale = (await loyalty.beforeRead?.(deps.store, org, customerId, 'points', q))?.stale ?? false;
  return deps.store.read(async (tx) => {
    const row = await tx.getCustomer(org.id, customerId);
    const page = await loyalty.points(tx, org, { id: customerId, row }, q);
    return {
      balance: page.balance,
      entries: page.entries.map(ledgerView),
      nextCursor: page.nextCursor,
      ...(stale ? { stale } : {}),
    };
  });
}
