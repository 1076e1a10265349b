import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.js';
import { readConfig } from '../../server/config.js';
import { DEMO_ALLOWED_ORIGINS } from '../../server/seed.js';
import { errorOf, jsonOf, startServer, wcall, widgetApp, widgetToken } from './helpers.js';
import { testDb } from './store-under-test.js';

const BRAND = 'https://brand.example';

const preflight = (app: FastifyInstance, origin: string) =>
  app.inject({
    method: 'OPTIONS',
    url: '/ucc/v1/me/activities',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type,idempotency-key',
    },
  });

/** Asserts that a page at `origin` may call the demo organisation: preflight 204 and an authenticated 200, both with CORS headers. */
async function assertAllowed(app: FastifyInstance, origin: string) {
  const pre = await preflight(app, origin);
  assert.equal(pre.statusCode, 204);
  assert.equal(pre.headers['access-control-allow-origin'], origin);
  const res = await wcall(app, 'GET', 'me', { token: await widgetToken('alice'), headers: { origin } });
  jsonOf(res, 200);
  assert.equal(res.headers['access-control-allow-origin'], origin);
}

/** Asserts that a page at `origin` may not: preflight 403 and an authenticated 403 ORIGIN_NOT_ALLOWED, without CORS headers. */
async function assertRefused(app: FastifyInstance, origin: string) {
  const pre = await preflight(app, origin);
  errorOf(pre, 403, 'ORIGIN_NOT_ALLOWED');
  assert.equal(pre.headers['access-control-allow-origin'], undefined);
  const res = await wcall(app, 'GET', 'me', { token: await widgetToken('alice'), headers: { origin } });
  errorOf(res, 403, 'ORIGIN_NOT_ALLOWED');
  assert.equal(res.headers['access-control-allow-origin'], undefined);
}

