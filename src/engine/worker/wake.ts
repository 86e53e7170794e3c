// When an open-loop worker wakes up to send its next request. Measured on the bench VM (bench/RESULTS.md):
// setTimeout(1) fires 1.05–1.1 ms later at best (libuv timers are in whole ms), and a sleeping vCPU can take
// 1–3 ms to wake; spinning with setImmediate is precise but burns a whole core (at 5,000 req/s: ~200 µs of CPU per
// request). So: timers for the bulk of a wait, no spinning at all unless the next request is due within
// `spinUs`, and (in the worker) a pump after every response, which sends what has become due for free while the
// thread is awake anyway. A late send is never hidden: its lag is recorded and latency counts from the intended time.

/** Spin (yield with setImmediate) when the next send is due within this many µs; sleep on a timer otherwise. */
export const DEFAULT_SPIN_US = 50;

export class Waker {
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  /** The due time the armed timer (or immediate) is for, µs since the run epoch; Infinity when idle. */
  private armedForUs = Infinity;

  constructor(
    private readonly fire: () => void,
    private readonly spinUs: number = DEFAULT_SPIN_US,
  ) {}

  /** Call `fire` at `dueUs` or soon after; an earlier wake-up already armed is kept (unless this one is sooner). */
  at(dueUs: number, nowUs: number): void {
    const remainingUs = dueUs - nowUs;
    if (this.immediate) return; // already waking on the next turn of the loop: as early as it gets
    if (this.timer && this.armedForUs <= dueUs && remainingUs > this.spinUs) return;
    this.cancel();
    this.armedForUs = dueUs;
    if (remainingUs <= this.spinUs) {
      this.immediate = setImmediate(this.onWake);
    } else {
      // A timer fires ≥ 1 ms after it is armed (whole ms, rounded down): wake before the due time, not after it,
      // when the wait is long; when it is short, one tick late is the price of not spinning.
      const ms = remainingUs >= 2000 ? Math.floor((remainingUs - this.spinUs) / 1000) - 1 : 1;
      this.timer = setTimeout(this.onWake, Math.max(1, ms));
    }
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    this.armedForUs = Infinity;
  }

  private readonly onWake = (): void => {
    this.timer = undefined;
    this.immediate = undefined;
    this.armedForUs = Infinity;
    this.fire();
  };
}
