// Distribution helpers shared by quality (drift) and compare. Built on simple-statistics where it is accurate enough:
// - normal cdf: our own erfc (below), accurate to ~1e-14 relative into the far tail. simple-statistics'
//   `errorFunction` is 1 − erfc with the erfc rounded away below ~1e-16, so a z-test's p-value of 2.6e-41 came out 0;
//   its `cumulativeStdNormalProbability` is a 4-decimal table lookup (0 below z = −3.9).
// - normal quantile: `probit` (Winitzki's closed form, ~2e-3 absolute error, so z(0.975) = 1.957) refined by Newton
//   steps on the cdf above, giving ~1e-7: enough for interval bounds, without transcribing another algorithm.
// - binomial and hypergeometric tails: simple-statistics' `binomialDistribution` stops once the mass reaches 1 − 1e-4,
//   so it is not exact in the tails; we sum the mass function ourselves, anchored by `gammaln` (Lanczos, ~1e-15
//   relative) at the boundary term and walked by exact term ratios.
import { gammaln, probit } from 'simple-statistics';

/**
 * P(Z ≤ z) for a standard normal Z, with ~1e-14 relative error in both tails down to the smallest double
 * (P(Z ≤ −37.5) ≈ 4.6e-308; below z ≈ −38.5 the true value is under 5e-324 and the result is 0).
 */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z === Infinity) return 1;
  if (z === -Infinity) return 0;
  // The tail first: it is the small number; computing the far tail as 1 − Φ(|z|) would cancel. Past |z| = 2√2 the
  // tail comes from z itself, not from erfc(|z|/√2): rounding |z|/√2 alone would cost 1e-13 relative at z = 37.
  const a = Math.abs(z);
  const tail = a < 2 * Math.SQRT2 ? 0.5 * erfc(a / Math.SQRT2) : expNegSquare(a, 0.5) / (Math.sqrt(2 * Math.PI) * laplaceCf(a, 1));
  return z < 0 ? tail : 1 - tail;
}

/**
 * The complementary error function erfc(x) = 1 − erf(x), with relative error ~1e-14 for every x (no cancellation in
 * the tail). Two classical expansions, both exact in the limit and summed to double precision, so no fitted
 * coefficients to transcribe (Abramowitz & Stegun 7.1.6 and 7.1.14; DLMF 7.6.2, 7.9.2):
 * - |x| < 2: erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)) — every term positive, so no cancellation
 *   inside the sum; 1 − erf loses at most ~2.5 digits at x = 2 (erfc(2) = 4.7e-3).
 * - x ≥ 2: erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), the Laplace continued fraction,
 *   evaluated by the modified Lentz method; it converges faster the larger x is (~60 terms at x = 2).
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x === Infinity) return 0;
  if (x < 2) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
  }
  return expNegSquare(x, 1) / (Math.sqrt(Math.PI) * laplaceCf(x, 0.5));
}

/**
 * x + k/(x + 2k/(x + 3k/(x + …))) by the modified Lentz method: the Laplace continued fraction of the Mills ratio
 * (k = 1: P(Z ≥ x) = φ(x)/cf; k = ½: erfc(x) = e^(−x²)/√π/cf). Converges for x > 0, in ~60 terms at x = 2.
 */
function laplaceCf(x: number, k: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n * k;
    d = x + a * d;
    d = d === 0 ? 1 / tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return f;
}

/**
 * e^(−s·x²) with x² split as xh² + (x − xh)(x + xh), xh = x to 1/16: xh² is exact, so the rounding of x² (1e-16
 * relative of an exponent near 700 is 1e-13 in the result) does not reach the exponent.
 */
function expNegSquare(x: number, s: number): number {
  const xh = Math.round(x * 16) / 16;
  return Math.exp(-s * xh * xh) * Math.exp(-s * (x - xh) * (x + xh));
}

/** P(Z ≥ z): the upper tail, computed without cancellation for large positive z. */
export function normalSf(z: number): number {
  return normalCdf(-z);
}

/** The standard normal density. */
function normalPdf(z: number): number {
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
function logChoose(n: number, k: number): number {
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
