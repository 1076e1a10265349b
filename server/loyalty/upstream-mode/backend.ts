/**
 * `UpstreamLoyalty`: the loyalty port over a brand's real Capillary organisation (docs/upstream.md).
 * The widget server stays a thin, customer-scoped backend-for-frontend: it holds the brand's
 * credentials, keeps what it must locally (ids, the outbox, sagas, short-lived read copies) and
 * never calls the platform inside a local transaction (docs/loyalty-port.md):
 *
 * - create: a saga, one local transaction per step and the HTTP call between (prepareChallenge);
 * - log: an outbox row in the log's transaction, posted once by the sender after the undo grace period;
 * - reads: the platform's answer fetched before the read's transaction (beforeRead), reused briefly.
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { OrgDoc, RewardConfig, UpstreamOrgConfig } from '../../model/org.js';
import type { ActivityRow, CustomerRow, OutboxRow, Store, Tx, UpstreamSagaRow } from '../../store/types.js';
import { CapillaryClient, type ClientOptions } from '../upstream/client.js';
import { enrolBody, eventBody, promotionBody, targetGroupBody } from '../upstream/bodies.js';
import type { IssuedReward, LedgerPage, UserTargetGroups } from '../upstream/parse.js';
import { rewardDiscount } from '../../engine/redemptions.js';
import { UpstreamRejected, UpstreamUnavailable, UpstreamError, UpstreamTimeout } from '../upstream/resilience.js';
import {
  LoyaltyError,
  type ActivityOccurrence,
  type ChallengePlan,
  type ChallengeProgress,
  type ChallengeRefs,
  type ChallengeSpec,
  type CreatedChallenge,
  type LoyaltyBackend,
  type PointsEntry,
  type PointsMove,
  type PointsPage,
  type Posted,
  type Posting,
  type PostingState,
  type PreparedChallenge,
  type PreparedRedemption,
  type ReadNeed,
  type RedeemedReward,
  type RedemptionWithCoupon,
  type Voided,
} from '../port.js';
import { localValues, mergedProgress, planOfSpec, upstreamValues } from './progress.js';
import { OutboxSender } from './sender.js';
import { recordedRedemptions } from '../local.js';

/** Vendor codes the saga recovers forward on (capillary-api.md §14). */
const NAME_EXISTS = 310069,
  ALREADY_ENROLLED = 310119,
  PROMO_NAME_EXISTS = 4003,
  PROMO_IDENTIFIER_EXISTS = 4007;

/** The outbox's event name for an unenrolment job (not a behavioural event: no template has it). */
export const UNENROL = '@unenrol';

const SAGA_STEPS = ['PENDING', 'GROUP', 'PROMOTION', 'ENROLLED', 'ACTIVE'] as const;

/** What a saga row's `spec` column holds: the spec the platform's objects are made from and the request's fingerprint. */
interface SagaDoc {
  spec: ChallengeSpec;
  fingerprint: string;
}

interface Known {
  spec: ChallengeSpec;
  plan: ChallengePlan;
  /** When the challenge became ACTIVE: logs made before it do not count in it (as on the embedded engine). */
  activeFromMs: number;
}

interface Fetched<T> {
  value: T;
  atMs: number;
}
/** One customer's copies of the platform's reads. */
interface CustomerReads {
  groups?: Fetched<UserTargetGroups>;
  balance?: Fetched<number>;
  /** Ledger pages by offset, each with the balance it was read at (a changed balance makes them old). */
  ledger: Map<number, Fetched<LedgerPage> & { balance: number }>;
  stale: boolean;
}

export interface UpstreamLoyaltyOptions {
  clock: { now(): number };
  /** Told of the backend's notable events (a post sent or failed, a saga abandoned, orphan ids). */
  log?: (level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>) => void;
  client?: ClientOptions;
  /** How often the sender looks for due posts besides being woken by a commit (default 1 000 ms). */
  senderPollMs?: number;
  /** A saga not moved for this long is abandoned by the sweeper (default 10 minutes). */
  sagaStaleMs?: number;
}

/** A period bound as the vendor's sample writes it: local time in the group's zone, with its offset. */
const localStamp = (ms: number, zone: string) =>
  DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: false, includeOffset: true })!;

export class UpstreamLoyalty implements LoyaltyBackend {
  readonly kind = 'upstream';
  readonly client: CapillaryClient;
  readonly sender: OutboxSender;
  private readonly known = new Map<number, Known>();
  private readonly users = new Map<number, number>();
  private readonly reads = new Map<number, CustomerReads>();
  private readonly graceMs: number;
  private readonly cacheMs: number;
  private readonly keyField: string;
  /** Calls made per action kind (the bench's "calls per action"). */
  readonly calls = { total: 0 };

