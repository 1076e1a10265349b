/**
 * Tolerant reading of Capillary's answers, as the vendor sends them (capillary-api.md §1, §12, §14):
 * numbers as numbers or strings ("2.000"), `data` as an object or an array, three error envelopes
 * (v3 `errors[]`, api_gateway `status`/`validationErrors`, webhook `status.code` 1100) and `warnings`
 * arrays. Each answer becomes a small typed result; anything the call needs and cannot find is an
 * UpstreamMalformed. Unknown fields are ignored.
 */
import { UpstreamMalformed } from './resilience.js';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A number from a number or a numeric string ("2.000", " 15 "); undefined otherwise. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
}

function need<T>(v: T | undefined, op: string, what: string): T {
  if (v === undefined) throw new UpstreamMalformed(`${op}: the answer has no ${what}`, op);
  return v;
}
const num = (v: unknown, op: string, what: string) => need(toNumber(v), op, what);
/** An id: an integer, from a number or a numeric string. */
const id = (v: unknown, op: string, what: string) => {
  const n = toNumber(v);
  return need(n !== undefined && Number.isInteger(n) ? n : undefined, op, what);
};
const optId = (v: unknown) => {
  const n = toNumber(v);
  return n !== undefined && Number.isInteger(n) ? n : undefined;
};
const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
const bool = (v: unknown): boolean | undefined =>
  typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : undefined;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** `data` as the vendor sends it: an object, or an array whose first element is the object. */
const one = (v: unknown): Json | undefined =>
  Array.isArray(v) ? (isObj(v[0]) ? v[0] : undefined) : isObj(v) ? v : undefined;

/** A vendor's error or warning, as sent. */
export interface VendorNote {
  code?: number | string;
  message: string;
}

function note(v: unknown): VendorNote {
  if (isObj(v)) {
    const code = toNumber(v.code) ?? str(v.code);
    const message = str(v.message) ?? str(v.description) ?? str(v.error) ?? JSON.stringify(v);
    return code === undefined ? { message } : { code, message };
  }
  return { message: typeof v === 'string' ? v : JSON.stringify(v) };
}

/** The answer's warnings (v3 `warnings: null|[]`, v2 and api_gateway `warnings: []`). */
export function warningsOf(body: unknown): VendorNote[] {
  return isObj(body) ? arr(body.warnings).map(note) : [];
}

const OK_STATUS = new Set([200, 201, 1100]);

/**
 * The refusal an answer carries, whatever its HTTP status: v3 and v2 `errors: [{code, message}]`,
 * api_gateway `status.code` other than 200 or non-empty `validationErrors`, webhook `status.code`
 * other than 1100, or `status.success: false`. Undefined when the answer is not a refusal.
 */
export function refusalOf(body: unknown): VendorNote | undefined {
  if (!isObj(body)) return undefined;
  const errors = arr(body.errors);
  if (errors.length > 0) {
    const notes = errors.map(note);
    return { ...notes[0]!, message: notes.map((n) => n.message).join('; ') };
  }
  const v = body.validationErrors;
  if ((Array.isArray(v) && v.length > 0) || (isObj(v) && Object.keys(v).length > 0)) {
    const notes: VendorNote[] = Array.isArray(v)
      ? v.map(note)
      : Object.entries(v).map(([k, m]) => ({ message: `${k}: ${str(m) ?? JSON.stringify(m)}` }));
    const code =
      notes.find((n) => n.code !== undefined)?.code ?? (isObj(body.status) ? toNumber(body.status.code) : undefined);
    return { ...(code !== undefined ? { code } : {}), message: notes.map((n) => n.message).join('; ') };
  }
  if (isObj(body.status)) {
    const code = toNumber(body.status.code);
    if (body.status.success === false || (code !== undefined && !OK_STATUS.has(code))) return note(body.status);
  }
  return undefined;
}

// ---- OAuth ---------------------------------------------------------------------------------------

export interface Token {
  accessToken: string;
  ttlSeconds: number;
}
/** `POST v3/oauth/token/generate` → `{data:{accessToken, ttlSeconds}}`. */
export function parseToken(body: unknown, op: string): Token {
  const d = isObj(body) ? one(body.data) : undefined;
  const accessToken = need(
    typeof d?.accessToken === 'string' && d.accessToken ? d.accessToken : undefined,
    op,
    'accessToken',
  );
  return { accessToken, ttlSeconds: num(d?.ttlSeconds, op, 'ttlSeconds') };
}

// ---- customers -----------------------------------------------------------------------------------

