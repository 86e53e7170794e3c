// The answer from the probes: a pure function of the probe records and the highest passing probe's Summary.
import type { Summary, ThresholdResult } from '../summary/types.js';
import { bucketsOfEncoded } from '../stats/hist.js';
import { quantileOfMetric, plannedRps, measuredMs } from '../verdict/validity.js';
import { samplesAboveUpperBound, valueAtRank } from '../stats/quantile-bound.js';
import { KNEE_METHOD, kneeIndex } from './knee.js';
import type { Knee, ProbeRecord, SloBound } from './types.js';

/** A probe's record from its run's Summary and its verdict. */
export function probeRecord(index: number, level: number, s: Summary, verdict: ProbeRecord['verdict'], why: string, reportDir: string): ProbeRecord {
  const t = s.totals;
  const q = t.quality;
  const planned = plannedRps(s);
  const accuracy = t.accuracy ?? t.classification?.accuracy ?? undefined; // null: nothing scored
  // Every request whose answer was lost (failed rows) or unusable counts as wrong: does the model get less correct under load?
  const lost = q ? q.failed + q.unparsable : 0;
  const allRequests = accuracy !== undefined && q && q.scored + lost > 0 ? (accuracy * q.scored) / (q.scored + lost) : undefined;
  return {
    index,
    level,
    verdict,
    why,
    runId: s.run.id,
    reportDir,
    measuredMs: Math.round(measuredMs(s)),
    ...(planned !== undefined ? { plannedRps: planned } : {}),
    achievedRps: t.rps,
    latencyMs: { p50: t.latencyMs.p50, p90: t.latencyMs.p90, p99: t.latencyMs.p99, p999: t.latencyMs.p999, count: t.latencyMs.count },
    errorsRate: t.errors.rate,
    ...(accuracy !== undefined ? { accuracy } : {}),
    ...(allRequests !== undefined ? { accuracyAllRequests: Math.round(allRequests * 1e6) / 1e6 } : {}),
    slos: s.thresholds.map(({ expr, value, pass, limit, op, unit }) => ({ expr, value, pass, limit, op, unit })),
    validity: s.run.validity ?? { valid: true, reasons: [] },
  };
}

/** How far a failed threshold is from its limit (≥ 1 when failed): value/limit for upper limits, limit/value for lower. */
function severity(t: Pick<ThresholdResult, 'value' | 'limit' | 'op' | 'pass'>): number {
  if (t.pass) return 0;
  if (t.value === null) return Infinity;
  const lower = t.op === '<' || t.op === '<=';
  const [a, b] = lower ? [t.value, t.limit] : [t.limit, t.value];
  return b > 0 ? a / b : Infinity;
}

/**
 * The SLO that failed first: the worst one (value / limit) at the lowest failing probe where an SLO failed (a probe
 * may fail by over-saturation alone, every SLO still met; the next one up then names the SLO).
 */
export function bindingSlo(probes: readonly ProbeRecord[]): string | undefined {
  const failing = probes.filter((x) => x.verdict === 'fail' && x.slos.some((s) => !s.pass)).sort((a, b) => a.level - b.level)[0];
  return failing?.slos.filter((s) => !s.pass).sort((a, b) => severity(b) - severity(a))[0]?.expr;
}

/** The latency metric the curve is drawn with: the first latency-percentile SLO, else latency.p99. */
export function curveMetric(slos: readonly string[]): string {
  for (const e of slos) {
    const m = /^\s*(latency\.p\d+)\b/.exec(e);
    if (m) return m[1]!;
  }
  return 'latency.p99';
}

const pick = (p: ProbeRecord, metric: string): number => {
  const key = metric.replace('latency.', '') as keyof ProbeRecord['latencyMs'];
  return p.latencyMs[key] ?? p.latencyMs.p99;
};

export function kneeOf(probes: readonly ProbeRecord[], metric: string): Knee | undefined {
  const usable = probes.filter((p) => p.verdict === 'pass' || p.verdict === 'fail');
  const i = kneeIndex(usable.map((p) => ({ x: p.achievedRps, y: pick(p, metric) })));
  if (i === undefined) return undefined;
  const p = usable[i]!;
  return { rps: p.achievedRps, level: p.level, probe: p.index, metric, latencyMs: pick(p, metric), method: KNEE_METHOD };
}

/**
 * The SLOs at the highest passing probe, with the upper bound of each latency percentile at 99% confidence: the
 * (n − t)-th smallest latency, t the most samples MLPerf's early-stopping rule lets lie above it.
 */
export function sloBounds(s: Summary): SloBound[] {
  return s.thresholds.map((t) => {
    const q = quantileOfMetric(t.metric);
    const hist = t.metric.startsWith('service.') ? s.totals.serviceTimeHistogram : s.totals.latencyHistogram;
    const n = t.metric.startsWith('service.') ? s.totals.serviceTimeMs.count : s.totals.latencyMs.count;
    if (q === undefined || !hist || n === 0) return { expr: t.expr, value: t.value };
    const above = samplesAboveUpperBound(n, q);
    if (above < 0) return { expr: t.expr, value: t.value };
    const b = bucketsOfEncoded(hist);
    return { expr: t.expr, value: t.value, upperBound99: valueAtRank(b.valuesMs, b.counts, n - above) };
  });
}
