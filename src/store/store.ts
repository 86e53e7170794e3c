// openStore and the MetricsStore over either engine. Run-level saves retry briefly, then fall back to the run's
// spool file, so a store that goes away at the end of a run loses nothing either.
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Writable } from 'node:stream';
import type { Summary, WindowSummary } from '../summary/types.js';
import { ModelwaveError } from '../errors.js';
import { errorMessage, isPostgresUrl, isTransient, redactUrl, type Db } from './db.js';
import { ProcessDb } from './process-db.js';
import { Spool, SPOOL_VERSION, importSpoolFile, type SpoolLine } from './spool.js';
import {
  expectedRecords, failRun, finishRun, heartbeat, HEARTBEAT_MS, RUN_STATUS_SQL, storedStatus, stripSecrets, upsertFeedback, upsertRun, upsertWindows,
  windowFromRow, type WindowRow,
} from './sql.js';
import { fsProblem, fsProblemText } from '../util/fs-errors.js';
import { exportRequests } from './export.js';
import { StoreWriter } from './writer.js';
import type {
  ExportFormat, FeedbackRow, ImportResult, MetricsStore, RequestWriter, RunListing, RunMeta, SaveResult, StoreInfo,
  StoredRun, StoreOptions, WriterOptions,
} from './types.js';

export const DEFAULT_EMBEDDED_DIR = '.modelwave/store';
export const DEFAULT_SPOOL_DIR = '.modelwave/spool';
const SAVE_RETRY_MS = [250, 1_000];

/** Where spools go when the spool directory (by default under the working directory) cannot be written. */
const fallbackSpoolDir = (): string => join(tmpdir(), 'modelwave-spool');

export async function openStore(opts: StoreOptions = {}): Promise<MetricsStore> {
  const spoolDir = resolve(opts.spoolDir ?? DEFAULT_SPOOL_DIR);
  if (opts.url !== undefined) {
    if (!isPostgresUrl(opts.url)) {
      throw new ModelwaveError('MW_USAGE', `store URL must start with postgres:// or postgresql:// (got ${redactUrl(opts.url)})`, [
        'Pass --store postgres://user@host:5432/db, or a directory for an embedded store.',
      ]);
    }
    const location = redactUrl(opts.url);
    try {
      return new Store(await ProcessDb.openPostgres(opts.url), { kind: 'postgres', location, connected: true }, spoolDir);
    } catch (err) {
      const e = unreachable(location, err);
      if (!opts.optional) throw e;
      return new Store(null, { kind: 'postgres', location, connected: false }, spoolDir, e.message);
    }
  }
  const dir = resolve(opts.embeddedDir ?? DEFAULT_EMBEDDED_DIR);
  try {
    return new Store(await ProcessDb.openEmbedded(dir, opts.create ?? true), { kind: 'embedded', location: dir, connected: true }, spoolDir);
  } catch (err) {
    const e = err instanceof ModelwaveError ? err : fsProblem(err) ? uncreatable(dir, err) : unreachable(dir, err);
    if (!opts.optional || e.code === 'MW_USAGE') throw e;
    return new Store(null, { kind: 'embedded', location: dir, connected: false }, spoolDir, e.message);
  }
}

function unreachable(location: string, err: unknown): ModelwaveError {
  return new ModelwaveError('MW_STORE_UNREACHABLE', `cannot reach the metrics store at ${location}: ${errorMessage(err)}`, [
    'Check that the server is running and the URL (--store or MODELWAVE_STORE) is right, user and database included.',
    'Or omit --store to use the embedded store, or pass --store-optional to run anyway: records are spooled and',
    '`modelwave store import <spool>` loads them later.',
  ], { cause: err });
}

/** The embedded store's directory cannot be created or written (read-only working directory, disk full…). */
function uncreatable(dir: string, err: unknown): ModelwaveError {
  return new ModelwaveError('MW_STORE_UNREACHABLE', `cannot open the embedded metrics store at ${dir}: ${fsProblemText(err)}`, [
    `${fsProblem(err)?.fix ?? 'choose another directory'}: pass --store <a writable directory> (or MODELWAVE_STORE), or --store postgres://…;`,
    'or --no-store to run without a store, or --store-optional to run anyway with the records spooled.',
  ], { cause: err });
}

