/** Posts to Capillary webhooks: recorded when accepted, then marked processed or failed. */
import type { WebhookPostRow } from './rows.js';

export type WebhookPostOutcome = Pick<
  WebhookPostRow,
  'processedMs' | 'customerId' | 'eventId' | 'duplicate' | 'errorCode' | 'message'
>;

export interface WebhookPostsPort {
  insertWebhookPost(row: Omit<WebhookPostRow, 'id'>): Promise<WebhookPostRow>;
  getWebhookPost(orgId: string, requestId: string): Promise<WebhookPostRow | undefined>;
  /**
   * Takes an ACCEPTED post for processing: marks it with `outcome` (state `state`) and returns it, or undefined when it
   * is not (or no longer) ACCEPTED. Another transaction claiming the same post at once waits for this one and then
   * finds it taken, so a post is processed once, whichever process gets to it first.
   */
  settleWebhookPost(
    requestId: string,
    state: 'PROCESSED' | 'FAILED',
    outcome: WebhookPostOutcome,
  ): Promise<WebhookPostRow | undefined>;
  /** The ACCEPTED posts, earliest due first (what a start-up picks up after a crash). */
  listPendingWebhookPosts(limit: number): Promise<Pick<WebhookPostRow, 'orgId' | 'requestId' | 'dueMs'>[]>;
}
