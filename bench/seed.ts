/**
 * Seeding for the server benchmarks, straight through the engine and the store (the same
 * functions the widget API routes call), inside large transactions so seeding stays a small part
 * of the run. Organisations are demoOrgs() with fresh strong secrets and their own ids (a
 * production database must not hold the `demo` organisation).
 */
import { randomBytes, createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { demoOrgs, seedDemo } from '../server/seed.js';
import type { OrgDoc } from '../server/engine/org.js';
import type { Tx } from '../server/store/types.js';
import { SqliteStore } from '../server/store/sqlite.js';
import { createChallenge } from '../server/widget-api/challenges.js';
import { logActivity } from '../server/widget-api/activities.js';
import { LocalLoyalty } from '../server/loyalty/local.js';

const loyalty = new LocalLoyalty();
import { startOfDay } from '../server/engine/time.js';

export const DAY = 86_400_000;
const secret = (n = 24) => randomBytes(n).toString('hex');

/**
 * The benchmark organisations. Besides the fresh secrets, two policy values differ from the demo:
 * up to 50 active challenges (one benchmark customer has 20), and a per-period quantity cap
 * that the load cannot reach (autocannon logs ~100+ times a day into each challenge, far above
 * what a person does; the cap check itself still runs on every log).
 */
export function benchOrgs(): OrgDoc[] {
  return demoOrgs().map((o) => ({
    ...o,
    id: `bench-${o.id}`,
    name: `${o.name} (bench)`,
    widgetSecret: secret(),
    till: o.till && {
      username: `bench.${o.till.username}`,
      passwordMd5: createHash('md5').update(secret()).digest('hex'),
    },
    oauthClients: o.oauthClients.map((c) => ({ key: `bench-${c.key}`, secret: secret() })),
    webhookIds: o.webhookIds.map((w) => `bench-${w}`),
    allowedOrigins: [],
    policy: { ...o.policy, maxActiveChallenges: 50 },
    templates: o.templates.map((t) => ({ ...t, maxQuantityPerPeriod: 1e9 })),
  }));
}

/** A fresh temporary directory for databases and config files. */
export const tempDir = (name: string) => mkdtempSync(join(tmpdir(), `ucc-bench-${name}-`));

/** Writes the orgs file for UCC_ORGS_FILE; returns its path. */
export function writeOrgsFile(dir: string, orgs: OrgDoc[]) {
  const file = join(dir, 'orgs.json');
  writeFileSync(file, JSON.stringify(orgs));
  return file;
}

/** Signs a customer token the way a brand's server does (HS256 with the org's widget secret). */
export async function customerToken(org: OrgDoc, sub: string, lifetimeS = 3600) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(org.id)
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + lifetimeS)
    .sign(new TextEncoder().encode(org.widgetSecret));
}

/** Production-mode environment for server/main.ts. */
export function productionEnv(db: string, orgsFile: string): Record<string, string> {
  return {
    UCC_DEMO: '0',
    UCC_DB: db,
    UCC_ORGS_FILE: orgsFile,
    UCC_TOKEN_SECRET: secret(32),
    LOG_LEVEL: 'warn',
    UCC_RATE_CUSTOMER_PER_MIN: '100000000',
    UCC_RATE_IP_PER_MIN: '100000000',
    NODE_ENV: 'production',
  };
}

export function openStore(file: string, orgs: OrgDoc[]) {
  const store = new SqliteStore(file);
  return store
    .tx(async (tx) => {
      for (const o of orgs) await tx.putOrg(o);
    })
    .then(() => store);
}

/**
 * A fresh database for a benchmark: a temp folder named after it, the benchmark organisations and
 * the demo templates' event definitions. `db` is the file (for a server started on it).
 */
export async function benchDatabase(name: string, now = Date.now()) {
  const dir = tempDir(name);
  const orgs = benchOrgs();
  const org = orgs[0];
  const db = join(dir, 'ucc.db');
  const store = await openStore(db, orgs);
  await putEventDefs(store, org.id, now);
  return { dir, orgs, org, db, store };
}

/** Event definitions of the demo templates (seedDemo does this for the demo org only). */
export async function putEventDefs(store: SqliteStore, orgId: string, now: number) {
  // Borrow seedDemo's definitions: seed a throwaway in-memory store, then copy its event defs.
  const tmp = new SqliteStore(':memory:');
  await seedDemo(tmp, now);
  const defs = await tmp.read((tx) => tx.listEventDefs('demo'));
  tmp.close();
  await store.tx(async (tx) => {
    for (const d of defs) await tx.putEventDef(orgId, d);
  });
}

export async function insertCustomers(tx: Tx, org: OrgDoc, ids: string[], now: number) {
  const out: number[] = [];
  for (const ext of ids)
    out.push((await tx.insertCustomer({ orgId: org.id, externalId: ext, timeZone: null, createdMs: now })).id);
  return out;
}

/** Creates challenges through the widget API's own function (group, rule, promotion, enrolment). */
export async function seedChallenge(
  tx: Tx,
  org: OrgDoc,
  customerId: number,
  templateId: string,
  now: number,
  periods = 7,
) {
  const t = org.templates.find((x) => x.id === templateId)!;
  const c = await createChallenge(
    tx,
    loyalty,
    org,
    customerId,
    { templateId, target: t.target.default, period: t.periods[0], periods },
    now,
  );
  return c.id;
}

/** One log through the widget API's own function (as POST /me/activities does, minus HTTP). */
export function seedLog(
  tx: Tx,
  org: OrgDoc,
  customerId: number,
  body: { challengeId?: string; templateId?: string; quantity: number },
  key: string,
  now: number,
) {
  return logActivity(tx, loyalty, org, customerId, body, key, now);
}

/**
 * The progress-read customer `reader`, through the widget API's own functions with a moved clock:
 * `historyDays` of logs (`perDay` a day, templateId only, before any challenge), then
 * `challenges` daily challenges of 30 days started 0…challenges-1 days ago (water, steps,
 * meditation in turn), each logged into twice on every day so far.
 */
export async function seedReader(
  store: SqliteStore,
  org: OrgDoc,
  now: number,
  challenges = 20,
  historyDays = 365,
  perDay = 20,
) {
  const today = startOfDay(now, org.timeZone);
  const templates = ['water', 'steps', 'meditation'];
  let logs = 0,
    customerId = 0;
  await store.tx(async (tx) => {
    [customerId] = await insertCustomers(tx, org, ['reader'], now);
    for (let d = historyDays + challenges; d > challenges; d--) {
      for (let i = 0; i < perDay; i++) {
        const at = today - d * DAY + 8 * 3_600_000 + i * 30 * 60_000;
        await seedLog(tx, org, customerId, { templateId: templates[i % 3], quantity: 1 }, `y${d}-${i}`, at);
        logs++;
      }
    }
    const ids: { id: string; start: number }[] = [];
    for (let k = challenges - 1; k >= 0; k--) {
      const start = today - k * DAY + 7 * 3_600_000;
      ids.push({ id: await seedChallenge(tx, org, customerId, templates[k % 3], start, 30), start });
    }
    for (let d = challenges - 1; d >= 0; d--) {
      for (const c of ids) {
        for (const h of [9, 18]) {
          const at = today - d * DAY + h * 3_600_000;
          if (at < c.start || at > now) continue;
          await seedLog(tx, org, customerId, { challengeId: c.id, quantity: 2 }, `c${c.id}-${d}-${h}`, at);
          logs++;
        }
      }
    }
  });
  return { customerId, logs };
}

export { startOfDay };
