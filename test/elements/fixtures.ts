/** Test data, a fake client and DOM helpers; defines no element (helpers.ts defines them all). */
import { fixture, html } from '@open-wc/testing';
import type { TemplateResult } from 'lit';
import { UccError } from '../../src/api/errors.js';
import type { UccClientApi } from '../../src/api/client.js';
import type {
  Activity,
  Challenge,
  LogActivityRequest,
  LogActivityResponse,
  CatalogueReward,
  PointsResponse,
  Redemption,
  RedemptionResponse,
  Template,
  TemplatesResponse,
} from '../../src/api/types.js';
import type { UccProvider } from '../../src/elements/provider/provider.js';

export const water: Template = {
  id: 'water',
  label: 'Drink water',
  description: 'Glasses of water',
  eventName: 'water',
  field: 'glasses',
  aggregation: 'SUM',
  unit: { one: 'glass', other: 'glasses' },
  periods: ['DAILY'],
  target: { min: 1, max: 20, default: 8, step: 1 },
  length: { min: 3, max: 30, default: 7 },
  minQuantity: 0.000001,
  maxQuantityPerLog: 10,
  maxQuantityPerPeriod: 40,
  reward: { pointsPerPeriod: 10, maxPoints: 500 },
};
export const workouts: Template = {
  ...water,
  id: 'workouts',
  label: 'Workouts',
  eventName: 'workout',
  field: null,
  aggregation: 'COUNT',
  unit: { one: 'workout', other: 'workouts' },
  periods: ['WEEKLY'],
  target: { min: 1, max: 7, default: 3, step: 1 },
  length: { min: 2, max: 12, default: 4 },
  reward: { pointsPerPeriod: 25, maxPoints: 200 },
};
export const templates = (list = [water, workouts]): TemplatesResponse => ({
  templates: list,
  policy: { maxActiveChallenges: 3, backfillHours: 48, monthlyPointsCap: 1000 },
  timeZone: 'UTC',
});

const DAY = 86_400_000;
/** A daily water challenge on its second of three days, 5 of 8 glasses today. */
export function challenge(over: Partial<Challenge> = {}, value = 5): Challenge {
  const start = Date.now() - DAY - 3_600_000;
  const states = ['met', 'current', 'ahead'] as const;
  return {
    id: 'c1',
    templateId: 'water',
    name: 'Water',
    eventName: 'water',
    unit: water.unit,
    aggregation: 'SUM',
    target: 8,
    period: 'DAILY',
    periodCount: 3,
    timeZone: 'UTC',
    startsAt: new Date(start).toISOString(),
    endsAt: new Date(start + 3 * DAY).toISOString(),
    createdAt: new Date(start).toISOString(),
    status: 'active',
    periods: states.map((state, index) => ({
      index,
      state,
      start: new Date(start + index * DAY).toISOString(),
      end: new Date(start + (index + 1) * DAY).toISOString(),
      date: new Date(start + index * DAY).toISOString().slice(0, 10),
      target: 8,
      value: index === 0 ? 8 : index === 1 ? value : 0,
      achieved: index === 0 || (index === 1 && value >= 8),
    })),
    currentPeriod: 1,
    streak: { current: 1, best: 1, required: 3 },
    daysLeft: 2,
    reward: { points: 30, earned: 0 },
    ...over,
  };
}

export const points = (over: Partial<PointsResponse> = {}): PointsResponse => ({
  balance: 70,
  entries: [
    {
      id: 'l1',
      type: 'EARN',
      points: 70,
      challengeId: 'c0',
      description: 'Completed: Steps',
      createdAt: '2026-11-20T10:00:00Z',
    },
  ],
  nextCursor: null,
  ...over,
});

/** A catalogue reward, as the server answers it for a balance of 70 (the default points). */
export function reward(over: Partial<CatalogueReward> = {}): CatalogueReward {
  const points = over.points ?? 30;
  return {
    id: 'five-off',
    label: '5% off your next order',
    points,
    discount: { kind: 'PERCENT_OFF', value: 5, label: '5% off your next order' },
    validityDays: 30,
    perCustomerLimit: 3,
    redeemed: 0,
    affordable: points <= 70,
    shortfall: Math.max(0, points - 70),
    ...over,
  };
}
/** The demo's catalogue against 70 points: 5% off (30, affordable), 10% off (100: 30 more points), a shaker (300). */
export const catalogue = () => [
  reward(),
  reward({ id: 'ten-off', label: '10% off your next order', points: 100, perCustomerLimit: 1 }),
  reward({ id: 'shaker', label: 'Free shaker bottle', description: 'Our 700 ml steel bottle', points: 300 }),
];

