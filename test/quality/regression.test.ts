import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegressionAccumulator } from '../../src/quality/regression.js';
import { close, mulberry32, relClose } from '../stats/exact.js';

function direct(y: number[], yhat: number[]) {
  const n = y.length;
  const mean = y.reduce((s, v) => s + v, 0) / n;
  let sse = 0;
  let sae = 0;
  let sst = 0;
  for (let i = 0; i < n; i++) {
    sse += (y[i] - yhat[i]) ** 2;
    sae += Math.abs(y[i] - yhat[i]);
    sst += (y[i] - mean) ** 2;
  }
  return { n, mae: sae / n, rmse: Math.sqrt(sse / n), r2: 1 - sse / sst };
}

test('MAE, RMSE and R² by hand for a small set', () => {
  const acc = new RegressionAccumulator();
  const y = [3, -0.5, 2, 7];
  const yhat = [2.5, 0.0, 2, 8];
  y.forEach((v, i) => acc.add(v, yhat[i]));
  const s = acc.stats();
  // errors 0.5, −0.5, 0, −1: MAE 2/4; SSE 1.5 → RMSE √0.375; ȳ = 2.875, SST = 29.1875 → R² = 1 − 1.5/29.1875.
  assert.equal(s.n, 4);
  close(s.mae!, 0.5, 1e-15);
  close(s.rmse!, Math.sqrt(0.375), 1e-15);
  close(s.r2!, 1 - 1.5 / 29.1875, 1e-15); // 0.948608... (scikit-learn's r2_score example)
});

test('matches the two-pass formulas on random data, and merge equals one pass', () => {
  const rand = mulberry32(11);
  const y: number[] = [];
  const yhat: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const v = rand() * 100 - 30;
    y.push(v);
    yhat.push(v + (rand() - 0.5) * 20);
  }
  const whole = new RegressionAccumulator();
  const parts = [new RegressionAccumulator(), new RegressionAccumulator(), new RegressionAccumulator()];
  y.forEach((v, i) => {
    whole.add(v, yhat[i]);
    parts[i % 7 === 0 ? 0 : i < 2000 ? 1 : 2].add(v, yhat[i]);
  });
  const merged = new RegressionAccumulator();
  for (const p of parts) merged.merge(p);
  const d = direct(y, yhat);
  for (const s of [whole.stats(), merged.stats()]) {
    assert.equal(s.n, d.n);
    relClose(s.mae!, d.mae, 1e-12, 'mae');
    relClose(s.rmse!, d.rmse, 1e-12, 'rmse');
    relClose(s.r2!, d.r2, 1e-10, 'r2');
  }
});

test('R² stays accurate when the labels sit on a huge offset (naive Σy² − nȳ² would cancel)', () => {
  const acc = new RegressionAccumulator();
  const off = 1e9;
  const dev = [1, -1, 2, -2, 0.5, -0.5];
  const err = [0.1, -0.2, 0.1, 0.3, -0.1, 0];
  dev.forEach((d, i) => acc.add(off + d, off + d - err[i]));
  const sst = dev.reduce((s, d) => s + d * d, 0); // mean of dev is 0
  const sse = err.reduce((s, e) => s + e * e, 0);
  close(acc.stats().r2!, 1 - sse / sst, 1e-6);
});

test('conventions: n = 0 gives nulls (not measured); constant labels give R² 1 if perfect, else 0; non-finite input throws', () => {
  assert.deepEqual(new RegressionAccumulator().stats(), { n: 0, mae: null, rmse: null, r2: null });
  const perfect = new RegressionAccumulator();
  perfect.add(5, 5);
  perfect.add(5, 5);
  assert.equal(perfect.stats().r2, 1);
  const off = new RegressionAccumulator();
  off.add(5, 4);
  off.add(5, 6);
  assert.equal(off.stats().r2, 0);
  assert.equal(off.stats().rmse, 1);
  assert.throws(() => off.add(NaN, 1), /finite/);
  const empty = new RegressionAccumulator();
  empty.merge(new RegressionAccumulator());
  assert.equal(empty.stats().n, 0);
});
