/** The customer's points: balance and ledger. */
import type { PointsResponse } from '../../../contract/widget-api.js';
import { ledgerView, parseId } from '../views.js';
import type { Customer, ServiceDeps } from './deps.js';

/** The points balance and one page of the ledger, newest first; `before` is the previous page's nextCursor. */
export function pointsPage(
  deps: ServiceDeps,
  { org, customerId }: Customer,
  q: { limit: number; before?: string },
): Promise<PointsResponse> {
  return deps.store.read(async (tx) => {
    const [c, rows] = await Promise.all([
      tx.getCustomer(org.id, customerId),
      tx.listLedgerEntries(customerId, { limit: q.limit + 1, beforeId: parseId(q.before) ?? undefined }),
    ]);
    const page = rows.slice(0, q.limit);
    return {
      balance: c?.balance ?? 0,
      entries: page.map(ledgerView),
      nextCursor: rows.length > page.length ? String(page[page.length - 1].id) : null,
    };
  });
}
