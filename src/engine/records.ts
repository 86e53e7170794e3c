// Columnar record buffers on the worker side: preallocated, filled per request, transferred in one message. A worker
// keeps one per target, so a batch reaches the main thread already split by target (nothing there copies records).
import type { RecordBatch } from './types.js';

export class RecordBuffer {
  count = 0;
  private b: RecordBatch;

  constructor(
    readonly capacity: number,
    readonly rowsPerRequest: number,
  ) {
    this.b = RecordBuffer.allocate(capacity, rowsPerRequest);
  }

  static allocate(n: number, k: number): RecordBatch {
    return {
      count: 0,
      rowsPerRequest: k,
      seq: new Float64Array(n),
      target: new Uint8Array(n),
      phase: new Uint8Array(n),
      worker: new Uint8Array(n),
      window: new Int32Array(n),
      intendedUs: new Float64Array(n),
      sentUs: new Float64Array(n),
      receivedUs: new Float64Array(n),
      outcome: new Uint8Array(n),
      status: new Uint16Array(n),
      errorCode: new Uint8Array(n),
      prediction: new Float64Array(n * k).fill(NaN),
      probability: new Float64Array(n * k).fill(NaN),
      label: new Float64Array(n * k).fill(NaN),
      readAs: new Uint8Array(n * k),
      uuid: new Array<string>(n).fill(''),
    };
  }

  get full(): boolean {
    return this.count >= this.capacity;
  }

  /** Append a request; returns its index so per-row fields can be set with `setRow`. */
  push(
    seq: number,
    target: number,
    phase: number,
    worker: number,
    window: number,
    intendedUs: number,
    sentUs: number,
    receivedUs: number,
    outcome: number,
    status: number,
    errorCode: number,
    uuid: string,
  ): number {
    const i = this.count++;
    const b = this.b;
    b.seq[i] = seq;
    b.target[i] = target;
    b.phase[i] = phase;
    b.worker[i] = worker;
    b.window[i] = window;
    b.intendedUs[i] = intendedUs;
    b.sentUs[i] = sentUs;
    b.receivedUs[i] = receivedUs;
    b.outcome[i] = outcome;
    b.status[i] = status;
    b.errorCode[i] = errorCode;
    b.uuid[i] = uuid;
    return i;
  }

  setRow(i: number, j: number, prediction: number, probability: number, label: number, readAs = 0): void {
    const r = i * this.rowsPerRequest + j;
    this.b.prediction[r] = prediction;
    this.b.probability[r] = probability;
    this.b.label[r] = label;
    this.b.readAs[r] = readAs;
  }

  setLabel(i: number, j: number, label: number): void {
    this.b.label[i * this.rowsPerRequest + j] = label;
  }

  /** Hand the filled batch over (trimmed) and start a fresh one. */
  take(): RecordBatch | null {
    if (this.count === 0) return null;
    const n = this.count;
    const k = this.rowsPerRequest;
    const b = this.b;
    const out: RecordBatch = {
      count: n,
      rowsPerRequest: k,
      seq: b.seq.slice(0, n),
      target: b.target.slice(0, n),
      phase: b.phase.slice(0, n),
      worker: b.worker.slice(0, n),
      window: b.window.slice(0, n),
      intendedUs: b.intendedUs.slice(0, n),
      sentUs: b.sentUs.slice(0, n),
      receivedUs: b.receivedUs.slice(0, n),
      outcome: b.outcome.slice(0, n),
      status: b.status.slice(0, n),
      errorCode: b.errorCode.slice(0, n),
      prediction: b.prediction.slice(0, n * k),
      probability: b.probability.slice(0, n * k),
      label: b.label.slice(0, n * k),
      readAs: b.readAs.slice(0, n * k),
      uuid: b.uuid.slice(0, n),
    };
    this.count = 0;
    b.prediction.fill(NaN);
    b.probability.fill(NaN);
    b.label.fill(NaN);
    b.readAs.fill(0);
    return out;
  }
}

/** The ArrayBuffers of a batch, for a zero-copy postMessage. */
export function transferList(b: RecordBatch): ArrayBuffer[] {
  return [
    b.seq, b.target, b.phase, b.worker, b.window, b.intendedUs, b.sentUs, b.receivedUs, b.outcome, b.status, b.errorCode,
    b.prediction, b.probability, b.label, b.readAs,
  ].map((a) => a.buffer as ArrayBuffer);
}
