import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelwaveError } from '../../src/errors.js';
import type { LatencyStats, Summary, WindowSummary } from '../../src/summary/types.js';
import {
  evaluateThresholds,
  measureMetric,
  parseCompareRule,
  parseCompareRuleLine,
  parseThreshold,
  parseThresholdLine,
  THRESHOLD_METRICS,
} from '../../src/verdict/thresholds.js';

test('parseThreshold: units normalised (ms, fraction, number)', () => {
  const cases: [string, string, [string, number]][] = [
    ['latency.p99', '< 250ms', ['<', 250]], // time with unit
    ['latency.p50', '<= 1.5s', ['<=', 1500]], // seconds → ms
    ['service.max', '< 800us', ['<', 0.8]], // µs → ms
    ['lag.p99', '<20ms', ['<', 20]], // no space needed
    ['errors.rate', '< 1%', ['<', 0.01]], // percent → fraction
    ['errors.rate', '<= 0.005', ['<=', 0.005]], // fraction as is
    ['accuracy', '>= 85%', ['>=', 0.85]],
    ['precision[New World Corp]', '>= 0.5', ['>=', 0.5]], // class names may contain spaces
    ['rps', '>= 900', ['>=', 900]],
    ['errors.count', '== 0', ['==', 0]],
    ['r2', '> -0.5', ['>', -0.5]], // plain numbers may be negative
  ];
  for (const [metric, expr, [op, value]] of cases) {
    const t = parseThreshold(metric, expr);
    assert.deepEqual([t.metric, t.op, t.value], [metric, op, value], `${metric} ${expr}`);
  }
  assert.deepEqual(parseThresholdLine('latency.p99 < 250ms'), { expr: 'latency.p99 < 250ms', metric: 'latency.p99', op: '<', value: 250 });
  assert.deepEqual(parseThresholdLine('f1[1]>=0.8'), { expr: 'f1[1] >= 0.8', metric: 'f1[1]', op: '>=', value: 0.8 });
  for (const name of ['latency.p999', 'service.mean', 'lag.max', 'dropped.rate', 'timeouts.count', 'requests.ok', 'logloss', 'auc', 'mae', 'rmse']) {
    assert.ok(name in THRESHOLD_METRICS, name);
  }
});

test('parseThreshold: errors are predicates naming the fix', () => {
  const cases: [string, string, string][] = [
    ['latency.p98', '< 1s', 'names an unknown metric `latency.p98`; did you mean `latency.p90`?'],
    ['speed', '> 1', 'names an unknown metric `speed` (see docs/scenario-reference.md#thresholds)'],
    ['latency.p99', '250ms', 'needs a comparison like "< 250ms" or ">= 0.85" (got "250ms")'],
    ['latency.p99', '< fast', 'must compare to a time like 250ms or 1s (got "fast")'],
    ['errors.rate', '< 5', 'must compare to a fraction between 0 and 1 or a percentage like 1% (got "5")'],
    ['errors.rate', '< 101%', 'must compare to a fraction between 0 and 1 or a percentage like 1% (got "101%")'],
    ['rps', '> many', 'must compare to a number (got "many")'],
  ];
  for (const [metric, expr, message] of cases) {
    assert.throws(() => parseThreshold(metric, expr), (e: ModelwaveError) => e.code === 'MW_USAGE' && e.message === message, `${metric} ${expr}`);
  }
  assert.throws(() => parseThresholdLine('p99 is low'), /must read like "latency\.p99 < 250ms" \(got "p99 is low"\)/);
});

test('parseCompareRule: deltas, ratios and time deltas', () => {
  assert.deepEqual(parseCompareRule('accuracy.delta', '>= -0.01'), { expr: 'accuracy.delta >= -0.01', metric: 'accuracy.delta', op: '>=', value: -0.01 });
  assert.equal(parseCompareRule('errors.rate.delta', '<= 0.5%').value, 0.005);
  assert.equal(parseCompareRule('latency.p99.delta', '<= 20ms').value, 20);
  assert.equal(parseCompareRule('latency.p50.delta', '>= -5ms').value, -5);
  assert.deepEqual(parseCompareRuleLine('latency.p99.ratio <= 1.10'), { expr: 'latency.p99.ratio <= 1.10', metric: 'latency.p99.ratio', op: '<=', value: 1.1 });
  assert.throws(() => parseCompareRule('latency.p99.ratio', '<= 0'), /must compare to a positive ratio/);
  assert.throws(() => parseCompareRule('accuracy.delta', '== 0'), /needs a comparison like ">= -0\.01"/);
  assert.throws(() => parseCompareRule('f1.detla', '>= 0'), /unknown comparison metric `f1\.detla`; did you mean `f1\.delta`\?/);
});

