/**
 * EXPERIMENT: how answer size alone caps GET throughput on this machine. The floor server answers
 * N bytes held in memory (GET /floor/blob?bytes=N) against its one-row GET, alternated.
 * Usage: node --import tsx bench/experiments/answer-size-curve.ts [seconds]
 */
import { join } from 'node:path';
import { load, machine, printTable, startNode } from '../lib.js';
import { tempDir } from '../seed.js';

const S = Number(process.argv[2] ?? 3);
const floor = await startNode('curve-floor', 'bench/floor-server.ts', 8794, {
  FLOOR_DB: join(tempDir('curve'), 'floor.db'),
});
const rows: (string | number)[][] = [];
try {
  await load({ url: `${floor.url}/floor/activities/1`, duration: 2 });
  for (const bytes of [1_000, 5_000, 10_000, 20_000, 50_000, 100_000]) {
    const one = await load({ url: `${floor.url}/floor/activities/1`, duration: S });
    const blob = await load({ url: `${floor.url}/floor/blob?bytes=${bytes}`, duration: S });
    rows.push([
      bytes.toLocaleString('en-US'),
      Math.round(one.reqPerSec),
      Math.round(blob.reqPerSec),
      (blob.reqPerSec / one.reqPerSec).toFixed(2),
    ]);
  }
} finally {
  await floor.stop();
}
console.log(`GET of N bytes from memory vs GET of one row, autocannon -c 50 -d ${S}; ${machine()}`);
printTable(['answer bytes', 'one-row req/s', 'N-byte req/s', 'ratio'], rows);
