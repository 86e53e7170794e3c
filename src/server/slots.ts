// A server of known capacity: K answers in service at once, the rest wait in arrival order (FIFO). With a service
// time of S each, it completes at most K / S requests per second — the reference `modelwave capacity` must find
// (`modelwave serve --slots K --latency S`). Main-thread, event-loop code of the reference server.

export class Slots {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];
  private head = 0;

  /** `slots`: a positive integer. */
  constructor(readonly slots: number) {
    if (!(Number.isInteger(slots) && slots > 0)) throw new RangeError(`slots must be a positive integer (got ${slots})`);
  }

  /** Run `start` now if a slot is free, else when one frees (in arrival order). `start` must call leave() once. */
  enter(start: () => void): void {
    if (this.busy < this.slots) {
      this.busy++;
      start();
    } else {
      this.waiting.push(start);
    }
  }

  /** A request left its slot: the longest-waiting one takes it. */
  leave(): void {
    if (this.head < this.waiting.length) {
      const next = this.waiting[this.head]!;
      this.waiting[this.head++] = undefined as unknown as () => void;
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      next(); // the slot passes on: busy is unchanged
    } else {
      this.busy--;
    }
  }

  /** Requests waiting for a slot now. */
  get queued(): number {
    return this.waiting.length - this.head;
  }
}