// ---- evaluation against a hand-made summary ----

const lat = (p50: number, p99: number, count = 1000): LatencyStats => ({ p50, p90: p50 * 2, p95: p50 * 3, p99, p999: p99 * 2, max: p99 * 4, min: 1, mean: p50 * 1.2, count });
const win = (index: number, accuracy: number | undefined, scored: number): WindowSummary => ({
  index,
  startAt: '2026-01-01T00:00:00.000Z',
  endAt: '2026-01-01T00:00:01.000Z',
  startMs: index * 1000,
  endMs: index * 1000 + 1000,
  requests: { scheduled: 100, sent: 100, ok: 100, httpErrors: 0, timeouts: 0, connectionErrors: 0, badResponses: 0, dropped: 0 },
  rps: 100,
  latencyMs: lat(5, 20, 100),
  scored,
  ...(accuracy !== undefined && { accuracy }),
});

function summary(over: Partial<Summary['totals']> = {}, windows: WindowSummary[] = []): Summary {
  return {
    schemaVersion: 1,
    run: { id: 'r', name: 'n', status: 'completed', startedAt: '', endedAt: '', durationMs: 10_000, target: 't', protocol: 'cloudera', seed: 1, generatorSaturated: false },
    environment: { modelwave: '0', node: '20', platform: 'linux', arch: 'x64', cpus: 1, cpuModel: 'c', hostname: 'h', workers: 1 },
    scenario: {},
    totals: {
      requests: { scheduled: 1010, sent: 1000, ok: 990, httpErrors: 4, timeouts: 3, connectionErrors: 2, badResponses: 1, dropped: 10 },
      errors: { byStatus: { '500': 4 }, byCode: {}, rate: 0.01 },
      rps: 100,
      goodputRps: 99,
      latencyMs: lat(10, 240),
      serviceTimeMs: lat(8, 200),
      lagMs: { p50: 0.1, p99: 2, max: 9 },
      latencyHistogram: '',
      serviceTimeHistogram: '',
      accuracy: 0.9,
      classification: {
        n: 900,
        accuracy: 0.9,
        accuracyCi: [0.88, 0.92],
        classes: [
          { label: '0', precision: 0.95, recall: 0.92, f1: 0.935, support: 600 },
          { label: '1', precision: 0.8, recall: 0.86, f1: 0.829, support: 300 },
        ],
        macro: { precision: 0.875, recall: 0.89, f1: 0.882 },
        micro: { precision: 0.9, recall: 0.9, f1: 0.9 },
        positive: { label: '1', precision: 0.8, recall: 0.86, f1: 0.829 },
        confusion: [
          [552, 48],
          [42, 258],
        ],
        labels: ['0', '1'],
        logLoss: 0.3,
        rocAuc: 0.93,
      },
      ...over,
    },
    phases: [],
    windows,
    thresholds: [],
    timeline: [],
  };
}

test('evaluateThresholds: values read from the summary, pass/fail per operator', () => {
  const s = summary({}, [win(0, 0.95, 100), win(1, 0.7, 100), win(2, 0.1, 0) /* nothing scored: ignored */, win(3, undefined, 0)]);
  const specs = [
    'latency.p99 < 250ms', // 240 → pass
    'latency.p50 > 10ms', // 10 → fail (strict)
    'service.p99 <= 200ms', // 200 → pass
    'lag.max < 5ms', // 9 → fail
    'errors.rate < 1%', // 0.01 → fail (strict)
    'errors.count == 10', // 4+3+2+1 → pass
    'timeouts.count <= 3',
    'dropped.count != 0',
    'dropped.rate < 1%', // 10/1010 → pass
    'rps >= 100',
    'requests.ok >= 990',
    'accuracy >= 0.85',
    'accuracy.window.min >= 0.75', // min over scored windows 0.7 → fail
    'f1 >= 0.88', // macro 0.882 → pass
    'precision >= 0.85', // positive class 0.8 → fail
    'recall >= 0.85', // positive class 0.86 → pass
    'precision[0] >= 0.95',
    'f1[1] > 0.9',
    'logloss < 0.5',
    'auc >= 0.9',
  ].map(parseThresholdLine);
  const results = evaluateThresholds(s, specs);
  assert.deepEqual(
    results.map((r) => [r.metric, r.value, r.pass]),
    [
      ['latency.p99', 240, true],
      ['latency.p50', 10, false],
      ['service.p99', 200, true],
      ['lag.max', 9, false],
      ['errors.rate', 0.01, false],
      ['errors.count', 10, true],
      ['timeouts.count', 3, true],
      ['dropped.count', 10, true],
      ['dropped.rate', 10 / 1010, true],
      ['rps', 100, true],
      ['requests.ok', 990, true],
      ['accuracy', 0.9, true],
      ['accuracy.window.min', 0.7, false],
      ['f1', 0.882, true],
      ['precision', 0.8, false],
      ['recall', 0.86, true],
      ['precision[0]', 0.95, true],
      ['f1[1]', 0.829, false],
      ['logloss', 0.3, true],
      ['auc', 0.93, true],
    ],
  );
  assert.deepEqual(results[0], { expr: 'latency.p99 < 250ms', metric: 'latency.p99', op: '<', limit: 250, value: 240, pass: true, unit: 'ms' });
  assert.equal(results[4]!.unit, 'fraction');
  assert.equal(results[9]!.unit, 'rps');
});

