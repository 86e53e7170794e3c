// analyze(): two sides (Summary + latency samples + per-row correctness) → a Comparison. Pins the pairing rules, the
// choice of rules (defaults, scenario, command line), tolerance, and the verdict's precedence fail > inconclusive > pass.
import { Correctness } from '../../src/engine/main/scores.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, DEFAULT_RULES, type CompareSide } from '../../src/compare/analyze.js';
import { comparisonVerdictOf as verdictOf } from '../../src/verdict/judge.js';
import type { CompareSpec } from '../../src/spec/types.js';
import type { Summary } from '../../src/summary/types.js';
import { parseCompareRuleLine } from '../../src/verdict/thresholds.js';
import { makeSummary } from '../report/fixture.js';

const constant = (ms: number, n = 2000) => new Array<number>(n).fill(ms);

/** Per-row correctness with a chosen paired table: a both right, b baseline only, c candidate only, d both wrong. */
function pairedMaps(t: { a: number; b: number; c: number; d: number }): [Map<number, number>, Map<number, number>] {
  const base = new Map<number, number>();
  const cand = new Map<number, number>();
  let key = 0;
  const put = (n: number, x: number, y: number) => {
    for (let i = 0; i < n; i++, key++) {
      base.set(key, x);
      cand.set(key, y);
    }
  };
  put(t.a, 1, 1);
  put(t.b, 1, 0);
  put(t.c, 0, 1);
  put(t.d, 0, 0);
  return [base, cand];
}

function side(summary: Summary, latencyMs: number[], correct?: Map<number, number>): CompareSide {
  return { summary, latency: latencyMs, ...(correct ? { correct: Correctness.from(correct) } : {}) };
}

/** Exact two-sided McNemar p with BigInt binomial coefficients: min(1, 2·Σ_{k ≤ min(b,c)} C(b+c, k) / 2^(b+c)). */
function mcnemarByHand(b: number, c: number): number {
  const n = b + c;
  let coef = 1n;
  let tail = 0n;
  for (let k = 0; k <= Math.min(b, c); k++) {
    tail += coef;
    coef = (coef * BigInt(n - k)) / BigInt(k + 1);
  }
  // 2·tail / 2^n with ~15 significant digits.
  const scale = 10n ** 18n;
  return Math.min(1, Number((2n * tail * scale) / 2n ** BigInt(n)) / 1e18);
}

test('paired: the 2×2 table, the accuracy difference and McNemar exact p match counts done by hand', () => {
  const [bc, cc] = pairedMaps({ a: 700, b: 20, c: 70, d: 210 });
  // Rows not scored (255) or missing on one side are left out of the table.
  bc.set(5000, 255);
  cc.set(5000, 1);
  bc.set(5001, 1);
  const cmp = analyze(side(makeSummary(), constant(5), bc), side(makeSummary(), constant(5), cc), { id: 'cmp-1' });
  assert.equal(cmp.paired, true);
  assert.deepEqual(cmp.warnings, []);
  const acc = cmp.accuracy!;
  assert.deepEqual(acc.table, { a: 700, b: 20, c: 70, d: 210 });
  assert.equal(acc.n, 1000);
  assert.equal(acc.base, 0.72);
  assert.equal(acc.cand, 0.77);
  assert.ok(Math.abs(acc.delta - 0.05) < 1e-12);
  const expected = mcnemarByHand(20, 70);
  assert.ok(Math.abs(acc.pValue - expected) <= 1e-9 * expected, `p ${acc.pValue} vs ${expected}`);
  assert.ok(acc.ci[0] < acc.delta && acc.delta < acc.ci[1] && acc.ci[0] > 0, `CI ${acc.ci}`);
  assert.match(acc.test, /McNemar/);
  assert.match(acc.interval, /Newcombe/);
  assert.equal(cmp.id, 'cmp-1');
  assert.equal(cmp.scenario, 'telco-cell-tower');
  assert.equal(cmp.seed, 42);
});

