// Build the versioned Summary (report.json) from a target's accumulator. Pure with respect to its inputs.
import os from 'node:os';
import type { Scenario } from '../../spec/types.js';
import type { EnvironmentInfo, LatencyPopulations, PhaseSummary, Summary, TimelinePoint, WindowSummary } from '../../summary/types.js';
import { SCHEMA_VERSION } from '../../summary/types.js';
import { classificationStats } from '../../quality/classification.js';
import { wilson } from '../../quality/wilson.js';
import { detectDrift } from '../../quality/drift.js';
import { plannedArrivals, plannedRateAt, type LoadPlan } from '../../schedule/plan.js';
import { VERSION } from '../../version.js';
import type { TargetAccumulator } from './accumulate.js';
import { createHistogram, encodeHistogram, latencyStats, type Histogram } from '../../stats/hist.js';
import { histRef, type HistRef } from '../task.js';
import { addCounts, emptyCounts } from './counts.js';

export interface PhaseTiming {
  startUs: number;
  endUs: number;
}

export interface RunMeta {
  id: string;
  status: Summary['run']['status'];
  startedAtMs: number; // wall clock of t = 0
  endedAtMs: number;
  target: string;
  workers: number;
  phaseTimings: PhaseTiming[];
  /** The load plan the run followed (schedule/plan.ts): planned rates come from it. */
  plan: LoadPlan;
  maxLagP99Ms: number;
  error?: string;
  /** Things the user must know about how the run was made (e.g. TLS verification off). */
  warnings?: string[];
  comparisonId?: string;
  role?: 'baseline' | 'candidate';
}

export function environment(workers: number): EnvironmentInfo {
  const cpus = os.cpus();
  return {
    modelwave: VERSION,
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    hostname: os.hostname(),
    workers,
  };
}

const round = (x: number, d = 3) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : 0);
const iso = (epochWallMs: number, us: number) => new Date(epochWallMs + us / 1000).toISOString();

/** Merge the histograms `refs` name into a new histogram (caller destroys). */
function mergedHist(acc: TargetAccumulator, refs: HistRef[]): Histogram {
  const out = createHistogram();
  for (const k of refs) {
    const h = acc.hists.get(k);
    if (h) out.add(h);
  }
  return out;
}

/**
 * The three latency populations of a histogram pair (successful, failed); `all` is their sum, built in `scratch`
 * (reset first) — the successful figures themselves when nothing failed. Reads `ok` before `failed`: a series
 * histogram from the store is valid only until the next read. `okEncoded`: the successful histogram's encoding (the
 * store's own when it keeps one, so a compressed window is not encoded twice).
 */
function populations(acc: TargetAccumulator, okRef: HistRef, failedRef: HistRef, scratch: Histogram): LatencyPopulations & { okEncoded?: string } {
  scratch.reset();
  const ok = acc.hists.get(okRef);
  const latencyMs = latencyStats(ok ?? emptyHist());
  const okEncoded = ok ? (acc.hists.encodedOf(okRef) ?? encodeHistogram(ok)) : undefined;
  const withEncoding = okEncoded !== undefined ? { okEncoded } : {};
  if (ok) scratch.add(ok);
  const failed = acc.hists.get(failedRef);
  if (!failed) return { latencyMs, latencyFailedMs: latencyStats(emptyHist()), latencyAllMs: { ...latencyMs }, ...withEncoding };
  const latencyFailedMs = latencyStats(failed);
  scratch.add(failed);
  return { latencyMs, latencyFailedMs, latencyAllMs: latencyStats(scratch), ...withEncoding };
}

