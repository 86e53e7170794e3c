// One run from a loaded scenario to written reports: engine → sinks (progress, store) → Summary → verdict →
// reporters. The CLI (src/cli/run.ts) only parses flags and maps the outcome to an exit code.
import path from 'node:path';
import { EXIT, type ModelwaveError } from './errors.js';
import type { Scenario } from './spec/types.js';
import type { Summary } from './summary/types.js';
import { executeRun, newRunId, type RunResult, type RunSink } from './engine/main/run.js';
import { insecureTlsWarnings } from './engine/net/tls.js';
import { progressSink } from './engine/main/progress.js';
import { allFailedRule, evaluateThresholds } from './verdict/thresholds.js';
import { assessValidity, type ValidityOptions } from './verdict/validity.js';
import { writeReports, type ReportFormat } from './report/write.js';
import { deliver, deliveryNotice } from './report/deliver.js';
import { renderTerminalSummary } from './report/terminal.js';
import type { SaveResult, StoreOptions } from './store/types.js';
import { noStore, RunRecord } from './store/run-record.js';
import type { LiveOptions } from './live/index.js';
import type { GroupSpec } from './distributed/shard.js';

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
  /** Accept a run in which no request succeeded (`--allow-all-failed`); by default it fails (exit 1). */
  allowAllFailed?: boolean;
  /** Metrics store (null: none). Opened before the wave: unreachable → exit 3 unless `optional`. */
  store?: StoreOptions | null;
  /**
   * Stop waiting for the store after the wave (the CLI's second Ctrl-C). `signal` does the same when it fires after
   * the wave; fired during the wave it leaves the store its bounded drain (STORE_IDLE_MS without progress).
   */
  hurry?: AbortSignal;
  /** Bounds of the validity verdict (default VALIDITY_DEFAULTS: e.g. a run under 5 s is INVALID, SHORT). */
  validity?: ValidityOptions;
  /** Tag the run as probe `probe` of capacity search `id` (kept in the Summary, so in the store too). */
  capacity?: { id: string; probe: number };
  /** Live outputs: `--live-json`, `--prometheus`, `--dashboard` (src/live). */
  live?: LiveOptions;
  /** Run as one shard of a distributed run group (src/distributed): needs a Postgres `store`. */
  group?: GroupSpec;
}

export interface RunScenarioResult {
  summary: Summary;
  /** Where the reports are: the folder asked for, the fallback folder, or '' when none could be written. */
  reportDir: string;
  files: string[];
  exitCode: number;
  /** A worker failed mid-wave: the report holds what was measured; the exit code is this error's (print it). */
  failure?: ModelwaveError;
}

