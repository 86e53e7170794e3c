// Where modelwave's per-request time goes (issue #19): runs modelwave as the bench does (against nginx, --no-store,
// --report json) under `node --cpu-prof`, so the main thread and every worker thread write a .cpuprofile, at the
// bench's two loads — closed loop (50 connections) and open loop 5,000 req/s — with the telco rows and the light rows,
// and writes one text summary per run into bench/profiles/<label>/: per thread (main, workers), the top functions and
// areas by self time, as % of the thread's busy time and µs per request.
//   npm run build && npm run bench:profile -- --label after --repeat 3    # all four runs, 5 s each, 3 times (~3 min)
//   npm run bench:profile -- --label before --build /path/to/main/checkout --repeat 3
//   npm run bench:profile -- --label try --only closed-telco,open-telco --seconds 8
// Flags: --label NAME (default: the build's short commit), --only RUN[,RUN…], --seconds N (default 5), --repeat N
// (each run N times, interleaved, summed into one summary; default 1), --build DIR (profile another checkout's build,
// fed this checkout's scenarios), --workers N, --interval µs (sampling interval, default 500), --top N (functions per
// thread, default 30), --keep (keep the .cpuprofile files, in reports/profiles/<label>/<run>/runK/, for DevTools).
import { flagValue, positiveFlag } from './lib/args.js';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Summary } from '../src/summary/types.js';
import { byRole, mergeRuns, summarize, threadText, type CpuProfile, type ThreadSummary } from './lib/cpuprofile.js';
import { cpuBetween } from './lib/cpu-watch.js';
import { loadAverage, measure, stopAll, runAsMain } from './lib/proc.js';
import { fmt, table } from './lib/stats.js';
import { CLI, startNginx, type Target } from './lib/targets.js';
import { SCENARIOS } from './lib/tools.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The runs: the bench's closed-loop and open-loop scenarios, each with the telco rows and the light rows. */
const RUNS = {
  'closed-telco': { scenario: 'closed-telco.yaml', endpoint: (t: Target) => t.mlflowEndpoint, what: 'closed loop, 50 connections, telco rows (faker device_id, mlflow-split)' },
  'closed-light': { scenario: 'closed-50.yaml', endpoint: (t: Target) => t.endpoint, what: 'closed loop, 50 connections, light rows (closed-50.yaml: no faker field, Cloudera)' },
  'open-telco': { scenario: 'open-5k.yaml', endpoint: (t: Target) => t.mlflowEndpoint, what: 'open loop 5,000 req/s, telco rows (faker device_id, mlflow-split, drifting label)' },
  'open-light': { scenario: 'open-5k-light.yaml', endpoint: (t: Target) => t.endpoint, what: 'open loop 5,000 req/s, light rows (open-5k-light.yaml)' },
} as const;
type RunId = keyof typeof RUNS;
const IDS = Object.keys(RUNS) as RunId[];

interface Args {
  label: string;
  only: RunId[];
  seconds: number;
  repeat: number;
  workers?: number;
  intervalUs: number;
  top: number;
  keep: boolean;
  /** The CLI profiled: this checkout's, or --build DIR's. */
  cli: string;
  /** The checkout the CLI is from (paths in the summaries are relative to it). */
  root: string;
  buildLine: string;
}

function parseArgs(argv: string[]): Args {
  const val = (name: string): string | undefined => flagValue(argv, name);
  const num = (name: string, dflt: number): number => positiveFlag(argv, name, dflt);
  const only = (val('only')?.split(',') ?? IDS) as RunId[];
  for (const r of only) if (!IDS.includes(r)) throw new Error(`--only: unknown run ${r} (runs: ${IDS.join(', ')})`);
  const build = val('build');
  const root = build ? path.resolve(build) + '/' : ROOT;
  const cli = build ? path.join(root, 'dist', 'src', 'cli', 'main.js') : CLI;
  if (!existsSync(cli)) throw new Error(`--build ${build}: ${cli} not found — build that checkout first (npx tsc -p tsconfig.json in it)`);
  let label = val('label');
  if (!label) label = commitOf(root)?.split(' ')[0] ?? path.basename(root);
  if (!/^[\w.-]+$/.test(label)) throw new Error(`--label must be a plain name (letters, digits, . _ -), got ${label}`);
  return {
    label,
    only,
    seconds: num('seconds', 5),
    repeat: num('repeat', 1),
    workers: val('workers') !== undefined ? num('workers', 1) : undefined,
    intervalUs: num('interval', 500),
    top: num('top', 30),
    keep: argv.includes('--keep'),
    cli,
    root,
    buildLine: `${build ? `${root} (--build)` : 'this checkout'} at ${commitOf(root) ?? 'an unknown commit'}${build ? '' : dirtySrc()}`,
  };
}