export interface CustomerRef {
  userId: number;
  warnings: VendorNote[];
}
/**
 * `GET v2/customers/lookup/customerDetails` → the customer's Capillary id. The vendor shows no
 * sample: the id is read from `data` (object or array), `customers[0]`, `customer` or the root, as
 * `id`, `userId` or `entityId`.
 */
export function parseCustomer(body: unknown, op: string): CustomerRef {
  const root = isObj(body) ? body : {};
  const c = one(root.data) ?? one(root.customers) ?? one(root.customer) ?? root;
  const userId = optId(c.id) ?? optId(c.userId) ?? optId(c.entityId);
  return { userId: id(userId, op, 'customer id'), warnings: warningsOf(body) };
}

// ---- target groups -------------------------------------------------------------------------------

export interface GroupPeriod {
  id: number;
  refCode: string;
  startDate?: string;
  endDate?: string;
  status?: string;
}
export interface GroupTarget {
  id: number;
  name: string;
  emfRuleSetId?: number;
  /** The target per period, in period order. */
  defaultValues: { id?: number; periodId?: number; value: number }[];
}
export interface GroupStreak {
  id: number;
  name: string;
  targetCountOfSequence: number;
}
export interface TargetGroupRef {
  id: number;
  name: string;
  userCreated?: boolean;
  periods: GroupPeriod[];
  targets: GroupTarget[];
  streaks: GroupStreak[];
  warnings: VendorNote[];
}

function targetGroup(g: Json, op: string, warnings: VendorNote[]): TargetGroupRef {
  return {
    id: id(g.id, op, 'target group id'),
    name: str(g.name) ?? '',
    ...(bool(g.userCreated) !== undefined ? { userCreated: bool(g.userCreated) } : {}),
    periods: arr(g.periods)
      .filter(isObj)
      .map((p) => ({
        id: id(p.id, op, 'period id'),
        refCode: str(p.refCode) ?? '',
        startDate: str(p.startDate),
        endDate: str(p.endDate),
        status: str(p.periodStatus),
      })),
    targets: arr(g.targets)
      .filter(isObj)
      .map((t) => ({
        id: id(t.id, op, 'target rule id'),
        name: str(t.name) ?? '',
        emfRuleSetId: optId(t.emfRuleSetId),
        defaultValues: arr(t.defaultValues)
          .filter(isObj)
          .map((d) => ({
            id: optId(d.id),
            periodId: optId(d.periodId),
            value: num(d.defaultValue, op, 'default value'),
          })),
      })),
    streaks: arr(g.streaks)
      .filter(isObj)
      .map((s) => ({
        id: id(s.id, op, 'streak id'),
        name: str(s.name) ?? '',
        targetCountOfSequence: num(s.targetCountOfSequence, op, 'targetCountOfSequence'),
      })),
    warnings,
  };
}

/** `POST v3/targetGroups` (or one group read) → the ids of the group, its periods, rules and streaks. */
export function parseTargetGroup(body: unknown, op: string): TargetGroupRef {
  const g = isObj(body) ? one(body.data) : undefined;
  return targetGroup(need(g, op, 'target group'), op, warningsOf(body));
}

/** A list of groups (`GET v3/milestones`, `GET v3/targetGroups`): `data[]` plus `pagination.total` when sent. */
export function parseTargetGroupList(body: unknown, op: string): { groups: TargetGroupRef[]; total?: number } {
  const root = isObj(body) ? body : {};
  const list = Array.isArray(root.data) ? root.data : isObj(root.data) ? [root.data] : [];
  const warnings = warningsOf(body);
  const total = isObj(root.pagination) ? toNumber(root.pagination.total) : undefined;
  return {
    groups: list.filter(isObj).map((g) => targetGroup(g, op, warnings)),
    ...(total !== undefined ? { total } : {}),
  };
}

/** Enrol / unenrol → `{data: <customerId>}`. */
export function parseEnrolment(body: unknown, _op: string): { customerId?: number; warnings: VendorNote[] } {
  const d = isObj(body) ? body.data : undefined;
  const customerId = optId(d) ?? (isObj(d) ? optId(d.customerId) : undefined);
  return { ...(customerId !== undefined ? { customerId } : {}), warnings: warningsOf(body) };
}

// ---- promotions ----------------------------------------------------------------------------------

