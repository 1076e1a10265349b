import { RateLimiter } from '../../server/widget-api/rate-limit.js';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.js';
import { demoOrgs } from '../../server/seed.js';
import { errorOf, jsonOf, wcall, widgetApp, widgetToken } from './helpers.js';
import { testDb } from './store-under-test.js';

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

describe('widget API identity (customer tokens)', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await widgetApp();
  });
  after(() => app.close());

  it('answers a request with a valid brand-signed token for that customer', async () => {
    const me = jsonOf(await wcall(app, 'GET', 'me', { token: await widgetToken('alice') }), 200);
    assert.deepEqual(me, { id: 'alice', timeZone: 'UTC', balance: 0 });
  });

  it('registers a customer seen for the first time', async () => {
    const me = jsonOf(await wcall(app, 'GET', 'me', { token: await widgetToken('dave-42') }), 200);
    assert.deepEqual(me, { id: 'dave-42', timeZone: 'UTC', balance: 0 });
    const row = await app.ctx.store.read((tx) => tx.getCustomerByExternalId('demo', 'dave-42'));
    assert.ok(row && row.id > 0);
  });

  it('refuses a request without a token with 401 TOKEN_MISSING', async () => {
    const res = await wcall(app, 'GET', 'me');
    errorOf(res, 401, 'TOKEN_MISSING');
    assert.equal(res.headers['www-authenticate'], 'Bearer');
  });

  it('refuses an expired token with 401 TOKEN_EXPIRED', async () => {
    const token = await widgetToken('alice', { iat: now() - 7200, exp: now() - 120 });
    errorOf(await wcall(app, 'GET', 'me', { token }), 401, 'TOKEN_EXPIRED');
  });

  it('accepts a token that expired less than 60 s ago (clock skew)', async () => {
    const token = await widgetToken('alice', { iat: now() - 3600, exp: now() - 30 });
    jsonOf(await wcall(app, 'GET', 'me', { token }), 200);
  });

  const invalid: [string, () => Promise<string>][] = [
    [
      'forged (signed with another secret)',
      () => widgetToken('alice', { secret: 'not-the-widget-secret-of-this-brand' }),
    ],
    [
      'alg none',
      async () =>
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: 'demo', sub: 'alice', iat: now(), exp: now() + 600 })}.`,
    ],
    ['signed with HS512', () => widgetToken('alice', { alg: 'HS512' })],
    ['for another organisation (iss noucc, demo secret)', () => widgetToken('alice', { iss: 'noucc' })],
    ['for an unknown organisation', () => widgetToken('alice', { iss: 'nobody' })],
    ['without iss', () => widgetToken('alice', { iss: null })],
    ['malformed', async () => 'abc.def'],
    ['not base64', async () => '!!!.???.###'],
    ['with a lifetime over 24 h', () => widgetToken('alice', { exp: now() + 25 * 3600 })],
    [
      'with a payload altered after signing',
      async () => {
        const [h, , s] = (await widgetToken('alice')).split('.');
        return `${h}.${b64({ iss: 'demo', sub: 'bob', iat: now(), exp: now() + 600 })}.${s}`;
      },
    ],
  ];
  for (const [name, make] of invalid) {
    it(`refuses a token ${name} with 401 TOKEN_INVALID and no reason`, async () => {
      const err = errorOf(await wcall(app, 'GET', 'me', { token: await make() }), 401, 'TOKEN_INVALID');
      assert.deepEqual(err, { code: 'TOKEN_INVALID', message: 'The customer token is not valid.' });
    });
  }

  it('refuses an Authorization header that is not a Bearer token', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/ucc/v1/me',
      headers: { authorization: 'Basic YWxpY2U6eA==' },
    });
    errorOf(res, 401, 'TOKEN_INVALID');
  });

  it("a token signed with the noucc brand's own secret reaches that brand, which offers no templates", async () => {
    const token = await widgetToken('zoe', { iss: 'noucc', secret: demoOrgs()[1].widgetSecret });
    const body = jsonOf(await wcall(app, 'GET', 'templates', { token }), 200);
    assert.deepEqual(body.templates, []);
    errorOf(
      await wcall(app, 'POST', 'me/challenges', {
        token,
        body: { templateId: 'water', target: 8, period: 'DAILY', periods: 7 },
      }),
      403,
      'UCC_NOT_ENABLED',
    );
  });
});

describe('CORS', () => {
  let app: FastifyInstance;
  let token: string;
  before(async () => {
    app = await widgetApp();
    const other = {
      ...demoOrgs()[1],
      id: 'other',
      allowedOrigins: ['https://other-brand.example'],
      widgetSecret: 'other-brand-widget-secret-0123456789',
    };
    await app.ctx.store.tx((tx) => tx.putOrg(other));
    await app.ctx.orgs.load();
    token = await widgetToken('alice');
  });
  after(() => app.close());
  const preflight = (origin: string, url = '/ucc/v1/me/activities') =>
    app.inject({
      method: 'OPTIONS',
      url,
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,idempotency-key',
      },
    });

  it('answers a preflight from an allowed origin with 204 and the allowed methods and headers', async () => {
    const res = await preflight('http://localhost:8787');
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, '');
    assert.equal(res.headers['access-control-allow-origin'], 'http://localhost:8787');
    assert.equal(res.headers['access-control-allow-methods'], 'GET, POST, PATCH, DELETE');
    assert.equal(res.headers['access-control-allow-headers'], 'Authorization, Content-Type, Idempotency-Key');
  });

  it("allows the brand's listed origin on an authenticated request", async () => {
    const res = await wcall(app, 'GET', 'me', { token, headers: { origin: 'http://127.0.0.1:8787' } });
    jsonOf(res, 200);
    assert.equal(res.headers['access-control-allow-origin'], 'http://127.0.0.1:8787');
  });

  it('allows local demo pages on any port in demo mode', async () => {
    const res = await wcall(app, 'GET', 'me', { token, headers: { origin: 'http://localhost:5173' } });
    jsonOf(res, 200);
    assert.equal(res.headers['access-control-allow-origin'], 'http://localhost:5173');
  });

  it('refuses a preflight from an origin no brand lists with 403 and no CORS headers', async () => {
    const res = await preflight('https://evil.example');
    errorOf(res, 403, 'ORIGIN_NOT_ALLOWED');
    assert.equal(res.headers['access-control-allow-origin'], undefined);
  });

  it('refuses a request from an origin no brand lists with 403 ORIGIN_NOT_ALLOWED', async () => {
    const res = await wcall(app, 'GET', 'me', { token, headers: { origin: 'https://evil.example' } });
    errorOf(res, 403, 'ORIGIN_NOT_ALLOWED');
    assert.equal(res.headers['access-control-allow-origin'], undefined);
  });

  it("refuses a request from another brand's origin even though that origin passes CORS", async () => {
    const pre = await preflight('https://other-brand.example');
    assert.equal(pre.statusCode, 204);
    assert.equal(pre.headers['access-control-allow-origin'], 'https://other-brand.example');
    errorOf(
      await wcall(app, 'GET', 'me', { token, headers: { origin: 'https://other-brand.example' } }),
      403,
      'ORIGIN_NOT_ALLOWED',
    );
  });

  it('allows a same-origin page of the server itself', async () => {
    const res = await wcall(app, 'GET', 'me', {
      token,
      headers: { origin: 'http://widgets.example:8080', host: 'widgets.example:8080' },
    });
    jsonOf(res, 200);
  });
});

describe('transport rules: JSON only, body size, validation, unknown routes', () => {
  let app: FastifyInstance;
  let token: string;
  before(async () => {
    app = await widgetApp();
    token = await widgetToken('alice');
  });
  after(() => app.close());

  it('refuses a non-JSON body with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/ucc/v1/me/activities',
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': 'k', 'content-type': 'text/plain' },
      payload: 'quantity=1',
    });
    errorOf(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses a body over 64 KB with 413 BODY_TOO_LARGE', async () => {
    const res = await wcall(app, 'POST', 'me/challenges', {
      token,
      body: { templateId: 'water', target: 8, period: 'DAILY', periods: 7, name: 'x'.repeat(70_000) },
    });
    errorOf(res, 413, 'BODY_TOO_LARGE');
  });

  it('refuses malformed JSON with 400 VALIDATION_FAILED', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/ucc/v1/me/challenges',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: '{"templateId":',
    });
    errorOf(res, 400, 'VALIDATION_FAILED');
  });

  it('refuses unknown and missing fields with 400 VALIDATION_FAILED naming the field', async () => {
    const extra = errorOf(
      await wcall(app, 'POST', 'me/challenges', {
        token,
        body: { templateId: 'water', target: 8, period: 'DAILY', periods: 7, points: 9999 },
      }),
      400,
      'VALIDATION_FAILED',
    );
    assert.match(extra.message, /additional properties/);
    const missing = errorOf(
      await wcall(app, 'POST', 'me/challenges', { token, body: { templateId: 'water', period: 'DAILY', periods: 7 } }),
      400,
      'VALIDATION_FAILED',
    );
    assert.match(missing.message, /target/);
    const badEnum = errorOf(
      await wcall(app, 'GET', 'me/challenges?status=sometimes', { token }),
      400,
      'VALIDATION_FAILED',
    );
    assert.equal(badEnum.details?.field, 'querystring.status');
  });

  it('answers an unknown /ucc/v1 route with 404 NOT_FOUND in the envelope', async () => {
    errorOf(await wcall(app, 'GET', 'me/nothing-here', { token }), 404, 'NOT_FOUND');
  });

  it('never answers with a stack trace', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/ucc/v1/me/activities',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: '[',
    });
    assert.doesNotMatch(res.body, /at .*\.(ts|js):\d+/);
  });
});

describe('rate limits', () => {
  it('limits each customer to perCustomerPerMinute with 429 RATE_LIMITED and Retry-After', async () => {
    const app = await widgetApp({ rateLimits: { perCustomerPerMinute: 3, perIpPerMinute: 1000 } });
    try {
      const alice = await widgetToken('alice');
      for (let i = 0; i < 3; i++) jsonOf(await wcall(app, 'GET', 'me', { token: alice }), 200);
      const res = await wcall(app, 'GET', 'me', { token: alice });
      const err = errorOf(res, 429, 'RATE_LIMITED');
      assert.ok(Number(res.headers['retry-after']) > 0);
      assert.ok(Number(err.details?.retryAfterSeconds) > 0);
      jsonOf(await wcall(app, 'GET', 'me', { token: await widgetToken('bob') }), 200); // bob has his own budget
    } finally {
      await app.close();
    }
  });

  it('limits each IP address to perIpPerMinute, whoever the customer', async () => {
    const app = await widgetApp({ rateLimits: { perCustomerPerMinute: 1000, perIpPerMinute: 2 } });
    try {
      jsonOf(await wcall(app, 'GET', 'me', { token: await widgetToken('alice') }), 200);
      jsonOf(await wcall(app, 'GET', 'me', { token: await widgetToken('bob') }), 200);
      errorOf(await wcall(app, 'GET', 'me', { token: await widgetToken('carol') }), 429, 'RATE_LIMITED');
    } finally {
      await app.close();
    }
  });
});

describe('demo-only routes', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await widgetApp();
  });
  after(() => app.close());

  it('POST /demo/session gives a working 1-hour token for a seeded customer', async () => {
    const body = jsonOf(await wcall(app, 'POST', '/demo/session', { body: { customer: 'bob' } }), 200);
    assert.equal(typeof body.token, 'string');
    const lifetime = Date.parse(body.expiresAt) - Date.now();
    assert.ok(lifetime > 3500_000 && lifetime <= 3600_000);
    assert.equal(jsonOf(await wcall(app, 'GET', 'me', { token: body.token }), 200).id, 'bob');
  });

  it('POST /demo/session refuses anyone but the seeded demo customers with 404', async () => {
    errorOf(await wcall(app, 'POST', '/demo/session', { body: { customer: 'mallory' } }), 404, 'NOT_FOUND');
    jsonOf(await wcall(app, 'GET', 'me', { token: await widgetToken('erin') }), 200); // registered, but not a demo customer
    errorOf(await wcall(app, 'POST', '/demo/session', { body: { customer: 'erin' } }), 404, 'NOT_FOUND');
  });

  it('POST /demo/clock moves "now" by whole days, persists it, and resets', async () => {
    const moved = jsonOf(await wcall(app, 'POST', '/demo/clock', { body: { advanceDays: 3 } }), 200);
    assert.equal(moved.offsetDays, 3);
    assert.ok(Math.abs(Date.parse(moved.now) - (Date.now() + 3 * 86_400_000)) < 5000);
    assert.equal(await app.ctx.store.read((tx) => tx.getMeta('clock_offset_ms')), String(3 * 86_400_000));
    const reset = jsonOf(await wcall(app, 'POST', '/demo/clock', { body: { reset: true } }), 200);
    assert.equal(reset.offsetDays, 0);
    assert.ok(Math.abs(Date.parse(reset.now) - Date.now()) < 5000);
    errorOf(await wcall(app, 'POST', '/demo/clock', { body: {} }), 400, 'VALIDATION_FAILED');
    errorOf(await wcall(app, 'POST', '/demo/clock', { body: { advanceDays: 1.5 } }), 400, 'VALIDATION_FAILED');
  });

  it('a restarted demo server keeps the moved clock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ucc-widget-'));
    const first = await buildApp({ db: testDb(dir, 'clock.db'), demo: true });
    jsonOf(await wcall(first, 'POST', '/demo/clock', { body: { advanceDays: 2 } }), 200);
    await first.close();
    const second = await buildApp({ db: testDb(dir, 'clock.db'), demo: true });
    try {
      assert.equal(second.ctx.clock.offsetMs, 2 * 86_400_000);
    } finally {
      await second.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('POST /demo/reset restores the seeded state and the real clock; tokens keep working', async () => {
    const token = await widgetToken('alice');
    jsonOf(
      await wcall(app, 'POST', 'me/challenges', {
        token,
        body: { templateId: 'water', target: 8, period: 'DAILY', periods: 7 },
      }),
      201,
    );
    jsonOf(await wcall(app, 'PATCH', 'me', { token, body: { timeZone: 'Europe/Berlin' } }), 200);
    jsonOf(await wcall(app, 'POST', '/demo/clock', { body: { advanceDays: 5 } }), 200);
    const reset = jsonOf(await wcall(app, 'POST', '/demo/reset', { body: {} }), 200);
    assert.equal(reset.offsetDays, 0);
    assert.equal(app.ctx.clock.offsetMs, 0);
    assert.deepEqual(jsonOf(await wcall(app, 'GET', 'me/challenges', { token }), 200), { challenges: [] });
    assert.deepEqual(jsonOf(await wcall(app, 'GET', 'me', { token }), 200), {
      id: 'alice',
      timeZone: 'UTC',
      balance: 0,
    });
    assert.equal(await app.ctx.store.read((tx) => tx.getCustomerByExternalId('demo', 'erin')), undefined);
  });
});

describe('production mode', () => {
  let app: FastifyInstance;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ucc-widget-'));
    app = await buildApp({ db: testDb(dir, 'prod.db'), demo: false, tokenSecret: 'x'.repeat(40) });
  });
  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [url, body] of [
    ['/demo/session', { customer: 'alice' }],
    ['/demo/clock', { advanceDays: 1 }],
    ['/demo/reset', undefined],
  ] as const) {
    it(`has no ${url} route (404)`, async () => {
      const res = await wcall(app, 'POST', url, { body });
      assert.equal(res.statusCode, 404);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      assert.equal(app.ctx.clock.offsetMs, 0);
    });
  }

  it('still serves the widget API, refusing tokens of organisations it does not have', async () => {
    errorOf(await wcall(app, 'GET', 'me', { token: await widgetToken('alice') }), 401, 'TOKEN_INVALID');
  });

  it('does not allow arbitrary localhost origins outside demo mode', async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/ucc/v1/me',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' },
    });
    errorOf(res, 403, 'ORIGIN_NOT_ALLOWED');
  });
});

describe('documentation and static files', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await widgetApp();
  });
  after(() => app.close());

  it('serves the OpenAPI document with every widget route and its response schema', async () => {
    const doc = jsonOf(await app.inject({ method: 'GET', url: '/docs/json' }), 200);
    assert.match(doc.openapi, /^3\./);
    const expected: [string, string, string][] = [
      ['/ucc/v1/templates', 'get', '200'],
      ['/ucc/v1/me', 'get', '200'],
      ['/ucc/v1/me', 'patch', '200'],
      ['/ucc/v1/me/challenges', 'post', '201'],
      ['/ucc/v1/me/challenges', 'get', '200'],
      ['/ucc/v1/me/challenges/{id}', 'get', '200'],
      ['/ucc/v1/me/challenges/{id}', 'delete', '200'],
      ['/ucc/v1/me/activities', 'post', '201'],
      ['/ucc/v1/me/activities', 'get', '200'],
      ['/ucc/v1/me/activities/{id}', 'delete', '200'],
      ['/ucc/v1/me/points', 'get', '200'],
    ];
    for (const [path, method, status] of expected) {
      assert.ok(
        doc.paths[path]?.[method]?.responses?.[status]?.content?.['application/json']?.schema,
        `${method} ${path} ${status}`,
      );
      // The page is the endpoint reference (docs/widget-api.md points to it): each route says what it does.
      assert.ok(doc.paths[path][method].description?.length > 40, `${method} ${path} has a description`);
    }
    assert.equal(doc.paths['/v3/targetGroups'], undefined, 'the Capillary API is not part of the widget document');
  });

  it('serves the interactive documentation at /docs', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /text\/html/);
  });

  it('serves the script-tag bundle, or explains with 503 that it is not built', async () => {
    const res = await app.inject({ method: 'GET', url: '/ucc-widgets.js' });
    if (existsSync(join(import.meta.dirname, '../../dist/ucc-widgets.js'))) {
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /javascript/);
    } else {
      assert.equal(res.statusCode, 503);
      assert.match(res.json().error.message, /npm run build/);
    }
  });

  it('serves the locale chunks like the bundle (CORS, immutable under /v/<version>/), and 404 for other names', async (t) => {
    const dist = join(import.meta.dirname, '../../dist');
    if (!existsSync(join(dist, 'ucc-widgets.locale-es.js'))) return t.skip('run `npm run build` first');
    const { version, files } = JSON.parse(readFileSync(join(dist, 'integrity.json'), 'utf8'));
    assert.ok(files['ucc-widgets.locale-es.js'], 'integrity.json lists the locale chunks');
    const res = await app.inject({
      method: 'GET',
      url: `/v/${version}/ucc-widgets.locale-es.js`,
      headers: { origin: 'https://brand.example' },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(res.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(res.body, readFileSync(join(dist, 'ucc-widgets.locale-es.js'), 'utf8'));
    const map = await app.inject({ method: 'GET', url: `/v/${version}/ucc-widgets.locale-ar.js.map` });
    assert.equal(map.statusCode, 200);
    assert.match(String(map.headers['content-type']), /^application\/json/);
    const alias = await app.inject({ method: 'GET', url: '/ucc-widgets.locale-de.js' });
    assert.equal(alias.statusCode, 200);
    assert.equal(alias.headers['access-control-allow-origin'], '*');
    assert.equal(alias.headers['cache-control'], 'public, max-age=300');
    for (const url of [
      `/v/${version}/ucc-widgets.locale-zz.js`,
      `/v/${version}/ucc-widgets.locale-es.ts`,
      `/v/${version}/ucc-widgets.locale-ES.js`,
      `/v/${version}/ucc-widgets.locale-es.js.gz`,
      `/v/${version}/locale-es.js`,
      '/v/0.0.1/ucc-widgets.locale-es.js',
      '/ucc-widgets.locale-zz.js',
    ]) {
      assert.equal((await app.inject({ method: 'GET', url })).statusCode, 404, url);
    }
  });

  it('serves the demo pages at / and /embed.html, or 503 when they are missing', async () => {
    for (const [url, file] of [
      ['/', 'index.html'],
      ['/embed.html', 'embed.html'],
    ]) {
      const res = await app.inject({ method: 'GET', url });
      if (existsSync(join(import.meta.dirname, '../../demo', file))) {
        assert.equal(res.statusCode, 200);
        assert.match(String(res.headers['content-type']), /text\/html/);
      } else assert.equal(res.statusCode, 503);
    }
  });
});

describe("RateLimiter (the widget API's counters)", () => {
  it('allows max requests per key and window, then answers the seconds left; a new window starts clean', () => {
    const l = new RateLimiter(2, 60_000);
    assert.deepEqual([l.hit('a', 0), l.hit('a', 1_000), l.hit('a', 30_000)], [0, 0, 30]);
    assert.equal(l.hit('b', 30_000), 0, 'each key has its own budget');
    assert.equal(l.hit('a', 60_000), 0, 'the window of a ended at 60 s');
  });

  it('sweeps expired windows once many keys are held, so memory follows the keys of one window', () => {
    const l = new RateLimiter(5, 1_000, 100);
    for (let i = 0; i < 100; i++) l.hit(`k${i}`, 0);
    l.hit('late', 5_000);
    assert.equal(l.size, 1);
  });
});
