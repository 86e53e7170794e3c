import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Correctness, ScoreBins } from '../../../src/engine/main/scores.js';
import { scoreStats } from '../../../src/quality/classification.js';

test('binned scores give the same log loss and ROC AUC as the full score list (ties included)', () => {
  let seed = 7;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const prob: number[] = [];
  const isPositive: boolean[] = [];
  const bins = new ScoreBins();
  for (let i = 0; i < 20_000; i++) {
    // Few distinct values (like a model with coarse outputs) so ties matter.
    const p = Math.round(rnd() * 50) / 50;
    const y = rnd() < p * 0.8 + 0.1;
    prob.push(p);
    isPositive.push(y);
    bins.add(p, y);
  }
  const exact = scoreStats({ prob, isPositive });
  assert.ok(Math.abs(bins.logLoss()! - exact.logLoss) < 1e-9, `${bins.logLoss()} vs ${exact.logLoss}`);
  assert.ok(Math.abs(bins.rocAuc()! - exact.rocAuc!) < 1e-12, `${bins.rocAuc()} vs ${exact.rocAuc}`);
  const one = new ScoreBins();
  one.add(0.3, true);
  assert.equal(one.rocAuc(), undefined, 'no AUC without both classes');
});

test('correctness bytes grow on demand and report unseen rows as absent', () => {
  const c = new Correctness();
  c.set(5, 1);
  c.set(100_000, 0);
  assert.equal(c.get(5), 1);
  assert.equal(c.get(100_000), 0);
  assert.equal(c.get(6), Correctness.ABSENT);
  assert.equal(c.get(10_000_000), Correctness.ABSENT);
  assert.equal(c.size, 100_001);
});
