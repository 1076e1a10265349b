/**
 * The layer rules of docs/architecture.md hold because ESLint refuses what breaks them (eslint.config.js runs in
 * CI). These tests lint small files placed in each layer, so that a rule weakened or dropped from the config fails
 * here, not silently.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { ESLint } from 'eslint';

const eslint = new ESLint();
/** The rule ids ESLint reports for `code` placed at `file` (a path in the repository; the file need not exist). */
async function problems(file: string, code: string) {
  const [r] = await eslint.lintText(code, { filePath: file });
  return r.messages.filter((m) => m.severity === 2).map((m) => m.ruleId ?? m.message);
}

const refused: [string, string, string, string][] = [
  ['the browser imports the server', 'src/x.ts', "import '../server/app.js';", 'import-x/no-restricted-paths'],
  [
    'the server imports the browser package',
    'server/widget-api/x.ts',
    "import '../../src/api/client.js';",
    'import-x/no-restricted-paths',
  ],
  [
    'the store imports the engine',
    'server/store/x.ts',
    "import '../engine/targets.js';",
    'import-x/no-restricted-paths',
  ],
  [
    'the store imports a widget service',
    'server/store/x.ts',
    "import '../widget-api/services/idempotency.js';",
    'import-x/no-restricted-paths',
  ],
  [
    'the engine imports an HTTP surface',
    'server/engine/x.ts',
    "import '../capillary/index.js';",
    'import-x/no-restricted-paths',
  ],
  ['the engine imports HTTP errors', 'server/engine/x.ts', "import '../errors.js';", 'import-x/no-restricted-paths'],
  ['the engine imports fastify', 'server/engine/x.ts', "import 'fastify';", 'no-restricted-imports'],
  ['the model imports the store', 'server/model/x.ts', "import '../store/types.js';", 'import-x/no-restricted-paths'],
  [
    'the upstream client imports the store',
    'server/loyalty/upstream/x.ts',
    "import '../../store/types.js';",
    'import-x/no-restricted-paths',
  ],
  [
    'the upstream client imports the loyalty port',
    'server/loyalty/upstream/x.ts',
    "import '../port.js';",
    'import-x/no-restricted-paths',
  ],
];
for (const [what, file, code, rule] of refused) {
  test(`lint refuses an import that breaks a layer rule: ${what}`, async () => {
    assert.ok((await problems(file, code + '\n')).includes(rule), `${file}: ${code} is refused by ${rule}`);
  });
}

test('lint allows what the layers may import: the contract from the server, the store port from the engine', async () => {
  assert.deepEqual(await problems('server/widget-api/x.ts', "import '../../contract/widget-api.js';\n"), []);
  assert.deepEqual(await problems('server/engine/x.ts', "import '../store/types.js';\n"), []);
  assert.deepEqual(await problems('server/loyalty/upstream/x.ts', "import '../../model/org.js';\n"), []);
  assert.deepEqual(await problems('server/loyalty/upstream/x.ts', "import './resilience.js';\n"), []);
});

const cycleDir = 'server/boundaries-cycle-probe';
after(() => rmSync(cycleDir, { recursive: true, force: true }));
test('lint refuses an import cycle', async () => {
  mkdirSync(cycleDir, { recursive: true });
  writeFileSync(`${cycleDir}/a.ts`, "import { b } from './b.js';\nexport const a = () => b;\n");
  writeFileSync(`${cycleDir}/b.ts`, "import { a } from './a.js';\nexport const b = () => a;\n");
  const [r] = await eslint.lintFiles([`${cycleDir}/a.ts`]);
  assert.ok(
    r.messages.some((m) => m.ruleId === 'import-x/no-cycle'),
    JSON.stringify(r.messages.map((m) => m.ruleId)),
  );
});
