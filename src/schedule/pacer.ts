// The pacer decides WHEN: intended send times of an open-loop phase as a pure function of (phase, seed).
// Uniform arrivals put request k at the time the cumulative expected arrivals Λ(t) reach k; Poisson arrivals put it
// where Λ(t) reaches the sum of k+1 seeded Exp(1) draws (time rescaling), so ramps and steps work for both.
import type { OpenPhase } from '../scenario/types.js';

/** Cumulative expected arrivals Λ(t) over a phase and its inverse, t in seconds. */
interface RateCurve {
  lambdaAt(tSec: number): number;
  /** Smallest t with Λ(t) = x (x ≤ Λ(duration)). */
  inverse(x: number): number;
  total: number;
}

function curveOf(p: OpenPhase): RateCurve {
  const d = p.durationMs / 1000;
  const r0 = p.rate;
  const r1 = p.rampTo ?? p.rate;
  if (p.steps && p.steps > 1 && r1 !== r0) return stepCurve(d, r0, r1, p.steps);
  const a = (r1 - r0) / d; // rate slope, req/s²
  const lambdaAt = (t: number) => r0 * t + (a * t * t) / 2;
  const inverse = (x: number) => {
    if (Math.abs(a) < 1e-12) return x / r0;
    // r0 t + a t²/2 = x  →  t = (−r0 + √(r0² + 2 a x)) / a   (the root in [0, d])
    const disc = Math.max(0, r0 * r0 + 2 * a * x);
    return (-r0 + Math.sqrt(disc)) / a;
  };
  return { lambdaAt, inverse, total: lambdaAt(d) };
}

/** `steps` equal-length plateaus from r0 to r1 (first plateau r0, last r1). */
function stepCurve(d: number, r0: number, r1: number, steps: number): RateCurve {
  const len = d / steps;
  const rates = Array.from({ length: steps }, (_, i) => r0 + ((r1 - r0) * i) / (steps - 1));
  const cum = [0];
  for (const r of rates) cum.push(cum[cum.length - 1] + r * len);
  const lambdaAt = (t: number) => {
    const i = Math.min(steps - 1, Math.floor(t / len));
    return cum[i] + rates[i] * (t - i * len);
  };
  const inverse = (x: number) => {
    let i = 0;
    while (i < steps - 1 && cum[i + 1] < x) i++;
    return i * len + (rates[i] > 0 ? (x - cum[i]) / rates[i] : 0);
  };
  return { lambdaAt, inverse, total: cum[steps] };
}

/** Seeded uniform in (0,1): a 32-bit xorshift-multiply mix; one stream per (seed, phase). */
function uniformStream(seed: number, salt: number): () => number {
  let s = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca77)) >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
}

/**
 * Intended send offsets (µs since the phase start) of every arrival in the phase, in order. Every worker iterates
 * the same stream and keeps its own stride, so the split is fixed by (seed, phase) alone.
 */
export function* arrivalOffsetsUs(phase: OpenPhase, seed: number, phaseIndex: number): Generator<number> {
  const curve = curveOf(phase);
  const max = phase.requests ?? Infinity;
  if (phase.arrivals === 'poisson') {
    const u = uniformStream(seed, 1000 + phaseIndex);
    let x = 0;
    for (let k = 0; k < max; k++) {
      x += -Math.log(u());
      if (x >= curve.total) return;
      yield curve.inverse(x) * 1e6;
    }
  } else {
    // k-th arrival at Λ(t) = k; the count is floor(Λ(duration)) (see plannedCount in scenario/plan.ts).
    const n = Math.min(max, Math.floor(curve.total + 1e-9));
    for (let k = 0; k < n; k++) yield curve.inverse(k) * 1e6;
  }
}

/** Target rate (req/s) at t seconds into the phase, for progress and charts. */
export function rateAt(phase: OpenPhase, tSec: number): number {
  const d = phase.durationMs / 1000;
  const r1 = phase.rampTo ?? phase.rate;
  if (phase.steps && phase.steps > 1 && r1 !== phase.rate) {
    const i = Math.min(phase.steps - 1, Math.floor(tSec / (d / phase.steps)));
    return phase.rate + ((r1 - phase.rate) * i) / (phase.steps - 1);
  }
  return phase.rate + ((r1 - phase.rate) * Math.min(tSec, d)) / d;
}

/** Number of arrivals in the phase (exact: iterates the stream for Poisson). */
export function countArrivals(phase: OpenPhase, seed: number, phaseIndex: number): number {
  let n = 0;
  for (const _ of arrivalOffsetsUs(phase, seed, phaseIndex)) n++;
  return n;
}
