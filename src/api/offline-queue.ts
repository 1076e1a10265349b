import { createStore, del, set, values, type UseStore } from 'idb-keyval';
import type { LogActivityRequest } from './types.js';

/** A log that could not reach the server, kept with the idempotency key it will be replayed with. */
export interface QueuedLog {
  key: string;
  /** The customer (token `sub`) the log belongs to; replayed only while that customer is signed in. */
  owner: string;
  request: LogActivityRequest;
  queuedAt: string;
}

/** IndexedDB-backed queue of activity logs made offline; survives reloads. */
export class OfflineQueue {
  #db: UseStore;
  constructor(dbName = 'ucc-offline') {
    this.#db = createStore(dbName, 'logs');
  }
  add(entry: QueuedLog) { return set(entry.key, entry, this.#db); }
  remove(key: string) { return del(key, this.#db); }
  async list(owner?: string): Promise<QueuedLog[]> {
    const all = await values<QueuedLog>(this.#db);
    return all.filter((e) => owner == null || e.owner == owner).sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
  }
}