describe('UCC_ALLOWED_ORIGINS: reading it', () => {
  it('is a comma-separated list of origins; spaces, empty entries and repeats are ignored', () => {
    assert.deepEqual(readConfig({}).allowedOrigins, []);
    assert.deepEqual(readConfig({ UCC_ALLOWED_ORIGINS: '' }).allowedOrigins, []);
    assert.deepEqual(
      readConfig({ UCC_ALLOWED_ORIGINS: ` ${BRAND}, http://localhost:3000,,${BRAND} ,https://[::1]:8443` })
        .allowedOrigins,
      [BRAND, 'http://localhost:3000', 'https://[::1]:8443'],
    );
  });

  it('refuses start-up on anything that is not an origin, saying which entry and what to write', () => {
    const refusal = (value: string) => {
      try {
        readConfig({ UCC_ALLOWED_ORIGINS: value });
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error(`accepted ${value}`);
    };
    assert.equal(
      refusal('https://brand.example/'),
      'UCC_ALLOWED_ORIGINS: "https://brand.example/" is not an origin as browsers send it; use "https://brand.example" (scheme://host[:port]: no path or trailing slash, lowercase host, no default port).',
    );
    assert.match(
      refusal('https://brand.example/shop'),
      /"https:\/\/brand\.example\/shop" is not an origin as browsers send it; use "https:\/\/brand\.example"/,
    );
    assert.match(refusal('https://Brand.Example:443'), /use "https:\/\/brand\.example"/);
    assert.equal(
      refusal('brand.example'),
      'UCC_ALLOWED_ORIGINS: "brand.example" is not an origin: write scheme://host[:port] (e.g. https://www.brand.example or http://localhost:3000).',
    );
    assert.match(
      refusal('ftp://brand.example'),
      /"ftp:\/\/brand\.example" is not an origin: the scheme must be http or https/,
    );
    assert.match(refusal('https://*.brand.example'), /wildcards are not supported; list each origin/);
    assert.equal(refusal(`${BRAND},nope,http://x.example/`).split('\n').length, 2, 'one line per bad entry');
  });

  it('is refused in production mode, pointing to the organisations file', () => {
    assert.throws(() => readConfig({ UCC_DEMO: '0', UCC_TOKEN_SECRET: 'p'.repeat(48), UCC_ALLOWED_ORIGINS: BRAND }), {
      message:
        'UCC_ALLOWED_ORIGINS only applies in demo mode (it adds page origins to the demo organisation). In production mode (UCC_DEMO=0) ' +
        'list each brand\'s page origins in its organisation\'s "allowedOrigins" in UCC_ORGS_FILE (see server/orgs.example.json), and unset UCC_ALLOWED_ORIGINS.',
    });
    assert.deepEqual(
      readConfig({ UCC_DEMO: '0', UCC_TOKEN_SECRET: 'p'.repeat(48), UCC_ALLOWED_ORIGINS: ' ' }).allowedOrigins,
      [],
      'empty is unset',
    );
  });
});

describe("UCC_ALLOWED_ORIGINS: a brand's page against the demo server", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ucc-origins-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('without it, a page at https://brand.example is refused (403, no CORS headers)', async () => {
    const app = await widgetApp();
    try {
      await assertRefused(app, BRAND);
    } finally {
      await app.close();
    }
  });

  it('with it, the page gets CORS headers and 2xx; the demo origins still work, others are still refused', async () => {
    const app = await widgetApp({ demoAllowedOrigins: [BRAND] });
    try {
      assert.deepEqual(app.ctx.orgs.get('demo')!.allowedOrigins, [...DEMO_ALLOWED_ORIGINS, BRAND]);
      await assertAllowed(app, BRAND);
      await assertAllowed(app, 'http://127.0.0.1:8787');
      await assertRefused(app, 'https://www.brand.example');
      assert.deepEqual(app.ctx.orgs.get('noucc')!.allowedOrigins, [], 'only the demo organisation');
    } finally {
      await app.close();
    }
  });

  it('survives POST /demo/reset', async () => {
    const app = await widgetApp({ demoAllowedOrigins: [BRAND] });
    try {
      jsonOf(await app.inject({ method: 'POST', url: '/demo/reset', payload: {} }), 200);
      await assertAllowed(app, BRAND);
    } finally {
      await app.close();
    }
  });

  it('follows the setting on every start of an existing database: added, then removed', async () => {
    const db = testDb(dir, 'restart.db');
    for (const [origins, allowed] of [
      [[], false],
      [[BRAND], true],
      [[], false],
    ] as const) {
      const app = await buildApp({ db, demo: true, demoAllowedOrigins: origins, serveStatic: false });
      try {
        await (allowed ? assertAllowed : assertRefused)(app, BRAND);
      } finally {
        await app.close();
      }
    }
  });

  it('the server process: UCC_ALLOWED_ORIGINS lets a brand page call it, and it says so', async () => {
    const s = startServer({
      UCC_DB: join(dir, 'process.db'),
      UCC_ALLOWED_ORIGINS: `${BRAND}, https://www.brand.example`,
    });
    try {
      const url = await s.ready;
      const session = await fetch(`${url}/demo/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"customer":"alice"}',
      });
      const { token } = (await session.json()) as { token: string };
      const pre = await fetch(`${url}/ucc/v1/me`, {
        method: 'OPTIONS',
        headers: {
          origin: BRAND,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), BRAND);
      const me = await fetch(`${url}/ucc/v1/me`, { headers: { authorization: `Bearer ${token}`, origin: BRAND } });
      assert.equal(me.status, 200);
      assert.equal(me.headers.get('access-control-allow-origin'), BRAND);
      assert.match(
        s.stdout(),
        /Pages at https:\/\/brand\.example, https:\/\/www\.brand\.example may call the widget API as the demo organisation \(UCC_ALLOWED_ORIGINS\)\./,
      );
      s.child.kill('SIGTERM');
      assert.equal(await s.exited, 0);
    } finally {
      s.child.kill('SIGKILL');
    }
  });

  it('the server process refuses a bad entry, and the setting in production mode: exit 1, the reason, no stack trace', async () => {
    const bad = startServer({ UCC_DB: ':memory:', UCC_ALLOWED_ORIGINS: 'https://brand.example/' });
    assert.equal(await bad.exited, 1);
    assert.equal(
      bad.stderr(),
      'ucc-widgets: cannot start: UCC_ALLOWED_ORIGINS: "https://brand.example/" is not an origin as browsers send it; use "https://brand.example" (scheme://host[:port]: no path or trailing slash, lowercase host, no default port).\n',
    );
    const prod = startServer({
      UCC_DB: ':memory:',
      UCC_DEMO: '0',
      UCC_TOKEN_SECRET: 'p'.repeat(48),
      UCC_ALLOWED_ORIGINS: BRAND,
    });
    assert.equal(await prod.exited, 1);
    assert.match(
      prod.stderr(),
      /^ucc-widgets: cannot start: UCC_ALLOWED_ORIGINS only applies in demo mode .* "allowedOrigins" in UCC_ORGS_FILE/,
    );
    assert.doesNotMatch(bad.stderr() + prod.stderr(), /^\s+at /m, 'no stack trace');
  });
});
