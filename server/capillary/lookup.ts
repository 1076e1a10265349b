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
