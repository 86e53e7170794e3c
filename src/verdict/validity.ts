// Can a run's figures be trusted? VALID, or INVALID with the reasons, as a pure function of its Summary — the
// MLPerf LoadGen idea ("Result is : INVALID" with the rule that failed) applied to every run. The rules, their
// numbers and sources are in docs/capacity.md#validity; each reason has a stable code (ValidityReason['code']).
import type { Summary, Validity, ValidityReason } from '../summary/types.js';
import { bucketsOfEncoded } from '../stats/hist.js';
import { BOUND_CONFIDENCE, minSamplesForQuantile, quantileOfBuckets } from '../stats/quantile-bound.js';

export interface ValidityOptions {
  /** Shortest measured part (warm-up excluded) worth a verdict, ms. Default 5,000: perf_analyzer's measurement interval. */
  minDurationMs?: number;
  /** Achieved rate may fall this far below the planned rate (fraction). Default 0.05. */
  rateShortfall?: number;
  /** Largest relative distance of a third's percentile from the mean of the three (fraction). Default 0.10 (perf_analyzer). */
  stabilityTolerance?: number;
  /** Differences below this (ms) are never drift: HDR precision and timer granularity. Default 1 ms. */
  stabilityFloorMs?: number;
  /** Confidence of the sample-count rule. Default 0.99 (MLPerf LoadGen early stopping). */
  confidence?: number;
}

export const VALIDITY_DEFAULTS: Required<ValidityOptions> = {
  minDurationMs: 5_000,
  rateShortfall: 0.05,
  stabilityTolerance: 0.1,
  stabilityFloorMs: 1,
  confidence: BOUND_CONFIDENCE,
};

/**
 * The planned rate of the measured part, req/s: the load plan's (`totals.plannedRps`, schedule/plan.ts); undefined
 * when a measured phase is closed loop (no planned rate) or nothing was measured.
 */
export const plannedRps = (s: Summary): number | undefined => s.totals.plannedRps;

/** A percentile threshold's quantile: `latency.p99` → 0.99, `service.p999` → 0.999; undefined for max, mean, others. */
export function quantileOfMetric(metric: string): number | undefined {
  const m = /^(?:latency|service)\.p(\d+)$/.exec(metric);
  if (!m) return undefined;
  const digits = m[1];
  return Number(`0.${digits}`);
}

/** Measured duration (warm-up phases excluded), ms. */
export function measuredMs(s: Summary): number {
  return s.phases.filter((p) => !p.warmup).reduce((a, p) => a + (p.endedAtMs - p.startedAtMs), 0);
}

/** Every rule, in a fixed order; valid when no rule has a reason. */
export function assessValidity(s: Summary, options: ValidityOptions = {}): Validity {
  const o = { ...VALIDITY_DEFAULTS, ...options };
  const reasons: ValidityReason[] = [];
  const t = s.totals;
  if (s.run.status !== 'completed') {
    reasons.push({
      code: s.run.status === 'failed' ? 'FAILED' : 'INTERRUPTED',
      message: s.run.status === 'failed' ? `the run failed${s.run.error ? `: ${s.run.error}` : ''}` : 'the run was interrupted before its planned end',
      figure: measuredMs(s),
    });
  }
  if (s.run.generatorSaturated) {
    reasons.push({
      code: 'GENERATOR_LAG',
      message: `the generator, not the target, limited the rate: ${s.run.saturationReason ?? `send lag p99 ${t.lagMs.p99} ms`}`,
      figure: t.lagMs.p99,
    });
  }
  const planned = plannedRps(s);
  if (planned !== undefined && planned > 0 && t.rps < planned * (1 - o.rateShortfall)) {
    reasons.push({
      code: 'RATE_BELOW_PLANNED',
      message: `achieved ${t.rps} req/s, below the planned ${planned} req/s by more than ${pct(o.rateShortfall)} (${t.requests.dropped} requests dropped)`,
      figure: t.rps,
      limit: round(planned * (1 - o.rateShortfall)),
    });
  }
  for (const r of sampleReasons(s, o.confidence)) reasons.push(r);
  const ms = measuredMs(s);
  if (ms < o.minDurationMs) {
    reasons.push({ code: 'SHORT', message: `measured for ${round(ms / 1000)} s, shorter than the minimum ${round(o.minDurationMs / 1000)} s`, figure: round(ms), limit: o.minDurationMs });
  }
  const unstable = stabilityReason(s, o);
  if (unstable) reasons.push(unstable);
  if (s.store && !s.store.complete) {
    reasons.push({
      code: 'STORE_INCOMPLETE',
      message: s.store.kind === 'none' ? `no metrics store: ${s.store.error ?? 'unavailable'}` : `the metrics store holds ${s.store.storedRequests} records, not all of them${s.store.spoolPath ? ` (the rest: ${s.store.spoolPath})` : ''}`,
      figure: s.store.storedRequests,
    });
  }
  return { valid: reasons.length === 0, reasons };
}

