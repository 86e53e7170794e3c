// Latency comparison under time correlation: the block length estimate against the AR(1) theory, the stationary
// resampler's block lengths, and A/A false-alarm rates of the default latency rules on autocorrelated synthetic
// latency — the ordinary (iid) bootstrap against the time-block bootstrap compare uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newBlocks, optimalBlockLength, stationaryBlocks } from '../../src/stats/blocks.js';
import { createRng, type Rng } from '../../src/stats/rng.js';
import { bootstrapRuleP, compareLatencyQuantiles, gridFor, sliceByBuckets, sliceByTime } from '../../src/compare/latency.js';
import { effectiveBound, evaluateRule } from '../../src/compare/verdict.js';
import { parseCompareRuleLine } from '../../src/verdict/thresholds.js';

/** AR(1) with unit marginal variance: x_t = φ·x_{t−1} + √(1 − φ²)·ε_t. */
function ar1(rng: Rng, n: number, phi: number): Float64Array {
  const out = new Float64Array(n);
  let x = rng.normal();
  const s = Math.sqrt(1 - phi * phi);
  for (let i = 0; i < n; i++) out[i] = x = phi * x + s * rng.normal();
  return out;
}

test('Politis–White block length follows the AR(1) theory: b = (2φ/(1 − φ²))^(2/3)·n^(1/3); ~1 for white noise', () => {
  // For AR(1), G/g = Σ|k|γ(k) / Σγ(k) = 2φ/(1 − φ²), and the stationary-bootstrap optimum is (G/g)^(2/3)·n^(1/3)
  // (Politis & White 2004, eq. for b_opt with D = 2g²). The estimate is noisy: the mean of 5 series within 25%.
  const n = 20000;
  for (const phi of [0.5, 0.9]) {
    const theory = Math.pow((2 * phi) / (1 - phi * phi), 2 / 3) * Math.cbrt(n);
    let sum = 0;
    for (let seed = 1; seed <= 5; seed++) sum += optimalBlockLength(ar1(createRng(seed), n, phi));
    const mean = sum / 5;
    assert.ok(Math.abs(mean / theory - 1) < 0.25, `φ = ${phi}: estimated ${mean.toFixed(1)}, theory ${theory.toFixed(1)}`);
  }
  let white = 0;
  for (let seed = 1; seed <= 5; seed++) white += optimalBlockLength(ar1(createRng(seed), n, 0));
  assert.ok(white / 5 < 3, `white noise: ${white / 5}`);
  assert.equal(optimalBlockLength(new Float64Array(100).fill(3)), 1, 'a constant series');
});

test('stationary blocks: contiguous ranges covering n positions, geometric lengths with the requested mean', () => {
  const rng = createRng(3);
  const n = 1000;
  const b = newBlocks(n);
  let blocks = 0;
  let wraps = 0;
  for (let r = 0; r < 200; r++) {
    stationaryBlocks(n, 20, rng, b);
    let total = 0;
    for (let i = 0; i < b.count; i++) {
      assert.ok(b.start[i] >= 0 && b.start[i] + b.length[i] <= n && b.length[i] >= 1);
      total += b.length[i];
      if (b.start[i] === 0 && i > 0 && b.start[i - 1] + b.length[i - 1] === n) wraps++;
    }
    assert.equal(total, n);
    blocks += b.count;
  }
  // 200 resamples of 1000 at mean 20: ~50 blocks each (the last is cut, wrapped blocks count twice).
  const meanLen = (200 * n) / (blocks - wraps);
  assert.ok(meanLen > 17 && meanLen < 21.5, `mean block ${meanLen}`);
  stationaryBlocks(n, 1, rng, b);
  assert.equal(b.count, n, 'mean 1: every block one position (the ordinary bootstrap)');
});

/** Default latency rule and its siblings at p50/p90, with the default tolerance 0.02. */
const RULES = ['latency.p50.ratio <= 1.10', 'latency.p90.ratio <= 1.10', 'latency.p99.ratio <= 1.10'].map(parseCompareRuleLine);

