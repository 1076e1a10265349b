/**
 * The fault proxy (test/server/upstream/fault-proxy.ts) in front of a tiny target on a real socket: each
 * fault does what it says, and the log and counters record what the client and the target saw.
 */
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathTemplate, startFaultProxy, type FaultProxy } from './upstream/fault-proxy.js';

interface Seen {
  method: string;
  url: string;
  body: string;
  header: string | undefined;
}
const seen: Seen[] = [];
let target: http.Server;
let targetUrl: string;
let proxy: FaultProxy;

before(async () => {
  target = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method!,
        url: req.url!,
        body: Buffer.concat(chunks).toString(),
        header: req.headers['x-test'] as string | undefined,
      });
      const text = JSON.stringify({ ok: true, url: req.url, n: seen.length });
      res.writeHead(req.url!.startsWith('/created') ? 201 : 200, {
        'content-type': 'application/json',
        'x-target': 'yes',
      });
      res.end(text);
    });
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  proxy = await startFaultProxy(targetUrl);
});
after(async () => {
  await proxy.close();
  await new Promise<void>((r) => target.close(() => r()));
});
beforeEach(async () => {
  await proxy.up();
  proxy.clearFaults();
  proxy.resetLog();
  seen.length = 0;
});

/** One request through the proxy on a fresh connection; the answer, or the socket error's code. */
function send(method: string, path: string, body?: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string } | { error: string }>(
    (resolve) => {
      const req = http.request(`${proxy.url}/${path}`, {
        method,
        agent: false,
        headers: { 'x-test': 'passed', ...(body ? { 'content-type': 'application/json' } : {}) },
      });
      req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString() }),
        );
        res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
      });
      req.end(body);
    },
  );
}
const answered = (r: Awaited<ReturnType<typeof send>>) => {
  if ('error' in r) throw new Error(`expected an answer, got ${r.error}`);
  return r;
};

