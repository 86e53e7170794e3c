// Synthetic request records for store tests and bench: deterministic, with every outcome, NaN where the engine puts
// NaN (dropped requests, missing predictions), and uuids that need quoting.
import { RecordBuffer } from '../../src/engine/records.js';
import { Outcome, type RecordBatch } from '../../src/engine/types.js';

export interface Synthetic {
  batch: RecordBatch;
  window: Int32Array;
}

/** Requests [from, from + n): window = floor(seq / windowSize); every 50th dropped, every 20th an HTTP 500. */
export function synthetic(from: number, n: number, opts: { rowsPerRequest?: number; windowSize?: number } = {}): Synthetic {
  const k = opts.rowsPerRequest ?? 1;
  const windowSize = opts.windowSize ?? 1000;
  const buf = new RecordBuffer(n, k);
  for (let j = 0; j < n; j++) {
    const seq = from + j;
    const intended = seq * 200 + 0.25;
    const dropped = seq % 50 === 49;
    const http = !dropped && seq % 20 === 7;
    const outcome = dropped ? Outcome.dropped : http ? Outcome.httpError : Outcome.ok;
    const i = buf.push(
      seq,
      seq % 2,
      seq < 1000 ? 0 : 1,
      seq % 4,
      Math.floor(seq / windowSize),
      intended,
      dropped ? NaN : intended + 3.5,
      dropped ? NaN : intended + 1000 + (seq % 97),
      outcome,
      dropped ? 0 : http ? 500 : 200,
      dropped ? 12 : http ? 1 : 0,
      outcome === Outcome.ok ? (seq % 10 === 3 ? `id,"${seq}"\\x` : `u-${seq.toString(16)}`) : '',
    );
    for (let r = 0; r < k; r++) {
      if (outcome === Outcome.ok) buf.setRow(i, r, (seq + r) % 2, ((seq * 7 + r) % 100) / 100, (seq + r + 1) % 3 === 0 ? 1 : 0);
      else buf.setLabel(i, r, (seq + r) % 2);
    }
  }
  const batch = buf.take()!;
  return { batch, window: batch.window };
}
