/**
 * Issue 11, the edges an attacker or an unlucky operator reaches first: the UCC_DEMO spellings,
 * CSRF on the demo routes, rate limits and failed-login waits on the Capillary surface, security
 * headers, tokens kept out of the logs, every error in its surface's envelope (431 included), and
 * the production start-up's deep check of the organisations file.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { DEMO_TILL_AUTH, errorOf, jsonOf, startServer, tillAuth, wcall, widgetApp, widgetToken } from './helpers.js';
import { testDb } from './store-under-test.js';
import { LoginFailures } from '../../server/widget-api/rate-limit.js';
import { parseDemo } from '../../server/config.js';
import { readOrgsFile, startupProblems } from '../../server/orgs-file.js';
import { redactUrl } from '../../server/app.js';

const SECRET = 'p'.repeat(48);
const example = () => JSON.parse(readFileSync('server/orgs.example.json', 'utf8'));

describe('UCC_DEMO spellings', () => {
  it('takes exactly 1/true and 0/false in any case; unset is demo mode', () => {
    for (const v of ['1', 'true', 'TRUE', 'True', ' true ']) assert.equal(parseDemo(v), true, v);
    for (const v of ['0', 'false', 'FALSE', 'False']) assert.equal(parseDemo(v), false, v);
    assert.equal(parseDemo(undefined), true);
  });

  for (const v of ['off', 'no', 'production', 'yes', '']) {
    it(`refuses to start on UCC_DEMO=${JSON.stringify(v)} (exit 1, naming UCC_DEMO), rather than run demo mode`, async () => {
      const s = startServer({ UCC_DEMO: v, UCC_DB: ':memory:', UCC_TOKEN_SECRET: SECRET });
      assert.equal(await s.exited, 1);
      assert.match(
        s.stderr(),
        new RegExp(
          `cannot start: UCC_DEMO must be 1 or true \\(demo mode\\) or 0 or false \\(production mode\\); got ${JSON.stringify(JSON.stringify(v)).slice(1, -1)}`,
        ),
      );
      assert.doesNotMatch(s.stdout(), /ready on/);
    });
  }

  it('UCC_DEMO=FALSE is production mode: it refuses to start without UCC_ORGS_FILE', async () => {
    const s = startServer({ UCC_DEMO: 'FALSE', UCC_DB: ':memory:', UCC_TOKEN_SECRET: SECRET });
    assert.equal(await s.exited, 1);
    assert.match(s.stderr(), /cannot start: Production mode \(UCC_DEMO=0\) needs UCC_ORGS_FILE/);
  });
});

describe('CSRF on the demo routes', () => {
  let app: FastifyInstance;
  const own = 'http://localhost:80'; // app.inject's Host
  before(async () => {
    app = await widgetApp();
  });
  after(() => app.close());

  const reset = (headers: Record<string, string>, payload?: string) =>
    app.inject({ method: 'POST', url: '/demo/reset', headers, ...(payload !== undefined ? { payload } : {}) });

  it('a cross-site body-less POST /demo/reset is refused (403) and changes nothing', async () => {
    jsonOf(await wcall(app, 'POST', '/demo/clock', { body: { advanceDays: 2 } }), 200);
    errorOf(await reset({ origin: 'https://evil.example' }), 403, 'ORIGIN_NOT_ALLOWED');
    errorOf(
      await reset({ origin: 'https://evil.example', 'content-type': 'application/json' }, '{}'),
      403,
      'ORIGIN_NOT_ALLOWED',
    );
    errorOf(await reset({ origin: 'null', 'content-type': 'application/json' }, '{}'), 403, 'ORIGIN_NOT_ALLOWED');
    errorOf(
      await reset({ 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' }, '{}'),
      403,
      'ORIGIN_NOT_ALLOWED',
    );
    assert.equal(app.ctx.clock.offsetMs, 2 * 86_400_000, 'the clock was not reset');
  });

  it('a demo POST without a JSON body is refused (415 simple-request bodies, 400 empty JSON), even from the own origin', async () => {
    errorOf(await reset({ origin: own }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    errorOf(await reset({ origin: own, 'content-type': 'text/plain' }, '{}'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    errorOf(
      await reset({ origin: own, 'content-type': 'application/x-www-form-urlencoded' }, 'a=1'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    errorOf(await reset({ origin: own, 'content-type': 'application/json' }), 400, 'VALIDATION_FAILED');
    errorOf(await reset({ origin: own, 'content-type': 'application/json' }, '{"all":true}'), 400, 'VALIDATION_FAILED');
    assert.notEqual(app.ctx.clock.offsetMs, 0);
  });

  it('resets with {} from the own origin, an origin the demo organisation lists, or a non-browser client', async () => {
    for (const headers of [
      { origin: own },
      { origin: 'http://localhost:8787' },
      {},
      { 'sec-fetch-site': 'same-origin' },
    ] as Record<string, string>[]) {
      jsonOf(await wcall(app, 'POST', '/demo/clock', { body: { advanceDays: 1 } }), 200);
      jsonOf(await reset({ ...headers, 'content-type': 'application/json; charset=utf-8' }, '{}'), 200);
      assert.equal(app.ctx.clock.offsetMs, 0, JSON.stringify(headers));
    }
  });

  it('POST /demo/session is rate limited per address (429, Retry-After)', async () => {
    const limited = await widgetApp({
      rateLimits: { perCustomerPerMinute: 1e5, perIpPerMinute: 1e5, demoSessionPerMinute: 3 },
    });
    try {
      for (let i = 0; i < 3; i++)
        jsonOf(await wcall(limited, 'POST', '/demo/session', { body: { customer: 'alice' } }), 200);
      const res = await wcall(limited, 'POST', '/demo/session', { body: { customer: 'alice' } });
      const e = errorOf(res, 429, 'RATE_LIMITED');
      assert.ok(Number(res.headers['retry-after']) >= 1);
      assert.equal(e.details?.retryAfterSeconds, Number(res.headers['retry-after']));
      jsonOf(
        await limited.inject({
          method: 'POST',
          url: '/demo/session',
          payload: { customer: 'alice' },
          remoteAddress: '10.0.0.2',
        }),
        200,
      );
    } finally {
      await limited.close();
    }
  });
});

describe('Capillary rate limits and failed logins', () => {
  it('LoginFailures: a free budget, then each failure or refused attempt doubles the wait, capped; a login forgives', () => {
    const f = new LoginFailures(3, 8, 60_000);
    const t = 1_000_000;
    assert.deepEqual([f.fail('k', t), f.fail('k', t), f.fail('k', t)], [0, 0, 0]);
    assert.equal(f.wait('k', t), 0);
    assert.deepEqual(
      [1, 2, 3, 4, 5].map(() => f.fail('k', t)),
      [1, 2, 4, 8, 8],
    );
    assert.equal(f.wait('k', t), 8);
    assert.equal(f.wait('k', t + 8_000), 0, 'the wait ends');
    f.succeed('k');
    assert.equal(f.fail('k', t + 9_000), 0, 'forgiven: the free budget again');
    assert.equal(f.fail('other', t + 200_000), 0);
    assert.equal(f.wait('k', t + 9_000 + 60_000), 0, 'forgotten after forgetMs');
  });

  async function attack(
    app: FastifyInstance,
    attempt: (i: number) => Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }>,
  ) {
    const statuses: number[] = [],
      waits: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const res = await attempt(i);
      statuses.push(res.statusCode);
      if (res.statusCode === 429) waits.push(Number(res.headers['retry-after']));
    }
    return { statuses, waits };
  }
  const checkAttack = ({ statuses, waits }: { statuses: number[]; waits: number[] }) => {
    // Ten free failures, and the eleventh (its password checked and wrong: 401) starts a 1 s wait;
    // every later attempt is refused unchecked, and doubles the wait.
    assert.deepEqual(statuses.slice(0, 11), Array(11).fill(401));
    assert.equal(statuses.filter((s) => s === 429).length, 989, 'then every attempt is refused');
    assert.ok(
      waits.every((w, i) => i === 0 || w >= waits[i - 1]),
      'Retry-After never shrinks',
    );
    assert.deepEqual(waits.slice(0, 6), [2, 4, 8, 16, 32, 64], 'it doubles');
    assert.equal(Math.max(...waits), 300, 'capped at 5 minutes');
  };

  it('1,000 wrong Basic passwords: 11 × 401, then 989 × 429 with a growing Retry-After, in the v2 envelope; the till is locked even for its right password', async () => {
    const app = await widgetApp();
    try {
      const result = await attack(app, (i) =>
        app.inject({
          method: 'GET',
          url: '/v2/events',
          headers: { authorization: tillAuth('demo.till', `guess-${i}`) },
        }),
      );
      checkAttack(result);
      const locked = await app.inject({
        method: 'GET',
        url: '/v2/events',
        headers: { authorization: DEMO_TILL_AUTH },
        remoteAddress: '10.9.9.9',
      });
      assert.equal(locked.statusCode, 429);
      assert.deepEqual(
        locked.json().errors.map((e: { code: number }) => e.code),
        [429],
      );
      assert.match(locked.json().errors[0].message, /Too many failed logins .* try again in \d+ s\./);
      assert.deepEqual(locked.json().warnings, []);
      // Another till from another address is not affected.
      assert.equal(
        (
          await app.inject({
            method: 'GET',
            url: '/v2/events',
            headers: { authorization: tillAuth('noucc.till', 'noucc.pass') },
            remoteAddress: '10.9.9.8',
          })
        ).statusCode,
        200,
      );
    } finally {
      await app.close();
    }
  });

  it('1,000 wrong OAuth client secrets: the same, in the v3 envelope', async () => {
    const app = await widgetApp();
    try {
      const result = await attack(app, (i) =>
        app.inject({
          method: 'POST',
          url: '/v3/oauth/token/generate',
          payload: { key: 'demo-key', secret: `guess-${i}` },
        }),
      );
      checkAttack(result);
      const res = await app.inject({
        method: 'POST',
        url: '/v3/oauth/token/generate',
        payload: { key: 'demo-key', secret: 'demo-secret' },
      });
      assert.equal(res.statusCode, 429);
      assert.deepEqual(res.json(), {
        data: null,
        errors: [{ code: 429, message: res.json().errors[0].message }],
        warnings: null,
      });
    } finally {
      await app.close();
    }
  });

  it('a right login forgives earlier failures of its credential', async () => {
    const app = await widgetApp();
    try {
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 9; i++)
          assert.equal(
            (
              await app.inject({
                method: 'GET',
                url: '/v2/events',
                headers: { authorization: tillAuth('demo.till', 'nope') },
                remoteAddress: `10.1.${round}.${i}`,
              })
            ).statusCode,
            401,
          );
        assert.equal(
          (await app.inject({ method: 'GET', url: '/v2/events', headers: { authorization: DEMO_TILL_AUTH } }))
            .statusCode,
          200,
        );
      }
    } finally {
      await app.close();
    }
  });

  it("per credential and per address request budgets answer 429 with Retry-After in each family's envelope", async () => {
    const app = await widgetApp({
      rateLimits: {
        perCustomerPerMinute: 1e5,
        perIpPerMinute: 1e5,
        capillaryPerCredentialPerMinute: 5,
        capillaryPerIpPerMinute: 3,
      },
    });
    try {
      for (let i = 0; i < 5; i++)
        assert.equal(
          (
            await app.inject({
              method: 'GET',
              url: '/v2/events',
              headers: { authorization: DEMO_TILL_AUTH },
              remoteAddress: `10.2.0.${i}`,
            })
          ).statusCode,
          200,
        );
      const perCredential = await app.inject({
        method: 'GET',
        url: '/v3/targetGroups',
        headers: { authorization: DEMO_TILL_AUTH },
        remoteAddress: '10.2.0.9',
      });
      assert.equal(perCredential.statusCode, 429);
      assert.ok(Number(perCredential.headers['retry-after']) >= 1);
      assert.match(perCredential.json().errors[0].message, /Too many requests for this credential/);
      assert.equal(perCredential.json().data, null);
      for (let i = 0; i < 3; i++)
        await app.inject({
          method: 'GET',
          url: '/v2/events',
          headers: { authorization: tillAuth('noucc.till', 'noucc.pass') },
          remoteAddress: '10.3.0.1',
        });
      const perIp = await app.inject({
        method: 'POST',
        url: '/api_gateway/loyalty/v1/programs/1/createPromotion/simple',
        payload: {},
        headers: { authorization: tillAuth('noucc.till', 'noucc.pass') },
        remoteAddress: '10.3.0.1',
      });
      assert.equal(perIp.statusCode, 429);
      assert.ok(Number(perIp.headers['retry-after']) >= 1);
      assert.deepEqual(perIp.json().status, { code: 429, message: 'failure' });
      assert.match(perIp.json().validationErrors[0].message, /Too many requests from this address/);
    } finally {
      await app.close();
    }
  });
});

describe('security headers', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await widgetApp();
  });
  after(() => app.close());

  const API = {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'cross-origin',
  };

  it('on the widget API, the Capillary API, health and 404s: nosniff, Referrer-Policy, frame-ancestors none, CORP cross-origin', async () => {
    for (const [method, url] of [
      ['GET', '/ucc/v1/me'],
      ['GET', '/v2/events'],
      ['POST', '/v3/oauth/token/generate'],
      ['GET', '/healthz'],
      ['GET', '/nope'],
      ['POST', '/webhooks/demo'],
    ] as const) {
      const res = await app.inject({ method, url, ...(method === 'POST' ? { payload: {} } : {}) });
      for (const [k, v] of Object.entries(API)) assert.equal(res.headers[k], v, `${url} ${k}`);
      assert.equal(res.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'", url);
      assert.equal(res.headers['x-frame-options'], 'DENY', url);
    }
  });

  it("on the demo pages: a CSP allowing this server's scripts and the pages' own inline scripts by hash, framing by itself only", async () => {
    for (const url of ['/', '/embed.html']) {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200);
      const csp = String(res.headers['content-security-policy']);
      const script = /script-src ([^;]+)/.exec(csp)![1];
      assert.match(script, /^'self'( 'sha256-[A-Za-z0-9+/=]+')+$/, 'no unsafe-inline scripts');
      assert.match(csp, /frame-ancestors 'self'/);
      assert.match(csp, /object-src 'none'/);
      assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN');
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
      assert.equal(res.headers['strict-transport-security'], undefined, "HSTS is the TLS proxy's");
      // Every inline script of the page is covered by a hash.
      const { createHash } = await import('node:crypto');
      for (const m of res.body.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
        assert.ok(
          script.includes(`'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`),
          `${url}: an inline script without its hash`,
        );
      }
    }
  });

  it("on the widget files: CORP cross-origin (a brand page's plain script tag still loads) and nosniff", async () => {
    const res = await app.inject({ method: 'GET', url: '/ucc-widgets.js' });
    assert.ok([200, 503].includes(res.statusCode));
    assert.equal(res.headers['cross-origin-resource-policy'], 'cross-origin');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['access-control-allow-origin'], '*');
  });

  it('on /docs (swagger-ui): a CSP of its own scripts and styles, same-origin framing', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs' });
    assert.equal(res.statusCode, 200);
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /script-src 'self';/);
    assert.match(csp, /frame-ancestors 'self'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.doesNotMatch(
      res.body,
      /<script(?![^>]*\bsrc=)[^>]*>\s*\S/,
      'swagger-ui has no inline script the CSP would block',
    );
  });
});

describe('tokens never written to logs', () => {
  it('redactUrl hides credential query values and keeps the rest', () => {
    assert.equal(redactUrl('/ucc/v1/me?token=abc&lang=es'), '/ucc/v1/me?token=[redacted]&lang=es');
    assert.equal(
      redactUrl('/x?access_token=a&client_secret=b&apiKey=c&q=1'),
      '/x?access_token=[redacted]&client_secret=[redacted]&apiKey=[redacted]&q=1',
    );
    assert.equal(redactUrl('/ucc/v1/me'), '/ucc/v1/me');
  });

  it('with LOG_LEVEL=info, a token in the Authorization header, the query string, a cookie or X-CAP-API-OAUTH-TOKEN is not in the log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ucc-logs-'));
    const s = startServer({ LOG_LEVEL: 'info', UCC_DB: join(dir, 'log.db') });
    try {
      const url = await s.ready;
      const token = await widgetToken('alice');
      await (
        await fetch(`${url}/ucc/v1/me?token=QUERYSECRET123&lang=es`, {
          headers: { authorization: `Bearer ${token}`, cookie: 'session=COOKIESECRET789' },
        })
      ).text();
      await (
        await fetch(`${url}/v2/events?access_token=QUERYSECRET456`, {
          headers: { 'x-cap-api-oauth-token': 'OAUTHSECRET000', authorization: DEMO_TILL_AUTH },
        })
      ).text();
      await (await fetch(`${url}/nope?token=QUERYSECRET789`)).text();
      s.child.kill('SIGTERM');
      await s.exited;
      const log = s.stdout() + s.stderr();
      assert.match(
        log,
        /"url":"\/ucc\/v1\/me\?token=\[redacted\]&lang=es"/,
        'the request is logged, its token redacted',
      );
      for (const secret of [
        'QUERYSECRET123',
        'QUERYSECRET456',
        'QUERYSECRET789',
        'COOKIESECRET789',
        'OAUTHSECRET000',
        token,
        token.split('.')[2],
        DEMO_TILL_AUTH.slice(6),
      ]) {
        assert.equal(log.includes(secret), false, `${secret.slice(0, 20)}… is in the log`);
      }
    } finally {
      s.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("every error in its surface's envelope", () => {
  let app: FastifyInstance;
  let token: string;
  before(async () => {
    app = await widgetApp();
    token = await widgetToken('alice');
  });
  after(() => app.close());

  it('widget API: bad JSON 400, wrong content type 415, body over 64 KB 413, bad URL 400 — all {"error": {code, message}}', async () => {
    const post = (headers: Record<string, string>, payload: string) =>
      app.inject({
        method: 'POST',
        url: '/ucc/v1/me/activities',
        headers: { authorization: `Bearer ${token}`, 'idempotency-key': 'k1', ...headers },
        payload,
      });
    errorOf(await post({ 'content-type': 'application/json' }, '{bad'), 400, 'VALIDATION_FAILED');
    errorOf(await post({ 'content-type': 'text/xml' }, '<x/>'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    errorOf(await post({ 'content-type': 'text/plain' }, 'x'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    errorOf(
      await post({ 'content-type': 'application/json' }, JSON.stringify({ a: 'x'.repeat(70_000) })),
      413,
      'BODY_TOO_LARGE',
    );
    errorOf(await app.inject({ method: 'GET', url: '/ucc/v1/%zz' }), 400, 'VALIDATION_FAILED');
    errorOf(await wcall(app, 'GET', 'nope', { token }), 404, 'NOT_FOUND');
  });

  it('Capillary API: the same faults in the v3, v2, gateway and webhook envelopes with code 300004', async () => {
    const auth = { authorization: DEMO_TILL_AUTH };
    const v3 = await app.inject({
      method: 'POST',
      url: '/v3/targetGroups',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ a: 'x'.repeat(70_000) }),
    });
    assert.equal(v3.statusCode, 413);
    assert.deepEqual(v3.json(), {
      data: null,
      errors: [{ code: 300004, message: 'The request body is too large.' }],
      warnings: null,
    });
    const v2 = await app.inject({
      method: 'POST',
      url: '/v2/customers',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{bad',
    });
    assert.equal(v2.statusCode, 400);
    assert.deepEqual(
      v2.json().errors.map((e: { code: number }) => e.code),
      [300004],
    );
    const gw = await app.inject({
      method: 'POST',
      url: '/api_gateway/loyalty/v1/programs/1/createPromotion/simple',
      headers: { ...auth, 'content-type': 'text/xml' },
      payload: '<x/>',
    });
    assert.equal(gw.statusCode, 415);
    assert.deepEqual(gw.json().status, { code: 415, message: 'failure' });
    const bad = await app.inject({ method: 'GET', url: '/v3/%zz' });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json(), {
      data: null,
      errors: [{ code: 300004, message: 'The URL is not valid (bad percent-encoding).' }],
      warnings: null,
    });
  });

  it("production mode: an unknown path is a JSON 404 in the widget envelope, not Fastify's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ucc-prod404-'));
    const { buildApp } = await import('../../server/app.js');
    const prod = await buildApp({ db: testDb(dir, 'p.db'), demo: false, tokenSecret: SECRET });
    try {
      errorOf(await prod.inject({ method: 'GET', url: '/nope' }), 404, 'NOT_FOUND');
      errorOf(await prod.inject({ method: 'POST', url: '/demo/reset', payload: {} }), 404, 'NOT_FOUND');
    } finally {
      await prod.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('headers over 16 KB (a 16 KB token): 431 from the real server, in the widget or the Capillary envelope by path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ucc-431-'));
    const s = startServer({ UCC_DB: join(dir, 'h.db') });
    try {
      const url = new URL(await s.ready);
      const get = (path: string) =>
        new Promise<{ status: number; type: string; body: string; nosniff: string }>((resolve, reject) => {
          const req = request(
            { host: url.hostname, port: url.port, path, headers: { authorization: `Bearer ${'a'.repeat(16 * 1024)}` } },
            (res) => {
              let body = '';
              res.on('data', (d) => {
                body += d;
              });
              res.on('end', () =>
                resolve({
                  status: res.statusCode!,
                  type: String(res.headers['content-type']),
                  body,
                  nosniff: String(res.headers['x-content-type-options']),
                }),
              );
            },
          );
          req.on('error', reject);
          req.end();
        });
      const widget = await get('/ucc/v1/me');
      assert.equal(widget.status, 431);
      assert.match(widget.type, /^application\/json/);
      assert.equal(widget.nosniff, 'nosniff');
      assert.equal(JSON.parse(widget.body).error.code, 'HEADERS_TOO_LARGE');
      const cap = await get('/v2/events');
      assert.equal(cap.status, 431);
      assert.deepEqual(
        JSON.parse(cap.body).errors.map((e: { code: number }) => e.code),
        [300004],
      );
      const v3 = await get('/v3/targetGroups');
      assert.equal(JSON.parse(v3.body).data, null);
      assert.equal((await fetch(`${url.origin}/healthz`)).status, 200, 'the server goes on');
    } finally {
      s.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('production start-up checks the organisations file deeply', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ucc-deep-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const none = () => new Map();
  const write = (data: unknown) => {
    const file = join(dir, `orgs-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(data));
    return file;
  };

  it('the example file passes: its events define what its templates name', () => {
    assert.deepEqual(startupProblems('orgs.json', readOrgsFile('server/orgs.example.json'), none), []);
  });

  it('names the organisation, the template and the field for an undefined event, a missing SUM field and a typed secret', () => {
    const data = example();
    data[0].templates[0].eventName = 'noSuchEvent';
    data[0].templates[1].eventName = 'waterLogged';
    data[0].events[0].fields = ['litres'];
    data[0].templates.push({ ...data[0].templates[0], id: 'water2', eventName: 'waterLogged', field: 'glasses' });
    data[0].oauthClients[0].secret = 'ab'.repeat(20);
    const lines = startupProblems('orgs.json', readOrgsFile(write(data)), none);
    assert.deepEqual(lines, [
      'orgs.json: organisation 0 ("acme") → oauthClients[0].secret: looks typed, not generated (fewer than 10 different characters); generate a random one (e.g. openssl rand -base64 48)',
      'orgs.json: organisation 0 ("acme") → templates[0] ("water") → eventName: "noSuchEvent" is not a defined event of this organisation: add {"eventName": "noSuchEvent", "fields": ["glasses"]} to its "events"',
      'orgs.json: organisation 0 ("acme") → templates[2] ("water2") → field: "glasses" is not a double field of event "waterLogged" (its double fields: "litres")',
    ]);
  });

  it('events already in the database count as defined', () => {
    const data = example();
    delete data[0].events;
    const orgs = readOrgsFile(write(data));
    assert.equal(startupProblems('f', orgs, none).length, 2);
    const db = new Map([
      ['waterLogged', { fields: [{ name: 'glasses', type: 'double' }] }],
      ['workoutLogged', { fields: [] }],
    ]);
    assert.deepEqual(
      startupProblems('f', orgs, () => db),
      [],
    );
  });

  it('a real start with a template naming an undefined event exits 1 with the message, writing nothing; with the event declared it starts and creating a challenge works', async () => {
    const data = example();
    data[0].events = [{ eventName: 'workoutLogged', fields: [] }];
    const bad = write(data);
    const db = join(dir, 'deep.db');
    const s = startServer({ UCC_DEMO: '0', UCC_TOKEN_SECRET: SECRET, UCC_ORGS_FILE: bad, UCC_DB: db });
    assert.equal(await s.exited, 1);
    assert.equal(
      s.stderr().trim(),
      `ucc-widgets: cannot start: ${bad}: organisation 0 ("acme") → templates[0] ("water") → eventName: "waterLogged" is not a defined event of this organisation: add {"eventName": "waterLogged", "fields": ["glasses"]} to its "events"`,
    );

    const good = startServer({
      UCC_DEMO: '0',
      UCC_TOKEN_SECRET: SECRET,
      UCC_ORGS_FILE: 'server/orgs.example.json',
      UCC_DB: db,
    });
    try {
      const url = await good.ready;
      const t = example()[0].templates[0];
      const tok = await widgetToken('c1', { iss: 'acme', secret: example()[0].widgetSecret });
      const res = await fetch(`${url}/ucc/v1/me/challenges`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          templateId: t.id,
          target: t.target.default,
          period: 'DAILY',
          periods: t.length.default,
        }),
      });
      assert.equal(res.status, 201, await res.clone().text());
      good.child.kill('SIGTERM');
      assert.equal(await good.exited, 0);
    } finally {
      good.child.kill('SIGKILL');
    }
    // Started again on the same database: the events exist there now, and still match.
    const again = startServer({
      UCC_DEMO: '0',
      UCC_TOKEN_SECRET: SECRET,
      UCC_ORGS_FILE: 'server/orgs.example.json',
      UCC_DB: db,
    });
    try {
      await again.ready;
    } finally {
      again.child.kill('SIGKILL');
    }
  });
});
