/**
 * Which store the persistence tests run on: SQLite (the default) or PostgreSQL, when the runner
 * sets UCC_TEST_STORE=postgres and UCC_TEST_PG_URL to a database of its own (scripts/test-all.sh,
 * scripts/pg-test-db.mjs). The conformance suite is the same test files run once per store; each
 * test gets its own fresh SQLite file or its own fresh PostgreSQL schema.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { SqliteStore } from '../../server/store/sqlite.js';
import { PgStore } from '../../server/store/postgres/store.js';
import type { Store } from '../../server/store/types.js';

export const STORE: 'sqlite' | 'postgres' = process.env.UCC_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';
const PG_URL = process.env.UCC_TEST_PG_URL;
if (STORE === 'postgres' && !PG_URL)
  throw new Error('UCC_TEST_STORE=postgres needs UCC_TEST_PG_URL (a database of its own: scripts/pg-test-db.mjs)');

let fresh = 0;
/**
 * The database of a test, as UCC_DB takes it: `file` in `dir` on SQLite; on PostgreSQL a schema
 * named after `dir` and `file`, so that the same pair names the same data (a restart test opens it
 * twice) and another pair never does.
 */
export function testDb(dir: string, file = 'test.db'): string {
  if (STORE === 'sqlite') return join(dir, file);
  return `${PG_URL}?schema=t_${createHash('sha1').update(`${dir}\0${file}`).digest('hex').slice(0, 20)}`;
}

/** A fresh empty store: SQLite in memory (or the file `dir`/`file`), or a new PostgreSQL schema. */
export async function testStore(dir?: string, file?: string): Promise<Store> {
  if (STORE === 'sqlite') return new SqliteStore(dir ? join(dir, file ?? 'test.db') : ':memory:');
  return PgStore.open(testDb(dir ?? `fresh-${process.pid}-${++fresh}-${Date.now()}`, file), { poolSize: 4 });
}
