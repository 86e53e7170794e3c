// A Piscina worker: runs every phase of the run for its share of the schedule and streams records back in batches.
// Open loop: requests k ≡ workerIndex (mod workerCount) of each phase's arrival stream, latency measured from the
// intended send time. Closed loop: its share of the concurrency, sequence numbers from a shared atomic counter.
import { performance } from 'node:perf_hooks';
import { createRowGenerator } from '../data/rows.js';
import { createCodec } from '../codecs/index.js';
import type { Codec } from '../codecs/types.js';
import type { Row, RowGenerator } from '../data/types.js';
import type { ClosedPhase, OpenPhase, Phase, Scenario } from '../scenario/types.js';
import { arrivalOffsetsUs } from '../schedule/pacer.js';
import { createHistogram, encodeHistogram, initHistograms, recordUs, type Histogram } from './hist.js';
import { ConnectionPool } from './http.js';
import { RecordBuffer, transferList } from './records.js';
import { CLOSED_BIT, histKey, stopIndex, type GoMessage, type WorkerMessage, type WorkerTask } from './task.js';
import { Outcome, errorCodeIndex } from './types.js';

const E_HTTP = errorCodeIndex('HTTP_STATUS');
const E_TIMEOUT = errorCodeIndex('TIMEOUT');
const E_CAP = errorCodeIndex('IN_FLIGHT_CAP');
const E_LATE = errorCodeIndex('LATE');
const DECODE_CODES = { BAD_JSON: errorCodeIndex('BAD_JSON'), NO_PREDICTION: errorCodeIndex('NO_PREDICTION'), PREDICTION_COUNT: errorCodeIndex('PREDICTION_COUNT') };

class WorkerRun {
  private readonly s: Scenario;
  private readonly gen: RowGenerator;
  private readonly codec: Codec;
  private readonly pools: ConnectionPool[];
  private readonly inFlight: number[];
  private readonly capPerTarget: number;
  private readonly timeoutUs: number;
  private readonly k: number;
  private readonly classIndex = new Map<string, number>();
  private readonly regression: boolean;
  private readonly buf: RecordBuffer;
  private readonly hists = new Map<string, Histogram>();
  private readonly counters: Int32Array;
  private readonly endUs: BigInt64Array;
  private readonly ready: Int32Array;
  private readonly stopAt: number;
  private lastFlushMs = 0;
  private sweepTimer?: NodeJS.Timeout;
  private phaseWarmup: boolean[] = [];

  private epochMs = 0;

  constructor(private readonly t: WorkerTask) {
    this.s = t.scenario;
    this.gen = createRowGenerator(this.s);
    this.codec = createCodec(this.s.target, this.gen.fieldNames, this.gen.classes);
    this.pools = t.targets.map((target) => new ConnectionPool(target));
    this.inFlight = t.targets.map(() => 0);
    this.capPerTarget = Math.max(1, Math.ceil(this.s.target.maxInFlight / t.workerCount));
    this.timeoutUs = this.s.target.timeoutMs * 1000;
    this.k = this.s.target.rowsPerRequest;
    this.gen.classes.forEach((c, i) => this.classIndex.set(String(c), i));
    this.regression = this.gen.task === 'regression';
    this.buf = new RecordBuffer(4096, this.k);
    this.counters = new Int32Array(t.counters);
    this.endUs = new BigInt64Array(t.endUs);
    this.ready = new Int32Array(t.ready);
    this.stopAt = stopIndex(this.s.load.phases.length);
    this.phaseWarmup = this.s.load.phases.map((p) => p.warmup);
  }

  /** ms since the run epoch (fractional). */
  private nowMs(): number {
    return performance.timeOrigin + performance.now() - this.epochMs;
  }
  private nowUs(): number {
    return this.nowMs() * 1000;
  }
  private stopped(): boolean {
    return Atomics.load(this.counters, this.stopAt) !== 0;
  }

  /** Report ready (generator and codec built) and wait for the common t = 0. */
  async start(): Promise<void> {
    const go = new Promise<GoMessage>((resolve) => this.t.port.once('message', (m: GoMessage) => resolve(m)));
    this.post({ type: 'ready', workerIndex: this.t.workerIndex });
    this.epochMs = (await go).epochMs;
    this.lastFlushMs = 0;
    // Timeouts are swept every few ms rather than armed per request: cheaper, and precise enough for timeouts in ms.
    this.sweepTimer = setInterval(() => {
      const now = this.nowMs();
      for (const p of this.pools) p.sweep(now);
      if (now - this.lastFlushMs >= this.t.flushMs) this.flush();
    }, 5);
  }

