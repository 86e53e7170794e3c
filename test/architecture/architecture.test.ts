// The module structure holds by construction: no import circle between files or between folders, and
// docs/architecture.md's drawing and layer list are the ones the code's imports give (regenerated, not hand-kept).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, fileGraph, findCycle, layers, mermaid, moduleGraph } from './imports.js';

const files = fileGraph();
const modules = moduleGraph(files);

test('no two files of src/ import each other, directly or around a circle', () => {
  assert.ok(files.size > 100, `read ${files.size} files`);
  const c = findCycle(files);
  assert.equal(c, undefined, `import circle: ${c?.join(' → ')}`);
});

test('no two modules (folders of src/) import each other: every arrow points down', () => {
  const g = new Map([...modules].map(([k, v]) => [k, [...v.keys()]]));
  const c = findCycle(g);
  const why = c ? c.slice(0, -1).map((m, i) => `${m} → ${c[i + 1]}: ${modules.get(m)!.get(c[i + 1])!.join(', ')}`).join('\n') : '';
  assert.equal(c, undefined, `module circle ${c?.join(' → ')}\n${why}`);
});

test('docs/architecture.md shows the modules and layers the code has', () => {
  const doc = readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');
  const block = (name: string) => new RegExp(`<!-- generated: ${name} -->\\n([\\s\\S]*?)\\n<!-- /generated: ${name} -->`).exec(doc)?.[1];
  const want = mermaid(modules);
  assert.equal(block('modules'), want, `paste this between the "modules" markers of docs/architecture.md:\n${want}`);
  const wantLayers = layers(modules).map((l, i) => `${i + 1}. ${l.join(', ')}`).join('\n');
  assert.equal(block('layers'), wantLayers, `paste this between the "layers" markers:\n${wantLayers}`);
});