/** "<short hash> <subject>" of a checkout, or undefined when it is not a git checkout. */
function commitOf(dir: string): string | undefined {
  try {
    return execFileSync('git', ['log', '-1', '--format=%h %s'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().slice(0, 100);
  } catch {
    return undefined;
  }
}

function dirtySrc(): string {
  try {
    return execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '' ? ' (plus uncommitted changes in src/)' : '';
  } catch {
    return '';
  }
}

const sum = <T>(xs: T[], f: (x: T) => number): number => xs.reduce((a, x) => a + f(x), 0);

/** One profiled run: its threads' summaries and the run's own figures. */
interface OneRun {
  threads: ThreadSummary[];
  sent: number;
  ok: number;
  rps: number;
  lagP99Ms: number;
  durationMs: number;
  cpuMs: number;
  loadCpuMs: number;
  loadBefore: number;
  loadAfter: number;
}

async function profileOnce(id: RunId, target: Target, a: Args, round: number): Promise<OneRun> {
  const run = RUNS[id];
  const work = mkdtempSync(path.join(tmpdir(), 'mw-bench-prof-'));
  const profDir = path.join(work, 'prof');
  const out = path.join(work, 'out');
  try {
    const args = [
      '--cpu-prof',
      '--cpu-prof-dir',
      profDir,
      '--cpu-prof-interval',
      String(a.intervalUs),
      '--max-semi-space-size=2',
      a.cli,
      'run',
      path.join(SCENARIOS, run.scenario),
      '--target',
      run.endpoint(target),
      '--duration',
      `${a.seconds}s`,
      '--out',
      out,
      '--quiet',
      '--no-store',
      '--report',
      'json',
      ...(a.workers !== undefined ? ['--workers', String(a.workers)] : []),
    ];
    const loadBefore = loadAverage();
    // The profiles' timestamps are µs of CLOCK_MONOTONIC (process.hrtime's clock); report.json's are wall-clock ms.
    const monoMinusEpochUs = Number(process.hrtime.bigint() / 1000n) - Date.now() * 1000;
    const m = await measure(process.execPath, args, (a.seconds + 60) * 1000, { cpu: true });
    if (m.exitCode !== 0 && m.exitCode !== 1) throw new Error(`modelwave exited ${m.exitCode}\n${m.stderr.slice(-2000)}`);
    const s = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as Summary;
    const [t0, t1] = [Date.parse(s.run.startedAt), Date.parse(s.run.endedAt)];
    const window: [number, number] = [t0 * 1000 + monoMinusEpochUs, t1 * 1000 + monoMinusEpochUs];
    const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
    const threads = files.map((f) => summarize(f, JSON.parse(readFileSync(path.join(profDir, f), 'utf8')) as CpuProfile, a.root, window)).sort(byRole);
    if (a.keep) {
      const keepDir = path.join(ROOT, 'reports', 'profiles', a.label, id, `run${round + 1}`);
      mkdirSync(keepDir, { recursive: true });
      for (const f of files) cpSync(path.join(profDir, f), path.join(keepDir, f));
    }
    return {
      threads,
      sent: s.phases.reduce((n, p) => n + p.requests.sent, 0),
      ok: s.totals.requests.ok,
      rps: s.totals.rps,
      lagP99Ms: s.totals.lagMs.p99,
      durationMs: s.run.durationMs,
      cpuMs: m.cpuMs,
      loadCpuMs: cpuBetween(m.cpuSamples ?? [], t0, t1),
      loadBefore,
      loadAfter: loadAverage(),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The text summary of a run's repeats: per-run figures, then the merged threads. */
function render(id: RunId, target: Target, a: Args, runs: OneRun[]): string {
  const run = RUNS[id];
  const sent = sum(runs, (r) => r.sent);
  const threads = mergeRuns(runs.map((r) => r.threads));
  const busyUs = sum(threads, (t) => t.load.busyUs);
  const loadCpuUs = sum(runs, (r) => r.loadCpuMs) * 1000;
  const header = [
    `### ${id}: ${run.what}`,
    '',
    `- Build: ${a.buildLine}; label \`${a.label}\`; ${new Date().toISOString()}`,
    `- Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}, Node ${process.version}; load average (1 min) before/after each run: ${runs.map((r) => `${fmt(r.loadBefore, 2)}/${fmt(r.loadAfter, 2)}`).join(', ')}`,
    `- Run${runs.length > 1 ? ` (${runs.length} times, interleaved with the other runs)` : ''}: \`node --cpu-prof --cpu-prof-interval ${a.intervalUs} --max-semi-space-size=2 dist/src/cli/main.js run bench/scenarios/${run.scenario} --target <nginx>${new URL(run.endpoint(target)).pathname} --duration ${a.seconds}s --no-store --report json${a.workers !== undefined ? ` --workers ${a.workers}` : ''}\` against nginx (1 worker, fixed answer)`,
    '',
    table(
      ['run', 'requests sent', 'req/s', 'lag p99 ms', 'CPU ms (GNU time, whole life)', 'CPU µs/req (whole life)', 'CPU ms during the load', 'CPU µs/req during the load'],
      [
        ...runs.map((r, i) => [String(i + 1), r.sent.toLocaleString('en-US'), fmt(r.rps, 0), fmt(r.lagP99Ms, 3), fmt(r.cpuMs, 0), fmt((r.cpuMs * 1000) / r.sent), fmt(r.loadCpuMs, 0), fmt((r.loadCpuMs * 1000) / r.sent)]),
        ...(runs.length > 1 ? [['all', sent.toLocaleString('en-US'), '', '', fmt(sum(runs, (r) => r.cpuMs), 0), fmt((sum(runs, (r) => r.cpuMs) * 1000) / sent), fmt(loadCpuUs / 1000, 0), fmt(loadCpuUs / sent)]] : []),
      ],
    ),
    '',
    `- CPU during the load: the process's utime + stime (every thread, kernel included) from /proc every 20 ms, read at report.json's startedAt and endedAt. ` +
      `The JavaScript threads' sampled busy time below is ${fmt(busyUs / sent)} µs per request of its ${fmt(loadCpuUs / sent)}; the rest (${fmt((loadCpuUs - busyUs) / sent)} µs) is in no sample: ` +
      `kernel work of the threads' wake-ups, V8's GC and compiler helper threads, libuv's pool, the profiler itself (negative when the threads waited for a core: samples count wall-clock ticks).`,
    `- Figures below count the samples taken during the load only; start-up and teardown are summed apart. µs/req = self time ÷ requests sent${runs.length > 1 ? ' (summed over the runs)' : ''}. ` +
      `Samples are taken on wall-clock ticks: a thread waiting for a core on a loaded machine counts as busy. ` +
      `Native frames (writeLatin1String: the socket write, syscall included; postMessage) hold the time of the kernel calls they make; ` +
      `(program) is native time outside any JavaScript frame (the event loop, libuv); (garbage collector) is the thread's own GC pauses.`,
    '',
    table(
      ['thread', 'busy ms (load)', 'busy µs/req', 'idle ms (load)', 'busy ms outside the load'],
      [
        ...threads.map((t) => [`${t.role} (tid ${t.tid})`, fmt(t.load.busyUs / 1000, 1), fmt(t.load.busyUs / sent, 2), fmt(t.load.idleUs / 1000, 1), fmt(t.outside.busyUs / 1000, 1)]),
        ['all threads', fmt(busyUs / 1000, 1), fmt(busyUs / sent, 2), '', fmt(sum(threads, (t) => t.outside.busyUs) / 1000, 1)],
      ],
    ),
  ].join('\n');
  return [header, '', ...threads.map((t) => threadText(t, sent, a.top) + '\n')].join('\n');
}

async function main(): Promise<number> {
  const a = parseArgs(process.argv.slice(2));
  const outDir = path.join(ROOT, 'bench', 'profiles', a.label);
  mkdirSync(outDir, { recursive: true });
  const load = loadAverage();
  if (load > 1.5) console.log(`note: load average ${load} > 1.5 — the machine is busy; shares are still telling, absolute times less so`);
  const ng = await startNginx();
  try {
    const runs = Object.fromEntries(a.only.map((id) => [id, [] as OneRun[]])) as Record<RunId, OneRun[]>;
    for (let r = 0; r < a.repeat; r++) {
      for (const id of a.only) {
        const one = await profileOnce(id, ng, a, r);
        runs[id].push(one);
        console.log(`  ${id} run ${r + 1}/${a.repeat}: ${fmt(one.rps, 0)} req/s, CPU during the load ${fmt((one.loadCpuMs * 1000) / one.sent)} µs/request`);
      }
    }
    for (const id of a.only) {
      const file = path.join(outDir, `${id}.txt`);
      writeFileSync(file, render(id, ng, a, runs[id]));
      console.log(`written: ${path.relative(ROOT, file)}`);
    }
  } finally {
    await ng.stop();
  }
  return 0;
}

runAsMain('bench profile', main);