  constructor(
    readonly orgId: string,
    readonly config: UpstreamOrgConfig,
    private readonly store: Store,
    private readonly opts: UpstreamLoyaltyOptions,
  ) {
    this.client = new CapillaryClient(config, {
      budget: { perMinute: config.requestsPerMinute ?? 100 },
      ...opts.client,
      onAttempt: (a) => {
        this.calls.total++;
        opts.client?.onAttempt?.(a);
      },
    });
    this.graceMs = config.undoGraceMs ?? 60_000;
    this.cacheMs = config.readCacheMs ?? 10_000;
    this.keyField = config.uniqueKeyField ?? 'uccLogId';
    this.sender = new OutboxSender(this, store, {
      clock: opts.clock,
      pollMs: opts.senderPollMs ?? 1000,
      log: opts.log,
      staleSagaMs: opts.sagaStaleMs ?? 600_000,
    });
  }

  private log(level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>) {
    this.opts.log?.(level, msg, { org: this.orgId, ...data });
  }

  close() {
    this.sender.stop();
    this.client.close();
  }

  available(): boolean {
    return this.client.state !== 'open';
  }

  // ---- customers ---------------------------------------------------------------------------------

  async ensureCustomer(tx: Tx, org: OrgDoc, externalId: string, now: number): Promise<number> {
    const c = await tx.getCustomerByExternalId(org.id, externalId);
    return (c ?? (await tx.insertCustomer({ orgId: org.id, externalId, timeZone: null, createdMs: now }))).id;
  }

  /** The customer's Capillary userId: remembered, else looked up once (outside any transaction) and stored. */
  async userIdOf(customerId: number): Promise<number> {
    const hit = this.users.get(customerId);
    if (hit !== undefined) return hit;
    const stored = await this.store.read((tx) => tx.getUpstreamUser(this.orgId, customerId));
    if (stored !== undefined) {
      this.users.set(customerId, stored);
      return stored;
    }
    const c = await this.store.read((tx) => tx.getCustomer(this.orgId, customerId));
    if (!c) throw new Error(`customer ${customerId} is missing`);
    let userId: number;
    try {
      userId = (await this.client.lookupCustomer(c.externalId)).userId;
    } catch (e) {
      if (e instanceof UpstreamRejected && (e.status === 404 || e.status === 400))
        throw new LoyaltyError(
          403,
          'CUSTOMER_NOT_IN_PROGRAMME',
          "This customer is not a member of the brand's loyalty programme yet; join it first, then try again.",
        );
      throw toLoyaltyError(e, 'reach the loyalty programme');
    }
    await this.store.tx((tx) => tx.putUpstreamUser({ orgId: this.orgId, customerId, userId }));
    this.users.set(customerId, userId);
    return userId;
  }

  // ---- create: the saga --------------------------------------------------------------------------

  async prepareChallenge(
    store: Store,
    org: OrgDoc,
    draft: ChallengeSpec,
    sagaKey: string,
    fingerprint: string,
  ): Promise<PreparedChallenge> {
    // Her userId first: a customer the organisation does not know is refused before anything is made.
    try {
      await this.userIdOf(draft.customerId);
    } catch (e) {
      throw toLoyaltyError(e, 'find you in the loyalty programme');
    }
    const now = this.opts.clock.now();
    let saga = await store.tx(async (tx) => {
      const prior = await tx.getSaga(org.id, draft.customerId, sagaKey);
      if (prior) return prior;
      const doc: SagaDoc = { spec: draft, fingerprint };
      return (
        (await tx.insertSaga({
          orgId: org.id,
          customerId: draft.customerId,
          sagaKey,
          state: 'PENDING',
          spec: JSON.stringify(doc),
          groupId: null,
          targetId: null,
          promotionId: null,
          attempts: 0,
          lastError: null,
          createdMs: now,
          updatedMs: now,
        })) ?? (await tx.getSaga(org.id, draft.customerId, sagaKey))!
      );
    });
    const doc = JSON.parse(saga.spec) as SagaDoc;
    if (doc.fingerprint !== fingerprint)
      throw new LoyaltyError(
        422,
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was already used for a different request; use a new key.',
      );
    if (saga.state === 'ABANDONED')
      throw new LoyaltyError(
        409,
        'CREATE_ABANDONED',
        'This challenge could not be finished in time and was given up; create it again with a new Idempotency-Key.',
      );
    try {
      saga = await this.advance(saga, doc.spec);
    } catch (e) {
      await store.tx((tx) =>
        tx.updateSaga(saga.id, {
          attempts: saga.attempts + 1,
          lastError: e instanceof Error ? e.message.slice(0, 500) : String(e),
          updatedMs: this.opts.clock.now(),
        }),
      );
      throw toLoyaltyError(e, 'create the challenge in the loyalty programme', true);
    }
    return { spec: doc.spec, handle: saga };
  }

