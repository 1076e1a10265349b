/**
 * The loyalty port over the embedded engine and this server's store: what the widget API's services
 * did themselves before the port, moved here unchanged (the same engine calls, the same reads in the
 * same order; the log path's statement count is asserted by test/server/cost.test.ts and bench/).
 */
import type { OrgDoc, RewardConfig } from '../model/org.js';
import { DomainError } from '../model/errors.js';
import type { CustomerRow, EventRow, ProgressRow, Tx } from '../store/types.js';
import type { TargetGroupDoc } from '../model/documents.js';
import { createTargetGroup, enrol, unenrol } from '../engine/targets.js';
import { createPromotion } from '../engine/promotions.js';
import { recordOccurrence, voidOccurrence } from '../engine/occurrence.js';
import { streakStats } from '../engine/periods.js';
import { redeemReward } from '../engine/redemptions.js';
import type {
  ActivityOccurrence,
  Aggregation,
  ChallengePlan,
  ChallengeProgress,
  ChallengeRefs,
  ChallengeSpec,
  CreatedChallenge,
  LoyaltyBackend,
  PointsMove,
  PointsPage,
  Posted,
  Posting,
  PostingState,
  RedeemedReward,
  RedemptionWithCoupon,
  Voided,
} from './port.js';
import { LoyaltyError } from './port.js';

const RULE_TYPE = { SUM: 'EVENT_ATTRIBUTE', COUNT: 'COUNT', DISTINCT_DAYS: 'VISIT' } as const;
const AGGREGATION = { EVENT_ATTRIBUTE: 'SUM', COUNT: 'COUNT', VISIT: 'DISTINCT_DAYS' } as const;

/** A group's plan, worked out once per group document (the store hands out the same object while it is cached). */
const plans = new WeakMap<TargetGroupDoc, ChallengePlan>();
function planOf(tg: TargetGroupDoc): ChallengePlan {
  let p = plans.get(tg);
  if (!p) {
    const rule = tg.targets[0];
    p = {
      periods: tg.periods.map((x, i) => ({
        startMs: x.startMs,
        endMs: x.endMs,
        target: rule.defaultValues[i]?.defaultValue,
      })),
      timeZone: tg.timeZoneName,
      eventName: rule.eventName ?? null,
      aggregation: AGGREGATION[rule.targetType as keyof typeof AGGREGATION] as Aggregation,
    };
    plans.set(tg, p);
  }
  return p;
}

function progressOf(tg: TargetGroupDoc, startIdx: number, rows: ProgressRow[], now: number): ChallengeProgress {
  const stats = streakStats(tg, startIdx, rows, now);
  return {
    plan: planOf(tg),
    values: new Map(rows.map((r) => [r.periodIdx, r.value])),
    achieved: stats.achieved,
    current: stats.current,
    best: stats.best,
    currentIdx: stats.currentIdx,
  };
}

function awardStrategyFor(org: OrgDoc, reward: ChallengeSpec['reward']) {
  const s = org.awardStrategies.find(
    (x) => x.kind === 'PER_PERIOD' && x.pointsPerPeriod === reward.pointsPerPeriod && x.maxPoints === reward.maxPoints,
  );
  if (!s)
    throw new Error(
      `org ${org.id}: no PER_PERIOD award strategy pays ${reward.pointsPerPeriod} per period up to ${reward.maxPoints}`,
    );
  return s;
}

/** The engine's refusal of a redemption as the widget's customer reads it (a LoyaltyError); anything else as it is. */
function redemptionRefusal(err: unknown, reward: RewardConfig): unknown {
  if (!(err instanceof DomainError)) return err;
  const d = err.details ?? {};
  switch (err.code) {
    case 'INSUFFICIENT_POINTS':
      return new LoyaltyError(
        422,
        'INSUFFICIENT_POINTS',
        `You need ${String(d.shortfall)} more points for "${reward.label}": it costs ${reward.points} and your balance is ${String(d.balance)}. Complete a challenge to earn them.`,
        { shortfall: d.shortfall, balance: d.balance, points: reward.points },
      );
    case 'REWARD_LIMIT_REACHED':
      return new LoyaltyError(
        409,
        'REWARD_LIMIT_REACHED',
        `You have already redeemed "${reward.label}" ${String(d.redeemed)} time(s), the most allowed (${String(d.limit)}). Choose another reward.`,
        { limit: d.limit },
      );
    case 'REWARD_NOT_FOUND':
      return new LoyaltyError(
        404,
        'REWARD_NOT_FOUND',
        `There is no reward "${reward.id}" any more; reload the rewards to see what you can redeem.`,
      );
    default:
      return err;
  }
}

const parseCursor = (s: string | undefined): number | undefined =>
  s && /^[0-9]{1,15}$/.test(s) ? Number(s) : undefined;

export class LocalLoyalty implements LoyaltyBackend {
  readonly kind = 'local';

