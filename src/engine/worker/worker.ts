// A Piscina worker: runs every phase of the run for its share of the schedule and streams records back in batches.
// Open loop: requests k ≡ workerIndex (mod workerCount) of each phase's arrival stream, latency measured from the
// intended send time. Closed loop: its share of the concurrency, sequence numbers from a shared atomic counter.
// Hot path (bench/RESULTS.md has the numbers): no promise and no closure per request — the state of a request in
// flight lives in an `InFlight` object owned by its connection and reused (slots.ts); answers are stamped as they
// are read and processed after the loop's reads; a closed-loop slot then sends its next request at once; open-loop
// sends are pumped by a `Waker` (wake.ts) and after every round of answers.
import { performance } from 'node:perf_hooks';
import { serializeError } from '../../errors.js';
import { createRowGenerator } from '../../data/rows.js';
import { codecFor } from '../../codecs/index.js';
import { READ_AS, type Codec } from '../../codecs/types.js';
import type { Row, RowGenerator } from '../../data/types.js';
import type { ClosedPhase, Phase, Scenario } from '../../spec/types.js';
import { arrivalOffsetsUs } from '../../schedule/pacer.js';
import type { OpenPhasePlan } from '../../schedule/plan.js';
import { initHistograms } from '../../stats/hist.js';
import { HistogramDeltas } from './deltas.js';
import { ConnectionPool, type Connection } from '../net/http.js';
import { RecordBuffer, transferList } from '../records.js';
import { CLOSED_BIT, MAX_CLOSED_COUNT, dataEndIndex, shareOf, stopIndex, type GoMessage, type HistDelta, type OutOfClassExample, type StaleRetries, type TargetBatch, type TargetSample, type WorkerMessage, type WorkerOutcome, type WorkerTask } from '../task.js';
import { scrubSecrets, targetSecrets } from '../../scenario/redact.js';
import { OUT_OF_CLASS, Outcome, errorCodeIndex } from '../types.js';
import { Waker } from './wake.js';
import { windowGrid, windowIndex, type WindowGrid } from '../windows.js';
import { Deadlines } from './deadlines.js';
import { ClosedSlot, InFlight, type ClosedPhaseState, type SlotHost } from './slots.js';
import { prewarmCount, warmUpJit } from './warmup.js';

const E_HTTP = errorCodeIndex('HTTP_STATUS');
const E_TIMEOUT = errorCodeIndex('TIMEOUT');
const E_CAP = errorCodeIndex('IN_FLIGHT_CAP');
const E_LATE = errorCodeIndex('LATE');
const E_TOO_LARGE = errorCodeIndex('RESPONSE_TOO_LARGE');
/** Distinct answers outside the label's classes a worker keeps per target as examples for the report. */
const OUT_OF_CLASS_EXAMPLES = 5;
const DECODE_CODES = { BAD_JSON: errorCodeIndex('BAD_JSON'), NO_PREDICTION: errorCodeIndex('NO_PREDICTION'), PREDICTION_COUNT: errorCodeIndex('PREDICTION_COUNT') };
const SAMPLED_BAD = 1;
const SAMPLED_HTTP = 2;
/** Bytes of a response body kept in a sample for the report. */
const SAMPLE_BYTES = 200;
/** Open loop: at most this many sends per pump before yielding, so responses keep being read during a catch-up. */
const MAX_SENDS_PER_PUMP = 32;
/** Rows a record buffer holds before it is shipped (4,096 requests of one row; fewer requests when each has many). */
const BUFFER_ROWS = 65_536;

/** The open-loop phase being pumped. */
interface OpenState {
  it: Iterator<number, number>;
  /** Once done, `value` is the phase's end (µs since its start): see arrivalOffsetsUs. */
  next: IteratorResult<number, number>;
  k: number;
  p: number;
  base: number;
  startUs: number;
  /** The phase's end (µs since t = 0), known once the stream is walked; Infinity before. */
  endUs: number;
  /** Called with the phase's arrival count and end (every arrival walked), or the count so far (stopped early). */
  resolve: (r: { count: number; endUs: number }) => void;
}

