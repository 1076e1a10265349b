/**
 * The fault suite (issue 11): the real server process (server/main.ts) on a real SQLite file,
 * with the storage failing under it — another process holding the write lock, the data folder
 * removed, a full disk (a file size limit set with prlimit) — and SIGKILL under load.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DEMO_TILL_AUTH, startServer, widgetToken } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const headers = (token: string, key?: string) => ({
  'content-type': 'application/json',
  authorization: `Bearer ${token}`,
  ...(key ? { 'idempotency-key': key } : {}),
});

/** A request with its time in ms; status 0 when no answer came within 10 s. */
async function timed(url: string, init: RequestInit = {}) {
  const t = performance.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    return {
      status: res.status,
      ms: performance.now() - t,
      json: text ? JSON.parse(text) : null,
      retryAfter: res.headers.get('retry-after'),
    };
  } catch {
    return { status: 0, ms: performance.now() - t, json: null, retryAfter: null };
  }
}

/** Another process that takes SQLite's write lock on `db` (BEGIN IMMEDIATE) and keeps it until killed. */
async function holdWriteLock(db: string): Promise<ChildProcess> {
  const code = `const D = require('better-sqlite3'); const d = new D(process.argv[1]); d.exec('BEGIN IMMEDIATE'); console.log('locked'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', code, db], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout!.on('data', resolve);
    child.on('exit', reject);
  });
  return child;
}
const release = async (holder: ChildProcess) => {
  holder.kill('SIGTERM');
  if (holder.exitCode === null && holder.signalCode === null) await new Promise((r) => holder.on('exit', r));
};

/** A demo-mode server on `db` with a customer and a daily water challenge. */
async function serverWithChallenge(db: string, customer = 'alice') {
  const s = startServer({ UCC_DB: db });
  const url = await s.ready;
  const token = await widgetToken(customer);
  const res = await fetch(`${url}/ucc/v1/me/challenges`, {
    method: 'POST',
    headers: headers(token),
    body: JSON.stringify({ templateId: 'water', target: 8, period: 'DAILY', periods: 7 }),
  });
  assert.equal(res.status, 201);
  const challengeId = (await res.json()).challenge.id as string;
  const log = (key: string, quantity = 1) =>
    timed(`${url}/ucc/v1/me/activities`, {
      method: 'POST',
      headers: headers(token, key),
      body: JSON.stringify({ challengeId, quantity }),
    });
  return { s, url, token, challengeId, log };
}

/** Rows of the activities and events tables, read from the file once the server is gone. */
function rowCounts(db: string) {
  const d = new Database(db, { readonly: true });
  try {
    return {
      activities: (d.prepare('SELECT count(*) AS n FROM activities').get() as { n: number }).n,
      events: (d.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n,
    };
  } finally {
    d.close();
  }
}

const assertStorageUnavailable = (r: Awaited<ReturnType<typeof timed>>, what: string) => {
  assert.equal(r.status, 503, `${what}: ${JSON.stringify(r.json)}`);
  assert.equal(r.json?.error?.code, 'STORAGE_UNAVAILABLE', what);
  assert.ok(r.json.error.message.length > 0);
  assert.equal(r.retryAfter, '1', `${what}: Retry-After`);
  assert.ok(r.ms < 2000, `${what} answered in ${Math.round(r.ms)} ms (≤ 2 s)`);
};

test('with the write lock held by another process, logs answer 503 STORAGE_UNAVAILABLE within 2 s, reads and /healthz stay fast, nothing partial is written, and all works again once it is released', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ucc-fault-lock-'));
  const db = join(dir, 'ucc.db');
  const { s, url, log } = await serverWithChallenge(db);
  let holder: ChildProcess | undefined;
  try {
    assert.equal((await log('before')).status, 201);
    holder = await holdWriteLock(db);
    const lockedAt = performance.now();
    // /healthz is polled the whole time: the server's event loop must never stall.
    let worstHealth = 0;
    const healthStatuses = new Set<number>();
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const h = await timed(`${url}/healthz`);
        worstHealth = Math.max(worstHealth, h.ms);
        healthStatuses.add(h.status);
        await sleep(50);
      }
    })();
    const [a, b, c] = await Promise.all([log('held-1'), log('held-2', 2), log('held-3', 3)]);
    for (const [i, r] of [a, b, c].entries()) assertStorageUnavailable(r, `log ${i + 1} while the lock is held`);
    assertStorageUnavailable(await log('held-4'), 'a log sent alone while the lock is held');
    const capillary = await timed(`${url}/v2/customers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: DEMO_TILL_AUTH },
      body: JSON.stringify({ externalId: 'locked-out' }),
    });
    assert.equal(capillary.status, 503);
    assert.deepEqual(
      capillary.json.errors.map((e: { code: number }) => e.code),
      [310909],
      'Capillary envelope, STORAGE_UNAVAILABLE code',
    );
    assert.ok(capillary.ms < 2000);
    const me = await timed(`${url}/ucc/v1/me`, { headers: headers(await widgetToken('alice')) });
    assert.equal(me.status, 200, 'a read needs no write lock');
    assert.ok(me.ms < 2000);
    await sleep(10_000 - (performance.now() - lockedAt)); // the lock is held for 10 s in all
    polling = false;
    await poller;
    assert.deepEqual([...healthStatuses], [503], '/healthz reports the fault while the lock is held');
    assert.ok(worstHealth < 500, `/healthz answered in ≤ ${Math.round(worstHealth)} ms while logs waited for the lock`);
    const health = await timed(`${url}/healthz`);
    assert.equal(health.json.error.code, 'STORAGE_UNAVAILABLE');

    await release(holder);
    assert.equal((await timed(`${url}/healthz`)).status, 200, '/healthz is 200 again once the lock is released');
    assert.equal((await log('after')).status, 201);
    assert.equal((await log('held-1')).status, 201, 'a refused log can be sent again with its key');
  } finally {
    if (holder) await release(holder);
    s.child.kill('SIGTERM');
    await s.exited;
  }
  assert.deepEqual(rowCounts(db), { activities: 3, events: 3 }, 'only the three acknowledged logs are stored');
  rmSync(dir, { recursive: true, force: true });
});

