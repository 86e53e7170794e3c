// The main thread's accumulator for one target: request accounting, HDR histograms (recorded here from the records:
// latency from the intended send time, service time, lag), and reconciliation of every prediction with its label,
// per phase, per window and per second. A sink (sink.ts) fed batch by batch, with
// each request's window as the worker computed it; `summarize.ts` reads it.
import type { RequestCounts, ResponseSample } from '../../summary/types.js';
import { Confusion } from '../../quality/confusion.js';
import { RegressionAccumulator } from '../../quality/regression.js';
import { countOutcome, emptyCounts } from './counts.js';
import { HistogramStore } from './histstore.js';
import { bucketTopUs } from '../../stats/hist.js';
import { ERROR_CODES, OUT_OF_CLASS, Outcome, type RecordBatch } from '../types.js';
import { Correctness, ScoreBins } from './scores.js';

export interface WindowAcc {
  index: number;
  counts: RequestCounts;
  firstIntendedUs: number;
  lastReceivedUs: number;
  seqMin: number;
  seqMax: number;
  confusion?: Confusion;
  regression?: RegressionAccumulator;
  scored: number;
}

export interface SecondAcc {
  counts: RequestCounts;
}

export interface QualityConfig {
  task: 'classification' | 'regression' | 'none';
  classes: number; // number of classes
  labels: string[]; // class values as strings (index = class code)
  positive: number; // positive class index (binary)
  /** How a prediction outside the classes is scored (spec/classes.ts). */
  outOfClass: 'wrong' | 'exclude';
}

/** Per-row correctness and latency samples (successful requests, as `latencyMs` in the summary), kept only when a comparison needs them. */
export interface Samples {
  /** Row key seq·k + j → 1 correct, 0 wrong, 255 not scored. */
  correct: Correctness;
  latencyMs: number[];
  /** Intended send time (ms since run start) of each latencyMs value: compare resamples latency in time blocks. */
  atMs: number[];
  errors: number;
  sent: number;
}

export class TargetAccumulator {
  readonly total = emptyCounts();
  readonly phases: RequestCounts[];
  readonly windows = new Map<number, WindowAcc>();
  readonly seconds = new Map<number, SecondAcc>();
  readonly byStatus = new Map<number, number>();
  readonly byCode = new Map<string, number>();
  /** Per phase: requests sent again on a fresh connection after a stale keep-alive connection failed (http.ts). */
  readonly staleRetries: number[];
  /** Latency, service time and lag histograms, recorded from the records (memory bounded: see histstore.ts). */
  readonly hists = new HistogramStore();
  readonly confusion?: Confusion;
  /** Per phase (warm-up phases included, so their accuracy is visible even though totals exclude them). */
  readonly phaseConfusion: (Confusion | undefined)[];
  readonly regression?: RegressionAccumulator;
  readonly scores = new ScoreBins();
  rows = 0;
  scored = 0;
  /** Rows of ok responses by READ_AS code (none, value, probability, argmax). */
  readonly readAs = [0, 0, 0, 0];
  /** The first response of each kind that could not be used (see ResponseSample). */
  readonly responseSamples: ResponseSample[] = [];
  unparsable = 0;
  /** Rows of ok responses answered outside the label's classes (scored as wrong unless label.outOfClass: exclude). */
  outOfClass = 0;
  /** A few distinct such answers (JSON text), for the report. */
  readonly outOfClassExamples: string[] = [];
  failedRows = 0;
  firstSentUs = Infinity;
  lastReceivedUs = 0;
  samples?: Samples;

  constructor(
    private readonly phaseWarmup: boolean[],
    readonly quality: QualityConfig,
    keepSamples: boolean,
  ) {
    this.phases = phaseWarmup.map(() => emptyCounts());
    this.staleRetries = phaseWarmup.map(() => 0);
    this.phaseConfusion = phaseWarmup.map(() => (quality.task === 'classification' ? new Confusion(quality.classes) : undefined));
    if (quality.task === 'classification') this.confusion = new Confusion(quality.classes);
    if (quality.task === 'regression') this.regression = new RegressionAccumulator();
    if (keepSamples) this.samples = { correct: new Correctness(), latencyMs: [], atMs: [], errors: 0, sent: 0 };
  }

  /** Account for every request of a batch of this target's records. */
  addBatch(b: RecordBatch): void {
    for (let i = 0; i < b.count; i++) this.add(b, i);
  }

