// `modelwave export`: one line per request, read in keyset pages of (run_id, seq) so a run of any size streams with
// bounded memory, and written with backpressure.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { ERROR_CODES, OUTCOME_NAMES } from '../engine/types.js';
import type { Db } from './db.js';
import type { ExportFormat } from './types.js';

const PAGE = 5_000;

/** Columns of an export line, in order (CSV header = these names). */
export const EXPORT_COLUMNS = [
  'seq', 'target', 'phase', 'worker', 'window', 'intended_us', 'sent_us', 'received_us', 'latency_us', 'service_us',
  'outcome', 'status_code', 'error_code', 'uuid', 'prediction', 'probability', 'label',
] as const;

type Value = number | string | null | (number | null)[];
export type ExportRecord = Record<(typeof EXPORT_COLUMNS)[number], Value>;

interface Row {
  seq: number; target: number; phase: number; worker: number; window_index: number; intended_us: number;
  sent_us: number | null; received_us: number | null; latency_us: number | null; service_us: number | null;
  outcome: number; status_code: number | null; error_code: number; uuid: string | null;
  prediction: number | null; probability: number | null; label: number | null;
  predictions: (number | null)[] | null; probabilities: (number | null)[] | null; labels: (number | null)[] | null;
}

function toRecord(r: Row): ExportRecord {
  return {
    seq: r.seq, target: r.target, phase: r.phase, worker: r.worker, window: r.window_index,
    intended_us: r.intended_us, sent_us: r.sent_us, received_us: r.received_us, latency_us: r.latency_us,
    service_us: r.service_us, outcome: OUTCOME_NAMES[r.outcome] ?? String(r.outcome), status_code: r.status_code,
    error_code: ERROR_CODES[r.error_code] ?? String(r.error_code), uuid: r.uuid,
    // With several rows per request the arrays are the values (see the migration notes).
    prediction: r.predictions ?? r.prediction, probability: r.probabilities ?? r.probability, label: r.labels ?? r.label,
  };
}

function csvCell(v: Value): string {
  if (v === null) return '';
  const s = Array.isArray(v) ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const line = (rec: ExportRecord, format: ExportFormat): string =>
  format === 'jsonl' ? JSON.stringify(rec) : EXPORT_COLUMNS.map((c) => csvCell(rec[c])).join(',');

export async function exportRequests(db: Db, runId: string, format: ExportFormat, out: Writable): Promise<number> {
  let written = 0;
  let after = Number.MIN_SAFE_INTEGER;
  if (format === 'csv') await put(out, `${EXPORT_COLUMNS.join(',')}\n`);
  for (;;) {
    const { rows } = await db.query<Row>(
      `SELECT seq, target, phase, worker, window_index, intended_us, sent_us, received_us, latency_us, service_us,
              outcome, status_code, error_code, uuid, prediction, probability, label, predictions, probabilities, labels
       FROM requests WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT ${PAGE}`,
      [runId, after],
    );
    if (!rows.length) break;
    await put(out, rows.map((r) => `${line(toRecord(r), format)}\n`).join(''));
    written += rows.length;
    after = rows[rows.length - 1].seq;
    if (rows.length < PAGE) break;
  }
  return written;
}

async function put(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}
