/**
 * Diagnosis for progress-read (not part of `npm run bench`): where one GET /ucc/v1/me/challenges
 * for the progress-read customer (20 challenges, a year of history) spends its time, in-process
 * (app.inject, no sockets): SQL statements, building the views (listChallengeViews without SQL),
 * serialising the answer, and the rest. Usage: node --import tsx bench/diagnose-progress.ts
 */
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { buildApp } from '../server/app.js';
import { listChallengeViews } from '../server/widget-api/challenges.js';
import { localDate } from '../server/engine/time.js';
import fjs from 'fast-json-stringify';
import * as C from '../contract/widget-api.js';
import { printTable } from './lib.js';
import { benchDatabase, customerToken, seedReader } from './seed.js';

const N = 300;
const { dir, org, store } = await benchDatabase('diagp');
const { customerId } = await seedReader(store, org, Date.now());
const token = await customerToken(org, 'reader');
const app = await buildApp({
  store,
  demo: false,
  serveStatic: false,
  tokenSecret: 'x'.repeat(40),
  rateLimits: { perCustomerPerMinute: 1e9, perIpPerMinute: 1e9 },
});

const t = { sql: 0, statements: 0 };
const bySql = new Map<string, number>();
const st = (store as any).st.bind(store);
(store as any).st = (sql: string) => {
  const s = st(sql);
  t.statements++;
  bySql.set(sql, (bySql.get(sql) ?? 0) + 1);
  const wrap =
    (fn: string) =>
    (...a: unknown[]) => {
      const t0 = performance.now();
      try {
        return s[fn](...a);
      } finally {
        t.sql += performance.now() - t0;
      }
    };
  return { get: wrap('get'), all: wrap('all'), run: wrap('run') };
};
const inject = () =>
  app.inject({ method: 'GET', url: '/ucc/v1/me/challenges', headers: { authorization: `Bearer ${token}` } });
let bytes = 0;
for (let i = 0; i < 50; i++) bytes = (await inject()).rawPayload.length;
Object.assign(t, { sql: 0, statements: 0 });
bySql.clear();
let t0 = performance.now();
for (let i = 0; i < N; i++) await inject();
const whole = (performance.now() - t0) / N;
const perSql = [...bySql.entries()].map(([sql, n]) => [(n / N).toFixed(0), sql.replace(/\s+/g, ' ').slice(0, 100)]);
const sqlPer = t.sql / N,
  stPer = t.statements / N;

// The same work without HTTP: read + views, then serialise.
Object.assign(t, { sql: 0, statements: 0 });
let views: unknown[] = [];
t0 = performance.now();
for (let i = 0; i < N; i++)
  views = await store.read((tx) => listChallengeViews(tx, app.ctx.loyaltyFor(org), org, customerId, 'all', Date.now()));
const viewsPer = (performance.now() - t0) / N - t.sql / N;
const periods = (views as { periods: unknown[] }[]).reduce((a, v) => a + v.periods.length, 0);
t0 = performance.now();
for (let i = 0; i < N; i++) JSON.stringify({ challenges: views });
const stringify = (performance.now() - t0) / N;
// Fastify's own serializer for this route: fast-json-stringify compiled from the response schema.
const serialize = fjs(C.ChallengesResponse as any);
t0 = performance.now();
for (let i = 0; i < N; i++) serialize({ challenges: views });
const schemaSerialize = (performance.now() - t0) / N;
// What one luxon localDate per period (the uncached view) would cost:
t0 = performance.now();
for (let i = 0; i < N * periods; i++) localDate(1_700_000_000_000 + (i % 30) * 86_400_000, 'UTC');
const luxon = (performance.now() - t0) / N;
await app.close();
store.close();
rmSync(dir, { recursive: true, force: true });

const us = (ms: number) => (ms * 1000).toFixed(0);
console.log(
  `GET /ucc/v1/me/challenges in-process (app.inject): ${views.length} challenges, ${periods} periods, ${bytes.toLocaleString('en-US')} B answer`,
);
printTable(
  ['part', 'µs per request'],
  [
    ['whole request (inject)', us(whole)],
    [`  SQL statements (${stPer.toFixed(0)} per request)`, us(sqlPer)],
    ['  building the views (listChallengeViews minus SQL)', us(viewsPer)],
    ["  serialising the answer with the route's response schema (fast-json-stringify)", us(schemaSerialize)],
    [
      '  the rest (Fastify routing and hooks, auth, rate limit, inject)',
      us(whole - sqlPer - viewsPer - schemaSerialize),
    ],
  ],
);
printTable(['statements per request', 'sql'], perSql);
printTable(
  ['for comparison', 'µs per request'],
  [
    ['JSON.stringify of the same answer', us(stringify)],
    [`${periods}× localDate() with luxon (an uncached period text would pay this)`, us(luxon)],
  ],
);
