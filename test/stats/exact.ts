// Independent reference computations for the statistics tests: exact BigInt combinatorics, a numerically
// integrated normal cdf and a seeded generator unrelated to the one under test. None of it imports from src/.

export function choose(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  let r = 1n;
  const kk = Math.min(k, n - k);
  for (let i = 1; i <= kk; i++) r = (r * BigInt(n - kk + i)) / BigInt(i);
  return r;
}

/** num / den as the nearest double (both non-negative BigInts), without losing small magnitudes. */
export function ratio(num: bigint, den: bigint): number {
  if (num === 0n) return 0;
  const shift = den.toString(2).length - num.toString(2).length + 64;
  const q = shift >= 0 ? (num << BigInt(shift)) / den : num / (den << BigInt(-shift));
  return Number(q) * Math.pow(2, -shift);
}

/** P(X ≤ k), X ~ Binomial(n, num/den), exactly. */
export function exactBinomialCdf(k: number, n: number, pNum = 1, pDen = 2): number {
  const P = BigInt(pNum);
  const Q = BigInt(pDen - pNum);
  let s = 0n;
  for (let i = 0; i <= Math.min(k, n); i++) s += choose(n, i) * P ** BigInt(i) * Q ** BigInt(n - i);
  return ratio(s, BigInt(pDen) ** BigInt(n));
}

export function exactBinomialPmf(k: number, n: number): number {
  return ratio(choose(n, k), 2n ** BigInt(n));
}

/** P(X ≤ x), X hypergeometric (population N, K successes, n draws), exactly. */
export function exactHypergeometricCdf(x: number, N: number, K: number, n: number): number {
  let s = 0n;
  for (let i = 0; i <= x; i++) s += choose(K, i) * choose(N - K, n - i);
  return ratio(s, choose(N, n));
}

/** Φ(z) by composite Simpson integration of the density (error far below 1e-12 for |z| < 10). */
export function simpsonNormalCdf(z: number): number {
  if (z > 0) return 1 - simpsonNormalCdf(-z);
  const a = z - 14;
  const steps = 20000;
  const h = (z - a) / steps;
  const f = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  let s = f(a) + f(z);
  for (let i = 1; i < steps; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

export { mulberry32 } from '../../src/stats/rng.js';

export function binomialDraw(rand: () => number, n: number, p: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (rand() < p) k++;
  return k;
}

export function close(actual: number, expected: number, tol: number, what = ''): void {
  if (!(Math.abs(actual - expected) <= tol)) {
    throw new Error(`${what} expected ${expected} ± ${tol}, got ${actual} (off by ${Math.abs(actual - expected)})`);
  }
}

export function relClose(actual: number, expected: number, rel: number, what = ''): void {
  if (!(Math.abs(actual - expected) <= rel * Math.abs(expected))) {
    throw new Error(`${what} expected ${expected} within ${rel} relative, got ${actual}`);
  }
}