describe('fault proxy', () => {
  it('forwards method, path, query, headers and body, and answers the target’s status, headers and body', async () => {
    const r = answered(await send('POST', 'created/v3/things?x=1&y=2', '{"a":1}'));
    assert.equal(r.status, 201);
    assert.equal(r.headers['x-target'], 'yes');
    assert.equal(JSON.parse(r.text).url, '/created/v3/things?x=1&y=2');
    assert.deepEqual(seen, [{ method: 'POST', url: '/created/v3/things?x=1&y=2', body: '{"a":1}', header: 'passed' }]);
    assert.deepEqual(
      proxy.log.map((e) => [e.method, e.path, e.key, e.status, e.forwarded, e.fault]),
      [['POST', 'created/v3/things', 'POST created/v3/things', 201, true, null]],
    );
  });

  it('latency: a matching request waits at least the given ms; others do not', async () => {
    proxy.latency(150, { match: 'GET v3/slow' });
    let t = Date.now();
    answered(await send('GET', 'v3/slow/1'));
    assert.ok(Date.now() - t >= 150, `waited ${Date.now() - t} ms`);
    t = Date.now();
    answered(await send('GET', 'v3/fast'));
    answered(await send('POST', 'v3/slow'));
    assert.ok(Date.now() - t < 150, 'other paths and methods are not delayed');
    assert.deepEqual(
      proxy.log.map((e) => e.latencyMs),
      [150, 0, 0],
    );
  });

  it('status: answered without reaching the target, for the next N matching requests, then forwarded again', async () => {
    const rule = proxy.status(503, { match: 'POST v3/targetGroups', times: 2 });
    for (let i = 0; i < 2; i++) {
      const r = answered(await send('POST', 'v3/targetGroups', '{}'));
      assert.equal(r.status, 503);
      assert.equal(r.headers['retry-after'], undefined);
    }
    assert.equal(seen.length, 0, 'the target saw nothing');
    assert.equal(rule.hits, 2);
    assert.equal(rule.remaining, 0);
    assert.equal(answered(await send('POST', 'v3/targetGroups', '{}')).status, 200);
    assert.equal(seen.length, 1);
    assert.deepEqual(
      proxy.log.map((e) => [e.status, e.forwarded, e.fault]),
      [
        [503, false, 'status'],
        [503, false, 'status'],
        [200, true, null],
      ],
    );
  });

  it('status until cleared, for every request or by method only', async () => {
    const all = proxy.status(500);
    for (const p of ['a', 'b/1', 'c?x=1']) assert.equal(answered(await send('GET', p)).status, 500);
    all.clear();
    assert.equal(answered(await send('GET', 'a')).status, 200);
    proxy.status(502, { match: 'POST' });
    assert.equal(answered(await send('POST', 'a')).status, 502);
    assert.equal(answered(await send('GET', 'a')).status, 200);
    proxy.clearFaults();
    assert.equal(answered(await send('POST', 'a')).status, 200);
  });

  it('429 with a Retry-After in seconds, and without one', async () => {
    proxy.tooManyRequests({ match: 'GET v2/', times: 1, retryAfter: 7 });
    proxy.tooManyRequests({ match: 'GET v3/', times: 1 });
    const withHeader = answered(await send('GET', 'v2/customers/1001/points/balance?programId=1'));
    assert.equal(withHeader.status, 429);
    assert.equal(withHeader.headers['retry-after'], '7');
    const without = answered(await send('GET', 'v3/users/1001/targetGroups'));
    assert.equal(without.status, 429);
    assert.equal(without.headers['retry-after'], undefined);
    assert.equal(seen.length, 0);
    assert.equal(answered(await send('GET', 'v2/customers/1001/points/balance')).status, 200);
    assert.equal(answered(await send('GET', 'v3/users/1001/targetGroups')).status, 200);
  });

  it('dropAfterUpstream: the target got and answered the request, the client gets a socket error', async () => {
    proxy.dropAfterUpstream({ match: 'POST webhooks/', times: 1 });
    const r = await send('POST', 'webhooks/demo', '{"event_name":"waterLogged"}');
    assert.ok('error' in r, 'no answer reached the client');
    assert.match(r.error, /ECONNRESET|socket hang up/);
    assert.deepEqual(
      seen.map((s) => [s.method, s.url, s.body]),
      [['POST', '/webhooks/demo', '{"event_name":"waterLogged"}']],
    );
    assert.deepEqual(
      proxy.log.map((e) => [e.status, e.upstreamStatus, e.forwarded, e.fault]),
      [[null, 200, true, 'drop']],
    );
    assert.equal(answered(await send('POST', 'webhooks/demo', '{}')).status, 200, 'only the next one');
  });

  it('down: connections refused; up: the same port answers again', async () => {
    const port = proxy.port;
    answered(await send('GET', 'a'));
    await proxy.down();
    assert.equal(proxy.isDown, true);
    assert.deepEqual(await send('GET', 'a'), { error: 'ECONNREFUSED' });
    await proxy.up();
    assert.equal(proxy.port, port);
    assert.equal(new URL(proxy.url).port, String(port));
    assert.equal(answered(await send('GET', 'a')).status, 200);
    assert.equal(seen.length, 2);
  });

  it('down closes kept-alive connections too', async () => {
    const agent = new http.Agent({ keepAlive: true });
    const get = () =>
      new Promise<string>((resolve) => {
        const req = http.get(`${proxy.url}/k`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(String(res.statusCode)));
        });
        req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      });
    assert.equal(await get(), '200');
    await proxy.down();
    assert.equal(await get(), 'ECONNREFUSED');
    await proxy.up();
    assert.equal(await get(), '200');
    agent.destroy();
  });

  it('an unreachable target is answered 502 and logged with its error', async () => {
    const other = await startFaultProxy('http://127.0.0.1:1');
    try {
      const r = await new Promise<number>((resolve) =>
        http.get(`${other.url}/v3/x`, { agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        }),
      );
      assert.equal(r, 502);
      assert.equal(other.log[0]!.error, 'ECONNREFUSED');
      other.target = targetUrl;
      const again = await new Promise<number>((resolve) =>
        http.get(`${other.url}/v3/x`, { agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        }),
      );
      assert.equal(again, 200, 'the target can be changed at run time');
    } finally {
      await other.close();
    }
  });

  it('counts by METHOD and path template (numeric segments are {id}), all or forwarded only', async () => {
    assert.equal(pathTemplate('v3/users/1001/targetGroups'), 'v3/users/{id}/targetGroups');
    proxy.status(503, { match: 'POST v3/targetGroups', times: 1 });
    await send('POST', 'v3/targetGroups', '{}');
    await send('POST', 'v3/targetGroups', '{}');
    await send('GET', 'v3/users/1001/targetGroups?x=1');
    await send('GET', 'v3/users/1002/targetGroups');
    await send('POST', 'v3/targetGroups/55/targets/66/enroll', '[]');
    assert.equal(proxy.count('POST v3/targetGroups'), 2);
    assert.equal(proxy.count('POST v3/targetGroups', { forwarded: true }), 1);
    assert.equal(proxy.count('GET v3/users/{id}/targetGroups'), 2);
    assert.equal(proxy.count('POST v3/targetGroups/{id}/targets/{id}/enroll'), 1);
    assert.equal(proxy.count(), 5);
    assert.deepEqual(proxy.counts({ forwarded: true }), {
      'POST v3/targetGroups': 1,
      'GET v3/users/{id}/targetGroups': 2,
      'POST v3/targetGroups/{id}/targets/{id}/enroll': 1,
    });
  });

  it('concurrent matching requests never share one application of a fault', async () => {
    proxy.status(503, { times: 3 });
    const answers = await Promise.all(Array.from({ length: 8 }, () => send('GET', 'c')));
    const statuses = answers.map((a) => answered(a).status).sort();
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 503, 503, 503]);
    assert.equal(seen.length, 5);
  });
});
