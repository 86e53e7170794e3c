// Distribution helpers shared by quality (drift) and compare. Built on simple-statistics where it is accurate enough:
// - normal cdf: `errorFunction` (Numerical Recipes erfc, relative error < 1.2e-7). Not `cumulativeStdNormalProbability`,
//   which is a 4-decimal table lookup (0 below z = −3.9) — useless for Bonferroni-sized p-values.
// - normal quantile: `probit` (Winitzki's closed form, ~2e-3 absolute error, so z(0.975) = 1.957) refined by Newton
//   steps on the cdf above, giving ~1e-7: enough for interval bounds, without transcribing another algorithm.
// - binomial and hypergeometric tails: simple-statistics' `binomialDistribution` stops once the mass reaches 1 − 1e-4,
//   so it is not exact in the tails; we sum the mass function ourselves, anchored by `gammaln` (Lanczos, ~1e-15
//   relative) at the boundary term and walked by exact term ratios.
import { errorFunction, gammaln, probit } from 'simple-statistics';

/**
 * P(Z ≤ z) for a standard normal Z. Relative error < 1e-6 down to P ≈ 1e-10 (z ≈ −6.4); below that the tail is
 * 1 − erf, limited to ~1e-16 absolute (P(Z ≤ −8) = 6.2e-16 comes out 2% low) — far below any threshold used here.
 */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z === Infinity) return 1;
  if (z === -Infinity) return 0;
  const e = errorFunction(Math.abs(z) / Math.SQRT2);
  // Upper tail first: 1 − erf(|z|/√2) is the small number; computing the far tail as 1 − Φ(|z|) would cancel.
  const tail = 0.5 * (1 - e);
  return z < 0 ? tail : 1 - tail;
}

/** P(Z ≥ z): the upper tail, computed without cancellation for large positive z. */
export function normalSf(z: number): number {
  return normalCdf(-z);
}

/** The standard normal density. */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/** z such that P(Z ≤ z) = p, for 0 < p < 1 (±Infinity at 0 and 1). Absolute error ~1e-7 for 1e-12 < p < 1 − 1e-12. */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`normalQuantile: p must be in [0, 1] (got ${p})`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  // Work in the lower half so the Newton residual is a small tail probability, not a difference of numbers near 1.
  if (p > 0.5) return -normalQuantile(1 - p);
  let z = probit(p);
  for (let i = 0; i < 8; i++) {
    const step = (normalCdf(z) - p) / normalPdf(z);
    z -= step;
    if (Math.abs(step) < 1e-12 * Math.max(1, Math.abs(z))) break;
  }
  return z;
}

/** log C(n, k) for integers 0 ≤ k ≤ n. */
export function logChoose(n: number, k: number): number {
  if (k < 0 || k > n) return -Infinity;
  if (k === 0 || k === n) return 0;
  return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1);
}

/**
 * Sum of a unimodal mass function from `from` down to `lowest`: `logFirst` is the log of the term at `from` and
 * `ratio(i)` is term(i − 1) / term(i). Stops once terms are falling and negligible — the remainder is then below a
 * geometric series with ratio < 1, so the truncation error is < 1e-17 of the sum.
 */
function sumDownward(from: number, lowest: number, logFirst: number, ratio: (i: number) => number): number {
  let term = 1;
  let sum = 1;
  for (let i = from; i > lowest; i--) {
    const r = ratio(i);
    term *= r;
    sum += term;
    if (r < 0.5 && term < 1e-17 * sum) break;
  }
  return Math.min(1, Math.exp(logFirst) * sum);
}

/**
 * P(X ≤ k) for X ~ Binomial(n, p), exact up to rounding. The log-gamma anchor of magnitude ~n·ln n carries an
 * absolute error of a few ulps, so the relative error grows with n: ~1e-13 at n = 1e3, ~1e-9 at n = 1e6.
 */
export function binomialCdf(k: number, n: number, p: number): number {
  checkCount('binomialCdf', 'n', n);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`binomialCdf: p must be in [0, 1] (got ${p})`);
  k = Math.floor(k);
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p === 0) return 1;
  if (p === 1) return 0;
  // Sum the shorter side: the lower tail directly when k is below the mean, else 1 − the upper tail.
  if (k > n * p) return 1 - binomialSfStrict(k, n, p);
  const logFirst = logChoose(n, k) + k * Math.log(p) + (n - k) * Math.log1p(-p);
  const odds = (1 - p) / p;
  return sumDownward(k, 0, logFirst, (i) => (i / (n - i + 1)) * odds);
}

/** P(X > k) for X ~ Binomial(n, p), summed upward from k + 1 (called for k above the mean). */
function binomialSfStrict(k: number, n: number, p: number): number {
  // X > k  ⇔  n − X < n − k, and n − X ~ Binomial(n, 1 − p): a lower tail of the mirrored distribution.
  return binomialCdf(n - k - 1, n, 1 - p);
}

/** P(X = k) for X ~ Binomial(n, p). */
export function binomialPmf(k: number, n: number, p: number): number {
  checkCount('binomialPmf', 'n', n);
  if (k < 0 || k > n || k !== Math.floor(k)) return 0;
  if (p === 0) return k === 0 ? 1 : 0;
  if (p === 1) return k === n ? 1 : 0;
  return Math.exp(logChoose(n, k) + k * Math.log(p) + (n - k) * Math.log1p(-p));
}

/**
 * P(X ≤ x) for X ~ Hypergeometric: `draws` items drawn without replacement from `population` items of which
 * `successes` are successes; X counts successes drawn. The one-sided Fisher exact test is this tail.
 */
export function hypergeometricCdf(x: number, population: number, successes: number, draws: number): number {
  checkCount('hypergeometricCdf', 'population', population);
  checkCount('hypergeometricCdf', 'successes', successes);
  checkCount('hypergeometricCdf', 'draws', draws);
  if (successes > population || draws > population) {
    throw new RangeError(`hypergeometricCdf: successes (${successes}) and draws (${draws}) must not exceed population (${population})`);
  }
  const lo = Math.max(0, draws - (population - successes));
  const hi = Math.min(draws, successes);
  x = Math.floor(x);
  if (x < lo) return 0;
  if (x >= hi) return 1;
  const N = population;
  const K = successes;
  const n = draws;
  const mean = (n * K) / N;
  const logPmf = (i: number) => logChoose(K, i) + logChoose(N - K, n - i) - logChoose(N, n);
  if (x > mean) {
    // Upper tail P(X > x) summed upward, by the mirror Y = n − X (failures drawn) ~ Hypergeometric(N, N − K, n).
    return 1 - hypergeometricCdf(n - x - 1, N, N - K, n);
  }
  // term(i − 1) / term(i) = i (N − K − n + i) / ((K − i + 1)(n − i + 1))
  return sumDownward(x, lo, logPmf(x), (i) => (i * (N - K - n + i)) / ((K - i + 1) * (n - i + 1)));
}

function checkCount(fn: string, name: string, v: number): void {
  if (!(Number.isInteger(v) && v >= 0)) throw new RangeError(`${fn}: ${name} must be a non-negative integer (got ${v})`);
}
