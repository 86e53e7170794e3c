import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  arrivalsAt,
  asOneClosedPhase,
  curveOf,
  durationForRequestsMs,
  planLoad,
  plannedArrivals,
  plannedRateAt,
  rateAt,
  timeOfArrivalS,
  type OpenPhasePlan,
} from '../../src/schedule/plan.js';
import { arrivalOffsetsUs } from '../../src/schedule/pacer.js';
import type { OpenPhase, Phase } from '../../src/spec/types.js';

const open = (p: Partial<OpenPhase>): OpenPhase => ({ kind: 'open', name: 'p', durationMs: 10_000, rate: 100, arrivals: 'uniform', warmup: false, ...p });
const planOf = (p: Partial<OpenPhase>): OpenPhasePlan => planLoad([open(p)]).phases[0] as OpenPhasePlan;

test('plannedRequests: floor of the cumulative target arrivals, capped by requests', () => {
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
  for (const [p, n] of cases) assert.equal(planOf(p).plannedRequests, n, JSON.stringify(p));
});

test('the rate curve: r(t), Λ(t) and its inverse agree at every point', () => {
  const steps = curveOf(open({ rate: 50, rampTo: 350, steps: 3, durationMs: 3000 }));
  assert.deepEqual(
    steps.segments.map((s) => s.rate),
    [50, 200, 350],
  );
  assert.equal(arrivalsAt(steps, 1), 50);
  assert.equal(arrivalsAt(steps, 1.5), 150);
  assert.equal(steps.total, 600);
  assert.equal(rateAt(steps, 0.5), 50);
  assert.equal(rateAt(steps, 2.5), 350);
  const ramp = curveOf(open({ rate: 0.5, rampTo: 2.5, durationMs: 10_000 }));
  assert.equal(arrivalsAt(ramp, 5), 0.5 * 5 + (2 * 25) / 20);
  assert.equal(rateAt(ramp, 5), 1.5);
  for (const c of [steps, ramp, curveOf(open({ rate: 100, rampTo: 300 })), curveOf(open({ rate: 300, rampTo: 0, steps: 4, durationMs: 4000 }))]) {
    for (const f of [0.01, 0.2, 0.5, 0.77, 0.999]) {
      const x = c.total * f;
      assert.ok(Math.abs(arrivalsAt(c, timeOfArrivalS(c, x)) - x) < 1e-6, `Λ(Λ⁻¹(${x}))`);
    }
  }
});

test('requests-only open phases: the duration that produces exactly that many requests', () => {
  for (const shape of [{ rate: 500 }, { rate: 100, rampTo: 300 }, { rate: 100, rampTo: 400, steps: 4 }]) {
    const durationMs = durationForRequestsMs(shape, 1234);
    assert.equal(planOf({ ...shape, durationMs }).plannedRequests, 1234, JSON.stringify(shape));
  }
  assert.equal(durationForRequestsMs({ rate: 500 }, 1000), 2000);
});

test('a request cap ends the phase: the plan places the next phase where the cap is reached', () => {
  const phases: Phase[] = [
    open({ rate: 100, durationMs: 2000 }),
    open({ rate: 100, durationMs: 10_000, requests: 500 }), // capped: ends after 5 s, not 10 s
    { kind: 'closed', name: 'c', concurrency: 4, thinkMs: 0, warmup: false, requests: 300 },
  ];
  const plan = planLoad(phases);
  assert.deepEqual(
    plan.phases.map((p) => [p.startMs, p.endMs, p.plannedRequests, p.plannedMs]),
    [
      [0, 2000, 200, 2000],
      [2000, 7000, 500, 5000],
      [7000, undefined, 300, undefined],
    ],
  );
  assert.equal(plan.plannedRequests, 1000);
  assert.equal(plan.durationMs, undefined);
  const byTime = planLoad([...phases.slice(0, 2), { kind: 'closed', name: 'c', concurrency: 4, thinkMs: 0, warmup: false, durationMs: 1000 }]);
  assert.equal(byTime.plannedRequests, undefined);
  assert.equal(byTime.durationMs, 8000);
  assert.deepEqual(asOneClosedPhase(phases.slice(0, 2), 8), { kind: 'closed', name: 'closed', concurrency: 8, thinkMs: 0, warmup: false, durationMs: 7000 });
  assert.deepEqual(asOneClosedPhase(phases.slice(2), 8), { kind: 'closed', name: 'closed', concurrency: 8, thinkMs: 0, warmup: false, requests: 300 });
  // The example: 200 requests at 100 req/s in a 10 s phase take 2 s.
  assert.equal(planLoad([open({ rate: 100, durationMs: 10_000, requests: 200 })]).durationMs, 2000);
});

