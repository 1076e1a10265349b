/** The customer a request names: by user id in the path, or by `identifierName` and `identifierValue`. */
import { badRequest, notFound, Codes } from '../errors.js';
import type { OrgDoc } from '../engine/org.js';
import type { Tx, CustomerRow } from '../store/types.js';
import { decimal } from './query.js';

/** The customer whose user id is `userId` (a path parameter), or INVALID_USER. */
export async function userOrThrow(tx: Tx, org: OrgDoc, userId: string): Promise<CustomerRow> {
  const n = decimal(userId);
  const c = Number.isSafeInteger(n) ? await tx.getCustomer(org.id, n) : undefined;
  if (!c) throw badRequest(Codes.INVALID_USER, `Invalid userId ${userId}.`);
  return c;
}

/** Customer lookup by `identifierName` (externalId, userId or id) and `identifierValue`. */
export async function lookupCustomer(tx: Tx, org: OrgDoc, name: string | undefined, value: string | undefined) {
  if (!name || !value) throw badRequest(Codes.INVALID_INPUT, 'identifierName and identifierValue are required.');
  let c: CustomerRow | undefined;
  if (name === 'externalId') c = await tx.getCustomerByExternalId(org.id, value);
  else if (name === 'userId' || name === 'id')
    c = Number.isSafeInteger(decimal(value)) ? await tx.getCustomer(org.id, decimal(value)) : undefined;
  else throw badRequest(Codes.INVALID_INPUT, 'identifierName must be externalId, userId or id.');
  if (!c) throw notFound(Codes.CUSTOMER_NOT_FOUND, 'Customer not found for the given identifiers.');
  return c;
}

/** The identifiers a request may name a customer by (query or body), in the platform's several spellings. */
export interface CustomerIds {
  id?: unknown;
  userId?: unknown;
  externalId?: unknown;
  external_id?: unknown;
  mobile?: unknown;
  email?: unknown;
}

/**
 * The customer named by one of `ids`: the user id (`id`, `userId`) or the external id (`externalId`,
 * `external_id`). This server keeps no mobile numbers or e-mail addresses: naming a customer by one is
 * refused (INVALID_INPUT), as is naming none. An unknown customer is `notFoundCode` (404).
 */
export async function customerByIds(
  tx: Tx,
  org: OrgDoc,
  ids: CustomerIds,
  notFoundCode: number = Codes.CUSTOMER_NOT_FOUND,
): Promise<CustomerRow> {
  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);
  const userId = str(ids.id) ?? str(ids.userId);
  const externalId = str(ids.externalId) ?? str(ids.external_id);
  let c: CustomerRow | undefined;
  if (userId !== undefined)
    c = Number.isSafeInteger(decimal(userId)) ? await tx.getCustomer(org.id, decimal(userId)) : undefined;
  else if (externalId !== undefined) c = await tx.getCustomerByExternalId(org.id, externalId);
  else if (ids.mobile !== undefined || ids.email !== undefined)
    throw badRequest(
      Codes.INVALID_INPUT,
      'This server keeps no mobile numbers or e-mail addresses: name the customer by id or externalId.',
    );
  else throw badRequest(Codes.INVALID_INPUT, 'Name the customer: id (the user id) or externalId.');
  if (!c) throw notFound(notFoundCode, 'Customer not found for the given identifiers.');
  return c;
}
