import type { Command } from 'commander';
import { action, reportError } from './exit.js';
import { EXIT, usageError } from '../errors.js';
import { parseDurationMs } from '../util/duration.js';
import { interrupts } from './signals.js';
import { idStamp } from '../util/ids.js';
import { positiveFlag } from './flags.js';
import { parseFraction } from '../util/fraction.js';

interface CapacityFlags {
  slo?: string[];
  mode: string;
  start?: string;
  max?: string;
  min?: string;
  precision?: string;
  maxProbes?: string;
  maxTime: string;
  probeDuration: string;
  warmup: string;
  require?: string;
  maxLag?: string;
  out?: string;
  target?: string;
  workers?: string;
  store?: string | boolean;
  storeOptional?: boolean;
  json?: boolean;
  quiet?: boolean;
}

const duration = (flag: string, v: string, allowZero = false): number => {
  let ms: number;
  try {
    ms = parseDurationMs(v);
  } catch {
    throw usageError(`${flag} must look like 500ms, 10s or 2m (got ${v})`);
  }
  if (!allowZero && ms <= 0) throw usageError(`${flag} must be longer than 0 (got ${v})`);
  return ms;
};

/** `5%` or `0.05` → 0.05, in (0, 1). */
const fraction = (flag: string, v: string): number => {
  const f = parseFraction(v);
  if (!(f > 0 && f < 1)) throw usageError(`${flag} must be a fraction between 0 and 1 or a percentage, like 5% or 0.05 (got ${v})`);
  return f;
};