/** Load a spool file (written by a run whose store was away) into `store`. */
export const importSpool = (path: string, store: MetricsStore): Promise<ImportResult> => store.importSpool(path);

const fileSafe = (id: string) => id.replace(/[^A-Za-z0-9._-]/g, '_');

class Store implements MetricsStore {
  private spools = new Map<string, Spool>();
  private metas = new Map<string, RunMeta>();
  private writers: StoreWriter[] = [];
  private heartbeats = new Map<string, NodeJS.Timeout>();
  /** Set by cutOff(): why the database is no longer waited for. */
  private cut?: string;
  /** Rejects on cutOff(), so every pending database call can be raced against it. */
  private readonly cutoff: Promise<never>;
  private rejectCutoff!: (err: Error) => void;

  constructor(
    private db: Db | null,
    private readonly where: StoreInfo,
    private readonly spoolDir: string,
    private readonly offlineReason?: string,
  ) {
    this.cutoff = new Promise<never>((_, reject) => {
      this.rejectCutoff = reject;
    });
    this.cutoff.catch(() => undefined);
  }

  info(): StoreInfo {
    return { ...this.where };
  }

  cutOff(reason: string): void {
    if (this.cut) return;
    this.cut = reason;
    this.rejectCutoff(new Error(reason));
  }

  private spoolFor(runId: string): Spool {
    let s = this.spools.get(runId);
    if (!s) {
      const header = (): SpoolLine => ({ t: 'run', v: SPOOL_VERSION, runId, meta: this.metas.get(runId) ?? null });
      const file = `${fileSafe(runId)}.spool`;
      const dirs = [...new Set([this.spoolDir, fallbackSpoolDir()])];
      s = new Spool(dirs.map((d) => join(d, file)), header);
      this.spools.set(runId, s);
    }
    return s;
  }

  /**
   * Run `op`; retry transient failures briefly; failing that (or once cut off), keep `line` in the run's spool.
   * Never throws: a spool that cannot be written either is reported in the result (nothing stored, no spool path).
   */
  private async save(runId: string, op: (db: Db) => Promise<void>, line: SpoolLine): Promise<SaveResult> {
    let error = this.offlineReason ?? 'store not connected';
    if (this.db) {
      for (let attempt = 0; ; attempt++) {
        if (this.cut) {
          error = this.cut;
          break;
        }
        try {
          await Promise.race([op(this.db), this.cutoff]);
          return { stored: true };
        } catch (err) {
          error = this.cut ?? errorMessage(err);
          if (this.cut || !isTransient(err) || attempt >= SAVE_RETRY_MS.length) break;
          await Promise.race([sleep(SAVE_RETRY_MS[attempt]), this.cutoff]).catch(() => undefined);
        }
      }
    }
    const spool = this.spoolFor(runId);
    try {
      await spool.append([JSON.stringify(line)]);
    } catch (err) {
      return { stored: false, error: `${error}; and ${(err as Error).message}` };
    }
    return { stored: false, spoolPath: spool.path, error };
  }

  /** Proof of life while the run goes on; a failed beat is not worth a spool line (the run's end says it all). */
  private startHeartbeat(runId: string): void {
    const db = this.db;
    if (!db || this.heartbeats.has(runId)) return;
    let beating = false;
    const t = setInterval(() => {
      if (beating || this.cut) return;
      beating = true;
      void heartbeat(db, runId).catch(() => undefined).finally(() => (beating = false));
    }, HEARTBEAT_MS);
    t.unref();
    this.heartbeats.set(runId, t);
  }

  private stopHeartbeat(runId: string): void {
    clearInterval(this.heartbeats.get(runId));
    this.heartbeats.delete(runId);
  }

  beginRun(meta: RunMeta): Promise<SaveResult> {
    const safe: RunMeta = { ...meta, scenario: stripSecrets(meta.scenario) }; // the spool must not hold secrets either
    this.metas.set(meta.id, safe);
    this.startHeartbeat(meta.id);
    return this.save(meta.id, (db) => upsertRun(db, safe), { t: 'run', v: SPOOL_VERSION, runId: meta.id, meta: safe });
  }

