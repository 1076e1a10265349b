// Writes the built version and Subresource Integrity hashes (dist/integrity.json) into every
// `/v/<version>/ucc-widgets[.iife].js" integrity="…"` snippet of README.md and docs/*.md, so the
// snippets a brand copies always name files that exist and hashes that match them.
// `--check` changes nothing and exits 1 when a snippet is stale.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const { version, files } = JSON.parse(readFileSync(new URL('dist/integrity.json', root), 'utf8'));
const check = process.argv.includes('--check');
const SNIPPET = /\/v\/[^/"\s]+\/(ucc-widgets(?:\.iife)?\.js)"(\s+)integrity="[^"]*"/g;
let stale = 0;
for (const path of [
  'README.md',
  ...readdirSync(new URL('docs', root))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
]) {
  const url = new URL(path, root);
  const text = readFileSync(url, 'utf8');
  const next = text.replace(SNIPPET, (_, file, space) => `/v/${version}/${file}"${space}integrity="${files[file]}"`);
  if (next === text) continue;
  stale++;
  if (check)
    console.error(
      `${path}: an embed snippet does not name ucc-widgets ${version} with its current integrity hash (run npm run build)`,
    );
  else {
    writeFileSync(url, next);
    console.log(`${path}: embed snippets set to ${version} and their sha384`);
  }
}
if (check && stale) process.exit(1);
