// One test per validity rule: a VALID base Summary (the reporters' fixture), one field changed, the reason that
// follows (and, for each bound, the value just on the valid side). Figures checked against scipy (see comments).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSummary } from '../report/fixture.js';
import { createHistogram, encodeHistogram, initHistograms, latencyStats, recordUs } from '../../src/stats/hist.js';
import { assessValidity, quantileOfMetric, validityLine } from '../../src/verdict/validity.js';
import { minSamplesForQuantile, samplesAboveUpperBound } from '../../src/stats/quantile-bound.js';
import type { Summary, ThresholdResult, WindowSummary } from '../../src/summary/types.js';

await initHistograms();

const codes = (s: Summary, o = {}) => assessValidity(s, o).reasons.map((r) => r.code);
const reason = (s: Summary, code: string, o = {}) => assessValidity(s, o).reasons.find((r) => r.code === code);
const p999: ThresholdResult = { expr: 'latency.p999 < 1s', metric: 'latency.p999', op: '<', limit: 1000, value: 10, pass: true, unit: 'ms' };

test('the base fixture is VALID (so every test below changes one thing)', () => {
  const v = assessValidity(makeSummary());
  assert.deepEqual(v, { valid: true, reasons: [] });
  assert.equal(validityLine(v), 'VALID');
});

test('generator lag: a saturated generator makes the run INVALID, with the lag p99 as figure', () => {
  const s = makeSummary();
  s.run.generatorSaturated = true;
  s.totals.lagMs.p99 = 42.5;
  const r = reason(s, 'GENERATOR_LAG');
  assert.equal(r?.figure, 42.5);
  assert.match(r!.message, /generator, not the target/);
  assert.equal(assessValidity(s).valid, false);
});

test('achieved rate below planned by more than 5% → RATE_BELOW_PLANNED; within 5% → valid', () => {
  const s = makeSummary();
  s.totals.plannedRps = 200;
  s.totals.rps = 189.9; // 5.05% short
  assert.equal(reason(s, 'RATE_BELOW_PLANNED')?.limit, 190);
  s.totals.rps = 190.1;
  assert.deepEqual(codes(s), []);
  // Closed loop only: no planned rate, no such rule.
  s.phases = s.phases.filter((p) => p.kind === 'closed');
  delete s.totals.plannedRps; // as the summary has it for closed loop
  s.totals.rps = 10;
  assert.ok(!codes(s).includes('RATE_BELOW_PLANNED'));
});

test('too few samples for p99.9: the binomial rule needs 4,603 and says how many more', () => {
  const s = makeSummary({ thresholds: [p999] });
  s.totals.latencyMs.count = 1000;
  const r = reason(s, 'TOO_FEW_SAMPLES');
  assert.equal(r?.figure, 1000);
  assert.equal(r?.limit, 4603);
  assert.match(r!.message, /3603 more/);
  s.totals.latencyMs.count = 4603;
  assert.ok(!codes(s).includes('TOO_FEW_SAMPLES'));
});

test('too few samples for p99: 458 is too few, 459 is enough; no percentile threshold, no rule', () => {
  const p99: ThresholdResult = { ...p999, expr: 'latency.p99 < 1s', metric: 'latency.p99' };
  const s = makeSummary({ thresholds: [p99] });
  s.totals.latencyMs.count = 458;
  assert.equal(reason(s, 'TOO_FEW_SAMPLES')?.limit, 459);
  s.totals.latencyMs.count = 459;
  assert.deepEqual(codes(s), []);
  const none = makeSummary({ thresholds: [] });
  none.totals.latencyMs.count = 3;
  assert.deepEqual(codes(none), []);
});

test('short: a measured part under the minimum (default 5 s) is SHORT', () => {
  const s = makeSummary();
  // Phases 1 and 2 are measured (phase 0 is warm-up): make them 4.999 s in all.
  s.phases[1]!.startedAtMs = 10_000;
  s.phases[1]!.endedAtMs = 12_000;
  s.phases[2]!.startedAtMs = 12_000;
  s.phases[2]!.endedAtMs = 14_999;
  const r = reason(s, 'SHORT');
  assert.equal(r?.figure, 4999);
  assert.equal(r?.limit, 5000);
  s.phases[2]!.endedAtMs = 15_000;
  assert.ok(!codes(s).includes('SHORT'));
  assert.ok(codes(s, { minDurationMs: 6_000 }).includes('SHORT'));
});

/** Six measured windows whose latency is `ms[i]` (100 samples each, a fixed value). */
function windowsAt(ms: number[]): WindowSummary[] {
  return ms.map((v, i) => {
    const h = createHistogram();
    for (let k = 0; k < 100; k++) recordUs(h, v * 1000);
    const w: WindowSummary = {
      index: i,
      startAt: '',
      endAt: '',
      startMs: 10_000 + i * 1000,
      endMs: 11_000 + i * 1000,
      requests: { scheduled: 100, sent: 100, ok: 100, httpErrors: 0, timeouts: 0, connectionErrors: 0, badResponses: 0, dropped: 0 },
      rps: 100,
      latencyMs: latencyStats(h),
      latencyHistogram: encodeHistogram(h),
    };
    h.destroy();
    return w;
  });
}