  /** Runs the saga from its saved step to ENROLLED, saving each step; recovers forward where the platform already has the object. */
  private async advance(saga: UpstreamSagaRow, spec: ChallengeSpec): Promise<UpstreamSagaRow> {
    const save = async (patch: Partial<UpstreamSagaRow>) => {
      const next = { ...saga, ...patch, updatedMs: this.opts.clock.now() };
      const ok = await this.store.tx((tx) =>
        tx.updateSaga(
          saga.id,
          {
            state: next.state,
            groupId: next.groupId,
            targetId: next.targetId,
            promotionId: next.promotionId,
            updatedMs: next.updatedMs,
          },
          saga.state,
        ),
      );
      if (!ok) {
        // Another request with the same key moved it on meanwhile: continue from what it saved.
        const now = await this.store.read((tx) => tx.getSagaById(this.orgId, saga.id));
        if (!now) throw new Error(`saga ${saga.id} vanished`);
        return now;
      }
      return next;
    };
    const step = (s: UpstreamSagaRow) => SAGA_STEPS.indexOf(s.state as (typeof SAGA_STEPS)[number]);
    if (step(saga) < 1) {
      const body = targetGroupBody({
        name: spec.key,
        description: spec.name,
        eventName: spec.eventName,
        frequencyType: spec.period,
        periods: spec.periods.map((p, i) => ({
          refCode: `P${i + 1}`,
          startDate: localStamp(p.startMs, spec.timeZone),
          endDate: localStamp(p.endMs - 1, spec.timeZone),
          status: i === 0 ? 'RUNNING' : 'NOT_STARTED',
        })),
        target: spec.target,
        targetType: spec.aggregation === 'SUM' ? 'EVENT_ATTRIBUTE' : 'COUNT',
        ...(spec.field ? { attribute: spec.field } : {}),
        streaks: [{ name: spec.streakName, targetCountOfSequence: spec.periods.length }],
        timeZoneName: spec.timeZone,
      });
      let group;
      try {
        group = await this.client.createTargetGroup(body);
      } catch (e) {
        // The name is ours alone: "taken" or a lost answer means our own earlier attempt may have made it.
        if (!(isRejected(e, NAME_EXISTS) || maybeSent(e))) throw e;
        group = await this.client.findTargetGroupByName(spec.key);
        if (!group) throw e;
      }
      const rule = group.targets[0];
      if (!rule) throw new Error(`target group ${group.id} came back without its rule`);
      saga = await save({ state: 'GROUP', groupId: group.id, targetId: rule.id });
    }
    if (step(saga) < 2) {
      const identifier = `${spec.key}_promo`;
      const body = promotionBody({
        name: identifier,
        identifier,
        programId: this.config.programId,
        orgId: this.config.capillaryOrgId,
        startMs: spec.rewardFromMs,
        endMs: spec.rewardUntilMs,
        targetGroupId: saga.groupId!,
        targetRuleId: saga.targetId!,
        targetRuleName: `${spec.key}_rule`,
        awardStrategyId: this.config.awardStrategyByTemplate?.[spec.templateId ?? ''] ?? this.config.awardStrategyId,
        expiryStrategyId: this.config.expiryStrategyId,
        rulesetName: `${spec.key}_ruleset`,
      });
      let promotionId: number;
      try {
        promotionId = (await this.client.createUccPromotion(body)).id;
      } catch (e) {
        if (!(isRejected(e, PROMO_IDENTIFIER_EXISTS) || isRejected(e, PROMO_NAME_EXISTS) || maybeSent(e))) throw e;
        const found = await this.client.findPromotionByIdentifier(identifier);
        if (!found) throw e;
        promotionId = found.id;
      }
      saga = await save({ state: 'PROMOTION', promotionId });
    }
    if (step(saga) < 3) {
      const userId = await this.userIdOf(spec.customerId);
      try {
        await this.client.enrol(saga.groupId!, saga.targetId!, enrolBody(userId, { periodName: 'P1' }));
      } catch (e) {
        if (!isRejected(e, ALREADY_ENROLLED)) {
          if (!maybeSent(e)) throw e;
          // A lost answer: enrolling again answers "already enrolled" if the first one counted.
          try {
            await this.client.enrol(saga.groupId!, saga.targetId!, enrolBody(userId, { periodName: 'P1' }));
          } catch (e2) {
            if (!isRejected(e2, ALREADY_ENROLLED)) throw e2;
          }
        }
      }
      saga = await save({ state: 'ENROLLED' });
    }
    return saga;
  }

  async createChallenge(
    tx: Tx,
    org: OrgDoc,
    spec: ChallengeSpec,
    now: number,
    prepared?: PreparedChallenge,
  ): Promise<CreatedChallenge> {
    const saga = prepared?.handle as UpstreamSagaRow | undefined;
    if (!saga || saga.groupId === null || saga.targetId === null || saga.promotionId === null)
      throw new Error('an upstream create runs its saga first (prepareChallenge)');
    // ENROLLED → ACTIVE in the transaction that writes the widget's challenge record: both or neither.
    if (!(await tx.updateSaga(saga.id, { state: 'ACTIVE', updatedMs: now }, 'ENROLLED'))) {
      const s = await tx.getSagaById(org.id, saga.id);
      if (s?.state !== 'ACTIVE')
        throw new LoyaltyError(
          409,
          'CREATE_ABANDONED',
          'This challenge could not be finished in time; create it again.',
        );
    }
    const plan = this.remember(saga.id, spec, now).plan;
    return {
      refs: { tgId: saga.groupId, targetId: saga.targetId, promotionId: saga.promotionId, enrolmentId: saga.id },
      progress: mergedProgress(plan, new Map(), new Map(), now),
    };
  }

