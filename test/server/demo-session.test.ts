/** POST /demo/session {"expired": true}: a correctly signed token that has expired, for QA's "Expire token" toggle. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import type { FastifyInstance } from 'fastify';
import { MAX_LIFETIME_S } from '../../server/widget-api/auth.js';
import { errorOf, jsonOf, wcall, widgetApp } from './helpers.js';

describe('POST /demo/session with "expired"', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await widgetApp();
  });
  after(() => app.close());

  it('gives an expired (not invalid) token for the customer: GET /me answers 401 TOKEN_EXPIRED', async () => {
    const body = jsonOf(await wcall(app, 'POST', '/demo/session', { body: { customer: 'alice', expired: true } }), 200);
    const { sub, iss, iat, exp } = decodeJwt(body.token);
    assert.equal(sub, 'alice');
    assert.equal(iss, 'demo');
    const now = Date.now() / 1000;
    assert.ok(exp! < now - 60, 'expired beyond the 60 s clock skew');
    assert.ok(iat! < exp! && exp! - iat! <= MAX_LIFETIME_S, 'a lifetime the server accepts');
    assert.equal(Date.parse(body.expiresAt), exp! * 1000);
    errorOf(await wcall(app, 'GET', 'me', { token: body.token }), 401, 'TOKEN_EXPIRED');
  });

  it('gives a working token with "expired": false, as without it', async () => {
    const body = jsonOf(await wcall(app, 'POST', '/demo/session', { body: { customer: 'bob', expired: false } }), 200);
    assert.ok(Date.parse(body.expiresAt) > Date.now());
    assert.equal(jsonOf(await wcall(app, 'GET', 'me', { token: body.token }), 200).id, 'bob');
  });

  it('still refuses unknown fields, a non-boolean "expired", and unknown customers', async () => {
    errorOf(
      await wcall(app, 'POST', '/demo/session', { body: { customer: 'alice', expired: true, lifetime: 10 } }),
      400,
      'VALIDATION_FAILED',
    );
    errorOf(
      await wcall(app, 'POST', '/demo/session', { body: { customer: 'alice', expired: 'soon' } }),
      400,
      'VALIDATION_FAILED',
    );
    errorOf(
      await wcall(app, 'POST', '/demo/session', { body: { customer: 'mallory', expired: true } }),
      404,
      'NOT_FOUND',
    );
  });
});
