import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binomialCdf, binomialPmf, erfc, hypergeometricCdf, normalCdf, normalQuantile, normalSf } from '../../src/stats/distributions.js';
import { createRng } from '../../src/stats/rng.js';
import { exactBinomialCdf, exactHypergeometricCdf, relClose, close, simpsonNormalCdf } from './exact.js';

test('normalCdf matches published values and an integrated density, into the far tail', () => {
  const published: [number, number][] = [
    [1.96, 0.9750021048517795],
    [-1, 0.15865525393145707],
    [-3, 0.0013498980316301],
    [-5, 2.866515718791939e-7],
    [0, 0.5],
  ];
  for (const [z, p] of published) relClose(normalCdf(z), p, 2e-7, `Φ(${z})`);
  for (const z of [-6.3, -4.2, -2.33, -0.7, 0.3, 1.1, 2.9]) relClose(normalCdf(z), simpsonNormalCdf(z), 1e-6, `Φ(${z})`);
  relClose(normalSf(4), simpsonNormalCdf(-4), 2e-7, 'upper tail at 4');
  relClose(normalCdf(-8), simpsonNormalCdf(-8), 1e-9, 'Φ(−8)');
  assert.equal(normalCdf(-Infinity), 0);
  assert.equal(normalCdf(Infinity), 1);
});

test('erfc and the normal tail stay accurate far below 1e-16 (a z-test p of 2.6e-41 is not 0)', () => {
  // Reference values from scipy 1.10.1: scipy.special.erfc(x) and scipy.stats.norm.sf(z) (Cephes, ~1e-16 relative).
  const erfcRef: [number, number][] = [
    [0, 1],
    [0.1, 0.8875370839817152],
    [0.5, 0.4795001221869535],
    [1, 0.15729920705028516],
    [1.99, 0.004888586800383002], // either side of the switch from series to continued fraction
    [2, 0.004677734981047266],
    [2.01, 0.004475150644751764],
    [3, 2.2090496998585445e-5],
    [5, 1.5374597944280347e-12],
    [8, 1.1224297172982928e-29],
    [13, 1.7395573154667246e-75],
    [20, 5.395865611607901e-176],
    [26, 5.663192408856145e-296],
  ];
  for (const [x, v] of erfcRef) relClose(erfc(x), v, 1e-13, `erfc(${x})`);
  relClose(erfc(-1), 2 - 0.15729920705028516, 1e-15, 'erfc(−1)');
  const sfRef: [number, number][] = [
    [8, 6.22096057427174e-16],
    [13.4, 3.0231577359451403e-41],
    [20, 2.7536241186061556e-89],
    [37.5, 4.605353009581954e-308],
  ];
  for (const [z, v] of sfRef) {
    relClose(normalSf(z), v, 1e-13, `P(Z ≥ ${z})`);
    relClose(normalCdf(-z), v, 1e-13, `Φ(−${z})`);
  }
  assert.equal(normalSf(40), 0); // 3.7e-351: below the smallest double
});

test('normalQuantile inverts the cdf to ~1e-7 (simple-statistics probit alone is off by 3e-3)', () => {
  const published: [number, number][] = [
    [0.975, 1.959963984540054],
    [0.995, 2.5758293035489],
    [0.9, 1.2815515655446004],
    [0.05, -1.6448536269514722],
    [0.5, 0],
  ];
  for (const [p, z] of published) close(normalQuantile(p), z, 2e-7, `z(${p})`);
  for (const p of [1e-9, 1e-5, 0.01, 0.3, 0.7, 0.999]) relClose(normalCdf(normalQuantile(p)), p, 1e-6, `Φ(z(${p}))`);
  assert.equal(normalQuantile(0), -Infinity);
  assert.equal(normalQuantile(1), Infinity);
  assert.throws(() => normalQuantile(1.5), RangeError);
});

test('binomialCdf equals exact BigInt sums (p = 1/2 and p = 3/10), both tails', () => {
  const cases: [number, number][] = [[0, 1], [3, 10], [10, 20], [25, 40], [60, 200], [140, 300], [499, 500], [7, 500]];
  for (const [k, n] of cases) {
    relClose(binomialCdf(k, n, 0.5), exactBinomialCdf(k, n), 1e-11, `Bin(${n},½) ≤ ${k}`);
    relClose(binomialCdf(k, n, 0.3), exactBinomialCdf(k, n, 3, 10), 1e-11, `Bin(${n},0.3) ≤ ${k}`);
  }
  assert.equal(binomialCdf(-1, 10, 0.5), 0);
  assert.equal(binomialCdf(10, 10, 0.5), 1);
  relClose(binomialPmf(3, 10, 0.5), 120 / 1024, 1e-12, 'pmf');
});

test('binomialCdf stays accurate for a million trials (normal limit)', () => {
  // P(X ≤ n/2) = ½ + ½·P(X = n/2), and P(X = n/2) ≈ 1/√(π n/2) (1 − 1/(4n)).
  const n = 1_000_000;
  const atHalf = (1 / Math.sqrt((Math.PI * n) / 2)) * (1 - 1 / (4 * n));
  relClose(binomialCdf(n / 2, n, 0.5), 0.5 + 0.5 * atHalf, 1e-8, 'centre');
  // 3 sd below the mean: within the normal approximation's own error (~1e-3 relative with continuity correction).
  relClose(binomialCdf(n / 2 - 1500, n, 0.5), normalCdf((-1500 + 0.5) / 500), 3e-3, '3 sd');
});

test('hypergeometricCdf equals exact BigInt sums', () => {
  const cases: [number, number, number, number][] = [
    [0, 88, 15, 16],
    [3, 50, 20, 10],
    [8, 50, 20, 10],
    [12, 120, 90, 20],
    [17, 120, 90, 20],
    [40, 200, 100, 80],
  ];
  for (const [x, N, K, n] of cases) relClose(hypergeometricCdf(x, N, K, n), exactHypergeometricCdf(x, N, K, n), 1e-11, `H(${x};${N},${K},${n})`);
  assert.equal(hypergeometricCdf(-1, 10, 5, 5), 0);
  assert.equal(hypergeometricCdf(5, 10, 5, 5), 1);
  assert.throws(() => hypergeometricCdf(1, 10, 11, 5), /must not exceed population/);
});

test('seeded generator: deterministic per seed, uniform, and Beta draws with the right mean', () => {
  const a = createRng(42);
  const b = createRng(42);
  const c = createRng(43);
  const sa = Array.from({ length: 5 }, () => a.uniform());
  assert.deepEqual(sa, Array.from({ length: 5 }, () => b.uniform()));
  assert.notDeepEqual(sa, Array.from({ length: 5 }, () => c.uniform()));
  const r = createRng(7);
  let sum = 0;
  let betaSum = 0;
  const N = 20000;
  for (let i = 0; i < N; i++) {
    const u = r.uniform();
    assert.ok(u >= 0 && u < 1);
    sum += u;
    betaSum += r.beta(9, 3);
  }
  close(sum / N, 0.5, 0.01, 'uniform mean');
  close(betaSum / N, 9 / 12, 0.005, 'Beta(9,3) mean');
});
