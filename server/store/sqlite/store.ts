import Database from 'better-sqlite3';
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrations } from '../migrations.js';
import { BACKSTOP_PAGES, Checkpointer } from '../checkpointer.js';
import type { Store, Tx } from '../port/index.js';
import { describeStorageError, StorageUnavailable } from '../../errors.js';
import { StoreCaches, sqlTx, type Row, type SqlContext } from '../sql/index.js';

/** SQLite result codes that mean the storage, not the request, failed (busy, full, I/O, file gone or unreadable). */
const STORAGE_FAULT = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|READONLY|CORRUPT|NOTADB|PROTOCOL|NOMEM)/;
/** How long a transaction waits for SQLite's write lock, asynchronously, before its request is answered 503. */
export const BUSY_DEADLINE_MS = 1500;
/** SQLite's own (synchronous, event-loop blocking) wait for a lock, per attempt; the rest of the wait is asynchronous. */
const BUSY_TIMEOUT_MS = 10;
/** How often the open database file is compared with the file at its path (and how long a write fault shows on /healthz). */
const IDENTITY_CHECK_MS = 1000;
const FAULT_SHOWN_MS = 5000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * SQLite store on better-sqlite3, WAL mode. better-sqlite3 is synchronous, so the async methods
 * resolve at once; transactions are still queued one after another so that an `await` inside a
 * transaction can never let a second transaction interleave with it.
 */
export class SqliteStore implements Store {
  readonly db: Database.Database;
  private statements = new Map<string, Database.Statement>();
  private queue: Promise<unknown> = Promise.resolve();
  private executed = 0;
  /** Every cache of the store (see StoreCaches): written through by the store's writes, cleared when a transaction that wrote fails. */
  private readonly caches = new StoreCaches();
  private readonly api: Tx;
  /** Present when WAL checkpoints run on a worker thread (`backgroundCheckpoint`, file databases only). */
  readonly checkpointer: Checkpointer | null = null;

  /** The open file's identity (null for ':memory:'), compared with the file at `file` (see fileProblem). */
  private identity: { dev: number; ino: number } | null = null;
  /** Why the file at the path is not the open file any more (set by the timer and at commit), or null. */
  private identityProblem: string | null = null;
  private identityTimer: NodeJS.Timeout | null = null;
  /** The last storage fault of a transaction, until one commits again. */
  private fault: { reason: string; atMs: number } | null = null;
  /** How long a transaction may wait for the write lock (BUSY_DEADLINE_MS unless a test sets it). */
  private readonly busyDeadlineMs: number;
  /** A transaction of the queue is open (health() must not end it). */
  private busy = false;
  /** When BEGIN IMMEDIATE last found the write lock taken (so transactions past their deadline fail without trying). */
  private busySinceMs = 0;

  /**
   * `durability`: 'normal' (synchronous=NORMAL in WAL: a commit survives a crash of this process, and
   * may be lost, never corrupted, on an OS crash or power loss) or 'full' (synchronous=FULL: the WAL
   * is fsynced at every commit, so acknowledged writes survive power loss too).
   */
  constructor(
    readonly file: string,
    opts: { backgroundCheckpoint?: boolean; durability?: 'normal' | 'full'; busyDeadlineMs?: number } = {},
  ) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.busyDeadlineMs = opts.busyDeadlineMs ?? BUSY_DEADLINE_MS;
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${opts.durability === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('foreign_keys = ON');
    // Case folding as JavaScript does it (SQLite's lower() folds A–Z only): GET /v3/milestones?name= (definitions.ts).
    this.db.function('js_lower', { deterministic: true }, (v: unknown) =>
      typeof v === 'string' ? v.toLowerCase() : v,
    );
    // Short: better-sqlite3 waits synchronously. Waiting for the write lock is done by begin(), asynchronously.
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (file !== ':memory:') {
      const st = statSync(file);
      this.identity = { dev: st.dev, ino: st.ino };
      this.identityTimer = setInterval(() => {
        this.identityProblem = this.fileProblem();
      }, IDENTITY_CHECK_MS);
      this.identityTimer.unref();
    }
    this.migrate();
    this.api = this.makeTx();
    if (opts.backgroundCheckpoint && file !== ':memory:') {
      this.db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
      this.db.pragma(`journal_size_limit = ${BACKSTOP_PAGES * 4096}`); // a restarted WAL gives disk space back beyond this
      this.checkpointer = new Checkpointer(file);
    }
  }

  private migrate() {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    migrations.forEach((sql, i) => {
      if (i < version) return;
      this.db.transaction(() => {
        this.db.exec(sql);
        this.db.pragma(`user_version = ${i + 1}`);
      })();
    });
  }

  statementCount() {
    return this.executed;
  }
  close() {
    if (this.identityTimer) clearInterval(this.identityTimer);
    void this.checkpointer?.stop();
    this.db.close();
  }

