// One run from a loaded scenario to written reports: engine → sinks (progress, store) → Summary → verdict →
// reporters. The CLI (src/cli/commands/run.ts) only parses flags and maps the outcome to an exit code.
import path from 'node:path';
import { EXIT } from './errors.js';
import type { Scenario } from './scenario/types.js';
import type { Summary } from './summary/types.js';
import { executeRun, newRunId, type RunSink } from './engine/run.js';
import { progressSink } from './engine/progress.js';
import { evaluateThresholds } from './verdict/thresholds.js';
import { writeReports, type ReportFormat } from './report/write.js';
import { deliver, deliveryNotice } from './report/deliver.js';
import { renderTerminalSummary } from './report/terminal.js';
import { environment } from './engine/summarize.js';
import { workerCount } from './engine/run.js';
import type { MetricsStore, SaveResult, StoreOptions } from './store/index.js';
import type { FeedbackRecord } from './engine/feedback.js';

export interface RunScenarioOptions {
  /** Report folder; default reports/<run-id> under the current directory. */
  outDir?: string;
  formats?: ReportFormat[];
  workers?: number;
  signal?: AbortSignal;
  /** No live progress and no terminal summary. */
  quiet?: boolean;
  /** Print the terminal summary to this stream (default stdout) unless quiet. */
  out?: NodeJS.WritableStream;
  /** Warnings (reports written elsewhere, the store) go here, quiet or not (default stderr). */
  errOut?: NodeJS.WritableStream;
  /** Where reports go when the report folder cannot be written (default the system's temporary directory). */
  fallbackReportRoot?: string;
  progressOut?: NodeJS.WriteStream;
  sinks?: RunSink[];
  maxLagP99Ms?: number;
  /** Metrics store (null: none). Opened before the wave: unreachable → exit 3 unless `optional`. */
  store?: StoreOptions | null;
}

export interface RunScenarioResult {
  summary: Summary;
  /** Where the reports are: the folder asked for, the fallback folder, or '' when none could be written. */
  reportDir: string;
  files: string[];
  exitCode: number;
}

export async function runScenario(s: Scenario, opts: RunScenarioOptions = {}): Promise<RunScenarioResult> {
  const runId = newRunId(s.name);
  const sinks: RunSink[] = [...(opts.sinks ?? [])];
  const store = opts.store ? await openMetricsStore(opts.store) : undefined;
  const writer = store ? await beginStoredRun(store, s, runId, opts.workers) : undefined;
  if (writer) sinks.push({ onBatch: (t, b, w) => t === 0 && writer.write(b, w) });
  const feedbackSaves: Promise<unknown>[] = [];
  const onFeedback = store
    ? (rows: FeedbackRecord[]) => feedbackSaves.push(store.saveFeedback(runId, rows.map(toFeedbackRow)).catch(() => undefined))
    : undefined;
  const progress = opts.quiet ? undefined : progressSink(opts.progressOut ?? process.stderr);
  if (progress) sinks.push(progress);
  const result = await executeRun(s, {
    runId,
    sinks,
    ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.maxLagP99Ms !== undefined ? { maxLagP99Ms: opts.maxLagP99Ms } : {}),
    ...(onFeedback ? { onFeedback } : {}),
  });
  await Promise.all(feedbackSaves);
  progress?.end();
  const summary = result.summaries[0];
  summary.thresholds = evaluateThresholds(summary, s.thresholds);
  let summarySaved: SaveResult | undefined;
  if (store && writer) {
    summarySaved = await finishStoredRun(store, writer, summary, result.feedbackRecords);
    await store.close().catch(() => {});
  }
  // The measurement outlives an unwritable report folder: fallback folder, else the summary on the terminal.
  const delivery = await deliver(opts.outDir ?? path.join('reports', runId), runId, (d) => writeReports(summary, d, opts.formats), opts.fallbackReportRoot);
  const out = opts.out ?? process.stdout;
  const errOut = opts.errOut ?? process.stderr;
  if (!opts.quiet) {
    out.write(renderTerminalSummary(summary, { color: Boolean((out as NodeJS.WriteStream).isTTY) }));
    if (delivery.dir) out.write(`\nreports: ${delivery.dir}\n`);
  } else if (!delivery.dir && !summarySaved?.stored) {
    errOut.write(renderTerminalSummary(summary, { color: false })); // nothing else will hold the figures
  }
  errOut.write(deliveryNotice(delivery, recoveryHint(runId, summarySaved)));
  const exitCode = exitCodeOf(summary);
  return {
    summary,
    reportDir: delivery.dir ?? '',
    files: delivery.files,
    exitCode: delivery.dir || exitCode === EXIT.interrupted ? exitCode : EXIT.reportNotWritten,
  };
}

