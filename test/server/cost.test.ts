import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../server/app.js';
import { SqliteStore } from '../../server/store/sqlite.js';
import { recordOccurrence } from '../../server/engine/occurrence.js';
import { DEMO_TILL_AUTH, streakGroupBody } from './helpers.js';

const DEMO = DEMO_TILL_AUTH;

test('posting an event runs the same number of SQL statements after 10 and after 10,000 earlier events', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ucc-cost-'));
  const store = new SqliteStore(join(dir, 'cost.db'));
  const app = await buildApp({ store, demo: true, serveStatic: false });
  try {
    const inject = (url: string, body: unknown) =>
      app.inject({ method: 'POST', url, payload: body as object, headers: { authorization: DEMO } });
    const today = new Date().toISOString().slice(0, 10);
    const statementsForOneEvent = async (customer: number, history: number) => {
      const tg = (await inject('/v3/targetGroups', streakGroupBody(`cost_${history}`, today, 3, 1e9, 3))).json().data;
      assert.ok(tg?.id, 'group created');
      await inject(`/v3/targetGroups/${tg.id}/targets/${tg.targets[0].id}/enroll`, [
        { customerId: customer, periodName: 'Day_1' },
      ]);
      const org = (await store.read((tx) => tx.getOrg('demo')))!;
      await store.tx(async (tx) => {
        for (let i = 0; i < history; i++) {
          await recordOccurrence(
            tx,
            org,
            {
              eventName: 'waterLogged',
              customerId: customer,
              externalEventId: `hist-${history}-${i}`,
              occurredMs: Date.now(),
              fields: { glasses: 1 },
            },
            Date.now(),
          );
        }
      });
      const before = store.statementCount();
      const r = await inject('/webhooks/demo', {
        event_name: 'waterLogged',
        customer_id: customer,
        external_event_id: `probe-${history}`,
        glasses: 1,
      });
      assert.equal(r.statusCode, 200);
      const used = store.statementCount() - before;
      return used;
    };
    const small = await statementsForOneEvent(1002, 10);
    const large = await statementsForOneEvent(1003, 10_000);
    assert.ok(small > 0);
    assert.equal(large, small, `statements for one event: ${small} after 10 events, ${large} after 10,000`);
  } finally {
    await app.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
