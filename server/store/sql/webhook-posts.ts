import type { WebhookPostRow } from '../port/rows.js';
import type { WebhookPostsPort } from '../port/webhook-posts.js';
import type { Row } from './rows.js';
import type { SqlContext } from './sql-context.js';

const post = (r: Row | undefined): WebhookPostRow | undefined =>
  r && {
    id: r.id,
    orgId: r.org_id,
    requestId: r.request_id,
    body: r.body,
    state: r.state,
    acceptedMs: r.accepted_ms,
    dueMs: r.due_ms,
    processedMs: r.processed_ms,
    customerId: r.customer_id,
    eventId: r.event_id,
    duplicate: r.duplicate === 1,
    errorCode: r.error_code,
    message: r.message,
  };

/** Posts to Capillary webhooks and their processing state. */
export function webhookPostsTx(s: SqlContext): WebhookPostsPort {
  return {
    async insertWebhookPost(p) {
      const id = await s.insertId(
        `INSERT INTO webhook_posts (org_id, request_id, body, state, accepted_ms, due_ms, processed_ms, customer_id, event_id,
          duplicate, error_code, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        p.orgId,
        p.requestId,
        p.body,
        p.state,
        p.acceptedMs,
        p.dueMs,
        p.processedMs,
        p.customerId,
        p.eventId,
        p.duplicate ? 1 : 0,
        p.errorCode,
        p.message,
      );
      return { ...p, id };
    },
    async getWebhookPost(orgId, requestId) {
      return post(await s.get('SELECT * FROM webhook_posts WHERE request_id = ? AND org_id = ?', requestId, orgId));
    },
    async settleWebhookPost(requestId, state, o) {
      return post(
        await s.get(
          `UPDATE webhook_posts SET state = ?, processed_ms = ?, customer_id = ?, event_id = ?, duplicate = ?, error_code = ?,
            message = ? WHERE request_id = ? AND state = 'ACCEPTED' RETURNING *`,
          state,
          o.processedMs,
          o.customerId,
          o.eventId,
          o.duplicate ? 1 : 0,
          o.errorCode,
          o.message,
          requestId,
        ),
      );
    },
    async listPendingWebhookPosts(limit) {
      return (
        await s.all(
          `SELECT org_id, request_id, due_ms FROM webhook_posts WHERE state = 'ACCEPTED' ORDER BY due_ms, id LIMIT ?`,
          limit,
        )
      ).map((r) => ({ orgId: r.org_id, requestId: r.request_id, dueMs: r.due_ms }));
    },
  };
}
