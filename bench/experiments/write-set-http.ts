/**
 * EXPERIMENT: the floor POST (one insert) against the same POST writing the widget log's write set
 * (write-set-server.ts), over HTTP with autocannon -c 50, alternated. Shows how much of the
 * log-throughput gap the write set alone explains. Usage: node --import tsx bench/experiments/write-set-http.ts [seconds] [rounds]
 */
import { join } from 'node:path';
import { load, machine, printTable, startNode } from '../lib.js';
import { tempDir } from '../seed.js';

const S = Number(process.argv[2] ?? 5), R = Number(process.argv[3] ?? 2);
const dir = tempDir('wsh');
const floor = await startNode('wsh-floor', 'bench/floor-server.ts', 8794, { FLOOR_DB: join(dir, 'floor.db') });
// WRITESET_SKIP=log_replies,activities prices a smaller write set.
const writes = await startNode('wsh-writes', 'bench/experiments/write-set-server.ts', 8795, { FLOOR_DB: join(dir, 'writes.db'), WRITESET_SKIP: process.env.WRITESET_SKIP ?? '' });
let n = 0;
const req = (path: string) => ({ method: 'POST' as const, path, headers: { 'content-type': 'application/json' },
  setupRequest: (r: any) => { const i = n++; return { ...r, headers: { ...r.headers, 'idempotency-key': `k${i}` }, body: JSON.stringify({ challengeId: String(i % 3000), quantity: 1, customerId: i % 1000 }) }; } });
const rows: (string | number)[][] = [];
try {
  await load({ url: floor.url, duration: 2, requests: [req('/floor/activities')] });
  await load({ url: writes.url, duration: 2, requests: [req('/floor/log-writes')] });
  for (let r = 1; r <= R; r++) {
    const a = await load({ url: floor.url, duration: S, requests: [req('/floor/activities')] });
    const b = await load({ url: writes.url, duration: S, requests: [req('/floor/log-writes')] });
    rows.push([r, Math.round(a.reqPerSec), Math.round(b.reqPerSec), (b.reqPerSec / a.reqPerSec).toFixed(2), `${b.p99} ms`]);
  }
} finally { await floor.stop(); await writes.stop(); }
console.log(`floor POST (1 insert) vs the same POST writing a widget log's write set${process.env.WRITESET_SKIP ? ` without ${process.env.WRITESET_SKIP}` : ''}, grouped per event-loop turn; ${machine()}`);
printTable(['round', 'floor req/s', 'log write set req/s', 'ratio', 'write-set p99'], rows);
