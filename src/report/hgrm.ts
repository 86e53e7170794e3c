// latency.hgrm: HdrHistogram's outputPercentileDistribution text, in milliseconds, so HdrHistogram's own plotters
// read it. The HTML percentile-spectrum chart is drawn from the same rows, so both always agree.
import * as hdr from 'hdr-histogram-js';
import { ModelwaveError } from '../errors.js';
import { HIST_DIGITS, HIST_HIGHEST_US, HIST_LOWEST_US } from '../stats/hist.js';
import type { Summary } from '../summary/types.js';

/** Histograms hold µs; the text is in ms. */
const US_PER_MS = 1000;
/** HdrHistogram's default: 5 reporting ticks per half-distance to 100%. */
const TICKS_PER_HALF_DISTANCE = 5;

export interface PercentilePoint {
  valueMs: number;
  /** 0..1 */
  percentile: number;
  totalCount: number;
  /** 1/(1−percentile); Infinity on the last row (percentile 1). */
  inverse: number;
}

/**
 * The percentile distribution of an encoded histogram (µs) as HdrHistogram text in ms. Decoded in pure-JS mode on
 * purpose: hdr-histogram-js 3.0.1's WebAssembly formatter drops leading zeros of fractions ("900.095" prints as
 * "900.950", "20.00" as "19.100"), which would silently corrupt the file; the JS formatter is correct and the
 * histogram data are identical either way. An empty string is an empty histogram.
 */
export function percentileDistribution(encoded: string, what = 'latency histogram'): string {
  let h: hdr.Histogram;
  if (!encoded) {
    h = hdr.build({
      lowestDiscernibleValue: HIST_LOWEST_US,
      highestTrackableValue: HIST_HIGHEST_US,
      numberOfSignificantValueDigits: HIST_DIGITS,
      bitBucketSize: 64,
      useWebAssembly: false,
    });
  } else {
    try {
      h = hdr.decodeFromCompressedBase64(encoded, 64, false);
    } catch (err) {
      throw new ModelwaveError('MW_FILE', `The ${what} is not a valid encoded HDR histogram (${String(err)}).`, [], {
        cause: err,
      });
    }
  }
  try {
    return h.outputPercentileDistribution(TICKS_PER_HALF_DISTANCE, US_PER_MS);
  } finally {
    h.destroy();
  }
}

/** The data rows of an .hgrm text (comment and header lines skipped). */
export function parsePercentileDistribution(text: string): PercentilePoint[] {
  const rows: PercentilePoint[] = [];
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 3 || !/^[\d.]+$/.test(cols[0]!)) continue;
    const percentile = Number(cols[1]);
    rows.push({
      valueMs: Number(cols[0]),
      percentile,
      totalCount: Number(cols[2]),
      inverse: percentile >= 1 ? Infinity : 1 / (1 - percentile),
    });
  }
  return rows;
}

export function renderHgrm(summary: Summary): string {
  return percentileDistribution(summary.totals.latencyHistogram, 'totals.latencyHistogram');
}