  async ensureCustomer(tx: Tx, org: OrgDoc, externalId: string, now: number): Promise<number> {
    const c = await tx.getCustomerByExternalId(org.id, externalId);
    return (c ?? (await tx.insertCustomer({ orgId: org.id, externalId, timeZone: null, createdMs: now }))).id;
  }

  async createChallenge(tx: Tx, org: OrgDoc, s: ChallengeSpec, now: number): Promise<CreatedChallenge> {
    const tg = await createTargetGroup(
      tx,
      org,
      {
        name: s.key,
        description: s.name,
        trackingType: 'STREAKS',
        userCreated: true,
        active: true,
        timeZoneName: s.timeZone,
        frequencyType: s.period,
        frequency: 1,
        recurringCycles: 0,
        periods: s.periods,
        targets: [
          {
            name: `${s.key}_rule`,
            eventName: s.eventName,
            targetType: RULE_TYPE[s.aggregation],
            ...(s.field ? { extendedFieldInfo: { name: s.field, aggregateFunction: 'SUM' } } : {}),
            enrolmentMethod: 'IMPORT',
            filters: [],
            defaultValues: s.periods.map(() => s.target),
          },
        ],
        streaks: [{ name: s.streakName, targetCountOfSequence: s.periods.length }],
      },
      now,
      `customer:${s.customerId}`,
    );
    const rule = tg.targets[0];
    const promo = await createPromotion(
      tx,
      org,
      {
        programId: org.programId,
        name: `${s.key}_promo`,
        identifier: `${s.key}_promo`,
        active: true,
        startMs: s.rewardFromMs,
        endMs: s.rewardUntilMs,
        targetGroupIds: [tg.id],
        targetRuleIds: [rule.id],
        awards: [
          {
            awardStrategyId: awardStrategyFor(org, s.reward).id,
            expiryStrategyId: org.expiryStrategies[0]?.id ?? 1,
            targetGroupId: tg.id,
            targetRuleName: rule.name,
          },
        ],
        limits: { pointsPerCustomer: -1, numberOfTimesPerCustomer: 1, totalPointsInPromotion: -1 },
      },
      now,
    );
    const [enrolment] = await enrol(
      tx,
      org,
      tg.id,
      rule.id,
      [{ customerId: s.customerId, periodName: tg.periods[0].refCode }],
      now,
    );
    return {
      refs: { tgId: tg.id, targetId: rule.id, promotionId: promo.id, enrolmentId: enrolment.id },
      progress: progressOf(tg, enrolment.startIdx, [], now),
    };
  }

  async plan(tx: Tx, org: OrgDoc, ch: ChallengeRefs) {
    const tg = await tx.getTargetGroup(org.id, ch.tgId);
    return tg && planOf(tg);
  }

  async progress(tx: Tx, org: OrgDoc, ch: ChallengeRefs, now: number, hint?: unknown) {
    const tg = await tx.getTargetGroup(org.id, ch.tgId);
    if (!tg) throw new Error(`enrolment ${ch.enrolmentId}: target group ${ch.tgId} is missing`);
    const [rows, enrolment] = await Promise.all([
      (hint as ProgressRow[] | undefined) ?? tx.listProgress(ch.enrolmentId),
      tx.getEnrolmentById(ch.enrolmentId, ch.customerId),
    ]);
    return progressOf(tg, enrolment?.startIdx ?? 0, rows, now);
  }

  async progressAll(tx: Tx, org: OrgDoc, customerId: number, chs: ChallengeRefs[], now: number) {
    const [enrolments, progress, groups] = await Promise.all([
      tx.listEnrolmentsForCustomer(customerId, { activeOnly: false }),
      tx.listProgressForEnrolments(chs.map((ch) => ch.enrolmentId)),
      tx.getTargetGroups(
        org.id,
        chs.map((ch) => ch.tgId),
      ),
    ]);
    const startIdx = new Map(enrolments.map((e) => [e.id, e.startIdx]));
    const byEnrolment = new Map<number, ProgressRow[]>();
    for (const p of progress) {
      const list = byEnrolment.get(p.enrolmentId);
      if (list) list.push(p);
      else byEnrolment.set(p.enrolmentId, [p]);
    }
    const out: ChallengeProgress[] = [];
    for (const ch of chs) {
      const tg = groups.get(ch.tgId);
      if (!tg) throw new Error(`enrolment ${ch.enrolmentId}: target group ${ch.tgId} is missing`);
      out.push(progressOf(tg, startIdx.get(ch.enrolmentId) ?? 0, byEnrolment.get(ch.enrolmentId) ?? [], now));
    }
    return out;
  }

  earnedFor(tx: Tx, _org: OrgDoc, ch: ChallengeRefs) {
    return tx.earnedByEnrolment(ch.enrolmentId);
  }

  async leaveChallenge(tx: Tx, org: OrgDoc, ch: ChallengeRefs, now: number) {
    const e = await tx.getEnrolmentById(ch.enrolmentId);
    if (e?.active) await unenrol(tx, org, ch.tgId, ch.targetId, [{ customerId: ch.customerId }], now);
  }

