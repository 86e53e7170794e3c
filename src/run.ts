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
import { renderTerminalSummary } from './report/terminal.js';

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
  const progress = opts.quiet ? undefined : progressSink(opts.progressOut ?? process.stderr);
  if (progress) sinks.push(progress);
  const result = await executeRun(s, {
    runId,
    sinks,
    ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.maxLagP99Ms !== undefined ? { maxLagP99Ms: opts.maxLagP99Ms } : {}),
  });
  progress?.end();
  const summary = result.summaries[0];
  summary.thresholds = evaluateThresholds(summary, s.thresholds);
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
