// The pre-start warm-up: bounded in rows (start-up must not grow with rowsPerRequest), and never asking a replayed
// file with `atEnd: stop` for a row past its end (it used to ask for row 1,000,000,000 and the run hung).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCodec } from '../../../src/codecs/index.js';
import { createRowGenerator } from '../../../src/data/rows.js';
import type { RowGenerator } from '../../../src/data/types.js';
import { JIT_WARMUP_MAX_ROWS, warmUpJit, warmupIterations, warmupRowIndex } from '../../../src/engine/worker/warmup.js';
import { fixture, scenario } from '../../data/helpers.js';

test('dry-run requests × rows per request never exceed the row budget (and there is at least one)', () => {
  // Table: rows per request → iterations (3,000 for one row, then bounded by rows).
  for (const [k, iterations] of [[1, 3000], [5, 3000], [10, 2000], [100, 200], [10_000, 2], [20_001, 1]] as const) {
    assert.equal(warmupIterations(k), iterations, `k = ${k}`);
    assert.ok(warmupIterations(k) * k <= Math.max(JIT_WARMUP_MAX_ROWS, k));
  }
});

test('row indices stay inside a finite source and far past the run for synthetic rows', () => {
  for (let n = 0; n < 1000; n++) assert.ok(warmupRowIndex(n, 12) < 12);
  assert.equal(warmupRowIndex(5, Infinity), 1_000_000_005);
});

test('warm-up over a 12-row file with atEnd: stop reads only its rows, at 10 rows per request', () => {
  const s = scenario({
    source: { path: fixture('telco.csv'), format: 'csv', order: 'sequential', atEnd: 'stop' },
    label: { name: 'cell_tower_failure', task: 'classification', model: { kind: 'column', column: 'cell_tower_failure' }, classes: [0, 1] },
    rowsPerRequest: 10,
  });
  s.target.protocol = 'kserve-v1';
  const gen = createRowGenerator(s);
  assert.equal(gen.size, 12);
  // Record every index the warm-up asks for: each must exist (the generator itself throws past the end).
  const asked: number[] = [];
  const spy: RowGenerator = { ...gen, row: (i) => (asked.push(i), gen.row(i)) };
  warmUpJit(spy, createCodec(s.target, gen.fieldNames, gen.classes), 10);
  assert.equal(asked.length, warmupIterations(10) * 10);
  assert.ok(asked.every((i) => i >= 0 && i < 12));
});
