// One request's round trip in a worker: build it (rows and labels from the seed, the codec's body), send it to every
// target on a pooled keep-alive connection (or count it dropped), and complete it when the answer arrives (outcome,
// decoded predictions scored against the classes), handing the result to the recorder.
// Hot path (bench/RESULTS.md has the numbers): no promise and no closure per request — the state of a request in
// flight lives in an `InFlight` object owned by its connection and reused (slots.ts); answers are stamped as they
// are read and processed together after the loop's reads, into scratch arrays allocated once.
import type { Codec, DecodeResult } from '../../codecs/types.js';
import { READ_AS } from '../../codecs/types.js';
import type { Row, RowGenerator } from '../../data/types.js';
import type { Scenario } from '../../spec/types.js';
import { ConnectionPool, type Connection } from '../net/http.js';
import type { HttpTarget } from '../task.js';
import { OUT_OF_CLASS, Outcome, errorCodeIndex } from '../types.js';
import { Deadlines } from './deadlines.js';
import { SAMPLED_BAD, SAMPLED_HTTP, type Recorder } from './recorder.js';
import type { RunState } from './shared.js';
import { InFlight, type ClosedSlot } from './slots.js';

const E_HTTP = errorCodeIndex('HTTP_STATUS');
const E_TIMEOUT = errorCodeIndex('TIMEOUT');
const E_CAP = errorCodeIndex('IN_FLIGHT_CAP');
const E_LATE = errorCodeIndex('LATE');
const E_TOO_LARGE = errorCodeIndex('RESPONSE_TOO_LARGE');
/** Answer bodies up to this long have their decoding remembered (see Exchange.decode). */
const MEMO_MAX_CHARS = 4096;
const DECODE_CODES = { BAD_JSON: errorCodeIndex('BAD_JSON'), NO_PREDICTION: errorCodeIndex('NO_PREDICTION'), PREDICTION_COUNT: errorCodeIndex('PREDICTION_COUNT') };

export class Exchange {
  readonly targetCount: number;
  /** Called after each round of answers, while the thread is awake anyway (the open pump sends what became due). */
  afterAnswers: () => void = () => {};
  private readonly pools: ConnectionPool[];
  private readonly deadlines: Deadlines;
  /** Per target, per connection id: the reused state of the request in flight on it. */
  private readonly slots: InFlight[][];
  private readonly timeoutUs: number;
  private readonly timeoutMs: number;
  private readonly k: number;
  private readonly rows: Row[];
  private readonly labels: Float64Array;
  private readonly classIndex = new Map<string, number>();
  private readonly regression: boolean;
  /** Classification: a prediction outside the classes is coded OUT_OF_CLASS (and a few distinct ones kept as examples). */
  private readonly classified: boolean;
  private readonly phaseOpen: boolean[];
  /** Answers read in this turn of the event loop, processed together after the reads (see arrive()). */
  private readonly arrived: InFlight[] = [];
  private arrivedScheduled = false;
  // One answer's rows, scored: prediction, probability, how the prediction was read (k entries each, reused).
  private readonly pred: Float64Array;
  private readonly prob: Float64Array;
  private readonly how: Uint8Array;
  // The last two distinct answer bodies and their decoding (a pure function of the body): a server answers the same
  // bytes again and again (one class of two, one row), and JSON.parse and the reading are then done once. Bodies
  // over MEMO_MAX_CHARS are not kept (they seldom repeat, and would be held on to).
  private body0: string | null = null;
  private decoded0: DecodeResult | null = null;
  private body1: string | null = null;
  private decoded1: DecodeResult | null = null;

