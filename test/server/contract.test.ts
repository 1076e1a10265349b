import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { browserTypes, TYPES_FILE } from '../../scripts/gen-types.js';

describe('the widget API contract', () => {
  it('the browser types (src/api/types.ts) are generated from the contract and up to date', async () => {
    const expected = await browserTypes();
    assert.ok(readFileSync(TYPES_FILE, 'utf8') === expected, 'src/api/types.ts is stale: run `npm run gen:types`');
  });
});
