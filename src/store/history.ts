// `modelwave history` and `modelwave store prune`: read-back and clean-up over the runs table, through the store's
// own SQL (the same dialect on the embedded store and on Postgres), so neither engine needs its own code.
import { ModelwaveError } from '../errors.js';
import type { MetricsStore } from './types.js';
import { RUN_STATUS_SQL } from './sql.js';

/** One past run's key figures (report.json totals), most recent first. */
export interface HistoryRow {
  id: string;
  name: string;
  status: string;
  startedAt: string;
  p99Ms?: number;
  accuracy?: number;
  errorRate?: number;
  rps?: number;
  /** Completed and the generator kept its schedule: its figures describe the target, and count in the spread. */
  valid: boolean;
  /** Figures outside the recent spread of the other valid runs, e.g. `p99Ms` (see `flagOutliers`). */
  outliers: (keyof Figures)[];
}

type Figures = Pick<HistoryRow, 'p99Ms' | 'accuracy' | 'errorRate' | 'rps'>;
const HISTORY_FIGURES: (keyof Figures)[] = ['p99Ms', 'accuracy', 'errorRate', 'rps'];

/** Spread: median ± this many scaled MADs (1.4826 × MAD estimates σ for normal data; 3σ ≈ 0.3% false flags). */
const OUTLIER_MADS = 3;
/** Fewer other valid runs than this: no spread to speak of, nothing is flagged. */
const MIN_RUNS_FOR_SPREAD = 4;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Flag each valid run's figures that lie outside the spread of the *other* valid runs (leave-one-out, so an outlier
 * does not widen the spread that judges it): |x − median| > 3 × 1.4826 × MAD. When the others agree exactly
 * (MAD = 0, e.g. an error rate that is always 0), any value more than 1% away from theirs (relative; absolute for 0)
 * is flagged. Mutates `rows[i].outliers`.
 */
export function flagOutliers(rows: HistoryRow[]): void {
  for (const r of rows) r.outliers = [];
  for (const f of HISTORY_FIGURES) {
    for (const r of rows) {
      const x = r[f];
      if (!r.valid || x === undefined) continue;
      const others = rows.filter((o) => o !== r && o.valid && o[f] !== undefined).map((o) => o[f]!);
      if (others.length < MIN_RUNS_FOR_SPREAD) continue;
      const med = median(others);
      const mad = median(others.map((v) => Math.abs(v - med))) * 1.4826;
      const off = Math.abs(x - med);
      if (mad > 0 ? off > OUTLIER_MADS * mad : off > Math.max(1e-12, 0.01 * Math.abs(med))) r.outliers.push(f);
    }
  }
}

const num = (v: unknown): number | undefined => (v === null || v === undefined || !Number.isFinite(Number(v)) ? undefined : Number(v));

/**
 * The last `limit` runs of scenario `scenario` (default: the scenario of the most recent run), most recent first,
 * with outliers flagged. An unknown scenario name → MW_USAGE listing the names that exist.
 */
export async function runHistory(store: MetricsStore, o: { scenario?: string; limit: number }): Promise<{ scenario: string; rows: HistoryRow[] }> {
  let scenario = o.scenario;
  if (scenario === undefined) {
    const [last] = await store.sql<{ name: string }>('SELECT name FROM runs ORDER BY started_at DESC LIMIT 1');
    if (!last) return { scenario: '', rows: [] };
    scenario = last.name;
  }
  type R = { id: string; name: string; status: string; started_at: Date | string; p99: unknown; acc: unknown; err: unknown; rps: unknown; saturated: unknown };
  const rows = await store.sql<R>(
    `SELECT r.id, r.name, ${RUN_STATUS_SQL} AS status, r.started_at,
       (r.summary->'totals'->'latencyMs'->>'p99')::float8 AS p99, (r.summary->'totals'->>'accuracy')::float8 AS acc,
       (r.summary->'totals'->'errors'->>'rate')::float8 AS err, (r.summary->'totals'->>'rps')::float8 AS rps,
       r.summary->'run'->>'generatorSaturated' AS saturated
     FROM runs r WHERE r.name = $1 ORDER BY r.started_at DESC, r.id LIMIT $2`,
    [scenario, Math.max(1, Math.floor(o.limit))],
  );
  if (rows.length === 0) {
    const names = await store.sql<{ name: string }>('SELECT DISTINCT name FROM runs ORDER BY name LIMIT 20');
    throw new ModelwaveError('MW_USAGE', `no runs of scenario "${scenario}" in the store`, [
      names.length ? `Stored scenarios: ${names.map((n) => JSON.stringify(n.name)).join(', ')}.` : 'The store holds no runs yet.',
    ]);
  }
  const out: HistoryRow[] = rows.map((r) => {
    const row: HistoryRow = {
      id: r.id,
      name: r.name,
      status: r.status,
      startedAt: new Date(r.started_at).toISOString(),
      valid: r.status === 'completed' && r.saturated !== 'true',
      outliers: [],
    };
    const figs: [keyof Figures, unknown][] = [['p99Ms', r.p99], ['accuracy', r.acc], ['errorRate', r.err], ['rps', r.rps]];
    for (const [k, v] of figs) {
      const n = num(v);
      if (n !== undefined) row[k] = n;
    }
    return row;
  });
  flagOutliers(out);
  return { scenario, rows: out };
}

