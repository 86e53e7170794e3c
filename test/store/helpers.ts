// Shared helpers for store tests: temp dirs, feeding synthetic records through a writer, parsing exports back.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { ERROR_CODES, OUTCOME_NAMES, type RecordBatch } from '../../src/engine/types.js';
import { EXPORT_COLUMNS, type ExportRecord } from '../../src/store/export.js';
import type { RequestWriter } from '../../src/store/types.js';
import { synthetic } from './synthetic.js';

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), `mw-${prefix}-`));

/** Write requests [0, total) in batches of `batch`. */
export function feed(w: RequestWriter, total: number, opts: { batch?: number; rowsPerRequest?: number; windowSize?: number; from?: number } = {}): void {
  const batch = opts.batch ?? 500;
  const from = opts.from ?? 0;
  for (let s = from; s < from + total; s += batch) {
    const { batch: b, window } = synthetic(s, Math.min(batch, from + total - s), opts);
    w.write(b, window);
  }
}

export class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString('utf8');
    cb();
  }
}

const NUMERIC = new Set(['seq', 'target', 'phase', 'worker', 'window', 'intended_us', 'sent_us', 'received_us', 'latency_us', 'service_us', 'status_code']);

/** CSV back to the same record shape JSONL gives. */
export function parseCsvExport(text: string): ExportRecord[] {
  const rows = parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  return rows.map((r) => {
    const rec = {} as ExportRecord;
    for (const c of EXPORT_COLUMNS) {
      const v = r[c];
      if (v === '' || v === undefined) rec[c] = null;
      else if (NUMERIC.has(c)) rec[c] = Number(v);
      else if (c === 'prediction' || c === 'probability' || c === 'label') rec[c] = JSON.parse(v) as number | (number | null)[];
      else rec[c] = v;
    }
    return rec;
  });
}

export const parseJsonl = (text: string): ExportRecord[] =>
  text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as ExportRecord);

const orNull = (v: number) => (Number.isFinite(v) ? v : null);

/** Assert that exported records are exactly the synthetic requests [0, n) written with rowsPerRequest k. */
export function assertMatchesSynthetic(recs: ExportRecord[], n: number, k = 1, windowSize = 1000): void {
  assert.equal(recs.length, n);
  const { batch, window } = synthetic(0, n, { rowsPerRequest: k, windowSize });
  for (let i = 0; i < n; i++) assert.deepEqual(recs[i], expected(batch, window, i, k), `request ${i}`);
}

function expected(b: RecordBatch, window: Int32Array, i: number, k: number): ExportRecord {
  const perRow = (a: Float64Array) => (k === 1 ? orNull(a[i]) : Array.from(a.subarray(i * k, i * k + k), orNull));
  const received = orNull(b.receivedUs[i]);
  return {
    seq: b.seq[i], target: b.target[i], phase: b.phase[i], worker: b.worker[i], window: window[i],
    intended_us: b.intendedUs[i], sent_us: orNull(b.sentUs[i]), received_us: received,
    latency_us: received === null ? null : b.receivedUs[i] - b.intendedUs[i],
    service_us: received === null ? null : b.receivedUs[i] - b.sentUs[i],
    outcome: OUTCOME_NAMES[b.outcome[i]], status_code: b.status[i] || null, error_code: ERROR_CODES[b.errorCode[i]],
    uuid: b.uuid[i] || null, prediction: perRow(b.prediction), probability: perRow(b.probability), label: perRow(b.label),
  };
}