test('a metric that cannot be measured is null and fails, whatever the operator', () => {
  const empty = summary({
    requests: { scheduled: 0, sent: 0, ok: 0, httpErrors: 0, timeouts: 0, connectionErrors: 0, badResponses: 0, dropped: 0 },
    latencyMs: lat(0, 0, 0),
    classification: undefined,
    accuracy: undefined,
  });
  const specs = ['latency.p99 < 1s', 'errors.rate < 1%', 'dropped.rate <= 1', 'accuracy >= 0', 'accuracy.window.min >= 0', 'rmse < 100', 'precision[7] >= 0', 'lag.p99 < 1s'].map(
    parseThresholdLine,
  );
  for (const r of evaluateThresholds(empty, specs)) {
    assert.equal(r.value, null, r.expr);
    assert.equal(r.pass, false, r.expr);
  }
  // a class that does not exist in a measured classification is also unmeasurable
  assert.equal(measureMetric(summary(), 'recall[2]'), null);
});

test('latency thresholds address each population; an empty one is not measured and fails (a dead target never passes)', () => {
  const s = summary({ latencyMs: lat(50, 60, 500), latencyFailedMs: lat(0.2, 0.9, 500), latencyAllMs: lat(0.9, 59, 1000) });
  const r = evaluateThresholds(s, ['latency.p99 < 40ms', 'latency.failed.p99 < 1ms', 'latency.all.p50 < 1ms', 'latency.all.max <= 236ms'].map(parseThresholdLine));
  assert.deepEqual(
    r.map((x) => [x.metric, x.value, x.pass, x.unit]),
    [
      ['latency.p99', 60, false, 'ms'], // successful: what `latency` means
      ['latency.failed.p99', 0.9, true, 'ms'],
      ['latency.all.p50', 0.9, true, 'ms'],
      ['latency.all.max', 236, true, 'ms'],
    ],
  );
  // Every request refused at once: the failed population is fast, the successful one empty → not measured, fails.
  const dead = summary({
    requests: { scheduled: 100, sent: 100, ok: 0, httpErrors: 0, timeouts: 0, connectionErrors: 100, badResponses: 0, dropped: 0 },
    latencyMs: lat(0, 0, 0),
    serviceTimeMs: lat(0, 0, 0),
    latencyFailedMs: lat(0.3, 0.9, 100),
    latencyAllMs: lat(0.3, 0.9, 100),
  });
  const d = evaluateThresholds(dead, ['latency.p99 < 9ms', 'service.p99 < 9ms', 'latency.all.p99 < 9ms'].map(parseThresholdLine));
  assert.deepEqual(d.map((x) => [x.metric, x.value, x.pass]), [['latency.p99', null, false], ['service.p99', null, false], ['latency.all.p99', 0.9, true]]);
  // A v1 report has no failed/all populations: those thresholds are not measured.
  assert.equal(measureMetric(summary(), 'latency.all.p99'), null);
  assert.throws(() => parseThresholdLine('latency.any.p99 < 1s'), /unknown metric `latency\.any\.p99`/);
});

test('regression metrics read totals.regression', () => {
  const s = summary({ classification: undefined, accuracy: undefined, regression: { n: 50, mae: 1.5, rmse: 2, r2: 0.8 } });
  assert.deepEqual(
    evaluateThresholds(s, ['mae < 2', 'rmse <= 2', 'r2 >= 0.9'].map(parseThresholdLine)).map((r) => [r.value, r.pass]),
    [
      [1.5, true],
      [2, true],
      [0.8, false],
    ],
  );
});
