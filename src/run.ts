// One run from a loaded scenario to written reports: the session (src/session/orchestrate.ts) runs the wave and
// stages the Summary (measured → judged → attached, saved in the store); this file delivers it — reports, the terminal
// summary, a distributed group's merge — and says what the exit code follows. The CLI (src/cli/run.ts) only parses
// flags and maps the outcome to an exit code.
import path from 'node:path';
import { EXIT, type ModelwaveError } from './errors.js';
import type { Scenario } from './spec/types.js';
import type { Summary } from './summary/types.js';
import { newRunId } from './engine/main/run.js';
import type { ValidityOptions } from './verdict/validity.js';
import { writeReports, type ReportFormat } from './report/write.js';
import { deliver, deliveryNotice } from './report/deliver.js';
import type { SaveResult } from './store/types.js';
import type { GroupSpec } from './distributed/shard.js';
import { runSession, wantColor, type SessionOptions } from './session/orchestrate.js';

/** The session's options (workers, signals, quiet, store, live, …: src/session/orchestrate.ts) and a run's own. */
export interface RunScenarioOptions extends SessionOptions {
  /** Report folder; default reports/<run-id> under the current directory. */
  outDir?: string;
  formats?: ReportFormat[];
  /** Print the terminal summary to this stream (default stdout) unless quiet. */
  out?: NodeJS.WritableStream;
  /** Where reports go when the report folder cannot be written (default the system's temporary directory). */
  fallbackReportRoot?: string;
  /** Bounds of the validity verdict (default VALIDITY_DEFAULTS: e.g. a run under 5 s is INVALID, SHORT). */
  validity?: ValidityOptions;
  /** Tag the run as probe `probe` of capacity search `id` (kept in the Summary, so in the store too). */
  capacity?: { id: string; probe: number };
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
  const out = opts.out ?? process.stdout;
  const wave = { runIds: [runId], ...(opts.validity ? { validity: opts.validity } : {}), ...(opts.capacity ? { capacity: opts.capacity } : {}), ...(opts.group ? { group: opts.group } : {}) };
  const end = await runSession(s, opts, wave, async ({ summaries: [summary], saved: [saved], judgements: [judged], group }) => {
    // The measurement outlives an unwritable report folder: fallback folder, else the summary on the terminal.
    const delivery = await deliver(opts.outDir ?? path.join('reports', runId), runId, (d) => writeReports(summary, d, opts.formats), opts.fallbackReportRoot);
    if (!opts.quiet) {
      out.write((await terminal()).renderTerminalSummary(summary, { color: wantColor(out as NodeJS.WriteStream) }));
      if (delivery.dir) out.write(`\nreports: ${delivery.dir}\n`);
    } else if (!delivery.dir && !saved?.stored) {
      errOut.write((await terminal()).renderTerminalSummary(summary, { color: false })); // nothing else will hold the figures
    }
    errOut.write(deliveryNotice(delivery, recoveryHint(runId, saved)));
    // A shard's thresholds are judged on the merged group, not on its 1/N share: the last shard to finish merges.
    const groupExit = group?.merges ? await group.participation.mergeInto(path.join(delivery.dir ?? opts.outDir ?? path.join('reports', runId), 'group'), errOut, opts.quiet ? undefined : out) : undefined;
    if (group && !group.merges) errOut.write(group.participation.notice());
    const verdict = group ? (groupExit ?? (summary.run.status === 'completed' ? EXIT.ok : judged.exitCode)) : judged.exitCode;
    return { verdict, delivered: Boolean(delivery.dir), reportDir: delivery.dir ?? '', files: delivery.files };
  });
  const { reportDir, files } = end.delivered;
  return { summary: end.wave.summaries[0], reportDir, files, exitCode: end.exitCode, ...(end.failure ? { failure: end.failure } : {}) };
}

/** The terminal summary's module, loaded only when a summary is printed (not for --quiet and --json runs). */
const terminal = () => import('./report/terminal.js');

/** How to get the reports of a run whose report files could not be written anywhere. */
function recoveryHint(runId: string, saved: SaveResult | undefined): string {
  if (saved?.stored) return `the run is in the metrics store: \`modelwave report ${runId} --out DIR\` writes them`;
  if (saved?.spoolPath) return `the run is in the spool ${saved.spoolPath}: \`modelwave store import ${saved.spoolPath}\`, then \`modelwave report ${runId} --out DIR\``;
  return 'the run was not stored: the summary printed here is all that remains';
}

