/**
 * EXPERIMENT, not shipped code: caches in SqliteStore for reads a log repeats although their rows
 * rarely change — event definitions (validateFields), challenge rows (requireChallenge), enrolment
 * rows (loadChallenge) and net points per enrolment (earnedByEnrolment) — each invalidated by the
 * store's own writes to those rows. Loaded into the server with
 * `BENCH_SERVER_IMPORT=./bench/experiments/read-cache.ts npm run bench -- log-throughput`
 * (combine with group commit, already shipped as store.txGrouped). It measures what cutting the
 * per-log statements from 15 to 11 is worth. Not safe as is: a rolled-back transaction would leave
 * its writes in the caches (the proposed fix clears them on ROLLBACK, as tgCache already does).
 */
import { SqliteStore } from '../../server/store/sqlite.js';

const proto = SqliteStore.prototype as any;
const makeTx = proto.makeTx;
proto.makeTx = function (this: any) {
  const api = makeTx.call(this);
  const o = { ...api };
  const defs = new Map<string, unknown>(), challenges = new Map<number, any>(), enrolments = new Map<number, unknown>(), earned = new Map<number, number>();
  const memo = <K, V>(m: Map<K, V>, k: K, load: () => Promise<V>) => (m.has(k) ? Promise.resolve(m.get(k)!) : load().then((v) => { if (v !== undefined) m.set(k, v); return v; }));
  api.getEventDef = (orgId: string, name: string) => memo(defs, `${orgId}\0${name}`, () => o.getEventDef(orgId, name));
  api.putEventDef = (...a: unknown[]) => { defs.clear(); return o.putEventDef(...a); };
  api.getChallenge = async (customerId: number, id: number) => {
    const c = await memo(challenges, id, () => o.getChallenge(customerId, id));
    return c && c.customerId === customerId ? c : undefined;
  };
  api.setChallengeLeft = (id: number, ms: number) => { challenges.delete(id); return o.setChallengeLeft(id, ms); };
  api.getEnrolmentById = (id: number) => memo(enrolments, id, () => o.getEnrolmentById(id));
  api.updateEnrolment = (id: number, p: unknown) => { enrolments.delete(id); return o.updateEnrolment(id, p); };
  api.earnedByEnrolment = (id: number) => memo(earned, id, () => o.earnedByEnrolment(id));
  for (const k of ['insertLedger', 'markLedgerReversed', 'revokeCompletion', 'insertCompletion']) api[k] = (...a: unknown[]) => { earned.clear(); return o[k](...a); };
  api.deleteAllData = () => { defs.clear(); challenges.clear(); enrolments.clear(); earned.clear(); return o.deleteAllData(); };
  return api;
};
