// Build the versioned Summary (report.json) from a target's accumulator. Pure with respect to its inputs.
import os from 'node:os';
import type { Scenario } from '../scenario/types.js';
import type { EnvironmentInfo, PhaseSummary, Summary, TimelinePoint, WindowSummary } from '../summary/types.js';
import { SCHEMA_VERSION } from '../summary/types.js';
import { classificationStats } from '../quality/classification.js';
import { wilson } from '../quality/wilson.js';
import { detectDrift } from '../quality/drift.js';
import { rateAt } from '../schedule/pacer.js';
import { VERSION } from '../version.js';
import type { TargetAccumulator } from './accumulate.js';
import { createHistogram, encodeHistogram, latencyStats, type Histogram } from './hist.js';
import { histKey } from './task.js';
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

/** Merge the histograms whose key matches into a new histogram (caller destroys). */
function mergedHist(acc: TargetAccumulator, keys: string[]): Histogram {
  const out = createHistogram();
  for (const k of keys) {
    const h = acc.hists.get(k);
    if (h) out.add(h);
  }
  return out;
}

export function summarize(s: Scenario, acc: TargetAccumulator, meta: RunMeta): Summary {
  const phases = s.load.phases;
  const measured = phases.map((p, i) => (p.warmup ? -1 : i)).filter((i) => i >= 0);
  const lat = mergedHist(acc, measured.map(histKey.latency));
  const svc = mergedHist(acc, measured.map(histKey.service));
  const lag = mergedHist(acc, measured.map(histKey.lag));
  const lagStats = latencyStats(lag);

  const measuredUs = measured.reduce((a, i) => a + (meta.phaseTimings[i].endUs - meta.phaseTimings[i].startUs), 0);
  const rps = measuredUs > 0 ? round(acc.total.sent / (measuredUs / 1e6), 2) : 0;
  const targetRps = measuredUs > 0 ? round(acc.total.scheduled / (measuredUs / 1e6), 2) : undefined;

  const phaseSummaries: PhaseSummary[] = phases.map((p, i) => {
    const t = meta.phaseTimings[i];
    const h = (k: string) => acc.hists.get(k);
    const ls = (k: string) => latencyStats(h(k) ?? emptyHist());
    const durS = Math.max(1e-9, (t.endUs - t.startUs) / 1e6);
    const lg = ls(histKey.lag(i));
    const pc = acc.phaseConfusion[i];
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
      latencyMs: ls(histKey.latency(i)),
      serviceTimeMs: ls(histKey.service(i)),
      lagMs: { p50: lg.p50, p99: lg.p99, max: lg.max },
      ...(pc && pc.total() > 0 ? { accuracy: round(pc.correct() / pc.total(), 6) } : {}),
    };
  });

  const windows = windowSummaries(s, acc, meta);
  const quality = qualityTotals(acc);
  const drift =
    quality.classification && windows.length > 1
      ? detectDrift(windows.filter((w) => (w.scored ?? 0) > 0).map((w) => ({ index: w.index, correct: Math.round((w.accuracy ?? 0) * (w.scored ?? 0)), n: w.scored ?? 0 })))
      : undefined;
  if (drift) for (const w of windows) w.drifted = drift.flaggedWindows.includes(w.index);

  const errorsRate = acc.total.sent > 0 ? (acc.total.sent - acc.total.ok) / acc.total.sent : 0;
  const saturated = lagStats.count > 0 && lagStats.p99 > meta.maxLagP99Ms;
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
      ...(saturated ? { saturationReason: `send lag p99 ${lagStats.p99} ms exceeds ${meta.maxLagP99Ms} ms: the generator could not keep the schedule, so the achieved rate is below target` } : {}),
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
      ...(targetRps !== undefined ? { targetRps } : {}),
      latencyMs: latencyStats(lat),
      serviceTimeMs: latencyStats(svc),
      lagMs: { p50: lagStats.p50, p99: lagStats.p99, max: lagStats.max },
      latencyHistogram: encodeHistogram(lat),
      serviceTimeHistogram: encodeHistogram(svc),
      ...quality,
    },
    phases: phaseSummaries,
    windows,
    thresholds: [],
    ...(drift ? { drift } : {}),
    timeline: timeline(s, acc, meta),
  };
  lat.destroy();
  svc.destroy();
  lag.destroy();
  return summary;
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

function windowSummaries(s: Scenario, acc: TargetAccumulator, meta: RunMeta): WindowSummary[] {
  const out: WindowSummary[] = [];
  for (const w of [...acc.windows.values()].sort((a, b) => a.index - b.index)) {
    const h = acc.hists.get(histKey.window(w.index));
    const durS = Math.max(1e-6, (w.lastReceivedUs - w.firstIntendedUs) / 1e6);
    const ws: WindowSummary = {
      index: w.index,
      ...(s.windows.kind === 'count' ? { seqStart: w.index * s.windows.every, seqEnd: (w.index + 1) * s.windows.every } : {}),
      startAt: iso(meta.startedAtMs, w.firstIntendedUs),
      endAt: iso(meta.startedAtMs, w.lastReceivedUs),
      startMs: round(w.firstIntendedUs / 1000),
      endMs: round(w.lastReceivedUs / 1000),
      requests: w.counts,
      rps: round(w.counts.sent / durS, 2),
      latencyMs: h ? latencyStats(h) : latencyStats(emptyHist()),
      scored: w.scored,
    };
    if (h) ws.latencyHistogram = encodeHistogram(h);
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

function timeline(s: Scenario, acc: TargetAccumulator, meta: RunMeta): TimelinePoint[] {
  const secs = [...acc.seconds.keys()].sort((a, b) => a - b);
  if (secs.length === 0) return [];
  const out: TimelinePoint[] = [];
  for (let t = Math.max(0, secs[0]); t <= secs[secs.length - 1]; t++) {
    const c = acc.seconds.get(t)?.counts ?? emptyCounts();
    const h = acc.hists.get(histKey.second(t));
    const st = h ? latencyStats(h) : undefined;
    out.push({
      t,
      targetRps: round(targetRateAt(s, meta, t + 0.5), 2),
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

/** Planned rate at t seconds into the run: the open-loop rate, or NaN-free 0 in closed-loop phases. */
function targetRateAt(s: Scenario, meta: RunMeta, tSec: number): number {
  const us = tSec * 1e6;
  for (let i = 0; i < s.load.phases.length; i++) {
    const t = meta.phaseTimings[i];
    const p = s.load.phases[i];
    if (us >= t.startUs && us < t.endUs) return p.kind === 'open' ? rateAt(p, (us - t.startUs) / 1e6) : 0;
  }
  return 0;
}

/** Totals over several phases' counts (used by compare and tests). */
export function sumCounts(list: Summary['totals']['requests'][]): Summary['totals']['requests'] {
  const c = emptyCounts();
  for (const x of list) addCounts(c, x);
  return c;
}
