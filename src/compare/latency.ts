// Latency quantile differences between baseline and candidate with intervals that respect time correlation.
// Requests are not independent draws: on a shared machine a slow stretch slows many consecutive requests, so an
// ordinary bootstrap's intervals are too narrow and an A/A comparison "finds" slowdowns. Here each version's
// latencies are cut into consecutive time slices and resampled in blocks of slices by the stationary bootstrap
// (Politis & Romano 1994) with the mean block length chosen from the data (Politis & White 2004; Patton, Politis &
// White 2009). In a live comparison both versions were measured at the same moments, so both take the *same*
// blocks of time: the shared conditions cancel in the ratio, as they did in the measurement.
// The rule p-values are one-sided in the rule's own direction on the same resamples, so a "slower" rule can only be
// failed by evidence that the candidate is slower.
import { newBlocks, optimalBlockLength, stationaryBlocks } from '../stats/blocks.js';
import { createRng, type Rng } from '../stats/rng.js';
import { DEFAULT_RESAMPLES, asSorted, percentileSorted, ratio, resampledQuantiles, type SampleInput } from './stats.js';
import { cumulative, nearestRankQuantile } from '../stats/ranks.js';
import { MIN_SLICES, SliceQuantiles, type SlicedLatency } from './slices.js';

export { sliceByTime, sliceByBuckets, gridFor, MIN_SLICES, type SlicedLatency } from './slices.js';

/** One version's latencies for the comparison: the whole sample, and its time slices when the time order is known. */
export interface LatencyInput {
  sample: SampleInput;
  slices?: SlicedLatency;
}

interface SideResampling {
  /** `block`: stationary bootstrap over time slices; `iid`: requests resampled independently (no time order known). */
  kind: 'block' | 'iid';
  slices?: number;
  /** What one slice is ("40 ms", "window"). */
  slice?: string;
  /** Mean block length in slices (Politis & White). */
  meanBlock?: number;
}

export interface LatencyQuantileComparison {
  q: number;
  base: number;
  cand: number;
  delta: number;
  ratio: number;
  deltaCi: [number, number];
  ratioCi: [number, number];
  /** One-sided bootstrap p for "the candidate's quantile is larger (slower)": share of resamples with Δ ≤ 0. */
  pSlower: number;
  /** One-sided bootstrap p for "the candidate's quantile is smaller (faster)": share of resamples with Δ ≥ 0. */
  pFaster: number;
  /** Two-sided: min(1, 2·min(pSlower, pFaster)). */
  pValue: number;
}

export interface LatencyComparison {
  quantiles: LatencyQuantileComparison[];
  /** The bootstrap draws of each quantile's delta and ratio, ascending (for rule p-values; not written to JSON). */
  draws: { deltas: Float64Array; ratios: Float64Array }[];
  resampling: { joint: boolean; resamples: number; seed: number; base: SideResampling; cand: SideResampling };
  method: string;
}

export interface LatencyCompareOptions {
  quantiles?: number[];
  resamples?: number;
  seed?: number;
  confidence?: number;
  /** Both versions were measured at the same moments (a live comparison): resample the same blocks of time. */
  joint?: boolean;
  /** `iid` ignores the time slices (the ordinary bootstrap) — for measuring what the blocks change, not for users. */
  resampling?: 'block' | 'iid';
}

