/** Organisations, customers and their balances, id counters, server metadata, the demo reset. */
import type { OrgDoc } from '../../model/org.js';
import type { CustomerRow } from './rows.js';

export interface OrgsPort {
  getOrg(id: string): Promise<OrgDoc | undefined>;
  listOrgs(): Promise<OrgDoc[]>;
  putOrg(org: OrgDoc): Promise<void>;
  nextIds(counter: string, n: number): Promise<number>; // returns the first of n fresh ids
  getCustomer(orgId: string, id: number): Promise<CustomerRow | undefined>;
  getCustomerByExternalId(orgId: string, externalId: string): Promise<CustomerRow | undefined>;
  insertCustomer(row: Omit<CustomerRow, 'id' | 'balance'> & { id?: number }): Promise<CustomerRow>;
  setCustomerTimeZone(id: number, tz: string): Promise<void>;
  addToBalance(customerId: number, points: number): Promise<void>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string | null): Promise<void>;
  /** Demo reset: deletes every row of every data table (schema and migrations stay). */
  deleteAllData(): Promise<void>;
}
