// Request timeouts: one timer for the earliest deadline in flight, not one per request and not a fixed-rate sweep
// (every wake-up costs 30–80 µs of CPU on the bench VM; bench/RESULTS.md). Deadlines only grow with send time, so a
// timer armed for an earlier one covers a new request; when it fires, every expired request fails and the timer
// moves to the next deadline. A timeout is recorded at most ~1 ms after its deadline.
import type { ConnectionPool } from '../net/http.js';

export class Deadlines {
  private timer: NodeJS.Timeout | undefined;
  private armedMs = Infinity;

  constructor(
    private readonly pools: ConnectionPool[],
    private readonly nowMs: () => number,
  ) {}

  /** A request was sent with this deadline (same clock as `nowMs`). Cheap when a timer already covers it. */
  arm(deadlineMs: number): void {
    if (deadlineMs >= this.armedMs) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedMs = deadlineMs;
    this.timer = setTimeout(this.fire, Math.max(1, Math.ceil(deadlineMs - this.nowMs())));
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedMs = Infinity;
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedMs = Infinity;
    const now = this.nowMs();
    let next = Infinity;
    for (const p of this.pools) {
      p.sweep(now);
      next = Math.min(next, p.earliestDeadlineMs());
    }
    if (next < Infinity) this.arm(next);
  };
}