test('plannedRateAt: the rate of the phase running at that time, by the plan or by the spans that ran', () => {
  const plan = planLoad([
    open({ rate: 100, durationMs: 2000 }),
    open({ rate: 100, rampTo: 300, durationMs: 2000 }),
    { kind: 'closed', name: 'c', concurrency: 4, thinkMs: 0, warmup: false, durationMs: 1000 },
    open({ rate: 50, durationMs: 1000 }),
  ]);
  assert.equal(plannedRateAt(plan, 500), 100);
  assert.equal(plannedRateAt(plan, 3000), 200); // halfway up the ramp
  assert.equal(plannedRateAt(plan, 4500), 0); // closed loop
  assert.equal(plannedRateAt(plan, 5500), 50);
  assert.equal(plannedRateAt(plan, 6500), 0); // after the end
  // The closed phase closed early (at 4.2 s): the last phase ran from there.
  const spans = [
    { startMs: 0, endMs: 2000 },
    { startMs: 2000, endMs: 4000 },
    { startMs: 4000, endMs: 4200 },
    { startMs: 4200, endMs: 5200 },
  ];
  assert.equal(plannedRateAt(plan, 4500, spans), 50);
  // Planned arrivals over the first second of the ramp: 100·1 + 100·1²/2 = 150.
  assert.equal(plannedArrivals(plan.phases[1] as OpenPhasePlan, 1000), 150);
});

test("the plan's count and end are exactly what the uniform pacer generates", () => {
  const phases: Partial<OpenPhase>[] = [
    { rate: 200, durationMs: 10_000 },
    { rate: 2.3, durationMs: 100_000 },
    { rate: 200, rampTo: 500, durationMs: 20_000 },
    { rate: 7, rampTo: 3, durationMs: 3333 },
    { rate: 100, rampTo: 400, steps: 4, durationMs: 4000 },
    { rate: 500, durationMs: 10_000, requests: 1234 },
    { rate: 100, rampTo: 400, steps: 4, durationMs: 4000, requests: 700 },
  ];
  for (const p of phases) {
    const pp = planOf(p);
    const it = arrivalOffsetsUs(pp, 1);
    let n = 0;
    let r = it.next();
    for (; !r.done; r = it.next()) n++;
    assert.equal(n, pp.plannedRequests, JSON.stringify(p));
    assert.ok(Math.abs(r.value / 1000 - pp.plannedMs) < 1e-6, `${JSON.stringify(p)}: end ${r.value / 1000} ms, planned ${pp.plannedMs}`);
  }
});

test('validate prints the plan: a capped phase lasts until its cap (the issue: 10 s at 100 req/s, 200 requests → 2 s)', async () => {
  const { parseScenarioText } = await import('../../src/scenario/load.js');
  const { describeScenario } = await import('../../src/scenario/describe.js');
  const s = parseScenarioText(
    `name: cap
target: { url: "builtin:telco@v1" }
data: { fields: { x: { int: [1, 10] } } }
load:
  phases:
    - { duration: 10s, rate: 100, requests: 200 }
    - { duration: 3s, rate: 50, arrivals: poisson }
`,
    '/tmp/cap.yaml',
  );
  const text = describeScenario(s);
  assert.match(text, /1\. phase 1 +open 100 req\/s uniform for 10s \(≤ 200\) +200 requests in 2s$/m);
  assert.match(text, /2\. phase 2 +open 50 req\/s poisson for 3s +~150 requests in 3s$/m);
  assert.match(text, /^expected: +350 requests, ~5s$/m);
});