  findPosting(tx: Tx, org: OrgDoc, externalId: string): Promise<Posting | undefined> {
    return tx.getEventByExternalId(org.id, externalId);
  }

  getPosting(tx: Tx, org: OrgDoc, id: number): Promise<Posting | undefined> {
    return tx.getEvent(org.id, id);
  }

  async postOccurrence(tx: Tx, org: OrgDoc, o: ActivityOccurrence, now: number): Promise<Posted> {
    const { event, outcome } = await recordOccurrence(
      tx,
      org,
      {
        eventName: o.eventName,
        customerId: o.customerId,
        externalEventId: o.externalId,
        occurredMs: o.occurredMs,
        fields: o.field ? { [o.field]: o.quantity } : {},
      },
      now,
      { externalIdChecked: true },
    ); // the caller looked the id up in this transaction (findPosting)
    return {
      posting: event,
      counted: 'now',
      touched: outcome.touched,
      rewards: outcome.awards,
      hint: outcome.progress,
    };
  }

  async inspectPosting(tx: Tx, org: OrgDoc, posting: Posting, now: number, check: boolean): Promise<PostingState> {
    const effects = await tx.listEffects(posting.id);
    if (check) {
      for (const fx of effects) {
        const e = await tx.getEnrolmentById(fx.enrolmentId);
        const tg = e && (await tx.getTargetGroup(org.id, e.tgId));
        if (tg && now >= tg.periods[fx.periodIdx].endMs)
          return { touched: effects.map((f) => f.enrolmentId), blocked: 'PERIOD_CLOSED' };
      }
    }
    return { touched: effects.map((f) => f.enrolmentId), blocked: null };
  }

  async voidOccurrence(tx: Tx, org: OrgDoc, posting: Posting, now: number): Promise<Voided> {
    // A posting handed out by this backend is the engine's event row.
    const outcome = await voidOccurrence(tx, org, posting as EventRow, now);
    return { touched: outcome.touched, reversals: outcome.reversals, hint: outcome.progress };
  }

  async rewardsOf(tx: Tx, _org: OrgDoc, posting: Posting, enrolmentIds: number[]): Promise<PointsMove[]> {
    const out: PointsMove[] = [];
    for (const eid of enrolmentIds) {
      for (const c of await tx.listCompletions(eid, { liveOnly: false })) {
        if (c.achievedMs !== posting.createdMs) continue;
        for (const l of await tx.listLedgerForCompletion(c.id)) {
          if (l.type === 'EARN' && l.createdMs === posting.createdMs)
            out.push({ enrolmentId: eid, ledgerId: l.id, points: l.points });
        }
      }
    }
    return out;
  }

  async balance(_tx: Tx, _org: OrgDoc, customer: CustomerRow | undefined) {
    return customer?.balance ?? 0;
  }

  async points(
    tx: Tx,
    _org: OrgDoc,
    customer: { id: number; row: CustomerRow | undefined },
    page: { limit: number; before?: string },
  ): Promise<PointsPage> {
    const rows = await tx.listLedgerEntries(customer.id, { limit: page.limit + 1, beforeId: parseCursor(page.before) });
    const entries = rows.slice(0, page.limit);
    return {
      balance: customer.row?.balance ?? 0,
      entries,
      nextCursor: rows.length > entries.length ? String(entries[entries.length - 1].id) : null,
    };
  }

  async redeem(
    tx: Tx,
    org: OrgDoc,
    customerId: number,
    reward: RewardConfig,
    requestId: string,
    now: number,
  ): Promise<RedeemedReward> {
    try {
      const r = await redeemReward(tx, org, { customerId, rewardId: reward.id, requestId }, now);
      return { redemption: r.redemption, coupon: r.coupon!, balance: r.balance };
    } catch (err) {
      throw redemptionRefusal(err, reward);
    }
  }

  listRedemptions(tx: Tx, org: OrgDoc, customerId: number): Promise<RedemptionWithCoupon[]> {
    return recordedRedemptions(tx, org, customerId);
  }

  redeemedCounts(tx: Tx, _org: OrgDoc, customerId: number): Promise<Map<string, number>> {
    return tx.redeemedCounts(customerId);
  }
}

/**
 * The customer's redemptions of catalogue rewards as this server recorded them, newest first (at most
 * 100), each with its coupon; reversed ones left out. Both backends keep them here (upstream: the
 * platform's issues, mirrored).
 */
export async function recordedRedemptions(tx: Tx, org: OrgDoc, customerId: number): Promise<RedemptionWithCoupon[]> {
  const rows = (await tx.listRedemptions(customerId, { limit: 100 })).filter(
    (r) => r.reversedMs === null && r.couponId !== null && r.rewardId !== null,
  );
  const coupons = await tx.getCoupons(
    org.id,
    rows.map((r) => r.couponId!),
  );
  return rows.flatMap((r) => {
    const coupon = coupons.get(r.couponId!);
    return coupon ? [{ redemption: r, coupon }] : [];
  });
}
