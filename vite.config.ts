import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/** The script-tag bundle's budget (gzip bytes): the build fails rather than ship over it. */
const BUDGET = 20_000;

// Minified output keeps raw newlines only inside template literals (lit html/css) and keeps
// `@__PURE__` annotations; dropping both changes no meaning and saves ~600 B gzip of the 20 kB budget.
const collapseTemplateWhitespace = (): Plugin => ({
  name: 'ucc-collapse-template-whitespace-and-budget',
  apply: 'build',
  generateBundle(_, bundle) {
    for (const c of Object.values(bundle)) {
      if (c.type != 'chunk') continue;
      c.code = c.code.replace(/\n\s*/g, ' ').replace(/\/\* @__PURE__ \*\/ /g, '');
      const size = gzipSync(c.code).length;
      if (c.fileName == 'ucc-widgets.js' && size > BUDGET) this.error(`ucc-widgets.js is ${size} B gzip, over the ${BUDGET} B budget.`);
    }
  },
});

/** Minifies CSS text: no comments, no spaces around punctuation, no last `;`, no leading zero. */
const minifyCss = (s: string) =>
  s.replace(/\/\*[^]*?\*\//g, '').replace(/\s+/g, ' ').replace(/ ?([{};,>]) ?/g, '$1')
    .replace(/([{;][-\w]+): /g, '$1:').replace(/;}/g, '}').replace(/([ :(,])0\.(\d)/g, '$1.$2').trim();

// Our styles are `css` tagged templates with no interpolations; their text ships as written unless minified here.
const minifyStyles = (): Plugin => ({
  name: 'ucc-minify-styles',
  enforce: 'pre',
  transform(code, id) {
    if (!/\/src\/.*\.ts$/.test(id) || !code.includes('css`')) return;
    return { code: code.replace(/\bcss`([^`$]*)`/g, (_, text: string) => `css\`${minifyCss(text)}\``), map: null };
  },
});

// Two builds from one source (see package.json "build"):
// - default: dist/ucc-widgets.js (self-contained ES module for a script tag) + dist/ucc-widgets.iife.js;
// - `--mode npm`: dist/esm/ per-element entries with lit, ky, @lit/context and idb-keyval left external.
const elements = ['provider', 'create-challenge', 'log-activity', 'progress', 'points'];

export default defineConfig(({ mode }) =>
  mode == 'npm'
    ? {
        build: {
          outDir: 'dist/esm',
          emptyOutDir: true,
          sourcemap: true,
          lib: {
            entry: {
              index: 'src/index.ts',
              ...Object.fromEntries(elements.map((e) => [`elements/${e}`, `src/elements/${e}/${e}.ts`])),
            },
            formats: ['es'],
          },
          rolldownOptions: { external: [/^lit/, /^@lit\//, 'ky', 'idb-keyval'] },
        },
        plugins: [minifyStyles()],
      }
    : {
        build: {
          outDir: 'dist',
          emptyOutDir: false,
          lib: {
            entry: 'src/index.ts',
            name: 'UccWidgets',
            formats: ['es', 'iife'],
            fileName: (format) => (format == 'es' ? 'ucc-widgets.js' : 'ucc-widgets.iife.js'),
          },
          // Vite leaves ES library output unminified unless asked (toolchain.md).
          rolldownOptions: { output: { minify: true } },
        },
        plugins: [minifyStyles(), collapseTemplateWhitespace()],
      },
);
