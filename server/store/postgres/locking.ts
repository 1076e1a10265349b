import type { Tx } from '../port/index.js';

/** Takes a lock held to COMMIT (a customer's row, a promotion's advisory lock) once per transaction; true when taken now. */
export type Lock = (space: 'customer' | 'promotion', id: number) => Promise<boolean>;

type Fn = (...a: any[]) => Promise<any>;

/**
 * The PostgreSQL transaction object of a writing transaction: before a method reads or writes
 * anything of a customer's, the transaction takes that customer's lock — its row's (held to its
 * COMMIT). Every read-modify-write of the engine is within one customer's data (progress, visit
 * days, the per-period quantity cap, a promotion's per-customer limits, enrolments, undo), so this
 * makes concurrent requests for one customer run one after another, in whatever process, while
 * different customers never wait for each other. A promotion's limits across all customers take
 * that promotion's lock.
 *
 * Where the customer is only known from the row read (by external id, by event, by enrolment),
 * the lock is taken after the read and the row is read again under it, so the transaction never
 * acts on a version another transaction was changing.
 */
export function lockingTx(tx: Tx, lock: Lock): Tx {
  const w: Record<string, Fn> = { ...(tx as unknown as Record<string, Fn>) };
  const base = tx as unknown as Record<string, Fn>;
  /** Locks the customer named by the argument, then runs the method. */
  const byArg = (pick: (a: any[]) => number | null | undefined, ...names: (keyof Tx)[]) => {
    for (const name of names)
      w[name] = async (...a: any[]) => {
        const id = pick(a);
        if (typeof id === 'number') await lock('customer', id);
        return base[name](...a);
      };
  };
  /** Runs the method, locks the customer of the row it found, and reads it again if the lock was not held yet. */
  const byResult = (customerOf: (row: any) => number, ...names: (keyof Tx)[]) => {
    for (const name of names)
      w[name] = async (...a: any[]) => {
        const row = await base[name](...a);
        if (row === undefined) return row;
        return (await lock('customer', customerOf(row))) ? base[name](...a) : row;
      };
  };
  const first = (a: any[]) => a[0] as number;
  const second = (a: any[]) => a[1] as number;
  const rowCustomer = (a: any[]) => (a[0] as { customerId: number }).customerId;

  byArg(first, 'setCustomerTimeZone', 'addToBalance', 'listEnrolmentsForCustomer', 'listActiveEnrolmentsForEvent');
  byArg(first, 'getChallenge', 'listChallenges', 'getActivity', 'listActivities', 'sumActivityQuantity');
  byArg(first, 'customerEarnedSince', 'listLedger', 'listLedgerEntries', 'pageLedger');
  byArg(first, 'getEventByUniqueKey', 'putEventUniqueKey');
  // Spending points: a redemption, a reversal and a coupon's use each run under the customer's lock (so a customer's
  // redemptions and the uses of her coupons run one after another); spendBalance and useCoupon are conditional
  // UPDATEs besides, so neither a balance below zero nor a second use can happen even without it.
  byArg(first, 'spendBalance', 'getRedemptionByRequest', 'listRedemptions', 'redeemedCounts', 'listCoupons');
  byArg(rowCustomer, 'insertRedemption', 'insertCoupon');
  byResult((r) => r.customerId, 'getRedemption', 'getCoupon', 'getCouponByCode');
  byArg(second, 'getCustomer', 'getEnrolment', 'getIdempotent', 'putIdempotent');
  byArg(rowCustomer, 'insertEnrolment', 'insertEvent', 'insertChallenge', 'insertActivity', 'insertLedger');
  // The upstream backend's state: a customer's userId, sagas and posts as they are created. updateSaga and moveOutbox
  // take no lock: each is one conditional UPDATE (compare-and-set), and the outbox sender has no customer to lock.
  byArg(second, 'getUpstreamUser');
  byArg(rowCustomer, 'putUpstreamUser', 'insertSaga', 'insertOutbox');
  byResult((c) => c.id, 'getCustomerByExternalId');
  byResult((r) => r.customerId, 'getEvent', 'getEventByExternalId', 'getChallengeByEnrolment', 'getActivityByEvent');

  w.insertCustomer = async (...a: any[]) => {
    const c = await base.insertCustomer(...a);
    await lock('customer', c.id); // new: nobody else can hold it, so nothing to read again
    return c;
  };
  w.getEnrolmentById = async (id: number, customerId?: number) => {
    if (customerId !== undefined) {
      await lock('customer', customerId);
      return base.getEnrolmentById(id, customerId);
    }
    const row = await base.getEnrolmentById(id);
    if (row === undefined) return row;
    return (await lock('customer', row.customerId)) ? base.getEnrolmentById(id) : row;
  };
  w.ledgerUsage = async (promotionId: number, customerId: number | null) => {
    if (customerId === null) await lock('promotion', promotionId);
    else await lock('customer', customerId);
    return base.ledgerUsage(promotionId, customerId);
  };
  return w as unknown as Tx;
}
