import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wilcoxonRankSum } from 'simple-statistics';
import {
  mannWhitneyU,
  mcnemarExact,
  pairedAccuracyDifference,
  pairedCounts,
  sortedCountsFromBuckets,
  twoProportionTest,
  type PairedCounts,
} from '../../src/compare/stats.js';
import { close, exactBinomialCdf, exactBinomialPmf, mulberry32, relClose, simpsonNormalCdf } from '../stats/exact.js';

const Z = 1.959963984540054;

test('McNemar exact p and mid-p equal binomial sums computed exactly with BigInt', () => {
  const cases: [number, number][] = [[0, 1], [1, 7], [7, 1], [3, 3], [16, 6], [10, 30], [45, 71], [0, 60], [480, 520], [900, 1100]];
  for (const [b, c] of cases) {
    const n = b + c;
    const m = Math.min(b, c);
    const r = mcnemarExact(b, c);
    const tail = exactBinomialCdf(m, n);
    relClose(r.pValue, Math.min(1, 2 * tail), 1e-10, `p(${b},${c})`);
    relClose(r.midPValue, Math.min(1, 2 * (tail - 0.5 * exactBinomialPmf(m, n))), 1e-10, `mid-p(${b},${c})`);
    assert.equal(r.discordant, n);
  }
});

test('McNemar textbook examples (Fagerland, Lydersen & Laake 2013)', () => {
  // Bentur et al. airway hyper-responsiveness: b = 1, c = 7 → exact 0.070, mid-p 0.039 (= 18/256, 10/256).
  const bentur = mcnemarExact(1, 7);
  close(bentur.pValue, 18 / 256, 1e-15, 'Bentur exact');
  close(bentur.midPValue, 10 / 256, 1e-15, 'Bentur mid-p');
  // Cavo et al. complete response: b = 16, c = 6 → exact 0.052, mid-p 0.035.
  const cavo = mcnemarExact(16, 6);
  close(cavo.pValue, 0.0525, 0.0001, 'Cavo exact');
  close(cavo.midPValue, 0.0347, 0.0001, 'Cavo mid-p');
  assert.equal(mcnemarExact(0, 0).pValue, 1);
  assert.equal(mcnemarExact(5, 5).midPValue, 1);
  assert.throws(() => mcnemarExact(-1, 2), /b must be a non-negative integer/);
});

test('pairedCounts tallies per-row correctness', () => {
  assert.deepEqual(pairedCounts([1, 1, 0, 0, 1], [true, false, true, false, true]), { a: 2, b: 1, c: 1, d: 1 });
  assert.throws(() => pairedCounts([1], [1, 0]), /1 baseline rows but 2 candidate rows/);
});

