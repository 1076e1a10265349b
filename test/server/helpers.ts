import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp, type AppOptions } from '../../server/app.js';
import type { Store } from '../../server/store/types.js';
import { DEMO_WIDGET_SECRET } from '../../server/seed.js';
import type { NewPromotion, NewTargetGroup } from '../../server/model/commands.js';
import { testDb } from './store-under-test.js';

/** Request bodies and helpers shared by the server tests, in Capillary's shapes. */

/** Basic auth for a till, as Capillary takes it: base64(till + ':' + md5(password)). */
export const tillAuth = (till: string, password: string) =>
  'Basic ' + Buffer.from(`${till}:${createHash('md5').update(password).digest('hex')}`).toString('base64');
export const DEMO_TILL_AUTH = tillAuth('demo.till', 'demo.pass');

export function streakGroupBody(
  name: string,
  fromDate: string,
  days: number,
  perDay: number,
  level: number,
  extra: Record<string, unknown> = {},
) {
  return {
    name,
    trackingType: 'STREAKS',
    targetEvaluationType: 'FIXED_CALENDAR_WINDOW',
    totalPeriods: days,
    frequencyType: 'DAILY',
    frequency: 1,
    recurringCycles: 0,
    userCreated: true,
    active: true,
    timeZoneName: 'UTC',
    periods: Array.from({ length: days }, (_, i) => {
      const d = new Date(Date.parse(fromDate + 'T00:00:00Z') + i * 86_400_000).toISOString().slice(0, 10);
      return {
        refCode: `Day_${i + 1}`,
        startDate: `${d}T00:00:00.000`,
        endDate: `${d}T23:59:59.999`,
        periodStatus: 'RUNNING',
        active: true,
      };
    }),
    targets: [
      {
        name: `${name}_rule`,
        targetEntity: 'EVENT',
        eventName: 'waterLogged',
        targetType: 'EVENT_ATTRIBUTE',
        extendedFieldInfo: { name: 'glasses', aggregateFunction: 'SUM' },
        enrolmentMethod: 'IMPORT',
        expression: 'true',
        filters: [],
        defaultValues: Array.from({ length: days }, () => ({ defaultValue: perDay })),
      },
    ],
    streaks: [{ name: `${level}-day`, targetCountOfSequence: level }],
    ...extra,
  };
}

export function uccPromotionBody(
  name: string,
  tgId: number,
  ruleId: number,
  ruleName: string,
  awardStrategy: number,
  limits: Record<string, number> = {},
) {
  return {
    promotion: {
      id: -1,
      name: `${name}_promo`,
      identifier: `${name}_promo_id`,
      programId: 1,
      startDate: '2020-01-01T00:00:00+00:00',
      endDate: '2099-12-31T23:59:59+00:00',
      allocatePointsOn: 'CUSTOMER',
      promotionType: 'CUSTOMER',
      eventName: 'TARGETCOMPLETED',
      pointsOfferType: 'LOYALTY',
      promotionSourceType: 'USER_CREATED',
      limits: { pointsPerCustomer: -1, numberOfTimesPerCustomer: -1, totalPointsInPromotion: -1, ...limits },
      promotionRestrictions: {
        loyaltyEarningType: 'DIRECT_EARN',
        isStackable: true,
        isExclusive: false,
        isConsideredForRanking: false,
        targetGroupIds: [tgId],
        targetRuleIds: [ruleId],
      },
      rulesetInfos: [
        {
          id: -1,
          contextID: 1,
          orgID: 0,
          contextType: 'program',
          endpointName: 'POINTSENGINE_ENDPOINT',
          name: `${name}_rs`,
          type: 'USER_CREATED',
          startDate: Date.parse('2020-01-01'),
          endDate: Date.parse('2099-12-31'),
          active: true,
          rules: [
            {
              id: -1,
              exp: 'true',
              expJSON: '{"arity":"literal","value":"true","type":"boolean:primitive"}',
              isActive: true,
              ruleSetId: -1,
              updatedViaNewUI: false,
              caseToActions: {
                true: [
                  {
                    id: -1,
                    actionName: 'AWARD_TARGET_POINTS_ACTION',
                    mandatoryPropertiesValues: {
                      ProRateOnSourceValue: 'EVENT_DEFAULT_VALUE',
                      DelayStrategy: 'AS_DEFINED_IN_ALLOCATION_STRATEGY',
                      SourceValueRoundingStrategy: 'ACTUAL',
                      ExpiryStrategy: '1',
                      AwardStrategy: String(awardStrategy),
                      PointsRoundingStrategy: 'ACTUAL',
                      TargetGroupId: String(tgId),
                      TargetRuleName: ruleName,
                    },
                  },
                ],
              },
            },
          ],
          filterInfo: [
            {
              id: -1,
              contextType: 'RULESET',
              name: 'LoyaltyType',
              description: '',
              isInclude: true,
              propertyToValues: { loyaltyType: ['loyalty'] },
            },
          ],
        },
      ],
    },
  };
}

// ── widget API (/ucc/v1) ───────────────────────────────────────────────────────────────────────

/** A demo-mode app on a real SQLite file in a fresh temp directory (or a fresh PostgreSQL schema: store-under-test.ts). */
export async function widgetApp(opts: Partial<AppOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ucc-widget-'));
  const app = await buildApp({
    db: testDb(dir),
    demo: true,
    rateLimits: { perCustomerPerMinute: 100_000, perIpPerMinute: 100_000 },
    ...opts,
  });
  app.addHook('onClose', async () => rmSync(dir, { recursive: true, force: true }));
  return app;
}

