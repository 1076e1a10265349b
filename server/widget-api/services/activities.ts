/** A customer's activity history and undo (a log itself: log-answers.ts). */
import type { ActivitiesResponse, UndoActivityResponse } from '../../../contract/widget-api.js';
import { requireActivity, undoActivity } from '../activities.js';
import { customerZone, requireChallenge } from '../challenges.js';
import type { Lang } from '../i18n.js';
import { activityView, parseId, templateOf } from '../views.js';
import { parseBound } from './dates.js';
import type { Customer, ServiceDeps } from './deps.js';

export interface HistoryQuery {
  challengeId?: string;
  from?: string;
  to?: string;
  limit: number;
}

/**
 * Activity history, newest first: `from`/`to` as instants or dates in the customer's zone; with
 * `challengeId`, every log of that challenge's activity while it runs, however the log named it.
 */
export function listActivities(
  deps: ServiceDeps,
  { org, customerId }: Customer,
  q: HistoryQuery,
): Promise<ActivitiesResponse> {
  return deps.store.read(async (tx) => {
    const c = await tx.getCustomer(org.id, customerId);
    const tz = customerZone(org, c?.timeZone);
    let fromMs = parseBound(q.from, 'from', false, tz),
      toMs = parseBound(q.to, 'to', true, tz);
    let templateId: string | undefined;
    if (q.challengeId !== undefined) {
      // A challenge's history is every log of its activity while it ran, however the log named it.
      const ch = await requireChallenge(tx, customerId, parseId(q.challengeId));
      templateId = ch.templateId;
      fromMs = Math.max(fromMs ?? ch.startsMs, ch.startsMs);
      toMs = Math.min(toMs ?? ch.endsMs, ch.endsMs);
    }
    const rows = await tx.listActivities(customerId, { templateId, fromMs, toMs, limit: q.limit });
    return { activities: rows.map((a) => activityView(a, templateOf(org, a.templateId)?.eventName ?? '')) };
  });
}

/** Undoes a log while its periods are open; a reward it caused is reversed in the ledger. */
export async function undo(
  deps: ServiceDeps,
  { org, customerId }: Customer,
  id: string,
  lang: Lang,
): Promise<UndoActivityResponse> {
  const loyalty = deps.loyaltyFor(org);
  const answer = await deps.store.tx(async (tx) => {
    const a = await requireActivity(tx, customerId, parseId(id));
    return undoActivity(tx, loyalty, org, a, deps.clock.now(), lang);
  });
  loyalty.afterWrite?.(org, customerId);
  return answer;
}
