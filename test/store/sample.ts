// A complete, typed Summary and its windows for store tests (values are arbitrary but consistent).
import { SCHEMA_VERSION, type LatencyStats, type Summary, type WindowSummary } from '../../src/summary/types.js';
import type { RunMeta } from '../../src/store/types.js';
import { createHistogram, encodeHistogram, recordUs } from '../../src/stats/hist.js';

/** A real encoded histogram (report writers decode them). */
function histogram(baseUs: number): string {
  const h = createHistogram();
  for (let i = 0; i < 1000; i++) recordUs(h, baseUs + (i % 200) * 10);
  return encodeHistogram(h);
}

const latency = (p50: number): LatencyStats => ({
  p50, p90: p50 * 1.5, p95: p50 * 1.8, p99: p50 * 2.5, p999: p50 * 3, max: p50 * 4, min: p50 / 2, mean: p50 * 1.1, count: 1000,
});

export function sampleWindows(n: number, perWindow = 1000, epochMs = Date.UTC(2025, 0, 2, 3, 4, 5)): WindowSummary[] {
  return Array.from({ length: n }, (_, i) => ({
    index: i,
    seqStart: i * perWindow,
    seqEnd: (i + 1) * perWindow,
    startAt: new Date(epochMs + i * 200).toISOString(),
    endAt: new Date(epochMs + (i + 1) * 200).toISOString(),
    startMs: i * 200,
    endMs: (i + 1) * 200,
    requests: { scheduled: perWindow, sent: perWindow - 20, ok: perWindow - 70, httpErrors: 50, timeouts: 0, connectionErrors: 0, badResponses: 0, dropped: 20 },
    rps: 5000,
    latencyMs: latency(1 + i / 10),
    accuracy: 0.9 - i / 100,
    accuracyCi: [0.88 - i / 100, 0.92 - i / 100],
    scored: perWindow - 70,
    drifted: i > 5,
    confusion: [[400, 30], [40, 460 - i]],
    latencyHistogram: histogram(1000 + i * 100),
  }));
}

export function sampleMeta(id: string, name = 'store-test'): RunMeta {
  return {
    id,
    name,
    scenario: { name, target: { url: 'http://127.0.0.1:1/model', headers: { Authorization: 'Bearer SECRET-TOKEN' } } },
    environment: { modelwave: '0.1.0', node: process.version, platform: process.platform },
    startedAt: new Date(Date.UTC(2025, 0, 2, 3, 4, 5)).toISOString(),
  };
}

export function sampleSummary(id: string, requests: number, windows: WindowSummary[], name = 'store-test'): Summary {
  const dropped = Math.floor(requests / 50);
  const sent = requests - dropped;
  const httpErrors = Math.floor(requests / 20);
  return {
    schemaVersion: SCHEMA_VERSION,
    run: {
      id, name, status: 'completed', startedAt: sampleMeta(id).startedAt, endedAt: new Date(Date.UTC(2025, 0, 2, 3, 5, 5)).toISOString(),
      durationMs: 60_000, target: 'http://127.0.0.1:1/model', protocol: 'cloudera', seed: 42, generatorSaturated: false,
    },
    environment: { modelwave: '0.1.0', node: process.version, platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'test', hostname: 'h', workers: 1 },
    scenario: sampleMeta(id, name).scenario,
    totals: {
      requests: { scheduled: requests, sent, ok: sent - httpErrors, httpErrors, timeouts: 0, connectionErrors: 0, badResponses: 0, dropped },
      errors: { byStatus: { '500': httpErrors }, byCode: { HTTP_STATUS: httpErrors, IN_FLIGHT_CAP: dropped }, rate: httpErrors / sent },
      rps: 1666.7,
      goodputRps: 1583.3,
      latencyMs: latency(1.2),
      serviceTimeMs: latency(1.1),
      lagMs: { p50: 0.01, p99: 0.2, max: 1 },
      latencyHistogram: histogram(1200),
      serviceTimeHistogram: histogram(1100),
      accuracy: 0.8765,
    },
    phases: [],
    windows,
    thresholds: [{ expr: 'latency.p99 < 250ms', metric: 'latency.p99', op: '<', limit: 250, value: 3, pass: true, unit: 'ms' }],
    // Every record stored: a summary that says otherwise makes the stored run `incomplete` (tested on its own).
    store: { kind: 'embedded', location: 'x', storedRequests: requests, complete: true },
    timeline: [],
  };
}