/** A redemption of `rewardId` (a coupon valid 30 days). */
export function redemption(rewardId = 'five-off', over: Partial<Redemption> = {}): Redemption {
  const r = catalogue().find((x) => x.id === rewardId) ?? reward({ id: rewardId });
  return {
    id: `rd-${rewardId}`,
    rewardId,
    label: r.label,
    points: r.points,
    createdAt: '2026-12-01T10:00:00Z',
    coupon: { code: 'HYDRA-5OFF-7K2Q', expiresAt: '2026-12-31T10:00:00Z', discount: r.discount, status: 'ACTIVE' },
    ...over,
  };
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}
export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void, reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => ((resolve = a), (reject = b)));
  return { promise, resolve, reject };
}

export const offline = () => new UccError(0, 'NETWORK_ERROR', 'Failed to fetch');

/** A client that answers from memory and records every call; override any method per test. */
export class FakeClient implements UccClientApi {
  calls: { method: string; args: unknown[] }[] = [];
  data = {
    templates: templates(),
    challenges: [challenge()],
    points: points(),
    rewards: catalogue(),
    redemptions: [] as Redemption[],
  };

  private rec<T>(method: string, args: unknown[], v: T | (() => T | Promise<T>)): Promise<T> {
    this.calls.push({ method, args });
    return Promise.resolve().then(() => (typeof v === 'function' ? (v as () => T)() : v));
  }
  count(method: string) {
    return this.calls.filter((c) => c.method === method).length;
  }

