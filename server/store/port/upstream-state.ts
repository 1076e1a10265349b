/**
 * What the upstream loyalty backend (server/loyalty/upstream/backend.ts) keeps locally for an
 * organisation that runs on a brand's real Capillary organisation (docs/upstream.md, "What is kept
 * locally"): the customer's Capillary userId, one create saga per challenge (its step and the ids
 * the platform gave), and the outbox of webhook posts (one per log).
 */

/** externalId → Capillary userId, looked up once (it never changes). */
export interface UpstreamUserRow {
  orgId: string;
  customerId: number;
  userId: number;
}

export type SagaState = 'PENDING' | 'GROUP' | 'PROMOTION' | 'ENROLLED' | 'ACTIVE' | 'ABANDONED';

/**
 * One challenge create on the platform, saved after each step and resumed by its key (the create's
 * Idempotency-Key, or a fresh one). `id` is also the challenge's local enrolment id (the platform
 * gives an enrolment no id of its own).
 */
export interface UpstreamSagaRow {
  id: number;
  orgId: string;
  customerId: number;
  sagaKey: string;
  state: SagaState;
  /** The ChallengeSpec (JSON), with everything needed to send each step again and to answer reads. */
  spec: string;
  groupId: number | null;
  targetId: number | null;
  promotionId: number | null;
  attempts: number;
  lastError: string | null;
  createdMs: number;
  updatedMs: number;
}

export type OutboxState = 'HELD' | 'SENDING' | 'SENT' | 'VOIDED' | 'FAILED';

/**
 * One log's webhook post. HELD until `dueMs` (the undo grace period, then each retry's backoff);
 * SENDING while a sender holds it (until `dueMs`, its lease: a crashed sender's post is taken again);
 * SENT with the platform's requestId; VOIDED when undone while held; FAILED when the platform refused it.
 */
export interface OutboxRow {
  id: number;
  orgId: string;
  customerId: number;
  /** The log's external id (w:<customer>:<Idempotency-Key>): unique per organisation. */
  externalId: string;
  eventName: string;
  /** The webhook body (JSON), built once so that every resend carries the same unique-key values. */
  body: string;
  occurredMs: number;
  createdMs: number;
  dueMs: number;
  state: OutboxState;
  attempts: number;
  requestId: string | null;
  sentMs: number | null;
  lastError: string | null;
  /** The saga ids (local enrolment ids) of the challenges the log counts in, as JSON `[1,2]`. */
  touched: string;
}

export interface UpstreamStatePort {
  getUpstreamUser(orgId: string, customerId: number): Promise<number | undefined>;
  /** Remembers a customer's userId (a second put for the same customer changes nothing). */
  putUpstreamUser(row: UpstreamUserRow): Promise<void>;

  getSaga(orgId: string, customerId: number, sagaKey: string): Promise<UpstreamSagaRow | undefined>;
  getSagaById(orgId: string, id: number): Promise<UpstreamSagaRow | undefined>;
  getSagasByIds(orgId: string, ids: number[]): Promise<UpstreamSagaRow[]>;
  /** Inserts a saga; undefined when (org, customer, sagaKey) exists already (then getSaga finds it). */
  insertSaga(row: Omit<UpstreamSagaRow, 'id'>): Promise<UpstreamSagaRow | undefined>;
  /** Saves a step: sets the given fields; `from` (when given) must be the saga's state, else nothing changes and false is returned. */
  updateSaga(
    id: number,
    patch: Partial<
      Pick<UpstreamSagaRow, 'state' | 'groupId' | 'targetId' | 'promotionId' | 'attempts' | 'lastError' | 'updatedMs'>
    >,
    from?: SagaState,
  ): Promise<boolean>;
  /** Sagas of every organisation neither ACTIVE nor ABANDONED, not updated since `beforeMs`, oldest first. */
  listStaleSagas(beforeMs: number, limit: number): Promise<UpstreamSagaRow[]>;

  insertOutbox(row: Omit<OutboxRow, 'id'>): Promise<OutboxRow>;
  getOutbox(orgId: string, id: number): Promise<OutboxRow | undefined>;
  getOutboxByExternalId(orgId: string, externalId: string): Promise<OutboxRow | undefined>;
  /** Posts of the organisation that are HELD or SENDING with `dueMs <= nowMs`, earliest due first. */
  listDueOutbox(orgId: string, nowMs: number, limit: number): Promise<OutboxRow[]>;
  /**
   * Changes a post's state and the given fields only when it is in one of `from` (a compare-and-set:
   * of two transactions claiming or voiding the same post, one wins). Returns the row after, or undefined.
   */
  moveOutbox(
    id: number,
    from: OutboxState[],
    patch: Partial<Pick<OutboxRow, 'state' | 'dueMs' | 'attempts' | 'requestId' | 'sentMs' | 'lastError'>>,
    /** Only when the post's `dueMs <= dueBefore` (taking over a SENDING post whose lease is over). */
    dueBefore?: number,
  ): Promise<OutboxRow | undefined>;
  /** How many of the organisation's posts are in each state (for /healthz and tests). */
  countOutbox(orgId: string): Promise<Partial<Record<OutboxState, number>>>;
}