test('unpaired: no per-row data → two-proportion test on the summaries, no table, and a warning saying why', () => {
  const b = makeSummary();
  const c = makeSummary();
  c.totals.classification = { ...c.totals.classification!, accuracy: 0.85 };
  const cmp = analyze(side(b, constant(5)), side(c, constant(5)), { id: 'x' });
  assert.equal(cmp.paired, false);
  assert.equal(cmp.warnings.length, 1);
  assert.match(cmp.warnings[0]!, /^unpaired comparison: .*two-proportion.*McNemar/);
  const acc = cmp.accuracy!;
  assert.equal(acc.table, undefined);
  assert.match(acc.test, /two-proportion/);
  assert.ok(Math.abs(acc.base - Math.round(0.8123 * 9970) / 9970) < 1e-12);
  assert.ok(Math.abs(acc.cand - Math.round(0.85 * 9970) / 9970) < 1e-12);
  assert.ok(acc.pValue < 1e-6, `a 3.8-point difference on 9,970 rows is significant (p ${acc.pValue})`);
});

test('per-row data from different scenarios or seeds is not paired: two warnings, two-proportion test', () => {
  const [bc, cc] = pairedMaps({ a: 50, b: 5, c: 5, d: 40 });
  const c = makeSummary();
  c.run.seed = 7;
  const cmp = analyze(side(makeSummary(), constant(5), bc), side(c, constant(5), cc), { id: 'x' });
  assert.equal(cmp.paired, false);
  assert.match(cmp.warnings[0]!, /different scenarios or seeds \(telco-cell-tower\/42 vs telco-cell-tower\/7\)/);
  assert.match(cmp.warnings[1]!, /^unpaired comparison/);
  assert.equal(cmp.accuracy!.table, undefined);
});

test('rules: defaults when none are given; CLI rules replace the defaults; scenario rules come first, CLI rules are added', () => {
  const b = () => side(makeSummary(), constant(5));
  const exprs = (opts: { spec?: CompareSpec; rules?: string[] }) => analyze(b(), b(), { id: 'x', ...opts }).rules.map((r) => r.expr);
  // no compare: section, no --rule
  assert.deepEqual(exprs({}), DEFAULT_RULES);
  assert.deepEqual(DEFAULT_RULES, ['accuracy.delta >= 0', 'latency.p99.ratio <= 1.10', 'errors.rate.delta <= 0']);
  // --rule only: what the user asked for, not the defaults on top
  assert.deepEqual(exprs({ rules: ['latency.p50.delta <= 20ms'] }), ['latency.p50.delta <= 20ms']);
  const spec: CompareSpec = { rules: [parseCompareRuleLine('f1.delta >= -0.02')], tolerance: { accuracy: 0.01, latencyRatio: 0.05, errorRate: 0.001 }, alpha: 0.01 };
  // scenario rules only
  assert.deepEqual(exprs({ spec }), ['f1.delta >= -0.02']);
  // scenario rules, then --rule
  assert.deepEqual(exprs({ spec, rules: ['latency.p90.ratio <= 1.2', 'accuracy.delta >= -1%'] }), ['f1.delta >= -0.02', 'latency.p90.ratio <= 1.2', 'accuracy.delta >= -1%']);
  // a compare: section with only tolerance/alpha still gets the default rules, with its tolerances
  const tolOnly = analyze(b(), b(), { id: 'x', spec: { ...spec, rules: [] } }).rules;
  assert.deepEqual(tolOnly.map((r) => r.expr), DEFAULT_RULES);
  assert.deepEqual(tolOnly.map((r) => r.tolerance), [0.01, 0.05, 0.001]);
  // default tolerances without a compare: section
  assert.deepEqual(analyze(b(), b(), { id: 'x' }).rules.map((r) => r.tolerance), [0.005, 0.02, 0.002]);
  // a malformed CLI rule is a usage error naming the expected form
  assert.throws(() => analyze(b(), b(), { id: 'x', rules: ['accuracy.delt >= 0'] }), (e: Error & { code?: string }) => e.code === 'MW_USAGE' && /did you mean `accuracy\.delta`/.test(e.message));
});