  /** Why the file at the database's path is not the file this store has open (deleted, its folder removed, replaced), or null. */
  private fileProblem(): string | null {
    if (!this.identity) return null;
    let st;
    try {
      st = statSync(this.file, { throwIfNoEntry: false });
    } catch (err) {
      return `cannot stat ${this.file}: ${(err as Error).message}`;
    }
    if (!st)
      return `the database file ${this.file} is gone (deleted, or its folder removed); writes would be lost. Restore it or restart the server`;
    if (st.dev !== this.identity.dev || st.ino !== this.identity.ino)
      return `the database file ${this.file} was replaced by another file; writes would go to the old one. Restart the server`;
    return null;
  }

  /**
   * What is wrong with the storage, for /healthz, or null when it is healthy: the file at the path is
   * not the open file, a cheap read fails, the write lock cannot be had now, or a transaction failed
   * on a storage fault in the last few seconds and none has committed since. Never waits for more than one busy timeout.
   */
  health(): string | null {
    const problem = this.fileProblem();
    this.identityProblem = problem;
    if (problem) return problem;
    try {
      this.db.prepare('SELECT count(*) FROM sqlite_master').get();
      if (!this.db.inTransaction) {
        this.db.exec('BEGIN IMMEDIATE');
        this.db.exec('ROLLBACK');
      }
    } catch (err) {
      if (this.db.inTransaction && !this.busy)
        try {
          this.db.exec('ROLLBACK');
        } catch {
          /* already ended */
        }
      return `the database is unavailable: ${describeStorageError(err)}`;
    }
    if (this.fault && Date.now() - this.fault.atMs < FAULT_SHOWN_MS)
      return `the last write failed: ${this.fault.reason}`;
    return null;
  }

  /** The error a caller gets: a storage fault becomes StorageUnavailable (and is remembered for /healthz); any other error is kept. */
  private storageError(err: unknown): unknown {
    const code = (err as { code?: unknown })?.code;
    if (!(err instanceof StorageUnavailable) && (typeof code !== 'string' || !STORAGE_FAULT.test(code))) return err;
    const fault = err instanceof StorageUnavailable ? err : new StorageUnavailable(describeStorageError(err));
    // A held lock and a replaced file are seen live by health(); a full disk or an I/O error only by the write that failed.
    if (!/SQLITE_(BUSY|LOCKED)/.test(fault.reason) && !this.identityProblem)
      this.fault = { reason: fault.reason, atMs: Date.now() };
    return fault;
  }

