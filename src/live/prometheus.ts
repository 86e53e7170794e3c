// `--prometheus HOST:PORT`: the run's figures in the Prometheus text exposition format on `/metrics`, read at scrape
// time from the accumulators (counters, latency histogram) and from the last live event (gauges). prom-client does the
// formatting and label escaping; the latency histogram is a custom collector whose buckets are counted from the HDR
// histograms the run already merges (no second recording of each request). Metric names: docs/live.md.
import { Counter, Gauge, Registry, type Metric } from 'prom-client';
import type { TargetAccumulator } from '../engine/main/accumulate.js';
import { bucketsOfEncoded, encodeHistogram } from '../stats/hist.js';
import { histRef } from '../engine/task.js';
import { OUTCOME_NAMES } from '../engine/types.js';
import type { Scenario } from '../spec/types.js';
import type { RequestCounts } from '../summary/types.js';
import type { LiveEvent, LiveWindowAccuracy } from './event.js';

/** Upper bounds (seconds) of the latency histogram's buckets: 1-2.5-5 steps from 0.5 ms to 60 s, then +Inf. */
export const LATENCY_BUCKETS_S = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
] as const;

/** Outcome label values, snake case as Prometheus labels usually are (index = Outcome code). */
const OUTCOME_LABEL: Record<(typeof OUTCOME_NAMES)[number], string> = {
  ok: 'ok',
  httpError: 'http_error',
  timeout: 'timeout',
  connectionError: 'connection_error',
  badResponse: 'bad_response',
  dropped: 'dropped',
};
const OUTCOME_FIELD: Record<(typeof OUTCOME_NAMES)[number], keyof RequestCounts> = {
  ok: 'ok',
  httpError: 'httpErrors',
  timeout: 'timeouts',
  connectionError: 'connectionErrors',
  badResponse: 'badResponses',
  dropped: 'dropped',
};

interface MetricsSource {
  /** Every target's accumulator (undefined before the first second). */
  accumulators(): readonly TargetAccumulator[] | undefined;
  /** The last live event (target 0), or null. */
  last(): LiveEvent | null;
  /** Set once the final event is out. */
  finished(): boolean;
  /** The last window closed so far (target 0), or undefined. */
  lastWindow(): LiveWindowAccuracy | undefined;
}

/** Target label values: `target` for a run, `baseline`/`candidate` for a comparison. */
const targetLabel = (i: number, n: number): string => (n === 1 ? 'target' : i === 0 ? 'baseline' : 'candidate');

interface HistValue {
  value: number;
  labels: Record<string, string | number>;
  metricName: string;
}

/**
 * `modelwave_request_latency_seconds`: cumulative bucket counts per target and measured phase, counted from the HDR
 * histogram of that phase (the one report.json's latency comes from). HDR buckets are 0.1% wide, so a value within
 * 0.1% of a bucket bound may land on either side of it.
 */
class LatencyHistogramCollector {
  readonly name = 'modelwave_request_latency_seconds';
  readonly help = 'Latency of completed requests (ok and failed) from the intended send time, seconds; warm-up phases excluded';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  constructor(
    private readonly s: Scenario,
    private readonly src: MetricsSource,
  ) {}

  get(): { name: string; help: string; type: string; aggregator: string; values: HistValue[] } {
    const values: HistValue[] = [];
    const accs = this.src.accumulators() ?? [];
    accs.forEach((acc, t) => {
      this.s.load.phases.forEach((p, i) => {
        if (p.warmup) return;
        const h = acc.hists.get(histRef.latency(i));
        const labels = { target: targetLabel(t, accs.length), phase: p.name };
        const counts = new Array<number>(LATENCY_BUCKETS_S.length).fill(0);
        let total = 0;
        let sumS = 0;
        if (h && h.totalCount > 0) {
          const { valuesMs, counts: c } = bucketsOfEncoded(encodeHistogram(h));
          for (let k = 0; k < valuesMs.length; k++) {
            const vS = valuesMs[k] / 1000;
            for (let b = 0; b < LATENCY_BUCKETS_S.length; b++) if (vS <= LATENCY_BUCKETS_S[b]) counts[b] += c[k];
            total += c[k];
            sumS += vS * c[k];
          }
        }
        LATENCY_BUCKETS_S.forEach((le, b) => values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le }, value: counts[b] }));
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: total });
        values.push({ metricName: `${this.name}_sum`, labels, value: Math.round(sumS * 1e6) / 1e6 });
        values.push({ metricName: `${this.name}_count`, labels, value: total });
      });
    });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

