/**
 * EXPERIMENT, not shipped code: group commit for SqliteStore, loaded into the server process with
 * `BENCH_SERVER_IMPORT=./bench/experiments/group-commit.ts npm run bench -- log-throughput`.
 *
 * SqliteStore.tx runs every transaction as its own BEGIN IMMEDIATE … COMMIT. This patch queues
 * transactions and runs all that are waiting (up to 64) inside one BEGIN IMMEDIATE … COMMIT, each
 * inside its own SAVEPOINT (a failing one rolls back alone, exactly as before); no promise
 * resolves before the COMMIT that makes its writes durable, so no answer leaves early. The WAL
 * then gets one commit (and the shared pages once) per batch instead of per request.
 * The proposed fix is the same logic inside SqliteStore.tx in server/store/sqlite.ts.
 */
import { SqliteStore } from '../../server/store/sqlite.js';

type Job = { fn: (tx: unknown) => Promise<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void };
const queues = new WeakMap<object, { jobs: Job[]; running: boolean }>();
const MAX_BATCH = 64;
let batches = 0, jobsDone = 0;

(SqliteStore.prototype as any).tx = function (this: any, fn: Job['fn']) {
  return new Promise((resolve, reject) => {
    let q = queues.get(this);
    if (!q) { q = { jobs: [], running: false }; queues.set(this, q); }
    q.jobs.push({ fn, resolve, reject });
    if (!q.running) { q.running = true; setImmediate(() => drain(this, q!)); }
  });
};

async function drain(store: any, q: { jobs: Job[]; running: boolean }) {
  const db = store.db;
  while (q.jobs.length) {
    const batch = q.jobs.splice(0, MAX_BATCH);
    const settle: (() => void)[] = [];
    db.exec('BEGIN IMMEDIATE');
    for (const j of batch) {
      db.exec('SAVEPOINT job');
      try {
        const v = await j.fn(store.api);
        db.exec('RELEASE job');
        settle.push(() => j.resolve(v));
      } catch (e) {
        db.exec('ROLLBACK TO job');
        db.exec('RELEASE job');
        store.tgCache.clear();
        settle.push(() => j.reject(e));
      }
    }
    try {
      db.exec('COMMIT');
    } catch (e) {
      try { db.exec('ROLLBACK'); } catch { /* already rolled back */ }
      store.tgCache.clear();
      for (const j of batch) j.reject(e);
      continue;
    }
    batches++; jobsDone += batch.length;
    for (const s of settle) s();
  }
  q.running = false;
}

process.on('exit', () => { if (batches) console.log(`group-commit experiment: ${jobsDone} transactions in ${batches} commits (${(jobsDone / batches).toFixed(1)} per commit)`); });
