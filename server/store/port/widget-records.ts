/** The widget API's own records: challenges a customer created and the activities logged on them. */
import type { ActivityRow, ChallengeRow } from './rows.js';

export interface WidgetRecordsPort {
  // challenges
  insertChallenge(row: Omit<ChallengeRow, 'id'>): Promise<ChallengeRow>;
  getChallenge(customerId: number, id: number): Promise<ChallengeRow | undefined>;
  getChallengeByEnrolment(enrolmentId: number): Promise<ChallengeRow | undefined>;
  listChallenges(customerId: number): Promise<ChallengeRow[]>;
  setChallengeLeft(id: number, ms: number): Promise<void>;
  // activities
  insertActivity(row: Omit<ActivityRow, 'id' | 'undoneMs'>): Promise<ActivityRow>;
  getActivity(customerId: number, id: number): Promise<ActivityRow | undefined>;
  /** The activity a widget log recorded with this event (its idempotent replay); undefined for other events. */
  getActivityByEvent(eventId: number): Promise<ActivityRow | undefined>;
  listActivities(
    customerId: number,
    opts: { challengeId?: number; templateId?: string; fromMs?: number; toMs?: number; limit: number },
  ): Promise<ActivityRow[]>;
  /** Sum of the quantities of a customer's not-undone activities on a template with occurredMs in [fromMs, toMs). */
  sumActivityQuantity(customerId: number, templateId: string, fromMs: number, toMs: number): Promise<number>;
  setActivityUndone(id: number, ms: number): Promise<void>;
}
