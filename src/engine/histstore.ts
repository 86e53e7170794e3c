// The main thread's merged histograms, with memory that does not grow with the number of requests.
// A live 3-digit histogram (1 µs – 1 h) costs ~200 KB; one per window of 1,000 requests made a 2M-request run hold
// 2,000 of them (~400 MB; bench/RESULTS.md). So only the per-phase histograms (latency, service time, lag: a few)
// stay live; the per-window and per-second series keep the workers' compressed deltas (a few hundred bytes each,
// folded into one once they pile up) and are decoded on demand into a garbage-collected copy.
import * as hdr from 'hdr-histogram-js';
import { createHistogram, encodeHistogram, mergeEncoded, type Histogram } from './hist.js';

/** Deltas kept per series key before they are folded into one encoding. */
const FOLD_AT = 8;

/** Per-window (`lat:w…`) and per-second (`lat:s…`) keys are series: many keys, each read once at the end. */
const isSeries = (key: string): boolean => key.startsWith('lat:w') || key.startsWith('lat:s');

export class HistogramStore {
  private readonly live = new Map<string, Histogram>();
  private readonly parts = new Map<string, string[]>();

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
    else if (list.push(encoded) >= FOLD_AT) this.parts.set(key, [encodeHistogram(fold(list))]);
  }

  /**
   * The histogram of `key`, or undefined. Per-phase histograms are the live ones (do not destroy them); a series
   * histogram is a fresh pure-JS copy, freed by the garbage collector (read it, do not `add` it to a WASM one).
   */
  get(key: string): Histogram | undefined {
    const h = this.live.get(key);
    if (h) return h;
    const list = this.parts.get(key);
    if (!list) return undefined;
    const merged = fold(list);
    if (list.length > 1) this.parts.set(key, [encodeHistogram(merged)]);
    return merged;
  }

  has(key: string): boolean {
    return this.live.has(key) || this.parts.has(key);
  }

  /** Free the live (WebAssembly) histograms. */
  destroy(): void {
    for (const h of this.live.values()) h.destroy();
    this.live.clear();
    this.parts.clear();
  }
}

/** Decode and add up encoded histograms into one pure-JS histogram. */
function fold(encoded: string[]): Histogram {
  const out = hdr.decodeFromCompressedBase64(encoded[0], 64, false);
  for (let i = 1; i < encoded.length; i++) out.add(hdr.decodeFromCompressedBase64(encoded[i], 64, false));
  return out;
}
