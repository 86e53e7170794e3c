// The counter-based PRNG: pure, stream-separated, uniform, and a seeded permutation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrng, fmix32, permutation, STREAM } from '../../src/data/prng.js';
import { assertNear, assertRate, mean } from './helpers.js';

test('draws are a pure function of (seed, stream, row, slot, draw)', () => {
  const a = createPrng(42, STREAM.fields);
  const b = createPrng(42, STREAM.fields);
  const ka = a.rowKey(1234);
  a.rowKey(99); // other rows in between change nothing
  assert.equal(a.uniform(ka, 3, 1), b.uniform(b.rowKey(1234), 3, 1));
  assert.equal(a.uint32(ka, 3, 1), b.uint32(b.rowKey(1234), 3, 1));
  assert.notEqual(a.uniform(ka, 3, 1), a.uniform(ka, 3, 2), 'draw index matters');
  assert.notEqual(a.uniform(ka, 3, 1), a.uniform(ka, 4, 1), 'slot matters');
  assert.notEqual(a.uniform(ka, 3, 1), createPrng(42, STREAM.labels).uniform(createPrng(42, STREAM.labels).rowKey(1234), 3, 1), 'stream matters');
  assert.notEqual(a.uniform(ka, 3, 1), createPrng(43, STREAM.fields).uniform(createPrng(43, STREAM.fields).rowKey(1234), 3, 1), 'seed matters');
  assert.notEqual(a.uniform(a.rowKey(5), 0, 0), a.uniform(a.rowKey(2 ** 32 + 5), 0, 0), 'high word of the row index matters');
  const [neg, pos] = [createPrng(-1, 0), createPrng(1, 0)];
  assert.notEqual(neg.uniform(neg.rowKey(0), 0, 0), pos.uniform(pos.rowKey(0), 0, 0), 'sign of the seed matters');
});

test('row keys never repeat across 200,000 consecutive rows', () => {
  const p = createPrng(7, STREAM.fields);
  const seen = new Set<string>();
  for (let i = 0; i < 200_000; i++) {
    const k = p.rowKey(i);
    seen.add(`${k.a}:${k.b}`);
  }
  assert.equal(seen.size, 200_000);
});

test('uniform: [0, 1), mean 1/2 and every tenth equally likely (4 SE)', () => {
  const p = createPrng(42, STREAM.fields);
  const n = 100_000;
  const xs = new Float64Array(n);
  const key = p.rowKey(0);
  for (let i = 0; i < n; i++) xs[i] = p.uniform(p.setRowKey(key, i), 9, 0);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  assertNear(mean(xs), 0.5, Math.sqrt(1 / 12 / n), 3, 'mean');
  for (let d = 0; d < 10; d++) assertRate(xs.filter((x) => Math.floor(x * 10) === d).length, n, 0.1, 4, `tenth ${d}`);
});

test('fmix32 is a bijection on a sample (no collisions among 100,000 inputs)', () => {
  const out = new Set<number>();
  for (let i = 0; i < 100_000; i++) out.add(fmix32(i * 65_537));
  assert.equal(out.size, 100_000);
});

test('permutation: every index once, seeded, and each position uniform over the items (4 SE)', () => {
  const p = permutation(1000, 42);
  assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i));
  assert.deepEqual(permutation(1000, 42), p);
  assert.notDeepEqual(permutation(1000, 43), p);
  // Where item 0 lands, over many seeds: each of 4 positions a quarter of the time.
  const seeds = 8000;
  const at = [0, 0, 0, 0];
  for (let s = 0; s < seeds; s++) at[permutation(4, s).indexOf(0)]++;
  for (let pos = 0; pos < 4; pos++) assertRate(at[pos], seeds, 0.25, 4, `P(item 0 at ${pos})`);
});
