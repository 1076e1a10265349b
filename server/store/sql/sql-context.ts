import type { StoreCaches } from './caches.js';
import type { Row } from './rows.js';

/** A value now (SQLite answers synchronously) or later (PostgreSQL): the concern files `await` either. */
export type Awaitable<T> = T | Promise<T>;

/**
 * What a concern's implementation gets from its store (SQLite or PostgreSQL): the statement helpers
 * (SQL with `?` placeholders, written in the dialect both databases accept; each counted for
 * statementCount()), the few operations the two dialects spell differently, and the caches every
 * write goes through (PostgreSQL's never keep a row: other instances write the same database).
 */
export interface SqlContext {
  get(sql: string, ...a: unknown[]): Awaitable<Row | undefined>;
  all(sql: string, ...a: unknown[]): Awaitable<Row[]>;
  run(sql: string, ...a: unknown[]): Awaitable<unknown>;
  /** Runs an INSERT into a table with an `id` key the database assigns; returns that id. */
  insertId(sql: string, ...a: unknown[]): Awaitable<number>;
  /** `column IN (ids)` as one SQL condition with one placeholder, and the argument to bind to it. */
  inIds(column: string, ids: number[]): [sql: string, arg: unknown];
  readonly caches: StoreCaches;
  /** Demo reset: deletes every row of every data table (the schema and its migrations stay). */
  deleteAllData(): Awaitable<void>;
}
