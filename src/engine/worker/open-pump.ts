// The open loop of one worker: walk a phase's arrival stream (schedule/pacer.ts), take arrivals k ≡ lane
// (mod stride), and send each when it is due — woken by a `Waker` (wake.ts) between sends and after every round of
// answers. Latency counts from the intended send time, so a late send is measured, never hidden.
import { arrivalOffsetsUs } from '../../schedule/pacer.js';
import type { OpenPhasePlan } from '../../schedule/plan.js';
import type { Exchange } from './exchange.js';
import type { RunState } from './shared.js';
import { Waker } from './wake.js';

/** At most this many sends per pump before yielding, so responses keep being read during a catch-up. */
const MAX_SENDS_PER_PUMP = 32;

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

export class OpenPump {
  private open: OpenState | null = null;
  /** When the next send (or the phase's end) is due, µs since t = 0; Infinity when no phase is pumped. */
  private dueUs = Infinity;
  private readonly waker = new Waker(() => this.pump());

  constructor(
    private readonly state: RunState,
    private readonly exchange: Exchange,
    private readonly seed: number,
    /**
     * This worker sends arrivals k ≡ lane (mod stride) of each phase. Unsharded: lane = workerIndex, stride =
     * workerCount. Shard I of N: lane = I + N·workerIndex, stride = N·workerCount — the shard's workers together take
     * exactly k ≡ I (mod N), and the hot path is the same loop with other numbers.
     */
    private readonly lane: number,
    private readonly stride: number,
    /** Requests the data can fill (a replayed source with `atEnd: stop`), else Infinity. */
    private readonly dataLimit: number,
    private readonly fail: (err: unknown) => void,
  ) {}

  /**
   * Run one phase. Every worker walks the whole arrival stream, so each knows the phase's count and end without any
   * sharing (and nothing has to count a long Poisson schedule up front).
   */
  run(ph: OpenPhasePlan, base: number, startUs: number): Promise<{ count: number; endUs: number }> {
    return new Promise((resolve) => {
      const it = arrivalOffsetsUs(ph, this.seed);
      let k = 0;
      let next = it.next();
      // Advance to this worker's first arrival.
      while (!next.done && k % this.stride !== this.lane) {
        next = it.next();
        k++;
      }
      this.open = { it, next, k, p: ph.index, base, startUs, endUs: Infinity, resolve };
      this.pump();
    });
  }

  /** After a round of answers (the thread is awake anyway): send whatever has become due meanwhile. */
  pumpIfDue(): void {
    if (this.open && this.state.nowUs() >= this.dueUs) this.pump();
  }

  cancel(): void {
    this.waker.cancel();
  }

  /**
   * Send the open-loop requests that are due (at most `maxSends`, then yield so responses keep being read), then
   * arrange to be woken for the next one.
   */
  private pump(maxSends = MAX_SENDS_PER_PUMP): void {
    try {
      this.pumpUnguarded(maxSends);
    } catch (err) {
      this.fail(err);
    }
  }

  private pumpUnguarded(maxSends: number): void {
    const o = this.open;
    if (!o) return;
    const state = this.state;
    const W = this.stride;
    let now = state.nowUs();
    let sends = 0;
    while (!o.next.done) {
      if (state.stopped()) return this.end(o);
      const intendedUs = o.startUs + o.next.value;
      if (intendedUs > now || sends++ === maxSends) {
        this.dueUs = intendedUs;
        this.waker.at(intendedUs, now);
        return;
      }
      if (o.base + o.k >= this.dataLimit) {
        state.markDataEnd();
        return this.end(o);
      }
      this.exchange.dispatch(o.base + o.k, o.p, intendedUs, now, null);
      for (let i = 0; i < W && !o.next.done; i++) {
        o.next = o.it.next();
        o.k++;
      }
      now = state.nowUs();
    }
    // Every arrival sent: the phase lasts until its end — its duration, or when the first arrival beyond its request
    // cap is due (the cap ends the phase) — and the next phase starts on time from there.
    if (o.endUs === Infinity) {
      o.endUs = o.startUs + o.next.value;
      state.endOpenPhase(o.p, o.endUs);
    }
    if (now < o.endUs && !state.stopped() && !state.dataEnded()) {
      this.dueUs = o.endUs;
      this.waker.at(o.endUs, now);
      return;
    }
    this.end(o);
  }

  private end(o: OpenState): void {
    if (this.open === o) this.open = null;
    this.dueUs = Infinity;
    this.waker.cancel();
    o.resolve({ count: o.k, endUs: o.endUs });
  }
}
