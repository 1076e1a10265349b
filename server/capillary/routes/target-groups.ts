/** `/v3/targetGroups`: create, list, read and update target groups and their targets; enrol and unenrol customers. */
import type { FastifyInstance } from 'fastify';
import { createTargetGroup, enrol, loadGroup, unenrol, updateTarget, updateTargetGroup } from '../../engine/targets.js';
import { groupPage } from '../group-page.js';
import {
  parseEnrolments,
  parseNewTargetGroup,
  parseTargetGroupUpdate,
  parseTargetUpdate,
  parseUnenrolments,
} from '../parse.js';
import { flag, intParam, pageParams, MAX_LISTED, type Q } from '../query.js';
import { groupWeight, renderGroup } from '../render.js';
import { schemas } from '../schemas.js';

export async function targetGroupRoutes(app: FastifyInstance) {
  const { store, clock } = app.ctx;
  app.post('/targetGroups', { schema: { body: schemas.createTargetGroup } }, async (req) => {
    const now = clock.now();
    const tg = await store.tx((tx) =>
      createTargetGroup(tx, req.org, parseNewTargetGroup(req.org, req.body), now, 'api'),
    );
    return { data: renderGroup(tg, now), errors: null, warnings: null };
  });
  app.get('/targetGroups', async (req) => {
    const q = req.query as Q,
      now = clock.now(),
      withPeriods = q.includePeriods === undefined || flag(q.includePeriods);
    // limit and offset are this server's: Capillary documents none and answers every group in one list.
    const { limit, offset } = pageParams(q, MAX_LISTED, MAX_LISTED);
    return groupPage(
      store,
      req.org,
      {
        includeUserCreated: flag(q.includeUserCreatedTargetGroups),
        ...(flag(q.includeOnlyActive) ? { status: { is: 'LIVE' as const, now } } : {}),
        offset,
        limit,
      },
      (g) => renderGroup(g, now, withPeriods),
      (g) => groupWeight(g, withPeriods),
    );
  });
  app.get('/targetGroups/:id', async (req) => {
    const q = req.query as Q,
      id = intParam((req.params as Q).id!, 'targetGroupId');
    const tg = await store.read((tx) => loadGroup(tx, req.org, id, flag(q.includeUserCreatedTargetGroups)));
    return { data: renderGroup(tg, clock.now()), errors: null, warnings: null };
  });
  app.put('/targetGroups/:id', { schema: { body: schemas.updateTargetGroup } }, async (req) => {
    const id = intParam((req.params as Q).id!, 'targetGroupId');
    const tg = await store.tx((tx) => updateTargetGroup(tx, req.org, id, parseTargetGroupUpdate(req.body)));
    return { data: renderGroup(tg, clock.now()), errors: null, warnings: null };
  });
  app.put('/targetGroups/:id/targets/:targetId', { schema: { body: schemas.updateTarget } }, async (req) => {
    const p = req.params as Q;
    const targetId = intParam(p.targetId!, 'targetId');
    const tg = await store.tx((tx) =>
      updateTarget(tx, req.org, intParam(p.id!, 'targetGroupId'), targetId, parseTargetUpdate(req.body)),
    );
    return {
      data: renderGroup(tg, clock.now()).targets.find((t) => t.id === targetId),
      errors: null,
      warnings: null,
    };
  });
  // Enrol and unenrol: the same path ids, one transaction, the customer id (or ids) that changed.
  const customers = (rows: { customerId: number }[]) => ({
    data: rows.length === 1 ? rows[0].customerId : rows.map((r) => r.customerId),
    errors: null,
    warnings: null,
  });
  const groupAndTarget = (p: Q) => [intParam(p.id!, 'targetGroupId'), intParam(p.targetId!, 'targetId')] as const;
  app.post('/targetGroups/:id/targets/:targetId/enroll', { schema: { body: schemas.enrol } }, async (req) => {
    const [tgId, targetId] = groupAndTarget(req.params as Q);
    const cmd = parseEnrolments(req.body);
    return customers(await store.tx((tx) => enrol(tx, req.org, tgId, targetId, cmd, clock.now())));
  });
  app.post('/targetGroups/:id/targets/:targetId/unEnroll', { schema: { body: schemas.unenrol } }, async (req) => {
    const [tgId, targetId] = groupAndTarget(req.params as Q);
    const cmd = parseUnenrolments(req.body);
    return customers(await store.tx((tx) => unenrol(tx, req.org, tgId, targetId, cmd, clock.now())));
  });
}