export async function runScenario(s: Scenario, opts: RunScenarioOptions = {}): Promise<RunScenarioResult> {
  const runId = newRunId(s.name);
  const errOut = opts.errOut ?? process.stderr;
  const sinks: RunSink[] = [...(opts.sinks ?? [])];
  // Before the store row: a dashboard port in use is an exit 2 that leaves nothing behind.
  const live = opts.live ? await (await import('./live/index.js')).startLive(s, runId, opts.live, errOut) : undefined;
  if (live) sinks.push(live.sink);
  const { record, unavailable } = opts.store ? await RunRecord.begin(opts.store, s, [runId], opts.workers, errOut).catch(async (err: unknown) => {
    await live?.close();
    throw err;
  }) : {};
  if (record) sinks.push(record.sink());
  const { GroupParticipation } = opts.group ? await import('./distributed/participate.js') : { GroupParticipation: undefined };
  const group = opts.group && GroupParticipation ? await GroupParticipation.join(opts.group, runId, s, errOut).catch(async (err: unknown) => {
    await record?.fail(err);
    throw err;
  }) : undefined;
  // Printed before the wave (and kept in the report): a run that does not verify its target must not look like one that does.
  for (const w of insecureTlsWarnings(s, s.target.url)) (opts.progressOut ?? process.stderr).write(`warning: ${w}\n`);
  const progress = opts.quiet ? undefined : progressSink(opts.progressOut ?? process.stderr, undefined, s.load.phases, wantColor(opts.progressOut ?? process.stderr));
  if (progress) sinks.push(progress);
  let result: RunResult;
  try {
    result = await executeRun(s, {
      runId,
      sinks,
      ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.maxLagP99Ms !== undefined ? { maxLagP99Ms: opts.maxLagP99Ms } : {}),
      ...(record ? { onFeedback: record.onFeedback } : {}),
      ...group?.runOptions(),
    });
  } catch (err) {
    progress?.end();
    await live?.close();
    await group?.failed(err);
    await record?.fail(err); // never a row left `running` by a run that did not start or could not finish
    throw err;
  }
  progress?.end();
  const summary = result.summaries[0];
  summary.thresholds = evaluateThresholds(summary, s.thresholds);
  if (opts.capacity) summary.run.capacity = opts.capacity;
  // The default sanity rule: a run in which nothing succeeded fails, thresholds or not (unless allowed).
  const allFailed = opts.allowAllFailed ? undefined : allFailedRule(summary);
  if (allFailed) summary.thresholds.push(allFailed);
  // A first Ctrl-C during the wave leaves the drain its bound; one during the drain (or a second) cuts it short.
  const saved = record ? (await record.finish([summary], result.feedbackRecords, drainCutoff(opts)))[0] : undefined;
  const mergesGroup = await group?.ended(summary.run.status, summary.run.error);
  if (unavailable) summary.store = noStore(unavailable);
  // Last: the store's completeness is one of its rules (the copy in the store itself is saved without it).
  summary.run.validity = assessValidity(summary, opts.validity);
  // The measurement outlives an unwritable report folder: fallback folder, else the summary on the terminal.
  const delivery = await deliver(opts.outDir ?? path.join('reports', runId), runId, (d) => writeReports(summary, d, opts.formats), opts.fallbackReportRoot);
  const out = opts.out ?? process.stdout;
  if (!opts.quiet) {
    out.write(renderTerminalSummary(summary, { color: wantColor(out as NodeJS.WriteStream) }));
    if (delivery.dir) out.write(`\nreports: ${delivery.dir}\n`);
  } else if (!delivery.dir && !saved?.stored) {
    errOut.write(renderTerminalSummary(summary, { color: false })); // nothing else will hold the figures
  }
  errOut.write(deliveryNotice(delivery, recoveryHint(runId, saved)));
  // A shard's thresholds are judged on the merged group, not on its 1/N share: the last shard to finish merges.
  const groupExit = group && mergesGroup ? await group.mergeInto(path.join(delivery.dir ?? opts.outDir ?? path.join('reports', runId), 'group'), errOut, opts.quiet ? undefined : out) : undefined;
  if (group && !mergesGroup) errOut.write(group.notice());
  // A Ctrl-C that came only after the wave still ends the process as interrupted (the report says `completed`).
  // A worker that failed mid-wave decides the exit code (its error is printed by the CLI).
  const failure = result.failure;
  const exitCode = failure
    ? failure.exitCode
    : opts.signal?.aborted
      ? EXIT.interrupted
      : group
        ? (groupExit ?? (summary.run.status === 'completed' ? EXIT.ok : exitCodeOf(summary)))
        : exitCodeOf(summary);
  const finalExitCode = delivery.dir || failure || exitCode === EXIT.interrupted ? exitCode : EXIT.reportNotWritten;
  await live?.finish(summary, finalExitCode, result.accumulators, [opts.signal, opts.hurry]);
  return {
    summary,
    reportDir: delivery.dir ?? '',
    files: delivery.files,
    exitCode: finalExitCode,
    ...(failure ? { failure } : {}),
  };
}

/**
 * Colour on a terminal, unless NO_COLOR is set (https://no-color.org: any non-empty value); FORCE_COLOR (non-empty,
 * not 0/false) colours even a pipe.
 */
export function wantColor(out: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return Boolean(out.isTTY);
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

/** What ends the store drain early: `hurry`, and `signal` unless it already fired (during the wave). */
export function drainCutoff(o: { signal?: AbortSignal; hurry?: AbortSignal }): AbortSignal | undefined {
  const live = [o.signal?.aborted ? undefined : o.signal, o.hurry].filter((x): x is AbortSignal => x !== undefined);
  return live.length > 1 ? AbortSignal.any(live) : live[0];
}
