// The load plan: the one description of a scenario's load — phases with their planned start and end, request caps,
// open or closed loop, the rate curve r(t), expected arrivals Λ(t) and the time of the k-th arrival. Built once from
// the normalized phases (planLoad / loadPlanOf) and handed as a plain value (structured-cloneable: no functions) to
// the workers' pacer (pacer.ts), live progress, the summary and `validate`, so what `validate` predicts is what runs.
//
// Definitions. Let Λ(t) be the cumulative target arrivals t seconds into an open phase of d seconds: constant rate
// r → Λ(t) = r·t; linear ramp r0 → r1 → Λ(t) = r0·t + (r1 − r0)·t²/(2d); N steps → step i (0-based, each d/N long)
// runs at r0 + (r1 − r0)·i/(N − 1), so the last step runs at r1. The curve is stored as segments, each with a start,
// a rate, a slope and the arrivals before it.
//
// Uniform arrivals: request k (k = 0, 1, …) is due at the t_k with Λ(t_k) = k, and the phase sends the requests whose
// whole unit of arrivals fits in it: k + 1 ≤ Λ(d), so floor(Λ(d)) requests (a ramp: floor(r0·d + (r1 − r0)·d/2)).
// Poisson arrivals (time rescaling): request k is due where Λ reaches the sum of k + 1 seeded Exp(1) draws; the plan
// gives the expected count, round(Λ(d)).
//
// A request cap (`requests: n`) ENDS the phase when it is reached, like k6's iteration-based executors end when their
// iterations are done: the phase ends when the first arrival beyond the cap is due — for uniform arrivals at Λ = n
// exactly (n requests at r req/s take n/r seconds, as a requests-only phase does), for Poisson arrivals where Λ reaches
// the (n + 1)-th draw — or at its duration, whichever comes first; the next phase starts there.
import type { ClosedPhase, OpenPhase, Phase, Scenario } from '../spec/types.js';

/** Float slack so that e.g. 2.3 req/s × 100 s counts as 230 arrivals, not 229. */
const EPS = 1e-9;

/** One piece of an open phase's rate curve: from `startS` on, r(t) = rate + slope·(t − startS). */
export interface RateSegment {
  /** Seconds into the phase. */
  startS: number;
  /** req/s at `startS`. */
  rate: number;
  /** req/s². 0 for a constant rate and for every plateau of a stepped ramp. */
  slope: number;
  /** Λ(startS): target arrivals before this segment. */
  cum: number;
}

/** The rate curve of an open phase: piecewise linear r(t) over [0, durationS], and Λ(durationS) = `total`. */
export interface RateCurve {
  durationS: number;
  segments: RateSegment[];
  total: number;
}

interface PhasePlanBase {
  index: number;
  name: string;
  warmup: boolean;
  /** Planned start (ms since t = 0), when every earlier phase's length is known in advance (else undefined). */
  startMs?: number;
  /** Planned end (ms since t = 0), under the same condition. */
  endMs?: number;
  /** Planned length (ms): undefined for a closed phase ending by `requests` only. */
  plannedMs?: number;
  /** Requests the phase sends: undefined for a closed phase ending by duration only. */
  plannedRequests?: number;
  /** False when `plannedRequests`/`plannedMs` are expectations (Poisson arrivals) or bounds (closed loop). */
  exact: boolean;
  /** The request cap (`requests:`), if any. */
  requests?: number;
}

export interface OpenPhasePlan extends PhasePlanBase {
  kind: 'open';
  arrivals: 'uniform' | 'poisson';
  curve: RateCurve;
  /** The configured duration (ms): the phase ends there unless its cap ends it first. */
  durationMs: number;
  plannedMs: number;
  plannedRequests: number;
}

export interface ClosedPhasePlan extends PhasePlanBase {
  kind: 'closed';
  concurrency: number;
  thinkMs: number;
  durationMs?: number;
}

export type PhasePlan = OpenPhasePlan | ClosedPhasePlan;

export interface LoadPlan {
  /** Seed of the Poisson arrival streams (the scenario's seed). */
  seed: number;
  phases: PhasePlan[];
  /** Sum over phases when every phase's count is known. */
  plannedRequests?: number;
  /** Sum over phases when every phase's length is known. */
  durationMs?: number;
  /** True when both sums are exact (no Poisson phase, no closed phase). */
  exact: boolean;
}

type CurveShape = Pick<OpenPhase, 'durationMs' | 'rate' | 'rampTo' | 'steps'>;

/** The rate curve of an open phase (constant, linear ramp, or `steps` equal-length plateaus from rate to rampTo). */
export function curveOf(p: CurveShape): RateCurve {
  const d = p.durationMs / 1000;
  const r0 = p.rate;
  const r1 = p.rampTo ?? p.rate;
  if (p.steps && p.steps > 1 && r1 !== r0) {
    const len = d / p.steps;
    const segments: RateSegment[] = [];
    let cum = 0;
    for (let i = 0; i < p.steps; i++) {
      const rate = r0 + ((r1 - r0) * i) / (p.steps - 1);
      segments.push({ startS: i * len, rate, slope: 0, cum });
      cum = cum + rate * len;
    }
    return { durationS: d, segments, total: cum };
  }
  const seg: RateSegment = { startS: 0, rate: r0, slope: (r1 - r0) / d, cum: 0 };
  return { durationS: d, segments: [seg], total: lambdaIn(seg, d) };
}