export function summarize(s: Scenario, acc: TargetAccumulator, meta: RunMeta): Summary {
  const phases = s.load.phases;
  const measured = phases.map((p, i) => (p.warmup ? -1 : i)).filter((i) => i >= 0);
  const lat = mergedHist(acc, measured.map(histRef.latency));
  const latFailed = mergedHist(acc, measured.map(histRef.latencyFailed));
  const latAll = mergedHist(acc, [...measured.map(histRef.latency), ...measured.map(histRef.latencyFailed)]);
  const svc = mergedHist(acc, measured.map(histRef.service));
  const lag = mergedHist(acc, measured.map(histRef.lag));
  const lagStats = latencyStats(lag);

  const measuredUs = measured.reduce((a, i) => a + (meta.phaseTimings[i].endUs - meta.phaseTimings[i].startUs), 0);
  const perS = (n: number) => (measuredUs > 0 ? round(n / (measuredUs / 1e6), 2) : 0);
  const rps = perS(acc.total.sent);
  const goodputRps = perS(acc.total.ok);
  // The plan's rate over the time that ran (not scheduled ÷ time, which any run meets): an interrupted ramp is held
  // against the part of the ramp it reached; a Poisson phase against its expected, not its drawn, arrivals.
  const planned = measured.map((i) => plannedOver(meta, i));
  const plannedRps = measuredUs > 0 && measured.length > 0 && planned.every((x) => x !== undefined) ? perS(planned.reduce((a, b) => a + b!, 0)) : undefined;

  const scratch = createHistogram();
  const phaseSummaries: PhaseSummary[] = phases.map((p, i) => {
    const t = meta.phaseTimings[i];
    const h = (k: HistRef) => acc.hists.get(k);
    const ls = (k: HistRef) => latencyStats(h(k) ?? emptyHist());
    const durS = Math.max(1e-9, (t.endUs - t.startUs) / 1e6);
    const lg = ls(histRef.lag(i));
    const pc = acc.phaseConfusion[i];
    const { latencyMs, latencyFailedMs, latencyAllMs } = populations(acc, histRef.latency(i), histRef.latencyFailed(i), scratch);
    return {
      index: i,
      name: p.name,
      kind: p.kind,
      warmup: p.warmup,
      ...(p.kind === 'open' ? { targetRate: p.rate, ...(p.rampTo !== undefined ? { targetRampTo: p.rampTo } : {}) } : { concurrency: p.concurrency }),
      startedAtMs: round(t.startUs / 1000),
      endedAtMs: round(t.endUs / 1000),
      requests: { ...acc.phases[i], retriedOnStaleConnection: acc.staleRetries[i] },
      rps: round(acc.phases[i].sent / durS, 2),
      goodputRps: round(acc.phases[i].ok / durS, 2),
      ...(p.kind === 'open' && t.endUs > t.startUs && { plannedRps: round(plannedOver(meta, i)! / durS, 2) }),
      latencyMs,
      latencyFailedMs,
      latencyAllMs,
      serviceTimeMs: ls(histRef.service(i)),
      lagMs: { p50: lg.p50, p99: lg.p99, max: lg.max },
      ...(pc && pc.total() > 0 ? { accuracy: round(pc.correct() / pc.total(), 6) } : {}),
    };
  });

  const windows = windowSummaries(s, acc, meta, scratch);
  scratch.destroy();
  const quality = qualityTotals(acc);
  const drift =
    quality.classification && windows.length > 1
      ? detectDrift(windows.filter((w) => (w.scored ?? 0) > 0).map((w) => ({ index: w.index, correct: Math.round((w.accuracy ?? 0) * (w.scored ?? 0)), n: w.scored ?? 0 })))
      : undefined;
  if (drift) for (const w of windows) w.drifted = drift.flaggedWindows.includes(w.index);

  const errorsRate = acc.total.sent > 0 ? (acc.total.sent - acc.total.ok) / acc.total.sent : 0;
  const saturated = lagStats.count > 0 && lagStats.p99 > meta.maxLagP99Ms;
  const saturationReason = saturated ? saturationSentence(lagStats.p99, meta.maxLagP99Ms, rps, plannedRps) : undefined;
  const summary: Summary = {
    schemaVersion: SCHEMA_VERSION,
    run: {
      id: meta.id,
      name: s.name,
      status: meta.status,
      startedAt: new Date(meta.startedAtMs).toISOString(),
      endedAt: new Date(meta.endedAtMs).toISOString(),
      durationMs: Math.round(meta.endedAtMs - meta.startedAtMs),
      target: meta.target,
      protocol: s.target.protocol,
      seed: s.seed,
      generatorSaturated: saturated,
      ...(saturationReason ? { saturationReason } : {}),
      ...(meta.comparisonId ? { comparisonId: meta.comparisonId, role: meta.role } : {}),
      ...(meta.error ? { error: meta.error } : {}),
      ...(meta.warnings?.length ? { warnings: meta.warnings } : {}),
    },
    environment: environment(meta.workers),
    scenario: s.redacted,
    totals: {
      requests: { ...acc.total, retriedOnStaleConnection: measured.reduce((n, i) => n + acc.staleRetries[i], 0) },
      errors: {
        byStatus: Object.fromEntries([...acc.byStatus].sort((a, b) => a[0] - b[0]).map(([k, v]) => [String(k), v])),
        byCode: Object.fromEntries([...acc.byCode].sort((a, b) => b[1] - a[1])),
        rate: round(errorsRate, 6),
        ...(acc.responseSamples.length > 0 && { samples: acc.responseSamples.map((x) => ({ ...x })) }),
      },
      rps,
      goodputRps,
      ...(plannedRps !== undefined ? { plannedRps } : {}),
      latencyMs: latencyStats(lat),
      latencyFailedMs: latencyStats(latFailed),
      latencyAllMs: latencyStats(latAll),
      serviceTimeMs: latencyStats(svc),
      lagMs: { p50: lagStats.p50, p99: lagStats.p99, max: lagStats.max },
      latencyHistogram: encodeHistogram(lat),
      latencyFailedHistogram: encodeHistogram(latFailed),
      serviceTimeHistogram: encodeHistogram(svc),
      ...quality,
    },
    phases: phaseSummaries,
    windows,
    thresholds: [],
    ...(drift ? { drift } : {}),
    timeline: timeline(acc, meta),
  };
  lat.destroy();
  latFailed.destroy();
  latAll.destroy();
  svc.destroy();
  lag.destroy();
  return summary;
}