  private remember(sagaId: number, spec: ChallengeSpec, activeFromMs: number): Known {
    let k = this.known.get(sagaId);
    if (!k) {
      k = { spec, plan: planOfSpec(spec), activeFromMs };
      this.known.set(sagaId, k);
    }
    return k;
  }

  private async knownOf(tx: Tx, sagaId: number): Promise<Known | undefined> {
    const hit = this.known.get(sagaId);
    if (hit) return hit;
    const s = await tx.getSagaById(this.orgId, sagaId);
    // An ACTIVE saga's last step was made in the transaction that created the challenge.
    return s && this.remember(s.id, (JSON.parse(s.spec) as SagaDoc).spec, s.updatedMs);
  }

  async plan(tx: Tx, _org: OrgDoc, ch: ChallengeRefs) {
    return (await this.knownOf(tx, ch.enrolmentId))?.plan;
  }

  // ---- reads -------------------------------------------------------------------------------------

  private readsOf(customerId: number): CustomerReads {
    let r = this.reads.get(customerId);
    if (!r) {
      r = { ledger: new Map(), stale: false };
      this.reads.set(customerId, r);
    }
    return r;
  }

  private fresh(f: { atMs: number } | undefined) {
    return f !== undefined && this.opts.clock.now() - f.atMs < this.cacheMs;
  }

  async beforeRead(
    _store: Store,
    _org: OrgDoc,
    customerId: number,
    need: ReadNeed,
    page?: { limit: number; before?: string },
  ): Promise<{ stale: boolean }> {
    const r = this.readsOf(customerId);
    try {
      if (need === 'progress') {
        if (!this.fresh(r.groups)) {
          const userId = await this.userIdOf(customerId);
          r.groups = { value: await this.client.userTargetGroups(userId), atMs: this.opts.clock.now() };
        }
        // A challenge whose every period is met pays once the ledger shows it: read the ledger until then.
        if (this.awaitingReward(customerId, r) && !this.fresh(r.ledger.get(0)))
          await this.fetchLedger(customerId, r, 0);
      } else if (need === 'balance') {
        if (!this.fresh(r.balance)) {
          const userId = await this.userIdOf(customerId);
          r.balance = { value: (await this.client.pointsBalance(userId)).mainPoints, atMs: this.opts.clock.now() };
        }
      } else {
        const offset = parseCursor(page?.before) ?? 0;
        await this.fetchPoints(customerId, r, offset);
      }
      r.stale = false;
    } catch (e) {
      if (e instanceof LoyaltyError && e.status !== 503) throw e;
      if (!(e instanceof UpstreamError) && !(e instanceof LoyaltyError)) throw e;
      // Unreachable (or the breaker is open): serve what is kept, marked stale.
      r.stale = true;
      this.log('warn', 'upstream read failed; serving stale data', { need, error: (e as Error).message });
    }
    return { stale: r.stale };
  }

  /**
   * The balance (unless read within readCacheMs and not dropped by her own write), and the ledger page at
   * `offset` unless the one kept was read at that same balance: every entry moves the balance, so the
   * balance versions the ledger and an unchanged one costs no second call.
   */
  private async fetchPoints(customerId: number, r: CustomerReads, offset: number) {
    if (!this.fresh(r.balance)) {
      const userId = await this.userIdOf(customerId);
      r.balance = { value: (await this.client.pointsBalance(userId)).mainPoints, atMs: this.opts.clock.now() };
    }
    const balance = r.balance!.value;
    const kept = r.ledger.get(offset);
    if (kept?.balance === balance) return;
    const userId = await this.userIdOf(customerId);
    const value = await this.client.ledger(userId, { limit: 100, offset });
    r.ledger.set(offset, { value, atMs: this.opts.clock.now(), balance });
  }

  /** The ledger page at `offset` alone (a completed challenge's reward awaited: it shows there first). */
  private async fetchLedger(customerId: number, r: CustomerReads, offset: number) {
    const userId = await this.userIdOf(customerId);
    const value = await this.client.ledger(userId, { limit: 100, offset });
    r.ledger.set(offset, { value, atMs: this.opts.clock.now(), balance: NaN });
  }

  /** True when a group of the customer's shows its streak complete but the kept ledger has no entry naming it yet. */
  private awaitingReward(_customerId: number, r: CustomerReads): boolean {
    const groups = r.groups?.value.groups ?? [];
    const entries = r.ledger.get(0)?.value.entries ?? [];
    return groups.some((g) => {
      const done = g.streaks.some(
        (s) => s.totalTargetCountOfSequence !== undefined && s.currentCount >= s.totalTargetCountOfSequence,
      );
      return done && !entries.some((e) => e.description?.includes(g.name));
    });
  }

