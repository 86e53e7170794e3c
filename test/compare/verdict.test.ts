import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompareRuleSpec } from '../../src/spec/types.js';
import { evaluateRule, type MeasuredDifference, type RuleStatus } from '../../src/compare/verdict.js';
import { mcnemarExact, pairedAccuracyDifference, pairedCounts } from '../../src/compare/stats.js';
import { compareLatencyQuantiles } from '../../src/compare/latency.js';
import { mulberry32 } from '../stats/exact.js';

const rule = (metric: string, op: CompareRuleSpec['op'], value: number): CompareRuleSpec => ({ expr: `${metric} ${op} ${value}`, metric, op, value });
const acc = rule('accuracy.delta', '>=', -0.01);
const p99 = rule('latency.p99.ratio', '<=', 1.1);

test('rule semantics, one row per case', () => {
  const rows: [CompareRuleSpec, MeasuredDifference, number, RuleStatus][] = [
    // whole interval above −0.01: holds
    [acc, { value: 0.02, ci: [0.005, 0.035] }, 0, 'pass'],
    // interval dips below −0.01 but not below −0.01 − 0.005: holds within tolerance
    [acc, { value: 0.0, ci: [-0.013, 0.013] }, 0.005, 'pass'],
    // same data without tolerance: cannot tell
    [acc, { value: 0.0, ci: [-0.013, 0.013] }, 0, 'inconclusive'],
    // whole interval below −0.015: violated beyond tolerance
    [acc, { value: -0.05, ci: [-0.07, -0.03] }, 0.005, 'fail'],
    // whole interval below the limit but above limit − tolerance: the violation is within tolerance, i.e. noise
    [acc, { value: -0.012, ci: [-0.014, -0.011], pValue: 0.2 }, 0.005, 'pass'],
    // interval straddles limit − tolerance, not significant: cannot tell
    [acc, { value: -0.014, ci: [-0.02, -0.008], pValue: 0.2 }, 0.005, 'inconclusive'],
    // interval straddles, but the change is significant and the estimate is beyond the bound: fail
    [acc, { value: -0.03, ci: [-0.05, -0.005], pValue: 0.001 }, 0, 'fail'],
    // significant improvement, interval straddling the limit only on the good side: pass
    [acc, { value: 0.01, ci: [-0.009, 0.03], pValue: 0.001 }, 0, 'pass'],
    // boundary: >= allows equality
    [acc, { value: 0, ci: [-0.01, 0.01] }, 0, 'pass'],
    // strict > does not
    [rule('accuracy.delta', '>', -0.01), { value: 0, ci: [-0.01, 0.01] }, 0, 'inconclusive'],
    // ratio: whole interval under 1.10
    [p99, { value: 1.02, ci: [0.97, 1.08] }, 0, 'pass'],
    // ratio: whole interval above 1.10 + 0.02
    [p99, { value: 1.3, ci: [1.2, 1.4] }, 0.02, 'fail'],
    // ratio: straddles 1.12
    [p99, { value: 1.1, ci: [1.05, 1.15] }, 0.02, 'inconclusive'],
    // strict <: interval touching the bound from above fails
    [rule('latency.p99.ratio', '<', 1.1), { value: 1.2, ci: [1.1, 1.3] }, 0, 'fail'],
    // no interval, no p: the value is exact
    [acc, { value: -0.02 }, 0.005, 'fail'],
    [acc, { value: -0.012 }, 0.005, 'pass'],
    // no interval, a p-value: only a significant violation decides
    [acc, { value: -0.03, pValue: 0.01 }, 0, 'fail'],
    [acc, { value: 0.03, pValue: 0.01 }, 0, 'inconclusive'],
    // not measurable
    [acc, { value: NaN }, 0, 'inconclusive'],
    // an interval with a NaN end is ignored
    [p99, { value: 1.5, ci: [NaN, 2] }, 0, 'fail'],
    // infinite ratios (baseline p99 of 0) still compare
    [p99, { value: Infinity, ci: [3, Infinity] }, 0, 'fail'],
  ];
  rows.forEach(([r, m, tol, expected], i) => {
    const got = evaluateRule(r, m, tol);
    assert.equal(got.status, expected, `row ${i}: ${r.expr} with ${JSON.stringify(m)} tol ${tol} → ${got.reason}`);
    assert.ok(got.reason.length > 0);
  });
});

test('reasons name the metric, the interval and the effective bound', () => {
  const r = evaluateRule(acc, { value: -0.05, ci: [-0.07, -0.03], pValue: 0.0001 }, 0.005);
  assert.equal(r.reason, 'accuracy.delta = -0.05 (CI -0.07 to -0.03, p = 0.0001): whole interval beyond -0.015 (limit -0.01 − tolerance 0.005)');
  assert.throws(() => evaluateRule(acc, { value: 0 }, -1), /tolerance for accuracy.delta >= -0.01 must be a non-negative number/);
  assert.equal(evaluateRule(acc, { value: -0.03, ci: [-0.05, -0.005], pValue: 0.03 }, 0, { alpha: 0.01 }).status, 'inconclusive');
});

test('A/A: two equally accurate models fail `accuracy.delta >= 0` no more often than alpha allows', () => {
  const rand = mulberry32(17);
  let fails = 0;
  const runs = 300;
  for (let r = 0; r < runs; r++) {
    const n = 500;
    const base = Array.from({ length: n }, () => rand() < 0.85);
    const cand = Array.from({ length: n }, () => rand() < 0.85);
    const t = pairedCounts(base, cand);
    const d = pairedAccuracyDifference(t);
    const m = mcnemarExact(t.b, t.c);
    if (evaluateRule(rule('accuracy.delta', '>=', 0), { value: d.delta, ci: d.ci, pValue: m.pValue }, 0).status === 'fail') fails++;
  }
  assert.ok(fails / runs <= 0.05 + 0.02, `${fails} false fails in ${runs} A/A runs`);
});

test('latency: +20 ms on the candidate fails `latency.p50.delta <= 5`; +0 ms does not (20 seeds)', () => {
  const sample = (seed: number, shift: number) => {
    const rand = mulberry32(seed);
    return Array.from({ length: 1500 }, () => 40 + shift - 20 * Math.log(1 - rand()));
  };
  const delta = rule('latency.p50.delta', '<=', 5);
  let caught = 0;
  let falseFails = 0;
  for (let s = 0; s < 20; s++) {
    for (const shift of [20, 0]) {
      const q = compareLatencyQuantiles({ sample: sample(1000 + s, 0) }, { sample: sample(2000 + s, shift) }, { seed: s, quantiles: [0.5], resampling: 'iid' }).quantiles[0];
      const status = evaluateRule(delta, { value: q.delta, ci: q.deltaCi }, 1).status;
      if (shift === 20 && status === 'fail') caught++;
      if (shift === 0 && status === 'fail') falseFails++;
    }
  }
  assert.equal(caught, 20);
  assert.ok(falseFails <= 1, `${falseFails} false fails`);
});
