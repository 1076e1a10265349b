/**
 * The store port written once in SQL both SQLite and PostgreSQL accept: one file per concern, each
 * over a SqlContext its store provides (statement helpers, the dialects' few differences, caches).
 */
import type { Tx } from '../port/index.js';
import type { SqlContext } from './sql-context.js';
import { orgsTx } from './orgs.js';
import { definitionsTx } from './definitions.js';
import { occurrencesTx } from './occurrences.js';
import { promotionsTx } from './promotions.js';
import { widgetRecordsTx } from './widget-records.js';
import { idempotencyTx } from './idempotency.js';
import { webhookPostsTx } from './webhook-posts.js';
import { upstreamStateTx } from './upstream-state.js';
import { redemptionsTx } from './redemptions.js';

export type { SqlContext } from './sql-context.js';
export type { Row } from './rows.js';
export { StoreCaches, CACHE_ROWS } from './caches.js';

/** The transaction object: every concern's implementation over one context. */
export function sqlTx(ctx: SqlContext): Tx {
  return {
    ...orgsTx(ctx),
    ...definitionsTx(ctx),
    ...occurrencesTx(ctx),
    ...promotionsTx(ctx),
    ...widgetRecordsTx(ctx),
    ...idempotencyTx(ctx),
    ...webhookPostsTx(ctx),
    ...upstreamStateTx(ctx),
    ...redemptionsTx(ctx),
  };
}
