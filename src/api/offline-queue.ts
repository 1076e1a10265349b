import type { LogActivityRequest } from './types.js';

/** A log that could not reach the server, kept with the idempotency key it will be replayed with. */
export interface QueuedLog {
  key: string;
  /** The customer (token `sub`) the log belongs to; replayed only while that customer is signed in. */
  owner: string;
  request: LogActivityRequest;
  queuedAt: string;
  /** Set when the server refused the log for good: kept (and shown) until the customer dismisses it. */
  refused?: { code: string; message: string };
}

/** Settles with a request's result, or when a transaction completes. */
const done = <T>(r: IDBRequest<T> | IDBTransaction) =>
  new Promise<T>((ok, fail) => {
    (r as IDBRequest).onsuccess = (r as IDBTransaction).oncomplete = () => ok((r as IDBRequest<T>).result);
    r.onerror = (r as IDBTransaction).onabort = () => fail(r.error);
  });

/** IndexedDB-backed queue of activity logs made offline (one object store, `logs`, keyed by idempotency key); survives reloads. */
export class OfflineQueue {
  #db?: Promise<IDBDatabase>;
  #name: string;
  constructor(dbName = 'ucc-offline') {
    this.#name = dbName;
  }

  /** Runs `fn` in a transaction; resolves with its request's result once the transaction has committed. */
  async #tx<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    if (!this.#db) {
      const open = indexedDB.open(this.#name);
      open.onupgradeneeded = () => open.result.createObjectStore('logs');
      // A closed connection (browser cleared storage) is reopened on the next call.
      (this.#db = done(open)).then(
        (db) => (db.onclose = () => (this.#db = undefined)),
        () => (this.#db = undefined),
      );
    }
    const s = (await this.#db).transaction('logs', mode).objectStore('logs');
    const r = fn(s);
    await done(s.transaction);
    return r.result;
  }

  add(entry: QueuedLog) {
    return this.#tx('readwrite', (s) => s.put(entry, entry.key));
  }
  remove(key: string) {
    return this.#tx('readwrite', (s) => s.delete(key));
  }
  async list(owner?: string): Promise<QueuedLog[]> {
    const all: QueuedLog[] = await this.#tx('readonly', (s) => s.getAll());
    return all.filter((e) => owner == null || e.owner === owner).sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
  }
}
