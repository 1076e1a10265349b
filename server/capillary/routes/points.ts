/** `/v2/customers/…`: a customer's points balance and points ledger (loyalty events). */
import type { FastifyInstance } from 'fastify';
import { iso } from '../../engine/time.js';
import { lookupCustomer } from '../lookup.js';
import { decimal, pageParams, type Q } from '../query.js';

export async function pointsRoutes(app: FastifyInstance) {
  const { store } = app.ctx;
  app.get('/customers/lookup/points/balance', async (req) => {
    const q = req.query as Q;
    const c = await store.read((tx) => lookupCustomer(tx, req.org, q.identifierName, q.identifierValue));
    return {
      entityId: c.id,
      mainPoints: c.balance,
      totalPoints: c.balance,
      promisedPointsBreakup: { delayedAccrualPoints: 0, externalTriggerBasedPoints: 0 },
      warnings: [],
    };
  });
  app.get('/customers/:id/loyaltyEvents', async (req) => {
    const q = req.query as Q;
    const { limit } = pageParams(q, 500);
    const rows = await store.read(async (tx) => {
      const c = await lookupCustomer(tx, req.org, 'userId', (req.params as Q).id);
      return tx.listLedger(c.id, { limit, beforeId: q.before ? decimal(q.before) : undefined });
    });
    const type = q.eventType;
    const data = rows
      .filter((r) => !type || (type === 'EARN' ? r.type === 'EARN' : type === 'REVERSAL' && r.type === 'REVERSAL'))
      .map((r) => ({
        id: r.id,
        eventType: r.type,
        points: r.points,
        promotionId: r.promotionId,
        description: r.description,
        reversed: r.reversed,
        eventDate: iso(r.createdMs),
        expiryDate: r.expiresMs ? iso(r.expiresMs) : null,
      }));
    return { data, warnings: [], errors: [] };
  });
}
