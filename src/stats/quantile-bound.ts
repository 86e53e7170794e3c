// How many samples a percentile needs before it means anything, and the confidence bound it then has: the binomial
// rule of MLPerf LoadGen's early stopping (mlcommons/inference, loadgen/early_stopping.cc). Among n independent
// samples, the number above the true p-quantile is Binomial(n, 1 − p). If t samples lie above a value L and
// P(Binomial(n, 1 − p) ≤ t) ≤ 1 − c, then L is an upper bound of the p-quantile at confidence c. With t = 0 (L = the
// largest sample) that needs p^n ≤ 1 − c, i.e. n ≥ ln(1 − c) / ln(p): 459 samples for a p99 at c = 0.99, 4,603 for a
// p99.9, 44 for a p90. (LoadGen also allows a tolerance d, testing p − d; we use d = 0.)

/** Default confidence of every bound here: 99%, as MLPerf LoadGen's early stopping. */
export const BOUND_CONFIDENCE = 0.99;

/**
 * The fewest samples for which the largest one is an upper bound of the p-quantile at confidence c:
 * ceil(ln(1 − c) / ln(p)). p in (0, 1), c in (0, 1). minSamplesForQuantile(0.99) = 459.
 */
export function minSamplesForQuantile(p: number, c = BOUND_CONFIDENCE): number {
  if (!(p > 0 && p < 1) || !(c > 0 && c < 1)) throw new RangeError(`quantile ${p} and confidence ${c} must be in (0, 1)`);
  // The epsilon keeps an exact integer ratio (0.5^7 vs 1 − c) from rounding up by float noise.
  return Math.ceil(Math.log(1 - c) / Math.log(p) - 1e-9);
}

/**
 * The most samples that may lie above an upper bound of the p-quantile at confidence c, out of n: the largest t with
 * P(Binomial(n, 1 − p) ≤ t) ≤ 1 − c; −1 when even t = 0 does not qualify (n < minSamplesForQuantile). The bound is
 * then the (n − t)-th smallest sample. Computed in log space (p^n underflows for large n); O(t).
 */
export function samplesAboveUpperBound(n: number, p: number, c = BOUND_CONFIDENCE): number {
  if (n <= 0) return -1;
  const limit = Math.log(1 - c);
  const q = 1 - p;
  let logPmf = n * Math.log(p); // P(X = 0)
  let logCdf = logPmf;
  if (logCdf > limit) return -1;
  const step = Math.log(q) - Math.log(p);
  for (let t = 0; t < n; t++) {
    logPmf += Math.log(n - t) - Math.log(t + 1) + step; // P(X = t + 1)
    const next = logAddExp(logCdf, logPmf);
    if (next > limit) return t;
    logCdf = next;
  }
  return n;
}

const logAddExp = (a: number, b: number): number => (a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b)));

/** Sorted (value, count) buckets: the value at 1-based ascending rank r (clamped to [1, total]). */
export function valueAtRank(valuesMs: readonly number[], counts: readonly number[], rank: number): number {
  let seen = 0;
  for (let i = 0; i < valuesMs.length; i++) {
    seen += counts[i];
    if (seen >= rank) return valuesMs[i];
  }
  return valuesMs[valuesMs.length - 1] ?? 0;
}

/** The value at the p-quantile of sorted buckets: rank max(1, ceil(p · n)), as HDR histograms read it. */
export function quantileOfBuckets(valuesMs: readonly number[], counts: readonly number[], p: number): number {
  const n = counts.reduce((a, b) => a + b, 0);
  return valueAtRank(valuesMs, counts, Math.max(1, Math.ceil(p * n)));
}