function verdicts(b: Float64Array, c: Float64Array, at: Float64Array, seed: number, opts: { joint: boolean; resampling: 'block' | 'iid' }) {
  const grid = gridFor(at);
  const r = compareLatencyQuantiles({ sample: b, slices: sliceByTime(at, b, grid) }, { sample: c, slices: sliceByTime(at, c, grid) }, { seed, ...opts });
  return RULES.map((rule, i) => {
    const q = r.quantiles[i]!;
    const pValue = bootstrapRuleP(r.draws[i]!.ratios, effectiveBound(rule, 0.02).allowed);
    return evaluateRule(rule, { value: q.ratio, ci: q.ratioCi, pValue }, 0.02).status;
  });
}

test('A/A on autocorrelated latency: the time-block bootstrap keeps every default-style rule at ≤ 5% false alarms, the iid bootstrap does not', () => {
  // Two runs of the same server at different times: log-latency AR(1) with φ = 0.95 per request (slow stretches of
  // ~20 requests), σ = 0.8, 3,000 requests each, independent of each other. 80 seeded A/A pairs.
  const n = 3000;
  const trials = 80;
  const at = Float64Array.from({ length: n }, (_, i) => i * 2); // 500 req/s
  const lat = (x: Float64Array) => x.map((v) => 5 * Math.exp(0.8 * v));
  const alarms = { block: [0, 0, 0], iid: [0, 0, 0] };
  for (let t = 0; t < trials; t++) {
    const rng = createRng(9000 + t);
    const b = lat(ar1(rng, n, 0.95));
    const c = lat(ar1(rng, n, 0.95));
    for (const mode of ['block', 'iid'] as const) {
      verdicts(b, c, at, t + 1, { joint: false, resampling: mode }).forEach((s, i) => {
        if (s === 'fail') alarms[mode][i]!++;
      });
    }
  }
  const rate = (k: number) => k / trials;
  for (let i = 0; i < 3; i++) assert.ok(rate(alarms.block[i]!) <= 0.05, `block ${RULES[i]!.expr}: ${alarms.block[i]} of ${trials}`);
  // The contrast that motivated it: treating requests as independent, the p99 rule alarms far more often.
  assert.ok(rate(alarms.iid[2]!) > 0.05, `iid p99: ${alarms.iid[2]} of ${trials}`);
  assert.ok(alarms.iid.reduce((a, x) => a + x) > alarms.block.reduce((a, x) => a + x) * 2, JSON.stringify(alarms));
});

test('measured together (shared slow stretches): the shared blocks keep A/A quiet and still catch real slowdowns', () => {
  const n = 3000;
  const at = Float64Array.from({ length: n }, (_, i) => i * 2);
  const trials = 40;
  let aaFails = 0;
  const caught = { block25: [0, 0, 0], iid25: [0, 0, 0], block40: [0, 0, 0] };
  const count = (into: number[], st: string[]) => st.forEach((s, i) => (into[i]! += s === 'fail' ? 1 : 0));
  for (let t = 0; t < trials; t++) {
    const rng = createRng(7000 + t);
    // Both versions slowed by the same stretches (φ = 0.95), each with its own per-request noise.
    const common = ar1(rng, n, 0.95);
    const side = (scale: number) => common.map((v) => scale * 5 * Math.exp(0.6 * v + 0.4 * rng.normal()));
    const base = side(1);
    if (verdicts(base, side(1), at, t + 1, { joint: true, resampling: 'block' }).includes('fail')) aaFails++;
    const slow25 = side(1.25);
    count(caught.block25, verdicts(base, slow25, at, t + 1, { joint: true, resampling: 'block' }));
    count(caught.iid25, verdicts(base, slow25, at, t + 1, { joint: true, resampling: 'iid' }));
    count(caught.block40, verdicts(base, side(1.4), at, t + 1, { joint: true, resampling: 'block' }));
  }
  assert.ok(aaFails <= 2, `A/A: ${aaFails} of ${trials} failed`);
  // +25% against a bound of 1.12: the median and p90 are caught nearly always; p99 (30 requests a run) often, and
  // more often than by the iid bootstrap, which ignores that the shared stretches cancel in the ratio.
  assert.ok(caught.block25[0]! >= 38 && caught.block25[1]! >= 38, JSON.stringify(caught));
  assert.ok(caught.block25[2]! >= 16 && caught.block25[2]! >= caught.iid25[2]!, JSON.stringify(caught));
  assert.deepEqual(caught.block40, [trials, trials, trials], JSON.stringify(caught));
});

