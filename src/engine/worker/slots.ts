// Per-request and per-slot state of a worker, reused rather than allocated per request: the request in flight on a
// connection, and a unit of closed-loop concurrency that sends its next request as soon as the last one settles.
import type { Connection, Done } from '../net/http.js';

/** A closed-loop slot whose requests keep completing synchronously (all dropped) yields to the event loop this often. */
const SYNC_YIELD_EVERY = 64;

/** The request in flight on one connection (one per connection, reused for every request it carries). */
export class InFlight {
  seq = 0;
  phase = 0;
  intendedUs = 0;
  sentUs = 0;
  // The answer, held from its arrival until it is processed (later in the same turn of the event loop).
  receivedUs = 0;
  status = 0;
  body: string | null = null;
  err = 0;
  /** The request was sent a second time on a fresh connection (a stale keep-alive connection). */
  retried = false;
  /** The closed-loop slot waiting for this request, if any. */
  slot: ClosedSlot | null = null;
  readonly labels: Float64Array;
  /** Prebound once: the connection calls it when the response (or error) arrives. */
  done!: Done;

  constructor(
    readonly target: number,
    readonly conn: Connection,
    k: number,
  ) {
    this.labels = new Float64Array(k);
  }
}

/** What a closed-loop slot needs from its worker. */
export interface SlotHost {
  readonly targetCount: number;
  nowUs(): number;
  /** The next sequence number of the phase, or -1 once it is over. */
  allocate(ph: ClosedPhaseState, nowUs: number): number;
  dispatch(seq: number, phase: number, intendedUs: number, nowUs: number, slot: ClosedSlot | null): void;
}

/** One unit of closed-loop concurrency: sends a request, waits for it (on every target), sends the next. */
export class ClosedSlot {
  /** Responses still awaited for the current request (one per target). */
  pending = 0;
  private dispatching = false;
  constructor(
    private readonly run: SlotHost,
    private readonly phase: ClosedPhaseState,
  ) {}

  /** Send requests until one is in flight (or the phase is over). */
  next = (): void => {
    const ph = this.phase;
    for (let sync = 1; ; sync++) {
      const now = this.run.nowUs();
      const idx = this.run.allocate(ph, now);
      if (idx < 0) return ph.slotDone();
      this.pending = this.run.targetCount;
      this.dispatching = true;
      this.run.dispatch(ph.base + ph.lane + idx * ph.stride, ph.p, now, now, this);
      this.dispatching = false;
      if (this.pending > 0) return; // the last response calls settle()
      if (ph.thinkMs > 0) return void setTimeout(this.next, ph.thinkMs);
      if (sync % SYNC_YIELD_EVERY === 0) return void setImmediate(this.next);
    }
  };

  /** One target's response (or drop) for the current request. */
  settle(): void {
    if (--this.pending > 0 || this.dispatching) return;
    if (this.phase.thinkMs > 0) setTimeout(this.next, this.phase.thinkMs);
    else this.next();
  }
}

export interface ClosedPhaseState {
  p: number;
  base: number;
  /** Sequence number of allocation i: base + lane + i·stride (unsharded: lane 0, stride 1; shard I of N: I, N). */
  lane: number;
  stride: number;
  max: number;
  deadlineUs: number;
  thinkMs: number;
  slotDone: () => void;
}

