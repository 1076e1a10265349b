/**
 * The store's port (records, the per-concern interfaces, `Tx` and `Store`), kept importable from
 * this path; it lives in ./port/, one file per concern.
 */
export type * from './port/index.js';
