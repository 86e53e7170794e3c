// The main thread's merged histograms, with memory that does not grow with the number of requests.
// A live 3-digit histogram (1 µs – 1 h) costs ~200 KB; one per window of 1,000 requests made a 2M-request run hold
// 2,000 of them (~400 MB; bench/RESULTS.md). So only the per-phase histograms (latency of successful and of failed requests, service time, lag: a few)
// stay live; the per-window and per-second series keep the workers' compressed deltas (a few hundred bytes each,
// folded into one once they pile up) and are decoded on demand into one reused scratch histogram. Everything goes
// through WebAssembly histograms with explicit frees, as before: a fresh pure-JS copy per read would be ~200 KB of
// large-object garbage per window and balloon the heap while the summary is built.
import { createHistogram, decodeHistogram, encodeHistogram, mergeEncoded, type Histogram } from '../../stats/hist.js';
import type { HistRef, PhaseSeries, WindowSeries } from '../task.js';

/** Deltas kept per series histogram before they are folded into one encoding. */
const FOLD_AT = 8;

export class HistogramStore {
  /** Per-phase histograms, live: by series, indexed by phase. */
  private readonly phases: Record<PhaseSeries, (Histogram | undefined)[]> = { latency: [], latencyFailed: [], service: [], lag: [] };
  /** Per-window and per-second series (many histograms, each read once at the end): encoded deltas, by index. */
  private readonly windows: Record<WindowSeries, Map<number, string[]>> = { latency: new Map(), latencyFailed: new Map() };
  private readonly seconds = new Map<number, string[]>();
  private scratch: Histogram | undefined;

  /** Add a worker's encoded delta to the histogram `ref` names. */
  merge(ref: HistRef, encoded: string): void {
    if (!encoded) return;
    if ('phase' in ref) {
      const list = this.phases[ref.series];
      mergeEncoded(list[ref.phase] ?? (list[ref.phase] = createHistogram()), encoded);
      return;
    }
    const [series, i] = this.seriesOf(ref);
    const list = series.get(i);
    if (!list) series.set(i, [encoded]);
    else if (list.push(encoded) >= FOLD_AT) series.set(i, [encodeHistogram(this.fold(list))]);
  }

  /**
   * The histogram `ref` names, or undefined. Do not destroy it. Per-phase histograms are live; a window or second
   * histogram is a scratch copy, valid until the next `get` of one (read it at once, as the summary does).
   */
  get(ref: HistRef): Histogram | undefined {
    if ('phase' in ref) return this.phases[ref.series][ref.phase];
    const [series, i] = this.seriesOf(ref);
    const list = series.get(i);
    if (!list) return undefined;
    const merged = this.fold(list);
    if (list.length > 1) series.set(i, [encodeHistogram(merged)]);
    return merged;
  }

  /** Free the WebAssembly histograms. */
  destroy(): void {
    for (const list of Object.values(this.phases)) {
      for (const h of list) h?.destroy();
      list.length = 0;
    }
    this.windows.latency.clear();
    this.windows.latencyFailed.clear();
    this.seconds.clear();
    this.scratch?.destroy();
    this.scratch = undefined;
  }

  private seriesOf(ref: Exclude<HistRef, { phase: number }>): [Map<number, string[]>, number] {
    return 'window' in ref ? [this.windows[ref.series], ref.window] : [this.seconds, ref.second];
  }

  /** Decode and add up encoded histograms into the scratch histogram. */
  private fold(encoded: string[]): Histogram {
    const out = this.scratch ?? (this.scratch = createHistogram());
    out.reset();
    for (const e of encoded) {
      const h = decodeHistogram(e);
      out.add(h);
      h.destroy();
    }
    return out;
  }
}
