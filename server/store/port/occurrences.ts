/** Event occurrences and their effects, the progress of enrolments, and completions. */
import type { CompletionRow, EffectRow, EventRow, ProgressRow } from './rows.js';

export interface OccurrencesPort {
  // event occurrences
  getEventByExternalId(orgId: string, externalId: string): Promise<EventRow | undefined>;
  getEvent(orgId: string, id: number): Promise<EventRow | undefined>;
  insertEvent(row: Omit<EventRow, 'id' | 'voidedMs'>): Promise<EventRow>;
  /** The event counted under these unique-key values (the definition's isUniqueKeyField fields), if any. */
  getEventByUniqueKey(customerId: number, orgId: string, eventName: string, key: string): Promise<EventRow | undefined>;
  /** Records that `eventId` is counted under these unique-key values (replacing a voided event's claim). */
  putEventUniqueKey(customerId: number, orgId: string, eventName: string, key: string, eventId: number): Promise<void>;
  voidEvent(id: number, ms: number): Promise<void>;
  insertEffect(row: EffectRow): Promise<void>;
  listEffects(eventId: number): Promise<EffectRow[]>;
  // progress
  listProgress(enrolmentId: number): Promise<ProgressRow[]>;
  /** The progress rows of several enrolments at once (one read for a list of challenges). */
  listProgressForEnrolments(enrolmentIds: number[]): Promise<ProgressRow[]>;
  putProgress(row: ProgressRow): Promise<void>;
  clearProgress(enrolmentId: number): Promise<void>;
  /** Adds `delta` events to one day of a VISIT target; returns the day's new count. */
  bumpVisitDay(enrolmentId: number, periodIdx: number, day: string, delta: number): Promise<number>;
  // completions
  listCompletions(enrolmentId: number, opts: { liveOnly: boolean }): Promise<CompletionRow[]>;
  insertCompletion(row: Omit<CompletionRow, 'id' | 'revokedMs'>): Promise<CompletionRow>;
  revokeCompletion(id: number, ms: number): Promise<void>;
}
