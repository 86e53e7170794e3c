// Before t = 0 a worker opens its connections and runs its per-request code dry, so the first second of a run is
// not spent connecting and interpreting (bench/RESULTS.md: a cold open loop at a high rate fell behind, opened a
// connection per late request and took seconds to recover).
import type { Codec } from '../codecs/types.js';
import type { Row, RowGenerator } from '../data/types.js';
import type { Scenario } from '../scenario/types.js';
import { HistogramDeltas } from './deltas.js';
import { RecordBuffer } from './records.js';

/** Pre-opened connections: ~5 ms of arrivals in open loop, never more than this many. */
const PREWARM_SECONDS = 0.005;
const PREWARM_MAX = 256;
/** Dry runs of the per-request code before t = 0 (enough for V8's optimizing compiler to kick in). */
const JIT_WARMUP_ITERATIONS = 3000;

/** Connections to open per target: this worker's share of the largest concurrency, or ~5 ms of arrivals. */
export function prewarmCount(s: Scenario, workerCount: number, capPerTarget: number): number {
  let n = 0;
  for (const ph of s.load.phases) {
    if (ph.kind === 'closed') n = Math.max(n, Math.ceil(ph.concurrency / workerCount));
    else n = Math.max(n, Math.ceil((Math.max(ph.rate, ph.rampTo ?? 0) / workerCount) * PREWARM_SECONDS));
  }
  return Math.min(n, capPerTarget, PREWARM_MAX);
}

/**
 * Run rows, labels, encoding, decoding, records and histograms a few thousand times with throwaway outputs. Rows and
 * labels are pure functions of their index (far beyond the run's), so nothing the run sends changes.
 */
export function warmUpJit(gen: RowGenerator, codec: Codec, k: number): void {
  const buf = new RecordBuffer(64, k);
  const deltas = new HistogramDeltas('');
  const rows = new Array<Row>(k);
  const labels = new Float64Array(k);
  for (let n = 0; n < JIT_WARMUP_ITERATIONS; n++) {
    const seq = 1_000_000_000 + n;
    for (let j = 0; j < k; j++) {
      rows[j] = gen.row(seq * k + j);
      labels[j] = gen.label(seq * k + j, rows[j]);
    }
    const body = codec.encode(rows, seq);
    const d = codec.decode(body, k);
    const i = buf.push(seq, 0, 0, 0, n, n + 1, n + 2 + (d.ok ? 0 : 1), 0, 200, 0, '');
    for (let j = 0; j < k; j++) buf.setRow(i, j, NaN, NaN, labels[j]);
    if (buf.full) buf.take();
    deltas.record(0, false, n >> 10, n >> 12, 100 + (n & 1023), 50 + (n & 511), n & 7);
  }
  deltas.drainInto({});
}