/** The registry of one run's metrics. `metrics()` renders the exposition text. */
export function runRegistry(s: Scenario, runId: string, src: MetricsSource): Registry {
  const reg = new Registry();
  const accs = () => src.accumulators() ?? [];
  new Gauge({
    name: 'modelwave_run_info',
    help: 'Always 1; labels name the run and the scenario',
    labelNames: ['run_id', 'scenario'],
    registers: [reg],
    collect() {
      this.set({ run_id: runId, scenario: s.name }, 1);
    },
  });
  new Counter({
    name: 'modelwave_requests_total',
    help: 'Requests by outcome, phase and target (dropped: scheduled but never sent); warm-up phases carry warmup="true"',
    labelNames: ['target', 'phase', 'outcome', 'warmup'],
    registers: [reg],
    collect() {
      this.reset();
      const list = accs();
      list.forEach((acc, t) =>
        s.load.phases.forEach((p, i) => {
          for (const o of OUTCOME_NAMES) {
            this.inc({ target: targetLabel(t, list.length), phase: p.name, outcome: OUTCOME_LABEL[o], warmup: String(p.warmup) }, acc.phases[i][OUTCOME_FIELD[o]] ?? 0);
          }
        }),
      );
    },
  });
  new Counter({
    name: 'modelwave_request_errors_total',
    help: 'Requests that were not ok, by error code (report.json totals.errors.byCode); warm-up phases excluded',
    labelNames: ['target', 'code'],
    registers: [reg],
    collect() {
      this.reset();
      const list = accs();
      list.forEach((acc, t) => {
        for (const [code, n] of acc.byCode) this.inc({ target: targetLabel(t, list.length), code }, n);
      });
    },
  });
  reg.registerMetric(new LatencyHistogramCollector(s, src) as unknown as Metric);

  const gauge = (name: string, help: string, read: (e: LiveEvent) => number | null | undefined, labelNames: string[] = [], labels: (e: LiveEvent) => Record<string, string> = () => ({})) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [reg],
      collect() {
        this.reset();
        const e = src.last();
        const v = e ? read(e) : undefined;
        if (e && v !== undefined && v !== null && Number.isFinite(v)) this.set(labels(e), v);
      },
    });
  gauge('modelwave_in_flight', 'Requests on the wire now', (e) => e.inFlight);
  gauge('modelwave_planned_rate_rps', 'The load plan\'s rate now, requests per second (0 in closed-loop phases)', (e) => e.rates.plannedRps);
  gauge('modelwave_achieved_rate_rps', 'Requests sent per second over the last second', (e) => e.rates.achievedRps);
  gauge('modelwave_successful_rate_rps', 'Ok responses per second over the last second', (e) => e.rates.successfulRps);
  gauge('modelwave_send_lag_max_seconds', 'Largest send lag (actual minus intended send time) over the last second', (e) => (e.lagMs ? e.lagMs.max / 1000 : null));
  gauge('modelwave_send_lag_mean_seconds', 'Mean send lag over the last second', (e) => (e.lagMs ? e.lagMs.mean / 1000 : null));
  gauge('modelwave_accuracy', 'Accuracy of every row scored so far (classification)', (e) => e.accuracy?.value);
  const win = () => ({ window: String(src.lastWindow()?.index ?? '') });
  gauge('modelwave_window_accuracy', 'Accuracy of the last closed window; the window label says which', () => src.lastWindow()?.accuracy, ['window'], win);
  gauge('modelwave_window_accuracy_ci_lower', 'Wilson 95% lower bound of the last closed window\'s accuracy', () => src.lastWindow()?.ci[0], ['window'], win);
  gauge('modelwave_window_accuracy_ci_upper', 'Wilson 95% upper bound of the last closed window\'s accuracy', () => src.lastWindow()?.ci[1], ['window'], win);
  gauge('modelwave_windows_closed', 'Windows closed so far', (e) => e.windowsClosed);
  gauge('modelwave_phase_index', 'Index of the phase running now; the phase label names it', (e) => e.phase?.index, ['phase'], (e) => ({ phase: e.phase?.name ?? '' }));
  gauge('modelwave_time_left_seconds', 'Seconds to the planned end of the run', (e) => e.timeLeftS);
  gauge('modelwave_feedback_labels_posted', 'Feedback labels posted so far', (e) => e.feedback?.labelsPosted);
  gauge('modelwave_run_finished', '1 once the run is over and these figures are final', () => (src.finished() ? 1 : 0));
  gauge('modelwave_run_passed', 'At the end: 1 every threshold held, 0 one failed or the run did not complete', (e) => (e.verdict ? (e.verdict.verdict === 'fail' ? 0 : 1) : null));
  new Gauge({
    name: 'modelwave_latency_recent_seconds',
    help: 'Latency percentiles (percentile label: 50, 90, 99, 99.9, 100) of the last second\'s successful requests',
    labelNames: ['percentile'],
    registers: [reg],
    collect() {
      this.reset();
      const l = src.last()?.latencyMs;
      if (!l) return;
      for (const [q, v] of [['50', l.p50], ['90', l.p90], ['99', l.p99], ['99.9', l.p999], ['100', l.max]] as const) this.set({ percentile: q }, v / 1000);
    },
  });
  return reg;
}
