// The one window index (engine/windows.ts) that the worker, the accumulator and the record sinks share.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { windowGrid, windowIndex } from '../../src/engine/windows.js';

test('count windows go by sequence number, span windows by intended send time', () => {
  const count = windowGrid({ kind: 'count', every: 100 });
  assert.deepEqual(count, { every: 100, spanUs: 0 });
  // seq 0..99 → 0, 100 → 1; the intended time does not matter
  assert.deepEqual([0, 99, 100, 250, 4649].map((seq) => windowIndex(count, seq, 9e9)), [0, 0, 1, 2, 46]);
  const span = windowGrid({ kind: 'span', spanMs: 2000 });
  assert.deepEqual(span, { every: 0, spanUs: 2_000_000 });
  // 1.999999 s → 0, 2 s → 1, 5.5 s → 2; the sequence number does not matter
  assert.deepEqual([0, 1_999_999, 2_000_000, 5_500_000].map((us) => windowIndex(span, 7, us)), [0, 0, 1, 2]);
});
