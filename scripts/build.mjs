// `npm run build`: every published artefact, in order (also `prepack`, so `npm pack` is complete).
//   dist/ucc-widgets.js, dist/ucc-widgets.locale-*.js (+ maps)              the script-tag ES build
//   dist/ucc-widgets.iife.js (+ map), dist/integrity.json                  the IIFE (uses the locale chunks)
//   dist/esm/                                                              the npm build, one file per module
//   dist/esm/react/                                                        the React wrappers (src/react, generated)
//   dist/types/, custom-elements.json, docs/elements.md                     types and docs
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

process.chdir(new URL('..', import.meta.url).pathname);
const run = (cmd) => execSync(cmd, { stdio: 'inherit' });
rmSync('dist', { recursive: true, force: true });
run('vite build --logLevel warn');
run('vite build --mode iife --logLevel warn');
run('vite build --mode npm --logLevel warn');
run('cem analyze --litelement --globs "src/elements/**/*.component.ts" --outdir . --quiet');
// The analyzer lists modules in the order its file walk met them, which varies: sort, so a build
// changes custom-elements.json (and what is generated from it) only when an element changes.
const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8'));
manifest.modules.sort((a, b) => a.path.localeCompare(b.path));
writeFileSync('custom-elements.json', JSON.stringify(manifest, null, 2) + '\n');
if (existsSync('scripts/gen-react.mjs')) run('node scripts/gen-react.mjs');
if (existsSync('src/react/index.ts')) run('vite build --mode react --logLevel warn');
run('tsc -p tsconfig.types.json');
run('node docs/gen-elements.mjs');
run('node scripts/embed-snippets.mjs');