/** Newcombe's method 10 written out independently of the implementation. */
function newcombeByHand(t: PairedCounts): [number, number] {
  const n = t.a + t.b + t.c + t.d;
  const w = (k: number) => {
    const p = k / n;
    const c = (2 * k + Z * Z) / (2 * (n + Z * Z));
    const h = (Z * Math.sqrt(Z * Z + 4 * k * (1 - p))) / (2 * (n + Z * Z));
    return [k === 0 ? 0 : c - h, k === n ? 1 : c + h];
  };
  const p1 = (t.a + t.c) / n; // candidate
  const p2 = (t.a + t.b) / n; // baseline
  const [l1, u1] = w(t.a + t.c);
  const [l2, u2] = w(t.a + t.b);
  const A = (t.a + t.c) * (t.b + t.d) * (t.a + t.b) * (t.c + t.d);
  const B = t.a * t.d - t.b * t.c;
  const C = A === 0 ? 0 : B > n / 2 ? B - n / 2 : B < 0 ? B : 0;
  const phi = A === 0 ? 0 : C / Math.sqrt(A);
  const D = p1 - p2;
  return [
    D - Math.sqrt((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2),
    D + Math.sqrt((p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2),
  ];
}

test('paired difference interval: Newcombe method 10 by hand, across the phi branches', () => {
  const tables: PairedCounts[] = [
    { a: 800, b: 40, c: 70, d: 90 }, // ad − bc > n/2: positive correlation, corrected phi
    { a: 10, b: 12, c: 11, d: 14 }, // 0 ≤ ad − bc ≤ n/2: phi = 0
    { a: 5, b: 30, c: 25, d: 3 }, // ad − bc < 0
    { a: 0, b: 0, c: 9, d: 11 }, // a zero margin: phi = 0
  ];
  for (const t of tables) {
    const r = pairedAccuracyDifference(t);
    const [lo, hi] = newcombeByHand(t);
    close(r.delta, (t.c - t.b) / (t.a + t.b + t.c + t.d), 1e-15, 'delta');
    close(r.ci[0], Math.max(-1, lo), 1e-7, `lower ${JSON.stringify(t)}`);
    close(r.ci[1], Math.min(1, hi), 1e-7, `upper ${JSON.stringify(t)}`);
    assert.ok(r.ci[0] <= r.delta && r.delta <= r.ci[1]);
  }
});

test('paired difference matches the published Cavo et al. interval (Fagerland et al. 2017: −0.1186 to −0.0046)', () => {
  // Table [[59, 6], [16, 80]] with the rows as the candidate: a = 59, c = 6 (candidate-only right), b = 16, d = 80.
  const r = pairedAccuracyDifference({ a: 59, b: 16, c: 6, d: 80 });
  close(r.delta, -0.0621, 0.00005, 'estimate');
  close(r.ci[0], -0.1186, 0.00005, 'lower');
  close(r.ci[1], -0.0046, 0.00005, 'upper');
  // Swapping the roles mirrors the interval.
  const m = pairedAccuracyDifference({ a: 59, b: 6, c: 16, d: 80 });
  close(m.ci[0], -r.ci[1], 1e-12);
  close(m.ci[1], -r.ci[0], 1e-12);
  assert.deepEqual(pairedAccuracyDifference({ a: 0, b: 0, c: 0, d: 0 }).ci, [-1, 1]);
});

test('two-proportion comparison: published Newcombe hybrid interval, z and p by hand', () => {
  // Perondi et al. (Fagerland et al. 2017, ch. 4): 7/34 vs 1/34 → 0.1765 (0.0189 to 0.3404).
  const r = twoProportionTest({ x: 1, n: 34 }, { x: 7, n: 34 });
  close(r.delta, 6 / 34, 1e-15);
  close(r.ci[0], 0.0189, 0.00005, 'lower');
  close(r.ci[1], 0.3404, 0.00005, 'upper');
  const pooled = 8 / 68;
  const z = (6 / 34) / Math.sqrt(pooled * (1 - pooled) * (2 / 34));
  close(r.z, z, 1e-12, 'z');
  relClose(r.pValue, 2 * simpsonNormalCdf(-z), 1e-6, 'p');
  const none = twoProportionTest({ x: 0, n: 500 }, { x: 0, n: 500 });
  assert.deepEqual([none.z, none.pValue, none.delta], [0, 1, 0]);
  assert.ok(none.ci[0] < 0 && none.ci[1] > 0, 'zero errors on both sides still carry uncertainty');
  assert.throws(() => twoProportionTest({ x: 0, n: 0 }, { x: 0, n: 5 }), /base needs n > 0/);
});

function bruteU(base: number[], cand: number[]): number {
  let u = 0;
  for (const c of cand) for (const b of base) u += c > b ? 1 : c === b ? 0.5 : 0;
  return u;
}

test('Mann–Whitney: U equals the brute-force pair count, z and p equal the textbook formula', () => {
  const rand = mulberry32(3);
  for (const [n1, n2] of [[30, 45], [200, 150], [1, 9]]) {
    // Rounded to whole milliseconds so ties are common.
    const base = Array.from({ length: n1 }, () => Math.round(20 + rand() * 30));
    const cand = Array.from({ length: n2 }, () => Math.round(23 + rand() * 30));
    const r = mannWhitneyU(base, cand);
    const u = bruteU(base, cand);
    assert.equal(r.u, u);
    // Independent rank sum (simple-statistics): U_cand = R_cand − n(n + 1)/2.
    close(r.u, wilcoxonRankSum(cand, base) - (n2 * (n2 + 1)) / 2, 1e-9, 'rank sum');
    const groups = new Map<number, number>();
    for (const v of [...base, ...cand]) groups.set(v, (groups.get(v) ?? 0) + 1);
    let tie = 0;
    for (const t of groups.values()) tie += t ** 3 - t;
    const N = n1 + n2;
    const sd = Math.sqrt(((n1 * n2) / 12) * (N + 1 - tie / (N * (N - 1))));
    const dev = u - (n1 * n2) / 2;
    const z = (Math.sign(dev) * Math.max(0, Math.abs(dev) - 0.5)) / sd;
    close(r.z, z, 1e-12, 'z');
    close(r.pValue, Math.min(1, 2 * simpsonNormalCdf(-Math.abs(z))), 1e-7, 'p');
    close(r.effect, u / (n1 * n2), 1e-15);
  }
});

test('Mann–Whitney known example: Hollander & Wolfe permeability data, W = 35', () => {
  const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
  const y = [1.15, 0.88, 0.9, 0.74, 1.21];
  const r = mannWhitneyU(y, x); // x as the candidate
  assert.equal(r.u, 35);
  // No ties: sd = √(10·5·16/12); z = (35 − 25 − 0.5)/sd = 1.1635; two-sided p = 0.2446.
  close(r.z, 9.5 / Math.sqrt((10 * 5 * 16) / 12), 1e-12);
  close(r.pValue, 0.2446, 0.0001);
  assert.ok(r.z > 0, 'candidate larger → positive z');
});

test('Mann–Whitney takes histogram buckets and large arrays (sort + merge, no n² loop)', () => {
  const base = [5, 5, 7, 9, 9, 9];
  const cand = [6, 9, 10, 10];
  const raw = mannWhitneyU(base, cand);
  const fromBuckets = mannWhitneyU(sortedCountsFromBuckets([9, 5, 7], [3, 2, 1]), sortedCountsFromBuckets([10, 6, 9], [2, 1, 1]));
  assert.deepEqual(fromBuckets, raw);
  const rand = mulberry32(8);
  const n = 300_000;
  const big1 = Float64Array.from({ length: n }, () => rand());
  const big2 = Float64Array.from({ length: n }, () => rand() + 0.01);
  const r = mannWhitneyU(big1, big2);
  assert.ok(r.effect > 0.505 && r.effect < 0.515, `effect ${r.effect}`);
  assert.ok(r.pValue < 0.05, `a 1% shift on 300k values is detected (p = ${r.pValue})`);
  assert.equal(mannWhitneyU([1, 1], [1, 1, 1]).pValue, 1, 'all tied: no variance, p = 1');
  assert.throws(() => mannWhitneyU([1, NaN], [2]), /base: sample\[1\] is NaN/);
});

test('tiny p-values are computed, not rounded to 0: Mann–Whitney on separated samples, McNemar 0 vs 136', () => {
  // scipy 1.10.1: mannwhitneyu(cand, base, method='asymptotic', use_continuity=True).pvalue
  const base = Array.from({ length: 120 }, (_, i) => i + 1);
  const cand = Array.from({ length: 120 }, (_, i) => i + 121);
  relClose(mannWhitneyU(base, cand).pValue, 7.143875795425793e-41, 1e-9, 'separated, no ties');
  // The same with heavy ties (tie-corrected variance): 60×1, 60×2 against 100×3, 20×4.
  const tb = [...Array(60).fill(1), ...Array(60).fill(2)];
  const tc = [...Array(100).fill(3), ...Array(20).fill(4)];
  relClose(mannWhitneyU(tb, tc).pValue, 2.0211404516401432e-45, 1e-9, 'separated, tied');
  // McNemar exact with b = 0, c = 136: 2·(½)^136 = 2^−135 (statsmodels mcnemar(exact=True) gives 2.2958874039497803e-41).
  relClose(mcnemarExact(0, 136).pValue, 2 ** -135, 1e-12, 'McNemar 0 vs 136');
  // Two-proportion z: 0 of 5000 vs 500 of 5000 failed → z = −0.1/√(0.05·0.95·2/5000) = −22.94, p = 2·Φ(−|z|).
  const tp = twoProportionTest({ x: 0, n: 5000 }, { x: 500, n: 5000 });
  const z = 0.1 / Math.sqrt((0.05 * 0.95 * 2) / 5000);
  close(Math.abs(tp.z), z, 1e-9, 'z');
  relClose(tp.pValue, 1.7884385897528587e-116, 1e-9, 'two proportions'); // scipy: 2 * norm.sf(22.941573387056177)
});
