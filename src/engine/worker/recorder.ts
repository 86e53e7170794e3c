// What a worker ships to the main thread: per target, the record of every finished or dropped request (columnar,
// engine/records.ts) with its window, the first unusable answer of each kind, a few answers outside the label's
// classes, and stale-connection retries. Flushed as one typed BatchMessage (task.ts) at least every `flushMs` and
// as soon as a record buffer fills. The main thread records the histograms from the records (main/histstore.ts):
// a worker neither records, encodes nor loads any (issue #19: that was ~1 µs per request at 5,000 req/s in the
// worker, as much again on the main thread to decode, and ~100 ms of WebAssembly start-up per worker).
// Hot path: recording a request writes its columns; no allocation.
import { RecordBuffer, transferList } from '../records.js';
import { Outcome } from '../types.js';
import { scrubSecrets } from '../../scenario/redact.js';
import { windowGrid, windowIndex, type WindowGrid } from '../windows.js';
import type { OutOfClassExample, StaleRetries, TargetBatch, TargetSample, WorkerMessage, WorkerTask } from '../task.js';
import type { RunState } from './shared.js';
import type { InFlight } from './slots.js';

/** Distinct answers outside the label's classes a worker keeps per target as examples for the report. */
const OUT_OF_CLASS_EXAMPLES = 5;
/** Kinds of response samples (bits of `sampled`). */
export const SAMPLED_BAD = 1;
export const SAMPLED_HTTP = 2;
/** Bytes of a response body kept in a sample for the report. */
const SAMPLE_BYTES = 200;
/** Rows a record buffer holds before it is shipped (4,096 requests of one row; fewer requests when each has many). */
const BUFFER_ROWS = 65_536;

export class Recorder {
  /** Per target: its requests' records (so a batch reaches the main thread split by target). */
  private readonly bufs: RecordBuffer[];
  private readonly windows: WindowGrid;
  private readonly phaseWarmup: boolean[];
  private readonly k: number;
  private readonly workerIndex: number;
  /** Per target: which response samples were taken (SAMPLED_* bits), and those not yet shipped. */
  private readonly sampled: number[];
  private readonly samples: TargetSample[] = [];
  private readonly outOfClassSeen: Set<string>[];
  private outOfClass: OutOfClassExample[] = [];
  /** Stale-connection retries since the last flush, by target and phase (rare: a list, not a table). */
  private staleRetries: StaleRetries[] = [];
  private lastFlushMs = 0;
  private flushTimer?: NodeJS.Timeout;

  constructor(
    private readonly t: WorkerTask,
    private readonly state: RunState,
    /** Per target: requests in flight (the exchange's counts, read at each flush). */
    private readonly inFlight: readonly number[],
    private readonly secrets: string[],
  ) {
    const s = t.scenario;
    this.k = s.target.rowsPerRequest;
    this.workerIndex = t.workerIndex;
    const capacity = Math.max(1, Math.min(4096, Math.floor(BUFFER_ROWS / this.k)));
    this.bufs = t.targets.map(() => new RecordBuffer(capacity, this.k));
    this.windows = windowGrid(s.windows);
    this.phaseWarmup = s.load.phases.map((p) => p.warmup);
    this.sampled = t.targets.map(() => 0);
    this.outOfClassSeen = t.targets.map(() => new Set<string>());
  }

  /** Flush every `flushMs` from now on (t = 0 of the run). */
  startFlushing(): void {
    this.lastFlushMs = 0;
    this.flushTimer = setInterval(() => {
      if (this.state.nowMs() - this.lastFlushMs >= this.t.flushMs * 0.9) this.flush();
    }, this.t.flushMs);
  }

  stopFlushing(): void {
    clearInterval(this.flushTimer);
  }

  /** A request of target `ti` that was never sent (in-flight cap, too late): its record, with its labels. */
  dropped(ti: number, seq: number, p: number, intendedUs: number, code: number, labels: Float64Array): void {
    const buf = this.bufs[ti];
    const i = buf.push(seq, ti, p, this.workerIndex, windowIndex(this.windows, seq, intendedUs), intendedUs, NaN, NaN, Outcome.dropped, 0, code, '');
    for (let j = 0; j < this.k; j++) buf.setLabel(i, j, labels[j]);
    if (buf.full) this.flush();
  }

