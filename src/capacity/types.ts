// The capacity search's data: its options, one record per probe, and the answer (report.json's `capacity` section,
// documented in docs/capacity.md). Levels are req/s (open loop) or requests in flight (closed loop).
import type { LatencyStats, ThresholdResult, Validity } from '../summary/types.js';
import type { ThresholdSpec } from '../spec/types.js';

export type CapacityMode = 'rate' | 'concurrency';

export interface SearchOptions {
  mode: CapacityMode;
  /** First level probed (req/s or in flight). */
  start: number;
  /** Highest level worth probing: reaching it without a failure ends the search ("at least"). */
  max: number;
  /** Lowest level worth probing: failing below it ends the search (nothing sustainable). */
  min: number;
  /** Each step up multiplies the level by this until a probe fails (default 2). */
  growth: number;
  /** Stop bisecting when (lowest failing − highest passing) / highest passing ≤ this fraction (default 0.05). */
  precision: number;
  maxProbes: number;
}

/** How a probe counts in the search. */
export type ProbeVerdict = 'pass' | 'fail' | 'invalid' | 'interrupted';

export interface ProbeRecord {
  /** 1-based, in the order run. */
  index: number;
  /** Planned level: req/s (rate mode) or concurrency. */
  level: number;
  verdict: ProbeVerdict;
  /** Why the verdict, in one sentence (the failing SLOs, the validity reasons, the over-saturation sign). */
  why: string;
  runId: string;
  /** The probe's own report folder ('' if none could be written). */
  reportDir: string;
  /** Measured part (warm-up excluded), ms. */
  measuredMs: number;
  plannedRps?: number;
  achievedRps: number;
  latencyMs: Pick<LatencyStats, 'p50' | 'p90' | 'p99' | 'p999' | 'count'>;
  errorsRate: number;
  /** Accuracy over scored rows (absent without labels). */
  accuracy?: number;
  /** Accuracy counting every request whose answer was lost (timeout, error, unusable) as wrong. */
  accuracyAllRequests?: number;
  slos: Pick<ThresholdResult, 'expr' | 'value' | 'pass' | 'limit' | 'op' | 'unit'>[];
  validity: Validity;
}

export interface Knee {
  /** Achieved throughput at the knee, req/s. */
  rps: number;
  /** The probe's planned level. */
  level: number;
  probe: number;
  /** The latency percentile the curve was drawn with, e.g. `latency.p99`, and its value there (ms). */
  metric: string;
  latencyMs: number;
  method: string;
}

export interface SloBound {
  expr: string;
  /** Measured at the highest passing probe. */
  value: number | null;
  /** Upper bound of the percentile at 99% confidence (MLPerf early-stopping rule), ms; latency percentiles only. */
  upperBound99?: number;
}

export type SearchEnd = 'converged' | 'max-level' | 'none-sustainable' | 'max-probes' | 'max-time' | 'interrupted' | 'inconclusive' | 'error';

export interface CapacityAnswer {
  id: string;
  scenario: string;
  target: string;
  mode: CapacityMode;
  slos: string[];
  /** Open loop: the highest passing probe's planned rate, req/s. Absent when no probe passed. */
  maxRate?: number;
  /** Closed loop: the highest passing concurrency. */
  maxConcurrency?: number;
  /** Achieved throughput at that probe, req/s. */
  maxRateAchieved?: number;
  /** Highest passing and lowest failing level (either may be absent). */
  interval: { passing?: number; failing?: number };
  /** Which SLO failed first: the worst (value / limit) at the lowest failing probe. */
  bindingSlo?: string;
  knee?: Knee;
  /** The SLOs at the answer, with the uncertainty of latency percentiles. */
  sloAtMax?: SloBound[];
  /** Why the search ended. */
  end: SearchEnd;
  endReason: string;
  /** A passing probe, the search converged (or passed at --max), and at least --require (when given). */
  found: boolean;
  require?: number;
  startedAt: string;
  elapsedMs: number;
  probes: ProbeRecord[];
}

export interface CapacityRunOptions extends SearchOptions {
  slos: ThresholdSpec[];
  /** Measured part of each probe, ms (lengthened when the SLO percentile needs more samples at a low level). */
  probeMs: number;
  warmupMs: number;
  /** Wall-clock bound of the whole search, ms. */
  maxTimeMs: number;
  require?: number;
  /** Send lag p99 above this makes a probe INVALID (GENERATOR_LAG), ms. Default: see defaultMaxLagMs. */
  maxLagP99Ms?: number;
}
