// Every statement the store runs, written once for both engines.
import type { Summary, WindowSummary } from '../summary/types.js';
import type { LocalDb, Queryable } from './db.js';
import { buildCopyCsv, buildInsert, type Part } from './columns.js';
import type { FeedbackRow, RunMeta } from './types.js';
import { redactSecrets } from '../scenario/redact.js';

/** Insert request parts (split by rowsPerRequest, which never varies within a run in practice). Returns requests. */
export async function insertRequests(db: Queryable & Pick<LocalDb, 'copyCsv'>, runId: string, parts: Part[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < parts.length; ) {
    const k = parts[i].cols.rowsPerRequest;
    let j = i;
    while (j < parts.length && parts[j].cols.rowsPerRequest === k) j++;
    n += await insertGroup(db, runId, parts.slice(i, j));
    i = j;
  }
  return n;
}

const UNIQUE_VIOLATION = '23505';

async function insertGroup(db: Queryable & Pick<LocalDb, 'copyCsv'>, runId: string, parts: Part[]): Promise<number> {
  if (db.copyCsv) {
    const copy = buildCopyCsv(runId, parts);
    try {
      await db.copyCsv(copy.sql, copy.csv);
      return copy.requests;
    } catch (err) {
      // A COPY is all or nothing; some of these rows are already stored (a replay): the INSERT skips them.
      if ((err as { code?: unknown }).code !== UNIQUE_VIOLATION) throw err;
    }
  }
  const ins = buildInsert(runId, parts);
  await db.query(ins.sql, ins.params);
  return ins.requests;
}

/** Header values and credentials are secrets even when the caller forgot to redact them (one policy: redact.ts). */
export const stripSecrets = (value: unknown): unknown => redactSecrets(value);

const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

export async function upsertRun(db: Queryable, meta: RunMeta): Promise<void> {
  // A replayed header must not reset a finished run's status.
  await db.query(
    `INSERT INTO runs (id, name, scenario, environment, started_at, status)
     VALUES ($1, $2, $3::jsonb, $4::jsonb, $5::timestamptz, 'running')
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, scenario = EXCLUDED.scenario,
       environment = EXCLUDED.environment, started_at = EXCLUDED.started_at`,
    [meta.id, meta.name, json(stripSecrets(meta.scenario)), json(meta.environment), meta.startedAt],
  );
}

/** Records a finished run leaves in the store: every scheduled request, warm-up ones included. */
export const expectedRecords = (s: Summary): number =>
  s.totals.requests.scheduled + s.phases.filter((p) => p.warmup).reduce((n, p) => n + p.requests.scheduled, 0);

/** The status a finished run's row takes: `incomplete` while the store lacks some of its records. */
export const storedStatus = (s: Summary): string => (s.store && !s.store.complete ? 'incomplete' : s.run.status);

/**
 * Save a finished run's summary. started_at becomes the summary's `run.startedAt` (t = 0 of the wave, when the workers
 * were told to go), replacing the provisional time the `running` row got before the workers started: `runs`/`show`
 * and report.json give one start instant.
 */
export async function finishRun(db: Queryable, summary: Summary): Promise<void> {
  const s = stripSecrets(summary) as Summary;
  await db.query(
    `INSERT INTO runs (id, name, scenario, environment, started_at, ended_at, status, summary)
     VALUES ($1, $2, $3::jsonb, $4::jsonb, $5::timestamptz, $6::timestamptz, $7, $8::jsonb)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at, status = EXCLUDED.status,
       summary = EXCLUDED.summary, scenario = COALESCE(runs.scenario, EXCLUDED.scenario),
       environment = COALESCE(runs.environment, EXCLUDED.environment)`,
    [s.run.id, s.run.name, json(s.scenario), json(s.environment), s.run.startedAt, s.run.endedAt, storedStatus(s), json(s)],
  );
  if (s.windows.length) await upsertWindows(db, s.run.id, s.windows);
}

/** A run that ended without a summary. Never overwrites a finished run (a replayed spool may carry both lines). */
export async function failRun(db: Queryable, runId: string, reason: string, endedAt: string): Promise<void> {
  await db.query(
    `UPDATE runs SET status = 'failed', error = $2, ended_at = $3::timestamptz WHERE id = $1 AND summary IS NULL`,
    [runId, reason, endedAt],
  );
}

/** Proof of life for a running run (see RUN_STATUS_SQL). */
export async function heartbeat(db: Queryable, runId: string): Promise<void> {
  await db.query(`UPDATE runs SET heartbeat_at = now() WHERE id = $1 AND status = 'running'`, [runId]);
}

/** A running run's heartbeat comes every HEARTBEAT_MS; this long without one and it reads as `abandoned`. */
export const HEARTBEAT_MS = 10_000;
const ABANDONED_AFTER_S = 120;

/** runs.status as reads show it (alias `r` for runs). Rows written before heartbeats existed count from started_at. */
export const RUN_STATUS_SQL = `CASE WHEN r.status = 'running' AND COALESCE(r.heartbeat_at, r.started_at) < now() - interval '${ABANDONED_AFTER_S} seconds'
  THEN 'abandoned' ELSE r.status END`;