export class WorkerRun implements SlotHost {
  private readonly s: Scenario;
  private readonly gen: RowGenerator;
  private readonly codec: Codec;
  private readonly pools: ConnectionPool[];
  private readonly inFlight: number[];
  private readonly slots: InFlight[][];
  private readonly capPerTarget: number;
  private readonly timeoutUs: number;
  private readonly timeoutMs: number;
  private readonly k: number;
  private readonly rows: Row[];
  private readonly labels: Float64Array;
  private readonly classIndex = new Map<string, number>();
  private readonly regression: boolean;
  /** Classification: a prediction outside the classes is coded OUT_OF_CLASS (and a few distinct ones kept as examples). */
  private readonly classified: boolean;
  private readonly outOfClassSeen: Set<string>[];
  private outOfClass: OutOfClassExample[] = [];
  /** Per target: its requests' records (so a batch reaches the main thread split by target). */
  private readonly bufs: RecordBuffer[];
  private readonly deltas: HistogramDeltas[];
  private readonly counters: Int32Array;
  private readonly endUs: BigInt64Array;
  private readonly ready: Int32Array;
  private readonly stopAt: number;
  private readonly dataEndAt: number;
  /** Requests the data can fill: a replayed source with `atEnd: stop` runs out after this many; else Infinity. */
  private readonly dataLimit: number;
  /** Set on failure: nothing more is sent from this worker. */
  private halted = false;
  private rejectRun: (err: unknown) => void = () => {};
  /** Rejects with the first error thrown in this worker's callbacks (timers, socket reads), ending run(). */
  private readonly failed = new Promise<never>((_, reject) => (this.rejectRun = reject));
  private readonly phaseWarmup: boolean[];
  private readonly windows: WindowGrid;
  private readonly phaseOpen: boolean[];
  private lastFlushMs = 0;
  private flushTimer?: NodeJS.Timeout;
  private readonly deadlines: Deadlines;
  private open: OpenState | null = null;
  private openDueUs = Infinity;
  private readonly waker = new Waker(() => this.pumpOpen());
  /** Per target: which response samples were taken (SAMPLED_* bits), and those not yet shipped. */
  private readonly sampled: number[];
  private readonly samples: TargetSample[] = [];
  private readonly secrets: string[];
  /** Answers read in this turn of the event loop, processed together after the reads (see arrive()). */
  private readonly arrived: InFlight[] = [];
  private arrivedScheduled = false;
  readonly targetCount: number;
  /** Stale-connection retries since the last flush, by target and phase (rare: a list, not a table). */
  private staleRetries: StaleRetries[] = [];
  /** performance.now() value (ms) of the run's t = 0 in this thread. */
  private originMs = 0;
  /**
   * Open loop: this worker sends arrivals k ≡ lane (mod stride) of each phase. Unsharded: lane = workerIndex, stride =
   * workerCount. Shard I of N: lane = I + N·workerIndex, stride = N·workerCount — the shard's workers together take
   * exactly k ≡ I (mod N), and the hot path is the same loop with other numbers.
   */
  private readonly lane: number;
  private readonly stride: number;
  private readonly shardIndex: number;
  private readonly shardCount: number;

  constructor(private readonly t: WorkerTask) {
    this.s = t.scenario;
    this.gen = createRowGenerator(this.s);
    this.codec = codecFor(this.s, this.gen);
    this.pools = t.targets.map((target) => new ConnectionPool(target));
    this.deadlines = new Deadlines(this.pools, () => this.nowMs());
    this.targetCount = this.pools.length;
    this.inFlight = t.targets.map(() => 0);
    this.sampled = t.targets.map(() => 0);
    this.secrets = targetSecrets(this.s.target);
    this.slots = t.targets.map(() => []);
    this.shardIndex = t.shard?.index ?? 0;
    this.shardCount = t.shard?.count ?? 1;
    this.lane = this.shardIndex + this.shardCount * t.workerIndex;
    this.stride = this.shardCount * t.workerCount;
    // A shard holds its share of the in-flight cap: the group together holds the single-machine cap.
    this.capPerTarget = Math.max(1, Math.ceil(this.s.target.maxInFlight / (t.workerCount * this.shardCount)));
    this.timeoutMs = this.s.target.timeoutMs;
    this.timeoutUs = this.timeoutMs * 1000;
    this.k = this.s.target.rowsPerRequest;
    this.rows = new Array<Row>(this.k);
    this.labels = new Float64Array(this.k);
    this.gen.classes.forEach((c, i) => this.classIndex.set(String(c), i));
    this.regression = this.gen.task === 'regression';
    this.classified = this.gen.task === 'classification';
    this.outOfClassSeen = t.targets.map(() => new Set<string>());
    const capacity = Math.max(1, Math.min(4096, Math.floor(BUFFER_ROWS / this.k)));
    this.bufs = t.targets.map(() => new RecordBuffer(capacity, this.k));
    this.deltas = t.targets.map((_, ti) => new HistogramDeltas(ti));
    this.counters = new Int32Array(t.counters);
    this.endUs = new BigInt64Array(t.endUs);
    this.ready = new Int32Array(t.ready);
    this.stopAt = stopIndex(this.s.load.phases.length);
    this.dataEndAt = dataEndIndex(this.s.load.phases.length);
    this.dataLimit = Number.isFinite(this.gen.size) ? Math.floor(this.gen.size / this.k) : Infinity;
    this.failed.catch(() => {}); // observed by run(); never an unhandled rejection
    this.phaseWarmup = this.s.load.phases.map((p) => p.warmup);
    this.windows = windowGrid(this.s.windows);
    this.phaseOpen = this.s.load.phases.map((p) => p.kind === 'open');
  }

