/** `/v2/customers`: create a customer and look one up by identifier. */
import type { FastifyInstance } from 'fastify';
import { ApiError, badRequest, Codes } from '../../errors.js';
import type { OrgDoc } from '../../engine/org.js';
import { lookupCustomer } from '../lookup.js';
import { checkSource } from './points.js';
import type { Q } from '../query.js';
import { schemas } from '../schemas.js';

export async function customerRoutes(app: FastifyInstance) {
  const { store, clock } = app.ctx;
  app.post('/customers', { schema: { body: schemas.customer } }, async (req) => {
    const b = req.body as Record<string, any>;
    const identifiers: unknown[] =
      Array.isArray(b.profiles) && Array.isArray(b.profiles[0]?.identifiers) ? b.profiles[0].identifiers : [];
    const fromProfile = (identifiers.find((i: any) => i?.type === 'externalId') as { value?: unknown } | undefined)
      ?.value;
    const externalId = b.externalId ?? fromProfile;
    if (typeof externalId !== 'string' || !/^[\w.@+-]{1,64}$/.test(externalId)) {
      throw badRequest(Codes.INVALID_INPUT, 'externalId is required: 1–64 letters, digits or . _ @ + -.');
    }
    const row = await store.tx(async (tx) => {
      if (await tx.getCustomerByExternalId(req.org.id, externalId))
        throw new ApiError(409, Codes.CUSTOMER_EXISTS, `A customer with externalId "${externalId}" already exists.`);
      return tx.insertCustomer({ orgId: req.org.id, externalId, timeZone: null, createdMs: clock.now() });
    });
    return { createdId: row.id, warnings: [], errors: [] };
  });
  const details = async (q: Q, org: OrgDoc) => {
    const c = await store.read((tx) => lookupCustomer(tx, org, q.identifierName, q.identifierValue));
    return {
      id: c.id,
      externalId: c.externalId,
      profiles: [{ identifiers: [{ type: 'externalId', value: c.externalId }] }],
      loyaltyInfo: { loyaltyType: 'loyalty' },
      warnings: [],
      errors: [],
    };
  };
  app.get('/customers/lookup', async (req) => details(req.query as Q, req.org));
  // Capillary's Get Customer Details (docs.capillarytech.com/reference/get-customer-details): externalId → userId (`id`).
  app.get('/customers/lookup/customerDetails', async (req) => {
    const q = req.query as Q;
    checkSource(q.source);
    return details(q, req.org);
  });
}
