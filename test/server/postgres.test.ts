/**
 * The PostgreSQL store under the faults and races only it has: a customer's lock held elsewhere,
 * connections killed by the database server, two processes' pools on one customer, an unreachable
 * server at start-up. Runs against UCC_TEST_PG (default postgres://postgres@127.0.0.1:5432/postgres)
 * in a database of its own; skipped, saying why, when no PostgreSQL answers there.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.js';
import { PgStore } from '../../server/store/postgres/store.js';
import { pgMigrations } from '../../server/store/postgres/migrations.js';
import { jsonOf, startServer, wcall, widgetToken } from './helpers.js';

const ADMIN = process.env.UCC_TEST_PG || 'postgres://postgres@127.0.0.1:5432/postgres';
const DB = `ucc_pgtest_${process.pid}`;
const url = (schema: string) => {
  const u = new URL(ADMIN);
  u.pathname = `/${DB}`;
  u.searchParams.set('schema', schema);
  return u.toString();
};
const water = { templateId: 'water', target: 8, period: 'DAILY', periods: 7 };
const rates = { perCustomerPerMinute: 100_000, perIpPerMinute: 100_000 };

let unreachable: string | null = null;
const admin = new pg.Client({ connectionString: ADMIN, connectionTimeoutMillis: 3000 });

before(async () => {
  try {
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DB}`);
  } catch (err) {
    unreachable = `no PostgreSQL at ${ADMIN}: ${(err as Error).message}`;
  }
});
after(async () => {
  if (!unreachable) await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`).catch(() => undefined);
  await admin.end().catch(() => undefined);
});

/** A demo app on its own store (so a test can set the store's wait) with alice's token and water challenge. */
async function demoApp(schema: string, waitMs?: number) {
  const store = await PgStore.open(url(schema), { poolSize: 4, waitMs });
  const app = await buildApp({ store, demo: true, serveStatic: false, rateLimits: rates });
  app.addHook('onClose', async () => store.close());
  const token = await widgetToken('alice');
  return { app, store, token };
}
const logOnce = (app: FastifyInstance, token: string, challengeId: number, key: string, quantity = 1) =>
  wcall(app, 'POST', 'me/activities', { token, key, body: { challengeId, quantity } });

