// A worker's view of the run's shared state (task.ts: the SharedArrayBuffers every worker and the main thread
// hold) and of the run's clock in this thread: the stop flag, the data-end flag, each phase's end, and the
// closed-loop phases' request counters. The open pump, the closed runner and the exchange all read it.
import { performance } from 'node:perf_hooks';
import { CLOSED_BIT, dataEndIndex, stopIndex, type WorkerTask } from '../task.js';

export class RunState {
  /** performance.now() value (ms) of the run's t = 0 in this thread (set by `go`). */
  originMs = 0;
  /** Set when this worker failed: it sends nothing more. */
  halted = false;
  /** Per closed-loop phase: requests allocated, bit 30 once the phase is closed (task.ts). */
  readonly counters: Int32Array;
  private readonly endUs: BigInt64Array;
  private readonly ready: Int32Array;
  private readonly stopAt: number;
  private readonly dataEndAt: number;

  constructor(t: WorkerTask) {
    this.counters = new Int32Array(t.counters);
    this.endUs = new BigInt64Array(t.endUs);
    this.ready = new Int32Array(t.ready);
    this.stopAt = stopIndex(t.scenario.load.phases.length);
    this.dataEndAt = dataEndIndex(t.scenario.load.phases.length);
  }

  /** µs since the run epoch (fractional). The epoch is shared by all threads as an absolute time in ms. */
  nowUs(): number {
    return this.usAt(performance.now());
  }

  /** A performance.now() reading of this thread (ms) as µs since the run epoch. */
  usAt(ms: number): number {
    return (ms - this.originMs) * 1000;
  }

  nowMs(): number {
    return performance.now() - this.originMs;
  }

  /** This worker failed, or the run was stopped (Ctrl-C, another worker's failure). */
  stopped(): boolean {
    return this.halted || Atomics.load(this.counters, this.stopAt) !== 0;
  }

  dataEnded(): boolean {
    return Atomics.load(this.counters, this.dataEndAt) !== 0;
  }

  /** The data ran out (`atEnd: stop`): the first worker to see it records when; every worker then ends its phases. */
  markDataEnd(): void {
    if (Atomics.compareExchange(this.counters, this.dataEndAt, 0, 1) === 0) {
      Atomics.store(this.endUs, this.dataEndAt, BigInt(Math.round(Math.max(0, this.nowUs()))));
    }
  }

  /** An open phase's end, known once its arrival stream is walked (every worker writes the same value). */
  endOpenPhase(p: number, endUs: number): void {
    Atomics.store(this.endUs, p, BigInt(Math.round(endUs)));
    Atomics.store(this.ready, p, 1);
  }

  phaseEnded(p: number): boolean {
    return Atomics.load(this.ready, p) !== 0;
  }

  /** Close a closed-loop phase (idempotent across workers): the CAS winner fixes its end time. */
  closePhase(p: number, deadlineUs: number): void {
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

  /** A closed phase's final count and end, the same in every worker once phaseEnded(p). */
  closedPhaseResult(p: number): { count: number; endUs: number } {
    return { count: Atomics.load(this.counters, p) & ~CLOSED_BIT, endUs: Number(Atomics.load(this.endUs, p)) };
  }
}
