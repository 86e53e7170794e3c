// Read-back commands over the metrics store (`runs`, `show`, `export`, `report`) and `store import`.
import { open } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { join } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { action } from './exit.js';
import { usageError } from '../errors.js';
import type { ExportFormat, MetricsStore } from '../store/index.js';

// The store engines and report renderers load only when one of these commands runs (keeps `--help` fast).
const lib = async () => ({
  ...(await import('../store/index.js')),
  ...(await import('../store/format.js')),
  ...(await import('../report/write.js')),
  ...(await import('../report/terminal.js')),
});

const STORE_HELP = 'postgres://… URL or embedded store directory (env MODELWAVE_STORE; default .modelwave/store)';

async function withStore<T>(flag: string | undefined, create: boolean, fn: (s: MetricsStore) => Promise<T>): Promise<T> {
  const { openStore, resolveStoreOptions } = await lib();
  const opts = resolveStoreOptions(flag) ?? {};
  const store = await openStore({ ...opts, optional: false, create });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function positiveInt(v: string): number {
  const n = Number(v);
  // Commander's own error type: thrown from an option parser, anything else escaped as a stack trace (exit 1).
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`--limit must be a positive integer (got ${v})`);
  return n;
}

/** `30d`, `12h`, `90m`, `2w` → ms. */
function ageMs(v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(m|h|d|w)\s*$/.exec(v);
  if (!m) throw usageError(`--older-than must be a number and a unit m, h, d or w, e.g. 30d (got ${JSON.stringify(v)})`);
  return Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 'm' | 'h' | 'd' | 'w'];
}