test('a "not slower" rule cannot fail when the candidate is faster, however significant', () => {
  const rng = createRng(5);
  const n = 2000;
  const at = Float64Array.from({ length: n }, (_, i) => i);
  const base = ar1(rng, n, 0.5).map((v) => 20 * Math.exp(0.3 * v));
  const cand = base.map((v) => v * 0.5); // twice as fast
  const grid = gridFor(at);
  const r = compareLatencyQuantiles({ sample: base, slices: sliceByTime(at, base, grid) }, { sample: cand, slices: sliceByTime(at, cand, grid) }, { joint: true });
  for (const [i, rule] of RULES.entries()) {
    const p = bootstrapRuleP(r.draws[i]!.ratios, effectiveBound(rule, 0.02).allowed);
    assert.ok(p > 0.99, `rule p ${p}`);
    assert.equal(evaluateRule(rule, { value: r.quantiles[i]!.ratio, ci: r.quantiles[i]!.ratioCi, pValue: p }, 0.02).status, 'pass');
    assert.ok(r.quantiles[i]!.pFaster < 0.01 && r.quantiles[i]!.pSlower > 0.99);
  }
  // And a "not faster" rule on the same data fails.
  const notFaster = parseCompareRuleLine('latency.p50.ratio >= 0.9');
  const p = bootstrapRuleP(r.draws[0]!.ratios, effectiveBound(notFaster, 0.02).allowed);
  assert.equal(evaluateRule(notFaster, { value: r.quantiles[0]!.ratio, ci: r.quantiles[0]!.ratioCi, pValue: p }, 0.02).status, 'fail');
});

test('resampled quantiles are exact nearest-rank quantiles of the chosen slices (window shortcut = full count)', () => {
  // With one slice per request and mean block 1 the resample is the ordinary bootstrap; the point values and the
  // interval of a constant shift are exact, and the windowed counting agrees with a direct sort.
  const rng = createRng(11);
  const n = 5000;
  const at = Float64Array.from({ length: n }, (_, i) => i);
  const base = Float64Array.from({ length: n }, () => Math.round(rng.uniform() * 1000) / 10);
  const cand = base.map((v) => v + 7);
  const grid = gridFor(at);
  const r = compareLatencyQuantiles({ sample: base, slices: sliceByTime(at, base, grid) }, { sample: cand, slices: sliceByTime(at, cand, grid) }, { joint: true, seed: 3 });
  const sorted = Float64Array.from(base).sort();
  for (const q of r.quantiles) {
    assert.equal(q.base, sorted[Math.ceil(q.q * n) - 1]);
    // Same blocks for both, and cand = base + 7 row for row: every resampled delta is exactly 7.
    assert.ok(Math.abs(q.deltaCi[0] - 7) < 1e-9 && Math.abs(q.deltaCi[1] - 7) < 1e-9, `${q.deltaCi}`);
  }
});

test('report folders: window histograms as slices, and no time order falls back to the iid bootstrap (said in the method)', () => {
  const windows = Array.from({ length: 12 }, (_, w) => ({ valuesMs: [1 + w, 2 + w, 3 + w], counts: [10, 5, 1] }));
  const sl = sliceByBuckets(windows);
  assert.equal(sl.sliceTotal.length, 12);
  assert.equal(sl.sliceTotal.reduce((a, x) => a + x), 12 * 16);
  const raw = windows.flatMap((w) => w.valuesMs.flatMap((v, i) => Array(w.counts[i]).fill(v) as number[]));
  const r = compareLatencyQuantiles({ sample: raw, slices: sl }, { sample: raw }, { seed: 2 });
  assert.equal(r.resampling.base.kind, 'block');
  assert.equal(r.resampling.cand.kind, 'iid');
  assert.match(r.method, /candidate no time order known: requests resampled independently/);
  assert.equal(r.quantiles[0]!.delta, 0);
});
