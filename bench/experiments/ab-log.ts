/**
 * EXPERIMENT: is the SQLite log path of this tree slower than another commit's? In one process, both
 * apps (each on its own SQLite file, demo mode, one steps challenge) take blocks of 400 logs through
 * app.inject, alternated 16 times, so the machine's noise falls on both alike; prints the median µs
 * per log of each and their ratio.
 * Usage: git worktree add /tmp/old <commit> && ln -s "$PWD/node_modules" /tmp/old/node_modules
 *        node --import tsx bench/experiments/ab-log.ts /tmp/old
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
const old = process.argv[2];
if (!old) throw new Error('usage: ab-log.ts <path of the other tree>');
const mods = {
  before: await import(resolve(old, 'server/app.ts')),
  after: await import(resolve('server/app.ts')),
};
const apps: Record<string, any> = {};
const ctx: Record<string, { auth: any; ids: string[] }> = {};
for (const [name, m] of Object.entries(mods)) {
  const dir = mkdtempSync(join(tmpdir(), 'ab-'));
  const app = await m.buildApp({
    db: join(dir, 'x.db'),
    demo: true,
    serveStatic: false,
    rateLimits: { perCustomerPerMinute: 1e9, perIpPerMinute: 1e9 },
  });
  apps[name] = app;
  const ids: string[] = [];
  let auth: any;
  for (const cust of ['alice', 'bob', 'carol']) {
    const s = await app.inject({ method: 'POST', url: '/demo/session', payload: { customer: cust } });
    auth = { authorization: `Bearer ${s.json().token}` };
  }
  for (const t of ['steps']) {
    const c = await app.inject({
      method: 'POST',
      url: '/ucc/v1/me/challenges',
      headers: auth,
      payload: { templateId: t, target: 50000, period: 'DAILY', periods: 7 },
    });
    if (c.statusCode !== 201) console.log(c.body);
    ids.push(c.json().challenge.id);
  }
  ctx[name] = { auth, ids };
}
let k = 0;
const block = async (name: string, n: number) => {
  const { auth, ids } = ctx[name];
  const app = apps[name];
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    const r = await app.inject({
      method: 'POST',
      url: '/ucc/v1/me/activities',
      headers: { ...auth, 'idempotency-key': `k${++k}` },
      payload: { challengeId: ids[0], quantity: 1 },
    });
    if (r.statusCode !== 201) {
      console.log(name, r.body);
      process.exit(1);
    }
  }
  return ((performance.now() - t) / n) * 1000;
};
await block('before', 300);
await block('after', 300);
const res: Record<string, number[]> = { before: [], after: [] };
for (let r = 0; r < 16; r++)
  for (const name of r % 2 ? ['before', 'after'] : ['after', 'before']) res[name].push(await block(name, 400));
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log('before µs/log median', med(res.before).toFixed(1), 'min', Math.min(...res.before).toFixed(1));
console.log('after  µs/log median', med(res.after).toFixed(1), 'min', Math.min(...res.after).toFixed(1));
console.log('ratio after/before (median)', (med(res.after) / med(res.before)).toFixed(3));
