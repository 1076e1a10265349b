/** `/api_gateway/loyalty/v1/programs/:programId/…`: create a promotion and list a program's promotions. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, notFound, Codes } from '../../errors.js';
import { createPromotion } from '../../engine/promotions.js';
import { parseNewPromotion } from '../parse.js';
import { decimal, flag, pageParams, type Q } from '../query.js';
import { renderPromotion, renderPromotionListItem } from '../render.js';
import { schemas } from '../schemas.js';

export async function promotionRoutes(app: FastifyInstance) {
  const { store, clock } = app.ctx;
  app.post(
    '/programs/:programId/createPromotion/:promotionType',
    { schema: { body: schemas.promotion } },
    async (req) => {
      const p = req.params as Q;
      const row = await store.tx((tx) =>
        createPromotion(
          tx,
          req.org,
          parseNewPromotion(req.org, decimal(p.programId), p.promotionType!, req.body),
          clock.now(),
        ),
      );
      return { status: { code: 200, message: 'success' }, validationErrors: null, data: [renderPromotion(row)] };
    },
  );
  const list = async (req: FastifyRequest) => {
    const q = req.query as Q,
      programId = decimal((req.params as Q).programId);
    if (programId !== req.org.programId)
      throw notFound(Codes.PROGRAM_NOT_FOUND, `Program ${(req.params as Q).programId} not found in this organisation.`);
    const { limit, offset } = pageParams(q);
    if (!q.sourceType)
      throw badRequest(Codes.INVALID_INPUT, 'sourceType is required (USER_CREATED for user-created challenges).');
    const customerId = q.customerId ? decimal(q.customerId) : null;
    if (Number.isNaN(customerId)) throw badRequest(Codes.INVALID_INPUT, 'customerId must be a user id (digits).');
    return store.read(async (tx) => {
      const { rows, total } = await tx.listPromotions(req.org.id, programId, {
        sourceType: q.sourceType,
        includeInactive: flag(q.includeInactivePromotions),
        limit,
        offset,
      });
      const filtered = q.promotionId ? rows.filter((r) => String(r.id) === q.promotionId) : rows;
      const promotions = [];
      for (const r of filtered)
        promotions.push(renderPromotionListItem(r, customerId ? await tx.ledgerUsage(r.id, customerId) : null));
      return {
        pageDetails: {
          pageNumber: limit ? Math.floor(offset / limit) : 0,
          pageSize: limit,
          totalEntries: total,
          pageCount: limit ? Math.ceil(total / limit) : 0,
        },
        customerId,
        promotions,
        warnings: [],
      };
    });
  };
  app.get('/programs/:programId/promotionsV2', list);
  app.get('/programs/:programId/userCreatedPromotions', list);
}
