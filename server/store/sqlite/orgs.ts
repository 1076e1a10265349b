import type { OrgDoc } from '../../model/org.js';
import type { OrgsPort } from '../port/orgs.js';
import type { SqlContext } from './sql-context.js';
import { customer } from './rows.js';

/** Organisations, customers, id counters, server metadata and the demo reset. */
export function orgsTx(s: SqlContext): OrgsPort {
  return {
    async getOrg(id) {
      const r = s.get('SELECT doc FROM orgs WHERE id = ?', id);
      return r && (JSON.parse(r.doc) as OrgDoc);
    },
    async listOrgs() {
      return s.all('SELECT doc FROM orgs ORDER BY id').map((r) => JSON.parse(r.doc) as OrgDoc);
    },
    async putOrg(org) {
      s.run(
        'INSERT INTO orgs (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc',
        org.id,
        JSON.stringify(org),
      );
    },
    async nextIds(name, n) {
      const r = s.get(
        'INSERT INTO counters (name, value) VALUES (?, 1000 + ?) ON CONFLICT (name) DO UPDATE SET value = value + ? RETURNING value',
        name,
        n,
        n,
      )!;
      return r.value - n + 1;
    },
    async getCustomer(orgId, id) {
      return customer(s.get('SELECT * FROM customers WHERE id = ? AND org_id = ?', id, orgId));
    },
    async getCustomerByExternalId(orgId, ext) {
      return customer(s.get('SELECT * FROM customers WHERE org_id = ? AND external_id = ?', orgId, ext));
    },
    async insertCustomer(row) {
      return customer(
        s.get(
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
      s.run('UPDATE customers SET time_zone = ? WHERE id = ?', tz, id);
    },
    async addToBalance(id, points) {
      s.run('UPDATE customers SET balance = balance + ? WHERE id = ?', points, id);
    },
    async getMeta(key) {
      return s.get('SELECT value FROM meta WHERE key = ?', key)?.value;
    },
    async setMeta(key, value) {
      if (value === null) s.run('DELETE FROM meta WHERE key = ?', key);
      else
        s.run(
          'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value',
          key,
          value,
        );
    },
    async deleteAllData() {
      const tables = s
        .all(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
        .map((r) => r.name as string);
      for (const t of tables) s.exec(`DELETE FROM "${t}"`);
      s.noteWrite();
      s.caches.clear();
    },
  };
}
