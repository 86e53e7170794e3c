// stats/hist.ts against hdr-histogram-js itself: bucketsOfEncoded walks the counts instead of using the library's
// recordedValuesIterator, and latencyStats reports min/max as bucket bounds; both must give what the library gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as hdr from 'hdr-histogram-js';
import { bucketsOfEncoded, createHistogram, decodeHistogram, encodeHistogram, initHistograms, latencyStats, recordUs } from '../../src/stats/hist.js';

type Iterable = { recordedValuesIterator: { reset(): void; hasNext(): boolean; next(): { valueIteratedTo: number; countAtValueIteratedTo: number } } };

/** The library's own reading: every recorded value's bucket (highest equivalent value) and count, ascending. */
function viaIterator(encoded: string): { valuesMs: number[]; counts: number[] } {
  const it = (hdr.decodeFromCompressedBase64(encoded, 64, false) as unknown as Iterable).recordedValuesIterator;
  it.reset();
  const valuesMs: number[] = [];
  const counts: number[] = [];
  while (it.hasNext()) {
    const v = it.next();
    valuesMs.push(v.valueIteratedTo / 1000);
    counts.push(v.countAtValueIteratedTo);
  }
  return { valuesMs, counts };
}

test('bucketsOfEncoded gives the recorded-values iterator\'s pairs, for histograms from 1 µs to hours', async () => {
  await initHistograms();
  let seed = 7;
  const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  for (let t = 0; t < 120; t++) {
    const h = createHistogram();
    const n = 1 + Math.floor(rnd() * 2000);
    for (let i = 0; i < n; i++) recordUs(h, Math.exp(rnd() * (t % 2 ? 22 : 9))); // 1 µs … ~1 h, or all below 8 ms
    const e = encodeHistogram(h);
    assert.deepEqual(bucketsOfEncoded(e), viaIterator(e), `histogram ${t}`);
    h.destroy();
  }
  const empty = createHistogram();
  assert.deepEqual(bucketsOfEncoded(encodeHistogram(empty)), { valuesMs: [], counts: [] });
  empty.destroy();
});

test('latencyStats: the same figures for a live histogram and for the one decoded from its encoding', async () => {
  await initHistograms();
  const h = createHistogram();
  for (const us of [3, 2047, 2049, 48_536, 1_234_567, 12_345]) recordUs(h, us);
  const decoded = decodeHistogram(encodeHistogram(h));
  assert.deepEqual(latencyStats(h), latencyStats(decoded));
  // 1,234,567 µs lies in [2^20, 2^21): buckets 2^20 / 1,024 = 1,024 µs wide, so [1,205 × 1,024, 1,206 × 1,024 − 1].
  assert.equal(latencyStats(h).max, 1234.943, 'max as the top of its bucket (1,234,567 µs recorded)');
  assert.equal(latencyStats(h).min, 0.003, 'values below 2,048 µs are exact');
  h.destroy();
  decoded.destroy();
});
