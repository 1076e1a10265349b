// ESLint: typescript-eslint everywhere, lit and wc rules for the elements, and the layer rules of
// docs/architecture.md (which folder may import which; no import cycles). Formatting is Prettier's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import lit from 'eslint-plugin-lit';
import wc from 'eslint-plugin-wc';
import importX from 'eslint-plugin-import-x';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/** A zone: files in `target` may not import from `from` (paths from the repository root). */
const forbid = (target, from, message) => ({ target, from, message });

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'bench/out/',
      'node_modules/',
      'coverage/',
      '.tmp/',
      'data/',
      'src/react/index.ts',
      'src/react/jsx.ts',
      'custom-elements.json',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  importX.flatConfigs.typescript,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      // The store's transaction object closes over its store under a short name on purpose (hot path).
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['s'] }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            forbid('./src', './server', 'The browser package never imports the server.'),
            forbid('./server', './src', 'The server imports only the contract (contract/), never the browser package.'),
            forbid(
              './server/model',
              ['./server/engine', './server/store', './server/widget-api', './server/capillary', './server/app.ts'],
              'The model is a leaf: documents and types only, importing only the contract.',
            ),
            forbid(
              './server/store',
              ['./server/engine', './server/widget-api', './server/capillary', './server/app.ts'],
              'The store is the bottom layer: it imports the model only.',
            ),
            forbid(
              './server/engine',
              [
                './server/widget-api',
                './server/capillary',
                './server/app.ts',
                './server/errors.ts',
                './server/store/sqlite.ts',
                './server/store/sqlite',
              ],
              'The engine has no HTTP in it (it throws DomainErrors: server/model/errors.ts) and reaches storage through its port.',
            ),
            // The widget API reaches the loyalty platform only through the port (server/loyalty/port.ts);
            // of the engine it may use the pure time helpers and the organisation's config types.
            {
              target: './server/widget-api',
              from: './server/engine',
              except: ['./time.ts', './org.ts'],
              message:
                'The widget API reaches the engine only through the loyalty port (server/loyalty/); engine/time.ts and engine/org.ts are allowed.',
            },
            forbid(
              './server/loyalty',
              ['./server/widget-api', './server/capillary', './server/app.ts', './server/errors.ts'],
              'The loyalty port sits between the widget API and the platform: it knows no HTTP surface.',
            ),
            // The upstream client speaks to a real Capillary organisation: the model's types and Node only.
            {
              target: './server/loyalty/upstream',
              from: './server',
              except: ['./model', './loyalty/upstream'],
              message: 'The upstream client (server/loyalty/upstream/) imports server/model and Node built-ins only.',
            },
          ],
        },
      ],
    },
  },
  // The engine and the model know no HTTP framework.
  {
    files: ['server/engine/**/*.ts', 'server/model/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['fastify', 'fastify/*', '@fastify/*'],
              message: 'The engine and the model have no HTTP in them.',
            },
          ],
        },
      ],
    },
  },
  { files: ['src/**/*.ts'], ...lit.configs['flat/recommended'] },
  { files: ['src/**/*.ts'], ...wc.configs['flat/recommended'] },
  // Tests assert with chai (`expect(x).to.be.true`) and build test strings with control characters.
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-expressions': 'off',
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