  /** µs since the run epoch (fractional). The epoch is shared by all threads as an absolute time in ms. */
  nowUs(): number {
    return (performance.now() - this.originMs) * 1000;
  }
  private nowMs(): number {
    return performance.now() - this.originMs;
  }
  private stopped(): boolean {
    return this.halted || Atomics.load(this.counters, this.stopAt) !== 0;
  }
  private dataEnded(): boolean {
    return Atomics.load(this.counters, this.dataEndAt) !== 0;
  }

  /** The data ran out (`atEnd: stop`): the first worker to see it records when; every worker then ends its phases. */
  private markDataEnd(): void {
    if (Atomics.compareExchange(this.counters, this.dataEndAt, 0, 1) === 0) {
      Atomics.store(this.endUs, this.dataEndAt, BigInt(Math.round(Math.max(0, this.nowUs()))));
    }
  }

  /**
   * An error in a callback of this worker (row generation, encoding, a timer): stop sending and end run() with it.
   * Without this it would be an uncaught exception in the thread, and the main thread would wait for a worker that
   * never reports.
   */
  private fail(err: unknown): void {
    if (this.halted) return;
    this.halted = true;
    this.rejectRun(err);
  }

  /** Report ready (generator and codec built) and wait for the common t = 0. */
  async start(): Promise<void> {
    const go = new Promise<GoMessage>((resolve) => this.t.port.once('message', (m: GoMessage) => resolve(m)));
    const warm = prewarmCount(this.s, this.t.workerCount, this.capPerTarget);
    await Promise.all(this.pools.map((p) => p.prewarm(warm, Math.min(2000, this.timeoutMs))));
    // Stopped while connecting (Ctrl-C during start-up): skip the dry runs, the wave will not send anything.
    if (!this.stopped()) warmUpJit(this.gen, this.codec, this.k);
    this.post({ type: 'ready', workerIndex: this.t.workerIndex });
    this.originMs = (await go).epochMs - performance.timeOrigin;
    this.lastFlushMs = 0;
    this.flushTimer = setInterval(() => {
      if (this.nowMs() - this.lastFlushMs >= this.t.flushMs * 0.9) this.flush();
    }, this.t.flushMs);
  }

  /** Every phase, then the in-flight drain; rejects with the first error of this worker (see fail()). */
  async run(): Promise<void> {
    try {
      await Promise.race([this.runPhases(), this.failed]);
    } finally {
      // On failure too: what was measured so far is shipped, so the main thread can still account for it.
      clearInterval(this.flushTimer);
      this.waker.cancel();
      this.deadlines.stop();
      this.flush();
      for (const p of this.pools) p.close();
      this.post({ type: 'done', workerIndex: this.t.workerIndex });
    }
  }

  private async runPhases(): Promise<void> {
    let base = 0;
    let startUs = 0;
    const phases = this.s.load.phases;
    for (let p = 0; p < phases.length && !this.stopped() && !this.dataEnded(); p++) {
      const ph: Phase = phases[p];
      if (ph.kind === 'open') {
        // Every worker walks the whole arrival stream, so each knows the phase's count and end without any sharing
        // (and nothing has to count a long Poisson schedule up front).
        const r = await this.runOpen(this.t.plan.phases[p] as OpenPhasePlan, base, startUs);
        base += r.count;
        startUs = r.endUs;
      } else {
        const r = await this.runClosed(ph, p, base, startUs);
        base += r.count;
        startUs = r.endUs;
      }
    }
    await this.drain();
  }

