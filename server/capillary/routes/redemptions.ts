/**
 * Spending points without the rewards catalogue (docs/rewards.md, docs/capillary-api.md "Spending points"):
 * `/v1.1/points/isredeemable` and `/v1.1/points/redeem` (the platform's older family: its own envelope),
 * and `/v2/points/reverse`.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { badRequest, Codes } from '../../errors.js';
import { requireProgram } from '../../engine/promotions.js';
import { canRedeem, redeemPoints, reverseRedemption } from '../../engine/redemptions.js';
import { DomainError } from '../../model/errors.js';
import { customerByIds } from '../lookup.js';
import { decimal, intParam, type Q } from '../query.js';
import { schemas } from '../schemas.js';

const ok = { success: 'true', code: 200, message: 'Success' };
const points = (v: unknown) => {
  const n = typeof v === 'number' ? v : decimal(typeof v === 'string' ? v : undefined);
  if (!Number.isSafeInteger(n) || n < 1) throw badRequest(Codes.INVALID_INPUT, 'points must be a whole number ≥ 1.');
  return n;
};

/** `/v1.1`: can a customer spend N points; spend them (once per external_reference_number). */
export async function v11PointsRoutes(app: FastifyInstance) {
  const { store, clock } = app.ctx;
  // docs.capillarytech.com/reference/check-if-points-redeemable
  app.get('/points/isredeemable', async (req) => {
    const q = req.query as Q;
    if (q.program_id !== undefined) requireProgram(req.org, intParam(q.program_id, 'program_id'));
    const n = points(q.points);
    const { c, r } = await store.read(async (tx) => {
      const c = await customerByIds(tx, req.org, q);
      return { c, r: await canRedeem(tx, req.org, c.id, n) };
    });
    return {
      response: {
        status: ok,
        points: {
          redeemable: {
            id: c.id,
            external_id: c.externalId,
            points: n,
            is_redeemable: String(r.redeemable),
            points_redeem_value: n,
            points_currency_ratio: 1,
            item_status: r.redeemable
              ? { success: 'true', code: Codes.POINTS_REDEEMED, message: 'Points can be redeemed' }
              : {
                  success: 'false',
                  code: Codes.INSUFFICIENT_POINTS,
                  message: `Insufficient points: the balance is ${r.balance}.`,
                },
          },
        },
      },
    };
  });

  // docs.capillarytech.com/reference/redeem-points: one item per call; external_reference_number makes it once.
  app.post('/points/redeem', { schema: { body: schemas.v11Redeem } }, async (req) => {
    const q = req.query as Q;
    if (q.program_id !== undefined) requireProgram(req.org, intParam(q.program_id, 'program_id'));
    const items = (req.body as { root?: { redeem?: Record<string, any>[] } }).root?.redeem ?? [];
    if (items.length !== 1)
      throw badRequest(Codes.INVALID_INPUT, 'root.redeem must hold exactly one redemption (one per call here).');
    const item = items[0];
    const n = points(item.points_redeemed);
    const ref = item.external_reference_number;
    const requestId = typeof ref === 'string' && ref !== '' ? `ref:${ref}` : `once:${randomUUID()}`;
    const { c, r } = await store.tx(async (tx) => {
      const c = await customerByIds(tx, req.org, (item.customer ?? {}) as Record<string, unknown>);
      const what = typeof item.transaction_number === 'string' ? `transaction ${item.transaction_number}` : undefined;
      return { c, r: await redeemPoints(tx, req.org, { customerId: c.id, points: n, requestId, what }, clock.now()) };
    });
    return {
      response: {
        status: ok,
        responses: {
          points: {
            id: c.id,
            external_id: c.externalId,
            redemption_id: r.redemption.id,
            points_redeemed: r.redemption.points,
            redeemed_value: r.redemption.points,
            balance: r.balance,
            transaction_number: item.transaction_number ?? null,
            external_reference_number: ref ?? null,
            item_status: { success: 'true', code: Codes.POINTS_REDEEMED, message: 'Points redeemed' },
          },
        },
      },
    };
  });
}

/** `/v2/points/reverse` (docs.capillarytech.com/reference/reverse-redeemed-points): the whole redemption, once. */
export async function v2ReverseRoutes(app: FastifyInstance) {
  const { store, clock } = app.ctx;
  app.post('/points/reverse', { schema: { body: schemas.reverse } }, async (req) => {
    const b = req.body as { redemptionId?: unknown; pointsToBeReversed?: unknown; identifier?: Record<string, any> };
    const id = typeof b.redemptionId === 'number' ? b.redemptionId : decimal(String(b.redemptionId ?? ''));
    if (!Number.isSafeInteger(id)) throw badRequest(Codes.INVALID_INPUT, 'redemptionId is required.');
    const r = await store.tx(async (tx) => {
      let customerId: number | undefined;
      if (b.identifier?.type !== undefined) {
        const t = String(b.identifier.type);
        const c = await customerByIds(tx, req.org, { [t === 'externalId' ? 'externalId' : t]: b.identifier.value });
        customerId = c.id;
      }
      const before = await tx.getRedemption(req.org.id, id);
      if (
        before &&
        b.pointsToBeReversed !== undefined &&
        b.pointsToBeReversed !== null &&
        Number(b.pointsToBeReversed) !== before.points
      )
        throw badRequest(
          Codes.NOT_SUPPORTED,
          `Only a whole redemption is reversed here: pointsToBeReversed must be ${before.points} (or left out).`,
        );
      return reverseRedemption(tx, req.org, { redemptionId: id, customerId }, clock.now());
    });
    if (!r.reversed)
      throw new DomainError('REDEMPTION_REVERSED', `Redemption ${id} was already reversed; nothing changed.`);
    return {
      redemptionId: r.redemption.id,
      reversalId: r.ledger!.id,
      pointsReversed: r.redemption.points,
      pointsReversedDetails: { available: r.redemption.points, expired: 0 },
      warnings: [],
      errors: [],
    };
  });
}