describe('PostgreSQL store', () => {
  it('a customer whose row another session has locked gets 503 STORAGE_UNAVAILABLE after the wait, others are served, and it recovers', async (t) => {
    if (unreachable) return t.skip(unreachable);
    const { app, token } = await demoApp('held', 400);
    const holder = new pg.Client({ connectionString: url('held').replace(/\?.*/, '') });
    try {
      const c = jsonOf(await wcall(app, 'POST', 'me/challenges', { token, body: water }), 201).challenge;
      const bob = await widgetToken('bob');
      jsonOf(await wcall(app, 'POST', 'me/challenges', { token: bob, body: water }), 201);
      const alice = 1001; // the demo seed's ids: alice 1001, bob 1002, carol 1003
      await holder.connect();
      // The customer's lock is its row's (the store counts its version under it): another session holds it.
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM held.customers WHERE id = $1 FOR UPDATE', [alice]);
      const t0 = Date.now();
      const refused = await logOnce(app, token, c.id, 'held-1');
      const waited = Date.now() - t0;
      assert.equal(refused.statusCode, 503, refused.body);
      assert.equal(refused.json().error.code, 'STORAGE_UNAVAILABLE');
      assert.equal(refused.headers['retry-after'], '1');
      assert.ok(waited >= 350 && waited < 3000, `answered after ${waited} ms`);
      // Another customer does not wait for alice's lock.
      const bobC = jsonOf(await wcall(app, 'GET', 'me/challenges', { token: bob }), 200).challenges[0];
      assert.equal((await logOnce(app, bob, bobC.id, 'bob-1')).statusCode, 201);
      // Reads take no lock.
      assert.equal((await wcall(app, 'GET', 'me/challenges', { token })).statusCode, 200);
      await holder.query('ROLLBACK');
      // Nothing of the refused log was stored: the same key logs now, once.
      assert.equal((await logOnce(app, token, c.id, 'held-1')).statusCode, 201);
      const after = jsonOf(await wcall(app, 'GET', `me/challenges/${c.id}`, { token }), 200).challenge;
      assert.equal(after.periods[after.currentPeriod].value, 1);
    } finally {
      await holder.end().catch(() => undefined);
      await app.close();
    }
  });

  it('connections the database server kills are replaced: no 500, the next requests succeed and /healthz is ok', async (t) => {
    if (unreachable) return t.skip(unreachable);
    const { app, token } = await demoApp('killed');
    try {
      const c = jsonOf(await wcall(app, 'POST', 'me/challenges', { token, body: water }), 201).challenge;
      assert.equal((await logOnce(app, token, c.id, 'k-0')).statusCode, 201);
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'ucc-server'`,
        [DB],
      );
      assert.ok(killed.rows.length >= 1);
      const statuses: number[] = [];
      for (let i = 1; i <= 6; i++) statuses.push((await logOnce(app, token, c.id, `k-${i}`)).statusCode);
      assert.ok(!statuses.includes(500), `statuses ${statuses}`);
      assert.ok(
        statuses.every((s) => s === 201 || s === 503),
        `statuses ${statuses}`,
      );
      assert.equal(statuses.at(-1), 201);
      assert.equal((await wcall(app, 'GET', '/healthz')).statusCode, 200);
      // Every acknowledged log is there, once.
      const acked = 1 + statuses.filter((s) => s === 201).length;
      const history = jsonOf(await wcall(app, 'GET', 'me/activities?limit=50', { token }), 200).activities;
      assert.equal(history.length, acked);
    } finally {
      await app.close();
    }
  });

  it('two processes’ pools logging one customer at once lose no update: the progress is the exact sum', async (t) => {
    if (unreachable) return t.skip(unreachable);
    const a = await demoApp('race');
    const b = await demoApp('race');
    try {
      const c = jsonOf(await wcall(a.app, 'POST', 'me/challenges', { token: a.token, body: water }), 201).challenge;
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => logOnce(i % 2 ? a.app : b.app, a.token, c.id, `race-${i}`)),
      );
      assert.deepEqual([...new Set(answers.map((r) => r.statusCode))], [201]);
      for (const app of [a.app, b.app]) {
        const view = jsonOf(await wcall(app, 'GET', `me/challenges/${c.id}`, { token: a.token }), 200).challenge;
        const today = view.periods[view.currentPeriod];
        assert.equal(today.value, 30, 'the period holds the exact sum of 30 logs of 1');
      }
    } finally {
      await a.app.close();
      await b.app.close();
    }
  });

  it('a progress read cached by one process is served only while no process has written that customer’s data', async (t) => {
    if (unreachable) return t.skip(unreachable);
    const a = await demoApp('cache');
    const b = await demoApp('cache');
    try {
      const c = jsonOf(await wcall(a.app, 'POST', 'me/challenges', { token: a.token, body: water }), 201).challenge;
      const read = async () => {
        const before = b.store.statementCount();
        const res = await wcall(b.app, 'GET', 'me/challenges', { token: b.token });
        const view = jsonOf(res, 200).challenges.find((x: { id: string }) => x.id === c.id);
        return { value: view.periods[view.currentPeriod].value, statements: b.store.statementCount() - before };
      };
      assert.equal((await read()).value, 0);
      assert.deepEqual(await read(), { value: 0, statements: 1 }, 'the second read: one version check, from the cache');
      assert.equal((await logOnce(a.app, a.token, c.id, 'cache-1', 3)).statusCode, 201);
      const afterLog = await read();
      assert.equal(afterLog.value, 3, 'B shows the log A took at once');
      assert.ok(afterLog.statements > 1);
      // A write of shared data on A (the demo clock moves a day back) is seen by B's next read too.
      assert.deepEqual(await read(), { value: 3, statements: 1 });
      jsonOf(await wcall(a.app, 'POST', '/demo/clock', { body: { advanceDays: 1 } }), 200);
      await a.store.tx((tx) =>
        tx.putEventDef('demo', { eventName: 'cacheProbe', actions: [], createdMs: 0, fields: [] }),
      );
      assert.ok((await read()).statements > 1, 'a shared write makes every cached read be read again');
    } finally {
      await a.app.close();
      await b.app.close();
    }
  });

  it('stores opened at once on a fresh schema migrate it once and all come up; a newer schema or a bad schema name is refused', async (t) => {
    if (unreachable) return t.skip(unreachable);
    const stores = await Promise.all(Array.from({ length: 4 }, () => PgStore.open(url('migrate'), { poolSize: 1 })));
    try {
      const v = await admin.query(`SELECT count(*)::int AS n FROM pg_database WHERE datname = $1`, [DB]);
      assert.equal(v.rows[0].n, 1);
      const c = new pg.Client({ connectionString: url('migrate').replace(/\?.*/, '') });
      await c.connect();
      try {
        const rows = (await c.query('SELECT version FROM migrate.ucc_schema')).rows;
        assert.equal(rows.length, 1, 'one version row');
        assert.equal(rows[0].version, pgMigrations.length);
        await c.query('UPDATE migrate.ucc_schema SET version = version + 1');
      } finally {
        await c.end();
      }
      for (const s of stores) await s.read((tx) => tx.listOrgs());
      await assert.rejects(PgStore.open(url('migrate')), /schema is at version \d+, newer than this server/);
      await assert.rejects(PgStore.open(url('Bad-Name')), /schema "Bad-Name" must be a lowercase SQL identifier/);
    } finally {
      for (const s of stores) s.close();
    }
  });

  it('a server whose PostgreSQL is unreachable refuses to start, naming the database and the cause', async (t) => {
    if (unreachable) return t.skip(unreachable);
    const s = startServer({ UCC_DB: 'postgres://postgres:s3cret@127.0.0.1:1/nowhere' });
    assert.equal(await s.exited, 1);
    assert.match(s.stderr() + s.stdout(), /Cannot open the PostgreSQL database 127\.0\.0\.1:1\/nowhere: ECONNREFUSED/);
    assert.doesNotMatch(s.stderr() + s.stdout(), /s3cret/);
  });
});