/** A demo customer's widget token (alice, bob or carol) from the demo session route. */
export const demoSession = async (app: Awaited<ReturnType<typeof buildApp>>, customer: string) =>
  jsonOf(await wcall(app, 'POST', '/demo/session', { body: { customer } }), 200).token as string;

/** Credits points as a completed challenge does (an EARN entry and the balance), for tests that are not about earning. */
export const grantPoints = (store: Store, customerId: number, points: number, now: number) =>
  store.tx(async (tx) => {
    await tx.insertLedger({
      orgId: 'demo',
      customerId,
      type: 'EARN',
      points,
      promotionId: null,
      completionId: null,
      reversesId: null,
      description: 'test credit',
      createdMs: now,
      expiresMs: null,
    });
    await tx.addToBalance(customerId, points);
  });

/** Signs a customer token as a brand's server would; every claim and the secret can be overridden. */
export async function widgetToken(
  sub: string,
  o: {
    iss?: string | null;
    secret?: string;
    iat?: number;
    exp?: number;
    alg?: string;
    extra?: Record<string, unknown>;
  } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ ...o.extra })
    .setProtectedHeader({ alg: o.alg ?? 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt(o.iat ?? now)
    .setExpirationTime(o.exp ?? now + 3600);
  if (o.iss !== null) jwt.setIssuer(o.iss ?? 'demo');
  return jwt.sign(new TextEncoder().encode(o.secret ?? DEMO_WIDGET_SECRET));
}

export interface Call {
  token?: string;
  body?: unknown;
  key?: string;
  headers?: Record<string, string>;
}

/** One widget API request through app.inject; `url` is relative to /ucc/v1 unless it starts with '/'. */
export function wcall(
  app: Awaited<ReturnType<typeof buildApp>>,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'OPTIONS',
  url: string,
  c: Call = {},
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...c.headers };
  if (c.token) headers.authorization = `Bearer ${c.token}`;
  if (c.key) headers['idempotency-key'] = c.key;
  return app.inject({
    method,
    url: url.startsWith('/') ? url : `/ucc/v1/${url}`,
    headers,
    ...(c.body !== undefined ? { payload: c.body as object } : {}),
  });
}

/** Asserts a JSON answer's status and content type, and returns its parsed body. */
export function jsonOf(res: LightMyRequestResponse, status: number) {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  if (!String(res.headers['content-type']).startsWith('application/json'))
    throw new Error(`expected JSON, got ${res.headers['content-type']}`);
  return res.json();
}

/** Asserts a widget API error: status, JSON content type and code; returns the error object. */
export function errorOf(res: LightMyRequestResponse, status: number, code: string) {
  const body = jsonOf(res, status);
  if (body?.error?.code !== code) throw new Error(`expected error ${code}, got ${res.body}`);
  if (typeof body.error.message !== 'string' || !body.error.message) throw new Error('error without a message');
  return body.error as { code: string; message: string; details?: Record<string, unknown> };
}

// ── the server process ─────────────────────────────────────────────────────────────────────────

/**
 * Starts `server/main.ts` as `npm start` does, on a free port (PORT=0), with `env` over the test's
 * environment. `ready` resolves with its URL once it prints it, and rejects if it exits first;
 * `exited` resolves with its exit code.
 */
export function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '',
    stderr = '';
  // 'close', not 'exit': by then all of its output has been read.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = /ready on (http:\/\/\S+?)\/ /.exec(stdout);
      if (m) resolve(m[1]);
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    exited.then(() => reject(new Error(stdout + stderr)));
  });
  ready.catch(() => undefined); // a start that is meant to fail never becomes ready
  return { child, ready, exited, stdout: () => stdout, stderr: () => stderr };
}

/** The engine's commands for the same group and promotion as streakGroupBody and uccPromotionBody. */
export function streakGroupCommand(
  name: string,
  fromDate: string,
  days: number,
  perDay: number,
  level: number,
): NewTargetGroup {
  const first = Date.parse(fromDate + 'T00:00:00Z');
  return {
    name,
    trackingType: 'STREAKS',
    frequencyType: 'DAILY',
    frequency: 1,
    recurringCycles: 0,
    userCreated: true,
    active: true,
    timeZoneName: 'UTC',
    periods: Array.from({ length: days }, (_, i) => ({
      refCode: `Day_${i + 1}`,
      startMs: first + i * 86_400_000,
      endMs: first + (i + 1) * 86_400_000,
      active: true,
    })),
    targets: [
      {
        name: `${name}_rule`,
        eventName: 'waterLogged',
        targetType: 'EVENT_ATTRIBUTE',
        extendedFieldInfo: { name: 'glasses', aggregateFunction: 'SUM' },
        enrolmentMethod: 'IMPORT',
        expression: 'true',
        filters: [],
        defaultValues: Array.from({ length: days }, () => perDay),
      },
    ],
    streaks: [{ name: `${level}-day`, targetCountOfSequence: level }],
  };
}

export function uccPromotionCommand(
  name: string,
  tgId: number,
  ruleId: number,
  ruleName: string,
  awardStrategy: number,
  limits: Record<string, number> = {},
): NewPromotion {
  return {
    programId: 1,
    name: `${name}_promo`,
    identifier: `${name}_promo_id`,
    active: true,
    startMs: Date.parse('2020-01-01T00:00:00+00:00'),
    endMs: Date.parse('2099-12-31T23:59:59+00:00'),
    targetGroupIds: [tgId],
    targetRuleIds: [ruleId],
    awards: [{ awardStrategyId: awardStrategy, expiryStrategyId: 1, targetGroupId: tgId, targetRuleName: ruleName }],
    limits: { pointsPerCustomer: -1, numberOfTimesPerCustomer: -1, totalPointsInPromotion: -1, ...limits },
  };
}
