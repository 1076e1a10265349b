/**
 * A reverse proxy for tests, in front of an upstream (a target base URL), whose faults are set at run
 * time: latency, a status answered without forwarding (5xx, 429 with or without Retry-After), the
 * connection dropped after the upstream committed and answered, and the whole listener down and up
 * again on the same port. Every request is logged and counted by `METHOD path-template`.
 *
 * Paths are written as the upstream client names its calls: without the leading slash and without
 * the query (`v3/targetGroups`); in templates numeric segments are `{id}` (`v3/users/{id}/targetGroups`).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * Which requests a fault applies to: every request (omitted), `'POST v3/targetGroups'` (method and
 * path prefix), `'v3/targetGroups'` (path prefix, any method), `'POST'` (method only), or an object.
 */
export type Match = string | { method?: string; path?: string };

export interface LogEntry {
  method: string;
  /** The path without the query and without the leading slash: `v3/users/1001/targetGroups`. */
  path: string;
  /** `METHOD template`, as `count()` takes it: `GET v3/users/{id}/targetGroups`. */
  key: string;
  /** The status the client was answered, or null when it got no answer (dropped, or the proxy went down). */
  status: number | null;
  /** Whether the request was passed on to the upstream (a connection to it attempted). */
  forwarded: boolean;
  /** The upstream's own status, when it answered (differs from `status` only for a drop). */
  upstreamStatus: number | null;
  /** The fault applied, if any. */
  fault: 'status' | 'drop' | null;
  /** The latency added, in ms. */
  latencyMs: number;
  /** The upstream connection's error code, when forwarding failed (answered 502). */
  error?: string;
  at: number;
}

/** A fault set on the proxy: how often it may still apply, how often it did, and how to clear it. */
export interface Rule {
  readonly kind: 'latency' | 'status' | 'drop';
  /** Applications left (Infinity: until cleared). */
  readonly remaining: number;
  /** Times applied so far. */
  readonly hits: number;
  clear(): void;
}

export interface FaultOptions {
  match?: Match;
  /** How many matching requests it applies to (default: every one until cleared). */
  times?: number;
}

export interface StatusOptions extends FaultOptions {
  /** The answer's body (default a small JSON error naming the proxy; '' for none). */
  body?: string;
  /** A Retry-After header: delta-seconds (a number) or any text (an HTTP date). */
  retryAfter?: number | string;
}

export interface FaultProxy {
  /** The proxy's base URL, without a trailing slash (`http://127.0.0.1:PORT`), as startServer's. */
  readonly url: string;
  readonly port: number;
  /** The upstream base URL requests are forwarded to (settable: an upstream restarted on another port). */
  target: string;
  /** `ms` added before a matching request is forwarded or answered (matching latencies add up). */
  latency(ms: number, o?: FaultOptions): Rule;
  /** Answers `status` without forwarding. */
  status(status: number, o?: StatusOptions): Rule;
  /** Answers 429 without forwarding; `retryAfter` in seconds (or text), none by default. */
  tooManyRequests(o?: StatusOptions): Rule;
  /** Forwards, waits for the upstream's whole answer, then destroys the client's socket without a byte of it. */
  dropAfterUpstream(o?: FaultOptions): Rule;
  /** Clears every fault (latencies included). */
  clearFaults(): void;
  /** Stops listening and closes every connection: clients get ECONNREFUSED until `up()`. */
  down(): Promise<void>;
  /** Listens again, on the same port. */
  up(): Promise<void>;
  readonly isDown: boolean;
  /** Every request seen, in arrival order (entries are completed when the request is answered). */
  readonly log: readonly LogEntry[];
  /**
   * Requests seen whose `METHOD template` is `key` (`'POST v3/targetGroups'`), or every request when
   * omitted; `{forwarded: true}` counts only those passed on to the upstream.
   */
  count(key?: string, o?: { forwarded?: boolean }): number;
  /** Counts by `METHOD template`. */
  counts(o?: { forwarded?: boolean }): Record<string, number>;
  /** Empties the log (faults are kept). */
  resetLog(): void;
  close(): Promise<void>;
}

/** `v3/users/1001/targetGroups` → `v3/users/{id}/targetGroups`. */
export const pathTemplate = (path: string) =>
  path
    .split('/')
    .map((s) => (/^\d+$/.test(s) ? '{id}' : s))
    .join('/');

const trimSlash = (p: string) => p.replace(/^\/+/, '');

function matcher(m: Match | undefined): (method: string, path: string) => boolean {
  if (m === undefined) return () => true;
  let method: string | undefined, prefix: string | undefined;
  if (typeof m === 'string') {
    const sp = m.indexOf(' ');
    if (sp >= 0) [method, prefix] = [m.slice(0, sp), m.slice(sp + 1)];
    else if (/^[A-Z]+$/.test(m)) method = m;
    else prefix = m;
  } else ({ method, path: prefix } = m);
  const want = prefix === undefined ? undefined : trimSlash(prefix);
  return (reqMethod, path) =>
    (method === undefined || method.toUpperCase() === reqMethod) && (want === undefined || path.startsWith(want));
}

interface RuleState {
  kind: Rule['kind'];
  matches: (method: string, path: string) => boolean;
  remaining: number;
  hits: number;
  ms?: number;
  status?: number;
  body?: string;
  retryAfter?: number | string;
}