interface PruneOptions {
  /** Delete runs started before now − this many ms. */
  olderThanMs?: number;
  /** Keep the N most recent runs, delete the rest. */
  keep?: number;
  /** Only runs of this scenario. */
  scenario?: string;
  /** Delete for real (default: only say what would go). */
  apply: boolean;
}

export interface PruneResult {
  runs: { id: string; name: string; startedAt: string; status: string; requests: number }[];
  applied: boolean;
}

/**
 * The runs `prune` selects (never one still running: its process may be writing), with their request counts; deleted
 * with their requests, windows and feedback when `apply`. Exactly one of olderThanMs / keep.
 */
export async function pruneRuns(store: MetricsStore, o: PruneOptions): Promise<PruneResult> {
  if ((o.olderThanMs === undefined) === (o.keep === undefined)) throw new ModelwaveError('MW_USAGE', 'store prune needs exactly one of --older-than DURATION or --keep N');
  const params: unknown[] = [];
  const where: string[] = [`${RUN_STATUS_SQL} <> 'running'`];
  if (o.scenario !== undefined) {
    params.push(o.scenario);
    where.push(`r.name = $${params.length}`);
  }
  if (o.olderThanMs !== undefined) {
    params.push(new Date(Date.now() - o.olderThanMs).toISOString());
    where.push(`r.started_at < $${params.length}::timestamptz`);
  }
  let sql = `SELECT r.id, r.name, r.started_at, ${RUN_STATUS_SQL} AS status FROM runs r WHERE ${where.join(' AND ')} ORDER BY r.started_at DESC, r.id`;
  if (o.keep !== undefined) {
    // Keep counts every run of the selection (running ones included), newest first.
    params.push(Math.max(0, Math.floor(o.keep)));
    const scope = o.scenario !== undefined ? 'WHERE r2.name = $1' : '';
    sql = `SELECT r.id, r.name, r.started_at, ${RUN_STATUS_SQL} AS status FROM runs r
      WHERE ${where.join(' AND ')} AND r.id NOT IN (SELECT r2.id FROM runs r2 ${scope} ORDER BY r2.started_at DESC, r2.id LIMIT $${params.length})
      ORDER BY r.started_at DESC, r.id`;
  }
  const rows = await store.sql<{ id: string; name: string; started_at: Date | string; status: string }>(sql, params);
  const ids = rows.map((r) => r.id);
  const counts = new Map<string, number>();
  if (ids.length > 0) {
    for (const c of await store.sql<{ run_id: string; n: unknown }>('SELECT run_id, count(*) AS n FROM requests WHERE run_id = ANY($1::text[]) GROUP BY run_id', [ids])) {
      counts.set(c.run_id, Number(c.n));
    }
  }
  if (o.apply && ids.length > 0) {
    for (const table of ['requests', 'windows', 'feedback']) await store.sql(`DELETE FROM ${table} WHERE run_id = ANY($1::text[])`, [ids]);
    await store.sql('DELETE FROM runs WHERE id = ANY($1::text[])', [ids]);
  }
  return {
    runs: rows.map((r) => ({ id: r.id, name: r.name, startedAt: new Date(r.started_at).toISOString(), status: r.status, requests: counts.get(r.id) ?? 0 })),
    applied: o.apply,
  };
}
