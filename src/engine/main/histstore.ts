// The main thread's merged histograms, with memory that does not grow with the number of requests.
// A live 3-digit histogram (1 µs – 1 h) costs ~200 KB; one per window of 1,000 requests made a 2M-request run hold
// 2,000 of them (~400 MB; bench/RESULTS.md). So only the per-phase histograms (latency of successful and of failed requests, service time, lag: a few)
// stay live; the per-window and per-second series keep the workers' compressed deltas (a few hundred bytes each,
// folded into one once they pile up) and are decoded on demand into one reused scratch histogram. Everything goes
// through WebAssembly histograms with explicit frees, as before: a fresh pure-JS copy per read would be ~200 KB of
// large-object garbage per window and balloon the heap while the summary is built.
import { createHistogram, decodeHistogram, encodeHistogram, mergeEncoded, type Histogram } from '../../stats/hist.js';

/** Deltas kept per series key before they are folded into one encoding. */
const FOLD_AT = 8;

/** Per-window (`lat:w…`, `latf:w…`) and per-second (`lat:s…`) keys are series: many keys, each read once at the end. */
const isSeries = (key: string): boolean => key.startsWith('lat:w') || key.startsWith('lat:s') || key.startsWith('latf:w');

export class HistogramStore {
  private readonly live = new Map<string, Histogram>();
  private readonly parts = new Map<string, string[]>();
  private scratch: Histogram | undefined;

  /** Add a worker's encoded delta under `key`. */
  merge(key: string, encoded: string): void {
    if (!encoded) return;
    if (!isSeries(key)) {
      let h = this.live.get(key);
      if (!h) this.live.set(key, (h = createHistogram()));
      mergeEncoded(h, encoded);
      return;
    }
    const list = this.parts.get(key);
    if (!list) this.parts.set(key, [encoded]);
    else if (list.push(encoded) >= FOLD_AT) this.parts.set(key, [encodeHistogram(this.fold(list))]);
  }

  /**
   * The histogram of `key`, or undefined. Do not destroy it. Per-phase histograms are live; a series histogram is
   * a scratch copy, valid until the next `get` of a series key (read it at once, as the summary does).
   */
  get(key: string): Histogram | undefined {
    const h = this.live.get(key);
    if (h) return h;
    const list = this.parts.get(key);
    if (!list) return undefined;
    const merged = this.fold(list);
    if (list.length > 1) this.parts.set(key, [encodeHistogram(merged)]);
    return merged;
  }

  has(key: string): boolean {
    return this.live.has(key) || this.parts.has(key);
  }

  /** Free the WebAssembly histograms. */
  destroy(): void {
    for (const h of this.live.values()) h.destroy();
    this.live.clear();
    this.parts.clear();
    this.scratch?.destroy();
    this.scratch = undefined;
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