export function register(program: Command): void {
  program
    .command('capacity')
    .description('find the highest rate (or concurrency) the target sustains within SLOs: probes that grow, then bisect; reports in --out')
    .argument('<scenario>', 'scenario file (YAML or JSON): its target, data, labels and arrivals; its load phases are replaced by the probes')
    .option('--slo <expr...>', 'SLO that every probe must meet, e.g. "latency.p99 < 200ms" or "accuracy >= 0.8" (repeatable; threshold grammar)')
    .option('--mode <mode>', 'rate: open loop at a planned rate (default); concurrency: closed loop with N in flight', 'rate')
    .option('--start <n>', 'first level probed (req/s, or in flight; default 10 req/s or 1)')
    .option('--max <n>', 'highest level probed (default 100000 req/s or 10000 in flight)')
    .option('--min <n>', 'lowest level probed when the first probe fails (default 0.1 req/s or 1)')
    .option('--precision <p>', 'stop when the passing and failing levels are this close (rate mode; default 5%)')
    .option('--max-probes <n>', 'at most this many probes (default 20)')
    .option('--max-time <d>', 'wall-clock bound of the whole search', '10m')
    .option('--probe-duration <d>', 'measured length of each probe (longer at low rates when the SLO percentile needs more samples)', '10s')
    .option('--warmup <d>', 'warm-up before each probe at the same level (not measured; 0 for none)', '2s')
    .option('--require <n>', 'exit 1 unless the capacity found is at least this (req/s, or in flight)')
    .option('--max-lag <d>', 'send lag p99 above this makes a probe INVALID (default: 10ms or a tenth of the tightest latency SLO, whichever is larger)')
    .option('--target <url>', 'replace target.url (http://…, https://… or builtin:telco@v2)')
    .option('--workers <n>', 'load worker threads')
    .option('--out <dir>', 'report folder (default reports/capacity-<time>); each probe in a sub-folder')
    .option('--store <url>', 'metrics store: postgres://… or a directory (default: embedded store in .modelwave/store, or $MODELWAVE_STORE)')
    .option('--no-store', 'do not store per-request metrics')
    .option('--store-optional', 'if the store cannot be reached, search anyway and spool records')
    .option('--json', 'print report.json to stdout instead of the table')
    .option('--quiet', 'no per-probe progress and no table')
    .action(
      action(async (file: string, f: CapacityFlags) => {
        if (!f.slo?.length) throw usageError('capacity needs at least one --slo, e.g. --slo "latency.p99 < 200ms"');
        const mode = f.mode === 'rate' || f.mode === 'open' ? 'rate' : f.mode === 'concurrency' || f.mode === 'closed' ? 'concurrency' : undefined;
        if (!mode) throw usageError(`--mode must be rate (open loop) or concurrency (closed loop) (got ${f.mode})`);
        const conc = mode === 'concurrency';
        const { searchDefaults } = await import('../capacity/search.js');
        const d = searchDefaults(mode);
        const o = {
          ...d,
          start: f.start !== undefined ? positiveFlag('--start', f.start, conc) : d.start,
          max: f.max !== undefined ? positiveFlag('--max', f.max, conc) : d.max,
          min: f.min !== undefined ? positiveFlag('--min', f.min, conc) : d.min,
          precision: f.precision !== undefined ? fraction('--precision', f.precision) : d.precision,
          maxProbes: f.maxProbes !== undefined ? positiveFlag('--max-probes', f.maxProbes, true) : d.maxProbes,
          maxTimeMs: duration('--max-time', f.maxTime),
          probeMs: duration('--probe-duration', f.probeDuration),
          warmupMs: duration('--warmup', f.warmup, true),
          ...(f.require !== undefined ? { require: positiveFlag('--require', f.require) } : {}),
          ...(f.maxLag !== undefined ? { maxLagP99Ms: duration('--max-lag', f.maxLag) } : {}),
        };
        if (o.start > o.max) throw usageError(`--start (${o.start}) must not exceed --max (${o.max})`);
        if (o.min > o.start) throw usageError(`--min (${o.min}) must not exceed --start (${o.start})`);
        const { loadScenario, thresholdFromFlag } = await import('../scenario/load.js');
        const scenario = loadScenario(file, {
          overrides: {
            ...(f.target ? { target: f.target } : {}),
            ...(f.workers !== undefined ? { workers: positiveFlag('--workers', f.workers, true) } : {}),
          },
        });
        const slos = f.slo.map((expr) => thresholdFromFlag('--slo', expr, scenario.label));
        const { resolveStoreOptions } = await import('../store/spec.js'); // not store/index.js: no store module loads for --no-store
        const { searchCapacity } = await import('../capacity/run.js');
        const report = await import('../capacity/report.js');
        const store = resolveStoreOptions(f.store, { optional: Boolean(f.storeOptional) });
        const outDir = f.out ?? `reports/capacity-${idStamp()}`;
        const { stop, hurry } = interrupts({ inFlightTimeoutMs: scenario.target.timeoutMs });
        const log = f.quiet || f.json ? undefined : process.stderr;
        const { answer, error } = await searchCapacity(
          scenario,
          { ...o, slos },
          {
            outDir,
            store,
            signal: stop,
            hurry,
            ...(f.workers !== undefined ? { workers: Number(f.workers) } : {}),
            onStart: (i, level, ms) => log?.write(`probe ${i}: ${conc ? `concurrency ${level}` : `${level} req/s`} for ${(ms / 1000).toFixed(1)} s (+ ${(o.warmupMs / 1000).toFixed(1)} s warm-up) …`),
            onProbe: (p) => log?.write(` ${p.verdict.toUpperCase()} · achieved ${p.achievedRps} req/s · p99 ${p.latencyMs.p99} ms${p.verdict === 'pass' ? '' : ` · ${p.why.slice(0, 200)}`}\n`),
          },
        );
        const files = await report.writeCapacityReports(answer, outDir);
        if (f.json) process.stdout.write(report.renderCapacityJson(answer));
        else if (!f.quiet) process.stdout.write(`${report.renderCapacityTerminal(answer)}\nreports: ${outDir} (${files.length} files; each probe in its own folder)\n`);
        if (error) return reportError(error);
        if (answer.end === 'interrupted') return EXIT.interrupted;
        return answer.found ? EXIT.ok : EXIT.failed;
      }),
    );
}
