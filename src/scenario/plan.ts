// What a load plan promises: requests per phase and the expected duration, known before the run.
// The engine owns pacing (when each request is sent); these are the counts its uniform pacer must produce.
//
// Definitions (uniform arrivals). Let Λ(t) be the cumulative target arrivals t seconds into an open phase of
// d seconds: constant rate r → Λ(t) = r·t; linear ramp r0 → r1 → Λ(t) = r0·t + (r1 − r0)·t² / (2d); N steps →
// step i (0-based, each d/N long) runs at r0 + (r1 − r0)·i/(N − 1), so the last step runs at r1.
// Request k (k = 0, 1, …) is due at the t_k with Λ(t_k) = k, and the phase sends the requests whose whole unit
// of arrivals fits in it: k + 1 ≤ Λ(d). Hence plannedCount = floor(Λ(d)) — for a ramp floor(r0·d + (r1 − r0)·d/2) —
// capped by `requests`. Poisson arrivals: the expected count, round(Λ(d)), capped the same way.
import type { ClosedPhase, OpenPhase, Phase } from './types.js';

/** Float slack so that e.g. 2.3 req/s × 100 s counts as 230, not 229. */
const EPS = 1e-9;

/** Target rate of each step of a stepped ramp. */
export function stepRates(phase: Pick<OpenPhase, 'rate' | 'rampTo' | 'steps'>): number[] {
  const n = phase.steps ?? 1;
  const r1 = phase.rampTo ?? phase.rate;
  if (n < 2) return [phase.rate];
  return Array.from({ length: n }, (_, i) => phase.rate + ((r1 - phase.rate) * i) / (n - 1));
}

/** Λ(t): target arrivals in the first `tMs` of an open phase (before any `requests` cap). */
export function expectedArrivals(phase: OpenPhase, tMs: number = phase.durationMs): number {
  const d = phase.durationMs / 1000;
  const t = Math.min(Math.max(tMs / 1000, 0), d);
  const r0 = phase.rate;
  if (phase.steps && phase.steps >= 2 && phase.rampTo !== undefined) {
    const rates = stepRates(phase);
    const stepS = d / rates.length;
    let total = 0;
    for (let i = 0; i < rates.length; i++) total += rates[i]! * Math.min(Math.max(t - i * stepS, 0), stepS);
    return total;
  }
  if (phase.rampTo === undefined || d === 0) return r0 * t;
  return r0 * t + ((phase.rampTo - r0) * t * t) / (2 * d);
}

/** Planned requests of a phase: exact for uniform open loop, expected for Poisson, `requests` for closed loop. */
export function plannedCount(phase: Phase): number | undefined {
  if (phase.kind === 'closed') return phase.requests;
  const lambda = expectedArrivals(phase);
  const n = phase.arrivals === 'poisson' ? Math.round(lambda) : Math.floor(lambda + EPS);
  return phase.requests !== undefined ? Math.min(n, phase.requests) : n;
}

/** The open-phase duration (ms) in which Λ reaches `n`: how long a requests-only open phase lasts. */
export function durationForRequestsMs(p: Pick<OpenPhase, 'rate' | 'rampTo' | 'steps'>, n: number): number {
  const r1 = p.rampTo ?? p.rate;
  if (p.steps && p.steps >= 2 && p.rampTo !== undefined) {
    const mean = stepRates(p).reduce((a, b) => a + b, 0) / p.steps;
    return (n / mean) * 1000;
  }
  return ((2 * n) / (p.rate + r1)) * 1000;
}

/** Time (ms into the phase) at which the n-th arrival is due; the phase ends there when `requests` caps it. */
export function timeOfArrivalMs(phase: OpenPhase, n: number): number {
  if (expectedArrivals(phase) <= n) return phase.durationMs;
  let lo = 0;
  let hi = phase.durationMs;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (expectedArrivals(phase, mid) < n) lo = mid;
    else hi = mid;
  }
  return hi;
}

export interface PhasePlan {
  plannedRequests?: number;
  /** Expected duration; undefined for a closed phase bounded by requests only. */
  durationMs?: number;
}

export interface LoadPlan {
  phases: PhasePlan[];
  /** Sum over phases when every phase's count is known. */
  plannedRequests?: number;
  /** Sum over phases when every phase's duration is known. */
  expectedDurationMs?: number;
}

export function planPhase(phase: Phase): PhasePlan {
  const plannedRequests = plannedCount(phase);
  if (phase.kind === 'closed') return { plannedRequests, durationMs: phase.durationMs };
  const capped = phase.requests !== undefined && phase.requests < expectedArrivals(phase);
  return { plannedRequests, durationMs: capped ? timeOfArrivalMs(phase, phase.requests!) : phase.durationMs };
}

export function planLoad(phases: readonly Phase[]): LoadPlan {
  const plans = phases.map(planPhase);
  const sum = (xs: (number | undefined)[]) => (xs.every((x) => x !== undefined) ? xs.reduce<number>((a, b) => a + b!, 0) : undefined);
  return {
    phases: plans,
    plannedRequests: sum(plans.map((p) => p.plannedRequests)),
    expectedDurationMs: sum(plans.map((p) => p.durationMs)),
  };
}

/** `--concurrency N`: the whole load as one closed phase lasting as long as the scenario's phases (or `durationMs`). */
export function asOneClosedPhase(phases: readonly Phase[], concurrency: number, durationMs?: number): ClosedPhase {
  const plan = planLoad(phases);
  const knownMs = plan.phases.reduce((a, p) => a + (p.durationMs ?? 0), 0);
  const ms = durationMs ?? plan.expectedDurationMs ?? (knownMs > 0 ? knownMs : undefined);
  return {
    kind: 'closed',
    name: 'closed',
    concurrency,
    thinkMs: 0,
    warmup: false,
    ...(ms !== undefined ? { durationMs: ms } : plan.plannedRequests !== undefined && { requests: plan.plannedRequests }),
  };
}
