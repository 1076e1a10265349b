/** `/v2/events`: define an event and list the organisation's event definitions. */
import type { FastifyInstance } from 'fastify';
import { createEventDef } from '../../engine/events.js';
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
