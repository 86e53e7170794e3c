// The closed loop of one worker: its share of a phase's concurrency as ClosedSlots (slots.ts), each sending its next
// request as soon as the last one settled, with sequence numbers from the phase's shared atomic counter
// (shared.ts). The phase closes at its duration, its request cap, a stop, or the end of the data — whichever worker
// sees it first closes it for all.
import type { ClosedPhase } from '../../spec/types.js';
import { CLOSED_BIT, MAX_CLOSED_COUNT, shareOf } from '../task.js';
import type { Exchange } from './exchange.js';
import type { RunState } from './shared.js';
import { ClosedSlot, type ClosedPhaseState, type SlotHost } from './slots.js';

export class ClosedRunner implements SlotHost {
  readonly targetCount: number;

  constructor(
    private readonly state: RunState,
    private readonly exchange: Exchange,
    private readonly workerIndex: number,
    private readonly workerCount: number,
    private readonly shardIndex: number,
    private readonly shardCount: number,
    /** Requests the data can fill (a replayed source with `atEnd: stop`), else Infinity. */
    private readonly dataLimit: number,
  ) {
    this.targetCount = exchange.targetCount;
  }

  nowUs(): number {
    return this.state.nowUs();
  }

  dispatch(seq: number, p: number, intendedUs: number, nowUs: number, slot: ClosedSlot | null): void {
    this.exchange.dispatch(seq, p, intendedUs, nowUs, slot);
  }

  /** Run phase `p` from `startUs`; resolves with its final count and end, the same in every worker. */
  run(ph: ClosedPhase, p: number, base: number, startUs: number): Promise<{ count: number; endUs: number }> {
    const state = this.state;
    // A shard's concurrency is its largest-remainder share of the phase's; its workers split that the same way.
    const c = shareOf(ph.concurrency, this.shardIndex, this.shardCount);
    const n = shareOf(c, this.workerIndex, this.workerCount);
    return new Promise((resolve) => {
      let running = n;
      const finished = async () => {
        // A slot stops only once the phase is closed (by whichever worker hit the deadline or the count first), so
        // after this every worker reads the same final count and end time.
        while (!state.phaseEnded(p)) {
          if (state.nowUs() >= phase.deadlineUs || state.stopped()) state.closePhase(p, phase.deadlineUs);
          else await new Promise((r) => setTimeout(r, 1));
        }
        resolve(state.closedPhaseResult(p));
      };
      const phase: ClosedPhaseState = {
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
        for (let i = 0; i < n; i++) new ClosedSlot(this, phase).next();
      };
      const now = state.nowUs();
      if (now < startUs) setTimeout(begin, Math.max(1, Math.ceil((startUs - now) / 1000)));
      else begin();
    });
  }

  /** The next sequence number (within the phase) of a closed-loop phase, or -1 once it is over. */
  allocate(ph: ClosedPhaseState, nowUs: number): number {
    const state = this.state;
    const counter = state.counters;
    const p = ph.p;
    for (;;) {
      const v = Atomics.load(counter, p);
      if (v & CLOSED_BIT) return -1;
      const seq = ph.base + ph.lane + v * ph.stride;
      if (v >= ph.max || nowUs >= ph.deadlineUs || state.stopped() || seq >= this.dataLimit) {
        if (seq >= this.dataLimit) state.markDataEnd();
        state.closePhase(p, ph.deadlineUs);
        return -1;
      }
      if (Atomics.compareExchange(counter, p, v, v + 1) === v) return v;
    }
  }
}
