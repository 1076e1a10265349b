/**
 * The Capillary-compatible API: Capillary's paths, field names and per-family envelopes, over
 * the embedded engine. Server to server only; every route is scoped to the calling organisation.
 *
 * This file only assembles the families, each under its prefix with its envelope (envelopes.ts):
 * routes/ holds one file per resource; query.ts the query helpers and list bounds, schemas.ts the
 * body schemas, lookup.ts the customer a request names.
 */
import type { FastifyInstance } from 'fastify';
import type { OrgDoc } from '../engine/org.js';
import {
  authenticated,
  gatewayEnvelope,
  rewardsEnvelope,
  scope,
  v11Envelope,
  v2Envelope,
  v3Envelope,
  webhookEnvelope,
} from './envelopes.js';
import { couponRoutes } from './routes/coupons.js';
import { v11PointsRoutes, v2ReverseRoutes } from './routes/redemptions.js';
import { rewardRoutes } from './routes/rewards.js';
import { customerRoutes } from './routes/customers.js';
import { eventRoutes } from './routes/events.js';
import { milestoneRoutes } from './routes/milestones.js';
import { oauthRoutes } from './routes/oauth.js';
import { pointsRoutes } from './routes/points.js';
import { promotionRoutes } from './routes/promotions.js';
import { targetGroupRoutes } from './routes/target-groups.js';
import { userRoutes } from './routes/users.js';
import { webhookRoutes } from './routes/webhooks.js';

export { capillaryEnvelope } from './envelopes.js';

/** `/v3`: the OAuth token (not authenticated), then target groups, milestones and a customer's enrolments. */
async function v3(app: FastifyInstance) {
  scope(app, v3Envelope, false);
  await app.register(oauthRoutes);
  await app.register(async (api) => {
    authenticated(api);
    await api.register(targetGroupRoutes);
    await api.register(milestoneRoutes);
    await api.register(userRoutes);
  });
}

/** `/v2`: event definitions, customers, points, a redemption's reversal, coupons. */
async function v2(app: FastifyInstance) {
  scope(app, v2Envelope);
  await app.register(eventRoutes);
  await app.register(customerRoutes);
  await app.register(pointsRoutes);
  await app.register(v2ReverseRoutes);
  await app.register(couponRoutes);
}

/** `/v1.1`: the platform's older family, for points redemption (its own envelope, inside `response`). */
async function v11(app: FastifyInstance) {
  scope(app, v11Envelope);
  await app.register(v11PointsRoutes);
}

/** `/api_gateway/rewards/core/v1`: the rewards catalogue, a reward's issue and revoke. */
async function rewards(app: FastifyInstance) {
  scope(app, rewardsEnvelope);
  await app.register(rewardRoutes);
}

/** `/api_gateway/loyalty/v1`: promotions. */
async function gateway(app: FastifyInstance) {
  scope(app, gatewayEnvelope);
  await app.register(promotionRoutes);
}

/** `/webhooks`: authenticated by the route itself, against the webhook's organisation. */
async function webhooks(app: FastifyInstance) {
  scope(app, webhookEnvelope, false);
  await app.register(webhookRoutes);
}

export async function capillaryRoutes(app: FastifyInstance) {
  app.decorateRequest('org', null as unknown as OrgDoc);
  await app.register(v3, { prefix: '/v3' });
  await app.register(v2, { prefix: '/v2' });
  await app.register(v11, { prefix: '/v1.1' });
  await app.register(gateway, { prefix: '/api_gateway/loyalty/v1' });
  await app.register(rewards, { prefix: '/api_gateway/rewards/core/v1' });
  await app.register(webhooks, { prefix: '/webhooks' });
}