test('SIGTERM stops the server within 5 s while another process holds the write lock and a log is waiting for it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ucc-fault-term-'));
  const db = join(dir, 'ucc.db');
  const { s, log } = await serverWithChallenge(db);
  const holder = await holdWriteLock(db);
  try {
    const pending = log('pending');
    await sleep(200);
    const t = performance.now();
    s.child.kill('SIGTERM');
    const code = await Promise.race([s.exited, sleep(5000).then(() => 'still running')]);
    assert.notEqual(code, 'still running', 'the process exited within 5 s');
    assert.ok(performance.now() - t < 5000);
    assert.equal((await pending).status, 503, 'the waiting log was answered before the exit');
  } finally {
    s.child.kill('SIGKILL');
    await release(holder);
  }
  assert.equal(rowCounts(db).activities, 0);
  rmSync(dir, { recursive: true, force: true });
});

test('with the database folder removed while running, writes answer 503 and /healthz 503 — never a 201 for a log that would be lost', async () => {
  const base = mkdtempSync(join(tmpdir(), 'ucc-fault-folder-'));
  const db = join(base, 'data', 'ucc.db');
  const { s, url, log } = await serverWithChallenge(db);
  try {
    assert.equal((await log('kept')).status, 201);
    rmSync(join(base, 'data'), { recursive: true, force: true });
    // At once, before the periodic check has seen it: the check at commit refuses.
    assertStorageUnavailable(await log('lost-1'), 'a log right after the folder was removed');
    const later = await Promise.all(Array.from({ length: 5 }, (_, i) => log(`lost-${i + 2}`)));
    for (const r of later) assertStorageUnavailable(r, 'a log after the folder was removed');
    const capillary = await timed(`${url}/v2/customers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: DEMO_TILL_AUTH },
      body: JSON.stringify({ externalId: 'nowhere' }),
    });
    assert.equal(capillary.status, 503);
    const health = await timed(`${url}/healthz`);
    assert.equal(health.status, 503);
    assert.match(health.json.error.message, /is gone/);
  } finally {
    s.child.kill('SIGTERM');
    await s.exited;
    rmSync(base, { recursive: true, force: true });
  }
});

test('with the database file replaced by another file while running, writes answer 503 and /healthz names the replacement', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ucc-fault-replaced-'));
  const db = join(dir, 'ucc.db');
  const { s, url, log } = await serverWithChallenge(db);
  try {
    assert.equal((await log('kept')).status, 201);
    copyFileSync(db, `${db}.copy`);
    renameSync(`${db}.copy`, db); // a restore from backup over the open file
    assertStorageUnavailable(await log('to-the-old-file'), 'a log after the file was replaced');
    const health = await timed(`${url}/healthz`);
    assert.equal(health.status, 503);
    assert.match(health.json.error.message, /was replaced/);
  } finally {
    s.child.kill('SIGTERM');
    await s.exited;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with the disk full (a file size limit on the server process), logs answer 503, nothing partial is written, and logging works again once space returns', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ucc-fault-full-'));
  const db = join(dir, 'ucc.db');
  const { s, url, log } = await serverWithChallenge(db);
  const limit = (fsize: string) =>
    assert.equal(spawnSync('prlimit', ['--pid', String(s.child.pid), `--fsize=${fsize}`]).status, 0, 'prlimit');
  try {
    assert.equal((await log('before')).status, 201);
    limit('1:unlimited'); // soft limit 1 byte: any write past it fails with EFBIG (SIGXFSZ is ignored by the server)
    const full = await Promise.all(Array.from({ length: 5 }, (_, i) => log(`full-${i}`, i + 1)));
    for (const r of full) assertStorageUnavailable(r, 'a log with the disk full');
    assertStorageUnavailable(await log('full-alone'), 'a log sent alone with the disk full');
    assert.equal((await timed(`${url}/healthz`)).status, 503, '/healthz reports the failed write');
    assert.equal(s.child.exitCode, null, 'the process is still running');

    limit('unlimited:unlimited');
    assert.equal((await log('after')).status, 201, 'a log is stored again once space returns');
    assert.equal((await log('full-0', 1)).status, 201, 'a refused log can be sent again with its key');
    assert.equal((await timed(`${url}/healthz`)).status, 200);
  } finally {
    s.child.kill('SIGTERM');
    await s.exited;
  }
  assert.deepEqual(rowCounts(db), { activities: 3, events: 3 }, 'only the acknowledged logs are stored');
  rmSync(dir, { recursive: true, force: true });
});

test('SIGKILL under load (20 clients): no acknowledged log is lost or stored twice, and replays after the restart return the original activity', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ucc-fault-kill-'));
  const db = join(dir, 'ucc.db');
  let s = startServer({ UCC_DB: db });
  let url = await s.ready;
  const clients = await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const token = await widgetToken(`load-${i}`);
      const res = await fetch(`${url}/ucc/v1/me/challenges`, {
        method: 'POST',
        headers: headers(token),
        body: JSON.stringify({ templateId: 'water', target: 8, period: 'DAILY', periods: 7 }),
      });
      return { token, challengeId: (await res.json()).challenge.id as string };
    }),
  );
  const acked: {
    client: number;
    key: string;
    body: string;
    activity: { id: string; quantity: number; occurredAt: string };
  }[] = [];
  let stop = false;
  const loops = clients.map(async (c, i) => {
    for (let n = 0; !stop; n++) {
      const key = `c${i}-${n}`,
        body = JSON.stringify({ challengeId: c.challengeId, quantity: (n % 3) + 1 });
      try {
        const res = await fetch(`${url}/ucc/v1/me/activities`, {
          method: 'POST',
          headers: headers(c.token, key),
          body,
        });
        if (res.status === 201) acked.push({ client: i, key, body, activity: (await res.json()).activity });
      } catch {
        return;
      } // the server is gone
    }
  });
  await sleep(1500);
  s.child.kill('SIGKILL');
  stop = true;
  await Promise.all(loops);
  await s.exited;
  assert.ok(acked.length > 100, `${acked.length} logs acknowledged before the kill`);

  s = startServer({ UCC_DB: db });
  url = await s.ready;
  try {
    const stored = rowCounts(db);
    assert.ok(stored.activities >= acked.length, `${stored.activities} stored ≥ ${acked.length} acknowledged`);
    for (const [i, c] of clients.entries()) {
      const list = await (await fetch(`${url}/ucc/v1/me/activities?limit=500`, { headers: headers(c.token) })).json();
      const ids = new Set(list.activities.map((a: { id: string }) => a.id));
      assert.equal(ids.size, list.activities.length);
      for (const a of acked.filter((x) => x.client === i))
        assert.ok(ids.has(a.activity.id), `acknowledged log ${a.key} is stored`);
    }
    // Replays (same key, same body) answer with the original activity and store nothing new.
    const replays = await Promise.all(
      acked.map(async (a) => {
        const res = await fetch(`${url}/ucc/v1/me/activities`, {
          method: 'POST',
          headers: headers(clients[a.client].token, a.key),
          body: a.body,
        });
        return { a, status: res.status, activity: (await res.json()).activity };
      }),
    );
    for (const r of replays) {
      assert.equal(r.status, 201);
      assert.deepEqual(r.activity, r.a.activity, `replay of ${r.a.key} returns the original activity`);
    }
    assert.deepEqual(rowCounts(db), stored, 'replays stored nothing new (no duplicates)');
  } finally {
    s.child.kill('SIGTERM');
    await s.exited;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('UCC_DURABILITY takes normal or full, and the server refuses to start on anything else, naming the variable', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ucc-fault-durability-'));
  try {
    for (const value of ['fsync', 'FULLY', '2']) {
      const s = startServer({ UCC_DB: join(dir, 'refused.db'), UCC_DURABILITY: value });
      assert.equal(await s.exited, 1, `UCC_DURABILITY=${value} is refused`);
      assert.match(s.stderr(), new RegExp(`UCC_DURABILITY must be "normal".*"full".*got "${value}"`));
    }
    const { s } = await serverWithChallenge(join(dir, 'full.db')); // a challenge to log on, made with the default durability
    s.child.kill('SIGTERM');
    await s.exited;
    const full = startServer({ UCC_DB: join(dir, 'full.db'), UCC_DURABILITY: 'Full' });
    const url = await full.ready;
    const token = await widgetToken('alice');
    const list = await (await fetch(`${url}/ucc/v1/me/challenges`, { headers: headers(token) })).json();
    const res = await fetch(`${url}/ucc/v1/me/activities`, {
      method: 'POST',
      headers: headers(token, 'durable'),
      body: JSON.stringify({ challengeId: list.challenges[0].id, quantity: 1 }),
    });
    assert.equal(res.status, 201, 'UCC_DURABILITY=full (any case) starts and stores logs');
    full.child.kill('SIGTERM');
    await full.exited;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