  /** Drops a customer's kept reads (their own write changed what the platform will say). */
  forget(customerId: number) {
    const r = this.reads.get(customerId);
    if (r) {
      r.groups = undefined;
      r.balance = undefined;
      // Ledger pages stay: each is reused only while the balance it was read at is still the balance (fetchPoints),
      // and every entry moves the balance, so a changed ledger is always read again.
    }
  }

  afterWrite(_org: OrgDoc, customerId: number) {
    this.forget(customerId);
    this.sender.wake();
  }

  /** The customer's logs from `fromMs` to `toMs` (a challenge's window, or the union of a list's). */
  private activitiesIn(tx: Tx, customerId: number, fromMs: number, toMs: number): Promise<ActivityRow[]> {
    return tx.listActivities(customerId, { fromMs, toMs, limit: 100_000 });
  }

  private eventOf(org: OrgDoc) {
    return (templateId: string) => org.templates.find((t) => t.id === templateId)?.eventName;
  }

  private async knownOrThrow(tx: Tx, ch: ChallengeRefs): Promise<Known> {
    const k = await this.knownOf(tx, ch.enrolmentId);
    if (!k) throw new Error(`challenge with enrolment ${ch.enrolmentId}: its saga is missing`);
    return k;
  }

  /** One challenge's merged progress from the customer's logs (any window covering it) and the platform's kept read. */
  private merged(org: OrgDoc, k: Known, ch: ChallengeRefs, activities: ActivityRow[], now: number) {
    const local = localValues(
      k.plan,
      activities.filter((a) => a.createdMs >= k.activeFromMs),
      this.eventOf(org),
    );
    const group = this.reads.get(ch.customerId)?.groups?.value.groups.find((g) => g.id === ch.tgId);
    return mergedProgress(k.plan, local, upstreamValues(k.plan, group), now);
  }

  async progress(tx: Tx, org: OrgDoc, ch: ChallengeRefs, now: number): Promise<ChallengeProgress> {
    const k = await this.knownOrThrow(tx, ch);
    const ps = k.plan.periods;
    const activities = await this.activitiesIn(tx, ch.customerId, ps[0].startMs, ps[ps.length - 1].endMs);
    return this.merged(org, k, ch, activities, now);
  }

  /** The list's progress with one read of the customer's logs (over all the listed challenges' windows), not one per challenge. */
  async progressAll(tx: Tx, org: OrgDoc, customerId: number, chs: ChallengeRefs[], now: number) {
    const known: Known[] = [];
    for (const ch of chs) known.push(await this.knownOrThrow(tx, ch));
    if (!known.length) return [];
    const from = Math.min(...known.map((k) => k.plan.periods[0].startMs));
    const to = Math.max(...known.map((k) => k.plan.periods[k.plan.periods.length - 1].endMs));
    const activities = await this.activitiesIn(tx, customerId, from, to);
    return chs.map((ch, i) => this.merged(org, known[i], ch, activities, now));
  }

  /** Ledger entries naming the challenge's group (the platform's entries name no promotion: docs/upstream.md). */
  async earnedFor(tx: Tx, _org: OrgDoc, ch: ChallengeRefs): Promise<number> {
    const k = await this.knownOf(tx, ch.enrolmentId);
    const entries = this.reads.get(ch.customerId)?.ledger.get(0)?.value.entries ?? [];
    if (!k) return 0;
    return entries.filter((e) => e.description?.includes(k.spec.key)).reduce((sum, e) => sum + e.points, 0);
  }

  /**
   * Unenrolling is a platform call, so it cannot run in this transaction: it goes into the outbox as an
   * `@unenrol` job (kept across restarts) that the sender runs after the commit.
   */
  async leaveChallenge(tx: Tx, org: OrgDoc, ch: ChallengeRefs, now: number): Promise<void> {
    const externalId = `unenrol:${ch.enrolmentId}`;
    if (await tx.getOutboxByExternalId(org.id, externalId)) return;
    await tx.insertOutbox(
      heldRow({
        orgId: org.id,
        customerId: ch.customerId,
        externalId,
        eventName: UNENROL,
        body: JSON.stringify({ groupId: ch.tgId, targetId: ch.targetId }),
        occurredMs: now,
        createdMs: now,
        dueMs: now,
        touched: '[]',
      }),
    );
  }

  // ---- logs: the outbox --------------------------------------------------------------------------

  private posting(row: OutboxRow): Posting {
    return { id: row.id, createdMs: row.createdMs, externalEventId: row.externalId, eventName: row.eventName };
  }

  async findPosting(tx: Tx, org: OrgDoc, externalId: string) {
    const row = await tx.getOutboxByExternalId(org.id, externalId);
    return row && this.posting(row);
  }