  requestWriter(runId: string, opts?: WriterOptions): RequestWriter {
    const w = new StoreWriter(this.db, runId, this.spoolFor(runId), opts, this.offlineReason);
    this.writers.push(w);
    return w;
  }

  saveWindows(runId: string, windows: WindowSummary[]): Promise<SaveResult> {
    return this.save(runId, (db) => upsertWindows(db, runId, windows), { t: 'windows', windows });
  }

  /** Stores the summary (status, end time) and its windows, so saveWindows is only needed for live windows. */
  finishRun(summary: Summary): Promise<SaveResult> {
    const safe = stripSecrets(summary) as Summary;
    this.stopHeartbeat(summary.run.id);
    return this.save(summary.run.id, (db) => finishRun(db, safe), { t: 'finish', summary: safe });
  }

  failRun(runId: string, reason: string): Promise<SaveResult> {
    const endedAt = new Date().toISOString();
    this.stopHeartbeat(runId);
    return this.save(runId, (db) => failRun(db, runId, reason, endedAt), { t: 'failed', error: reason, endedAt });
  }

  saveFeedback(runId: string, rows: FeedbackRow[]): Promise<SaveResult> {
    return this.save(runId, (db) => upsertFeedback(db, runId, rows), { t: 'feedback', rows });
  }

  private need(): Db {
    if (this.db) return this.db;
    throw new ModelwaveError('MW_STORE_UNREACHABLE', `the metrics store at ${this.where.location} is not connected: ${this.offlineReason ?? ''}`);
  }

  async listRuns(limit: number): Promise<RunListing[]> {
    type R = {
      id: string; name: string; status: string; error: string | null; spool_path: string | null; started_at: Date; ended_at: Date | null; target: string | null;
      sent: number | null; ok: number | null; error_rate: number | null; rps: number | null; p99_ms: number | null;
      accuracy: number | null; stored: number | null;
    };
    const { rows } = await this.need().query<R>(
      `SELECT id, name, ${RUN_STATUS_SQL} AS status, error, summary->'store'->>'spoolPath' AS spool_path, started_at, ended_at,
         summary->'run'->>'target' AS target,
         (summary->'totals'->'requests'->>'sent')::float8 AS sent, (summary->'totals'->'requests'->>'ok')::float8 AS ok,
         (summary->'totals'->'errors'->>'rate')::float8 AS error_rate, (summary->'totals'->>'rps')::float8 AS rps,
         (summary->'totals'->'latencyMs'->>'p99')::float8 AS p99_ms, (summary->'totals'->>'accuracy')::float8 AS accuracy,
         (summary->'store'->>'storedRequests')::float8 AS stored
       FROM runs r ORDER BY started_at DESC, id LIMIT $1`,
      [Math.max(1, Math.floor(limit))],
    );
    return rows.map((r) => {
      const out: RunListing = { id: r.id, name: r.name, status: r.status, startedAt: r.started_at.toISOString() };
      if (r.ended_at) out.endedAt = r.ended_at.toISOString();
      const opt: [keyof RunListing, unknown][] = [
        ['target', r.target], ['sent', r.sent], ['ok', r.ok], ['errorRate', r.error_rate], ['rps', r.rps],
        ['p99Ms', r.p99_ms], ['accuracy', r.accuracy], ['storedRequests', r.stored], ['error', r.error], ['spoolPath', r.spool_path],
      ];
      for (const [k, v] of opt) if (v !== null && v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
      return out;
    });
  }

  async resolveRunId(idOrPrefix: string): Promise<string> {
    const { rows } = await this.need().query<{ id: string }>(
      'SELECT id FROM runs WHERE id = $1 OR starts_with(id, $1) ORDER BY (id = $1) DESC, started_at DESC LIMIT 6',
      [idOrPrefix],
    );
    if (rows.length && (rows[0].id === idOrPrefix || rows.length === 1)) return rows[0].id;
    if (!rows.length) {
      // Requests can exist without their run row (a run whose beginRun never reached the store): exact ids only.
      const orphan = await this.need().query('SELECT 1 FROM requests WHERE run_id = $1 LIMIT 1', [idOrPrefix]);
      if (orphan.rows.length) return idOrPrefix;
      throw new ModelwaveError('MW_USAGE', `no run "${idOrPrefix}" in the store at ${this.where.location}`, [
        'List the stored runs with `modelwave runs` (and check --store / MODELWAVE_STORE).',
      ]);
    }
    throw new ModelwaveError('MW_USAGE', `run id prefix "${idOrPrefix}" is ambiguous`, [
      `It matches ${rows.map((r) => r.id).join(', ')}${rows.length > 5 ? ', …' : ''}; give more characters.`,
    ]);
  }

  async getRun(idOrPrefix: string): Promise<StoredRun> {
    const db = this.need();
    const id = await this.resolveRunId(idOrPrefix);
    type R = {
      id: string; name: string; status: string; error: string | null; started_at: Date; ended_at: Date | null; scenario: unknown;
      environment: unknown; summary: Summary | null;
    };
    const { rows } = await db.query<R>(
      `SELECT id, name, ${RUN_STATUS_SQL} AS status, error, started_at, ended_at, scenario, environment, summary FROM runs r WHERE id = $1`,
      [id],
    );
    const r = rows[0];
    const windows = (await db.query<WindowRow>('SELECT * FROM windows WHERE run_id = $1 ORDER BY window_index', [id])).rows.map(windowFromRow);
    const run: StoredRun = { id: r.id, name: r.name, status: r.status, startedAt: r.started_at.toISOString(), scenario: r.scenario, environment: r.environment, windows };
    if (r.ended_at) run.endedAt = r.ended_at.toISOString();
    if (r.error) run.error = r.error;
    if (r.summary) run.summary = r.summary;
    return run;
  }

  async getSummary(idOrPrefix: string): Promise<Summary> {
    const id = await this.resolveRunId(idOrPrefix);
    const { rows } = await this.need().query<{ summary: Summary | null; status: string; error: string | null }>(
      `SELECT summary, ${RUN_STATUS_SQL} AS status, error FROM runs r WHERE id = $1`,
      [id],
    );
    const s = rows[0]?.summary;
    if (!s) {
      const why = rows[0]?.error ? `: ${rows[0].error}` : '';
      throw new ModelwaveError('MW_USAGE', `run ${id} has no summary (status: ${rows[0]?.status ?? 'unknown'}${why}): it did not finish`, [
        `\`modelwave show ${id}\` prints what was stored; \`modelwave export ${id}\` its requests.`,
      ]);
    }
    return s;
  }

  async exportRequests(idOrPrefix: string, format: ExportFormat, out: Writable): Promise<number> {
    const id = await this.resolveRunId(idOrPrefix);
    return exportRequests(this.need(), id, format, out);
  }

  async importSpool(path: string): Promise<ImportResult> {
    const db = this.need();
    const result = await importSpoolFile(db, path);
    await reconcileStoreFigures(db, result.runId);
    return result;
  }

  async sql<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]> {
    return (await this.need().query<R>(text, params)).rows;
  }