/** Λ within one segment at t seconds into the phase. */
function lambdaIn(s: RateSegment, t: number): number {
  const u = t - s.startS;
  return s.slope === 0 ? s.cum + s.rate * u : s.cum + s.rate * u + (s.slope * u * u) / 2;
}

/** Index of the segment holding t seconds (the last one from its start on). */
function segmentAt(c: RateCurve, tS: number): number {
  let i = 0;
  while (i < c.segments.length - 1 && c.segments[i + 1].startS <= tS) i++;
  return i;
}

/** Λ(t): target arrivals in the first t seconds of the phase (t clamped to [0, d]; before any cap). */
export function arrivalsAt(c: RateCurve, tS: number): number {
  const t = Math.min(Math.max(tS, 0), c.durationS);
  return lambdaIn(c.segments[segmentAt(c, t)], t);
}

/** r(t): the target rate (req/s) t seconds into the phase (held at its end value beyond d). */
export function rateAt(c: RateCurve, tS: number): number {
  const t = Math.min(Math.max(tS, 0), c.durationS);
  const s = c.segments[segmentAt(c, t)];
  return s.rate + s.slope * (t - s.startS);
}

/**
 * Smallest t (seconds into the phase) with Λ(t) = x, for 0 ≤ x ≤ total. The arithmetic is the pacer's since its
 * first version, so every seed keeps its schedule (test/schedule/pins.test.ts).
 */
export function timeOfArrivalS(c: RateCurve, x: number): number {
  return timeInSegmentS(c.segments[segmentOfArrival(c, x)], x);
}

/**
 * Index of the segment in which Λ reaches x; `from` is a segment known to be at or before it (the pacer passes its
 * previous answer: arrivals only move forward, so a stepped ramp costs no rescan per request).
 */
export function segmentOfArrival(c: RateCurve, x: number, from = 0): number {
  const segs = c.segments;
  let i = from;
  while (i < segs.length - 1 && segs[i + 1].cum < x) i++;
  return i;
}

/**
 * Λ⁻¹ for the pacer: x → t seconds into the phase, for x that never decreases from one call to the next (a cursor
 * walks the segments, so a stepped ramp costs no rescan per request). A constant rate or a linear ramp (one segment)
 * gets a closure over its two numbers: the per-request cost of the pacer before the plan existed.
 */
export function arrivalTimer(c: RateCurve): (x: number) => number {
  const segs = c.segments;
  if (segs.length === 1) {
    // Exactly timeInSegmentS with startS = 0 and cum = 0 (0 + v and v − 0 are v), inlined.
    // One closure for both (as before the plan): the pacer's call site then sees at most two shapes and stays inlined.
    const r = segs[0].rate;
    const a = segs[0].slope;
    const linear = Math.abs(a) < 1e-12;
    return (x) => (linear ? x / r : (-r + Math.sqrt(Math.max(0, r * r + 2 * a * x))) / a);
  }
  let i = 0;
  return (x) => {
    i = segmentOfArrival(c, x, i);
    return timeInSegmentS(segs[i], x);
  };
}

/** t (seconds into the phase) at which Λ reaches x, x within segment `s`. */
export function timeInSegmentS(s: RateSegment, x: number): number {
  const a = s.slope;
  const y = x - s.cum;
  if (Math.abs(a) < 1e-12) return s.startS + (s.rate > 0 ? y / s.rate : 0);
  // r t + a t²/2 = y  →  t = (−r + √(r² + 2 a y)) / a   (the root in the segment)
  const disc = Math.max(0, s.rate * s.rate + 2 * a * y);
  return s.startS + (-s.rate + Math.sqrt(disc)) / a;
}

/** Arrivals of a uniform open phase: floor(Λ(d)), capped. */
function uniformCount(c: RateCurve, cap: number | undefined): number {
  return Math.min(cap ?? Infinity, Math.floor(c.total + EPS));
}

/**
 * End of a uniform open phase (µs into the phase): when the arrival after the cap is due (Λ = cap), or its duration.
 * The pacer returns exactly this at the end of the stream.
 */
export function uniformEndUs(c: RateCurve, cap: number | undefined): number {
  return cap !== undefined && cap < c.total ? timeOfArrivalS(c, cap) * 1e6 : c.durationS * 1e6;
}

function planOpen(p: OpenPhase, index: number): OpenPhasePlan {
  const curve = curveOf(p);
  const cap = p.requests;
  const poisson = p.arrivals === 'poisson';
  let plannedRequests: number;
  let plannedMs: number;
  if (poisson) {
    plannedRequests = Math.min(cap ?? Infinity, Math.round(curve.total));
    // The phase ends where Λ reaches the (cap + 1)-th Exp(1) draw: cap + 1 expected.
    plannedMs = cap !== undefined && cap + 1 < curve.total ? timeOfArrivalS(curve, cap + 1) * 1000 : p.durationMs;
  } else {
    plannedRequests = uniformCount(curve, cap);
    plannedMs = uniformEndUs(curve, cap) / 1000;
  }
  return {
    kind: 'open',
    index,
    name: p.name,
    warmup: p.warmup,
    arrivals: p.arrivals,
    curve,
    durationMs: p.durationMs,
    plannedMs,
    plannedRequests,
    exact: !poisson,
    ...(cap !== undefined && { requests: cap }),
  };
}

