/** `/v3/users/:userId/…`: the targets and target groups a customer is enrolled in. */
import type { FastifyInstance } from 'fastify';
import { badRequest, Codes } from '../../errors.js';
import { userOrThrow } from '../lookup.js';
import { decimal, flag, page, pageParams, MAX_IDS, MAX_LISTED, type Q } from '../query.js';
import { fitting, renderTarget, renderUserGroup, targetWeight, userGroupWeight } from '../render.js';

export async function userRoutes(app: FastifyInstance) {
  const { store, clock } = app.ctx;
  // Capillary pages neither customer list; `offset` (and `limit`) are this server's, for customers enrolled in
  // more than one answer holds.
  app.get('/users/:userId/enrolledTargets', async (req) => {
    const q = req.query as Q;
    if (q.enrollmentType && !['TRANSACTION', 'IMPORT', 'AUDIENCE_FILTER'].includes(q.enrollmentType))
      throw badRequest(310130, 'Invalid enrollment type as input.');
    const { limit, offset } = pageParams(q, MAX_LISTED, MAX_LISTED);
    const onlyUcc = flag(q.includeOnlyUserCreated),
      withUcc = onlyUcc || flag(q.includeUserCreatedTargetGroups);
    const ruleIds = q.targetRuleIds ? q.targetRuleIds.split(',', MAX_IDS + 1).map(decimal) : null;
    if (ruleIds && (ruleIds.length > MAX_IDS || ruleIds.some(Number.isNaN)))
      throw badRequest(Codes.INVALID_INPUT, `targetRuleIds must be at most ${MAX_IDS} comma-separated ids.`);
    const matching = await store.read(async (tx) => {
      const c = await userOrThrow(tx, req.org, (req.params as Q).userId!);
      const out = [];
      for (const e of await tx.listEnrolmentsForCustomer(c.id, { activeOnly: true })) {
        const tg = await tx.getTargetGroup(req.org.id, e.tgId);
        const t = tg?.targets.find((x) => x.id === e.targetId);
        if (!tg || !t || (tg.userCreated ? !withUcc : onlyUcc)) continue;
        if (ruleIds && !ruleIds.includes(t.id)) continue;
        if (q.enrollmentType && t.enrolmentMethod !== q.enrollmentType) continue;
        out.push({ tg, t });
      }
      return out;
    });
    const listed = matching.slice(offset, offset + limit);
    const shown = await fitting(
      listed,
      (x) => x,
      ({ t }) => targetWeight(t),
    );
    const p = page(shown.length, listed.length, { offset, limit, total: matching.length });
    return {
      ...(matching.length > limit || offset > 0 || p.warnings ? { pagination: p.pagination } : {}),
      data: shown.map(({ tg, t }) => ({ ...renderTarget(tg, t), userCreated: tg.userCreated })),
      errors: null,
      warnings: p.warnings,
    };
  });
  app.get('/users/:userId/targetGroups', async (req) => {
    const q = req.query as Q,
      now = clock.now();
    const { limit, offset } = pageParams(q, MAX_LISTED, MAX_LISTED);
    const withUcc = flag(q.includeUserCreatedTargetGroups) || flag(q.includeOnlyUserCreated);
    const { data, p } = await store.read(async (tx) => {
      const c = await userOrThrow(tx, req.org, (req.params as Q).userId!);
      const matching = [];
      for (const e of await tx.listEnrolmentsForCustomer(c.id, { activeOnly: true })) {
        const tg = await tx.getTargetGroup(req.org.id, e.tgId);
        if (!tg || (tg.userCreated && !withUcc) || (flag(q.includeOnlyUserCreated) && !tg.userCreated)) continue;
        matching.push({ tg, e });
      }
      const listed = matching.slice(offset, offset + limit);
      const shown = await fitting(
        listed,
        (x) => x,
        ({ tg, e }) => userGroupWeight(tg, e),
      );
      const p = page(shown.length, listed.length, { offset, limit, total: matching.length });
      const groups = [];
      for (const { tg, e } of shown)
        groups.push(
          renderUserGroup(tg, e, await tx.listProgress(e.id), await tx.listCompletions(e.id, { liveOnly: true }), now),
        );
      const data = {
        userId: c.id,
        customer: {
          id: c.id,
          profiles: [{ identifiers: [{ type: 'externalId', value: c.externalId }] }],
          loyaltyInfo: { loyaltyType: 'loyalty' },
          customFields: {},
        },
        targetGroups: groups,
      };
      return { data, p: matching.length > limit || offset > 0 || p.warnings ? p : null };
    });
    return { ...(p ? { pagination: p.pagination } : {}), data, errors: null, warnings: p?.warnings ?? null };
  });
}