  async getPosting(tx: Tx, org: OrgDoc, id: number) {
    const row = await tx.getOutbox(org.id, id);
    return row && this.posting(row);
  }

  async postOccurrence(tx: Tx, org: OrgDoc, o: ActivityOccurrence, now: number): Promise<Posted> {
    const customer = await tx.getCustomer(org.id, o.customerId);
    if (!customer) throw new Error(`customer ${o.customerId} is missing`);
    // The challenges it counts in: the customer's running ones on this event whose window holds the log.
    const touched: number[] = [];
    for (const ch of await tx.listChallenges(o.customerId)) {
      if (ch.leftMs !== null || o.occurredMs < ch.startsMs || o.occurredMs >= ch.endsMs) continue;
      const k = await this.knownOf(tx, ch.enrolmentId);
      if (k?.spec.eventName === o.eventName) touched.push(ch.enrolmentId);
    }
    const row = await tx.insertOutbox(
      heldRow({
        orgId: org.id,
        customerId: o.customerId,
        externalId: o.externalId,
        eventName: o.eventName,
        body: JSON.stringify(
          this.webhookBody(org, customer, o.eventName, o.field, o.quantity, o.occurredMs, o.externalId),
        ),
        occurredMs: o.occurredMs,
        createdMs: now,
        dueMs: now + this.graceMs,
        touched: JSON.stringify(touched),
      }),
    );
    return { posting: this.posting(row), counted: 'pending', touched, rewards: [] };
  }

  /** The webhook's flat body; the unique-key field carries the log's id, so a resend is the same occurrence. */
  private webhookBody(
    org: OrgDoc,
    customer: CustomerRow,
    eventName: string,
    field: string | null,
    quantity: number,
    occurredMs: number,
    logId: string,
  ) {
    return eventBody({
      eventName,
      customerId: customer.externalId,
      // The vendor's "YYYY-MM-DD HH:mm:ss" names no zone: we write the organisation's (docs/upstream.md, assumptions).
      eventDateTime: DateTime.fromMillis(occurredMs, { zone: org.timeZone }).toFormat('yyyy-MM-dd HH:mm:ss'),
      fields: { ...(field ? { [field]: quantity } : {}), [this.keyField]: logId },
    });
  }

  private compensable(org: OrgDoc, eventName: string) {
    const ids = this.config.compensatingTemplates ?? [];
    return org.templates.some((t) => t.eventName === eventName && ids.includes(t.id));
  }

  async inspectPosting(tx: Tx, org: OrgDoc, posting: Posting, now: number, check: boolean): Promise<PostingState> {
    const row = await tx.getOutbox(org.id, posting.id);
    const touched = row ? (JSON.parse(row.touched) as number[]) : [];
    if (!check || !row) return { touched, blocked: null };
    for (const eid of touched) {
      const k = await this.knownOf(tx, eid);
      const p = k?.plan.periods.find((x) => row.occurredMs >= x.startMs && row.occurredMs < x.endMs);
      if (p && now >= p.endMs) return { touched, blocked: 'PERIOD_CLOSED' };
    }
    if (row.state !== 'HELD' && row.state !== 'VOIDED' && !this.compensable(org, row.eventName))
      return { touched, blocked: 'UNDO_WINDOW_PASSED' };
    return { touched, blocked: null };
  }

  async voidOccurrence(tx: Tx, org: OrgDoc, posting: Posting, now: number): Promise<Voided> {
    const row = await tx.getOutbox(org.id, posting.id);
    if (!row) return { touched: [], reversals: [] };
    const touched = JSON.parse(row.touched) as number[];
    if (await tx.moveOutbox(row.id, ['HELD'], { state: 'VOIDED' })) return { touched, reversals: [] };
    if (row.state === 'VOIDED') return { touched, reversals: [] };
    if (!this.compensable(org, row.eventName)) return { blocked: 'UNDO_WINDOW_PASSED', touched: [], reversals: [] };
    // Sent already, and the event takes negative quantities: a compensating occurrence of its own.
    const body = JSON.parse(row.body) as Record<string, unknown>;
    const customer = await tx.getCustomer(org.id, row.customerId);
    const field = Object.keys(body).find((k) => typeof body[k] === 'number');
    const undoId = `${row.externalId}:undo`;
    await tx.insertOutbox(
      heldRow({
        ...row,
        externalId: undoId,
        body: JSON.stringify(
          this.webhookBody(
            org,
            customer!,
            row.eventName,
            field ?? null,
            -Number(field ? body[field] : 1),
            row.occurredMs,
            undoId,
          ),
        ),
        createdMs: now,
        dueMs: now,
      }),
    );
    return { touched, reversals: [] };
  }

  async rewardsOf(): Promise<PointsMove[]> {
    return []; // a reward shows once the platform's ledger has it, on a read (docs/upstream.md, Consistency)
  }

  // ---- points ------------------------------------------------------------------------------------