/** Below this share of the planned rate the achieved rate counts as short of the plan (materially, not by noise). */
export const RATE_SHORT_OF_PLAN = 0.95;

/**
 * Why the run is flagged saturated (send lag p99 above the bound), in one sentence with the figures. It says the
 * achieved rate fell short only when it did: below RATE_SHORT_OF_PLAN of the planned rate.
 */
export function saturationSentence(lagP99Ms: number, boundMs: number, rps: number, plannedRps: number | undefined): string {
  const lag = `send lag p99 ${lagP99Ms} ms exceeds ${boundMs} ms`;
  if (plannedRps === undefined || !(plannedRps > 0)) return `${lag}: requests left later than intended (latency counts from the intended send time, so it includes the delay)`;
  const share = `${((rps / plannedRps) * 100).toFixed(1)}% of the planned ${plannedRps} rps`;
  if (rps < RATE_SHORT_OF_PLAN * plannedRps) return `${lag} and the achieved rate is ${rps} rps, ${share}: the generator could not keep the schedule, so the achieved rate is below the plan`;
  return `${lag}: requests left later than intended, though the achieved rate kept to the plan (${rps} rps, ${share}); latency counts from the intended send time, so it includes the delay`;
}

/** The plan's arrivals over the span phase `i` ran (undefined for a closed phase). */
function plannedOver(meta: RunMeta, i: number): number | undefined {
  const p = meta.plan.phases[i];
  const t = meta.phaseTimings[i];
  return p.kind === 'open' ? plannedArrivals(p, Math.max(0, t.endUs - t.startUs) / 1000) : undefined;
}

let empty: Histogram | null = null;
function emptyHist(): Histogram {
  return (empty ??= createHistogram());
}

function qualityTotals(acc: TargetAccumulator): Partial<Summary['totals']> {
  const out: Partial<Summary['totals']> = {};
  if (acc.quality.task === 'none') return out;
  const [, value, probability, argmax] = acc.readAs;
  out.quality = {
    rows: acc.rows,
    scored: acc.scored,
    unparsable: acc.unparsable,
    failed: acc.failedRows,
    ...(acc.confusion && {
      outOfClass: acc.outOfClass,
      outOfClassExamples: [...acc.outOfClassExamples],
      outOfClassPolicy: acc.quality.outOfClass,
    }),
    predictionsReadAs: { class: value!, probability: probability!, argmax: argmax! },
  };
  if (acc.confusion) {
    const labels = acc.quality.labels;
    const cls = classificationStats(acc.confusion.toMatrix(), labels, {
      positive: labels.length === 2 ? acc.quality.positive : undefined,
      outOfClass: acc.confusion.outOfClass(),
    });
    // Scores were kept as counts per value (bounded memory); log loss and AUC come from there.
    const logLoss = acc.scores.logLoss();
    const rocAuc = acc.scores.rocAuc();
    if (logLoss !== undefined) cls.logLoss = logLoss;
    if (rocAuc !== undefined) cls.rocAuc = rocAuc;
    out.classification = cls;
    out.accuracy = cls.accuracy;
  }
  if (acc.regression) out.regression = acc.regression.stats();
  return out;
}

