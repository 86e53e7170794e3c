// A version's latencies in time order, cut into consecutive slices, and the quantiles of resamples made of whole
// slices (the block bootstrap's inner loop). Slices keep each request as the rank of its value, so a resample's
// quantiles come from counting ranks — exact nearest-rank quantiles of the resampled requests, no interpolation.
import type { Blocks } from '../stats/blocks.js';
import { toSortedCounts } from './stats.js';

/** One version's latencies cut into consecutive slices of time; each slice is a list of (value rank, weight). */
export interface SlicedLatency {
  /** Ascending distinct latencies (ms). */
  values: Float64Array;
  /** Per entry: index into `values`. */
  rank: Int32Array;
  /** Per entry: how many requests had that value (1 for raw samples, bucket counts for histograms). */
  weight: Float64Array;
  /** Slice s holds entries start[s] … start[s + 1] − 1; start has one more element than there are slices. */
  start: Int32Array;
  sliceTotal: Float64Array;
  /** What one slice is, for the method sentence: "40 ms" or "window". */
  sliceLabel: string;
}

/** At most this many slices: the block-length estimate and each resample stay cheap for long runs. */
const MAX_SLICES = 2048;
/** Fewer slices than this cannot be resampled in blocks meaningfully: that side falls back to the iid bootstrap. */
export const MIN_SLICES = 5;

/**
 * Cuts timed latencies (`atMs[i]`: intended send time of request i, any origin; `latencyMs[i]` its latency) into
 * equal slices of time over [originMs, endMs]. Several sides cut with the same origin, end and count share one
 * grid, so slice s is the same moment for all of them.
 */
export function sliceByTime(atMs: ArrayLike<number>, latencyMs: ArrayLike<number>, grid: { originMs: number; endMs: number; slices: number }): SlicedLatency {
  if (atMs.length !== latencyMs.length) throw new RangeError(`sliceByTime: ${atMs.length} times but ${latencyMs.length} latencies`);
  const S = Math.max(1, Math.floor(grid.slices));
  const width = (grid.endMs - grid.originMs) / S || 1;
  const sliceOf = (t: number) => Math.min(S - 1, Math.max(0, Math.floor((t - grid.originMs) / width)));
  const sorted = toSortedCounts(latencyMs);
  const n = latencyMs.length;
  const perSlice = new Int32Array(S + 1);
  for (let i = 0; i < n; i++) perSlice[sliceOf(atMs[i]) + 1]++;
  for (let s = 0; s < S; s++) perSlice[s + 1] += perSlice[s];
  const start = Int32Array.from(perSlice);
  const fill = Int32Array.from(perSlice);
  const rank = new Int32Array(n);
  for (let i = 0; i < n; i++) rank[fill[sliceOf(atMs[i])]++] = rankOf(sorted.values, latencyMs[i]);
  const sliceTotal = Float64Array.from({ length: S }, (_, s) => start[s + 1] - start[s]);
  return { values: sorted.values, rank, weight: new Float64Array(n).fill(1), start, sliceTotal, sliceLabel: `${fmtMs(width)} ms` };
}

/** The time grid for timed sides: their common span, ~4 requests a slice on average, at most MAX_SLICES slices. */
export function gridFor(...sides: ArrayLike<number>[]): { originMs: number; endMs: number; slices: number } {
  let lo = Infinity;
  let hi = -Infinity;
  let n = 0;
  for (const at of sides) {
    n = Math.max(n, at.length);
    for (let i = 0; i < at.length; i++) {
      if (at[i] < lo) lo = at[i];
      if (at[i] > hi) hi = at[i];
    }
  }
  if (!Number.isFinite(lo)) return { originMs: 0, endMs: 1, slices: 1 };
  return { originMs: lo, endMs: hi + 1e-6, slices: Math.min(MAX_SLICES, Math.max(1, Math.ceil(n / 4))) };
}

/** Slices from histograms already kept per window (a report folder): each window one slice, in window order. */
export function sliceByBuckets(windows: { valuesMs: ArrayLike<number>; counts: ArrayLike<number> }[]): SlicedLatency {
  const all: number[] = [];
  for (const w of windows) for (let i = 0; i < w.valuesMs.length; i++) if (w.counts[i] > 0) all.push(w.valuesMs[i]);
  const values = toSortedCounts(all).values;
  const rank: number[] = [];
  const weight: number[] = [];
  const start = new Int32Array(windows.length + 1);
  const sliceTotal = new Float64Array(windows.length);
  windows.forEach((w, s) => {
    for (let i = 0; i < w.valuesMs.length; i++) {
      if (!(w.counts[i] > 0)) continue;
      rank.push(rankOf(values, w.valuesMs[i]));
      weight.push(w.counts[i]);
      sliceTotal[s] += w.counts[i];
    }
    start[s + 1] = rank.length;
  });
  return { values, rank: Int32Array.from(rank), weight: Float64Array.from(weight), start, sliceTotal, sliceLabel: 'window' };
}

/** Resamples whose k-th value fell outside the pilot's window are recounted in full (exact either way). */
const PILOT = 24;

interface RankWindow {
  lo: number;
  /** Prefix sums over slices of the weight below the window and inside it: slices a…b−1 hold below[b] − below[a]. */
  below: Float64Array;
  inside: Float64Array;
  /** The entries inside the window, slice after slice (CSR: slice s holds start[s] … start[s + 1] − 1). */
  start: Int32Array;
  rank: Int32Array;
  weight: Float64Array;
  counts: Float64Array;
}

