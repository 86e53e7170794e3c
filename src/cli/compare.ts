import type { Command } from 'commander';
import { action } from './exit.js';
import { usageError } from '../errors.js';
import { interrupts } from './signals.js';
import { durationFlag, positiveFlag } from './flags.js';
import { addLiveOptions, type LiveFlags } from './live-flags.js';

interface CompareFlags extends LiveFlags {
  baseline?: string;
  candidate?: string;
  runs?: string[];
  rule?: string[];
  failOnInconclusive?: boolean;
  out?: string;
  workers?: string;
  duration?: string;
  rate?: string;
  quiet?: boolean;
  json?: boolean;
  store?: string | boolean;
  storeOptional?: boolean;
  allowAllFailed?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('compare')
    .description('compare two model versions on identical traffic (or two finished runs) → verdict, comparison.md, exit 0/1')
    .argument('[scenario]', 'scenario file (for a live comparison)')
    .option('--baseline <url>', 'baseline target (http://… or builtin:telco@v1)')
    .option('--candidate <url>', 'candidate target (http://… or builtin:telco@v2)')
    .option('--runs <runs...>', 'compare two finished runs instead: report folders, report.json files or stored run ids (stored runs of the same scenario and seed are paired)')
    .option('--rule <expr>', 'extra rule, e.g. "accuracy.delta >= -0.01" or "latency.p99.ratio <= 1.10" (repeat the flag for more)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--fail-on-inconclusive', 'exit 1 when a rule cannot be decided, not only when one fails')
    .option('--duration <d>', 'replace every phase duration (e.g. 10s)')
    .option('--rate <n>', 'replace every open-loop rate (req/s, applied to each version)')
    .option('--workers <n>', 'worker threads')
    .option('--out <dir>', 'output folder (default reports/<comparison-id>)')
    .option('--store <url>', 'metrics store for both runs: postgres://… or a directory (default: embedded .modelwave/store)')
    .option('--no-store', 'do not store per-request metrics')
    .option('--store-optional', 'if the store cannot be reached, compare anyway and spool records')
    .option('--allow-all-failed', 'do not fail the comparison because a version answered no request successfully')
    .option('--json', 'print comparison.json to stdout')
    .option('--quiet', 'no live progress');
  addLiveOptions(cmd, 'compare').action(
      action(async (file: string | undefined, f: CompareFlags) => {
        const { compareRuns, runCompare } = await import('../compare/run.js');
        const { resolveStoreOptions } = await import('../store/spec.js'); // not store/index.js: no store module loads for --no-store
        const { renderComparisonText } = await import('../compare/render.js');
        let res;
        if (f.runs) {
          if (f.runs.length !== 2) throw usageError(`--runs needs exactly two runs (got ${f.runs.length})`);
          if (f.baseline || f.candidate) throw usageError('use either --runs A B or a scenario with --baseline and --candidate, not both');
          if (f.liveJson !== undefined || f.prometheus !== undefined || f.dashboard) throw usageError('--live-json, --prometheus and --dashboard watch a live comparison; --runs compares finished runs');
          const spec = file ? (await import('../scenario/load.js')).loadScenario(file).compare : undefined;
          res = await compareRuns(f.runs[0], f.runs[1], {
            ...(f.out ? { outDir: f.out } : {}),
            ...(f.rule ? { rules: f.rule } : {}),
            failOnInconclusive: Boolean(f.failOnInconclusive),
            ...(spec ? { spec } : {}),
            store: resolveStoreOptions(f.store),
          });
        } else {
          if (!file) throw usageError('give a scenario file with --baseline and --candidate, or --runs A B');
          if (!f.baseline || !f.candidate) throw usageError('a live comparison needs both --baseline <url> and --candidate <url>');
          const { loadScenario } = await import('../scenario/load.js');
          const durationMs = f.duration !== undefined ? durationFlag('--duration', f.duration) : undefined;
          const rate = f.rate !== undefined ? positiveFlag('--rate', f.rate) : undefined;
          const workers = f.workers !== undefined ? positiveFlag('--workers', f.workers, true) : undefined;
          // --workers goes through the overrides too, so it is checked against the same limit as `run`'s.
          const overrides = { ...(durationMs !== undefined ? { durationMs } : {}), ...(rate !== undefined ? { rate } : {}), ...(workers !== undefined ? { workers } : {}) };
          const scenario = loadScenario(file, { overrides });
          const { liveOptions } = await import('./live-flags.js');
          const live = liveOptions(f, f.json);
          const { stop, hurry } = interrupts({ inFlightTimeoutMs: scenario.target.timeoutMs });
          res = await runCompare(scenario, {
            ...(live ? { live } : {}),
            store: resolveStoreOptions(f.store, { optional: Boolean(f.storeOptional) }),
            baseline: f.baseline,
            candidate: f.candidate,
            ...(f.out ? { outDir: f.out } : {}),
            ...(f.rule ? { rules: f.rule } : {}),
            ...(workers !== undefined ? { workers } : {}),
            failOnInconclusive: Boolean(f.failOnInconclusive),
            allowAllFailed: Boolean(f.allowAllFailed),
            quiet: Boolean(f.quiet || f.json),
            signal: stop,
            hurry,
          });
        }
        // With --live-json - stdout carries only the JSON lines.
        const out = f.liveJson === '-' ? process.stderr : process.stdout;
        if (f.json) process.stdout.write(`${JSON.stringify(res.comparison, null, 2)}\n`);
        else {
          out.write(renderComparisonText(res.comparison));
          if (res.dir) out.write(`\ncomparison: ${res.dir}\n`);
        }
        return res.exitCode;
      }),
    );
}