  async close(): Promise<void> {
    for (const t of this.heartbeats.values()) clearInterval(t);
    this.heartbeats.clear();
    for (const w of this.writers) if (!w.done) await w.finish(0);
    for (const s of this.spools.values()) await s.close();
    const db = this.db;
    this.db = null;
    // A server we stopped waiting for gets no clean goodbye either; the embedded engine always closes cleanly (its
    // files are ours), within ProcessDb's bound.
    await db?.close(this.cut && this.where.kind === 'postgres' ? 0 : undefined);
  }
}

/** After an import the stored summary's store figures are stale: recount and say whether the run is complete now. */
async function reconcileStoreFigures(db: Db, runId: string): Promise<void> {
  const { rows } = await db.query<{ summary: Summary | null }>('SELECT summary FROM runs WHERE id = $1', [runId]);
  const summary = rows[0]?.summary;
  if (!summary?.store) return;
  const n = (await db.query<{ n: number }>('SELECT count(*) AS n FROM requests WHERE run_id = $1', [runId])).rows[0].n;
  const expected = expectedRecords(summary);
  const store = { ...summary.store, storedRequests: n, complete: n === expected };
  if (store.complete) {
    delete store.spoolPath;
    delete store.error;
  }
  await db.query(`UPDATE runs SET summary = jsonb_set(summary, '{store}', $2::jsonb), status = $3 WHERE id = $1`, [
    runId, JSON.stringify(store), storedStatus({ ...summary, store }),
  ]);
}
