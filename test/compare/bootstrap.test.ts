import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percentileSorted, resampledQuantiles, sortedCountsFromBuckets, type SampleInput } from '../../src/compare/stats.js';
import { compareLatencyQuantiles, type LatencyCompareOptions } from '../../src/compare/latency.js';

/** The ordinary (iid) bootstrap of the latency comparison: samples without time slices. */
const bootstrapQuantiles = (base: SampleInput, cand: SampleInput, o: LatencyCompareOptions = {}) => {
  const r = compareLatencyQuantiles({ sample: base }, { sample: cand }, { ...o, resampling: 'iid' });
  return { ...r, resamples: r.resampling.resamples };
};
import { exactBinomialCdf, mulberry32 } from '../stats/exact.js';

/** Latency-like sample: 40 ms floor plus an exponential tail of mean 20 ms, plus `shiftMs`. */
function latencies(seed: number, n: number, shiftMs = 0): number[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, () => 40 + shiftMs - 20 * Math.log(1 - rand()));
}

test('deterministic for a seed; another seed gives other intervals', () => {
  const base = latencies(1, 500);
  const cand = latencies(2, 500, 5);
  const a = bootstrapQuantiles(base, cand, { seed: 7 });
  const b = bootstrapQuantiles(base, cand, { seed: 7 });
  const c = bootstrapQuantiles(base, cand, { seed: 8 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.quantiles[1].deltaCi, c.quantiles[1].deltaCi);
  assert.equal(a.resamples, 1000);
  assert.deepEqual(a.quantiles.map((q) => q.q), [0.5, 0.9, 0.99]);
});

test('resampled quantiles follow the exact bootstrap distribution of the order statistic', () => {
  // Values 0..n−1, so a value is its 0-based position. Naive bootstrap: the k-th smallest of n indices drawn with
  // replacement is ≤ j iff at least k draws are ≤ j: P = P(Binomial(n, (j + 1)/n) ≥ k), computed exactly here.
  const n = 30;
  for (const q of [0.5, 0.9]) {
    const k = Math.ceil(q * n);
    const draws = resampledQuantiles(Array.from({ length: n }, (_, i) => i), q, 20000, 3);
    let ks = 0;
    for (let j = 0; j < n; j++) {
      const exact = 1 - exactBinomialCdf(k - 1, n, j + 1, n);
      const empirical = draws.filter((v) => v <= j).length / draws.length;
      ks = Math.max(ks, Math.abs(exact - empirical));
    }
    // Dvoretzky–Kiefer–Wolfowitz: P(KS > 0.015) ≤ 2·exp(−2·20000·0.015²) ≈ 2.5e-4.
    assert.ok(ks < 0.015, `q=${q}: KS distance ${ks}`);
  }
});

test('covers a known shift: +20 ms on every request', () => {
  const base = latencies(11, 2000);
  const cand = latencies(12, 2000, 20);
  const r = bootstrapQuantiles(base, cand, { seed: 1 });
  for (const q of r.quantiles.slice(0, 2)) {
    assert.ok(q.deltaCi[0] <= 20 && 20 <= q.deltaCi[1], `p${q.q * 100} delta CI ${q.deltaCi} covers 20`);
    assert.ok(q.deltaCi[0] > 0, `p${q.q * 100} delta CI excludes 0`);
    const trueBase = 40 - 20 * Math.log(1 - q.q);
    const trueRatio = (trueBase + 20) / trueBase;
    assert.ok(q.ratioCi[0] <= trueRatio && trueRatio <= q.ratioCi[1], `ratio CI ${q.ratioCi} covers ${trueRatio}`);
    assert.equal(q.delta, q.cand - q.base);
  }
  // Over 60 independent datasets the 95% intervals of the p50 and p90 differences cover 20 ms nearly always.
  let covered = 0;
  for (let s = 0; s < 60; s++) {
    const rr = bootstrapQuantiles(latencies(100 + s, 1000), latencies(200 + s, 1000, 20), { seed: s, quantiles: [0.5, 0.9], resamples: 500 });
    for (const q of rr.quantiles) if (q.deltaCi[0] <= 20 && 20 <= q.deltaCi[1]) covered++;
  }
  assert.ok(covered / 120 >= 0.88, `coverage ${covered}/120`);
});

test('histogram buckets give the same result as the raw values they stand for', () => {
  const raw = [3, 3, 3, 5, 8, 8, 13, 21, 21, 21, 21];
  const cand = [4, 4, 9, 9, 9, 14, 22];
  const fromRaw = bootstrapQuantiles(raw, cand, { seed: 5 });
  const fromBuckets = bootstrapQuantiles(sortedCountsFromBuckets([21, 3, 5, 8, 13], [4, 3, 1, 2, 1]), sortedCountsFromBuckets([9, 4, 14, 22], [3, 2, 1, 1]), { seed: 5 });
  assert.deepEqual(fromBuckets, fromRaw);
  // Nearest rank: p50 of 11 values is the 6th (8), p90 the 10th (21).
  assert.equal(fromRaw.quantiles[0].base, 8);
  assert.equal(fromRaw.quantiles[1].base, 21);
});

test('edge cases: zero baseline quantile, bad options', () => {
  const r = bootstrapQuantiles([0, 0, 0], [0, 0, 1], { quantiles: [0.5, 1] });
  assert.equal(r.quantiles[0].ratio, 1, '0/0 counts as no change');
  assert.equal(r.quantiles[1].ratio, Infinity);
  // A side with no successful request is not measured: NaN figures (null in JSON), never a number made up.
  assert.ok(Number.isNaN(bootstrapQuantiles([], [1]).quantiles[0].delta)); // null in comparison.json
  assert.throws(() => bootstrapQuantiles([1], [1], { quantiles: [0] }), /quantiles\[0\] must be in \(0, 1\]/);
  assert.throws(() => bootstrapQuantiles([1], [1], { resamples: 0 }), /resamples must be a positive integer/);
  assert.equal(percentileSorted(Float64Array.from([1, 2, 3, 4]), 0.5), 2.5);
});