  /**
   * A sent request's answer (or failure): its record, with per row the prediction, probability and how it was read
   * (`pred`, `prob`, `how`: k entries each).
   */
  answered(f: InFlight, outcome: number, code: number, uuid: string, pred: Float64Array, prob: Float64Array, how: Uint8Array): void {
    const ti = f.target;
    const { seq, phase: p, intendedUs, sentUs, receivedUs } = f;
    if (f.retried) this.countStaleRetry(ti, p);
    const window = windowIndex(this.windows, seq, intendedUs);
    const buf = this.bufs[ti];
    const i = buf.push(seq, ti, p, this.workerIndex, window, intendedUs, sentUs, receivedUs, outcome, f.status, code, uuid);
    for (let j = 0; j < this.k; j++) buf.setRow(i, j, pred[j], prob[j], f.labels[j], how[j]);
    if (buf.full) this.flush();
  }

  /**
   * Keep the first unusable response of a kind (per target) for the report: what was tried and the body's first
   * 200 bytes, secrets scrubbed. Once per kind, so a run of bad answers costs nothing after the first.
   */
  sample(ti: number, kind: number, status: number, code: string, message: string | undefined, body: string | null): void {
    if (this.sampled[ti]! & kind) return;
    this.sampled[ti]! |= kind;
    const head = Buffer.from(body ?? '', 'utf8').subarray(0, SAMPLE_BYTES).toString('utf8');
    this.samples.push({
      target: ti,
      kind: kind === SAMPLED_BAD ? 'badResponse' : 'httpError',
      status,
      code,
      ...(message !== undefined && { message: scrubSecrets(message, this.secrets) }),
      bodyHead: scrubSecrets(head, this.secrets),
    });
  }

  /**
   * An answer outside the classes (`v`, as the model gave it) in phase `p`: kept as an example, up to
   * OUT_OF_CLASS_EXAMPLES distinct ones per target (cheap once that many are kept). Measured phases only: a
   * warm-up's answers are not in the count they illustrate.
   */
  noteOutOfClass(ti: number, p: number, v: unknown): void {
    if (this.phaseWarmup[p]) return;
    const seen = this.outOfClassSeen[ti]!;
    if (seen.size >= OUT_OF_CLASS_EXAMPLES) return;
    const text = JSON.stringify(v) ?? String(v);
    const value = scrubSecrets(text.length > 60 ? `${text.slice(0, 59)}…` : text, this.secrets);
    if (seen.has(value)) return;
    seen.add(value);
    this.outOfClass.push({ target: ti, value });
  }

  private countStaleRetry(target: number, phase: number): void {
    const r = this.staleRetries.find((x) => x.target === target && x.phase === phase);
    if (r) r.count++;
    else this.staleRetries.push({ target, phase, count: 1 });
  }

  /** Ship the records (and samples, examples, retries) gathered since the last flush. */
  flush(): void {
    this.lastFlushMs = this.state.nowMs();
    const records: TargetBatch[] = [];
    const transfer: ArrayBuffer[] = [];
    this.bufs.forEach((buf, target) => {
      const batch = buf.take();
      if (!batch) return;
      records.push({ target, batch });
      transfer.push(...transferList(batch));
    });
    if (records.length === 0) return;
    const inFlight = this.inFlight.reduce((a, b) => a + b, 0);
    const samples = this.samples.length > 0 ? this.samples.splice(0) : undefined;
    const staleRetries = this.staleRetries.length ? this.staleRetries : undefined;
    this.staleRetries = [];
    const outOfClass = this.outOfClass.length ? this.outOfClass : undefined;
    if (outOfClass) this.outOfClass = [];
    this.post(
      { type: 'batch', records, inFlight, ...(samples && { samples }), ...(staleRetries && { staleRetries }), ...(outOfClass && { outOfClass }) },
      transfer,
    );
  }

  post(m: WorkerMessage, transfer: ArrayBuffer[] = []): void {
    this.t.port.postMessage(m, transfer);
  }
}
