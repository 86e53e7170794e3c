import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectDrift, detectDriftDetailed, lowerTailTest, MIN_REFERENCE_ROWS, type DriftWindow } from '../../src/quality/drift.js';
import { binomialDraw, close, exactHypergeometricCdf, mulberry32, relClose, simpsonNormalCdf } from '../stats/exact.js';

const series = (acc: number[], n: number): DriftWindow[] => acc.map((a, index) => ({ index, correct: Math.round(a * n), n }));

test('a decaying series is flagged and said in words', () => {
  // 0.91 → 0.62 in ten steps of 200 rows.
  const acc = Array.from({ length: 10 }, (_, i) => 0.91 - (0.29 * i) / 9);
  const d = detectDriftDetailed(series(acc, 200));
  assert.equal(d.summary.detected, true);
  assert.deepEqual(d.summary.referenceWindows, [0]);
  close(d.summary.referenceAccuracy!, 182 / 200, 1e-12);
  assert.match(d.summary.sentence, /^accuracy fell from 0\.91 \(window 0\) to 0\.62 \(window 9\); \d+ of 9 later windows significantly below the reference$/);
  // The last windows are far below: flagged. Window 1 (0.878 vs 0.91, n = 200) is not significant.
  for (const i of [6, 7, 8, 9]) assert.ok(d.summary.flaggedWindows.includes(i), `window ${i} flagged`);
  assert.ok(!d.summary.flaggedWindows.includes(1));
  close(d.threshold, 0.01 / 9, 1e-15);
  assert.match(d.summary.test, /one-sided two-proportion z-test .*Fisher's exact test .*p < 0\.01\/9 \(Bonferroni over the 9 windows tested\)/);
});

test('a stable series is not flagged', () => {
  const s = detectDrift(series(Array(12).fill(0.9), 150));
  assert.equal(s.detected, false);
  assert.equal(s.sentence, 'no significant accuracy drift across 12 windows');
  assert.deepEqual(s.flaggedWindows, []);
});

test('the z-test p-value is the one-sided pooled two-proportion test, by hand', () => {
  // reference 900/1000, window 850/1000: p̂ = 1750/2000, 125 expected wrong per group.
  const pooled = 1750 / 2000;
  const z = (0.9 - 0.85) / Math.sqrt(pooled * (1 - pooled) * (2 / 1000));
  const r = lowerTailTest(900, 1000, 850, 1000);
  assert.equal(r.method, 'z');
  relClose(r.pValue, 1 - simpsonNormalCdf(z), 1e-6, 'z-test p');
});

test("small counts use Fisher's exact test, equal to the hypergeometric tail computed exactly", () => {
  // reference 19/20, window 12/20: only 9 wrong in 40 rows, 4.5 expected wrong per group.
  const r = lowerTailTest(19, 20, 12, 20);
  assert.equal(r.method, 'fisher');
  relClose(r.pValue, exactHypergeometricCdf(12, 40, 31, 20), 1e-11, 'Fisher');
  // 17.5 expected wrong per group (< MIN_EXPECTED = 20): still exact.
  const mid = lowerTailTest(190, 200, 175, 200);
  assert.equal(mid.method, 'fisher');
  relClose(mid.pValue, exactHypergeometricCdf(175, 400, 365, 200), 1e-10, 'Fisher, mid-size');
  // Everything right: no evidence of a drop at all.
  assert.equal(lowerTailTest(20, 20, 20, 20).pValue, 1);
});

test('reference rule: first window when it has enough rows, else the first three; override and cap', () => {
  const big = series([0.9, 0.9, 0.9, 0.9], MIN_REFERENCE_ROWS);
  assert.deepEqual(detectDrift(big).referenceWindows, [0]);
  const small = series([0.9, 0.9, 0.9, 0.9, 0.9], 40);
  const s = detectDrift(small);
  assert.deepEqual(s.referenceWindows, [0, 1, 2]);
  assert.match(s.test, /pooled reference \(windows 0–2\)/);
  assert.deepEqual(detectDrift(big, { referenceWindows: 2 }).referenceWindows, [0, 1]);
  assert.deepEqual(detectDrift(series([0.9, 0.5], 40)).referenceWindows, [0], 'capped to leave one window to test');
  assert.equal(detectDrift(series([0.9], 40)).detected, false);
  assert.match(detectDrift([]).sentence, /too few windows/);
});

test('windows are named by their index, sorted, and empty ones are not tested', () => {
  const ws: DriftWindow[] = [
    { index: 7, correct: 60, n: 200 },
    { index: 5, correct: 190, n: 200 },
    { index: 6, correct: 0, n: 0 },
  ];
  const d = detectDriftDetailed(ws);
  assert.deepEqual(d.summary.referenceWindows, [5]);
  assert.deepEqual(d.tests.map((t) => t.index), [7]);
  assert.match(d.summary.sentence, /from 0\.95 \(window 5\) to 0\.30 \(window 7\)/);
});

test('false alarms over 200 stable seeded runs stay within alpha (plus sampling slack)', () => {
  const rand = mulberry32(2024);
  for (const [windows, n] of [[12, 100], [10, 25]] as const) {
    let alarms = 0;
    for (let run = 0; run < 200; run++) {
      const ws = Array.from({ length: windows }, (_, index) => ({ index, correct: binomialDraw(rand, n, 0.85), n }));
      if (detectDrift(ws, { alpha: 0.01 }).detected) alarms++;
    }
    // Bonferroni bounds the per-run false alarm rate by alpha = 0.01 → expect ≤ 2 of 200; P(≥ 7) < 0.001.
    assert.ok(alarms / 200 <= 0.01 + 0.025, `${alarms} false alarms in 200 runs of ${windows}×${n}`);
  }
});

test('small skewed windows: the exact test keeps the false alarm rate within alpha where the z-test would not', () => {
  // 20 windows of 50 rows at 85%: with the z-test down to 5 expected errors this config alarms in ~2.3% of runs.
  const rand = mulberry32(7);
  let alarms = 0;
  const runs = 1000;
  for (let run = 0; run < runs; run++) {
    const ws = Array.from({ length: 20 }, (_, index) => ({ index, correct: binomialDraw(rand, 50, 0.85), n: 50 }));
    if (detectDrift(ws).detected) alarms++;
  }
  assert.ok(alarms / runs <= 0.01 + 0.008, `${alarms} false alarms in ${runs} runs`);
});

test('and real drift of the same size is caught in most seeded runs', () => {
  const rand = mulberry32(99);
  let caught = 0;
  for (let run = 0; run < 50; run++) {
    const ws = Array.from({ length: 10 }, (_, index) => ({ index, correct: binomialDraw(rand, 200, 0.9 - 0.03 * index), n: 200 }));
    if (detectDrift(ws).detected) caught++;
  }
  assert.ok(caught >= 45, `caught ${caught} of 50`);
});

test('invalid options and windows are rejected', () => {
  assert.throws(() => detectDrift(series([0.9, 0.9], 10), { alpha: 0 }), /alpha must be in \(0, 1\)/);
  assert.throws(() => detectDrift(series([0.9, 0.9], 10), { referenceWindows: 0 }), /referenceWindows must be a positive integer/);
  assert.throws(() => detectDrift([{ index: 0, correct: 5, n: 4 }, { index: 1, correct: 1, n: 1 }]), /windows\[0\] must have 0 ≤ correct ≤ n/);
});