/** The percentiles the thresholds ask for, highest first, with the sample count each is read from. */
function askedQuantiles(s: Summary): { metric: string; q: number; n: number }[] {
  const seen = new Map<string, { metric: string; q: number; n: number }>();
  for (const th of s.thresholds) {
    const q = quantileOfMetric(th.metric);
    if (q === undefined || seen.has(th.metric)) continue;
    const n = th.metric.startsWith('service.') ? s.totals.serviceTimeMs.count : s.totals.latencyMs.count;
    seen.set(th.metric, { metric: th.metric, q, n });
  }
  return [...seen.values()].sort((a, b) => b.q - a.q);
}

function sampleReasons(s: Summary, confidence: number): ValidityReason[] {
  return askedQuantiles(s).flatMap(({ metric, q, n }) => {
    const need = minSamplesForQuantile(q, confidence);
    if (n >= need) return [];
    return [
      {
        code: 'TOO_FEW_SAMPLES' as const,
        message: `${n} samples for ${metric}; ${need} are needed for its value to bound the true ${metric} at ${pct(confidence)} confidence (${need - n} more; MLPerf LoadGen's early-stopping rule)`,
        figure: n,
        limit: need,
      },
    ];
  });
}

/**
 * One steady load over the measured part: every measured phase at the same constant rate (no ramp, no steps) or the
 * same concurrency. A ramp or a step changes the load on purpose, so its latency is expected to move: perf_analyzer's
 * stability rule is about a steady measurement, and is not applied to such runs (no claim either way).
 */
function steadyLoad(s: Summary): boolean {
  const measured = s.phases.filter((p) => !p.warmup);
  const load = (p: Summary['phases'][number]) =>
    p.kind === 'open' ? (p.targetRampTo !== undefined && p.targetRampTo !== p.targetRate ? undefined : `open ${p.targetRate}`) : `closed ${p.concurrency}`;
  const first = measured.length ? load(measured[0]) : undefined;
  return first !== undefined && measured.every((p) => load(p) === first);
}

/**
 * perf_analyzer's stability rule on the measured part: split its windows into three consecutive thirds and read the
 * latency percentile in each (the highest one asked by a threshold that every third has enough samples for, else p50);
 * unstable when one third is further than the tolerance from their mean (and more than the floor in ms).
 * Fewer than three measured windows: no claim either way.
 */
function stabilityReason(s: Summary, o: Required<ValidityOptions>): ValidityReason | undefined {
  const firstMeasured = s.phases.find((p) => !p.warmup);
  if (!firstMeasured || !steadyLoad(s)) return undefined;
  const windows = s.windows.filter((w) => w.startMs >= firstMeasured.startedAtMs && w.latencyHistogram && w.latencyMs.count > 0);
  if (windows.length < 3) return undefined;
  const thirds = [0, 1, 2].map((k) => windows.slice(Math.floor((k * windows.length) / 3), Math.floor(((k + 1) * windows.length) / 3)));
  const merged = thirds.map((group) => {
    const byValue = new Map<number, number>();
    for (const w of group) {
      const b = bucketsOfEncoded(w.latencyHistogram!);
      b.valuesMs.forEach((v, i) => byValue.set(v, (byValue.get(v) ?? 0) + b.counts[i]));
    }
    const valuesMs = [...byValue.keys()].sort((a, b) => a - b);
    return { valuesMs, counts: valuesMs.map((v) => byValue.get(v)!), n: [...byValue.values()].reduce((a, b) => a + b, 0) };
  });
  const fewest = Math.min(...merged.map((m) => m.n));
  const asked = askedQuantiles(s).find((a) => fewest >= minSamplesForQuantile(a.q, o.confidence));
  const q = asked?.q ?? 0.5;
  const name = asked ? asked.metric.replace(/^service\./, 'latency.') : 'latency.p50';
  const values = merged.map((m) => quantileOfBuckets(m.valuesMs, m.counts, q));
  const mean = values.reduce((a, b) => a + b, 0) / 3;
  const spread = Math.max(...values) - Math.min(...values);
  const drift = mean > 0 ? Math.max(...values.map((v) => Math.abs(v - mean))) / mean : 0;
  if (drift <= o.stabilityTolerance || spread <= o.stabilityFloorMs) return undefined;
  const trend = values[0] < values[1] && values[1] < values[2] ? 'rising' : values[0] > values[1] && values[1] > values[2] ? 'falling' : 'varying';
  return {
    code: 'UNSTABLE',
    message: `${name} ${trend} across the run: ${values.map((v) => `${v} ms`).join(', ')} in its three thirds, ${pct(drift)} from their mean (tolerance ${pct(o.stabilityTolerance)}, perf_analyzer's stability rule)`,
    figure: round(drift, 4),
    limit: o.stabilityTolerance,
    values,
  };
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const pct = (f: number) => `${round(f * 100, 1)}%`;

/** One line for the terminal: `VALID`, or `INVALID — reason; reason`. */
export function validityLine(v: Validity): string {
  return v.valid ? 'VALID' : `INVALID — ${v.reasons.map((r) => `${r.code}: ${r.message}`).join('; ')}`;
}