  templates() {
    return this.rec('templates', [], () => structuredClone(this.data.templates));
  }
  me() {
    return this.rec('me', [], { id: 'alice', timeZone: 'UTC', balance: this.data.points.balance });
  }
  updateMe(body: { timeZone: string }) {
    return this.rec('updateMe', [body], { id: 'alice', timeZone: body.timeZone, balance: 0 });
  }
  challenges(status?: string) {
    return this.rec('challenges', [status], () => ({ challenges: structuredClone(this.data.challenges) }));
  }
  challenge(id: string) {
    return this.rec('challenge', [id], () => ({ challenge: this.data.challenges.find((c) => c.id === id)! }));
  }
  createChallenge(body: Parameters<UccClientApi['createChallenge']>[0], key?: string) {
    return this.rec('createChallenge', [body, key], () => ({
      challenge: challenge(
        { id: 'new', name: body.name ?? 'Drink water', target: body.target, periodCount: body.periods },
        0,
      ),
    }));
  }
  leaveChallenge(id: string) {
    return this.rec('leaveChallenge', [id], () => ({ challenge: challenge({ id, status: 'left' }) }));
  }
  logActivity(body: LogActivityRequest, key: string): Promise<LogActivityResponse> {
    return this.rec('logActivity', [body, key], () => this.logAnswer(body, key));
  }
  /** Default log answer: adds the quantity to today's value. */
  logAnswer(body: LogActivityRequest, key: string): LogActivityResponse {
    const c = this.data.challenges.find((x) => x.id === body.challengeId) ?? this.data.challenges[0];
    const updated = challenge({ id: c.id, name: c.name }, c.periods[1].value + body.quantity);
    this.data.challenges = this.data.challenges.map((x) => (x.id === c.id ? updated : x));
    return {
      activity: {
        id: `a-${key}`,
        challengeId: c.id,
        templateId: c.templateId,
        eventName: c.eventName,
        quantity: body.quantity,
        occurredAt: body.occurredAt ?? new Date().toISOString(),
        createdAt: new Date().toISOString(),
        undone: false,
      },
      challenges: [updated],
      rewards: [],
    };
  }
  activities(query: Parameters<UccClientApi['activities']>[0] = {}) {
    return this.rec('activities', [query], { activities: [] as Activity[] });
  }
  undoActivity(id: string) {
    return this.rec('undoActivity', [id], () => {
      const c = challenge({}, 5);
      return {
        activity: {
          id,
          challengeId: 'c1',
          templateId: 'water',
          eventName: 'water',
          quantity: 1,
          occurredAt: '',
          createdAt: '',
          undone: true,
        },
        challenges: [c],
        reversals: [],
      };
    });
  }
  points() {
    return this.rec('points', [], () => structuredClone(this.data.points));
  }
  /** The catalogue against the current balance (what each reward still needs, whether it can be redeemed). */
  rewards() {
    return this.rec('rewards', [], () => {
      const balance = this.data.points.balance;
      const rewards = this.data.rewards.map((w) => {
        const shortfall = Math.max(0, w.points - balance);
        return {
          ...structuredClone(w),
          shortfall,
          affordable: !shortfall && (w.perCustomerLimit == null || w.redeemed < w.perCustomerLimit),
        };
      });
      return { rewards, balance };
    });
  }
  redemptions() {
    return this.rec('redemptions', [], () => ({ redemptions: structuredClone(this.data.redemptions) }));
  }
  redeem(rewardId: string, key: string) {
    return this.rec('redeem', [rewardId, key], () => this.redeemAnswer(rewardId, key));
  }
  /**
   * Default redemption answer, as the server would: refuses an unknown reward, a reached limit and a
   * balance short of the cost; else spends the points, once per key (a replay answers the same).
   */
  redeemAnswer(rewardId: string, key: string): RedemptionResponse {
    const done = this.data.redemptions.find((x) => x.id === `rd-${key}`);
    if (done) return { redemption: structuredClone(done), balance: this.data.points.balance };
    const r = this.data.rewards.find((x) => x.id === rewardId);
    if (!r) throw new UccError(404, 'REWARD_NOT_FOUND', 'This reward is not available.');
    if (r.perCustomerLimit != null && r.redeemed >= r.perCustomerLimit)
      throw new UccError(409, 'REWARD_LIMIT_REACHED', 'You have redeemed this reward as often as allowed.', {
        limit: r.perCustomerLimit,
      });
    const balance = this.data.points.balance;
    if (balance < r.points)
      throw new UccError(422, 'INSUFFICIENT_POINTS', 'Not enough points.', {
        shortfall: r.points - balance,
        balance,
        points: r.points,
      });
    const x = redemption(rewardId, { id: `rd-${key}` });
    r.redeemed++;
    this.data.redemptions.unshift(x);
    this.data.points = { ...this.data.points, balance: balance - r.points };
    return { redemption: structuredClone(x), balance: this.data.points.balance };
  }
}

let n = 0;
/** A fresh IndexedDB name per test so queues never leak between tests. */
export const freshQueueName = () => `ucc-test-${Date.now()}-${n++}`;

/** Renders `inner` inside a provider using `client`; returns the provider and the first child element. */
export async function inProvider<E extends Element>(
  client: UccClientApi,
  inner: TemplateResult,
  queueName = freshQueueName(),
) {
  const provider = await fixture<UccProvider>(
    html`<ucc-provider .client=${client} queue-name=${queueName}>${inner}</ucc-provider>`,
  );
  const el = provider.firstElementChild as E;
  await (el as unknown as { updateComplete: Promise<unknown> }).updateComplete;
  return { provider, el };
}

/** Waits until `check` passes (renders are async: fetch → store → notify → update). */
export async function until(check: () => unknown, timeout = 3000) {
  const end = Date.now() + timeout;
  for (;;) {
    try {
      const v = check();
      if (v !== false && v != null) return v;
    } catch (e) {
      if (Date.now() > end) throw e;
    }
    if (Date.now() > end) throw new Error(`until: condition not met within ${timeout} ms: ${check}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const $ = <T extends Element = HTMLElement>(el: Element, sel: string) => el.shadowRoot!.querySelector<T>(sel)!;
export const $$ = <T extends Element = HTMLElement>(el: Element, sel: string) => [
  ...el.shadowRoot!.querySelectorAll<T>(sel),
];
export const text = (el: Element) => el.shadowRoot!.textContent!.replace(/\s+/g, ' ').trim();
export const button = (el: Element, name: string | RegExp) =>
  $$<HTMLButtonElement>(el, 'button').find((b) =>
    typeof name === 'string' ? b.textContent!.trim() === name : name.test(b.textContent!),
  )!;