  private runOpen(ph: OpenPhasePlan, base: number, startUs: number): Promise<{ count: number; endUs: number }> {
    return new Promise((resolve) => {
      const it = arrivalOffsetsUs(ph, this.t.plan.seed);
      const w = this.lane;
      let k = 0;
      let next = it.next();
      // Advance to this worker's first arrival.
      while (!next.done && k % this.stride !== w) {
        next = it.next();
        k++;
      }
      this.open = { it, next, k, p: ph.index, base, startUs, endUs: Infinity, resolve };
      this.pumpOpen();
    });
  }

  /**
   * Send the open-loop requests that are due (at most `maxSends`, then yield so responses keep being read), then
   * arrange to be woken for the next one.
   */
  private pumpOpen(maxSends = MAX_SENDS_PER_PUMP): void {
    try {
      this.pumpOpenUnguarded(maxSends);
    } catch (err) {
      this.fail(err);
    }
  }

  private pumpOpenUnguarded(maxSends: number): void {
    const o = this.open;
    if (!o) return;
    const W = this.stride;
    let now = this.nowUs();
    let sends = 0;
    while (!o.next.done) {
      if (this.stopped()) return this.endOpen(o);
      const intendedUs = o.startUs + o.next.value;
      if (intendedUs > now || sends++ === maxSends) {
        this.openDueUs = intendedUs;
        this.waker.at(intendedUs, now);
        return;
      }
      if (o.base + o.k >= this.dataLimit) {
        this.markDataEnd();
        return this.endOpen(o);
      }
      this.dispatch(o.base + o.k, o.p, intendedUs, now, null);
      for (let i = 0; i < W && !o.next.done; i++) {
        o.next = o.it.next();
        o.k++;
      }
      now = this.nowUs();
    }
    // Every arrival sent: the phase lasts until its end — its duration, or when the first arrival beyond its request
    // cap is due (the cap ends the phase) — and the next phase starts on time from there.
    if (o.endUs === Infinity) {
      o.endUs = o.startUs + o.next.value;
      Atomics.store(this.endUs, o.p, BigInt(Math.round(o.endUs)));
      Atomics.store(this.ready, o.p, 1);
    }
    if (now < o.endUs && !this.stopped() && !this.dataEnded()) {
      this.openDueUs = o.endUs;
      this.waker.at(o.endUs, now);
      return;
    }
    this.endOpen(o);
  }

  private endOpen(o: OpenState): void {
    if (this.open === o) this.open = null;
    this.openDueUs = Infinity;
    this.waker.cancel();
    o.resolve({ count: o.k, endUs: o.endUs });
  }

  private runClosed(ph: ClosedPhase, p: number, base: number, startUs: number): Promise<{ count: number; endUs: number }> {
    const W = this.t.workerCount;
    const w = this.t.workerIndex;
    // A shard's concurrency is its largest-remainder share of the phase's; its workers split that the same way.
    const c = shareOf(ph.concurrency, this.shardIndex, this.shardCount);
    const n = shareOf(c, w, W);
    return new Promise((resolve) => {
      let running = n;
      const finished = async () => {
        // A slot stops only once the phase is closed (by whichever worker hit the deadline or the count first), so
        // after this every worker reads the same final count and end time.
        while (Atomics.load(this.ready, p) === 0) {
          if (this.nowUs() >= state.deadlineUs || this.stopped()) this.closePhase(p, state.deadlineUs);
          else await new Promise((r) => setTimeout(r, 1));
        }
        resolve({ count: Atomics.load(this.counters, p) & ~CLOSED_BIT, endUs: Number(Atomics.load(this.endUs, p)) });
      };
      const state: ClosedPhaseState = {
        p,
        base,
        // Shard I of N sends sequence numbers I, I + N, … below the cap: ceil((cap − I) / N) of them.
        max: Math.min(ph.requests === undefined ? Infinity : Math.max(0, Math.ceil((ph.requests - this.shardIndex) / this.shardCount)), MAX_CLOSED_COUNT),
        lane: this.shardIndex,
        stride: this.shardCount,
        deadlineUs: ph.durationMs !== undefined ? startUs + ph.durationMs * 1000 : Infinity,
        thinkMs: ph.thinkMs,
        slotDone: () => {
          if (--running === 0) void finished();
        },
      };
      const begin = () => {
        if (n === 0) return void finished();
        for (let i = 0; i < n; i++) new ClosedSlot(this, state).next();
      };
      const now = this.nowUs();
      if (now < startUs) setTimeout(begin, Math.max(1, Math.ceil((startUs - now) / 1000)));
      else begin();
    });
  }

