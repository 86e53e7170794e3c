// The search as pure functions: the order of probes, the bounds, and which probes may be bounds at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundsOf, classifyProbe, isFound, nextStep, type Step } from '../../src/capacity/search.js';
import { kneeIndex } from '../../src/capacity/knee.js';
import { makeSummary } from '../report/fixture.js';
import type { ProbeVerdict, SearchOptions } from '../../src/capacity/types.js';
import type { ThresholdResult, ValidityReason } from '../../src/summary/types.js';

const O: SearchOptions = { mode: 'rate', start: 10, max: 10_000, min: 0.1, growth: 2, precision: 0.05, maxProbes: 30 };

/** Run the search against a target whose true capacity is `cap` req/s: levels ≤ cap pass, the rest fail. */
function simulate(cap: number, o: SearchOptions = O, verdictAt: (level: number, i: number) => ProbeVerdict | undefined = () => undefined) {
  const probes: { level: number; verdict: ProbeVerdict }[] = [];
  for (;;) {
    const step: Step = nextStep(probes, o);
    if ('end' in step) return { probes, step };
    const i = probes.length;
    probes.push({ level: step.probe, verdict: verdictAt(step.probe, i) ?? (step.probe <= cap ? 'pass' : 'fail') });
  }
}

test('grows geometrically until a failure, then bisects to the precision', () => {
  const { probes, step } = simulate(100);
  assert.deepEqual(probes.slice(0, 5).map((p) => p.level), [10, 20, 40, 80, 160]);
  assert.equal('end' in step && step.end, 'converged');
  const { passing, failing } = boundsOf(probes);
  assert.ok(passing! <= 100 && failing! > 100, `${passing}..${failing}`);
  assert.ok((failing! - passing!) / passing! <= 0.05);
  assert.ok(passing! >= 100 / 1.05, `within the precision of the truth: ${passing}`);
});

test('a failure at the start goes down by the growth factor; nothing sustainable ends at --min', () => {
  const { probes } = simulate(3);
  assert.deepEqual(probes.slice(0, 4).map((p) => p.level), [10, 5, 2.5, 3.75]);
  const none = simulate(0.01);
  assert.equal('end' in none.step && none.step.end, 'none-sustainable');
  assert.ok(none.probes.every((p) => p.level >= O.min));
});

test('passing at --max ends the search ("at least")', () => {
  const { step, probes } = simulate(1e9, { ...O, max: 100 });
  assert.equal('end' in step && step.end, 'max-level');
  assert.equal(probes.at(-1)!.level, 100);
});

test('an interrupted probe is never a bound and ends the search', () => {
  // The probe at 160 (would fail) is interrupted: the lowest failing level stays unknown.
  const probes = [
    { level: 10, verdict: 'pass' as const },
    { level: 20, verdict: 'pass' as const },
    { level: 160, verdict: 'interrupted' as const },
  ];
  assert.deepEqual(boundsOf(probes), { passing: 20 });
  const step = nextStep(probes, O);
  assert.equal('end' in step && step.end, 'interrupted');
});

test('an INVALID probe is repeated once at the same level, then the search stops (inconclusive), never using it', () => {
  const { probes, step } = simulate(100, O, (level) => (level === 40 ? 'invalid' : undefined));
  assert.deepEqual(probes.map((p) => p.level), [10, 20, 40, 40]);
  assert.equal('end' in step && step.end, 'inconclusive');
  assert.deepEqual(boundsOf(probes), { passing: 20 });
  // Invalid once, then valid: the search goes on.
  const once = simulate(100, O, (level, i) => (level === 40 && i === 2 ? 'invalid' : undefined));
  assert.equal('end' in once.step && once.step.end, 'converged');
});

test('--max-probes bounds the search', () => {
  const { probes, step } = simulate(100, { ...O, maxProbes: 4 });
  assert.equal(probes.length, 4);
  assert.equal('end' in step && step.end, 'max-probes');
});

test('concurrency mode: integer levels, stops when passing and failing are 1 apart', () => {
  const { probes, step } = simulate(13, { ...O, mode: 'concurrency', start: 1, min: 1 });
  assert.ok(probes.every((p) => Number.isInteger(p.level)));
  assert.deepEqual(boundsOf(probes), { passing: 13, failing: 14 });
  assert.equal('end' in step && step.end, 'converged');
});

