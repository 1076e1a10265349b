/**
 * The SQLite store, kept importable from this path; it lives in ./sqlite/: the class (open,
 * migrations, transactions, group commit, storage faults) in store.ts, the caches in caches.ts,
 * one file per concern of the port.
 */
export { SqliteStore, BUSY_DEADLINE_MS } from './sqlite/store.js';
export { CACHE_ROWS } from './sql/caches.js';