  async balance(_tx: Tx, _org: OrgDoc, customer: CustomerRow | undefined) {
    return (customer && this.reads.get(customer.id)?.balance?.value) ?? 0;
  }

  async points(
    tx: Tx,
    org: OrgDoc,
    customer: { id: number; row: CustomerRow | undefined },
    page: { limit: number; before?: string },
  ): Promise<PointsPage> {
    const r = this.reads.get(customer.id);
    const offset = parseCursor(page.before) ?? 0;
    const all = r?.ledger.get(offset)?.value.entries ?? [];
    const chs = await tx.listChallenges(customer.id);
    const keys: { key: string; id: number; name: string }[] = [];
    for (const ch of chs) {
      const k = await this.knownOf(tx, ch.enrolmentId);
      if (k) keys.push({ key: k.spec.key, id: ch.id, name: ch.name });
    }
    const entries: PointsEntry[] = all.slice(0, page.limit).map((e, i) => {
      const ch = keys.find((k) => e.description?.includes(k.key));
      return {
        id: Number(e.id) || offset + i + 1,
        orgId: org.id,
        customerId: customer.id,
        // The platform's redemption entries (REDEEM/REDEMPTION, a DEBIT) spend points: shown negative.
        type: /REDEEM|REDEMPTION/i.test(e.type) ? 'REDEEM' : e.points >= 0 ? 'EARN' : 'REVERSAL',
        points: /REDEEM|REDEMPTION/i.test(e.type) ? -Math.abs(e.points) : e.points,
        promotionId: null,
        completionId: null,
        reversesId: null,
        reversed: false,
        description: e.description ?? e.type,
        createdMs: (e.at && Date.parse(e.at)) || 0,
        expiresMs: (e.expiresAt && Date.parse(e.expiresAt)) || null,
        challengeId: ch?.id ?? null,
        challengeName: ch?.name ?? null,
      };
    });
    const more = all.length > page.limit;
    return {
      balance: r?.balance?.value ?? 0,
      entries,
      nextCursor: more ? `o${offset + page.limit}` : null,
    };
  }

  // ---- used by the sender ------------------------------------------------------------------------

  /** The configured grace period (ms). */
  get holdMs() {
    return this.graceMs;
  }

  // ---- rewards: spending points (docs/rewards.md, upstream) ---------------------------------------

  /**
   * The platform's half of a redemption, before the widget's transaction: the brand's policy first (the
   * reward exists upstream, the customer's limit from the local records, her balance from the platform),
   * then one call, `…/user/reward/{upstreamRewardId}/issue`, which takes the points and answers the coupon
   * together. Its `requestId` is the customer's Idempotency-Key, so a retry after a lost answer (by the
   * client, or by the customer with the same key) is the same issue, never a second spend.
   */
  async prepareRedemption(
    store: Store,
    org: OrgDoc,
    customerId: number,
    reward: RewardConfig,
    requestId: string,
  ): Promise<PreparedRedemption> {
    if (reward.upstreamRewardId === undefined)
      throw new LoyaltyError(
        404,
        'REWARD_NOT_FOUND',
        `"${reward.label}" is not offered by the loyalty programme yet; reload the rewards to see what you can redeem.`,
      );
    const [customer, counts] = await store.read(
      async (tx) => [await tx.getCustomer(org.id, customerId), await tx.redeemedCounts(customerId)] as const,
    );
    if (!customer) throw new Error(`customer ${customerId} is missing`);
    const redeemed = counts.get(reward.id) ?? 0;
    if (reward.perCustomerLimit !== null && redeemed >= reward.perCustomerLimit)
      throw new LoyaltyError(
        409,
        'REWARD_LIMIT_REACHED',
        `You have already redeemed "${reward.label}" ${reward.perCustomerLimit === 1 ? 'once, the most allowed' : `${redeemed} times, the most allowed`}.`,
        { limit: reward.perCustomerLimit, redeemed },
      );
    let balance: number;
    let issued;
    try {
      const userId = await this.userIdOf(customerId);
      balance = (await this.client.pointsBalance(userId)).mainPoints;
      if (balance < reward.points)
        throw new LoyaltyError(
          422,
          'INSUFFICIENT_POINTS',
          `You need ${reward.points - balance} more points for "${reward.label}".`,
          { shortfall: reward.points - balance, balance, points: reward.points },
        );
      const platformRequestId = `ucc:${customerId}:${requestId}`;
      issued = await this.client.issueReward(reward.upstreamRewardId, {
        externalId: customer.externalId,
        brand: org.id,
        transactionNumber: platformRequestId.slice(0, 200),
        requestId: platformRequestId.slice(0, 200),
        programId: this.config.programId,
        quantity: 1,
      });
    } catch (e) {
      if (e instanceof UpstreamRejected && Number(e.code) === 12005)
        throw new LoyaltyError(
          409,
          'REWARD_LIMIT_REACHED',
          `You have redeemed "${reward.label}" the most times allowed.`,
          {
            limit: reward.perCustomerLimit,
          },
        );
      if (e instanceof UpstreamRejected && /insufficient|not enough/i.test(e.vendorMessage))
        throw new LoyaltyError(422, 'INSUFFICIENT_POINTS', `You do not have enough points for "${reward.label}" yet.`, {
          points: reward.points,
        });
      throw toLoyaltyError(e, `redeem "${reward.label}"`, true);
    }
    const after = Math.max(0, balance - issued.pointsRedeemed);
    const r = this.readsOf(customerId);
    this.forget(customerId);
    r.balance = { value: after, atMs: this.opts.clock.now() };
    return { handle: { issued, balance: after } };
  }