test('tolerance: a 0.4-point accuracy loss measured precisely passes at the default tolerance (0.005) and fails at 0', () => {
  // 100,000 paired rows, 600 vs 200 discordant: delta −0.004 with a 95% interval about ±0.0006.
  const [bc, cc] = pairedMaps({ a: 80_000, b: 600, c: 200, d: 19_200 });
  const run = (spec?: CompareSpec) => analyze(side(makeSummary(), constant(5), bc), side(makeSummary(), constant(5), cc), { id: 'x', rules: ['accuracy.delta >= 0'], ...(spec ? { spec } : {}) }).rules[0]!;
  const lenient = run();
  assert.ok(Math.abs(lenient.value! + 0.004) < 1e-12);
  assert.ok(lenient.ci![0] > -0.005 && lenient.ci![1] < 0, `CI ${lenient.ci}`);
  assert.equal(lenient.status, 'pass', lenient.reason);
  assert.match(lenient.reason, /tolerance 0\.005/);
  const strict = run({ rules: [], tolerance: { accuracy: 0, latencyRatio: 0, errorRate: 0 }, alpha: 0.05 });
  assert.equal(strict.status, 'fail', strict.reason);
  assert.ok(strict.pValue! < 1e-10);
});

test('verdict precedence: fail > inconclusive > pass, in comparisonVerdictOf and in analyze', () => {
  // one row per combination
  const rows: [Parameters<typeof verdictOf>[0], string][] = [
    [[], 'pass'],
    [['pass', 'pass'], 'pass'],
    [['pass', 'inconclusive'], 'inconclusive'],
    [['inconclusive', 'fail', 'pass'], 'fail'],
    [['fail', 'pass'], 'fail'],
  ];
  for (const [statuses, want] of rows) assert.equal(verdictOf(statuses), want, statuses.join(','));

  // bare summaries: no classification, so accuracy.delta cannot be measured → inconclusive
  const bare = (ms: number) => side(makeSummary({ bare: true }), constant(ms));
  const latencyOk = 'latency.p50.ratio <= 1.10';
  const pass = analyze(bare(5), bare(5), { id: 'x', rules: [latencyOk] });
  assert.deepEqual(pass.rules.map((r) => r.status), ['pass']);
  assert.equal(pass.verdict, 'pass');
  assert.match(pass.headline, /^candidate passes: p99 5\.00 → 5\.00 ms \(×1\.00\)/);

  const unsure = analyze(bare(5), bare(5), { id: 'x', rules: [latencyOk, 'accuracy.delta >= 0'] });
  assert.deepEqual(unsure.rules.map((r) => r.status), ['pass', 'inconclusive']);
  assert.equal(unsure.rules[1]!.value, null);
  assert.match(unsure.rules[1]!.reason, /could not be measured/);
  assert.equal(unsure.verdict, 'inconclusive');
  assert.match(unsure.headline, /^inconclusive: /);

  // candidate twice as slow at every quantile: the ratio rules fail whatever else is unsure
  const bad = analyze(bare(5), bare(10), { id: 'x', rules: ['accuracy.delta >= 0', latencyOk, 'latency.p99.delta <= 1ms', 'latency.p90.ratio <= 3'] });
  assert.deepEqual(bad.rules.map((r) => r.status), ['inconclusive', 'fail', 'fail', 'pass']);
  assert.equal(bad.verdict, 'fail');
  assert.match(bad.headline, /^candidate regresses: .* — failed: latency\.p50\.ratio <= 1\.10, latency\.p99\.delta <= 1ms$/);
  const p50 = bad.rules[1]!;
  assert.equal(p50.value, 2);
  assert.deepEqual(p50.ci, [2, 2]);
  assert.equal(bad.rules[2]!.value, 5);
});

test('f1.delta is a point comparison of macro F1 (no interval, no p), within the accuracy tolerance', () => {
  const c = makeSummary();
  c.totals.classification = { ...c.totals.classification!, macro: { ...c.totals.classification!.macro, f1: 0.78 } };
  const cmp = analyze(side(makeSummary(), constant(5)), side(c, constant(5)), { id: 'x', rules: ['f1.delta >= -0.01', 'f1.delta >= -0.03', 'f1.delta >= -0.017'] });
  const [tight, loose, edge] = cmp.rules;
  assert.ok(Math.abs(tight!.value! + 0.02) < 1e-12);
  assert.equal(tight!.ci, undefined);
  assert.equal(tight!.pValue, undefined);
  // −0.02 < −0.01 − 0.005
  assert.equal(tight!.status, 'fail');
  assert.equal(loose!.status, 'pass');
  // −0.02 is below −0.017 but within the tolerance: −0.017 − 0.005 = −0.022
  assert.equal(edge!.status, 'pass', edge!.reason);
});

