// Writes the element reference into docs/elements.md (between the ELEMENTS markers) from custom-elements.json,
// itself generated from the elements' JSDoc by `npm run analyze`. `--check` exits 1 when docs/elements.md is stale.
import { readFileSync, writeFileSync } from 'node:fs';

const manifest = JSON.parse(readFileSync(new URL('../custom-elements.json', import.meta.url), 'utf8'));
const cell = (s = '') => String(s).replace(/\n/g, ' ').replace(/\|/g, '\\|');
const table = (head, rows) =>
  rows.length
    ? `| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|\n${rows.map((r) => `| ${r.map(cell).join(' | ')} |`).join('\n')}\n\n`
    : '';

let out = '';
const decls = manifest.modules.flatMap((m) => m.declarations ?? []).filter((d) => d.tagName);
const order = ['ucc-provider', 'ucc-create-challenge', 'ucc-log-activity', 'ucc-progress', 'ucc-points', 'ucc-rewards'];
decls.sort((a, b) => order.indexOf(a.tagName) - order.indexOf(b.tagName));
for (const d of decls) {
  out += `## \`<${d.tagName}>\`\n\n${d.summary ?? ''}\n\n${d.description ?? ''}\n\n`;
  const props = (d.members ?? []).filter(
    (m) => m.kind === 'field' && !['private', 'protected'].includes(m.privacy) && !m.static,
  );
  out += table(
    ['Property', 'Attribute', 'Type', 'Default', 'Description'],
    props.map((p) => [
      `\`${p.name}\``,
      p.attribute ? `\`${p.attribute}\`` : '',
      p.type?.text ?? '',
      p.default ?? '',
      p.description ?? '',
    ]),
  );
  const methods = (d.members ?? []).filter(
    (m) => m.kind === 'method' && !['private', 'protected'].includes(m.privacy) && !m.static && m.description,
  );
  out += table(
    ['Method', 'Description'],
    methods.map((m) => [`\`${m.name}()\``, m.description]),
  );
  out += table(
    ['Event', 'Description'],
    (d.events ?? []).map((e) => [`\`${e.name}\``, e.description ?? '']),
  );
  out += table(
    ['Slot', 'Description'],
    (d.slots ?? []).map((s) => [s.name ? `\`${s.name}\`` : '(default)', s.description ?? '']),
  );
  out += table(
    ['Part', 'Description'],
    (d.cssParts ?? []).map((p) => [`\`${p.name}\``, p.description ?? '']),
  );
  out += table(
    ['Custom property', 'Description'],
    (d.cssProperties ?? []).map((p) => [`\`${p.name}\``, p.description ?? '']),
  );
}
const readmeUrl = new URL('./elements.md', import.meta.url);
const readme = readFileSync(readmeUrl, 'utf8');
const begin = '<!-- ELEMENTS:BEGIN -->',
  end = '<!-- ELEMENTS:END -->';
const i = readme.indexOf(begin),
  j = readme.indexOf(end);
if (i < 0 || j < i)
  throw new Error('docs/elements.md lacks the <!-- ELEMENTS:BEGIN --> / <!-- ELEMENTS:END --> markers');
const next = `${readme.slice(0, i + begin.length)}\n${out.trimEnd()}\n${readme.slice(j)}`;
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('docs/elements.md: the element reference is stale; run npm run docs');
    process.exit(1);
  }
} else writeFileSync(readmeUrl, next);
console.log(`docs/elements.md: ${decls.length} elements documented`);