export interface PromotionRef {
  id: number;
  name: string;
  identifier?: string;
  status?: string;
  targetGroupIds: number[];
  targetRuleIds: number[];
  warnings: VendorNote[];
}
/** `POST …/createPromotion/{type}` → `{status, validationErrors, data: [promotion]}` (data may also be an object). */
export function parsePromotion(body: unknown, op: string): PromotionRef {
  const p = need(isObj(body) ? one(body.data) : undefined, op, 'promotion');
  const r = isObj(p.promotionRestrictions) ? p.promotionRestrictions : {};
  const ids = (v: unknown) =>
    arr(v)
      .map(optId)
      .filter((n): n is number => n !== undefined);
  return {
    id: id(p.id ?? p.promotionId, op, 'promotion id'),
    name: str(p.name ?? p.promotionName) ?? '',
    identifier: str(p.identifier),
    status: str(p.promotionStatus),
    targetGroupIds: ids(r.targetGroupIds),
    targetRuleIds: ids(r.targetRuleIds),
    warnings: warningsOf(body),
  };
}

/** A promotions list (`…/userCreatedPromotions`, `…/promotionsV2`) → `promotions[]` with `promotionId` and `identifier`. */
export function parsePromotionList(body: unknown, op: string): { id: number; identifier?: string }[] {
  const root = isObj(body) ? body : {};
  const list = [root.promotions, isObj(root.data) ? root.data.promotions : undefined, root.data].find(Array.isArray);
  return arr(list)
    .filter(isObj)
    .map((p) => ({ id: id(p.promotionId ?? p.id, op, 'promotion id'), identifier: str(p.identifier) }));
}

// ---- events --------------------------------------------------------------------------------------

/** The webhook's `{"status":{"code":1100,…},"requestId":"…"}`: accepted for asynchronous processing. */
export function parseWebhook(body: unknown, op: string): { requestId: string } {
  const root = isObj(body) ? body : {};
  const code = isObj(root.status) ? toNumber(root.status.code) : undefined;
  if (code !== 1100) need(undefined, op, 'status 1100');
  return { requestId: need(str(root.requestId), op, 'requestId') };
}

// ---- progress ------------------------------------------------------------------------------------

export interface PeriodProgress {
  periodId: number;
  refCode: string;
  targetRuleId?: number;
  targetValue: number;
  /** `targetAchievedValue`: what the organisation has counted in the period so far. */
  achieved: number;
  current: boolean;
  startDate?: string;
  endDate?: string;
  achievedAt?: string;
}
export interface StreakProgress {
  streakId?: number;
  name: string;
  status?: string;
  currentCount: number;
  totalTargetCountOfSequence?: number;
}
export interface GroupProgress {
  id: number;
  name: string;
  periods: PeriodProgress[];
  streaks: StreakProgress[];
}
export interface UserTargetGroups {
  userId?: number;
  groups: GroupProgress[];
  warnings: VendorNote[];
}
/** `GET v3/users/{userId}/targetGroups` → per group, one entry per period and the streak levels. */
export function parseUserTargetGroups(body: unknown, op: string): UserTargetGroups {
  const d = isObj(body) ? one(body.data) : undefined;
  const data = need(d, op, 'data');
  return {
    userId: optId(data.userId),
    groups: arr(data.targetGroups)
      .filter(isObj)
      .map((g) => ({
        id: id(g.id, op, 'target group id'),
        name: str(g.name) ?? '',
        periods: arr(g.targets)
          .filter(isObj)
          .map((t) => ({
            periodId: id(t.periodId, op, 'periodId'),
            refCode: str(t.periodRefCode) ?? '',
            targetRuleId: optId(t.targetRuleId),
            targetValue: num(t.targetValue, op, 'targetValue'),
            achieved: toNumber(t.targetAchievedValue) ?? 0,
            current: bool(t.currentPeriod) ?? false,
            startDate: str(t.periodStartDateWithTimeStamp) ?? str(t.periodStartDate),
            endDate: str(t.periodEndDateWithTimeStamp) ?? str(t.periodEndDate),
            achievedAt: str(t.targetAchievedDateTime),
          })),
        streaks: arr(g.streaks)
          .filter(isObj)
          .map((s) => ({
            streakId: optId(s.streakId),
            name: str(s.streakName) ?? str(s.name) ?? '',
            status: str(s.status),
            currentCount: toNumber(s.currentCount) ?? 0,
            totalTargetCountOfSequence: toNumber(s.totalTargetCountOfSequence),
          })),
      })),
    warnings: warningsOf(body),
  };
}

// ---- points --------------------------------------------------------------------------------------