/** Headers that belong to one connection and are not passed on. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'content-length',
]);
const passOn = (h: http.IncomingHttpHeaders | http.OutgoingHttpHeaders) =>
  Object.fromEntries(Object.entries(h).filter(([k, v]) => v !== undefined && !HOP_BY_HOP.has(k.toLowerCase())));

const readAll = (s: NodeJS.ReadableStream) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
  });

/** Starts a proxy in front of `targetBaseUrl` on 127.0.0.1 (a free port, or `opts.port`). */
export async function startFaultProxy(targetBaseUrl: string, opts: { port?: number } = {}): Promise<FaultProxy> {
  let target = targetBaseUrl;
  const rules: RuleState[] = [];
  let log: LogEntry[] = [];
  let down = false;
  const sockets = new Set<Socket>();
  // No keep-alive towards the upstream: a restarted upstream must not be reached through a stale socket.
  const agent = new http.Agent({ keepAlive: false });

  const addRule = (r: Omit<RuleState, 'hits' | 'matches' | 'remaining'>, o: FaultOptions): Rule => {
    const times = o.times ?? Infinity;
    if (!(times > 0)) throw new RangeError(`times must be above 0 (got ${times})`);
    const state: RuleState = { ...r, matches: matcher(o.match), remaining: times, hits: 0 };
    rules.push(state);
    return {
      kind: state.kind,
      get remaining() {
        return state.remaining;
      },
      get hits() {
        return state.hits;
      },
      clear: () => {
        const i = rules.indexOf(state);
        if (i >= 0) rules.splice(i, 1);
      },
    };
  };
  const take = (r: RuleState) => {
    r.hits++;
    if (--r.remaining > 0) return;
    const i = rules.indexOf(r);
    if (i >= 0) rules.splice(i, 1);
  };

  const forward = (req: http.IncomingMessage, path: string, query: string, body: Buffer) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const base = target.endsWith('/') ? target : `${target}/`;
      const u = new URL(path + query, base);
      const out = http.request(u, {
        method: req.method,
        agent,
        headers: { ...passOn(req.headers), host: u.host, 'content-length': String(body.length) },
      });
      out.on('error', reject);
      out.on('response', (res) => {
        readAll(res).then((b) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b }), reject);
      });
      out.end(body);
    });

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const method = req.method ?? 'GET';
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = trimSlash(q >= 0 ? raw.slice(0, q) : raw);
    const query = q >= 0 ? raw.slice(q) : '';
    const entry: LogEntry = {
      method,
      path,
      key: `${method} ${pathTemplate(path)}`,
      status: null,
      forwarded: false,
      upstreamStatus: null,
      fault: null,
      latencyMs: 0,
      at: Date.now(),
    };
    log.push(entry);
    // The faults are chosen on arrival, so concurrent requests never share one application.
    let latencyMs = 0;
    for (const r of [...rules])
      if (r.kind === 'latency' && r.matches(method, path)) {
        latencyMs += r.ms!;
        take(r);
      }
    const fault = rules.find((r) => r.kind !== 'latency' && r.matches(method, path));
    if (fault) take(fault);
    entry.latencyMs = latencyMs;
    const body = await readAll(req);
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    const answer = (status: number, headers: Record<string, string>, text: string | Buffer) => {
      if (res.destroyed) return;
      res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(text)) });
      res.end(text);
      entry.status = status;
    };
    if (fault?.kind === 'status') {
      entry.fault = 'status';
      const text =
        fault.body ??
        JSON.stringify({ error: { code: fault.status, message: `fault-proxy: injected ${fault.status}` } });
      answer(
        fault.status!,
        {
          ...(text ? { 'content-type': 'application/json' } : {}),
          ...(fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {}),
        },
        text,
      );
      return;
    }
    entry.forwarded = true;
    let up;
    try {
      up = await forward(req, path, query, body);
    } catch (e) {
      entry.error = (e as NodeJS.ErrnoException).code ?? String(e);
      answer(
        502,
        { 'content-type': 'application/json' },
        JSON.stringify({ error: { code: 502, message: 'fault-proxy: upstream unreachable' } }),
      );
      return;
    }
    entry.upstreamStatus = up.status;
    if (fault?.kind === 'drop') {
      entry.fault = 'drop';
      req.socket.destroy();
      return;
    }
    answer(up.status, passOn(up.headers) as Record<string, string>, up.body);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(opts.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get target() {
      return target;
    },
    set target(t: string) {
      target = t;
    },
    latency: (ms, o = {}) => addRule({ kind: 'latency', ms }, o),
    status: (status, o = {}) => addRule({ kind: 'status', status, body: o.body, retryAfter: o.retryAfter }, o),
    tooManyRequests: (o = {}) =>
      addRule({ kind: 'status', status: 429, body: o.body ?? '', retryAfter: o.retryAfter }, o),
    dropAfterUpstream: (o = {}) => addRule({ kind: 'drop' }, o),
    clearFaults: () => void rules.splice(0),
    async down() {
      if (down) return;
      down = true;
      await stop();
      // A moment for clients to see their kept-alive sockets closed (else their next request is a reset, not a refusal).
      await new Promise((r) => setTimeout(r, 20));
    },
    async up() {
      if (!down) return;
      await listen(port);
      down = false;
    },
    get isDown() {
      return down;
    },
    get log() {
      return log;
    },
    count: (key, o = {}) =>
      log.filter(
        (e) => (key === undefined || e.key === key) && (o.forwarded === undefined || e.forwarded === o.forwarded),
      ).length,
    counts(o = {}) {
      const out: Record<string, number> = {};
      for (const e of log)
        if (o.forwarded === undefined || e.forwarded === o.forwarded) out[e.key] = (out[e.key] ?? 0) + 1;
      return out;
    },
    resetLog: () => {
      log = [];
    },
    async close() {
      if (!down) await stop();
      down = true;
      agent.destroy();
    },
  };
}
