import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_TILL_AUTH } from './helpers.js';

/** Starts `server/main.ts` as `npm start` does, on a free port; resolves once it prints its URL. */
function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /ready on (http:\/\/\S+?)\/ /.exec(out);
      if (m) resolve(m[1]);
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    exited.then(() => reject(new Error(out)));
  });
  ready.catch(() => undefined); // a start that is meant to fail never becomes ready

  return { child, ready, exited, output: () => out };
}

test('the server starts in demo mode, answers /healthz, and closes cleanly on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ucc-main-'));
  const db = join(dir, 'nested', 'ucc.db');
  const s = start({ UCC_DB: db });
  try {
    const url = await s.ready;
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const session = await fetch(`${url}/v2/customers/lookup?identifierName=externalId&identifierValue=alice`, {
      headers: {
        authorization: 'Basic ' + Buffer.from('demo.till:' + 'e10adc3949ba59abbe56e057f20f883e').toString('base64'),
      },
    });
    assert.equal(session.status, 401, 'a wrong till password is refused');
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
    assert.ok(existsSync(db), 'the database file and its folder were created');
  } finally {
    s.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('production mode refuses to start without a real token secret, or with a demo one', async () => {
  for (const env of <Record<string, string>[]>[
    { UCC_DEMO: '0' },
    { UCC_DEMO: '0', UCC_TOKEN_SECRET: 'demo-server-token-secret-not-for-production' },
    { UCC_DEMO: '0', UCC_TOKEN_SECRET: 'short' },
  ]) {
    const s = start({ ...env, UCC_DB: ':memory:' });
    assert.equal(await s.exited, 1);
    assert.match(s.output(), /UCC_TOKEN_SECRET/);
  }
});

test('production mode seeds nothing and has no demo routes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ucc-prod-'));
  const s = start({
    UCC_DEMO: '0',
    UCC_TOKEN_SECRET: 'p'.repeat(48),
    UCC_ORGS_FILE: 'server/orgs.example.json',
    UCC_DB: join(dir, 'prod.db'),
  });
  try {
    const url = await s.ready;
    const demoAuth = DEMO_TILL_AUTH;
    assert.equal(
      (await fetch(`${url}/v3/targetGroups`, { headers: { authorization: demoAuth } })).status,
      401,
      'no demo organisation',
    );
    const demo = await fetch(`${url}/demo/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"customer":"alice"}',
    });
    assert.equal(demo.status, 404);
    s.child.kill('SIGINT');
    assert.equal(await s.exited, 0);
  } finally {
    s.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
