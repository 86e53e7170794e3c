// Rank statistics by sorting, O(n log n): Mann–Whitney U, ROC AUC and the quantiles of a sample all start from a
// sample as sorted distinct values with counts. That form also lets a histogram (bucket values + counts) stand in
// for raw values without expanding it.

/** A sample as ascending distinct values and how often each occurs. */
export interface SortedCounts {
  values: Float64Array;
  counts: Float64Array;
  /** Sum of counts. */
  total: number;
}

/** Sorts and run-length encodes raw values. Throws on NaN (it has no rank). */
export function toSortedCounts(sample: ArrayLike<number>): SortedCounts {
  const v = Float64Array.from(sample);
  for (let i = 0; i < v.length; i++) {
    if (Number.isNaN(v[i])) throw new RangeError(`sample[${i}] is NaN: every value must be a number`);
  }
  v.sort();
  return runLength(v, null);
}

/** From histogram-style buckets: `values[i]` occurs `counts[i]` times (any order; zero counts dropped). */
export function sortedCountsFromBuckets(values: ArrayLike<number>, counts: ArrayLike<number>): SortedCounts {
  if (values.length !== counts.length) throw new RangeError(`buckets: ${values.length} values but ${counts.length} counts`);
  const order = Array.from({ length: values.length }, (_, i) => i);
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) throw new RangeError(`buckets: values[${i}] is NaN`);
    if (!(counts[i] >= 0 && Number.isFinite(counts[i]))) throw new RangeError(`buckets: counts[${i}] must be a non-negative number (got ${counts[i]})`);
  }
  order.sort((a, b) => values[a] - values[b]);
  const v = Float64Array.from(order, (i) => values[i]);
  const c = Float64Array.from(order, (i) => counts[i]);
  return runLength(v, c);
}

function runLength(sortedValues: Float64Array, counts: Float64Array | null): SortedCounts {
  const vals: number[] = [];
  const cnts: number[] = [];
  let total = 0;
  for (let i = 0; i < sortedValues.length; i++) {
    const c = counts ? counts[i] : 1;
    if (c === 0) continue;
    total += c;
    const last = vals.length - 1;
    if (last >= 0 && vals[last] === sortedValues[i]) cnts[last] += c;
    else {
      vals.push(sortedValues[i]);
      cnts.push(c);
    }
  }
  return { values: Float64Array.from(vals), counts: Float64Array.from(cnts), total };
}

interface PairCounts {
  /** Pairs (x, y) with x > y. */
  greater: number;
  /** Pairs with x = y. */
  ties: number;
  /** Σ (t³ − t) over tie groups of the pooled sample: the Mann–Whitney variance correction. */
  tieTerm: number;
}

/** Counts the n₁·n₂ cross pairs of two samples by one merge walk over their sorted values. */
export function comparePairs(x: SortedCounts, y: SortedCounts): PairCounts {
  let i = 0;
  let j = 0;
  let yBelow = 0; // y values strictly below the current x value
  let greater = 0;
  let ties = 0;
  let tieTerm = 0;
  const nx = x.values.length;
  const ny = y.values.length;
  while (i < nx || j < ny) {
    const v = j >= ny || (i < nx && x.values[i] <= y.values[j]) ? x.values[i] : y.values[j];
    const cx = i < nx && x.values[i] === v ? x.counts[i++] : 0;
    const cy = j < ny && y.values[j] === v ? y.counts[j++] : 0;
    greater += cx * yBelow;
    ties += cx * cy;
    yBelow += cy;
    const t = cx + cy;
    tieTerm += t * t * t - t;
  }
  return { greater, ties, tieTerm };
}

/**
 * The value at 1-based rank `rank` (clamped to [1, total]) of a sorted sample. Binary search over cumulative counts
 * kept by the caller (`cumulative(sc)`), so repeated lookups cost O(log distinct).
 */
export function valueAtRank(sc: SortedCounts, cum: Float64Array, rank: number): number {
  const r = Math.min(Math.max(rank, 1), sc.total);
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid] >= r) hi = mid;
    else lo = mid + 1;
  }
  return sc.values[lo];
}

/** Running totals of counts: cum[i] = counts[0] + … + counts[i]. */
export function cumulative(sc: SortedCounts): Float64Array {
  const cum = new Float64Array(sc.counts.length);
  let s = 0;
  for (let i = 0; i < sc.counts.length; i++) cum[i] = s += sc.counts[i];
  return cum;
}

/** Nearest-rank quantile (the value at rank ⌈q·n⌉, at least 1) — the definition HDR histograms use for percentiles. */
export function nearestRankQuantile(sc: SortedCounts, cum: Float64Array, q: number): number {
  if (sc.total === 0) return NaN;
  // Rank ⌈q·n⌉, minus one ulp before rounding up so a product that floating point puts just above an integer
  // (0.07 · 100 = 7.000000000000001) keeps its rank — as HdrHistogram's getValueAtPercentile does.
  const x = q * sc.total;
  return valueAtRank(sc, cum, Math.max(1, Math.ceil(x - ulp(x))));
}

/** Distance from |x| to the next larger double (x finite). */
function ulp(x: number): number {
  const a = Math.abs(x);
  if (a === 0) return Number.MIN_VALUE;
  const e = Math.floor(Math.log2(a));
  return 2 ** Math.max(e - 52, -1074) * (2 ** e > a ? 0.5 : 1);
}