export interface Balance {
  userId?: number;
  /** Redeemable points. */
  mainPoints: number;
  /** Main plus promised. */
  totalPoints: number;
  promisedPoints: number;
  warnings: VendorNote[];
}
/** `GET v2/customers/{userId}/points/balance` → `{entityId, totalPoints, mainPoints, promisedPoints, …}` (root or `data`). */
export function parseBalance(body: unknown, op: string): Balance {
  const root = isObj(body) ? body : {};
  const b = one(root.data) ?? root;
  const mainPoints = num(b.mainPoints ?? b.loyaltyPoints ?? b.totalPoints, op, 'mainPoints');
  const totalPoints = toNumber(b.totalPoints) ?? mainPoints;
  return {
    userId: optId(b.entityId) ?? optId(b.customerId),
    mainPoints,
    totalPoints,
    promisedPoints: toNumber(b.promisedPoints) ?? Math.max(0, totalPoints - mainPoints),
    warnings: warningsOf(body),
  };
}

export interface LedgerEntry {
  id?: string;
  /** The vendor's entry type (EARN, REDEEM, EXPIRY, …), as sent. */
  type: string;
  points: number;
  at?: string;
  expiresAt?: string;
  description?: string;
  raw: Record<string, unknown>;
}
export interface LedgerPage {
  entries: LedgerEntry[];
  total?: number;
  warnings: VendorNote[];
}
const first = (o: Json, keys: string[]) => keys.map((k) => o[k]).find((v) => v !== undefined && v !== null);
/**
 * `GET v2/pointsLedger/getCustomerLedgerInfo` → entries, newest first as asked. The vendor shows no
 * sample: the list is the first array among `data`, `data.ledgerEntries|entries`, `ledgerEntries`,
 * `entries`; an entry's points are `points|pointsValue|value|amount` (required).
 */
export function parseLedger(body: unknown, op: string): LedgerPage {
  const root = isObj(body) ? body : {};
  const d = root.data;
  const details = isObj(root.ledgerDetails)
    ? root.ledgerDetails
    : isObj(d) && isObj(d.ledgerDetails)
      ? d.ledgerDetails
      : {};
  const list = [
    d,
    details.ledgerEntries,
    isObj(d) ? d.ledgerEntries : undefined,
    isObj(d) ? d.entries : undefined,
    root.ledgerEntries,
    root.entries,
  ].find(Array.isArray);
  const pagination = isObj(root.pagination)
    ? root.pagination
    : isObj(d) && isObj(d.pagination)
      ? d.pagination
      : undefined;
  const total = pagination ? toNumber(pagination.total) : toNumber(details.totalElements);
  return {
    entries: arr(list)
      .filter(isObj)
      .map((e) => ({
        id: str(first(e, ['id', 'ledgerId', 'entryId', 'eventId'])),
        type: str(first(e, ['eventType', 'type', 'ledgerType', 'category'])) ?? 'UNKNOWN',
        points: num(first(e, ['points', 'pointsValue', 'value', 'amount']), op, 'ledger entry points'),
        at: str(first(e, ['eventDate', 'eventTime', 'date', 'createdOn', 'createdDate'])),
        expiresAt: str(first(e, ['expiryDate', 'expiresOn', 'expiryTime'])),
        description: str(first(e, ['description', 'remarks'])),
        raw: e,
      })),
    ...(total !== undefined ? { total } : {}),
    warnings: warningsOf(body),
  };
}

// ---- rewards -------------------------------------------------------------------------------------

export interface IssuedReward {
  couponCode: string;
  /** The code's expiry as sent (ISO or date). */
  codeExpiry?: string;
  pointsRedeemed: number;
  transactionId?: string;
  requestId?: string;
}
/**
 * `POST …/user/reward/{rewardId}/issue` → `{status{success, code:200}, intouch{pointsRedeemed, couponCode,
 * codeExpiry}, transactionId, requestId}` (capillary-api.md §15).
 */
export function parseIssuedReward(body: unknown, op: string): IssuedReward {
  const root = isObj(body) ? body : {};
  const i = isObj(root.intouch) ? root.intouch : isObj(root.data) && isObj(root.data.intouch) ? root.data.intouch : {};
  return {
    couponCode: need(str(i.couponCode), op, 'intouch.couponCode'),
    codeExpiry: str(i.codeExpiry),
    pointsRedeemed: num(i.pointsRedeemed, op, 'intouch.pointsRedeemed'),
    transactionId:
      str(root.transactionId) ?? (toNumber(root.transactionId) !== undefined ? String(root.transactionId) : undefined),
    requestId: str(root.requestId),
  };
}
