/** Promotions (and the target groups they reward) and the points ledger. */
import type { LedgerEntryRow, LedgerRow, PromotionRow } from './rows.js';

export interface PromotionsPort {
  // promotions
  insertPromotion(
    row: Omit<PromotionRow, 'id'> & { id: number },
    targets: { tgId: number; ruleId: number | null }[],
  ): Promise<void>;
  getPromotion(orgId: string, id: number): Promise<PromotionRow | undefined>;
  findPromotion(
    orgId: string,
    programId: number,
    by: { name?: string; identifier?: string },
  ): Promise<PromotionRow | undefined>;
  listPromotions(
    orgId: string,
    programId: number,
    opts: { sourceType?: string; includeInactive: boolean; limit: number; offset: number },
  ): Promise<{ rows: PromotionRow[]; total: number }>;
  listPromotionsForTargetGroup(tgId: number): Promise<(PromotionRow & { ruleId: number | null })[]>;
  // ledger
  insertLedger(row: Omit<LedgerRow, 'id' | 'reversed'>): Promise<LedgerRow>;
  markLedgerReversed(id: number): Promise<void>;
  listLedgerForCompletion(completionId: number): Promise<LedgerRow[]>;
  ledgerUsage(promotionId: number, customerId: number | null): Promise<{ points: number; times: number }>;
  customerEarnedSince(customerId: number, sinceMs: number, sourceType: string): Promise<number>;
  listLedger(customerId: number, opts: { limit: number; beforeId?: number }): Promise<LedgerRow[]>;
  /** One page of the ledger by position (newest first unless `ascending`), and how many entries it has in all. */
  pageLedger(
    customerId: number,
    opts: { limit: number; offset: number; ascending: boolean },
  ): Promise<{ rows: LedgerRow[]; total: number }>;
  /** Net points (earned minus reversed) the live completions of one enrolment have credited. */
  earnedByEnrolment(enrolmentId: number): Promise<number>;
  /** The ledger, newest first, each entry with the widget challenge it belongs to (if any). */
  listLedgerEntries(customerId: number, opts: { limit: number; beforeId?: number }): Promise<LedgerEntryRow[]>;
}
