/**
 * EXPERIMENT: builds src/index.ts with the product's Vite settings but with `ky` resolved to
 * bench/experiments/ky-lite.ts, and compares its gzip size with dist/ucc-widgets.js and the floor
 * (run `npm run bench -- bundle` first). Usage: node --import tsx bench/experiments/bundle-without-ky.ts
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { OUT, ROOT, printTable, fmt } from '../lib.js';
import { buildWith } from '../vite-build.js';

const lite = join(ROOT, 'bench/experiments/ky-lite.ts');
const alias = { name: 'ky-lite', enforce: 'pre' as const, resolveId: (id: string) => (id === 'ky' ? lite : null) };
const without = await buildWith(join(ROOT, 'src/index.ts'), join(OUT, 'without-ky'), [alias]);
const product = readFileSync(join(ROOT, 'dist/ucc-widgets.js'));
const floor = readFileSync(join(OUT, 'floor/bundle.js'));
const gz = (b: Buffer) => gzipSync(b).length;
printTable(
  ['bundle', 'min', 'gzip', 'gzip / floor'],
  [
    [
      'dist/ucc-widgets.js (ky 1.x)',
      fmt(product.length, 'B'),
      fmt(gz(product), 'B'),
      (gz(product) / gz(floor)).toFixed(2),
    ],
    [
      'same, ky → 40-line fetch wrapper',
      fmt(without.length, 'B'),
      fmt(gz(without), 'B'),
      (gz(without) / gz(floor)).toFixed(2),
    ],
    ['floor: lit + one element', fmt(floor.length, 'B'), fmt(gz(floor), 'B'), '1.00'],
  ],
);