test('error rates: (sent − ok) / sent of each run, compared with the two-proportion test', () => {
  const b = makeSummary();
  const c = makeSummary();
  c.totals.requests = { ...c.totals.requests, ok: c.totals.requests.sent - 400, httpErrors: 400 - 32 };
  const cmp = analyze(side(b, constant(5)), side(c, constant(5)), { id: 'x' });
  assert.equal(cmp.errors.base, 80 / 10_050);
  assert.equal(cmp.errors.cand, 400 / 10_050);
  assert.ok(cmp.errors.ci[0] > 0 && cmp.errors.pValue < 1e-6);
  const rule = cmp.rules.find((r) => r.metric === 'errors.rate.delta')!;
  assert.equal(rule.status, 'fail', rule.reason);
  assert.equal(cmp.verdict, 'fail');
});

test('per-class and per-window deltas are candidate − baseline; windows missing on one side have no delta', () => {
  const b = makeSummary({ windows: 4 });
  const c = makeSummary({ windows: 3 });
  c.windows[1]!.accuracy = b.windows[1]!.accuracy! + 0.1;
  const cls = c.totals.classification!;
  c.totals.classification = { ...cls, classes: cls.classes.map((k) => ({ ...k, recall: k.recall! - 0.05, f1: k.f1! + 0.02 })) };
  const cmp = analyze({ ...side(b, constant(5)), reportDir: 'baseline' }, side(c, constant(5)), { id: 'x' });
  assert.deepEqual(cmp.perWindow.map((w) => w.index), [1, 2, 3, 4]);
  assert.equal(cmp.perWindow[0]!.delta, 0);
  assert.ok(Math.abs(cmp.perWindow[1]!.delta! - 0.1) < 1e-12);
  assert.equal(cmp.perWindow[3]!.cand, undefined);
  assert.equal(cmp.perWindow[3]!.delta, undefined);
  assert.deepEqual(cmp.perClass.map((k) => k.label), ['0', '1']);
  for (const k of cmp.perClass) {
    assert.ok(Math.abs(k.recallDelta + 0.05) < 1e-12 && Math.abs(k.f1Delta - 0.02) < 1e-12);
  }
  assert.equal(cmp.baseline.reportDir, 'baseline');
  assert.equal(cmp.candidate.reportDir, undefined);
  assert.equal(cmp.baseline.macroF1, 0.8);
  assert.deepEqual(cmp.baseline.latencyMs, { p50: b.totals.latencyMs.p50, p90: b.totals.latencyMs.p90, p99: b.totals.latencyMs.p99, max: b.totals.latencyMs.max });
});

test('latency: bootstrap intervals are deterministic for a seed and a clear shift is significant by Mann–Whitney', () => {
  const base = Array.from({ length: 3000 }, (_, i) => 2 + 10 * ((i * 0.6180339887) % 1));
  const slower = base.map((x) => x + 3);
  const run = (seed: number) => analyze(side(makeSummary(), base), side(makeSummary(), slower), { id: 'x', seed });
  const one = run(1);
  assert.deepEqual(one.latency.quantiles, run(1).latency.quantiles);
  assert.notDeepEqual(one.latency.quantiles, run(2).latency.quantiles);
  assert.deepEqual(one.latency.quantiles.map((q) => q.q), [0.5, 0.9, 0.99]);
  for (const q of one.latency.quantiles) {
    assert.ok(Math.abs(q.delta - 3) < 1e-9, `p${q.q * 100} delta ${q.delta}`);
    assert.ok(q.deltaCi[0] <= 3 && 3 <= q.deltaCi[1], `CI ${q.deltaCi}`);
  }
  assert.ok(one.latency.mannWhitney.pValue < 1e-10 && one.latency.mannWhitney.effect > 0.5);
  assert.match(one.latency.method, /bootstrap .*seed 1.*; Mann-Whitney/);
});