/**
 * Nearest-rank quantiles of the requests in a resample made of blocks of consecutive slices. Counting every request
 * costs O(requests) per resample — 1,000 resamples of a 600,000-request run would take minutes — so after a pilot of
 * full counts it keeps, per quantile, a window of ranks around the ones the pilot reached, with prefix sums over
 * slices: a resample then costs O(blocks) for the weights below and inside the window plus the requests inside it.
 * A resample whose quantile falls outside the window is counted in full, so the result is always exact.
 */
export class SliceQuantiles {
  private readonly counts: Float64Array;
  private readonly totals: Float64Array;
  private readonly seenLo: Int32Array;
  private readonly seenHi: Int32Array;
  private readonly ranks: Int32Array;
  private readonly found: Float64Array;
  private calls = 0;
  private windows: RankWindow[] | null = null;

  /** `qs` ascending. */
  constructor(private readonly sl: SlicedLatency, private readonly qs: number[]) {
    this.counts = new Float64Array(sl.values.length);
    this.totals = prefix(sl.sliceTotal);
    this.seenLo = new Int32Array(qs.length).fill(2 ** 31 - 1);
    this.seenHi = new Int32Array(qs.length).fill(-1);
    this.ranks = new Int32Array(qs.length);
    this.found = new Float64Array(qs.length);
  }

  /** Fills out[i] with the qs[i]-quantile of the requests in the blocks' slices. False when they hold none. */
  quantiles(b: Blocks, out: Float64Array): boolean {
    this.calls++;
    let total = 0;
    for (let i = 0; i < b.count; i++) total += this.totals[b.start[i] + b.length[i]] - this.totals[b.start[i]];
    if (total === 0) return false;
    if (this.windows && this.windowed(b, total, out)) return true;
    this.full(b, total);
    for (let i = 0; i < this.qs.length; i++) {
      out[i] = this.sl.values[this.ranks[i]];
      if (this.ranks[i] < this.seenLo[i]) this.seenLo[i] = this.ranks[i];
      if (this.ranks[i] > this.seenHi[i]) this.seenHi[i] = this.ranks[i];
    }
    if (!this.windows && this.calls >= PILOT) this.windows = this.qs.map((_, i) => this.window(i));
    return true;
  }

  private full(b: Blocks, total: number): void {
    const { sl, counts, qs } = this;
    counts.fill(0);
    for (let i = 0; i < b.count; i++) {
      const end = sl.start[b.start[i] + b.length[i]];
      for (let e = sl.start[b.start[i]]; e < end; e++) counts[sl.rank[e]] += sl.weight[e];
    }
    let cum = 0;
    let qi = 0;
    for (let v = 0; v < counts.length && qi < qs.length; v++) {
      cum += counts[v];
      while (qi < qs.length && cum >= Math.max(1, Math.ceil(qs[qi] * total))) this.ranks[qi++] = v;
    }
    while (qi < qs.length) this.ranks[qi++] = counts.length - 1;
  }

  private windowed(b: Blocks, total: number, out: Float64Array): boolean {
    const { sl, qs, found } = this;
    for (let qi = 0; qi < qs.length; qi++) {
      const w = this.windows![qi];
      let below = 0;
      let inside = 0;
      for (let i = 0; i < b.count; i++) {
        const a = b.start[i];
        const z = a + b.length[i];
        below += w.below[z] - w.below[a];
        inside += w.inside[z] - w.inside[a];
      }
      const k = Math.max(1, Math.ceil(qs[qi] * total)) - below;
      if (k <= 0 || k > inside) return false;
      w.counts.fill(0);
      for (let i = 0; i < b.count; i++) {
        const end = w.start[b.start[i] + b.length[i]];
        for (let e = w.start[b.start[i]]; e < end; e++) w.counts[w.rank[e]] += w.weight[e];
      }
      let cum = 0;
      let v = 0;
      while ((cum += w.counts[v]) < k) v++;
      found[qi] = sl.values[w.lo + v];
    }
    out.set(found);
    return true;
  }

  /** The pilot's range of ranks for quantile i, widened by its own width (and at least 16 ranks) on each side. */
  private window(i: number): RankWindow {
    const { sl } = this;
    const S = sl.sliceTotal.length;
    const margin = Math.max(16, this.seenHi[i] - this.seenLo[i]);
    const lo = Math.max(0, this.seenLo[i] - margin);
    const hi = Math.min(sl.values.length - 1, this.seenHi[i] + margin);
    const below = new Float64Array(S);
    const inside = new Float64Array(S);
    const start = new Int32Array(S + 1);
    const rank: number[] = [];
    const weight: number[] = [];
    for (let s = 0; s < S; s++) {
      for (let e = sl.start[s]; e < sl.start[s + 1]; e++) {
        const r = sl.rank[e];
        if (r < lo) below[s] += sl.weight[e];
        else if (r <= hi) {
          inside[s] += sl.weight[e];
          rank.push(r - lo);
          weight.push(sl.weight[e]);
        }
      }
      start[s + 1] = rank.length;
    }
    return { lo, below: prefix(below), inside: prefix(inside), start, rank: Int32Array.from(rank), weight: Float64Array.from(weight), counts: new Float64Array(hi - lo + 1) };
  }
}

function prefix(x: Float64Array): Float64Array {
  const p = new Float64Array(x.length + 1);
  for (let i = 0; i < x.length; i++) p[i + 1] = p[i] + x[i];
  return p;
}

function rankOf(values: Float64Array, v: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const fmtMs = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toPrecision(3) : ms.toPrecision(2));