const WINDOW_COLUMNS: [string, string][] = [
  ['window_index', 'integer'], ['seq_start', 'bigint'], ['seq_end', 'bigint'], ['start_at', 'timestamptz'],
  ['end_at', 'timestamptz'], ['start_ms', 'float8'], ['end_ms', 'float8'], ['scheduled', 'integer'], ['sent', 'integer'],
  ['ok', 'integer'], ['http_errors', 'integer'], ['timeouts', 'integer'], ['connection_errors', 'integer'],
  ['bad_responses', 'integer'], ['dropped', 'integer'], ['rps', 'float8'], ['latency_p50_ms', 'float8'],
  ['latency_p99_ms', 'float8'], ['latency', 'jsonb'], ['latency_histogram', 'text'], ['accuracy', 'float8'],
  ['quality', 'jsonb'], ['latency_failed', 'jsonb'], ['latency_all', 'jsonb'],
];

function windowRow(w: WindowSummary): Record<string, unknown> {
  const q = { accuracyCi: w.accuracyCi, scored: w.scored, drifted: w.drifted, rmse: w.rmse, mae: w.mae, confusion: w.confusion };
  const r = w.requests;
  return {
    window_index: w.index, seq_start: w.seqStart ?? null, seq_end: w.seqEnd ?? null, start_at: w.startAt, end_at: w.endAt,
    start_ms: w.startMs, end_ms: w.endMs, scheduled: r.scheduled, sent: r.sent, ok: r.ok, http_errors: r.httpErrors,
    timeouts: r.timeouts, connection_errors: r.connectionErrors, bad_responses: r.badResponses, dropped: r.dropped,
    rps: w.rps, latency_p50_ms: w.latencyMs.p50, latency_p99_ms: w.latencyMs.p99, latency: w.latencyMs,
    latency_histogram: w.latencyHistogram ?? null, accuracy: w.accuracy ?? null, quality: q,
    latency_failed: w.latencyFailedMs ?? null, latency_all: w.latencyAllMs ?? null,
  };
}

export async function upsertWindows(db: Queryable, runId: string, windows: WindowSummary[]): Promise<void> {
  if (!windows.length) return;
  const byIndex = new Map(windows.map((w) => [w.index, windowRow(w)])); // one row per index, or ON CONFLICT fails
  const cols = WINDOW_COLUMNS.map(([c]) => c);
  await db.query(
    `INSERT INTO windows (run_id, ${cols.join(', ')})
     SELECT $1, x.* FROM jsonb_to_recordset($2::jsonb) AS x(${WINDOW_COLUMNS.map(([c, t]) => `${c} ${t}`).join(', ')})
     ON CONFLICT (run_id, window_index) DO UPDATE SET (${cols.slice(1).join(', ')}) =
       (${cols.slice(1).map((c) => `EXCLUDED.${c}`).join(', ')})`,
    [runId, JSON.stringify([...byIndex.values()])],
  );
}

export interface WindowRow {
  window_index: number; seq_start: number | null; seq_end: number | null; start_at: Date | null; end_at: Date | null;
  start_ms: number; end_ms: number; scheduled: number; sent: number; ok: number; http_errors: number; timeouts: number;
  connection_errors: number; bad_responses: number; dropped: number; rps: number; latency: WindowSummary['latencyMs'];
  latency_histogram: string | null; accuracy: number | null; quality: Partial<WindowSummary> | null;
  /** Migration 3; NULL for windows stored before it. */
  latency_failed?: WindowSummary['latencyMs'] | null; latency_all?: WindowSummary['latencyMs'] | null;
}

export function windowFromRow(r: WindowRow): WindowSummary {
  const w: WindowSummary = {
    index: r.window_index,
    startAt: r.start_at ? r.start_at.toISOString() : '',
    endAt: r.end_at ? r.end_at.toISOString() : '',
    startMs: r.start_ms,
    endMs: r.end_ms,
    requests: {
      scheduled: r.scheduled, sent: r.sent, ok: r.ok, httpErrors: r.http_errors, timeouts: r.timeouts,
      connectionErrors: r.connection_errors, badResponses: r.bad_responses, dropped: r.dropped,
    },
    rps: r.rps,
    latencyMs: r.latency,
  };
  if (r.seq_start !== null) w.seqStart = r.seq_start;
  if (r.seq_end !== null) w.seqEnd = r.seq_end;
  if (r.accuracy !== null) w.accuracy = r.accuracy;
  if (r.latency_histogram !== null) w.latencyHistogram = r.latency_histogram;
  if (r.latency_failed) w.latencyFailedMs = r.latency_failed;
  if (r.latency_all) w.latencyAllMs = r.latency_all;
  for (const [k, v] of Object.entries(r.quality ?? {})) if (v !== undefined && v !== null) (w as unknown as Record<string, unknown>)[k] = v;
  return w;
}

export async function upsertFeedback(db: Queryable, runId: string, rows: FeedbackRow[]): Promise<void> {
  if (!rows.length) return;
  const byKey = new Map(rows.map((r) => [`${r.uuid}\u0000${r.seq}`, r])); // the last attempt for a label wins
  const recs = [...byKey.values()].map((r) => ({ uuid: r.uuid, seq: r.seq, label: r.label, posted_ms: r.postedAt, outcome: r.outcome }));
  await db.query(
    `INSERT INTO feedback (run_id, uuid, seq, label, posted_at, outcome)
     SELECT $1, uuid, seq, label, to_timestamp(posted_ms / 1000.0), outcome
     FROM jsonb_to_recordset($2::jsonb) AS x(uuid text, seq bigint, label text, posted_ms float8, outcome text)
     ON CONFLICT (run_id, uuid, seq) DO UPDATE SET label = EXCLUDED.label, posted_at = EXCLUDED.posted_at,
       outcome = EXCLUDED.outcome`,
    [runId, JSON.stringify(recs)],
  );
}
