/**
 * The README and docs/ are read on the repository host and in the npm package: every relative link
 * must land on a file of this repository, and every `#anchor` on a heading of its target.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const pages = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
const anchorsOf = (file: string) =>
  new Set(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => /^#{1,6} /.test(l))
      .map((l) => slug(l.replace(/^#+ /, ''))),
  );

test('every relative link in README.md and docs/*.md points at a file in this repository, and every anchor at a heading', () => {
  const broken: string[] = [];
  let checked = 0;
  for (const page of pages) {
    const text = readFileSync(join(ROOT, page), 'utf8').replace(/```[^]*?```/g, ''); // links in code blocks are examples
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (/^[a-z]+:/i.test(target)) continue; // http(s), mailto: not this test's business
      checked++;
      const [path, anchor] = target.split('#');
      const file = path ? resolve(ROOT, dirname(page), path) : join(ROOT, page);
      if (!file.startsWith(ROOT + '/') || relative(ROOT, file).startsWith('..')) {
        broken.push(`${page}: ${target} leaves the repository`);
        continue;
      }
      if (!existsSync(file)) {
        broken.push(`${page}: ${target} (no such file)`);
        continue;
      }
      if (anchor && file.endsWith('.md') && !anchorsOf(file).has(anchor))
        broken.push(`${page}: ${target} (no such heading)`);
    }
  }
  assert.ok(checked > 5, `found ${checked} links`);
  assert.deepEqual(broken, []);
});

test('README.md and docs/ name no path outside the repository', () => {
  for (const page of pages) {
    const text = readFileSync(join(ROOT, page), 'utf8');
    assert.doesNotMatch(text, /\.\.\/shared\/|DESIGN\.md/, `${page} points at files outside the repository`);
  }
});
