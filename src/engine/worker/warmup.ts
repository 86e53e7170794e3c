// Before t = 0 a worker opens its connections and runs its per-request code dry, so the first second of a run is
// not spent connecting and interpreting (bench/RESULTS.md: a cold open loop at a high rate fell behind, opened a
// connection per late request and took seconds to recover).
import type { Codec } from '../../codecs/types.js';
import type { Row, RowGenerator } from '../../data/types.js';
import type { Scenario } from '../../spec/types.js';
import { RecordBuffer } from '../records.js';

/** Pre-opened connections: ~5 ms of arrivals in open loop, never more than this many. */
const PREWARM_SECONDS = 0.005;
const PREWARM_MAX = 256;
/** Dry runs of the per-request code before t = 0 (enough for V8's optimizing compiler to kick in)... */
const JIT_WARMUP_ITERATIONS = 3000;
/**
 * ...but never more rows than this in all: start-up must not grow with rowsPerRequest (3,000 requests of 10,000
 * rows each would be 30 million rows generated and encoded before the first request).
 */
export const JIT_WARMUP_MAX_ROWS = 20_000;
/** Synthetic rows are a pure function of their index: dry runs use indices far past any run's. */
const SYNTHETIC_WARMUP_BASE = 1_000_000_000;

/**
 * Connections to open per target: this worker's share of the largest concurrency, or ~5 ms of arrivals (those
 * bounded by the open-loop in-flight cap, which does not apply to closed loops).
 */
export function prewarmCount(s: Scenario, workerCount: number, capPerTarget: number): number {
  let n = 0;
  for (const ph of s.load.phases) {
    if (ph.kind === 'closed') n = Math.max(n, Math.ceil(ph.concurrency / workerCount));
    else n = Math.max(n, Math.min(capPerTarget, Math.ceil((Math.max(ph.rate, ph.rampTo ?? 0) / workerCount) * PREWARM_SECONDS)));
  }
  return Math.min(n, PREWARM_MAX);
}

/** Requests of the dry run for `k` rows per request: bounded in rows, at least one. */
export function warmupIterations(k: number): number {
  return Math.max(1, Math.min(JIT_WARMUP_ITERATIONS, Math.floor(JIT_WARMUP_MAX_ROWS / Math.max(1, k))));
}

/**
 * The row index the dry run reads for its n-th row. Synthetic (infinite) sources: far beyond the run's. A replayed
 * file: inside it (`atEnd: stop` has no row past its end; `cycle` would wrap there anyway), so the dry run reads real
 * rows without ever asking for one that does not exist.
 */
export function warmupRowIndex(n: number, size: number): number {
  return Number.isFinite(size) ? n % Math.max(1, size) : SYNTHETIC_WARMUP_BASE + n;
}

/**
 * Run rows, labels, encoding, decoding and records a few thousand times with throwaway outputs. Rows and
 * labels are pure functions of their index, so nothing the run sends changes.
 */
export function warmUpJit(gen: RowGenerator, codec: Codec, k: number): void {
  const buf = new RecordBuffer(64, k);
  const rows = new Array<Row>(k);
  const labels = new Float64Array(k);
  const iterations = warmupIterations(k);
  for (let n = 0; n < iterations; n++) {
    const seq = SYNTHETIC_WARMUP_BASE + n;
    for (let j = 0; j < k; j++) {
      const ri = warmupRowIndex(n * k + j, gen.size);
      rows[j] = gen.row(ri);
      labels[j] = gen.label(ri, rows[j]);
    }
    const body = codec.encode(rows, seq);
    const d = codec.decode(body, k);
    const i = buf.push(seq, 0, 0, 0, n >> 10, n, n + 1, n + 2 + (d.ok ? 0 : 1), 0, 200, 0, '');
    for (let j = 0; j < k; j++) buf.setRow(i, j, NaN, NaN, labels[j]);
    if (buf.full) buf.take();
  }
}