/** How to get the reports of a run whose report files could not be written anywhere. */
function recoveryHint(runId: string, saved: SaveResult | undefined): string {
  if (saved?.stored) return `the run is in the metrics store: \`modelwave report ${runId} --out DIR\` writes them`;
  if (saved?.spoolPath) return `the run is in the spool ${saved.spoolPath}: \`modelwave store import ${saved.spoolPath}\`, then \`modelwave report ${runId} --out DIR\``;
  return 'the run was not stored: the summary printed here is all that remains';
}

export function exitCodeOf(summary: Summary): number {
  if (summary.run.status === 'interrupted') return EXIT.interrupted;
  if (summary.run.status === 'failed') return EXIT.failed;
  return summary.thresholds.every((t) => t.pass) ? EXIT.ok : EXIT.failed;
}

export async function openMetricsStore(o: StoreOptions): Promise<MetricsStore> {
  const { openStore } = await import('./store/index.js');
  return openStore(o);
}

export async function beginStoredRun(store: MetricsStore, s: Scenario, runId: string, workers?: number) {
  await store.beginRun({ id: runId, name: s.name, scenario: s.redacted, environment: environment(workerCount(s, workers)), startedAt: new Date().toISOString() });
  return store.requestWriter(runId);
}

/**
 * Drain the writer, check stored = scheduled, and record the summary. A store that went away leaves a spool file
 * (named in the report) instead of losing rows; the run's own outcome is unaffected.
 */
export async function finishStoredRun(
  store: MetricsStore,
  writer: ReturnType<MetricsStore['requestWriter']>,
  summary: Summary,
  feedback: FeedbackRecord[],
): Promise<SaveResult | undefined> {
  try {
    return await saveStoredRun(store, writer, summary, feedback);
  } catch (err) {
    // Nothing measured is lost to a failing store: the report is still written, and says what happened.
    const info = store.info();
    summary.store = { ...(summary.store ?? { kind: info.kind, location: info.location, storedRequests: 0 }), complete: false, error: (err as Error).message };
    return undefined;
  }
}

async function saveStoredRun(
  store: MetricsStore,
  writer: ReturnType<MetricsStore['requestWriter']>,
  summary: Summary,
  feedback: FeedbackRecord[],
): Promise<SaveResult> {
  const w = await writer.finish(60_000);
  const info = store.info();
  const expected = summary.totals.requests.scheduled + warmupRequests(summary);
  summary.store = {
    kind: info.kind,
    location: info.location,
    storedRequests: w.stored,
    complete: w.stored === expected && !w.spoolPath,
    ...(w.spoolPath ? { spoolPath: w.spoolPath } : {}),
    ...(w.error ? { error: w.error } : {}),
  };
  if (feedback.length) await store.saveFeedback(summary.run.id, feedback.map(toFeedbackRow));
  return store.finishRun(summary);
}

const toFeedbackRow = (f: FeedbackRecord) => ({ uuid: f.uuid, seq: f.seq, label: f.label, postedAt: f.postedAtMs, outcome: f.outcome });

/** Warm-up requests are stored too but not counted in totals. */
function warmupRequests(summary: Summary): number {
  return summary.phases.filter((p) => p.warmup).reduce((n, p) => n + p.requests.scheduled, 0);
}