  constructor(
    s: Scenario,
    targets: HttpTarget[],
    private readonly gen: RowGenerator,
    private readonly codec: Codec,
    /** Open loop: at most this many requests in flight per target in this worker (target.maxInFlight's share). */
    private readonly capPerTarget: number,
    private readonly state: RunState,
    private readonly recorder: Recorder,
    /** Ends the worker's run with an error thrown in a callback (see WorkerRun.fail). */
    private readonly fail: (err: unknown) => void,
    /** Per target: requests sent and not yet completed (the recorder reads it at each flush). */
    readonly inFlight: number[],
  ) {
    this.pools = targets.map((target) => new ConnectionPool(target));
    this.deadlines = new Deadlines(this.pools, () => this.state.nowMs());
    this.targetCount = this.pools.length;
    this.slots = targets.map(() => []);
    this.timeoutMs = s.target.timeoutMs;
    this.timeoutUs = this.timeoutMs * 1000;
    this.k = s.target.rowsPerRequest;
    this.rows = new Array<Row>(this.k);
    this.labels = new Float64Array(this.k);
    gen.classes.forEach((c, i) => this.classIndex.set(String(c), i));
    this.regression = gen.task === 'regression';
    this.classified = gen.task === 'classification';
    this.phaseOpen = s.load.phases.map((p) => p.kind === 'open');
    this.pred = new Float64Array(this.k);
    this.prob = new Float64Array(this.k);
    this.how = new Uint8Array(this.k);
  }

  /** Open `n` connections per target before t = 0. */
  prewarm(n: number): Promise<void> {
    return Promise.all(this.pools.map((p) => p.prewarm(n, Math.min(2000, this.timeoutMs)))).then(() => undefined);
  }

  /** Send request `seq` to every target (interleaved order in compare mode), or count it dropped. */
  dispatch(seq: number, p: number, intendedUs: number, nowUs: number, slot: ClosedSlot | null): void {
    const k = this.k;
    const rows = this.rows;
    const labels = this.labels;
    let body: string;
    try {
      for (let j = 0; j < k; j++) {
        const ri = seq * k + j;
        const row = this.gen.row(ri);
        rows[j] = row;
        labels[j] = this.gen.label(ri, row);
      }
      body = this.codec.encode(rows, seq);
    } catch (err) {
      // Nothing is sent or recorded for this request; the run ends with the error (its code intact).
      this.fail(err);
      return;
    }
    const nT = this.targetCount;
    for (let n = 0; n < nT; n++) {
      const ti = nT === 2 && seq % 2 === 1 ? 1 - n : n; // alternate who goes first, so neither is favoured
      this.sendOne(ti, seq, p, intendedUs, nowUs, body, slot);
    }
  }

  private sendOne(ti: number, seq: number, p: number, intendedUs: number, nowUs: number, body: string, slot: ClosedSlot | null): void {
    const late = nowUs - intendedUs > this.timeoutUs;
    // target.maxInFlight bounds open loop only: a closed loop's concurrency is its own bound (a cap below it would
    // drop each refilled slot at once, hundreds a millisecond).
    if (late || (this.phaseOpen[p] && this.inFlight[ti] >= this.capPerTarget)) {
      this.recorder.dropped(ti, seq, p, intendedUs, late ? E_LATE : E_CAP, this.labels);
      slot?.settle();
      return;
    }
    this.inFlight[ti]++;
    const conn = this.pools[ti].acquire();
    const f = this.slots[ti][conn.id] ?? this.newInFlight(ti, conn);
    f.seq = seq;
    f.phase = p;
    f.intendedUs = intendedUs;
    f.slot = slot;
    f.labels.set(this.labels);
    const sentUs = this.state.nowUs();
    f.sentUs = sentUs;
    const deadlineMs = sentUs / 1000 + this.timeoutMs;
    conn.send(body, f.done, deadlineMs, sentUs / 1000 + this.state.originMs);
    this.deadlines.arm(deadlineMs);
  }

  private newInFlight(ti: number, conn: Connection): InFlight {
    const f = new InFlight(ti, conn, this.k);
    f.done = (status, body, err) => this.arrive(f, status, body, err);
    this.slots[ti][conn.id] = f;
    return f;
  }

  /**
   * An answer (or error) arrived: stamp it and queue it; the queue is processed once the loop has read every socket
   * that was ready. In a burst (a stall ending, 50 answers at once) the last answer is then stamped a few µs after
   * the first, not after all the decoding and recording of the ones before it.
   */
  private arrive(f: InFlight, status: number, body: string | null, err: number): void {
    // An answer was stamped by its connection as it was read; a failure is stamped here.
    f.receivedUs = err === 0 ? this.state.usAt(f.conn.answeredAtMs) : this.state.nowUs();
    f.status = status;
    f.body = body;
    f.err = err;
    f.retried = f.conn.retried;
    this.arrived.push(f);
    if (!this.arrivedScheduled) {
      this.arrivedScheduled = true;
      setImmediate(this.processArrived);
    }
  }