  /** The next sequence number (within the phase) of a closed-loop phase, or -1 once it is over. */
  allocate(ph: ClosedPhaseState, nowUs: number): number {
    const counter = this.counters;
    const p = ph.p;
    for (;;) {
      const v = Atomics.load(counter, p);
      if (v & CLOSED_BIT) return -1;
      const seq = ph.base + ph.lane + v * ph.stride;
      if (v >= ph.max || nowUs >= ph.deadlineUs || this.stopped() || seq >= this.dataLimit) {
        if (seq >= this.dataLimit) this.markDataEnd();
        this.closePhase(p, ph.deadlineUs);
        return -1;
      }
      if (Atomics.compareExchange(counter, p, v, v + 1) === v) return v;
    }
  }

  /** Close a closed-loop phase (idempotent across workers): the CAS winner fixes its end time. */
  private closePhase(p: number, deadlineUs: number): void {
    for (;;) {
      const cur = Atomics.load(this.counters, p);
      if (cur & CLOSED_BIT) return;
      if (Atomics.compareExchange(this.counters, p, cur, cur | CLOSED_BIT) === cur) {
        Atomics.store(this.endUs, p, BigInt(Math.round(Math.min(this.nowUs(), deadlineUs))));
        Atomics.store(this.ready, p, 1);
        return;
      }
    }
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
      this.drop(ti, seq, p, intendedUs, late ? E_LATE : E_CAP);
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
    const sentUs = this.nowUs();
    f.sentUs = sentUs;
    const deadlineMs = sentUs / 1000 + this.timeoutMs;
    conn.send(body, f.done, deadlineMs, sentUs / 1000 + this.originMs);
    this.deadlines.arm(deadlineMs);
  }

  private newInFlight(ti: number, conn: Connection): InFlight {
    const f = new InFlight(ti, conn, this.k);
    f.done = (status, body, err) => this.arrive(f, status, body, err);
    this.slots[ti][conn.id] = f;
    return f;
  }

  private drop(ti: number, seq: number, p: number, intendedUs: number, code: number): void {
    const buf = this.bufs[ti];
    const i = buf.push(seq, ti, p, this.t.workerIndex, windowIndex(this.windows, seq, intendedUs), intendedUs, NaN, NaN, Outcome.dropped, 0, code, '');
    for (let j = 0; j < this.k; j++) buf.setLabel(i, j, this.labels[j]);
    if (buf.full) this.flush();
  }

  /**
   * An answer (or error) arrived: stamp it and queue it; the queue is processed once the loop has read every socket
   * that was ready. In a burst (a stall ending, 50 answers at once) the last answer is then stamped a few µs after
   * the first, not after all the decoding and recording of the ones before it.
   */
  private arrive(f: InFlight, status: number, body: string | null, err: number): void {
    f.receivedUs = this.nowUs();
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
    // The thread is awake anyway: send whatever open-loop request has become due meanwhile.
    if (this.open && this.nowUs() >= this.openDueUs) this.pumpOpen();
  };

