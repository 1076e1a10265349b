import type { OrgDoc } from '../../model/org.js';
import type { OrgsPort } from '../port/orgs.js';
import type { SqlContext } from './sql-context.js';
import { customer } from './rows.js';

/** Organisations, customers, id counters, server metadata and the demo reset. */
export function orgsTx(s: SqlContext): OrgsPort {
  return {
    async getOrg(id) {
      const r = await s.get('SELECT doc FROM orgs WHERE id = ?', id);
      return r && (JSON.parse(r.doc) as OrgDoc);
    },
    async listOrgs() {
      return (await s.all('SELECT doc FROM orgs ORDER BY id')).map((r) => JSON.parse(r.doc) as OrgDoc);
    },
    async putOrg(org) {
      await s.run(
        'INSERT INTO orgs (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc',
        org.id,
        JSON.stringify(org),
      );
    },
    async nextIds(name, n) {
      const r = (await s.get(
        'INSERT INTO counters (name, value) VALUES (?, 1000 + ?) ON CONFLICT (name) DO UPDATE SET value = counters.value + ? RETURNING value',
        name,
        n,
        n,
      ))!;
      return r.value - n + 1;
    },
    async getCustomer(orgId, id) {
      return customer(await s.get('SELECT * FROM customers WHERE id = ? AND org_id = ?', id, orgId));
    },
    async getCustomerByExternalId(orgId, ext) {
      return customer(await s.get('SELECT * FROM customers WHERE org_id = ? AND external_id = ?', orgId, ext));
    },
    async insertCustomer(row) {
      return customer(
        await s.get(
          'INSERT INTO customers (id, org_id, external_id, time_zone, created_ms) VALUES (?, ?, ?, ?, ?) RETURNING *',
          row.id ?? null,
          row.orgId,
          row.externalId,
          row.timeZone,
          row.createdMs,
        ),
      )!;
    },
    async setCustomerTimeZone(id, tz) {
      await s.run('UPDATE customers SET time_zone = ? WHERE id = ?', tz, id);
    },
    async addToBalance(id, points) {
      await s.run('UPDATE customers SET balance = balance + ? WHERE id = ?', points, id);
    },
    async getMeta(key) {
      return (await s.get('SELECT value FROM meta WHERE key = ?', key))?.value;
    },
    async setMeta(key, value) {
      if (value === null) await s.run('DELETE FROM meta WHERE key = ?', key);
      else
        await s.run(
          'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
          key,
          value,
        );
    },
    async deleteAllData() {
      await s.deleteAllData();
      s.caches.clear();
    },
  };
}