  private readonly processArrived = (): void => {
    const list = this.arrived;
    try {
      for (let i = 0; i < list.length; i++) this.complete(list[i]);
    } catch (err) {
      this.fail(err);
    }
    list.length = 0;
    this.arrivedScheduled = false;
    this.afterAnswers();
  };

  /** Outcome, decoded and scored rows, record; then the closed-loop slot waiting for it (if any) goes on. */
  private complete(f: InFlight): void {
    const { status, body, err } = f;
    f.body = null;
    const ti = f.target;
    const k = this.k;
    this.inFlight[ti]--;
    this.pools[ti].release(f.conn);
    let outcome: number = Outcome.ok;
    let code = 0;
    let uuid = '';
    let preds: (string | number | boolean | null)[] | null = null;
    let probs: (number | null)[] | undefined;
    let readAs: Uint8Array | undefined;
    if (err !== 0) {
      // An answer over target.maxResponseBytes came back but cannot be used: a bad response, not a connection error.
      outcome = err === E_TIMEOUT ? Outcome.timeout : err === E_TOO_LARGE ? Outcome.badResponse : Outcome.connectionError;
      code = err;
    } else if (status < 200 || status > 299) {
      outcome = Outcome.httpError;
      code = E_HTTP;
      this.recorder.sample(ti, SAMPLED_HTTP, status, 'HTTP_STATUS', undefined, body);
    } else {
      const d = this.decode(body ?? '');
      if (d.ok) {
        preds = d.predictions;
        probs = d.probabilities;
        readAs = d.readAs;
        uuid = d.uuid ?? '';
      } else {
        outcome = Outcome.badResponse;
        code = DECODE_CODES[d.code];
        this.recorder.sample(ti, SAMPLED_BAD, status, d.code, d.message, body);
      }
    }
    const predOut = this.pred;
    const probOut = this.prob;
    const howOut = this.how;
    for (let j = 0; j < k; j++) {
      let pred = NaN;
      let how: number = READ_AS.none;
      if (preds) {
        const v = preds[j];
        if (v !== null) {
          pred = this.regression ? (typeof v === 'number' ? v : Number(v)) : this.classified ? (this.classIndex.get(String(v)) ?? OUT_OF_CLASS) : NaN;
          how = readAs ? readAs[j] : READ_AS.value;
        } else if (this.classified) pred = OUT_OF_CLASS; // the model gave no class for this row: an answer outside the classes
        if (pred === OUT_OF_CLASS && this.classified) this.recorder.noteOutOfClass(ti, f.phase, v);
      }
      const pr = probs?.[j];
      predOut[j] = pred;
      probOut[j] = typeof pr === 'number' ? pr : NaN;
      howOut[j] = how;
    }
    this.recorder.answered(f, outcome, code, uuid, predOut, probOut, howOut);
    const slot = f.slot;
    f.slot = null;
    if (slot) slot.settle();
  }

  /** The codec's reading of an answer body; the result is shared by equal bodies (read it, do not change it). */
  private decode(body: string): DecodeResult {
    if (body === this.body0) return this.decoded0!;
    if (body === this.body1) {
      const d = this.decoded1!;
      this.body1 = this.body0;
      this.decoded1 = this.decoded0;
      this.body0 = body;
      this.decoded0 = d;
      return d;
    }
    const d = this.codec.decode(body, this.k);
    if (body.length > MEMO_MAX_CHARS) return d;
    this.body1 = this.body0;
    this.decoded1 = this.decoded0;
    this.body0 = body;
    this.decoded0 = d;
    return d;
  }

  /** Resolves once no request of this worker is in flight. */
  async drain(): Promise<void> {
    while (this.inFlight.some((n) => n > 0)) await new Promise((r) => setTimeout(r, 2));
  }

  /** Stop the deadline timer and close every connection. */
  close(): void {
    this.deadlines.stop();
    for (const p of this.pools) p.close();
  }
}