  /** Account for request i of a batch of this target's records. */
  add(b: RecordBatch, i: number): void {
    const outcome = b.outcome[i];
    const p = b.phase[i];
    const seq = b.seq[i];
    const intendedUs = b.intendedUs[i];
    countOutcome(this.phases[p], outcome);
    const sec = Math.floor(intendedUs / 1e6);
    let s = this.seconds.get(sec);
    if (!s) this.seconds.set(sec, (s = { counts: emptyCounts() }));
    countOutcome(s.counts, outcome);
    const warmup = this.phaseWarmup[p];
    if (outcome !== Outcome.dropped) {
      const sentUs = b.sentUs[i];
      const receivedUs = b.receivedUs[i];
      this.hists.record(p, warmup, b.window[i], sec, outcome === Outcome.ok, receivedUs - intendedUs, receivedUs - sentUs, sentUs - intendedUs);
    }
    if (warmup) {
      this.reconcilePhaseOnly(b, i, outcome, p);
      return;
    }

    countOutcome(this.total, outcome);
    if (outcome !== Outcome.ok) {
      const code = ERROR_CODES[b.errorCode[i]] ?? 'UNKNOWN';
      this.byCode.set(code, (this.byCode.get(code) ?? 0) + 1);
      if (outcome === Outcome.httpError) this.byStatus.set(b.status[i], (this.byStatus.get(b.status[i]) ?? 0) + 1);
    }
    if (outcome !== Outcome.dropped) {
      if (b.sentUs[i] < this.firstSentUs) this.firstSentUs = b.sentUs[i];
      if (b.receivedUs[i] > this.lastReceivedUs) this.lastReceivedUs = b.receivedUs[i];
    }
    const wi = b.window[i];
    let w = this.windows.get(wi);
    if (!w) {
      w = { index: wi, counts: emptyCounts(), firstIntendedUs: Infinity, lastReceivedUs: 0, seqMin: Infinity, seqMax: -1, scored: 0 };
      if (this.confusion) w.confusion = new Confusion(this.quality.classes);
      if (this.regression) w.regression = new RegressionAccumulator();
      this.windows.set(wi, w);
    }
    countOutcome(w.counts, outcome);
    if (intendedUs < w.firstIntendedUs) w.firstIntendedUs = intendedUs;
    const endUs = outcome === Outcome.dropped ? intendedUs : b.receivedUs[i];
    if (endUs > w.lastReceivedUs) w.lastReceivedUs = endUs;
    if (seq < w.seqMin) w.seqMin = seq;
    if (seq > w.seqMax) w.seqMax = seq;

    const smp = this.samples;
    if (smp && outcome !== Outcome.dropped) {
      smp.sent++;
      if (outcome !== Outcome.ok) smp.errors++;
      else {
        // The histogram's value for it (bucket top): compare's quantiles then equal report.json's percentiles.
        smp.latencyMs.push(bucketTopUs(b.receivedUs[i] - intendedUs) / 1000);
        smp.atMs.push(intendedUs / 1000);
      }
    }
    this.reconcile(b, i, outcome, w, p);
  }

  private reconcilePhaseOnly(b: RecordBatch, i: number, outcome: number, p: number): void {
    const pc = this.phaseConfusion[p];
    if (!pc || outcome !== Outcome.ok) return;
    const k = b.rowsPerRequest;
    for (let j = 0; j < k; j++) {
      const pred = b.prediction[i * k + j];
      const label = b.label[i * k + j];
      if (Number.isNaN(pred) || Number.isNaN(label)) continue;
      if (pred !== OUT_OF_CLASS) pc.add(label, pred);
      else if (this.quality.outOfClass === 'wrong') pc.addOutOfClass(label);
    }
  }

  /** Keep up to 5 distinct answers outside the classes (workers send their first few). */
  addOutOfClassExample(value: string): void {
    if (this.outOfClassExamples.length < 5 && !this.outOfClassExamples.includes(value)) this.outOfClassExamples.push(value);
  }

  /**
   * Score every row of an ok response against its label; failed and unparsable rows (no label, no prediction) are
   * counted, never scored. A classification answer outside the classes is counted and scored as wrong, or, with
   * label.outOfClass: exclude, only counted.
   */
  private reconcile(b: RecordBatch, i: number, outcome: number, w: WindowAcc, p: number): void {
    const k = b.rowsPerRequest;
    if (this.quality.task === 'none') return;
    for (let j = 0; j < k; j++) {
      const r = i * k + j;
      const label = b.label[r];
      const rowKey = b.seq[i] * k + j;
      if (outcome !== Outcome.ok) {
        this.failedRows++;
        this.samples?.correct.set(rowKey, 255);
        continue;
      }
      this.rows++;
      this.readAs[b.readAs[r]!]!++;
      const pred = b.prediction[r];
      if (Number.isNaN(pred) || Number.isNaN(label)) {
        this.unparsable++;
        this.samples?.correct.set(rowKey, 255);
        continue;
      }
      if (this.confusion && w.confusion && pred === OUT_OF_CLASS) {
        this.outOfClass++;
        if (this.quality.outOfClass === 'exclude') {
          this.samples?.correct.set(rowKey, 255);
          continue;
        }
        this.scored++;
        w.scored++;
        this.confusion.addOutOfClass(label);
        w.confusion.addOutOfClass(label);
        this.phaseConfusion[p]?.addOutOfClass(label);
        this.samples?.correct.set(rowKey, 0);
        continue;
      }
      this.scored++;
      w.scored++;
      if (this.confusion && w.confusion) {
        this.confusion.add(label, pred);
        w.confusion.add(label, pred);
        this.phaseConfusion[p]?.add(label, pred);
        this.samples?.correct.set(rowKey, label === pred ? 1 : 0);
        const prob = b.probability[r];
        if (!Number.isNaN(prob)) this.scores.add(prob, label === this.quality.positive);
      } else if (this.regression && w.regression) {
        this.regression.add(label, pred);
        w.regression.add(label, pred);
      }
    }
  }

  /** Keep the first sample of each kind (workers send at most one each; the earliest to arrive wins). */
  addSample(s: ResponseSample): void {
    if (!this.responseSamples.some((x) => x.kind === s.kind)) this.responseSamples.push(s);
  }

  destroy(): void {
    this.hists.destroy();
  }
}
