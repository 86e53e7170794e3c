// One target's latency histograms, recorded on the main thread from every request's record as it arrives (the
// workers ship records only: each record's intended, sent and received times are all a histogram needs), with
// memory that does not grow with the number of requests.
// Series (HistRef, task.ts): per phase — latency of successful requests, latency of failed ones, service time of
// successful ones, send lag of every sent request (the generator's lateness, whatever the answer); per window
// (count or span) — latency, successful and failed; per second of the run — latency of successful requests (the
// timeline chart). A request is in the successful or in the failed latency series, never both. Warm-up requests
// count in their phase's histograms and the per-second series, not in windows (as in accounting).
// Memory: a live 3-digit histogram (1 µs – 1 h) costs ~190 KB, and a 2M-request run has 2,000 windows of 1,000. So
// the per-phase histograms (a few) stay live, and of the per-window and per-second series only the last
// `LIVE_PER_SERIES` indices touched do; older ones are kept compressed (a few hundred bytes) and decoded on demand
// into one reused scratch histogram. A late answer for an index already compressed (a timeout arriving windows
// later) is kept as a value and folded in when read; once `LATE_REVIVE_AT` pile up for one index (a distributed
// merge replaying shard after shard sends every window's values again), the index is made live again.
// Cost (bench/RESULTS.md, issue #19): recording a request is at most five WebAssembly calls and no Map lookup in the
// common case (the current window's and second's histograms are cached); nothing is encoded or decoded per batch.
import { createHistogram, encodeHistogram, mergeEncoded, recordUs, type Histogram } from '../../stats/hist.js';
import type { HistRef, PhaseSeries, WindowSeries } from '../task.js';

/** Live histograms kept per window or second series; the oldest created is compressed when another is needed. */
export const LIVE_PER_SERIES = 8;
/** Late values kept per compressed index before the index is made live again (memory: at most this many per index). */
export const LATE_REVIVE_AT = 64;

/** Histograms by window or second index: the last few live, older ones compressed. */
class IndexedSeries {
  private readonly live = new Map<number, Histogram>();
  private readonly encoded = new Map<number, string[]>();
  private readonly late = new Map<number, number[]>();
  private lastIndex = -1;
  private lastHist: Histogram | undefined;

  /** Record a value (µs) at index `i`. */
  record(i: number, us: number): void {
    if (i === this.lastIndex && this.lastHist) return recordUs(this.lastHist, us);
    let h = this.live.get(i);
    if (!h) {
      if (this.encoded.has(i)) return this.recordLate(i, us);
      if (this.live.size >= LIVE_PER_SERIES) this.compressOldest();
      h = createHistogram();
      this.live.set(i, h);
    }
    this.lastIndex = i;
    this.lastHist = h;
    recordUs(h, us);
  }

  /** The histogram at `i` (live, or folded into `scratch`), or undefined when nothing was recorded there. */
  get(i: number, scratch: () => Histogram): Histogram | undefined {
    const live = this.live.get(i);
    const enc = this.encoded.get(i);
    if (!enc) return live;
    const out = scratch();
    out.reset();
    this.addStored(out, i);
    if (enc.length > 1 || this.late.has(i)) {
      this.encoded.set(i, [encodeHistogram(out)]);
      this.late.delete(i);
    }
    if (live) out.add(live);
    return out;
  }

  /** The single stored encoding of index `i` when that is all it holds (see HistogramStore.encodedOf). */
  encodedOf(i: number): string | undefined {
    const enc = this.encoded.get(i);
    return enc?.length === 1 && !this.live.has(i) && !this.late.has(i) ? enc[0] : undefined;
  }

  destroy(): void {
    for (const h of this.live.values()) h.destroy();
    this.live.clear();
    this.encoded.clear();
    this.late.clear();
    this.lastHist = undefined;
    this.lastIndex = -1;
  }

  private compressOldest(): void {
    const [i, h] = this.live.entries().next().value as [number, Histogram];
    this.live.delete(i);
    const list = this.encoded.get(i);
    if (list) list.push(encodeHistogram(h));
    else this.encoded.set(i, [encodeHistogram(h)]);
    h.destroy();
    if (this.lastIndex === i) {
      this.lastIndex = -1;
      this.lastHist = undefined;
    }
  }

