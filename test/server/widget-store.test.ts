import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../server/store/sqlite.js';
import { migrations } from '../../server/store/migrations.js';
import type { Tx } from '../../server/store/types.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'ucc-widget-'));
  dirs.push(d);
  return d;
};
const store = () => new SqliteStore(join(tempDir(), 'store.db'));
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('group commit (store.txGrouped, used by POST /me/activities)', () => {
  it('commits the transactions of one event-loop turn together; a failing one leaves none of its writes', async () => {
    const s = store();
    try {
      const before = s.statementCount();
      const results = await Promise.allSettled([
        s.txGrouped((tx) => tx.setMeta('a', '1').then(() => 'first')),
        s.txGrouped(async (tx) => {
          await tx.setMeta('b', '2');
          throw new Error('refused half-way');
        }),
        s.txGrouped((tx) => tx.setMeta('c', '3').then(() => 'third')),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      assert.deepEqual(
        results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
        ['first', 'refused half-way', 'third'],
      );
      assert.deepEqual(
        await s.read(async (tx) => [await tx.getMeta('a'), await tx.getMeta('b'), await tx.getMeta('c')]),
        ['1', undefined, '3'],
      );
      assert.ok(s.statementCount() > before);
      assert.equal(s.regroups, 1, 'a failure after a write undoes the group and runs each transaction alone');
    } finally {
      s.close();
    }
  });

  it('a transaction refused before its first write fails alone: the rest of its group commits in the one transaction', async () => {
    const s = store();
    try {
      const runs = { a: 0, c: 0 };
      const results = await Promise.allSettled([
        s.txGrouped(async (tx) => {
          runs.a++;
          await tx.setMeta('a', '1');
          return 'first';
        }),
        s.txGrouped(async (tx) => {
          await tx.getMeta('a');
          throw new Error('refused before writing');
        }),
        s.txGrouped(async (tx) => {
          runs.c++;
          await tx.setMeta('c', '3');
          return 'third';
        }),
      ]);
      assert.deepEqual(
        results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
        ['first', 'refused before writing', 'third'],
      );
      assert.deepEqual(await s.read(async (tx) => [await tx.getMeta('a'), await tx.getMeta('c')]), ['1', '3']);
      assert.equal(s.regroups, 0);
      assert.deepEqual(runs, { a: 1, c: 1 }, 'nothing ran twice');
    } finally {
      s.close();
    }
  });

  it("after a failure half-way, the group's counters still add up exactly (each transaction re-run alone sees the others)", async () => {
    const s = store();
    try {
      const writes = Array.from({ length: 30 }, (_, i) =>
        s.txGrouped(async (tx) => {
          const n = Number((await tx.getMeta('n')) ?? 0);
          await tx.setMeta('n', String(n + 1));
          if (i === 17) throw new Error('fails after its write');
          return i;
        }),
      );
      const results = await Promise.allSettled(writes);
      assert.equal(results.filter((r) => r.status === 'rejected').length, 1);
      assert.equal(await s.read((tx) => tx.getMeta('n')), '29');
      assert.equal(s.regroups, 1);
    } finally {
      s.close();
    }
  });

  it('is serialised with ordinary transactions: a read after an answered write sees it', async () => {
    const s = store();
    try {
      const writes = Array.from({ length: 50 }, (_, i) =>
        s.txGrouped(async (tx) => {
          const n = Number((await tx.getMeta('n')) ?? 0);
          await tx.setMeta('n', String(n + 1));
          return i;
        }),
      );
      const plain = s.tx(async (tx) => {
        const n = Number((await tx.getMeta('n')) ?? 0);
        await tx.setMeta('n', String(n + 100));
      });
      await Promise.all([...writes, plain]);
      assert.equal(await s.read((tx) => tx.getMeta('n')), '150');
    } finally {
      s.close();
    }
  });

  it('answers only after the commit: the data is in the file for a second connection', async () => {
    const dir = tempDir();
    const a = new SqliteStore(join(dir, 'shared.db'));
    try {
      await a.txGrouped((tx) => tx.setMeta('durable', 'yes'));
      const b = new SqliteStore(join(dir, 'shared.db'));
      try {
        assert.equal(await b.read((tx) => tx.getMeta('durable')), 'yes');
      } finally {
        b.close();
      }
    } finally {
      a.close();
    }
  });
});

describe('background checkpoints (SqliteStore backgroundCheckpoint, used by server/main.ts)', () => {
  it('copies the WAL into the database from a worker thread, so the next writes start the WAL over instead of growing it', async () => {
    const file = join(tempDir(), 'ckpt.db');
    const s = new SqliteStore(file, { backgroundCheckpoint: true });
    const burst = async (from: number) => {
      for (let i = from; i < from + 200; i++) await s.txGrouped((tx) => tx.setMeta(`k${i}`, 'x'.repeat(2000)));
    };
    // Caught up = a pass that started after the last write copied the whole WAL (an earlier pass's
    // figures can be from the middle of the burst).
    const caughtUp = async () => {
      const since = (await s.checkpointer!.stats()).runs + 1;
      let st = await s.checkpointer!.stats();
      for (let i = 0; i < 200 && !(st.runs > since && st.log > 0 && st.checkpointed === st.log); i++) {
        await new Promise((r) => setTimeout(r, 20));
        st = await s.checkpointer!.stats();
      }
      return st;
    };
    try {
      await s.checkpointer!.ready;
      assert.equal(
        s.db.pragma('wal_autocheckpoint', { simple: true }),
        16_384,
        'the request connection only checkpoints as a backstop',
      );
      await burst(0);
      const st = await caughtUp();
      assert.ok(st.frames > 0 && st.checkpointed === st.log, `the worker copied the whole WAL: ${JSON.stringify(st)}`);
      const walSize = () => statSync(`${file}-wal`).size;
      // A burst whose first write meets the worker mid-pass cannot start the WAL over (a timing matter
      // on a busy machine), so give it a few bursts: without the worker's copy, every one grows the WAL.
      const sizes = [walSize()];
      let reused = false;
      for (let round = 1; round <= 4 && !reused; round++) {
        if (round > 1) await caughtUp();
        await burst(200 * round);
        sizes.push(walSize());
        reused = sizes.at(-1)! <= sizes.at(-2)! * 1.05;
      }
      assert.ok(
        reused,
        `a burst after a caught-up checkpoint reused the WAL from the top (WAL bytes: ${sizes.join(' → ')})`,
      );
      const other = new Database(file, { readonly: true });
      try {
        assert.equal((other.prepare('SELECT count(*) AS n FROM meta').get() as { n: number }).n, 200 * sizes.length);
      } finally {
        other.close();
      }
    } finally {
      s.close();
    }
  });
});

describe('migration 7 (log answers leave the database)', () => {
  it("moves each log's request fingerprint from log_replies onto its activity row and drops the table", async () => {
    const file = join(tempDir(), 'old.db');
    const old = new Database(file);
    migrations.slice(0, 6).forEach((sql) => old.exec(sql));
    old.pragma('user_version = 6');
    old.exec(`INSERT INTO events (id, org_id, customer_id, event_name, external_event_id, occurred_ms, fields, created_ms) VALUES (7, 'o', 1, 'waterLogged', 'w:1:k', 5, '{}', 5);
      INSERT INTO activities (id, org_id, customer_id, challenge_id, template_id, event_id, quantity, occurred_ms, created_ms) VALUES (3, 'o', 1, NULL, 'water', 7, 2, 5, 5);
      INSERT INTO log_replies (event_id, request, status, body) VALUES (7, '[null,"water",2,null]', 201, '{}');`);
    old.close();
    const s = new SqliteStore(file);
    try {
      const a = await s.read((tx) => tx.getActivityByEvent(7));
      assert.equal(a?.id, 3);
      assert.equal(a?.request, '[null,"water",2,null]');
      assert.equal(
        (s.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'log_replies'").get() as { n: number }).n,
        0,
      );
    } finally {
      s.close();
    }
  });
});

describe('migration 11 (target groups listed by columns)', () => {
  it('fills the listing columns of groups stored before it from their documents', async () => {
    const file = join(tempDir(), 'old.db');
    const old = new Database(file);
    migrations.slice(0, 10).forEach((sql) => old.exec(sql));
    old.pragma('user_version = 10');
    const doc = (id: number, active: boolean, startMs: number, endMs: number, types: string[]) =>
      JSON.stringify({
        id,
        active,
        periods: [
          { startMs, endMs: startMs + 1 },
          { startMs: endMs - 1, endMs },
        ],
        targets: types.map((targetType) => ({ targetType })),
      });
    const insert = old.prepare(
      "INSERT INTO target_groups (id, org_id, name, user_created, tracking_type, created_ms, doc) VALUES (?, 'o', ?, 1, 'DEFAULT', 0, ?)",
    );
    insert.run(1, 'live', doc(1, true, 100, 200, ['COUNT', 'VISIT']));
    insert.run(2, 'stopped', doc(2, false, 100, 200, ['COUNT']));
    insert.run(3, 'upcoming', doc(3, true, 300, 400, ['COUNT']));
    old.close();
    const s = new SqliteStore(file);
    try {
      const ids = (q: Partial<Parameters<Tx['pageTargetGroups']>[1]>) =>
        s.read(
          async (tx) => (await tx.pageTargetGroups('o', { includeUserCreated: true, offset: 0, limit: 10, ...q })).ids,
        );
      assert.deepEqual(await ids({ status: { is: 'LIVE', now: 150 } }), [1]);
      assert.deepEqual(await ids({ status: { is: 'STOPPED', now: 150 } }), [2]);
      assert.deepEqual(await ids({ status: { is: 'UPCOMING', now: 150 } }), [3]);
      assert.deepEqual(await ids({ status: { is: 'ENDED', now: 250 } }), [1]);
      assert.deepEqual(await ids({ targetType: 'VISIT' }), [1]);
    } finally {
      s.close();
    }
  });
});