  async run(): Promise<void> {
    let base = 0;
    let startUs = 0;
    const phases = this.s.load.phases;
    for (let p = 0; p < phases.length && !this.stopped(); p++) {
      const ph: Phase = phases[p];
      if (ph.kind === 'open') {
        await this.runOpen(ph, p, base, startUs);
        base += this.t.openCounts[p] ?? 0;
        startUs += ph.durationMs * 1000;
      } else {
        const r = await this.runClosed(ph, p, base, startUs);
        base += r.count;
        startUs = r.endUs;
      }
    }
    await this.drain();
    clearInterval(this.sweepTimer);
    this.flush();
    for (const p of this.pools) p.close();
    this.post({ type: 'done', workerIndex: this.t.workerIndex });
  }

  private async runOpen(ph: OpenPhase, p: number, base: number, startUs: number): Promise<void> {
    const it = arrivalOffsetsUs(ph, this.s.seed, p);
    const w = this.t.workerIndex;
    const W = this.t.workerCount;
    let k = 0;
    let next = it.next();
    // Advance to this worker's first arrival.
    while (!next.done && k % W !== w) {
      next = it.next();
      k++;
    }
    const endUs = startUs + ph.durationMs * 1000;
    while (!next.done) {
      if (this.stopped()) return;
      const intendedUs = startUs + next.value;
      let now = this.nowUs();
      if (intendedUs > now) {
        await sleepUntil(intendedUs, () => this.nowUs());
        now = this.nowUs();
      }
      this.dispatch(base + k, p, intendedUs, now);
      for (let i = 0; i < W && !next.done; i++) {
        next = it.next();
        k++;
      }
    }
    const now = this.nowUs();
    if (now < endUs) await sleepUntil(endUs, () => this.nowUs());
  }

