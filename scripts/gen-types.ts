// `npm run gen:types`: writes src/api/types.ts, the browser's wire types, from the contract
// (contract/widget-api.ts). test/server/contract.test.ts fails when the file is stale.
import { writeFileSync } from 'node:fs';
import { compile } from 'json-schema-to-typescript';
import { wireSchemas } from '../contract/widget-api.js';

export const TYPES_FILE = new URL('../src/api/types.ts', import.meta.url);

/** A plain copy (no TypeBox symbols) that keeps sharing: a schema used in two places is one object, so one type. */
function plain(v: unknown, seen = new Map<object, unknown>()): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (seen.has(v)) return seen.get(v);
  const out: Record<string, unknown> | unknown[] = Array.isArray(v) ? [] : {};
  seen.set(v, out);
  for (const [k, x] of Object.entries(v)) (out as Record<string, unknown>)[k] = plain(x, seen);
  return out;
}

export async function browserTypes(): Promise<string> {
  // One root schema naming every contract schema, so each becomes one interface and is referenced by name.
  const root = {
    title: 'WidgetApi',
    type: 'object',
    additionalProperties: false,
    properties: wireSchemas,
    required: Object.keys(wireSchemas),
  };
  const body = await compile(plain(root) as never, 'WidgetApi', {
    bannerComment: '',
    additionalProperties: false,
    unreachableDefinitions: false,
    format: true,
    style: { singleQuote: true, printWidth: 120 },
  });
  return `/**
 * The widget API's wire types (\`/ucc/v1\`), GENERATED from contract/widget-api.ts by \`npm run gen:types\`:
 * edit the contract, not this file. The browser imports them as types only, so the bundle gains nothing.
 */

${body.replace(/export interface WidgetApi \{[^]*?\n\}\n/, '').trim()}
`;
}

if (import.meta.url === `file://${process.argv[1]}`) writeFileSync(TYPES_FILE, await browserTypes());
