/**
 * The records the store speaks in (one per table row, as the engine and the HTTP layers see them).
 */
import type { PromotionDoc } from '../../model/documents.js';

export interface CustomerRow {
  id: number;
  orgId: string;
  externalId: string;
  timeZone: string | null;
  balance: number;
  createdMs: number;
}
export interface EnrolmentRow {
  id: number;
  orgId: string;
  tgId: number;
  targetId: number;
  customerId: number;
  eventName: string | null;
  startIdx: number;
  active: boolean;
  enrolledMs: number;
  unenrolledMs: number | null;
}
export interface ProgressRow {
  enrolmentId: number;
  periodIdx: number;
  value: number;
  achievedMs: number | null;
}
export interface CompletionRow {
  id: number;
  enrolmentId: number;
  kind: 'PERIOD' | 'LEVEL';
  ref: number;
  achievedMs: number;
  revokedMs: number | null;
}
export interface EventRow {
  id: number;
  orgId: string;
  customerId: number;
  eventName: string;
  externalEventId: string | null;
  occurredMs: number;
  fields: Record<string, unknown>;
  createdMs: number;
  voidedMs: number | null;
}
export interface EffectRow {
  eventId: number;
  enrolmentId: number;
  periodIdx: number;
  amount: number;
  day: string | null;
}
export interface LedgerRow {
  id: number;
  orgId: string;
  customerId: number;
  type: 'EARN' | 'REVERSAL';
  points: number;
  promotionId: number | null;
  completionId: number | null;
  reversesId: number | null;
  reversed: boolean;
  description: string;
  createdMs: number;
  expiresMs: number | null;
}
export interface PromotionRow {
  id: number;
  orgId: string;
  programId: number;
  name: string;
  identifier: string;
  sourceType: string;
  active: boolean;
  createdMs: number;
  doc: PromotionDoc;
}
export interface ChallengeRow {
  id: number;
  orgId: string;
  customerId: number;
  templateId: string;
  name: string;
  tgId: number;
  targetId: number;
  promotionId: number;
  enrolmentId: number;
  target: number;
  period: 'DAILY' | 'WEEKLY';
  periodCount: number;
  timeZone: string;
  rewardPoints: number;
  startsMs: number;
  endsMs: number;
  createdMs: number;
  leftMs: number | null;
}
export interface ActivityRow {
  id: number;
  orgId: string;
  customerId: number;
  challengeId: number | null;
  templateId: string;
  eventId: number;
  quantity: number;
  occurredMs: number;
  createdMs: number;
  undoneMs: number | null;
  /** Fingerprint of the widget request that logged it (a replay with another body is refused); null when unknown. */
  request?: string | null;
}
/** A stored answer; `requestHash` fingerprints the request so a reused key with another body is refused. */
export interface IdempotencyRow {
  status: number;
  body: string;
  requestHash?: string | null;
}
export type LedgerEntryRow = LedgerRow & { challengeId: number | null; challengeName: string | null };
/** A post to a Capillary webhook: its requestId, raw body and processing state. */
export interface WebhookPostRow {
  id: number;
  orgId: string;
  requestId: string;
  /** The body as posted (JSON text). */
  body: string;
  state: 'ACCEPTED' | 'PROCESSED' | 'FAILED';
  acceptedMs: number;
  /** When it is to be processed (acceptedMs + UCC_CAPILLARY_ASYNC_MS). */
  dueMs: number;
  processedMs: number | null;
  customerId: number | null;
  eventId: number | null;
  /** Processed, but not counted: the same external_event_id or unique-key values had been counted before. */
  duplicate: boolean;
  errorCode: number | null;
  message: string | null;
}