test('a pass above a failure does not raise the answer over it', () => {
  assert.deepEqual(boundsOf([{ level: 50, verdict: 'fail' }, { level: 40, verdict: 'pass' }, { level: 60, verdict: 'pass' }]), { passing: 40, failing: 50 });
});

const slo = (pass: boolean, value: number): ThresholdResult => ({ expr: 'latency.p99 < 200ms', metric: 'latency.p99', op: '<', limit: 200, value, pass, unit: 'ms' });
const reasonOf = (code: ValidityReason['code'], values?: number[]): ValidityReason => ({ code, message: code, figure: 1, ...(values ? { values } : {}) });

test('classifyProbe: valid pass, failure, doubts, over-saturation, interruption', () => {
  const s = (pass: boolean, value: number, reasons: ValidityReason[], status: 'completed' | 'interrupted' = 'completed') => {
    const x = makeSummary({ thresholds: [slo(pass, value)], status });
    x.thresholds = [slo(pass, value)];
    x.run.validity = { valid: reasons.length === 0, reasons };
    x.totals.lagMs.max = 30;
    return x;
  };
  assert.equal(classifyProbe(s(true, 100, [])).verdict, 'pass');
  assert.equal(classifyProbe(s(false, 900, [])).verdict, 'fail');
  // Overload symptoms confirm a failure.
  assert.equal(classifyProbe(s(false, 900, [reasonOf('UNSTABLE', [300, 600, 900]), reasonOf('RATE_BELOW_PLANNED')])).verdict, 'fail');
  // A pass whose latency keeps rising is not sustainable; one that falls (warming up) is doubtful.
  assert.equal(classifyProbe(s(true, 150, [reasonOf('UNSTABLE', [100, 130, 150])])).verdict, 'fail');
  assert.equal(classifyProbe(s(true, 150, [reasonOf('UNSTABLE', [150, 120, 100])])).verdict, 'invalid');
  // Doubts about the measurement: too few samples, short, store.
  assert.equal(classifyProbe(s(true, 100, [reasonOf('TOO_FEW_SAMPLES')])).verdict, 'invalid');
  assert.equal(classifyProbe(s(false, 900, [reasonOf('SHORT')])).verdict, 'invalid');
  // Generator lag: a failure that survives subtracting the largest lag (30 ms) is the target's; one that does not is doubtful.
  assert.equal(classifyProbe(s(false, 900, [reasonOf('GENERATOR_LAG')])).verdict, 'fail');
  assert.equal(classifyProbe(s(false, 220, [reasonOf('GENERATOR_LAG')])).verdict, 'invalid');
  assert.equal(classifyProbe(s(true, 100, [reasonOf('GENERATOR_LAG')])).verdict, 'invalid');
  assert.equal(classifyProbe(s(true, 100, [reasonOf('INTERRUPTED')], 'interrupted')).verdict, 'interrupted');
});

test('knee: the last point before the latency climbs (Kneedle)', () => {
  const pts = [10, 20, 40, 80, 90, 100, 110, 120].map((x) => ({ x, y: x <= 100 ? 50 + x / 100 : 50 + (x - 100) * 20 }));
  assert.equal(pts[kneeIndex(pts)!]!.x, 100);
  assert.equal(kneeIndex(pts.slice(0, 2)), undefined);
  assert.equal(kneeIndex([{ x: 1, y: 5 }, { x: 2, y: 5 }, { x: 3, y: 5 }]), undefined);
});

test('found: a passing level, a search that converged (or passed at --max), at least --require', () => {
  assert.equal(isFound('converged', 40), true);
  assert.equal(isFound('max-level', 40), true);
  assert.equal(isFound('converged', 40, 40), true);
  assert.equal(isFound('converged', 40, 41), false); // below --require: exit 1
  assert.equal(isFound('converged', undefined), false);
  for (const end of ['max-probes', 'max-time', 'interrupted', 'inconclusive', 'none-sustainable', 'error'] as const) assert.equal(isFound(end, 40), false, end);
});
