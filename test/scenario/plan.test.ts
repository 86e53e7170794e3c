import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asOneClosedPhase, durationForRequestsMs, expectedArrivals, planLoad, plannedCount, stepRates, timeOfArrivalMs } from '../../src/scenario/plan.js';
import type { OpenPhase, Phase } from '../../src/scenario/types.js';
import { countArrivals } from '../../src/schedule/pacer.js';

const open = (p: Partial<OpenPhase>): OpenPhase => ({ kind: 'open', name: 'p', durationMs: 10_000, rate: 100, arrivals: 'uniform', warmup: false, ...p });

test('plannedCount: floor of the cumulative target arrivals, capped by requests', () => {
  const cases: [Partial<OpenPhase>, number][] = [
    [{ rate: 200, durationMs: 10_000 }, 2000], // constant: r·d
    [{ rate: 2.3, durationMs: 100_000 }, 230], // float slack: 2.3 × 100 is 229.99999999999997
    [{ rate: 2.5, durationMs: 1000 }, 2], // a half arrival does not fit
    [{ rate: 200, rampTo: 500, durationMs: 20_000 }, 7000], // ramp: r0·d + (r1 − r0)·d/2
    [{ rate: 500, rampTo: 0, durationMs: 2000 }, 500], // ramp down to zero
    [{ rate: 100, rampTo: 400, steps: 4, durationMs: 4000 }, 1000], // steps 100, 200, 300, 400 for 1 s each
    [{ rate: 100, rampTo: 400, steps: 4, durationMs: 4000, requests: 300 }, 300], // cap
    [{ rate: 33, durationMs: 1000, arrivals: 'poisson' }, 33], // Poisson: the expectation
    [{ rate: 10, rampTo: 11, durationMs: 1000, arrivals: 'poisson' }, 11], // 10.5 rounds to 11
  ];
  for (const [p, n] of cases) assert.equal(plannedCount(open(p)), n, JSON.stringify(p));
});

test('plannedCount agrees with stepRates and expectedArrivals at every point', () => {
  const p = open({ rate: 50, rampTo: 350, steps: 3, durationMs: 3000 });
  assert.deepEqual(stepRates(p), [50, 200, 350]);
  assert.equal(expectedArrivals(p, 1000), 50);
  assert.equal(expectedArrivals(p, 1500), 150);
  assert.equal(expectedArrivals(p), 600);
  const ramp = open({ rate: 0.5, rampTo: 2.5, durationMs: 10_000 });
  assert.equal(expectedArrivals(ramp, 5000), 0.5 * 5 + (2 * 25) / 20);
});

test('requests-only open phases: the duration that produces exactly that many requests', () => {
  for (const shape of [{ rate: 500 }, { rate: 100, rampTo: 300 }, { rate: 100, rampTo: 400, steps: 4 }]) {
    const durationMs = durationForRequestsMs(shape, 1234);
    assert.equal(plannedCount(open({ ...shape, durationMs })), 1234, JSON.stringify(shape));
  }
  assert.equal(durationForRequestsMs({ rate: 500 }, 1000), 2000);
});

test('timeOfArrivalMs inverts expectedArrivals', () => {
  const p = open({ rate: 100, rampTo: 300, durationMs: 10_000 });
  for (const n of [1, 100, 1000, 1999]) assert.ok(Math.abs(expectedArrivals(p, timeOfArrivalMs(p, n)) - n) < 1e-6, String(n));
  assert.equal(timeOfArrivalMs(p, 5000), 10_000, 'beyond the phase: its end');
});

test('planLoad: totals known only when every phase is bounded', () => {
  const phases: Phase[] = [
    open({ rate: 100, durationMs: 2000 }),
    open({ rate: 100, durationMs: 10_000, requests: 500 }), // capped: ends after 5 s
    { kind: 'closed', name: 'c', concurrency: 4, thinkMs: 0, warmup: false, requests: 300 },
  ];
  const plan = planLoad(phases);
  assert.deepEqual(plan.phases, [{ plannedRequests: 200, durationMs: 2000 }, { plannedRequests: 500, durationMs: 5000 }, { plannedRequests: 300, durationMs: undefined }]);
  assert.equal(plan.plannedRequests, 1000);
  assert.equal(plan.expectedDurationMs, undefined);
  const byTime = planLoad([...phases.slice(0, 2), { kind: 'closed', name: 'c', concurrency: 4, thinkMs: 0, warmup: false, durationMs: 1000 }]);
  assert.equal(byTime.plannedRequests, undefined);
  assert.equal(byTime.expectedDurationMs, 8000);
  assert.deepEqual(asOneClosedPhase(phases.slice(0, 2), 8), { kind: 'closed', name: 'closed', concurrency: 8, thinkMs: 0, warmup: false, durationMs: 7000 });
  assert.deepEqual(asOneClosedPhase(phases.slice(2), 8), { kind: 'closed', name: 'closed', concurrency: 8, thinkMs: 0, warmup: false, requests: 300 });
});

test("plannedCount is exactly what the engine's uniform pacer generates", () => {
  const phases: Partial<OpenPhase>[] = [
    { rate: 200, durationMs: 10_000 },
    { rate: 2.3, durationMs: 100_000 },
    { rate: 200, rampTo: 500, durationMs: 20_000 },
    { rate: 7, rampTo: 3, durationMs: 3333 },
    { rate: 100, rampTo: 400, steps: 4, durationMs: 4000 },
    { rate: 500, durationMs: 10_000, requests: 1234 },
  ];
  for (const p of phases) assert.equal(countArrivals(open(p), 1, 0), plannedCount(open(p)), JSON.stringify(p));
});
