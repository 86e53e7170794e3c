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

/** One exported line, parsed (JSONL as is; CSV cells parse to the same values). */
export type ExportRecord = Record<(typeof EXPORT_COLUMNS)[number], number | string | null | (number | null)[]>;

// Lines are formatted by Postgres itself: PGlite turns result rows into JS objects slowly (measured ~8× slower than
// returning one text per page), and float8 text output is the shortest exact form, so numbers round-trip.
const PAGE_SQL = (line: string) => `
SELECT string_agg(line, E'\\n' ORDER BY seq) AS text, max(seq) AS last, count(*) AS n FROM (
  SELECT seq, ${line} AS line FROM (
    SELECT seq, target, phase, worker, window_index AS "window", intended_us, sent_us, received_us, latency_us,
      service_us, ($3::text[])[outcome + 1] AS outcome, status_code, ($4::text[])[error_code + 1] AS error_code, uuid,
      -- several rows per request: the arrays are the values (see the migration notes)
      COALESCE(to_json(predictions), to_json(prediction)) AS prediction,
      COALESCE(to_json(probabilities), to_json(probability)) AS probability,
      COALESCE(to_json(labels), to_json(label)) AS label
    FROM requests WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT ${PAGE}
  ) r
) page`;

const csvField = (c: string) =>
  `COALESCE(CASE WHEN r.${c}::text ~ '[",\\r\\n]' THEN '"' || replace(r.${c}::text, '"', '""') || '"' ELSE r.${c}::text END, '')`;

const JSONL_SQL = PAGE_SQL('row_to_json(r)::text');
const CSV_SQL = PAGE_SQL(EXPORT_COLUMNS.map((c) => csvField(c === 'window' ? '"window"' : c)).join(` || ',' || `));

export async function exportRequests(db: Db, runId: string, format: ExportFormat, out: Writable): Promise<number> {
  let written = 0;
  let after = Number.MIN_SAFE_INTEGER;
  if (format === 'csv') await put(out, `${EXPORT_COLUMNS.join(',')}\n`);
  const sql = format === 'csv' ? CSV_SQL : JSONL_SQL;
  for (;;) {
    const { rows } = await db.query<{ text: string | null; last: number | null; n: number }>(sql, [
      runId, after, [...OUTCOME_NAMES], [...ERROR_CODES],
    ]);
    const page = rows[0];
    if (!page || !page.n || page.text === null || page.last === null) break;
    await put(out, `${page.text}\n`);
    written += page.n;
    after = page.last;
    if (page.n < PAGE) break;
  }
  return written;
}

async function put(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}
