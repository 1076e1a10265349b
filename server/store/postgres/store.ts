import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Store, Tx } from '../port/index.js';
import { describeStorageError, StorageUnavailable } from '../../errors.js';
import { StoreCaches, sqlTx, type Row, type SqlContext } from '../sql/index.js';
import { pgMigrations } from './migrations.js';
import { lockingTx } from './locking.js';

/** Advisory lock key spaces (two int4 keys: the space, then the id). */
export const LOCK_SPACE = { migrations: 0x75636300, customer: 1, promotion: 2 } as const;
/**
 * How long a transaction waits for a pooled connection, or for a lock, before its request is answered 503. Longer than
 * SQLite's busy deadline: requests of one customer queue for its lock here (a burst of 200 logs of one customer at
 * ~15 round trips each takes a few seconds), where on SQLite they are served from memory in a fraction of that.
 */
export const WAIT_MS = 5000;
/** Statements that write data many customers' reads depend on (groups, promotions, definitions, organisations). */
const SHARED_WRITE =
  /^\s*(INSERT INTO|UPDATE|DELETE FROM) (target_groups|targets|promotions|promotion_targets|event_defs|orgs)\b/;
/** The channel of LISTEN/NOTIFY between the server processes of one database. */
const CHANNEL = 'ucc_events';
/** How many times a transaction that lost a race (unique key taken meanwhile, deadlock, serialisation) runs again. */
const ATTEMPTS = 5;
/** SQLSTATEs after which a transaction is run again from the start: it then sees the row another one committed. */
const RETRY = new Set(['23505', '40001', '40P01']);
/**
 * Errors that mean the database, not the request, failed: connection (08), resources (53), the
 * server shutting down (57P0x), a lock or statement timeout (55P03, 57014), node's socket errors
 * and the pool's connect timeout.
 */
const STORAGE_FAULT =
  /^(08|53|57P0|55P03|57014|58)|^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|EAI_AGAIN)$/;

export interface PgStoreOptions {
  /** Connections in this process's pool (UCC_PG_POOL). */
  poolSize?: number;
  /** How long a transaction waits for a connection of the pool or for a row lock before its request is answered 503. */
  waitMs?: number;
}

interface TxState {
  client: pg.PoolClient;
  locked: Set<number>;
  /** Customers this transaction locked (and so counted a version of); shared data or anything without a customer written. */
  customers: number;
  wroteShared: boolean;
  wrote: boolean;
  /** The last statement sent: a connection runs one at a time, so statements asked for together are sent in turn. */
  last: Promise<unknown>;
}

/** pg returns BIGINT (int8) and NUMERIC (sum of BIGINTs) as strings; every such value here is an id, an instant or a sum that fits a double. */
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === 20 || oid === 1700 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format),
};

/**
 * The store on PostgreSQL (`UCC_DB=postgres://…`), for several server processes on one database.
 *
 * - One transaction per request, on its own pooled connection, READ COMMITTED; reads run in a
 *   REPEATABLE READ READ ONLY transaction (one consistent snapshot, never blocked, never aborted).
 * - No lost updates: a writing transaction locks its customer's row (locking.ts; counting the
 *   customer's data version, which the read cache checks) before
 *   it reads anything of a customer's, so the engine's read-modify-write of progress, caps and
 *   limits runs one at a time per customer, in every process; different customers never wait.
 * - Exactly once by constraints (unique event ids, idempotency keys, one live completion per
 *   period/level): a transaction that loses such a race fails on the constraint and is run again
 *   from the start, and then finds the winner's row (as it would have, had it come second).
 * - Nothing read is kept beyond its transaction: another process may change any row at any time,
 *   and this process's transactions run concurrently. Within one transaction, the store's caches
 *   (../sql/caches.ts) still spare it a second read of the same row (per-customer data cannot
 *   change under the customer's lock; a group or definition read once is one consistent version).
 */
export class PgStore implements Store {
  readonly shared = true;
  private executed = 0;
  private readonly statements = new Map<string, { name: string; text: string }>();
  private listener: pg.Client | null = null;
  private readonly handlers: ((message: string) => void)[] = [];
  private fault: { reason: string; atMs: number } | null = null;
  private closed = false;
  private readonly watched = new WeakSet<pg.PoolClient>();
  /** This process's store, as the sender of its broadcasts. */
  private readonly id = randomUUID();

