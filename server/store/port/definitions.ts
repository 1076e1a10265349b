/** Behavioural event definitions, target groups and the enrolments of customers in their targets. */
import type { TargetGroupDoc, EventDefDoc } from '../../model/documents.js';
import type { EnrolmentRow } from './rows.js';

/** Which of an organisation's target groups to list (GET v3/targetGroups and v3/milestones). */
export interface TargetGroupQuery {
  includeUserCreated: boolean;
  trackingType?: string;
  /** The group's status at `now`, as `groupStatus` computes it from `active` and the first and last period. */
  status?: { is: 'LIVE' | 'UPCOMING' | 'ENDED' | 'STOPPED'; now: number };
  /** Part of the name, compared without case (as JavaScript's toLowerCase folds it). */
  nameContains?: string;
  /** At least one target rule of this type. */
  targetType?: string;
  offset: number;
  limit: number;
}

export interface DefinitionsPort {
  // behavioural events
  getEventDef(orgId: string, name: string): Promise<EventDefDoc | undefined>;
  listEventDefs(orgId: string): Promise<EventDefDoc[]>;
  /** One page of the organisation's event names in name order, with each stored definition's size in bytes. */
  pageEventDefs(
    orgId: string,
    page: { offset: number; limit: number },
  ): Promise<{ total: number; names: { eventName: string; bytes: number }[] }>;
  putEventDef(orgId: string, def: EventDefDoc): Promise<void>;
  // target groups
  getTargetGroup(orgId: string, id: number): Promise<TargetGroupDoc | undefined>;
  findTargetGroupByName(orgId: string, name: string): Promise<TargetGroupDoc | undefined>;
  /** Several of an organisation's groups by id at once (one read for a list of challenges); missing ids are left out. */
  getTargetGroups(orgId: string, ids: number[]): Promise<Map<number, TargetGroupDoc>>;
  /** The ids of one page of an organisation's groups in id order, filtered in the database; how many match in all. */
  pageTargetGroups(orgId: string, q: TargetGroupQuery): Promise<{ total: number; ids: number[] }>;
  insertTargetGroup(orgId: string, doc: TargetGroupDoc, createdMs: number): Promise<void>;
  updateTargetGroup(orgId: string, doc: TargetGroupDoc): Promise<void>;
  // enrolments
  getEnrolment(targetId: number, customerId: number): Promise<EnrolmentRow | undefined>;
  /** By id; with the customer it belongs to, the store may answer from its cache of that customer's enrolments. */
  getEnrolmentById(id: number, customerId?: number): Promise<EnrolmentRow | undefined>;
  insertEnrolment(row: Omit<EnrolmentRow, 'id'>): Promise<EnrolmentRow>;
  updateEnrolment(
    id: number,
    patch: Partial<Pick<EnrolmentRow, 'active' | 'startIdx' | 'enrolledMs' | 'unenrolledMs'>>,
  ): Promise<void>;
  listEnrolmentsForCustomer(customerId: number, opts: { activeOnly: boolean }): Promise<EnrolmentRow[]>;
  listActiveEnrolmentsForEvent(customerId: number, eventName: string): Promise<EnrolmentRow[]>;
}
