import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrivalOffsetsUs } from '../../src/schedule/pacer.js';
import { planLoad, rateAt, type OpenPhasePlan } from '../../src/schedule/plan.js';
import type { OpenPhase } from '../../src/spec/types.js';

/** The plan of one open phase (phase 0 of its run). */
const phase = (p: Partial<OpenPhase>): OpenPhasePlan =>
  planLoad([{ kind: 'open', name: 'p', durationMs: 10_000, rate: 100, arrivals: 'uniform', warmup: false, ...p }]).phases[0] as OpenPhasePlan;
const countArrivals = (p: OpenPhasePlan, seed: number): number => [...arrivalOffsetsUs(p, seed)].length;
/** The stream's return value: the phase's end, µs into it. */
function endUs(p: OpenPhasePlan, seed: number): number {
  const it = arrivalOffsetsUs(p, seed);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}

test('uniform constant rate: exactly rate × duration arrivals, evenly spaced from t = 0', () => {
  const t = [...arrivalOffsetsUs(phase({ rate: 1000, durationMs: 5000 }), 1)];
  assert.equal(t.length, 5000);
  assert.equal(t[0], 0);
  for (let i = 1; i < t.length; i++) assert.ok(Math.abs(t[i] - t[i - 1] - 1000) < 1e-6, `gap ${i}`);
  assert.ok(t[t.length - 1] < 5_000_000);
});

test('linear ramp: count is the area under the rate curve and gaps shrink as the rate rises', () => {
  // 100 → 300 req/s over 10 s: Λ(10) = 100·10 + 200·10/2 = 2000
  const p = phase({ rate: 100, rampTo: 300 });
  const t = [...arrivalOffsetsUs(p, 1)];
  assert.equal(t.length, 2000);
  const firstGapUs = t[1] - t[0];
  const lastGapUs = t[t.length - 1] - t[t.length - 2];
  assert.ok(Math.abs(firstGapUs - 1e6 / 100) < 50, `first gap ${firstGapUs}`);
  assert.ok(Math.abs(lastGapUs - 1e6 / 300) < 50, `last gap ${lastGapUs}`);
  // arrivals in the first half: Λ(5) = 500 + 100·25/10... = 100·5 + 20·25/2 = 750
  assert.equal(t.filter((x) => x < 5e6).length, 750);
  assert.equal(rateAt(p.curve, 5), 200);
});

test('steps: plateaus of equal length from rate to rampTo', () => {
  const p = phase({ rate: 100, rampTo: 300, steps: 3, durationMs: 9000 });
  const t = [...arrivalOffsetsUs(p, 1)];
  assert.equal(t.length, 100 * 3 + 200 * 3 + 300 * 3);
  assert.equal(t.filter((x) => x < 3e6).length, 300);
  assert.equal(t.filter((x) => x >= 3e6 && x < 6e6).length, 600);
  assert.equal(rateAt(p.curve, 4), 200);
});

test('poisson: inter-arrival mean ≈ 1/rate and coefficient of variation ≈ 1; same seed, same times', () => {
  const p = phase({ rate: 1000, durationMs: 20_000, arrivals: 'poisson' });
  const t = [...arrivalOffsetsUs(p, 42)];
  const gaps = t.slice(1).map((x, i) => x - t[i]);
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  const sd = Math.sqrt(gaps.reduce((a, b) => a + (b - mean) ** 2, 0) / (gaps.length - 1));
  // 20,000 gaps: the standard error of the mean is 1000/√20000 ≈ 7 µs; of the CV about 0.007.
  assert.ok(Math.abs(mean - 1000) < 30, `mean gap ${mean} µs`);
  assert.ok(Math.abs(sd / mean - 1) < 0.03, `cv ${sd / mean}`);
  assert.deepEqual([...arrivalOffsetsUs(p, 42)].slice(0, 100), t.slice(0, 100));
  assert.notDeepEqual([...arrivalOffsetsUs(p, 43)].slice(0, 100), t.slice(0, 100));
  assert.equal(countArrivals(p, 42), t.length);
});

test('a request cap ends the phase: its count, and its end when the first arrival beyond the cap is due', () => {
  const uniform = phase({ rate: 1000, requests: 123 });
  assert.equal(countArrivals(uniform, 1), 123);
  // 123 requests at 1,000 req/s: arrivals at 0, 1, …, 122 ms; the 124th would be due at 123 ms: the phase ends there.
  assert.ok(Math.abs(endUs(uniform, 1) - 123_000) < 1e-6, String(endUs(uniform, 1)));
  assert.equal(endUs(phase({ rate: 1000 }), 1), 10_000_000, 'no cap: the duration');
  assert.equal(endUs(phase({ rate: 10, requests: 500 }), 1), 10_000_000, 'a cap beyond the duration does not end it');
  const poisson = phase({ rate: 1000, requests: 123, arrivals: 'poisson' });
  const t = [...arrivalOffsetsUs(poisson, 1)];
  assert.equal(t.length, 123);
  // After the last sent arrival, before the duration; Λ there is the sum of 124 Exp(1) draws: 124 ± 3·√124 ≈ 33.
  const end = endUs(poisson, 1);
  assert.ok(end > t[122] && Math.abs(end / 1000 - 124) < 34, `poisson end ${end} µs, last arrival ${t[122]}`);
});