  private constructor(
    readonly pool: pg.Pool,
    private readonly config: pg.ClientConfig,
    readonly schema: string | null,
  ) {
    // An idle pooled connection that breaks (server restart) must not crash the process.
    pool.on('error', (err) => {
      this.fault = { reason: describeStorageError(err), atMs: Date.now() };
    });
  }

  /** Connects, creates the schema if the URL names one (`?schema=`), and migrates it once however many processes start together. */
  static async open(url: string, opts: PgStoreOptions = {}): Promise<PgStore> {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new Error('UCC_DB is not a valid URL: use postgres://user[:password]@host[:port]/database[?schema=name].');
    }
    const schema = u.searchParams.get('schema');
    u.searchParams.delete('schema');
    if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
      throw new Error(`UCC_DB: schema "${schema}" must be a lowercase SQL identifier (letters, digits, _).`);
    const waitMs = opts.waitMs ?? WAIT_MS;
    const config: pg.ClientConfig = {
      connectionString: u.toString(),
      types,
      options: schema ? `-c search_path=${schema}` : undefined,
      connectionTimeoutMillis: waitMs,
      // A row or advisory lock held longer than this fails the waiting request with 503, as SQLite's busy deadline does.
      lock_timeout: waitMs,
      statement_timeout: 10_000,
      idle_in_transaction_session_timeout: 30_000,
      application_name: 'ucc-server',
    };
    // Idle connections do not keep a process alive (a server's listening socket does).
    const pool = new pg.Pool({ ...config, max: opts.poolSize ?? 10, allowExitOnIdle: true });
    const store = new PgStore(pool, config, schema);
    try {
      await store.migrate();
      await store.listen();
    } catch (err) {
      await pool.end().catch(() => undefined);
      const e = err as { code?: string; message?: string };
      if (!e.code) throw err; // this server's own refusal (a newer schema): its message says what to do
      throw new Error(
        `Cannot open the PostgreSQL database ${u.host}${u.pathname}: ${e.code} ${e.message ?? err}. ` +
          'Check UCC_DB (postgres://user[:password]@host[:port]/database) and that the server accepts connections.',
        { cause: err },
      );
    }
    return store;
  }

  private async migrate() {
    const c = await this.pool.connect();
    try {
      // Session lock: the second process starting waits here, then finds the schema at the latest version.
      const key = [LOCK_SPACE.migrations, this.schema ?? ''];
      await c.query('SELECT pg_advisory_lock($1, hashtext(current_database() || $2))', key);
      try {
        if (this.schema) await c.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
        await c.query('CREATE TABLE IF NOT EXISTS ucc_schema (version INTEGER NOT NULL)');
        const r = await c.query('SELECT version FROM ucc_schema');
        if (r.rows.length === 0) await c.query('INSERT INTO ucc_schema (version) VALUES (0)');
        const version: number = r.rows[0]?.version ?? 0;
        if (version > pgMigrations.length)
          throw new Error(
            `The PostgreSQL schema is at version ${version}, newer than this server (${pgMigrations.length}); run the newer server.`,
          );
        for (let i = version; i < pgMigrations.length; i++) {
          await c.query('BEGIN');
          try {
            await c.query(pgMigrations[i]);
            await c.query('UPDATE ucc_schema SET version = $1', [i + 1]);
            await c.query('COMMIT');
          } catch (err) {
            await c.query('ROLLBACK');
            throw err;
          }
        }
      } finally {
        await c.query('SELECT pg_advisory_unlock($1, hashtext(current_database() || $2))', key);
      }
    } finally {
      c.release();
    }
  }

  /** One connection outside the pool LISTENs for the other processes' broadcasts; it reconnects when it drops. */
  private async listen() {
    const client = new pg.Client(this.config);
    client.on('error', () => undefined);
    client.on('end', () => {
      if (this.closed) return;
      this.listener = null;
      setTimeout(() => void this.listen().catch(() => undefined), 1000).unref();
    });
    client.on('notification', (n) => {
      if (this.closed || n.channel !== this.channel || n.payload === undefined) return;
      const sep = n.payload.indexOf(':');
      if (n.payload.slice(0, sep) === this.id) return; // this process's own message: it acted on it already
      for (const h of this.handlers) h(n.payload.slice(sep + 1));
    });
    await client.connect();
    await client.query(`LISTEN ${this.channel}`);
    // Listening does not keep a process alive either.
    streamOf(client)?.unref?.();
    this.listener = client;
  }

  /** Per schema: two stores on one database in different schemas do not hear each other. */
  private get channel() {
    return this.schema ? `${CHANNEL}_${this.schema}` : CHANNEL;
  }

  async broadcast(message: string) {
    await this.pool.query('SELECT pg_notify($1, $2)', [this.channel, `${this.id}:${message}`]);
  }
  onBroadcast(fn: (message: string) => void) {
    this.handlers.push(fn);
  }

  statementCount() {
    return this.executed;
  }

  /**
   * What a customer's reads depend on, as one value that changes with every committed write of that
   * customer's data or of shared data, in any process: a cached read built after reading an equal
   * value is still the answer (one statement, no transaction).
   */
  async dataVersion(customerId: number): Promise<string> {
    this.executed++;
    try {
      const r = await this.pool.query<Row>({
        name: 'ucc_data_version',
        text: 'SELECT d.v AS g, c.version AS c FROM ucc_data_version d LEFT JOIN customers c ON c.id = $1',
        values: [customerId],
      });
      return `${r.rows[0]?.g}:${r.rows[0]?.c ?? '-'}`;
    } catch (err) {
      throw this.storageError(err);
    }
  }

  close() {
    this.closed = true;
    void this.listener?.end().catch(() => undefined);
    void this.pool.end().catch(() => undefined);
  }

  /**
   * A cheap query within 2 s, and no storage fault in the last few seconds. The query goes over the
   * LISTEN connection, outside the pool: a busy pool (requests queued for a connection) is load, not
   * a database that is down, and must not take the instance out of its load balancer.
   */
  async health(): Promise<string | null> {
    const socket = this.listener && streamOf(this.listener);
    socket?.ref?.(); // the LISTEN connection does not keep the process alive, except while it answers this
    try {
      await Promise.race([
        (this.listener ?? this.pool).query('SELECT 1'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 2 s')), 2000).unref()),
      ]);
    } catch (err) {
      return `the database is unavailable: ${describeStorageError(err)}`;
    } finally {
      socket?.unref?.();
    }
    if (this.fault && Date.now() - this.fault.atMs < 5000) return `the last transaction failed: ${this.fault.reason}`;
    return null;
  }

  /** A storage fault becomes StorageUnavailable (remembered for /healthz); any other error is kept. */
  private storageError(err: unknown): unknown {
    if (err instanceof StorageUnavailable) return err;
    const code = (err as { code?: unknown })?.code;
    const message = String((err as Error)?.message ?? '');
    const fault =
      (typeof code === 'string' && STORAGE_FAULT.test(code)) ||
      /timeout exceeded when trying to connect|Connection terminated|connection.*(closed|ended)|Client has encountered a connection error/i.test(
        message,
      );
    if (!fault) return err;
    const reason = describeStorageError(err);
    // Waiting too long for a pooled connection or a lock is load (answered 503 all the same), not a fault /healthz reports.
    const load = code === '55P03' || /timeout exceeded when trying to connect/i.test(message);
    if (!load) this.fault = { reason, atMs: Date.now() };
    return new StorageUnavailable(reason);
  }

  /** The SQL of the concern files (`?` placeholders) as a named prepared statement: parsed once per connection. */
  private statement(sql: string) {
    let s = this.statements.get(sql);
    if (!s) {
      let n = 0;
      s = { name: `u${this.statements.size}`, text: sql.replace(/\?/g, () => `$${++n}`) };
      this.statements.set(sql, s);
    }
    return s;
  }

  private async query(client: pg.PoolClient, sql: string, values: unknown[] = []): Promise<pg.QueryResult<Row>> {
    this.executed++;
    const s = this.statement(sql);
    return client.query<Row>({ name: s.name, text: s.text, values });
  }

  private inTurn(state: TxState, sql: string, values: unknown[]) {
    if (!sql.startsWith('SELECT') && !sql.startsWith('UPDATE customers SET version')) {
      state.wrote = true;
      if (SHARED_WRITE.test(sql)) state.wroteShared = true;
    }
    const p = state.last.then(() => this.query(state.client, sql, values));
    state.last = p.catch(() => undefined);
    return p;
  }

  private context(state: TxState): SqlContext {
    const q = (sql: string, a: unknown[]) => this.inTurn(state, sql, a);
    return {
      get: async (sql, ...a) => (await q(sql, a)).rows[0],
      all: async (sql, ...a) => (await q(sql, a)).rows,
      run: (sql, ...a) => q(sql, a),
      insertId: async (sql, ...a) => (await q(`${sql} RETURNING id`, a)).rows[0].id as number,
      inIds: (column, ids) => [`${column} = ANY(?::bigint[])`, ids],
      // Caches that live as long as this transaction: what it read once (its group, the customer's enrolments) it does not read
      // again, and its own writes go through them as on SQLite. Nothing is kept across transactions (see the class comment).
      caches: new StoreCaches(),
      deleteAllData: async () => {
        const tables = await q(
          `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT IN ('ucc_schema', 'ucc_data_version') ORDER BY tablename`,
          [],
        );
        // Sequences are not restarted: an id another process still holds never names a new row. Nor is the data version.
        state.wroteShared = true;
        this.executed++;
        await state.client.query(`TRUNCATE ${tables.rows.map((t) => `"${t.tablename}"`).join(', ')}`);
      },
    };
  }

  async tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.run(fn, false);
  }
  async read<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.run(fn, true);
  }

  private async run<T>(fn: (tx: Tx) => Promise<T>, readOnly: boolean): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (err) {
        throw this.storageError(err);
      }
      // A checked-out client whose connection breaks emits 'error': without a listener that would end the process.
      if (!this.watched.has(client)) {
        client.on('error', () => undefined);
        this.watched.add(client);
      }
      const state: TxState = {
        client,
        locked: new Set(),
        customers: 0,
        wroteShared: false,
        wrote: false,
        last: Promise.resolve(),
      };
      try {
        await this.query(client, readOnly ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
        const sql = sqlTx(this.context(state));
        const tx = readOnly
          ? sql
          : lockingTx(sql, async (space, id) => {
              const key = LOCK_SPACE[space] * 2 ** 32 + id;
              if (state.locked.has(key)) return false;
              // A customer's lock is its row's, taken by counting its version (what cached reads of it are checked against).
              if (space === 'customer') {
                await this.inTurn(state, 'UPDATE customers SET version = version + 1 WHERE id = ?', [id]);
                state.customers++;
              } else await this.inTurn(state, 'SELECT pg_advisory_xact_lock(?::int, ?::int)', [LOCK_SPACE[space], id]);
              state.locked.add(key);
              return true;
            });
        const value = await fn(tx);
        // Shared data written, or data of no customer's: every cached read of every instance is checked again.
        if (state.wroteShared || (state.wrote && state.customers === 0))
          await this.query(client, 'UPDATE ucc_data_version SET v = v + 1');
        await this.query(client, 'COMMIT');
        client.release();
        if (!readOnly) this.fault = null;
        return value;
      } catch (err) {
        let broken = false;
        try {
          this.executed++;
          await client.query('ROLLBACK');
        } catch {
          broken = true; // the connection is gone: the pool must not hand it out again
        }
        client.release(broken);
        const code = (err as { code?: unknown })?.code;
        if (!readOnly && typeof code === 'string' && RETRY.has(code) && attempt < ATTEMPTS) {
          await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
          continue;
        }
        throw this.storageError(err);
      }
    }
  }
}

/** The socket under a pg client (pg has no public way to unref a single client). */
const streamOf = (client: pg.Client) =>
  (client as unknown as { connection?: { stream?: { ref?: () => void; unref?: () => void } } }).connection?.stream;
