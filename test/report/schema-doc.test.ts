import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SCHEMA_VERSION } from '../../src/summary/types.js';

const root = new URL('../../../', import.meta.url);
const typesTs = readFileSync(new URL('src/summary/types.ts', root), 'utf8');
const doc = readFileSync(new URL('docs/report-schema.md', root), 'utf8');

/** Property names declared in src/summary/types.ts (interfaces and inline object types), comments stripped. */
function declaredFields(): Set<string> {
  const code = typesTs.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const names = new Set<string>();
  for (const block of code.matchAll(/export interface \w+(?: extends [^{]+)? \{([\s\S]*?)\n\}/g)) {
    for (const m of block[1]!.matchAll(/(\w+)\??\s*:/g)) names.add(m[1]!);
  }
  return names;
}

/** Last path segment of every backticked name in the first column of the doc's "Field" tables. */
function documentedFields(): Set<string> {
  const names = new Set<string>();
  let inFieldTable = false;
  for (const line of doc.split('\n')) {
    if (line.startsWith('| Field |')) inFieldTable = true;
    else if (!line.startsWith('|')) inFieldTable = false;
    else if (inFieldTable && !line.startsWith('| ---')) {
      const first = line.split('|')[1]!.trim();
      const m = first.match(/^`([\w.]+)`$/);
      assert.ok(m, `first column is one backticked field name: ${first}`);
      names.add(m![1]!.split('.').at(-1)!);
    }
  }
  return names;
}

test('docs/report-schema.md documents every field of src/summary/types.ts, and no other', () => {
  const declared = declaredFields();
  const documented = documentedFields();
  assert.ok(declared.size > 80, `parsed ${declared.size} declared fields`);
  assert.deepEqual([...declared].filter((f) => !documented.has(f)).sort(), [], 'fields missing from the doc');
  assert.deepEqual([...documented].filter((f) => !declared.has(f)).sort(), [], 'documented fields that do not exist');
});

test('the documented schema version is the current one', () => {
  assert.match(doc, new RegExp(`Version of this schema \\(currently ${SCHEMA_VERSION}\\)`));
});
