import type { Command } from 'commander';
import { action, reportError } from './exit.js';
import { durationFlag, positiveFlag } from './flags.js';
import { interrupts } from './signals.js';
import { addLiveOptions, type LiveFlags } from './live-flags.js';

interface RunFlags extends LiveFlags {
  duration?: string;
  rate?: string;
  concurrency?: string;
  workers?: string;
  out?: string;
  json?: boolean;
  quiet?: boolean;
  threshold?: string[];
  target?: string;
  report?: string;
  store?: string | boolean;
  storeOptional?: boolean;
  allowAllFailed?: boolean;
  shard?: string;
  runGroup?: string;
  barrierTimeout?: string;
}

export function register(program: Command): void {
  const cmd = program
    .command('run')
    .description('run a scenario: load wave, latency, accuracy against ground truth, reports in reports/<run-id>/')
    .argument('<scenario>', 'scenario file (YAML or JSON)')
    .option('--duration <d>', 'replace every phase duration (e.g. 10s)')
    .option('--rate <n>', 'replace every open-loop rate (req/s)')
    .option('--concurrency <n>', 'run one closed-loop phase with N in flight instead of the scenario phases')
    .option('--workers <n>', 'load worker threads (default: scenario load.workers; auto = cores − 1, at least 1)')
    .option('--target <url>', 'replace target.url (http://…, https://… or builtin:telco@v2)')
    // One expression per flag (repeat the flag): a variadic option swallowed the scenario after it.
    .option('--threshold <expr>', 'extra threshold, e.g. "latency.p99 < 250ms" (repeat the flag for more)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--out <dir>', 'report folder (default reports/<run-id>)')
    .option('--report <formats>', 'report files to write: json,md,html,junit,hgrm (default all)')
    .option('--store <url>', 'metrics store: postgres://… or a directory (default: embedded store in .modelwave/store, or $MODELWAVE_STORE)')
    .option('--no-store', 'do not store per-request metrics')
    .option('--store-optional', 'if the store cannot be reached, run anyway and spool records to .modelwave/spool (or $TMPDIR/modelwave-spool)')
    .option('--allow-all-failed', 'exit 0 even when no request succeeded (by default such a run fails: rule errors.rate < 100%)')
    .option('--shard <I/N>', 'run as shard I of N of a distributed run: send the requests k ≡ I (mod N) (env: JOB_COMPLETION_INDEX + MODELWAVE_SHARDS)')
    .option('--run-group <name>', 'distributed run: the name every shard shares; merge with `modelwave merge NAME` (env: MODELWAVE_RUN_GROUP)')
    .option('--barrier-timeout <d>', 'distributed run: how long a shard waits for the others before exiting 3 (default 120s)')
    .option('--json', 'print report.json to stdout instead of the summary table')
    .option('--quiet', 'no live progress and no summary table');
  addLiveOptions(cmd, 'run').action(
      action(async (file: string, f: RunFlags) => {
        // Heavy modules (charts, stores, faker) load only when a command needs them: `serve` and `--help` stay fast.
        // Shard flags first: a bad --shard is a usage error before the scenario is even read.
        const { resolveGroup } = await import('../distributed/shard.js');
        const group = resolveGroup(f);
        const { loadScenario } = await import('../scenario/load.js');
        const { runScenario } = await import('../run.js');
        const { parseReportFormats } = await import('../report/write.js');
        const durationMs = f.duration !== undefined ? durationFlag('--duration', f.duration) : undefined;
        const scenario = loadScenario(file, {
          overrides: {
            ...(durationMs !== undefined ? { durationMs } : {}),
            ...(f.rate !== undefined ? { rate: positiveFlag('--rate', f.rate) } : {}),
            ...(f.concurrency !== undefined ? { concurrency: positiveFlag('--concurrency', f.concurrency) } : {}),
            ...(f.workers !== undefined ? { workers: positiveFlag('--workers', f.workers) } : {}),
            ...(f.threshold ? { thresholds: f.threshold } : {}),
            ...(f.target ? { target: f.target } : {}),
          },
        });
        if (group) (await import('../distributed/shard.js')).checkShardable(scenario); // before the store is opened
        const { resolveStoreOptions } = await import('../store/spec.js'); // not store/index.js: no store module loads for --no-store
        const store = resolveStoreOptions(f.store, { optional: Boolean(f.storeOptional) });
        const { liveOptions } = await import('./live-flags.js');
        const live = liveOptions(f, f.json);
        const { stop, hurry } = interrupts({ inFlightTimeoutMs: scenario.target.timeoutMs });
        const res = await runScenario(scenario, {
          ...(live ? { live } : {}),
          ...(f.liveJson === '-' ? { out: process.stderr } : {}),
          ...(f.out ? { outDir: f.out } : {}),
          ...(f.report ? { formats: parseReportFormats(f.report) } : {}),
          quiet: Boolean(f.quiet || f.json),
          signal: stop,
          hurry,
          store,
          allowAllFailed: Boolean(f.allowAllFailed),
          ...(group && { group }),
        });
        if (f.json) process.stdout.write(`${JSON.stringify(res.summary, null, 2)}\n`);
        if (res.failure) reportError(res.failure);
        return res.exitCode;
      }),
    );
}
