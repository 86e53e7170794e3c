// One run from a loaded scenario to written reports: engine → sinks (progress, store) → Summary → verdict →
// reporters. The CLI (src/cli/commands/run.ts) only parses flags and maps the outcome to an exit code.
import path from 'node:path';
import { EXIT } from './errors.js';
import type { Scenario } from './scenario/types.js';
import type { Summary } from './summary/types.js';
import { executeRun, newRunId, type RunSink } from './engine/run.js';
import { insecureTlsWarnings } from './engine/tls.js';
import { progressSink } from './engine/progress.js';
import { evaluateThresholds } from './verdict/thresholds.js';
import { writeReports, type ReportFormat } from './report/write.js';
import { renderTerminalSummary } from './report/terminal.js';
import { environment } from './engine/summarize.js';
import { workerCount } from './engine/run.js';
import type { MetricsStore, StoreOptions } from './store/index.js';
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
  progressOut?: NodeJS.WriteStream;
  sinks?: RunSink[];
  maxLagP99Ms?: number;
  /** Metrics store (null: none). Opened before the wave: unreachable → exit 3 unless `optional`. */
  store?: StoreOptions | null;
}

export interface RunScenarioResult {
  summary: Summary;
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
  // Printed before the wave (and kept in the report): a run that does not verify its target must not look like one that does.
  for (const w of insecureTlsWarnings(s, s.target.url)) (opts.progressOut ?? process.stderr).write(`warning: ${w}\n`);
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
  if (store && writer) {
    await finishStoredRun(store, writer, summary, result.feedbackRecords);
    await store.close().catch(() => {});
  }
  const reportDir = opts.outDir ?? path.join('reports', runId);
  const files = await writeReports(summary, reportDir, opts.formats);
  if (!opts.quiet) {
    const out = opts.out ?? process.stdout;
    out.write(renderTerminalSummary(summary, { color: Boolean((out as NodeJS.WriteStream).isTTY) }));
    out.write(`\nreports: ${reportDir}\n`);
  }
  return { summary, reportDir, files, exitCode: exitCodeOf(summary) };
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
): Promise<void> {
  try {
    await saveStoredRun(store, writer, summary, feedback);
  } catch (err) {
    // Nothing measured is lost to a failing store: the report is still written, and says what happened.
    const info = store.info();
    summary.store = { ...(summary.store ?? { kind: info.kind, location: info.location, storedRequests: 0 }), complete: false, error: (err as Error).message };
  }
}

async function saveStoredRun(
  store: MetricsStore,
  writer: ReturnType<MetricsStore['requestWriter']>,
  summary: Summary,
  feedback: FeedbackRecord[],
): Promise<void> {
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
  await store.finishRun(summary);
}

const toFeedbackRow = (f: FeedbackRecord) => ({ uuid: f.uuid, seq: f.seq, label: f.label, postedAt: f.postedAtMs, outcome: f.outcome });

/** Warm-up requests are stored too but not counted in totals. */
function warmupRequests(summary: Summary): number {
  return summary.phases.filter((p) => p.warmup).reduce((n, p) => n + p.requests.scheduled, 0);
}