  private complete(f: InFlight): void {
    const { receivedUs, status, body, err } = f;
    f.body = null;
    const ti = f.target;
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
      if (!(this.sampled[ti]! & SAMPLED_HTTP)) this.sample(ti, SAMPLED_HTTP, status, 'HTTP_STATUS', undefined, body);
    } else {
      const d = this.codec.decode(body ?? '', this.k);
      if (d.ok) {
        preds = d.predictions;
        probs = d.probabilities;
        readAs = d.readAs;
        uuid = d.uuid ?? '';
      } else {
        outcome = Outcome.badResponse;
        code = DECODE_CODES[d.code];
        if (!(this.sampled[ti]! & SAMPLED_BAD)) this.sample(ti, SAMPLED_BAD, status, d.code, d.message, body);
      }
    }
    const seq = f.seq;
    const p = f.phase;
    const intendedUs = f.intendedUs;
    const sentUs = f.sentUs;
    if (f.retried) this.countStaleRetry(ti, p);
    const window = windowIndex(this.windows, seq, intendedUs);
    const buf = this.bufs[ti];
    const i = buf.push(seq, ti, p, this.t.workerIndex, window, intendedUs, sentUs, receivedUs, outcome, status, code, uuid);
    for (let j = 0; j < this.k; j++) {
      let pred = NaN;
      let how: number = READ_AS.none;
      if (preds) {
        const v = preds[j];
        if (v !== null) {
          pred = this.regression ? (typeof v === 'number' ? v : Number(v)) : this.classified ? (this.classIndex.get(String(v)) ?? OUT_OF_CLASS) : NaN;
          how = readAs ? readAs[j] : READ_AS.value;
        } else if (this.classified) pred = OUT_OF_CLASS; // the model gave no class for this row: an answer outside the classes
        // Examples from measured phases only: a warm-up's answers are not in the count they illustrate.
        if (pred === OUT_OF_CLASS && this.classified && !this.phaseWarmup[p]) this.noteOutOfClass(ti, v);
      }
      const pr = probs?.[j];
      buf.setRow(i, j, pred, typeof pr === 'number' ? pr : NaN, f.labels[j], how);
    }
    const lat = receivedUs - intendedUs;
    this.deltas[ti].record(p, this.phaseWarmup[p], window, Math.floor(intendedUs / 1e6), outcome === Outcome.ok, lat, receivedUs - sentUs, sentUs - intendedUs);
    if (buf.full) this.flush();
    const slot = f.slot;
    f.slot = null;
    if (slot) slot.settle();
  }

  /**
   * Keep the first unusable response of a kind (per target) for the report: what was tried and the body's first
   * 200 bytes, secrets scrubbed. Once per kind, so a run of bad answers costs nothing after the first.
   */
  private sample(ti: number, kind: number, status: number, code: string, message: string | undefined, body: string | null): void {
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

  /** Keep up to OUT_OF_CLASS_EXAMPLES distinct answers outside the classes per target (cheap once that many are kept). */
  private noteOutOfClass(ti: number, v: unknown): void {
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

  /** Ship records and histogram deltas; histograms restart empty so each message carries only new values. */
  private flush(): void {
    this.lastFlushMs = this.nowMs();
    const records: TargetBatch[] = [];
    const transfer: ArrayBuffer[] = [];
    this.bufs.forEach((buf, target) => {
      const batch = buf.take();
      if (!batch) return;
      records.push({ target, batch });
      transfer.push(...transferList(batch));
    });
    if (records.length === 0 && this.deltas.every((d) => d.isEmpty)) return;
    const hists: HistDelta[] = [];
    for (const d of this.deltas) d.drainInto(hists);
    const inFlight = this.inFlight.reduce((a, b) => a + b, 0);
    const samples = this.samples.length > 0 ? this.samples.splice(0) : undefined;
    const staleRetries = this.staleRetries.length ? this.staleRetries : undefined;
    this.staleRetries = [];
    const outOfClass = this.outOfClass.length ? this.outOfClass : undefined;
    if (outOfClass) this.outOfClass = [];
    this.post(
      { type: 'batch', records, hists, inFlight, ...(samples && { samples }), ...(staleRetries && { staleRetries }), ...(outOfClass && { outOfClass }) },
      transfer,
    );
  }

  private async drain(): Promise<void> {
    while (this.inFlight.some((n) => n > 0)) await new Promise((r) => setTimeout(r, 2));
  }

  private post(m: WorkerMessage, transfer: ArrayBuffer[] = []): void {
    this.t.port.postMessage(m, transfer);
  }
}

/**
 * The Piscina task. Never throws: an error (a bad data row, faker arguments, a bug) comes back as data with its
 * code, because an Error crossing Piscina arrives as a plain Error with its code and details lost.
 */
export default async function runWorker(task: WorkerTask): Promise<WorkerOutcome> {
  try {
    await initHistograms();
    const w = new WorkerRun(task);
    await w.start();
    await w.run();
    return { ok: true, workerIndex: task.workerIndex };
  } catch (err) {
    return { ok: false, workerIndex: task.workerIndex, error: serializeError(err) };
  }
}