function planClosed(p: ClosedPhase, index: number): ClosedPhasePlan {
  return {
    kind: 'closed',
    index,
    name: p.name,
    warmup: p.warmup,
    concurrency: p.concurrency,
    thinkMs: p.thinkMs,
    // Closed loop ends at whichever bound comes first; the other is an upper bound only.
    ...(p.durationMs !== undefined && { durationMs: p.durationMs, plannedMs: p.durationMs }),
    ...(p.requests !== undefined && { requests: p.requests, plannedRequests: p.requests }),
    exact: false,
  };
}

/** The load plan of normalized phases. `seed` feeds the Poisson streams (pacer.ts). */
export function planLoad(phases: readonly Phase[], seed = 1): LoadPlan {
  let at: number | undefined = 0;
  const plans = phases.map((ph, i): PhasePlan => {
    const pp = ph.kind === 'open' ? planOpen(ph, i) : planClosed(ph, i);
    if (at !== undefined && pp.plannedMs !== undefined) {
      pp.startMs = at;
      pp.endMs = at + pp.plannedMs;
      at = pp.endMs;
    } else {
      if (at !== undefined) pp.startMs = at;
      at = undefined;
    }
    return pp;
  });
  const sum = (xs: (number | undefined)[]) => (xs.every((x) => x !== undefined) ? xs.reduce<number>((a, b) => a + b!, 0) : undefined);
  const plannedRequests = sum(plans.map((p) => p.plannedRequests));
  const durationMs = sum(plans.map((p) => p.plannedMs));
  return {
    seed,
    phases: plans,
    ...(plannedRequests !== undefined && { plannedRequests }),
    ...(durationMs !== undefined && { durationMs }),
    exact: plans.every((p) => p.exact),
  };
}

/** The load plan of a normalized scenario. */
export const loadPlanOf = (s: Pick<Scenario, 'load' | 'seed'>): LoadPlan => planLoad(s.load.phases, s.seed);

/**
 * The planned rate (req/s) `tMs` into the run: the open-loop rate of the phase running then, 0 in closed loop, before
 * or after the phases, or where the phase is not known in advance. `spans` gives the phases' actual start and end
 * (ms since t = 0; a finished run's) instead of the plan's.
 */
export function plannedRateAt(plan: LoadPlan, tMs: number, spans?: readonly { startMs: number; endMs: number }[]): number {
  for (let i = 0; i < plan.phases.length; i++) {
    const p = plan.phases[i];
    const start = spans ? spans[i]?.startMs : p.startMs;
    const end = spans ? spans[i]?.endMs : p.endMs;
    if (start === undefined) return 0;
    if (tMs < start) return 0;
    if (end === undefined || tMs < end) return p.kind === 'open' ? rateAt(p.curve, (tMs - start) / 1000) : 0;
  }
  return 0;
}

/**
 * Planned arrivals of an open phase over its first `ms` milliseconds — the plan's count for that stretch (capped by
 * `requests`). With the span a phase actually ran, divided by its length, it is the planned rate achieved ones are
 * compared with.
 */
export function plannedArrivals(p: OpenPhasePlan, ms: number): number {
  return Math.min(p.requests ?? Infinity, arrivalsAt(p.curve, ms / 1000));
}

/** The open-phase duration (ms) in which Λ reaches `n`: how long a requests-only open phase lasts. */
export function durationForRequestsMs(p: Pick<OpenPhase, 'rate' | 'rampTo' | 'steps'>, n: number): number {
  const r1 = p.rampTo ?? p.rate;
  if (p.steps && p.steps >= 2 && p.rampTo !== undefined) {
    let sum = 0;
    for (let i = 0; i < p.steps; i++) sum += p.rate + ((r1 - p.rate) * i) / (p.steps - 1);
    return (n / (sum / p.steps)) * 1000;
  }
  return ((2 * n) / (p.rate + r1)) * 1000;
}

/** `--concurrency N`: the whole load as one closed phase lasting as long as the scenario's phases (or `durationMs`). */
export function asOneClosedPhase(phases: readonly Phase[], concurrency: number, durationMs?: number): ClosedPhase {
  const plan = planLoad(phases);
  const knownMs = plan.phases.reduce((a, p) => a + (p.plannedMs ?? 0), 0);
  const ms = durationMs ?? plan.durationMs ?? (knownMs > 0 ? knownMs : undefined);
  return {
    kind: 'closed',
    name: 'closed',
    concurrency,
    thinkMs: 0,
    warmup: false,
    ...(ms !== undefined ? { durationMs: ms } : plan.plannedRequests !== undefined && { requests: plan.plannedRequests }),
  };
}
