// Paired and two-sample statistics for comparing a baseline with a candidate. Every difference is candidate −
// baseline and every ratio candidate / baseline, with the baseline as the first argument. Pure functions; the
// methods are written out in docs/compare-statistics.md.
import { binomialCdf, binomialPmf, normalQuantile, normalSf } from '../stats/distributions.js';
import { comparePairs, cumulative, toSortedCounts, valueAtRank, type SortedCounts } from '../stats/ranks.js';
import { createRng, type Rng } from '../stats/rng.js';
import { wilson } from '../quality/wilson.js';

export { normalCdf, normalSf, normalQuantile, binomialCdf, binomialPmf } from '../stats/distributions.js';
export { toSortedCounts, sortedCountsFromBuckets, type SortedCounts } from '../stats/ranks.js';

/** Raw values, or a sample already as sorted distinct values with counts (e.g. from histogram buckets). */
export type SampleInput = ArrayLike<number> | SortedCounts;

/** z of a two-sided interval at `confidence`. */
function zFor(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1) (got ${confidence})`);
  return normalQuantile(1 - (1 - confidence) / 2);
}

// ---------------------------------------------------------------------------------------------------------------
// Paired accuracy

/** The paired 2×2 table of correctness: each row scored by both models lands in exactly one cell. */
export interface PairedCounts {
  /** Both right. */
  a: number;
  /** Baseline right, candidate wrong (discordant). */
  b: number;
  /** Baseline wrong, candidate right (discordant). */
  c: number;
  /** Both wrong. */
  d: number;
}

/** Builds the table from per-row correctness (1/true = right), aligned by row. */
export function pairedCounts(baseCorrect: ArrayLike<number | boolean>, candCorrect: ArrayLike<number | boolean>): PairedCounts {
  if (baseCorrect.length !== candCorrect.length) {
    throw new RangeError(`pairedCounts: ${baseCorrect.length} baseline rows but ${candCorrect.length} candidate rows`);
  }
  const t: PairedCounts = { a: 0, b: 0, c: 0, d: 0 };
  for (let i = 0; i < baseCorrect.length; i++) {
    const x = Boolean(baseCorrect[i]);
    const y = Boolean(candCorrect[i]);
    if (x && y) t.a++;
    else if (x) t.b++;
    else if (y) t.c++;
    else t.d++;
  }
  return t;
}

interface McNemarResult {
  b: number;
  c: number;
  /** Discordant pairs, b + c. */
  discordant: number;
  /** Exact two-sided p: min(1, 2·P(X ≤ min(b, c))), X ~ Binomial(b + c, ½). 1 when b + c = 0. */
  pValue: number;
  /** Mid-p: the same with half the probability of the observed count, min(1, 2·(P(X ≤ m) − ½·P(X = m))). */
  midPValue: number;
  method: string;
}

/** McNemar's exact (conditional) test: under H0 each discordant pair goes either way with probability ½. */
export function mcnemarExact(b: number, c: number): McNemarResult {
  for (const [k, v] of [['b', b], ['c', c]] as const) {
    if (!(Number.isInteger(v) && v >= 0)) throw new RangeError(`mcnemarExact: ${k} must be a non-negative integer (got ${v})`);
  }
  const n = b + c;
  // b = c (including no discordant pairs) is the centre of a symmetric distribution: both p-values are exactly 1,
  // which summing would return as 1 − a few ulps.
  let pValue = 1;
  let midPValue = 1;
  if (b !== c) {
    const m = Math.min(b, c);
    const tail = binomialCdf(m, n, 0.5);
    pValue = Math.min(1, 2 * tail);
    midPValue = Math.min(1, 2 * (tail - 0.5 * binomialPmf(m, n, 0.5)));
  }
  return {
    b,
    c,
    discordant: n,
    pValue,
    midPValue,
    method: "McNemar's exact test: two-sided binomial test of b against Binomial(b + c, 0.5)",
  };
}

interface Difference {
  base: number;
  cand: number;
  /** cand − base. */
  delta: number;
  ci: [number, number];
  confidence: number;
  method: string;
}

/**
 * Difference of paired accuracies, (c − b) / n, with Newcombe's (1998) method 10 interval: the Wilson intervals of
 * both accuracies combined by "square and add", corrected for the pairing through the phi coefficient of the
 * table (with Newcombe's continuity adjustment of phi). n = 0 gives delta 0 with interval [−1, 1].
 */
export function pairedAccuracyDifference(t: PairedCounts, confidence = 0.95): Difference {
  for (const k of ['a', 'b', 'c', 'd'] as const) {
    if (!(t[k] >= 0 && Number.isFinite(t[k]))) throw new RangeError(`pairedAccuracyDifference: ${k} must be a non-negative count (got ${t[k]})`);
  }
  const method = "Newcombe (1998) method 10: paired square-and-add of Wilson score intervals with phi correction";
  const n = t.a + t.b + t.c + t.d;
  if (n === 0) return { base: 0, cand: 0, delta: 0, ci: [-1, 1], confidence, method };
  const z = zFor(confidence);
  // p1 = candidate accuracy, p2 = baseline accuracy.
  const x1 = t.a + t.c;
  const x2 = t.a + t.b;
  const p1 = x1 / n;
  const p2 = x2 / n;
  const [l1, u1] = wilson(x1, n, z);
  const [l2, u2] = wilson(x2, n, z);
  const delta = (t.c - t.b) / n;
  const marginals = x1 * (t.b + t.d) * x2 * (t.c + t.d);
  let phi = 0;
  if (marginals > 0) {
    const ad = t.a * t.d - t.b * t.c;
    phi = ad > n / 2 ? (ad - n / 2) / Math.sqrt(marginals) : ad < 0 ? ad / Math.sqrt(marginals) : 0;
  }
  const lo = delta - Math.sqrt(Math.max(0, sq(p1 - l1) - 2 * phi * (p1 - l1) * (u2 - p2) + sq(u2 - p2)));
  const hi = delta + Math.sqrt(Math.max(0, sq(u1 - p1) - 2 * phi * (u1 - p1) * (p2 - l2) + sq(p2 - l2)));
  return { base: p2, cand: p1, delta, ci: [Math.max(-1, lo), Math.min(1, hi)], confidence, method };
}

// ---------------------------------------------------------------------------------------------------------------
// Error rates (independent samples)

interface TwoProportionResult extends Difference {
  /** Pooled-variance z for cand − base; 0 when the pooled rate is 0 or 1. */
  z: number;
  /** Two-sided p-value of the z test. */
  pValue: number;
}

/**
 * Two-proportion comparison of independent rates (e.g. error rates): pooled z test (two-sided) for the p-value and
 * Newcombe's (1998) hybrid score interval (method 10, unpaired) for the difference — unlike the Wald interval it
 * behaves at rates near 0, where error rates live.
 */
export function twoProportionTest(
  base: { x: number; n: number },
  cand: { x: number; n: number },
  confidence = 0.95,
): TwoProportionResult {
  for (const [name, s] of [['base', base], ['cand', cand]] as const) {
    if (!(Number.isFinite(s.n) && s.n > 0 && s.x >= 0 && s.x <= s.n)) {
      throw new RangeError(`twoProportionTest: ${name} needs n > 0 and 0 ≤ x ≤ n (got x=${s.x}, n=${s.n})`);
    }
  }
  const z95 = zFor(confidence);
  const p1 = cand.x / cand.n;
  const p2 = base.x / base.n;
  const [l1, u1] = wilson(cand.x, cand.n, z95);
  const [l2, u2] = wilson(base.x, base.n, z95);
  const delta = p1 - p2;
  const lo = delta - Math.sqrt(sq(p1 - l1) + sq(u2 - p2));
  const hi = delta + Math.sqrt(sq(u1 - p1) + sq(p2 - l2));
  const pooled = (base.x + cand.x) / (base.n + cand.n);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / base.n + 1 / cand.n));
  const z = se > 0 ? delta / se : 0;
  return {
    base: p2,
    cand: p1,
    delta,
    ci: [Math.max(-1, lo), Math.min(1, hi)],
    confidence,
    z,
    pValue: se > 0 ? Math.min(1, 2 * normalSf(Math.abs(z))) : 1,
    method: 'two-proportion z test (pooled, two-sided); Newcombe (1998) method 10 hybrid score interval',
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Mann–Whitney U

interface MannWhitneyResult {
  nBase: number;
  nCand: number;
  /** U of the candidate: pairs with candidate > baseline, ties counting ½. */
  u: number;
  /** u / (nBase·nCand): P(candidate > baseline) + ½·P(tie); 0.5 means no shift. */
  effect: number;
  /** Continuity-corrected z (positive: candidate larger); 0 when the variance is 0. */
  z: number;
  /** Two-sided p-value from the normal approximation. */
  pValue: number;
  method: string;
}

/**
 * Mann–Whitney U test by one sort of each sample and a merge walk (O(n log n), no n₁·n₂ loop). Normal
 * approximation with the tie-corrected variance n₁n₂/12·((N + 1) − Σ(t³ − t)/(N(N − 1))) and a continuity
 * correction of ½. Meant for the sample sizes of load tests; it is not an exact small-sample test.
 */
export function mannWhitneyU(base: SampleInput, cand: SampleInput): MannWhitneyResult {
  const x = asSorted(cand, 'cand');
  const y = asSorted(base, 'base');
  const n1 = x.total;
  const n2 = y.total;
  const { greater, ties, tieTerm } = comparePairs(x, y);
  const u = greater + 0.5 * ties;
  const big = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = big > 1 ? ((n1 * n2) / 12) * (big + 1 - tieTerm / (big * (big - 1))) : 0;
  const sd = Math.sqrt(Math.max(0, variance));
  const dev = u - mean;
  const z = sd > 0 ? (Math.sign(dev) * Math.max(0, Math.abs(dev) - 0.5)) / sd : 0;
  return {
    nBase: n2,
    nCand: n1,
    u,
    effect: n1 * n2 > 0 ? u / (n1 * n2) : 0.5,
    z,
    pValue: sd > 0 ? Math.min(1, 2 * normalSf(Math.abs(z))) : 1,
    method: 'Mann-Whitney U, normal approximation with tie and continuity corrections (two-sided)',
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Bootstrap intervals for quantile differences

export const DEFAULT_RESAMPLES = 1000;

/**
 * `resamples` draws of the nearest-rank q-quantile of a bootstrap resample of `sample` (same method as
 * bootstrapQuantiles): the bootstrap distribution of one sample's quantile, e.g. for an interval on one run's p99.
 */
export function resampledQuantiles(sample: SampleInput, q: number, resamples: number, seed: number): Float64Array {
  if (!(q > 0 && q <= 1)) throw new RangeError(`resampledQuantiles: q must be in (0, 1] (got ${q})`);
  if (!(Number.isInteger(resamples) && resamples >= 1)) throw new RangeError(`resampledQuantiles: resamples must be a positive integer (got ${resamples})`);
  const s = asSorted(sample, 'sample');
  if (s.total === 0) throw new RangeError('resampledQuantiles: the sample needs at least one value');
  return drawQuantiles(s, cumulative(s), q, resamples, createRng(seed));
}

function drawQuantiles(s: SortedCounts, cum: Float64Array, q: number, resamples: number, rng: Rng): Float64Array {
  const n = s.total;
  const k = Math.max(1, Math.ceil(q * n));
  const out = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    // 0-based position of the k-th smallest of n resampled indices: ⌊n·U₍ₖ₎⌋ with U₍ₖ₎ ~ Beta(k, n + 1 − k).
    const idx = Math.min(n - 1, Math.floor(n * rng.beta(k, n + 1 - k)));
    out[r] = valueAtRank(s, cum, idx + 1);
  }
  return out;
}

/** Linear interpolation between order statistics (Hyndman & Fan type 7) of an ascending array. */
export function percentileSorted(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const i = Math.floor(h);
  const j = Math.min(n - 1, i + 1);
  const w = h - i;
  // Skip the interpolation at w = 0 so infinite ratios do not turn into Infinity·0 = NaN.
  return w === 0 || sorted[i] === sorted[j] ? sorted[i] : sorted[i] + w * (sorted[j] - sorted[i]);
}

/** cand / base for quantiles: Infinity when base is 0 and cand is not; 1 when both are 0. */
export function ratio(cand: number, base: number): number {
  if (base === 0) return cand === 0 ? 1 : cand > 0 ? Infinity : -Infinity;
  return cand / base;
}

/** A sample as sorted distinct values with counts (already sorted counts pass through). */
export function asSorted(s: SampleInput, name: string): SortedCounts {
  if (isSortedCounts(s)) return s;
  try {
    return toSortedCounts(s);
  } catch (e) {
    throw new RangeError(`${name}: ${(e as Error).message}`);
  }
}

function isSortedCounts(s: SampleInput): s is SortedCounts {
  return typeof (s as SortedCounts).total === 'number' && (s as SortedCounts).counts instanceof Float64Array;
}

function sq(x: number): number {
  return x * x;
}
