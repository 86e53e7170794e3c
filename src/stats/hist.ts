// Histogram creation, encoding and merging in one place (like autocannon's histUtil): explicit ranges, compressed
// base64 to cross threads and to store, one merge function. Values are integer microseconds.
import * as hdr from 'hdr-histogram-js';
import type { LatencyStats } from '../summary/types.js';

export type Histogram = hdr.Histogram;

/** 1 µs .. 1 hour, 3 significant digits: a recorded value is off by at most 0.1% (half a bucket width). */
export const HIST_LOWEST_US = 1;
export const HIST_HIGHEST_US = 3_600_000_000;
export const HIST_DIGITS = 3 as const;

let wasm = false;
/**
 * WebAssembly mode is ~3× faster; it must be initialised once in every thread that records (today: the main thread).
 * Synchronously: the asynchronous loader tests `typeof Response`, which makes Node load its fetch implementation and
 * web streams — 116 ms against 25 ms here (issue #19, measured on the bench VM).
 */
export async function initHistograms(): Promise<void> {
  if (wasm) return;
  try {
    hdr.initWebAssemblySync();
    wasm = true;
  } catch {
    wasm = false; // pure-JS histograms still give identical numbers, only slower
  }
}

export function createHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: HIST_LOWEST_US,
    highestTrackableValue: HIST_HIGHEST_US,
    numberOfSignificantValueDigits: HIST_DIGITS,
    bitBucketSize: 64,
    autoResize: true,
    useWebAssembly: wasm,
  });
}

/** Record a duration in µs; clamps to the trackable range so a clock oddity can never throw on the hot path. */
export function recordUs(h: Histogram, us: number): void {
  let v = Math.round(us);
  if (!(v >= HIST_LOWEST_US)) v = HIST_LOWEST_US;
  else if (v > HIST_HIGHEST_US) v = HIST_HIGHEST_US;
  h.recordValue(v);
}

type Quantizer = { highestEquivalentValue(v: number): number; lowestEquivalentValue(v: number): number };
let quantizer: Quantizer | undefined;
/** A pure-JS histogram only for its bucket arithmetic (same lowest value and digits as every recording histogram). */
const quantize = (): Quantizer =>
  (quantizer ??= hdr.build({ lowestDiscernibleValue: HIST_LOWEST_US, highestTrackableValue: HIST_HIGHEST_US, numberOfSignificantValueDigits: HIST_DIGITS, useWebAssembly: false }) as unknown as Quantizer);

/**
 * The value (integer µs) a histogram reports for a recorded duration of `us`: the top of its bucket, after recordUs's
 * rounding and clamping. Nearest-rank quantiles of such values are exactly the histogram's percentiles, so figures
 * computed from per-request latencies (`compare`) equal those of report.json.
 */
export function bucketTopUs(us: number): number {
  let v = Math.round(us);
  if (!(v >= HIST_LOWEST_US)) v = HIST_LOWEST_US;
  else if (v > HIST_HIGHEST_US) v = HIST_HIGHEST_US;
  return quantize().highestEquivalentValue(v);
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 64, wasm);
}

/** Add an encoded histogram into `into` (and free the decoded copy). */
export function mergeEncoded(into: Histogram, encoded: string): void {
  if (!encoded) return;
  const h = decodeHistogram(encoded);
  into.add(h);
  h.destroy();
}

const ms = (us: number) => Math.round(us) / 1000;

/**
 * Percentiles in float ms with µs precision. An empty histogram gives zeros with count 0. Min and max are given as
 * their buckets' bounds (lowest and highest equivalent values), as for every percentile: the same figure whether
 * the histogram was recorded live or rebuilt from its encoding (which keeps only buckets).
 */
export function latencyStats(h: Histogram): LatencyStats {
  const count = h.totalCount;
  if (count === 0) return { p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, min: 0, mean: 0, count: 0 };
  const q = quantize();
  return {
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(q.highestEquivalentValue(h.maxValue)),
    min: ms(q.lowestEquivalentValue(h.minNonZeroValue)),
    mean: Math.round(h.mean) / 1000,
    count,
  };
}

/**
 * The recorded values of an encoded histogram as (value in ms, count) pairs, ascending — for rank statistics on runs
 * known only by their report.json. Values are bucket representatives (µs precision within 3 significant digits): the
 * same pairs as hdr-histogram-js's recordedValuesIterator (highest equivalent value of each non-empty bucket), read
 * by walking the counts up to the maximum's index — 4–5× faster than the iterator, which allocates per step (the
 * validity check reads every window's histogram this way at the end of a run).
 */
export function bucketsOfEncoded(encoded: string): { valuesMs: number[]; counts: number[] } {
  const h = hdr.decodeFromCompressedBase64(encoded, 64, false) as unknown as JsBuckets;
  const valuesMs: number[] = [];
  const counts: number[] = [];
  if (h.totalCount === 0) return { valuesMs, counts };
  const top = h.countsArrayIndex(h.maxValue);
  for (let i = 0; i <= top; i++) {
    const c = h.getCountAtIndex(i);
    if (c === 0) continue;
    valuesMs.push(h.highestEquivalentValue(h.valueFromIndex(i)) / 1000);
    counts.push(c);
  }
  return { valuesMs, counts };
}

/** The bucket arithmetic of a pure-JS hdr-histogram-js histogram (JsHistogram's public methods). */
interface JsBuckets {
  totalCount: number;
  maxValue: number;
  countsArrayIndex(value: number): number;
  getCountAtIndex(index: number): number;
  valueFromIndex(index: number): number;
  highestEquivalentValue(value: number): number;
}
