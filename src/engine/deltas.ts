// A worker's histogram deltas for one target: latency, service time and lag per phase, latency per window and per
// second of the run. Recorded per request, shipped (encoded) and restarted empty at every flush.
// Hot path: per-phase histograms live in arrays and the current window/second histogram is cached, so recording
// a request is five WebAssembly calls and no Map lookup or key string (keys are built only when flushing).
import { createHistogram, encodeHistogram, recordUs, type Histogram } from './hist.js';
import { histKey } from './task.js';

export class HistogramDeltas {
  private lat: (Histogram | undefined)[] = [];
  private svc: (Histogram | undefined)[] = [];
  private lag: (Histogram | undefined)[] = [];
  private readonly windows = new Map<number, Histogram>();
  private readonly seconds = new Map<number, Histogram>();
  private winIndex = -1;
  private winHist: Histogram | undefined;
  private secIndex = -1;
  private secHist: Histogram | undefined;
  private empty = true;

  /** `prefix` goes before every key (`t1|` for the second target of a comparison). */
  constructor(private readonly prefix: string) {}

  /** One completed request (not a dropped one). Warm-up requests only count in the per-second series. */
  record(phase: number, warmup: boolean, window: number, second: number, latencyUs: number, serviceUs: number, lagUs: number): void {
    this.empty = false;
    if (!warmup) {
      recordUs(this.lat[phase] ?? (this.lat[phase] = createHistogram()), latencyUs);
      recordUs(this.svc[phase] ?? (this.svc[phase] = createHistogram()), serviceUs);
      recordUs(this.lag[phase] ?? (this.lag[phase] = createHistogram()), lagUs);
      if (window !== this.winIndex || this.winHist === undefined) {
        this.winIndex = window;
        this.winHist = this.windows.get(window);
        if (!this.winHist) this.windows.set(window, (this.winHist = createHistogram()));
      }
      recordUs(this.winHist, latencyUs);
    }
    if (second !== this.secIndex || this.secHist === undefined) {
      this.secIndex = second;
      this.secHist = this.seconds.get(second);
      if (!this.secHist) this.seconds.set(second, (this.secHist = createHistogram()));
    }
    recordUs(this.secHist, latencyUs);
  }

  get isEmpty(): boolean {
    return this.empty;
  }

  /** Encode every histogram into `out` (key → compressed base64) and start over empty. */
  drainInto(out: Record<string, string>): void {
    const pre = this.prefix;
    const ship = (key: string, h: Histogram | undefined) => {
      if (!h) return;
      out[pre + key] = encodeHistogram(h);
      h.destroy();
    };
    this.lat.forEach((h, p) => ship(histKey.latency(p), h));
    this.svc.forEach((h, p) => ship(histKey.service(p), h));
    this.lag.forEach((h, p) => ship(histKey.lag(p), h));
    for (const [w, h] of this.windows) ship(histKey.window(w), h);
    for (const [s, h] of this.seconds) ship(histKey.second(s), h);
    this.lat = [];
    this.svc = [];
    this.lag = [];
    this.windows.clear();
    this.seconds.clear();
    this.winHist = undefined;
    this.secHist = undefined;
    this.winIndex = -1;
    this.secIndex = -1;
    this.empty = true;
  }
}
