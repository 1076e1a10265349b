/** `/v2/events`: define an event and list the organisation's event definitions; a webhook post's state by requestId. */
import type { FastifyInstance } from 'fastify';
import { badRequest, notFound, Codes } from '../../errors.js';
import { createEventDef } from '../../engine/events.js';
import { iso } from '../../engine/time.js';
import { parseEventDefinition } from '../parse.js';
import { page, pageParams, MAX_LISTED, type Q } from '../query.js';
import { fitting } from '../render.js';
import { schemas } from '../schemas.js';

export async function eventRoutes(app: FastifyInstance) {
  const { store, clock } = app.ctx;
  app.post('/events', { schema: { body: schemas.event } }, async (req) => {
    await store.tx((tx) => createEventDef(tx, req.org, parseEventDefinition(req.body), clock.now()));
    return { warnings: [], errors: [] };
  });
  // Capillary's "Get event data using request ID" (docs.capillarytech.com/reference/get-specific-event-data): its
  // data[] entry, plus the post's processing state (status, errorCode, message: docs/capillary-api.md).
  app.get('/events/event_data', async (req) => {
    const id = (req.query as Q).id;
    if (!id || id.length > 64)
      throw badRequest(Codes.INVALID_INPUT, 'id (the requestId a webhook post answered) is required.');
    const found = await store.read(async (tx) => {
      const post = await tx.getWebhookPost(req.org.id, id);
      const event = post?.eventId ? await tx.getEvent(req.org.id, post.eventId) : undefined;
      return post && { post, event };
    });
    if (!found)
      throw notFound(Codes.EVENT_REQUEST_UNKNOWN, `No webhook post of this organisation has requestId ${id}.`);
    const { post, event } = found;
    const { event_name, customer_id: _customer, ...attributes } = JSON.parse(post.body) as Record<string, unknown>;
    return {
      data: [
        {
          orgId: post.orgId,
          userId: post.customerId,
          date: iso(event?.occurredMs ?? post.acceptedMs),
          eventName: event_name,
          eventId: post.requestId,
          source: 'WEBHOOK',
          tillCode: null,
          displayName: event_name,
          additonalAttributes: { ...attributes, eventName: event_name, customerId: post.customerId },
          status: post.state,
          duplicate: post.duplicate,
          errorCode: post.errorCode,
          message: post.message,
          acceptedOn: iso(post.acceptedMs),
          processedOn: post.processedMs === null ? null : iso(post.processedMs),
        },
      ],
      warnings: [],
      errors: [],
    };
  });
  app.get('/events', async (req) => {
    // limit and offset are this server's (Capillary lists every event at once); an answer holds at most PAGE_BYTES.
    const { limit, offset } = pageParams(req.query as Q, MAX_LISTED, MAX_LISTED);
    const { total, listed, defs } = await store.read(async (tx) => {
      const { total, names } = await tx.pageEventDefs(req.org.id, { offset, limit });
      const defs = await fitting(
        names,
        async (n) => ({ def: (await tx.getEventDef(req.org.id, n.eventName))!, bytes: n.bytes }),
        (x) => x.bytes,
      );
      return { total, listed: names.length, defs };
    });
    const p = page(defs.length, listed, { offset, limit, total });
    return {
      ...(total > defs.length ? { pagination: p.pagination } : {}),
      data: defs.map(({ def: d }, i) => ({
        clickEventsMeta: { eventId: offset + i + 1, eventName: d.eventName, actions: d.actions, fields: d.fields },
      })),
      warnings: p.warnings ?? [],
      errors: [],
    };
  });
}