export function compareLatencyQuantiles(base: LatencyInput, cand: LatencyInput, opts: LatencyCompareOptions = {}): LatencyComparison {
  // Ascending: one walk over a resample's counts finds them all.
  const qs = [...(opts.quantiles ?? [0.5, 0.9, 0.99])].sort((a, b) => a - b);
  const R = opts.resamples ?? DEFAULT_RESAMPLES;
  const seed = opts.seed ?? 1;
  const confidence = opts.confidence ?? 0.95;
  const useBlocks = (opts.resampling ?? 'block') === 'block';
  const blocky = (x: LatencyInput) => useBlocks && x.slices !== undefined && x.slices.sliceTotal.length >= MIN_SLICES;
  if (!(Number.isInteger(R) && R >= 1)) throw new RangeError(`latency bootstrap: resamples must be a positive integer (got ${R})`);
  qs.forEach((q, i) => {
    if (!(q > 0 && q <= 1)) throw new RangeError(`latency bootstrap: quantiles[${i}] must be in (0, 1] (got ${q})`);
  });
  const sb = asSorted(base.sample, 'base');
  const sc = asSorted(cand.sample, 'cand');
  if (sb.total === 0 || sc.total === 0) return unmeasured(qs, R, seed);
  const rng = createRng(seed);
  const joint = Boolean(opts.joint) && blocky(base) && blocky(cand) && base.slices!.sliceTotal.length === cand.slices!.sliceTotal.length;
  const bSide: SideResampling = blocky(base) ? blockInfo(base.slices!, qs) : { kind: 'iid' };
  const cSide: SideResampling = blocky(cand) ? blockInfo(cand.slices!, qs) : { kind: 'iid' };
  if (joint) bSide.meanBlock = cSide.meanBlock = Math.max(bSide.meanBlock!, cSide.meanBlock!);

  let vb: Float64Array[];
  let vc: Float64Array[];
  if (joint) {
    [vb, vc] = drawJoint(base.slices!, cand.slices!, bSide.meanBlock!, qs, R, rng);
  } else {
    vb = bSide.kind === 'block' ? drawBlocks(base.slices!, bSide.meanBlock!, qs, R, rng) : qs.map((q, i) => resampledQuantiles(base.sample, q, R, seed * 7919 + i));
    vc = cSide.kind === 'block' ? drawBlocks(cand.slices!, cSide.meanBlock!, qs, R, rng) : qs.map((q, i) => resampledQuantiles(cand.sample, q, R, seed * 7919 + 101 + i));
  }
  const sbCum = cumulative(sb);
  const scCum = cumulative(sc);
  const lo = (1 - confidence) / 2;
  const draws: LatencyComparison['draws'] = [];
  const quantiles = qs.map((q, i): LatencyQuantileComparison => {
    const deltas = new Float64Array(R);
    const ratios = new Float64Array(R);
    let notAbove = 0;
    let notBelow = 0;
    for (let r = 0; r < R; r++) {
      deltas[r] = vc[i][r] - vb[i][r];
      ratios[r] = ratio(vc[i][r], vb[i][r]);
      if (deltas[r] <= 0) notAbove++;
      if (deltas[r] >= 0) notBelow++;
    }
    deltas.sort();
    ratios.sort();
    draws.push({ deltas, ratios });
    const qb = nearestRankQuantile(sb, sbCum, q);
    const qc = nearestRankQuantile(sc, scCum, q);
    // (1 + count)/(R + 1): a bootstrap p is never 0 (Davison & Hinkley 1997, §4.4).
    const pSlower = (1 + notAbove) / (R + 1);
    const pFaster = (1 + notBelow) / (R + 1);
    return {
      q,
      base: qb,
      cand: qc,
      delta: qc - qb,
      ratio: ratio(qc, qb),
      deltaCi: [percentileSorted(deltas, lo), percentileSorted(deltas, 1 - lo)],
      ratioCi: [percentileSorted(ratios, lo), percentileSorted(ratios, 1 - lo)],
      pSlower,
      pFaster,
      pValue: Math.min(1, 2 * Math.min(pSlower, pFaster)),
    };
  });
  const resampling = { joint, resamples: R, seed, base: bSide, cand: cSide };
  return { quantiles, draws, resampling, method: describe(resampling) };
}

/**
 * A latency rule's p-value from the bootstrap draws: the share of resamples on the rule's allowed side of its
 * bound B, (1 + count)/(R + 1) — one-sided, "how compatible are the data with the rule holding". A rule fails by it
 * only when fewer than alpha of the resamples allow the rule, so evidence that the candidate is faster can never
 * fail a "not slower" rule, and an A/A comparison fails a rule with a tolerance far less often than alpha.
 */
export function bootstrapRuleP(draws: Float64Array, allowed: (x: number) => boolean): number {
  if (draws.length === 0) return NaN;
  let n = 0;
  for (let i = 0; i < draws.length; i++) if (allowed(draws[i])) n++;
  return (1 + n) / (draws.length + 1);
}

/** No latency on one side (nothing answered): every figure NaN, so each latency rule is inconclusive. */
function unmeasured(qs: number[], R: number, seed: number): LatencyComparison {
  const nan: [number, number] = [NaN, NaN];
  const resampling = { joint: false, resamples: R, seed, base: { kind: 'iid' as const }, cand: { kind: 'iid' as const } };
  return {
    quantiles: qs.map((q) => ({ q, base: NaN, cand: NaN, delta: NaN, ratio: NaN, deltaCi: nan, ratioCi: nan, pSlower: NaN, pFaster: NaN, pValue: NaN })),
    draws: qs.map(() => ({ deltas: new Float64Array(0), ratios: new Float64Array(0) })),
    resampling,
    method: 'no latency measured in one of the runs',
  };
}

