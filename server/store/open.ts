/** Opens the store UCC_DB names: a postgres:// URL is PostgreSQL, anything else a SQLite file (or ':memory:'). */
import type { Store } from './port/index.js';
import { SqliteStore } from './sqlite/store.js';
import { PgStore } from './postgres/store.js';

export const isPostgresUrl = (db: string) => /^postgres(ql)?:\/\//i.test(db);

/** The database as the log may show it: a URL's password is never printed. */
export function dbName(db: string): string {
  if (!isPostgresUrl(db)) return db;
  try {
    const u = new URL(db);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://… (not a valid URL)';
  }
}

export interface OpenOptions {
  /** SQLite: WAL checkpoints on a worker thread. */
  backgroundCheckpoint?: boolean;
  /** SQLite: 'normal' or 'full' (UCC_DURABILITY); PostgreSQL follows its server's synchronous_commit. */
  durability?: 'normal' | 'full';
  /** PostgreSQL: connections in this process's pool (UCC_PG_POOL). */
  poolSize?: number;
}

export async function openStore(
  db: string,
  opts: OpenOptions = {},
): Promise<Store & { checkpointer?: SqliteStore['checkpointer'] }> {
  if (isPostgresUrl(db)) return PgStore.open(db, { poolSize: opts.poolSize });
  return new SqliteStore(db, { backgroundCheckpoint: opts.backgroundCheckpoint, durability: opts.durability });
}
