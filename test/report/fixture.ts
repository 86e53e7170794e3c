// Realistic Summaries for the reporter tests: N windows, a per-second timeline, HDR histograms built with the engine's
// own hist.ts from KNOWN latency values (so percentiles can be checked against a plain sort), a confusion matrix.
import { createHistogram, encodeHistogram, latencyStats, recordUs } from '../../src/stats/hist.js';
import { SCHEMA_VERSION } from '../../src/summary/types.js';
import type {
  ClassificationStats,
  LatencyStats,
  PhaseSummary,
  RequestCounts,
  Summary,
  ThresholdResult,
  TimelinePoint,
  WindowSummary,
} from '../../src/summary/types.js';

export const HOSTILE = `<script>alert(1)</script> "double" 'single' & amp; | pipe | \`tick\` *star* _under_ [link](http://x) </pre></details>`;
export const LONG_NAME = 'L'.repeat(5000);
/** Short hostile text: short strings take a different path than long ones in some renderers. */
export const SHORT_HOSTILE = '<b>x</b>|`&"';

/** Known latencies (µs): an exponential tail on a 2 ms floor, deterministic, n values. */
export function knownLatenciesUs(n = 10_000): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = (i + 0.5) / n;
    out.push(Math.round(1000 * (2 + 3 * -Math.log(1 - u))));
  }
  return out;
}

/** The value at percentile p (0..100) of a sorted list, by HdrHistogram's definition (the smallest value ≥ p%). */
export function exactPercentile(sortedUs: number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sortedUs.length));
  return sortedUs[Math.min(rank, sortedUs.length) - 1]!;
}

function histOf(valuesUs: number[]): { encoded: string; stats: LatencyStats } {
  const h = createHistogram();
  for (const v of valuesUs) recordUs(h, v);
  const out = { encoded: encodeHistogram(h), stats: latencyStats(h) };
  h.destroy();
  return out;
}

function wilson(ok: number, n: number): [number, number] {
  if (n === 0) return [0, 1];
  const z = 1.959964;
  const p = ok / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const m = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, c - m), Math.min(1, c + m)];
}

const counts = (sent: number, failures: Partial<RequestCounts> = {}): RequestCounts => {
  const f = { httpErrors: 0, timeouts: 0, connectionErrors: 0, badResponses: 0, dropped: 0, ...failures };
  const failed = f.httpErrors + f.timeouts + f.connectionErrors + f.badResponses;
  return { scheduled: sent + f.dropped, sent, ok: sent - failed, ...f };
};

export interface FixtureOptions {
  windows?: number;
  seconds?: number;
  labels?: string[];
  /** Put hostile strings in every field that comes from a scenario or a target. */
  hostile?: boolean;
  status?: Summary['run']['status'];
  thresholds?: ThresholdResult[];
  /** Leave out classification, windows' accuracy and the timeline (for "absent data" notes). */
  bare?: boolean;
}

export const DEFAULT_THRESHOLDS: ThresholdResult[] = [
  { expr: 'latency.p99 < 250ms', metric: 'latency.p99', op: '<', limit: 250, value: 0, pass: true, unit: 'ms' }, // value: the histogram's p99
  { expr: 'errors.rate < 1%', metric: 'errors.rate', op: '<', limit: 0.01, value: 0.0123, pass: false, unit: 'fraction' },
  { expr: 'accuracy >= 0.85', metric: 'accuracy', op: '>=', limit: 0.85, value: 0.8123, pass: false, unit: 'fraction' },
  { expr: 'rps >= 150', metric: 'rps', op: '>=', limit: 150, value: 196.2, pass: true, unit: 'rps' },
];

