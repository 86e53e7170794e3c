// The metrics store: every run, request, window and feedback label in Postgres — a real server by URL (`pg`), or
// by default an embedded one on disk (PGlite: Postgres in WebAssembly), one SQL dialect. Either engine runs on a
// store process of its own, so ingestion costs the main thread little more than a copy of each batch.
//
// How the engine uses it:
//   const store = await openStore({ url, embeddedDir, optional, spoolDir });  // connects, applies migrations;
//       // unreachable → ModelwaveError MW_STORE_UNREACHABLE (exit 3), unless `optional` (then spool-only)
//   await store.beginRun({ id, name, scenario /* redacted */, environment, startedAt });
//   const writer = store.requestWriter(runId);
//   writer.write(batch, windowOfEachRequest);      // synchronous, never blocks: queues; a background pump inserts
//   const { stored, spoolPath, error } = await writer.finish(timeoutMs);   // drains; or leaves a spool and says so
//   await store.saveFeedback(runId, rows);         // any time; idempotent per (uuid, seq)
//   await store.finishRun(summary);                // status, end time, summary JSON, and summary.windows
//   await store.close();
// Every save returns a SaveResult: when the store is away it is kept in `.modelwave/spool/<run>.spool` instead,
// which `importSpool(path, store)` (`modelwave store import`) loads later. Replays are idempotent.
// Read back: listRuns, getRun / getSummary (full id or unique prefix), exportRequests (csv | jsonl, streamed).
// The schema and its conventions are documented in ./migrations.ts.
export type {
  MetricsStore, RequestWriter, StoreOptions, RunMeta, FeedbackRow, WriterOptions, WriterResult, WriterStats,
  SaveResult, StoreInfo, RunListing, StoredRun, ExportFormat, ImportResult,
} from './types.js';
export { openStore, importSpool, DEFAULT_EMBEDDED_DIR, DEFAULT_SPOOL_DIR } from './store.js';
export { resolveStoreOptions } from './spec.js';
export { embeddedStoreExists } from './process-db.js';
export { redactUrl } from './db.js';
export { EXPORT_COLUMNS, type ExportRecord } from './export.js';
