// The metrics store's public contract. The engine opens a store, begins a run, streams request batches through a
// RequestWriter (which never blocks the caller), then saves windows, feedback and the final Summary.
import type { Writable } from 'node:stream';
import type { RecordBatch } from '../engine/types.js';
import type { EnvironmentInfo, Summary, WindowSummary } from '../summary/types.js';

export interface StoreOptions {
  /** postgres://… (or postgresql://…). When absent the embedded store is used. */
  url?: string;
  /** Embedded store directory; default `.modelwave/store` under the current directory. */
  embeddedDir?: string;
  /** When the store cannot be reached, return a spool-only store instead of throwing MW_STORE_UNREACHABLE. */
  optional?: boolean;
  /** Where spool files go; default `.modelwave/spool` under the current directory. */
  spoolDir?: string;
  /** Embedded store: create it when missing (default true). Read-back commands pass false. */
  create?: boolean;
}

export interface RunMeta {
  id: string;
  name: string;
  /** The scenario with secrets already redacted; header values are stripped again before storing. */
  scenario: unknown;
  environment: EnvironmentInfo | Record<string, unknown>;
  /** ISO timestamp. */
  startedAt: string;
}

export interface FeedbackRow {
  uuid: string;
  seq: number;
  label: string;
  /** ms since the Unix epoch. */
  postedAt: number;
  outcome: string;
}

export interface WriterOptions {
  /** Requests held in memory before they spill to the spool file (default 100 000). */
  maxQueuedRequests?: number;
  /** Requests per INSERT statement (default 5 000). */
  batchRequests?: number;
}

export interface WriterResult {
  /** Requests confirmed in the store by this writer. */
  stored: number;
  /** Set when some records are still only in the spool file (load with `modelwave store import`). */
  spoolPath?: string;
  error?: string;
  /** Why the drain ended before the store had everything (absent when it did, or when the writer gave up). */
  endedBy?: 'stall' | 'signal' | 'timeout';
}

export interface FinishOptions {
  /** Stop waiting as soon as this is aborted (Ctrl-C): the rest goes to the spool. */
  signal?: AbortSignal;
  /** Stop waiting when the store has taken no record for this long while its statements fail (it went away). */
  idleMs?: number;
  /**
   * Stop waiting when the store has taken no record for this long though nothing failed (a statement that hangs).
   * Longer than idleMs: a busy store (a large COPY at the lowest CPU priority) is slow, not gone.
   */
  silentMs?: number;
}

export interface WriterStats {
  accepted: number;
  stored: number;
  /** Requests currently waiting in memory. */
  queued: number;
  /** Requests written to the spool and not yet drained. */
  spooled: number;
  state: 'ok' | 'retrying' | 'spool-only';
  lastError?: string;
}

export interface RequestWriter {
  readonly runId: string;
  /**
   * Queue a batch; `window[i]` is the window index of request i. Synchronous and never blocks: the writer keeps a
   * reference to the batch, so the caller must not mutate it afterwards.
   */
  write(batch: RecordBatch, window: Int32Array): void;
  stats(): WriterStats;
  /**
   * Drain memory and spool into the store; after `timeoutMs` (or idleMs / silentMs without progress, or the signal) leave the
   * rest in the spool and say where.
   */
  finish(timeoutMs: number, opts?: FinishOptions): Promise<WriterResult>;
}

/** Outcome of a run-level save: stored, or (store unreachable) appended to the run's spool file. */
export interface SaveResult {
  stored: boolean;
  spoolPath?: string;
  error?: string;
}

export interface StoreInfo {
  kind: 'embedded' | 'postgres';
  /** URL without password, or the embedded directory. */
  location: string;
  /** False for a spool-only store (optional store that could not be reached). */
  connected: boolean;
}

export interface RunListing {
  id: string;
  name: string;
  /**
   * running · completed · interrupted · failed (with `error`) · incomplete (the store lacks records: `spoolPath`) ·
   * abandoned (still `running`, but its process stopped reporting: killed, or its store went away mid-run).
   */
  status: string;
  error?: string;
  spoolPath?: string;
  startedAt: string;
  endedAt?: string;
  target?: string;
  sent?: number;
  ok?: number;
  errorRate?: number;
  rps?: number;
  p99Ms?: number;
  accuracy?: number;
  storedRequests?: number;
}

export interface StoredRun {
  id: string;
  name: string;
  /** As in RunListing. */
  status: string;
  error?: string;
  startedAt: string;
  endedAt?: string;
  scenario: unknown;
  environment: unknown;
  summary?: Summary;
  /** From the windows table (saved even when the run never finished). */
  windows: WindowSummary[];
}

export type ExportFormat = 'csv' | 'jsonl';

export interface ImportResult {
  runId: string;
  requests: number;
  lines: number;
}

export interface MetricsStore {
  info(): StoreInfo;
  beginRun(meta: RunMeta): Promise<SaveResult>;
  requestWriter(runId: string, opts?: WriterOptions): RequestWriter;
  saveWindows(runId: string, windows: WindowSummary[]): Promise<SaveResult>;
  finishRun(summary: Summary): Promise<SaveResult>;
  /** A run that ended without a summary (a failed start, an error mid-run): status `failed`, with the reason. */
  failRun(runId: string, reason: string): Promise<SaveResult>;
  /**
   * Stop waiting for the database (it went away, or the user will not wait): saves in flight and later ones go
   * straight to the spool. Records already handed to the database may still land there; replays are idempotent.
   */
  cutOff(reason: string): void;
  saveFeedback(runId: string, rows: FeedbackRow[]): Promise<SaveResult>;
  /** Most recent first. */
  listRuns(limit: number): Promise<RunListing[]>;
  /** Full id or a unique prefix; unknown or ambiguous → ModelwaveError MW_USAGE (exit 2). */
  resolveRunId(idOrPrefix: string): Promise<string>;
  getRun(idOrPrefix: string): Promise<StoredRun>;
  /** The stored Summary; a run that never finished → MW_USAGE. */
  getSummary(idOrPrefix: string): Promise<Summary>;
  /** One line per request, ordered by seq, paged (never the whole run in memory). Returns lines written. */
  exportRequests(idOrPrefix: string, format: ExportFormat, out: Writable): Promise<number>;
  importSpool(path: string): Promise<ImportResult>;
  /** Ad-hoc SQL against the store (dashboards, tests, the lab's `read_metrics`); same dialect on both engines. */
  sql<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /** Spools what unfinished writers still hold, then disconnects (and releases the embedded lock). */
  close(): Promise<void>;
}