  /** Records what the platform issued (the coupon mirrored locally: her coupons list, the limit). */
  async redeem(
    tx: Tx,
    org: OrgDoc,
    customerId: number,
    reward: RewardConfig,
    requestId: string,
    now: number,
    prepared?: PreparedRedemption,
  ): Promise<RedeemedReward> {
    const h = prepared?.handle as { issued: IssuedReward; balance: number } | undefined;
    if (!h) throw new Error('an upstream redemption asks the platform first (prepareRedemption)');
    const prior = await tx.getRedemptionByRequest(customerId, org.id, requestId);
    if (prior) {
      const coupon = prior.couponId !== null ? await tx.getCoupon(org.id, prior.couponId) : undefined;
      if (coupon) return { redemption: prior, coupon, balance: h.balance };
    }
    const expires = h.issued.codeExpiry ? Date.parse(h.issued.codeExpiry) : NaN;
    const coupon = await tx.insertCoupon({
      orgId: org.id,
      customerId,
      code: h.issued.couponCode,
      rewardId: reward.id,
      seriesId: null,
      discount: rewardDiscount(reward),
      issuedMs: now,
      expiresMs: Number.isFinite(expires) ? expires : now + reward.validityDays * 86_400_000,
    });
    const redemption = await tx.insertRedemption({
      orgId: org.id,
      customerId,
      rewardId: reward.id,
      points: h.issued.pointsRedeemed,
      ledgerId: 0, // the platform's ledger holds the REDEEM entry
      couponId: coupon.id,
      requestId,
      createdMs: now,
    });
    return { redemption, coupon, balance: h.balance };
  }

  /** Her redemptions as recorded here when the platform issued them (the platform's own list is not read). */
  listRedemptions(tx: Tx, org: OrgDoc, customerId: number): Promise<RedemptionWithCoupon[]> {
    return recordedRedemptions(tx, org, customerId);
  }

  redeemedCounts(tx: Tx, _org: OrgDoc, customerId: number): Promise<Map<string, number>> {
    return tx.redeemedCounts(customerId);
  }
}

/** A new outbox row: held until `dueMs`, never tried yet. */
const heldRow = (
  row: Pick<
    OutboxRow,
    'orgId' | 'customerId' | 'externalId' | 'eventName' | 'body' | 'occurredMs' | 'createdMs' | 'dueMs' | 'touched'
  >,
): Omit<OutboxRow, 'id'> => ({ ...row, state: 'HELD', attempts: 0, requestId: null, sentMs: null, lastError: null });

const parseCursor = (s: string | undefined): number | undefined =>
  s && /^o[0-9]{1,9}$/.test(s) ? Number(s.slice(1)) : undefined;

const isRejected = (e: unknown, code: number) => e instanceof UpstreamRejected && Number(e.code) === code;

/** A failure after which the request may have reached the platform (its answer lost). */
const maybeSent = (e: unknown) =>
  e instanceof UpstreamTimeout || (e instanceof UpstreamUnavailable && !e.detail.breakerOpen);

/** The widget API's refusal for a platform failure: 503 UPSTREAM_UNAVAILABLE (try again) or 502 UPSTREAM_REJECTED. */
export function toLoyaltyError(e: unknown, what: string, resumable = false): Error {
  if (e instanceof LoyaltyError) return e;
  if (e instanceof UpstreamRejected)
    return new LoyaltyError(
      502,
      'UPSTREAM_REJECTED',
      `The loyalty programme refused to ${what}. Nothing was changed; contact the brand if this keeps happening.`,
      { status: e.status, ...(e.code !== undefined ? { vendorCode: e.code } : {}) },
    );
  if (e instanceof UpstreamError) {
    const wait = e instanceof UpstreamUnavailable ? e.detail.retryAfterMs : undefined;
    return new LoyaltyError(
      503,
      'UPSTREAM_UNAVAILABLE',
      `The loyalty programme cannot be reached right now, so we could not ${what}. Try again in a little while${resumable ? ' (the same request carries on where it stopped)' : ''}.`,
      { retryAfterSeconds: Math.max(1, Math.ceil((wait ?? 5000) / 1000)) },
    );
  }
  return e instanceof Error ? e : new Error(String(e));
}

export const newSagaKey = () => `k:${randomUUID()}`;