export function register(program: Command): void {
  program
    .command('runs')
    .description('list recent runs in the metrics store with their key figures')
    .option('--store <url>', STORE_HELP)
    .option('--limit <n>', 'how many runs, most recent first', positiveInt, 20)
    .option('--json', 'print JSON instead of a table')
    .action(
      action(async (o: { store?: string; limit: number; json?: boolean }) => {
        const { resolveStoreOptions, embeddedStoreExists, DEFAULT_EMBEDDED_DIR, formatRunList } = await lib();
        const spec = resolveStoreOptions(o.store) ?? {};
        if (!spec.url && !embeddedStoreExists(spec.embeddedDir ?? DEFAULT_EMBEDDED_DIR)) {
          process.stdout.write(o.json ? '[]\n' : `No runs stored yet (no store at ${spec.embeddedDir ?? DEFAULT_EMBEDDED_DIR}).\n`);
          return;
        }
        const runs = await withStore(o.store, false, (s) => s.listRuns(o.limit));
        process.stdout.write(o.json ? `${JSON.stringify(runs, null, 2)}\n` : `${formatRunList(runs)}\n`);
      }),
    );

  program
    .command('show')
    .description('print a stored run: its summary and its windows')
    .argument('<run-id>', 'run id or a unique prefix of one')
    .option('--store <url>', STORE_HELP)
    .option('--json', 'print the stored run as JSON')
    .action(
      action(async (id: string, o: { store?: string; json?: boolean }) => {
        const { formatRun, renderTerminalSummary } = await lib();
        const run = await withStore(o.store, false, (s) => s.getRun(id));
        if (o.json) process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
        else process.stdout.write(formatRun(run, run.summary ? renderTerminalSummary(run.summary) : undefined));
      }),
    );

  program
    .command('export')
    .description('write one line per request of a stored run, as CSV or JSON Lines')
    .argument('<run-id>', 'run id or a unique prefix of one')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'jsonl']).default('csv'))
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--store <url>', STORE_HELP)
    .action(
      action(async (id: string, o: { format: ExportFormat; out?: string; store?: string }) => {
        await withStore(o.store, false, async (s) => {
          const runId = await s.resolveRunId(id); // fail before creating the output file
          // Opened here, so an unwritable path fails as an error that names it, not as a stream's unhandled event.
          const file = o.out ? await open(o.out, 'w') : undefined;
          const out = file ? file.createWriteStream() : process.stdout;
          let failed: unknown;
          if (file) out.on('error', (err) => (failed ??= err)); // e.g. ENOSPC mid-export; rethrown below
          const n = await s.exportRequests(runId, o.format, out);
          if (file) {
            out.end();
            await finished(out);
            if (failed) throw failed;
            process.stderr.write(`wrote ${n} requests of run ${runId} to ${o.out}\n`);
          }
        });
      }),
    );

  program
    .command('report')
    .description('regenerate the report files of a stored run')
    .argument('<run-id>', 'run id or a unique prefix of one')
    .option('--out <dir>', 'output directory (default reports/<run-id>)')
    .option('--store <url>', STORE_HELP)
    .action(
      action(async (id: string, o: { out?: string; store?: string }) => {
        const { writeReports } = await lib();
        const summary = await withStore(o.store, false, (s) => s.getSummary(id));
        const paths = await writeReports(summary, o.out ?? join('reports', summary.run.id));
        process.stdout.write(`${paths.join('\n')}\n`);
      }),
    );

  program
    .command('history')
    .description('key figures of past runs of a scenario side by side, flagging those outside the recent spread')
    .option('--scenario <name>', 'scenario name (default: the scenario of the most recent run)')
    .option('--limit <n>', 'how many runs, most recent first', positiveInt, 20)
    .option('--store <url>', STORE_HELP)
    .option('--json', 'print JSON instead of a table')
    .option('--html <file>', 'also write trend charts of these runs to FILE (one self-contained page)')
    .action(
      action(async (o: { scenario?: string; limit: number; store?: string; json?: boolean; html?: string }) => {
        const { resolveStoreOptions, embeddedStoreExists, DEFAULT_EMBEDDED_DIR, formatHistory } = await lib();
        const { runHistory } = await import('../store/history.js');
        const spec = resolveStoreOptions(o.store) ?? {};
        if (!spec.url && !embeddedStoreExists(spec.embeddedDir ?? DEFAULT_EMBEDDED_DIR)) {
          process.stdout.write(o.json ? '{"scenario":"","runs":[]}\n' : `No runs stored yet (no store at ${spec.embeddedDir ?? DEFAULT_EMBEDDED_DIR}).\n`);
          return;
        }
        const h = await withStore(o.store, false, (s) => runHistory(s, { ...(o.scenario !== undefined ? { scenario: o.scenario } : {}), limit: o.limit }));
        process.stdout.write(o.json ? `${JSON.stringify({ scenario: h.scenario, runs: h.rows }, null, 2)}\n` : `${formatHistory(h.scenario, h.rows)}\n`);
        if (o.html) {
          const { renderHistoryHtml } = await import('../store/history-html.js');
          const { writeFile } = await import('node:fs/promises');
          await writeFile(o.html, renderHistoryHtml(h.scenario, h.rows));
          process.stderr.write(`trend charts: ${o.html}\n`);
        }
      }),
    );

  const store = program.command('store').description('manage the metrics store');
  store
    .command('prune')
    .description('delete old runs (requests, windows, feedback) from the store; a dry run unless --apply')
    .option('--older-than <d>', 'runs started longer ago than this (e.g. 30d, 12h)')
    .option('--keep <n>', 'keep the N most recent runs, delete the others', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`--keep must be a whole number ≥ 0 (got ${v})`);
      return n;
    })
    .option('--scenario <name>', 'only runs of this scenario')
    .option('--apply', 'delete for real (without it: list what would be deleted)')
    .option('--store <url>', STORE_HELP)
    .action(
      action(async (o: { olderThan?: string; keep?: number; scenario?: string; apply?: boolean; store?: string }) => {
        const { formatPrune } = await lib();
        const { pruneRuns } = await import('../store/history.js');
        if ((o.olderThan === undefined) === (o.keep === undefined)) throw usageError('store prune needs exactly one of --older-than DURATION (e.g. 30d) or --keep N');
        const olderThanMs = o.olderThan !== undefined ? ageMs(o.olderThan) : undefined;
        const r = await withStore(o.store, false, (s) =>
          pruneRuns(s, { ...(olderThanMs !== undefined ? { olderThanMs } : {}), ...(o.keep !== undefined ? { keep: o.keep } : {}), ...(o.scenario !== undefined ? { scenario: o.scenario } : {}), apply: Boolean(o.apply) }),
        );
        process.stdout.write(`${formatPrune(r)}\n`);
      }),
    );
  store
    .command('import')
    .description('load a spool file (left by a run whose store was unreachable) into the store')
    .argument('<spool>', 'path of the .spool file printed at the end of the run')
    .option('--store <url>', STORE_HELP)
    .action(
      action(async (path: string, o: { store?: string }) => {
        const r = await withStore(o.store, true, (s) => s.importSpool(path));
        process.stdout.write(
          `imported run ${r.runId}: ${r.requests} requests from ${r.lines} lines of ${path}\n` +
            'Importing again is harmless; the file can be deleted.\n',
        );
      }),
    );
}