function blockInfo(sl: SlicedLatency, qs: number[]): SideResampling {
  // The block must outlast the dependence of what is estimated. A quantile's sampling error is that of the indicator
  // "above the quantile" (its influence function), so the length is chosen on that indicator per slice for each
  // quantile — exceedances of p99 cluster in slow stretches longer than the correlation of typical latencies — and
  // on the mean rank; the longest wins.
  const series = [sliceSeries(sl, (rank) => rank / Math.max(1, sl.values.length - 1))];
  for (const q of qs) {
    const cut = rankAtQuantile(sl, q);
    series.push(sliceSeries(sl, (rank) => (rank > cut ? 1 : 0)));
  }
  const meanBlock = Math.max(...series.map((x) => optimalBlockLength(x)));
  return { kind: 'block', slices: sl.sliceTotal.length, slice: sl.sliceLabel, meanBlock: round2(meanBlock) };
}

/** Index into sl.values of the nearest-rank q-quantile of all the slices together. */
function rankAtQuantile(sl: SlicedLatency, q: number): number {
  const counts = new Float64Array(sl.values.length);
  let total = 0;
  for (let e = 0; e < sl.rank.length; e++) {
    counts[sl.rank[e]] += sl.weight[e];
    total += sl.weight[e];
  }
  const k = Math.max(1, Math.ceil(q * total));
  let cum = 0;
  for (let v = 0; v < counts.length; v++) if ((cum += counts[v]) >= k) return v;
  return counts.length - 1;
}

/**
 * Per slice, the weighted mean of f(rank) — ranks, not milliseconds, so one 2-second outlier does not decide the
 * dependence of the whole run. Empty slices take the overall mean, adding no correlation of their own.
 */
function sliceSeries(sl: SlicedLatency, f: (rank: number) => number): Float64Array {
  const S = sl.sliceTotal.length;
  const x = new Float64Array(S).fill(NaN);
  let sum = 0;
  let filled = 0;
  for (let s = 0; s < S; s++) {
    if (!(sl.sliceTotal[s] > 0)) continue;
    let acc = 0;
    for (let e = sl.start[s]; e < sl.start[s + 1]; e++) acc += f(sl.rank[e]) * sl.weight[e];
    x[s] = acc / sl.sliceTotal[s];
    sum += x[s];
    filled++;
  }
  const mean = filled ? sum / filled : 0;
  for (let s = 0; s < S; s++) if (Number.isNaN(x[s])) x[s] = mean;
  return x;
}

function drawBlocks(sl: SlicedLatency, meanBlock: number, qs: number[], R: number, rng: Rng): Float64Array[] {
  const out = qs.map(() => new Float64Array(R));
  const S = sl.sliceTotal.length;
  const blocks = newBlocks(S);
  const sampler = new SliceQuantiles(sl, qs);
  const got = new Float64Array(qs.length);
  for (let r = 0; r < R; r++) {
    // Redraw the rare resample whose slices hold no request at all.
    for (let tries = 0; tries < 100; tries++) if (sampler.quantiles(stationaryBlocks(S, meanBlock, rng, blocks), got)) break;
    for (let i = 0; i < qs.length; i++) out[i][r] = got[i];
  }
  return out;
}

/** Both versions on the same resampled blocks of time (same grid), so conditions they shared stay shared. */
function drawJoint(b: SlicedLatency, c: SlicedLatency, meanBlock: number, qs: number[], R: number, rng: Rng): [Float64Array[], Float64Array[]] {
  const ob = qs.map(() => new Float64Array(R));
  const oc = qs.map(() => new Float64Array(R));
  const S = b.sliceTotal.length;
  const blocks = newBlocks(S);
  const sb = new SliceQuantiles(b, qs);
  const sc = new SliceQuantiles(c, qs);
  const gb = new Float64Array(qs.length);
  const gc = new Float64Array(qs.length);
  for (let r = 0; r < R; r++) {
    for (let tries = 0; tries < 100; tries++) {
      stationaryBlocks(S, meanBlock, rng, blocks);
      if (sb.quantiles(blocks, gb) && sc.quantiles(blocks, gc)) break;
    }
    for (let i = 0; i < qs.length; i++) {
      ob[i][r] = gb[i];
      oc[i][r] = gc[i];
    }
  }
  return [ob, oc];
}

function describe(r: LatencyComparison['resampling']): string {
  const side = (x: SideResampling) =>
    x.kind === 'block' ? `${x.slices} slices of ${x.slice}, mean block ${x.meanBlock} slices` : 'no time order known: requests resampled independently';
  const how = r.joint
    ? `the same blocks of time for both versions (measured at the same moments): ${side(r.base)}`
    : `each version on its own: baseline ${side(r.base)}; candidate ${side(r.cand)}`;
  return (
    `stationary block bootstrap of nearest-rank quantiles over time slices (Politis & Romano 1994; mean block length by ` +
    `Politis & White 2004), ${r.resamples} resamples, seed ${r.seed}, ${how}; rule p-values one-sided in the rule's direction`
  );
}

const round2 = (x: number) => Math.round(x * 100) / 100;