  /**
   * BEGIN, waiting for the write lock asynchronously (a few ms between attempts, so that the event
   * loop keeps serving) until `deadline`; then StorageUnavailable. Fails at once when the file at the
   * path is no longer the open file.
   */
  private async begin(deadline: number, sql = 'BEGIN IMMEDIATE') {
    if (this.identityProblem) throw new StorageUnavailable(this.identityProblem);
    for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
      // Past its deadline while the lock was taken a moment ago: fail without blocking the loop for another busy timeout.
      if (Date.now() >= deadline && Date.now() - this.busySinceMs < 50) break;
      try {
        this.db.exec(sql);
        this.busy = true;
        return;
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        if (!code.startsWith('SQLITE_BUSY') && code !== 'SQLITE_LOCKED') throw err;
        this.busySinceMs = Date.now();
        if (Date.now() >= deadline) break;
        await sleep(Math.min(wait, Math.max(1, deadline - Date.now())));
      }
    }
    throw new StorageUnavailable(
      `another connection held the database's write lock for more than ${this.busyDeadlineMs} ms (SQLITE_BUSY)`,
    );
  }

  /** COMMIT, once the file at the path is known to still be the open file (a commit to a deleted file would be acknowledged, then lost). */
  private commit(checkFile: boolean) {
    if (checkFile && this.identity) {
      const problem = this.fileProblem();
      if (problem) {
        this.identityProblem = problem;
        throw new StorageUnavailable(problem);
      }
    }
    this.db.exec('COMMIT');
    this.busy = false;
    if (checkFile) this.fault = null; // a write committed: the storage works again
  }

  /** Ends a failed transaction (SQLite may already have rolled it back, e.g. after a full disk or an I/O error). */
  private rollback() {
    this.busy = false;
    if (!this.db.inTransaction) return;
    try {
      this.db.exec('ROLLBACK');
    } catch {
      /* the connection ended it itself */
    }
  }

  private st(sql: string) {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    this.executed++;
    if (!s.readonly) this.writes++;
    return s;
  }
  private get = (sql: string, ...a: unknown[]) => this.st(sql).get(...a) as Row | undefined;
  private all = (sql: string, ...a: unknown[]) => this.st(sql).all(...a) as Row[];
  private run = (sql: string, ...a: unknown[]) => this.st(sql).run(...a);

  async tx<T>(fn: (tx: Tx) => Promise<T>, readOnly = false): Promise<T> {
    const deadline = Date.now() + this.busyDeadlineMs;
    const result = this.queue.then(async () => {
      // A read needs no write lock (WAL): it is served while another process holds that lock.
      try {
        await this.begin(deadline, readOnly ? 'BEGIN' : 'BEGIN IMMEDIATE');
      } catch (err) {
        throw this.storageError(err);
      }
      const writesBefore = this.writes;
      try {
        const value = await fn(this.api);
        this.commit(this.writes !== writesBefore);
        return value;
      } catch (err) {
        this.rollback(); // a failed COMMIT may already have ended it
        // The caches may hold rows the rolled-back transaction wrote through; a refusal before any write leaves them valid.
        if (this.writes !== writesBefore) this.caches.clear();
        throw this.storageError(err);
      }
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Group commit: transactions that arrive in the same turn of the event loop run one after
   * another inside ONE SQLite transaction and are all answered after its single COMMIT — so what
   * a client is told succeeded is durable, while many concurrent writers share one commit's page
   * writes. A transaction refused before its first write (every validation of a log) simply
   * fails alone. One that fails after writing cannot be taken back alone (there are no
   * per-transaction SAVEPOINTs: they cost a sub-journal copy of every page first written under
   * them), so the whole group is rolled back and each transaction is run again on its own.
   */
  txGrouped<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const item = {
        fn: fn as (tx: Tx) => Promise<unknown>,
        resolve: resolve as (v: unknown) => void,
        reject,
        deadline: Date.now() + this.busyDeadlineMs,
      };
      if (this.batch) {
        this.batch.push(item);
        return;
      }
      const batch = [item];
      this.batch = batch;
      setImmediate(() => {
        this.batch = null;
        const done = this.queue.then(() => this.runBatch(batch));
        this.queue = done.catch(() => undefined);
      });
    });
  }

  private batch:
    | {
        fn: (tx: Tx) => Promise<unknown>;
        resolve: (v: unknown) => void;
        reject: (e: unknown) => void;
        deadline: number;
      }[]
    | null = null;
  /** Statements run so far that may write (better-sqlite3's `readonly` is false): tells whether a failed transaction wrote. */
  private writes = 0;
  /** Groups that had to be run again one by one (for tests and diagnostics). */
  regroups = 0;

  private async runBatch(batch: NonNullable<SqliteStore['batch']>) {
    const results: { ok: boolean; value: unknown }[] = [];
    // Every item of the batch gets an answer, whatever fails (a held write lock used to leave them all waiting forever).
    try {
      await this.begin(batch[0].deadline);
    } catch (err) {
      const e = this.storageError(err);
      for (const item of batch) item.reject(e);
      return;
    }
    const writesAtBegin = this.writes;
    try {
      for (const item of batch) {
        const writesBefore = this.writes;
        try {
          results.push({ ok: true, value: await item.fn(this.api) });
        } catch (err) {
          // SQLite ended the transaction itself (full disk, I/O error): the rest must not run outside one.
          if (!this.db.inTransaction) throw err;
          if (this.writes === writesBefore) {
            results.push({ ok: false, value: err });
            continue;
          }
          // Failed after writing: undo the group, then give every transaction of it its own.
          this.rollback();
          this.caches.clear();
          this.regroups++;
          for (const it of batch) await this.runAlone(it);
          return;
        }
      }
      this.commit(this.writes !== writesAtBegin);
    } catch (err) {
      this.rollback();
      this.caches.clear();
      const e = this.storageError(err);
      for (const item of batch) item.reject(e);
      return;
    }
    batch.forEach((item, i) => (results[i].ok ? item.resolve(results[i].value) : item.reject(results[i].value)));
  }

  /** One transaction of a group that had to be undone, in its own BEGIN…COMMIT. */
  private async runAlone(item: NonNullable<SqliteStore['batch']>[number]) {
    try {
      await this.begin(item.deadline);
    } catch (err) {
      item.reject(this.storageError(err));
      return;
    }
    let value: unknown;
    const writesBefore = this.writes;
    try {
      value = await item.fn(this.api);
      this.commit(this.writes !== writesBefore);
    } catch (err) {
      this.rollback();
      this.caches.clear();
      item.reject(this.storageError(err));
      return;
    }
    item.resolve(value);
  }

  async read<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    // Reads wait for queued writers so that a read after an acknowledged write sees it.
    return this.tx(fn, true);
  }

  /** The transaction object: every concern's implementation (server/store/sql/) over this store's statement helpers and caches. */
  private makeTx(): Tx {
    const ctx: SqlContext = {
      get: this.get,
      all: this.all,
      run: this.run,
      insertId: (sql, ...a) => Number(this.run(sql, ...a).lastInsertRowid),
      inIds: (column, ids) => [`${column} IN (SELECT value FROM json_each(?))`, JSON.stringify(ids)],
      caches: this.caches,
      deleteAllData: () => {
        const tables = this.all(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`);
        for (const t of tables) this.db.exec(`DELETE FROM "${t.name}"`);
        this.writes++; // a transaction that wrote drops the caches when it rolls back
      },
    };
    return sqlTx(ctx);
  }
}
