/**
 * The store interface: everything the engine and the HTTP layers read or write goes through it.
 * It speaks in records, not SQL, and every method is async so that a PostgreSQL store (one
 * connection per transaction) can implement it without touching the engine. The SQLite store
 * serialises transactions, so a transaction sees no other writer.
 */
import type { OrgsPort } from './orgs.js';
import type { DefinitionsPort } from './definitions.js';
import type { OccurrencesPort } from './occurrences.js';
import type { PromotionsPort } from './promotions.js';
import type { WidgetRecordsPort } from './widget-records.js';
import type { IdempotencyPort } from './idempotency.js';
import type { WebhookPostsPort } from './webhook-posts.js';
import type { UpstreamStatePort } from './upstream-state.js';
import type { RedemptionsPort } from './redemptions.js';

export type * from './rows.js';
export type { OrgsPort } from './orgs.js';
export type { DefinitionsPort, TargetGroupQuery } from './definitions.js';
export type { OccurrencesPort } from './occurrences.js';
export type { PromotionsPort } from './promotions.js';
export type { WidgetRecordsPort } from './widget-records.js';
export type { IdempotencyPort } from './idempotency.js';
export type { RedemptionsPort } from './redemptions.js';
export type { WebhookPostsPort, WebhookPostOutcome } from './webhook-posts.js';
export type {
  UpstreamStatePort,
  UpstreamUserRow,
  UpstreamSagaRow,
  SagaState,
  OutboxRow,
  OutboxState,
} from './upstream-state.js';

/** One transaction's view of the store: every concern's port together. */
export interface Tx
  extends
    OrgsPort,
    DefinitionsPort,
    OccurrencesPort,
    PromotionsPort,
    WidgetRecordsPort,
    IdempotencyPort,
    WebhookPostsPort,
    UpstreamStatePort,
    RedemptionsPort {}

export interface Store {
  /** Runs `fn` as one transaction: all its writes commit together or none do. */
  tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Optional group commit: like `tx`, but transactions arriving together may share one commit
   * (each still all-or-nothing on its own; answered only after the commit). `fn` may run twice:
   * when another transaction of its group fails after writing, the group is rolled back and
   * each `fn` runs again alone, so it must not rely on effects of its first run.
   */
  txGrouped?<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Reads outside a write transaction (same interface; writes here are a bug). */
  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Number of SQL statements executed so far (used to show a log's cost is independent of history). */
  statementCount(): number;
  /** What is wrong with the storage right now, for /healthz (null when it is healthy). */
  health?(): string | null | Promise<string | null>;
  /**
   * True when other server processes write the same database (PostgreSQL): a process must then not
   * keep what it read (its caches of rows and answers), since another may change it at any time.
   */
  readonly shared?: boolean;
  /**
   * Where other processes write the same database: a value that changes whenever anything a customer's
   * reads depend on is written, by any process (a cached read is checked against it). Absent on SQLite,
   * where this process sees every write itself.
   */
  dataVersion?(customerId: number): Promise<string>;
  /** Sends a short message to every other server process on this database (PostgreSQL NOTIFY). */
  broadcast?(message: string): Promise<void>;
  /** Called with each message another process on this database broadcast, in the order they were sent. */
  onBroadcast?(fn: (message: string) => void): void;
  close(): void;
}