function windowSummaries(s: Scenario, acc: TargetAccumulator, meta: RunMeta, scratch: Histogram): WindowSummary[] {
  const out: WindowSummary[] = [];
  for (const w of [...acc.windows.values()].sort((a, b) => a.index - b.index)) {
    const { okEncoded, ...lat } = populations(acc, histRef.window(w.index), histRef.windowFailed(w.index), scratch);
    const durS = Math.max(1e-6, (w.lastReceivedUs - w.firstIntendedUs) / 1e6);
    const ws: WindowSummary = {
      index: w.index,
      // The sequence numbers the window holds: the nominal bounds, except where the run began (after a warm-up,
      // whose requests are in no window) or ended inside it. Every scheduled request, sent or dropped, is accounted
      // in its window, so seqMin/seqMax are those bounds.
      ...(s.windows.kind === 'count'
        ? { seqStart: Math.max(w.index * s.windows.every, w.seqMin), seqEnd: Math.min((w.index + 1) * s.windows.every, w.seqMax + 1) }
        : {}),
      startAt: iso(meta.startedAtMs, w.firstIntendedUs),
      endAt: iso(meta.startedAtMs, w.lastReceivedUs),
      startMs: round(w.firstIntendedUs / 1000),
      endMs: round(w.lastReceivedUs / 1000),
      requests: w.counts,
      rps: round(w.counts.sent / durS, 2),
      ...lat,
      scored: w.scored,
    };
    if (okEncoded !== undefined) ws.latencyHistogram = okEncoded;
    if (w.confusion) {
      const m = w.confusion.toMatrix();
      const n = w.confusion.total();
      ws.confusion = m;
      if (n > 0) {
        const c = w.confusion.correct();
        ws.accuracy = round(c / n, 6);
        ws.accuracyCi = wilson(c, n).map((x) => round(x, 6)) as [number, number];
      }
    }
    if (w.regression && w.scored > 0) {
      const r = w.regression.stats();
      ws.rmse = r.rmse!; // scored > 0: measured
      ws.mae = r.mae!;
    }
    out.push(ws);
  }
  return out;
}

function timeline(acc: TargetAccumulator, meta: RunMeta): TimelinePoint[] {
  const secs = [...acc.seconds.keys()].sort((a, b) => a - b);
  if (secs.length === 0) return [];
  const spans = meta.phaseTimings.map((x) => ({ startMs: x.startUs / 1000, endMs: x.endUs / 1000 }));
  const out: TimelinePoint[] = [];
  for (let t = Math.max(0, secs[0]); t <= secs[secs.length - 1]; t++) {
    const c = acc.seconds.get(t)?.counts ?? emptyCounts();
    const h = acc.hists.get(histRef.second(t));
    const st = h ? latencyStats(h) : undefined;
    out.push({
      t,
      plannedRps: round(plannedRateAt(meta.plan, (t + 0.5) * 1000, spans), 2),
      sent: c.sent,
      ok: c.ok,
      httpErrors: c.httpErrors,
      timeouts: c.timeouts,
      connectionErrors: c.connectionErrors,
      badResponses: c.badResponses,
      dropped: c.dropped,
      p50Ms: st?.p50 ?? 0,
      p99Ms: st?.p99 ?? 0,
    });
  }
  return out;
}

/** Totals over several phases' counts (used by compare and tests). */
export function sumCounts(list: Summary['totals']['requests'][]): Summary['totals']['requests'] {
  const c = emptyCounts();
  for (const x of list) addCounts(c, x);
  return c;
}
