// A worker's histogram deltas for one target, recorded per request, shipped (encoded) and restarted empty at every
// flush. Two latency populations, split here where it costs nothing: a request is recorded in the *successful*
// series (`ok` outcome) or in the *failed* one (HTTP error, timeout, connection error, bad response), never both, so
// a request still costs the same number of recordings; "all" is the merge of the two, made on the main thread.
// Per phase: latency of successful requests, latency of failed ones, service time of successful ones, send lag of
// every sent request (lag is the generator's lateness, whatever the answer). Per window (count or span): latency,
// successful and failed. Per second of the run: latency of successful requests (the timeline chart).
// Warm-up requests count in their phase's histograms and the per-second series, not in windows (as in accounting).
// Hot path: per-phase histograms live in arrays and the current window/second histograms are cached, so recording
// a request is at most five WebAssembly calls and no Map lookup; a flush ships each histogram as a typed HistDelta
// (task.ts) naming its target, series and phase, window or second.
import { createHistogram, encodeHistogram, recordUs, type Histogram } from '../../stats/hist.js';
import type { HistDelta, HistRef } from '../task.js';

export class HistogramDeltas {
  private lat: (Histogram | undefined)[] = [];
  private latFailed: (Histogram | undefined)[] = [];
  private svc: (Histogram | undefined)[] = [];
  private lag: (Histogram | undefined)[] = [];
  private readonly windows = new Map<number, Histogram>();
  private readonly windowsFailed = new Map<number, Histogram>();
  private readonly seconds = new Map<number, Histogram>();
  private winIndex = -1;
  private winHist: Histogram | undefined;
  private winFailedIndex = -1;
  private winFailedHist: Histogram | undefined;
  private secIndex = -1;
  private secHist: Histogram | undefined;
  private empty = true;

  /** `target`: the target (0, or 0/1 in compare) whose requests these are. */
  constructor(private readonly target: number) {}

  /**
   * One sent request (not a dropped one): `ok` true for a successful answer. Times in µs: latency from the intended
   * send time, service from the actual send, lag = actual − intended send.
   */
  record(phase: number, warmup: boolean, window: number, second: number, ok: boolean, latencyUs: number, serviceUs: number, lagUs: number): void {
    this.empty = false;
    recordUs(this.lag[phase] ?? (this.lag[phase] = createHistogram()), lagUs);
    if (!ok) {
      recordUs(this.latFailed[phase] ?? (this.latFailed[phase] = createHistogram()), latencyUs);
      if (warmup) return;
      if (window !== this.winFailedIndex || this.winFailedHist === undefined) {
        this.winFailedIndex = window;
        this.winFailedHist = this.windowsFailed.get(window);
        if (!this.winFailedHist) this.windowsFailed.set(window, (this.winFailedHist = createHistogram()));
      }
      recordUs(this.winFailedHist, latencyUs);
      return;
    }
    recordUs(this.lat[phase] ?? (this.lat[phase] = createHistogram()), latencyUs);
    recordUs(this.svc[phase] ?? (this.svc[phase] = createHistogram()), serviceUs);
    if (!warmup) {
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

  /** Encode every histogram into `out` (one HistDelta each) and start over empty. */
  drainInto(out: HistDelta[]): void {
    const target = this.target;
    const ship = (ref: HistRef, h: Histogram | undefined) => {
      if (!h) return;
      out.push({ ...ref, target, encoded: encodeHistogram(h) });
      h.destroy();
    };
    this.lat.forEach((h, phase) => ship({ series: 'latency', phase }, h));
    this.latFailed.forEach((h, phase) => ship({ series: 'latencyFailed', phase }, h));
    this.svc.forEach((h, phase) => ship({ series: 'service', phase }, h));
    this.lag.forEach((h, phase) => ship({ series: 'lag', phase }, h));
    for (const [window, h] of this.windows) ship({ series: 'latency', window }, h);
    for (const [window, h] of this.windowsFailed) ship({ series: 'latencyFailed', window }, h);
    for (const [second, h] of this.seconds) ship({ series: 'latency', second }, h);
    this.lat = [];
    this.latFailed = [];
    this.svc = [];
    this.lag = [];
    this.windows.clear();
    this.windowsFailed.clear();
    this.seconds.clear();
    this.winHist = undefined;
    this.winFailedHist = undefined;
    this.secHist = undefined;
    this.winIndex = -1;
    this.winFailedIndex = -1;
    this.secIndex = -1;
    this.empty = true;
  }
}
