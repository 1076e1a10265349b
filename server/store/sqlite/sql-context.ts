import type Database from 'better-sqlite3';
import type { StoreCaches } from './caches.js';
import type { Row } from './rows.js';

/**
 * What a concern's implementation gets from the SqliteStore: the statement helpers (each prepares
 * its SQL once and counts it for statementCount()), the caches every write goes through, and the
 * two raw operations of the demo reset.
 */
export interface SqlContext {
  get(sql: string, ...a: unknown[]): Row | undefined;
  all(sql: string, ...a: unknown[]): Row[];
  run(sql: string, ...a: unknown[]): Database.RunResult;
  readonly caches: StoreCaches;
  /** Runs SQL outside the statement cache (not counted by statementCount()). */
  exec(sql: string): void;
  /** Counts a write done by `exec` (a transaction that wrote drops the caches when it rolls back). */
  noteWrite(): void;
}