  private async runClosed(ph: ClosedPhase, p: number, base: number, startUs: number): Promise<{ count: number; endUs: number }> {
    const W = this.t.workerCount;
    const w = this.t.workerIndex;
    const slots = Math.floor(ph.concurrency / W) + (w < ph.concurrency % W ? 1 : 0);
    const deadlineUs = ph.durationMs !== undefined ? startUs + ph.durationMs * 1000 : Infinity;
    const max = ph.requests ?? Infinity;
    let now = this.nowUs();
    if (now < startUs) await sleepUntil(startUs, () => this.nowUs());
    const counter = this.counters;
    const allocate = (): number => {
      for (;;) {
        const v = Atomics.load(counter, p);
        if (v & CLOSED_BIT) return -1;
        if (v >= max || this.nowUs() >= deadlineUs || this.stopped()) {
          this.closePhase(p, deadlineUs);
          return -1;
        }
        if (Atomics.compareExchange(counter, p, v, v + 1) === v) return v;
      }
    };
    const slot = async (): Promise<void> => {
      for (;;) {
        const idx = allocate();
        if (idx < 0) return;
        const sentAt = this.nowUs();
        await new Promise<void>((resolve) => this.dispatch(base + idx, p, sentAt, sentAt, resolve));
        if (ph.thinkMs > 0) await new Promise((r) => setTimeout(r, ph.thinkMs));
      }
    };
    // A slot stops only once the phase is closed (by whichever worker hit the deadline or the count first), so
    // after this every worker reads the same final count and end time.
    await Promise.all(Array.from({ length: slots }, slot));
    while (Atomics.load(this.ready, p) === 0) {
      if (this.nowUs() >= deadlineUs || this.stopped()) this.closePhase(p, deadlineUs);
      else await new Promise((r) => setTimeout(r, 1));
    }
    return { count: Atomics.load(counter, p) & ~CLOSED_BIT, endUs: Number(Atomics.load(this.endUs, p)) };
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
  private dispatch(seq: number, p: number, intendedUs: number, nowUs: number, onDone?: () => void): void {
    const k = this.k;
    const rows: Row[] = new Array(k);
    const labels = new Array<number>(k);
    for (let j = 0; j < k; j++) {
      const ri = seq * k + j;
      const row = this.gen.row(ri);
      rows[j] = row;
      labels[j] = this.gen.label(ri, row);
    }
    const body = this.codec.encode(rows, seq);
    const nT = this.pools.length;
    let pending = nT;
    const finish = onDone ? () => --pending === 0 && onDone() : undefined;
    for (let n = 0; n < nT; n++) {
      const ti = nT === 2 && seq % 2 === 1 ? 1 - n : n; // alternate who goes first, so neither is favoured
      this.sendOne(ti, seq, p, intendedUs, nowUs, body, labels, finish);
    }
  }

  private sendOne(ti: number, seq: number, p: number, intendedUs: number, nowUs: number, body: string, labels: number[], finish?: () => void): void {
    const late = nowUs - intendedUs > this.timeoutUs;
    if (late || this.inFlight[ti] >= this.capPerTarget) {
      this.drop(ti, seq, p, intendedUs, late ? E_LATE : E_CAP, labels);
      finish?.();
      return;
    }
    this.inFlight[ti]++;
    const pool = this.pools[ti];
    const conn = pool.acquire();
    const sentUs = this.nowUs();
    conn.send(
      body,
      (status, resBody, err) => {
        const receivedUs = this.nowUs();
        this.inFlight[ti]--;
        pool.release(conn);
        this.complete(ti, seq, p, intendedUs, sentUs, receivedUs, status, resBody, err, labels);
        finish?.();
      },
      sentUs / 1000 + this.s.target.timeoutMs,
    );
  }

  private drop(ti: number, seq: number, p: number, intendedUs: number, code: number, labels: number[]): void {
    const i = this.buf.push(seq, ti, p, this.t.workerIndex, intendedUs, NaN, NaN, Outcome.dropped, 0, code, '');
    for (let j = 0; j < this.k; j++) this.buf.setLabel(i, j, labels[j]);
    if (this.buf.full) this.flush();
  }

  private complete(ti: number, seq: number, p: number, intendedUs: number, sentUs: number, receivedUs: number, status: number, body: string | null, err: number, labels: number[]): void {
    let outcome: number = Outcome.ok;
    let code = 0;
    let uuid = '';
    let preds: (string | number | boolean)[] | null = null;
    let probs: (number | null)[] | undefined;
    if (err !== 0) {
      outcome = err === E_TIMEOUT ? Outcome.timeout : Outcome.connectionError;
      code = err;
    } else if (status < 200 || status > 299) {
      outcome = Outcome.httpError;
      code = E_HTTP;
    } else {
      const d = this.codec.decode(body ?? '', this.k);
      if (d.ok) {
        preds = d.predictions;
        probs = d.probabilities;
        uuid = d.uuid ?? '';
      } else {
        outcome = Outcome.badResponse;
        code = DECODE_CODES[d.code];
      }
    }
    const i = this.buf.push(seq, ti, p, this.t.workerIndex, intendedUs, sentUs, receivedUs, outcome, status, code, uuid);
    for (let j = 0; j < this.k; j++) {
      let pred = NaN;
      if (preds) {
        const v = preds[j];
        pred = this.regression ? (typeof v === 'number' ? v : Number(v)) : (this.classIndex.get(String(v)) ?? NaN);
      }
      const pr = probs?.[j];
      this.buf.setRow(i, j, pred, typeof pr === 'number' ? pr : NaN, labels[j]);
    }
    // In compare mode the second target's histograms travel under a `t1|` prefix.
    const pre = ti === 0 ? '' : `t${ti}|`;
    const lat = receivedUs - intendedUs;
    if (!this.phaseWarmup[p]) {
      this.hist(pre + histKey.latency(p), lat);
      this.hist(pre + histKey.service(p), receivedUs - sentUs);
      this.hist(pre + histKey.lag(p), sentUs - intendedUs);
      this.hist(pre + histKey.window(this.windowOf(seq, intendedUs)), lat);
    }
    this.hist(pre + histKey.second(Math.floor(intendedUs / 1e6)), lat);
    if (this.buf.full) this.flush();
  }

  private windowOf(seq: number, intendedUs: number): number {
    const w = this.s.windows;
    return w.kind === 'count' ? Math.floor(seq / w.every) : Math.floor(intendedUs / (w.spanMs * 1000));
  }

  private hist(key: string, us: number): void {
    let h = this.hists.get(key);
    if (!h) {
      h = createHistogram();
      this.hists.set(key, h);
    }
    recordUs(h, us);
  }

  /** Ship records and histogram deltas; histograms restart empty so each message carries only new values. */
  private flush(): void {
    this.lastFlushMs = this.nowMs();
    const records = this.buf.take();
    if (!records && this.hists.size === 0) return;
    const hists: Record<string, string> = {};
    for (const [key, h] of this.hists) {
      hists[key] = encodeHistogram(h);
      h.destroy();
    }
    this.hists.clear();
    const inFlight = this.inFlight.reduce((a, b) => a + b, 0);
    const rec = records ?? RecordBuffer.allocate(0, this.k);
    this.post({ type: 'batch', records: rec, hists, inFlight }, transferList(rec));
  }

  private async drain(): Promise<void> {
    while (this.inFlight.some((n) => n > 0)) await new Promise((r) => setTimeout(r, 2));
  }

  private post(m: WorkerMessage, transfer: ArrayBuffer[] = []): void {
    this.t.port.postMessage(m, transfer);
  }
}

/**
 * Wait until `targetUs` without blocking the event loop: a timer for the bulk of the wait, then yielding with
 * setImmediate for the last stretch (timers fire ~1 ms late; responses keep being read meanwhile).
 */
async function sleepUntil(targetUs: number, now: () => number): Promise<void> {
  for (;;) {
    const remainingMs = (targetUs - now()) / 1000;
    if (remainingMs <= 0) return;
    if (remainingMs > 2) await new Promise((r) => setTimeout(r, remainingMs - 1.5));
    else await new Promise((r) => setImmediate(r));
  }
}

export default async function runWorker(task: WorkerTask): Promise<number> {
  await initHistograms();
  const w = new WorkerRun(task);
  await w.start();
  await w.run();
  return task.workerIndex;
}