/** The fixture's measured phases as one steady load (open loop, 100 req/s, no ramp): what the stability rule judges. */
function steady(s: Summary): Summary {
  s.phases = s.phases.map((p) => (p.warmup ? p : { ...p, kind: 'open' as const, targetRate: 100, targetRampTo: undefined, concurrency: undefined }));
  return s;
}

test('unstable: the percentile rising across the thirds beyond 10% of their mean → UNSTABLE, with the three values', () => {
  const s = steady(makeSummary());
  s.windows = windowsAt([100, 100, 110, 110, 140, 140]); // thirds 100, 110, 140: mean 116.7, 20% away
  const r = reason(s, 'UNSTABLE');
  // HDR buckets hold 3 significant digits: each value within 0.1% of what was recorded.
  r?.values?.forEach((v, i) => assert.ok(Math.abs(v / [100, 110, 140][i]! - 1) < 1e-3, `third ${i}: ${v}`));
  assert.equal(r?.values?.length, 3);
  assert.ok(Math.abs(r!.figure - 0.2) < 0.002, String(r?.figure));
  assert.match(r!.message, /rising/);
  s.windows = windowsAt([100, 100, 105, 105, 109, 109]); // 4.6% from the mean: stable
  assert.deepEqual(codes(s), []);
  s.windows = windowsAt([2, 2, 2.5, 2.5, 2.9, 2.9]); // 20% but 0.9 ms apart: under the 1 ms floor
  assert.deepEqual(codes(s), []);
  s.windows = windowsAt([100, 140]); // fewer than three windows: no claim
  assert.deepEqual(codes(s), []);
  // Windows during the warm-up phase (before 10 s) do not count.
  s.windows = windowsAt([100, 100, 100, 100, 100, 100]).concat(windowsAt([500]).map((w) => ({ ...w, startMs: 0 })));
  assert.deepEqual(codes(s), []);
});

test('store incomplete → STORE_INCOMPLETE with the stored count; no store asked → no rule', () => {
  const s = makeSummary();
  s.store = { kind: 'postgres', location: 'postgres://db', storedRequests: 9000, complete: false, spoolPath: '/tmp/spool/x.jsonl' };
  assert.equal(reason(s, 'STORE_INCOMPLETE')?.figure, 9000);
  delete s.store;
  assert.deepEqual(codes(s), []);
});

test('interrupted and failed runs are INVALID', () => {
  assert.ok(codes(makeSummary({ status: 'interrupted' })).includes('INTERRUPTED'));
  assert.ok(codes(makeSummary({ status: 'failed' })).includes('FAILED'));
  assert.match(validityLine(assessValidity(makeSummary({ status: 'interrupted' }))), /^INVALID — INTERRUPTED: /);
});

test('quantile of a threshold metric', () => {
  assert.equal(quantileOfMetric('latency.p99'), 0.99);
  assert.equal(quantileOfMetric('service.p999'), 0.999);
  assert.equal(quantileOfMetric('latency.p50'), 0.5);
  assert.equal(quantileOfMetric('latency.max'), undefined);
  assert.equal(quantileOfMetric('accuracy'), undefined);
});

test('binomial rule figures match scipy.stats.binom', () => {
  // python3: math.ceil(math.log(0.01)/math.log(p)) for p in .5 .9 .95 .99 .999 → 7 44 90 459 4603
  assert.deepEqual([0.5, 0.9, 0.95, 0.99, 0.999].map((p) => minSamplesForQuantile(p)), [7, 44, 90, 459, 4603]);
  // Largest t with binom.cdf(t, n, 1 - p) <= 0.01: (459, .99) → 0, (1000, .99) → 2, (10000, .99) → 77, (5000, .999) → 0
  assert.equal(samplesAboveUpperBound(459, 0.99), 0);
  assert.equal(samplesAboveUpperBound(458, 0.99), -1);
  assert.equal(samplesAboveUpperBound(1000, 0.99), 2);
  assert.equal(samplesAboveUpperBound(10_000, 0.99), 77);
  assert.equal(samplesAboveUpperBound(5000, 0.999), 0);
});

test('unstable is judged on a steady load only: a ramp moves latency on purpose (no claim); the trend word follows the values', () => {
  const s = makeSummary(); // a ramp 100 → 300 req/s and a closed phase after it
  s.windows = windowsAt([100, 100, 110, 110, 140, 140]);
  assert.ok(!codes(s).includes('UNSTABLE'), 'a ramp is not judged for stability');
  steady(s);
  s.windows = windowsAt([2.6, 2.6, 1.8, 1.8, 3.3, 3.3]); // the telco demo's p99s: up, down, up
  const r = reason(s, 'UNSTABLE');
  assert.match(r!.message, /latency\.p\d+ varying across the run/);
  s.windows = windowsAt([140, 140, 110, 110, 100, 100]);
  assert.match(reason(s, 'UNSTABLE')!.message, /falling/);
});
