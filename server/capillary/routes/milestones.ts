/** `GET /v3/milestones`: the organisation's target groups, filtered by type, status, name and target entity. */
import type { FastifyInstance } from 'fastify';
import { badRequest, Codes } from '../../errors.js';
import { normaliseTracking } from '../../engine/targets.js';
import { groupPage } from '../group-page.js';
import { flag, pageParams, MAX_LISTED, type Q } from '../query.js';
import { groupWeight, renderGroup } from '../render.js';

export async function milestoneRoutes(app: FastifyInstance) {
  const { store, clock } = app.ctx;
  app.get('/milestones', async (req) => {
    const q = req.query as Q,
      now = clock.now(),
      withPeriods = q['require-periods'] === undefined || flag(q['require-periods']);
    const { limit, offset } = pageParams(q, MAX_LISTED);
    const type = q.type === undefined ? undefined : normaliseTracking(q.type);
    if (type && !['DEFAULT', 'STREAKS', 'CAPPING', 'UNIFIED'].includes(type))
      throw badRequest(Codes.INVALID_INPUT, 'type must be DEFAULT, STREAKS, CAPPING or UNIFIED.');
    const status = q.status as 'LIVE' | 'UPCOMING' | 'ENDED' | 'STOPPED' | undefined;
    if (status && !['LIVE', 'UPCOMING', 'ENDED', 'STOPPED'].includes(status))
      throw badRequest(Codes.INVALID_INPUT, 'status must be LIVE, UPCOMING, ENDED or STOPPED.');
    return groupPage(
      store,
      req.org,
      {
        includeUserCreated: flag(q.includeUserCreatedTargetGroups),
        trackingType: type,
        status: status && { is: status, now },
        nameContains: q.name,
        targetType: q['target-on'],
        offset,
        limit,
      },
      (g) => renderGroup(g, now, withPeriods),
      (g) => groupWeight(g, withPeriods),
      false,
    );
  });
}