  /** Add what index `i` holds outside its live histogram (its encodings and late values) into `into`. */
  private addStored(into: Histogram, i: number): void {
    for (const e of this.encoded.get(i) ?? []) mergeEncoded(into, e);
    for (const v of this.late.get(i) ?? []) recordUs(into, v);
  }

  private recordLate(i: number, us: number): void {
    let list = this.late.get(i);
    if (!list) this.late.set(i, (list = []));
    if (list.push(us) < LATE_REVIVE_AT) return;
    const h = createHistogram();
    this.addStored(h, i);
    this.encoded.delete(i);
    this.late.delete(i);
    if (this.live.size >= LIVE_PER_SERIES) this.compressOldest();
    this.live.set(i, h);
  }

  /** Late values held (not yet in any histogram): bounded by LATE_REVIVE_AT per index. */
  get lateValues(): number {
    let n = 0;
    for (const list of this.late.values()) n += list.length;
    return n;
  }
}

export class HistogramStore {
  /** Per-phase histograms, live: by series, indexed by phase. */
  private readonly phases: Record<PhaseSeries, (Histogram | undefined)[]> = { latency: [], latencyFailed: [], service: [], lag: [] };
  private readonly windows: Record<WindowSeries, IndexedSeries> = { latency: new IndexedSeries(), latencyFailed: new IndexedSeries() };
  private readonly seconds = new IndexedSeries();
  private scratch: Histogram | undefined;
  private readonly scratchOf = (): Histogram => (this.scratch ??= createHistogram());

  /**
   * One sent request (not a dropped one) of phase `phase`, window `window` and second `second` of the run; `ok` for
   * a successful answer. Times in µs: latency from the intended send time, service from the actual send, lag =
   * actual − intended send.
   */
  record(phase: number, warmup: boolean, window: number, second: number, ok: boolean, latencyUs: number, serviceUs: number, lagUs: number): void {
    const ph = this.phases;
    recordUs(ph.lag[phase] ?? (ph.lag[phase] = createHistogram()), lagUs);
    if (!ok) {
      recordUs(ph.latencyFailed[phase] ?? (ph.latencyFailed[phase] = createHistogram()), latencyUs);
      if (!warmup) this.windows.latencyFailed.record(window, latencyUs);
      return;
    }
    recordUs(ph.latency[phase] ?? (ph.latency[phase] = createHistogram()), latencyUs);
    recordUs(ph.service[phase] ?? (ph.service[phase] = createHistogram()), serviceUs);
    if (!warmup) this.windows.latency.record(window, latencyUs);
    this.seconds.record(second, latencyUs);
  }

  /**
   * The histogram `ref` names, or undefined when nothing was recorded in it. Do not destroy it. Per-phase histograms
   * and recent windows and seconds are live; an older window or second is a scratch copy, valid until the next
   * `get` (read it at once, as the summary does).
   */
  get(ref: HistRef): Histogram | undefined {
    if ('phase' in ref) return this.phases[ref.series][ref.phase];
    return 'window' in ref ? this.windows[ref.series].get(ref.window, this.scratchOf) : this.seconds.get(ref.second, this.scratchOf);
  }

  /**
   * The encoding (stats/hist.ts encodeHistogram) of a window or second histogram kept compressed and nothing else
   * (no live part, no late values), as stored: the same string encoding what `get` returns would give. Else undefined.
   */
  encodedOf(ref: HistRef): string | undefined {
    if ('phase' in ref) return undefined;
    return 'window' in ref ? this.windows[ref.series].encodedOf(ref.window) : this.seconds.encodedOf(ref.second);
  }

  /** Late values held across the window and second series (see IndexedSeries.recordLate). */
  get lateValues(): number {
    return this.windows.latency.lateValues + this.windows.latencyFailed.lateValues + this.seconds.lateValues;
  }

  /** Free the WebAssembly histograms. */
  destroy(): void {
    for (const list of Object.values(this.phases)) {
      for (const h of list) h?.destroy();
      list.length = 0;
    }
    this.windows.latency.destroy();
    this.windows.latencyFailed.destroy();
    this.seconds.destroy();
    this.scratch?.destroy();
    this.scratch = undefined;
  }
}
