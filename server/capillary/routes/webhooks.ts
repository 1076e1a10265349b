/**
 * `POST /webhooks/:webhookId`: an event occurrence pushed by the organisation (authenticated here, against the
 * webhook's organisation). Without UCC_CAPILLARY_ASYNC_MS it is processed before it is answered; with it, it is
 * accepted at once and processed that many milliseconds later (webhook-posts.ts).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../errors.js';
import { authenticate } from '../auth.js';
import type { Q } from '../query.js';
import { schemas } from '../schemas.js';
import { ACCEPTED_MESSAGE, WebhookQueue, applyPost, checkPost, processedMessage } from '../webhook-posts.js';

export async function webhookRoutes(app: FastifyInstance) {
  const { store, clock } = app.ctx;
  const queue = new WebhookQueue({
    store,
    org: (id) => app.ctx.orgs.get(id),
    now: () => clock.now(),
    log: app.log,
    // A post processed later is a write no request answered: every cached progress read is stale.
    onProcessed: () => app.readCache.bumpAll(),
  });
  // Posts still ACCEPTED (left by a stop or a crash) are processed at their due time, whatever the setting now.
  app.addHook('onReady', async () => queue.resume());
  app.addHook('preClose', async () => queue.close());

  app.post('/:webhookId', { schema: { body: schemas.webhook } }, async (req) => {
    const org = app.ctx.orgs.byWebhook((req.params as Q).webhookId!);
    if (!org) throw notFound(404, 'Unknown webhook.');
    const caller = await authenticate(req);
    if (caller.id !== org.id) throw notFound(404, 'Unknown webhook.');
    const body = req.body as Record<string, any>;
    checkPost(body);
    const requestId = randomUUID();
    const now = clock.now();
    const asyncMs = app.ctx.capillaryAsyncMs;
    const post = {
      orgId: org.id,
      requestId,
      body: JSON.stringify(body),
      acceptedMs: now,
      dueMs: now + (asyncMs ?? 0),
    };
    if (asyncMs !== null) {
      // Recorded (committed) before it is answered: an accepted post is never lost, even by a crash.
      await store.tx((tx) =>
        tx.insertWebhookPost({
          ...post,
          state: 'ACCEPTED',
          processedMs: null,
          customerId: null,
          eventId: null,
          duplicate: false,
          errorCode: null,
          message: null,
        }),
      );
      queue.schedule(org.id, requestId, asyncMs);
      return { status: { code: 1100, message: ACCEPTED_MESSAGE }, requestId };
    }
    const result = await store.tx(async (tx) => {
      const r = await applyPost(tx, org, body, now, now);
      await tx.insertWebhookPost({
        ...post,
        state: 'PROCESSED',
        processedMs: now,
        customerId: r.customerId,
        eventId: r.eventId,
        duplicate: r.duplicate,
        errorCode: null,
        message: processedMessage(r),
      });
      return r;
    });
    // Answered after the commit, so a read that follows sees the event's effects.
    return { status: { code: 1100, message: result.message }, requestId, eventId: result.eventId };
  });
}
