/** `POST /webhooks/:webhookId`: an event occurrence pushed by the organisation (authenticated here, against the webhook's organisation). */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { badRequest, notFound, Codes } from '../../errors.js';
import { recordOccurrence } from '../../engine/occurrence.js';
import { parseInstant } from '../../engine/time.js';
import { authenticate } from '../auth.js';
import type { Q } from '../query.js';
import { schemas } from '../schemas.js';

export async function webhookRoutes(app: FastifyInstance) {
  const { store, clock } = app.ctx;
  app.post('/:webhookId', { schema: { body: schemas.webhook } }, async (req) => {
    const org = app.ctx.orgs.byWebhook((req.params as Q).webhookId!);
    if (!org) throw notFound(404, 'Unknown webhook.');
    const caller = await authenticate(req);
    if (caller.id !== org.id) throw notFound(404, 'Unknown webhook.');
    const { event_name, customer_id, external_event_id, eventDateTime, ...fields } = req.body as Record<string, any>;
    if (typeof event_name !== 'string' || !event_name) throw badRequest(Codes.EVENT_UNKNOWN, 'event_name is required.');
    if (
      external_event_id !== undefined &&
      (typeof external_event_id !== 'string' || !external_event_id || external_event_id.length > 128)
    ) {
      throw badRequest(Codes.INVALID_INPUT, 'external_event_id must be a non-empty string of at most 128 characters.');
    }
    const now = clock.now();
    const result = await store.tx(async (tx) => {
      const key = customer_id === undefined || customer_id === null ? '' : String(customer_id);
      const customer =
        (/^\d+$/.test(key) ? await tx.getCustomer(org.id, Number(key)) : undefined) ??
        (key ? await tx.getCustomerByExternalId(org.id, key) : undefined);
      if (!customer)
        throw badRequest(
          Codes.EVENT_CUSTOMER_UNKNOWN,
          `customer_id "${key}" is not a customer of this organisation (user id or external id).`,
        );
      const occurredMs =
        eventDateTime === undefined ? now : parseInstant(eventDateTime, customer.timeZone ?? org.timeZone);
      if (Number.isNaN(occurredMs))
        throw badRequest(Codes.EVENT_TIME_INVALID, 'eventDateTime must look like "YYYY-MM-DD HH:mm:ss" or ISO 8601.');
      return recordOccurrence(
        tx,
        org,
        {
          eventName: event_name,
          customerId: customer.id,
          externalEventId: external_event_id ?? null,
          occurredMs,
          fields,
        },
        now,
      );
    });
    // Answered after the commit, so a read that follows sees the event's effects.
    return {
      status: {
        code: 1100,
        message: result.duplicate
          ? 'Duplicate event ignored (external_event_id already processed)'
          : 'Event is pushed to transformation state',
      },
      requestId: randomUUID(),
      eventId: result.event.id,
    };
  });
}
