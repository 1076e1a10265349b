/**
 * `/v2/customers/…` and `/v2/pointsLedger/…`: a customer's points balance (by identifier or by user id) and points
 * ledger (loyalty events; Capillary's getCustomerLedgerInfo).
 */
import type { FastifyInstance } from 'fastify';
import { badRequest, Codes } from '../../errors.js';
import { requireProgram } from '../../engine/promotions.js';
import { iso } from '../../engine/time.js';
import type { CustomerRow } from '../../store/types.js';
import { lookupCustomer } from '../lookup.js';
import { decimal, intParam, pageParams, type Q } from '../query.js';

/** The sources Capillary documents for customer identifiers (`source`, where a read takes one). */
export const SOURCES = [
  'INSTORE',
  'MARTJACK',
  'WECHAT',
  'FACEBOOK',
  'WEB_ENGAGE',
  'TMALL',
  'TAOBAO',
  'JD',
  'ECOMMERCE',
  'WEBSITE',
  'LINE',
  'MOBILE_APP',
  'ALL',
];
export function checkSource(source: string | undefined) {
  if (source !== undefined && !SOURCES.includes(source.toUpperCase()))
    throw badRequest(Codes.INVALID_INPUT, `source must be one of ${SOURCES.join(', ')}.`);
}

/** Capillary's points balance answer (docs.capillarytech.com/reference/get-points-balance): points as decimals. */
const balance = (c: CustomerRow) => ({
  entityId: c.id,
  entityType: 'CUSTOMER',
  totalPoints: c.balance,
  mainPoints: c.balance,
  promisedPoints: 0,
  promisedPointsBreakup: { delayedAccrualPoints: 0, externalTriggerBasedPoints: 0 },
  warnings: [],
});

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
  // By user id (docs.capillarytech.com/reference/get-points-balance); an unknown customer is 8015, as documented.
  app.get('/customers/:id/points/balance', async (req) => {
    const q = req.query as Q;
    if (q.programId !== undefined) requireProgram(req.org, intParam(q.programId, 'programId'));
    const c = await store.read((tx) => lookupCustomer(tx, req.org, 'id', (req.params as Q).id));
    return balance(c);
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
      .filter((r) => !type || r.type === type)
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
  /**
   * Capillary's getCustomerLedgerInfo (docs.capillarytech.com/reference/get-ledger-information): `identifierName`
   * id/userId/externalId, `source`, `limit` up to 100 (default 10), `offset` a page number (as documented: "Page number
   * to retrieve"), order by `sortOrder` or `order` (ASC or DESC, default DESC). The answer's shape is documented only in
   * part (docs/capillary-api.md); entries carry no promotion id, as on the platform.
   */
  app.get('/pointsLedger/getCustomerLedgerInfo', async (req) => {
    const q = req.query as Q;
    checkSource(q.source);
    const { limit, offset } = pageParams(q, 100, 10);
    const order = (q.sortOrder ?? q.order ?? 'DESC').toUpperCase();
    if (order !== 'ASC' && order !== 'DESC') throw badRequest(Codes.INVALID_INPUT, 'sortOrder must be ASC or DESC.');
    if (offset * limit > Number.MAX_SAFE_INTEGER / 2) throw badRequest(Codes.INVALID_INPUT, 'offset is too large.');
    const { c, rows, total } = await store.read(async (tx) => {
      const c = await lookupCustomer(tx, req.org, q.identifierName, q.identifierValue);
      return { c, ...(await tx.pageLedger(c.id, { limit, offset: offset * limit, ascending: order === 'ASC' })) };
    });
    return {
      customerDetails: { userId: c.id, externalId: c.externalId, entityType: 'CUSTOMER' },
      ledgerDetails: {
        pageNumber: offset,
        pageSize: limit,
        totalElements: total,
        totalPages: limit === 0 ? 0 : Math.ceil(total / limit),
        ledgerEntries: rows.map((r) => ({
          id: r.id,
          // A redemption's reversal gives points back: a credit; an award's reversal takes them: a debit.
          ledgerEntryType: r.points >= 0 ? 'CREDIT' : 'DEBIT',
          eventType: r.type === 'EARN' ? 'TARGETCOMPLETED' : r.type === 'REDEEM' ? 'REDEMPTION' : 'REVERSAL',
          pointsCategoryType: 'REGULAR',
          points: r.points,
          description: r.description,
          eventTime: iso(r.createdMs),
          expiryDate: r.expiresMs ? iso(r.expiresMs) : null,
        })),
      },
      warnings: [],
      errors: [],
    };
  });
}
