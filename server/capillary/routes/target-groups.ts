/** `/v3/targetGroups`: create, list, read and update target groups and their targets; enrol and unenrol customers. */
import type { FastifyInstance } from 'fastify';
import { badRequest, Codes } from '../../errors.js';
import { createTargetGroup, enrol, loadGroup, unenrol, updateTarget, updateTargetGroup } from '../../engine/targets.js';
import { groupPage } from '../group-page.js';
import {
  parseEditTargetGroup,
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
  // Capillary's "Update target group" (docs.capillarytech.com/reference/update-target-group): only the name and the
  // rules' expression and expressionJson change; the rest of the group the body carries is left as it is.
  app.put('/targetGroups/editTargetGroup/:id', { schema: { body: schemas.updateTargetGroup } }, async (req) => {
    const id = intParam((req.params as Q).id!, 'targetGroupId');
    const edit = parseEditTargetGroup(req.body, id);
    const tg = await store.tx(async (tx) => {
      let g = await loadGroup(tx, req.org, id, true);
      if (edit.name !== undefined) g = await updateTargetGroup(tx, req.org, id, { name: edit.name });
      for (const r of edit.rules) {
        const targetId = r.id ?? (g.targets.length === 1 ? g.targets[0].id : undefined);
        if (targetId === undefined)
          throw badRequest(Codes.INVALID_INPUT, 'targets[].id is required when the group has several target rules.');
        g = await updateTarget(tx, req.org, id, targetId, {
          expression: r.expression,
          expressionJson: r.expressionJson,
        });
      }
      return g;
    });
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