export function makeSummary(opts: FixtureOptions = {}): Summary {
  const nWindows = opts.windows ?? 60;
  const nSeconds = opts.seconds ?? 30;
  const hostile = opts.hostile ?? false;
  const h = (plain: string) => (hostile ? `${plain} ${HOSTILE}` : plain);
  const labels = opts.labels ?? (hostile ? [HOSTILE, SHORT_HOSTILE] : ['0', '1']);
  const latency = histOf(knownLatenciesUs());
  const service = histOf(knownLatenciesUs().map((v) => v * 0.8));

  const timeline: TimelinePoint[] = opts.bare
    ? []
    : Array.from({ length: nSeconds }, (_, t) => {
        const closed = t >= nSeconds - 5;
        const plannedRps = closed ? 0 : Math.round(100 + (200 * t) / (nSeconds - 5));
        const sent = closed ? 180 + (t % 3) * 10 : plannedRps - (t % 4);
        const pt: TimelinePoint = {
          t,
          plannedRps,
          sent,
          ok: 0,
          httpErrors: t % 7 === 3 ? 4 : 0,
          timeouts: t % 11 === 5 ? 2 : 0,
          connectionErrors: t === 17 ? 3 : 0,
          badResponses: t % 13 === 8 ? 1 : 0,
          dropped: t % 9 === 4 ? 5 : 0,
          p50Ms: t === 12 ? 0 : 4 + (t % 5) * 0.3,
          p99Ms: t === 12 ? 0 : 15 + (t % 6) * 1.7,
        };
        pt.ok = pt.sent - pt.httpErrors - pt.timeouts - pt.connectionErrors - pt.badResponses;
        return pt;
      });

  const perWindow = 100;
  const windows: WindowSummary[] = Array.from({ length: nWindows }, (_, i) => {
    // Accuracy decays over the run, with a dip every 17th window (so the worst windows are not simply the last).
    const acc = opts.bare ? undefined : 0.93 - (0.28 * i) / Math.max(1, nWindows - 1) - (i % 17 === 16 ? 0.2 : 0);
    const failures = i % 5 === 2 ? { httpErrors: 2, timeouts: 1 } : {};
    const req = counts(perWindow, failures);
    const scored = req.ok;
    const correct = acc === undefined ? 0 : Math.round(acc * scored);
    const w: WindowSummary = {
      index: i + 1,
      seqStart: i * perWindow,
      seqEnd: (i + 1) * perWindow,
      startAt: new Date(Date.UTC(2025, 0, 1, 12, 0, 0) + i * 500).toISOString(),
      endAt: new Date(Date.UTC(2025, 0, 1, 12, 0, 0) + (i + 1) * 500).toISOString(),
      startMs: i * 500,
      endMs: (i + 1) * 500,
      requests: req,
      rps: 200,
      latencyMs: { ...latency.stats, p99: latency.stats.p99 + (i % 7), count: perWindow },
      latencyHistogram: latency.encoded,
    };
    if (acc !== undefined) {
      w.accuracy = correct / scored;
      w.accuracyCi = wilson(correct, scored);
      w.scored = scored;
      w.drifted = w.accuracy < 0.84;
      const wrong = scored - correct;
      w.confusion = [
        [Math.ceil(correct / 2), Math.floor(wrong / 2)],
        [Math.ceil(wrong / 2), Math.floor(correct / 2)],
      ];
    }
    return w;
  });

  const total = counts(10_050, { httpErrors: 48, timeouts: 22, connectionErrors: 3, badResponses: 7, dropped: 25 });
  const classification: ClassificationStats = {
    n: 9_970,
    accuracy: 0.8123,
    accuracyCi: wilson(8_099, 9_970),
    classes: labels.map((label, i) => ({ label, precision: 0.8 + i / 100, recall: 0.79 + i / 100, f1: 0.795 + i / 100, support: 4_900 + i * 170 })),
    macro: { precision: 0.805, recall: 0.795, f1: 0.8 },
    micro: { precision: 0.8123, recall: 0.8123, f1: 0.8123 },
    positive: { label: labels[labels.length - 1]!, precision: 0.81, recall: 0.8, f1: 0.805 },
    confusion: labels.map((_, i) => labels.map((__, j) => (i === j ? 4_000 + i * 50 : 300 + i * 7 + j * 3))),
    labels,
    logLoss: 0.4123,
    rocAuc: 0.8891,
  };

  const phase = (index: number, kind: 'open' | 'closed', startedAtMs: number, endedAtMs: number): PhaseSummary => ({
    index,
    name: h(kind === 'open' ? `ramp ${index}` : 'closed loop'),
    kind,
    warmup: index === 0,
    ...(kind === 'open' ? { targetRate: 100, targetRampTo: index === 0 ? 100 : 300 } : { concurrency: 16 }),
    startedAtMs,
    endedAtMs,
    requests: counts(3_350, { httpErrors: 16, timeouts: 7 }),
    rps: 167.5,
    goodputRps: 165.2,
    ...(kind === 'open' ? { plannedRps: 170 } : {}),
    latencyMs: latency.stats,
    serviceTimeMs: service.stats,
    lagMs: { p50: 0.041, p99: 0.72, max: 3.1 },
    accuracy: 0.84 - index * 0.03,
  });

  return {
    schemaVersion: SCHEMA_VERSION,
    run: {
      id: '2025-01-01T12-00-00Z-telco-a1b2',
      name: hostile ? `${HOSTILE} ${LONG_NAME}` : 'telco-cell-tower',
      status: opts.status ?? 'completed',
      startedAt: '2025-01-01T12:00:00.000Z',
      endedAt: '2025-01-01T12:00:30.000Z',
      durationMs: nSeconds * 1000,
      target: hostile ? `http://127.0.0.1:8080/model?q=${HOSTILE}` : 'builtin:telco@v1 (http://127.0.0.1:41234/model)',
      protocol: 'cloudera',
      seed: 42,
      generatorSaturated: false,
      ...(opts.status === 'failed' ? { error: h('target went away') } : {}),
    },
    environment: {
      modelwave: '0.1.0',
      node: 'v20.20.2',
      platform: 'linux',
      arch: 'x64',
      cpus: 8,
      cpuModel: 'Test CPU @ 3.0GHz',
      hostname: h('ci-runner-7'),
      workers: 4,
    },
    scenario: {
      name: hostile ? HOSTILE : 'telco-cell-tower',
      target: { url: 'builtin:telco@v1', headers: { Authorization: '[redacted]' } },
      data: { fields: { [h('iot_signal_1')]: { int: [1, 10] } } },
      note: hostile ? '</pre><script>alert(2)</script>' : 'plain',
    },
    totals: {
      requests: total,
      errors: {
        byStatus: { '500': 40, '503': 8 },
        byCode: { HTTP_STATUS: 48, TIMEOUT: 22, ECONNREFUSED: 3, BAD_JSON: 7, IN_FLIGHT_CAP: 25, ...(hostile ? { [HOSTILE]: 1, [SHORT_HOSTILE]: 2 } : {}) },
        rate: (total.sent - total.ok) / total.sent,
      },
      rps: 196.2,
      goodputRps: 190.3,
      plannedRps: 200,
      latencyMs: latency.stats,
      serviceTimeMs: service.stats,
      lagMs: { p50: 0.041, p99: 0.72, max: 3.1 },
      latencyHistogram: latency.encoded,
      serviceTimeHistogram: service.encoded,
      ...(opts.bare ? {} : { accuracy: classification.accuracy, classification, quality: { rows: 9_970, scored: 9_960, unparsable: 10, failed: 80 } }),
    },
    phases: [phase(0, 'open', 0, 10_000), phase(1, 'open', 10_000, 25_000), phase(2, 'closed', 25_000, 30_000)],
    windows,
    thresholds: (opts.thresholds ?? DEFAULT_THRESHOLDS).map((t) => ({
      ...t,
      ...(t.metric === 'latency.p99' ? { value: latency.stats.p99 } : {}),
      ...(hostile ? { expr: `${t.expr} ${HOSTILE}` } : {}),
    })),
    ...(opts.bare
      ? {}
      : {
          drift: {
            detected: true,
            sentence: h('accuracy fell from 0.93 (window 1) to 0.65 (window 60)'),
            referenceWindows: [1, 2, 3],
            referenceAccuracy: 0.925,
            flaggedWindows: windows.filter((w) => w.drifted).map((w) => w.index),
            test: 'two-proportion z-test, alpha 0.01',
          },
        }),
    feedback: { url: h('http://127.0.0.1:8080/feedback'), posted: 99, failed: 1, retried: 2, labelsPosted: 9_900, labelsFailed: 100 },
    store: { kind: 'embedded', location: h('/tmp/modelwave/store'), storedRequests: 10_075, complete: true, ...(hostile ? { error: HOSTILE } : {}) },
    timeline,
  };
}
