// Where modelwave's per-request time goes (issue #19): runs modelwave as the bench does (against nginx, --no-store,
// --report json) under `node --cpu-prof`, so the main thread and every worker thread write a .cpuprofile, at the
// bench's two loads — closed loop (50 connections) and open loop 5,000 req/s — with the telco rows and the light rows,
// and writes one text summary per run into bench/profiles/<label>/: per thread (main, workers), the top functions and
// areas by self time, as % of the thread's busy time and µs per request.
//   npm run build && npm run bench:profile -- --label before            # all four runs, 5 s each (~1 min)
//   npm run bench:profile -- --label after --only closed-telco,open-telco --seconds 8
// Flags: --label NAME (default: the short commit), --only RUN[,RUN…], --seconds N (default 5), --workers N,
// --interval µs (sampling interval, default 500), --top N (functions per thread, default 30), --keep (keep the
// .cpuprofile files, in reports/profiles/<label>/<run>/, to open in Chrome DevTools).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Summary } from '../src/summary/types.js';
import { byRole, summarize, threadText, type CpuProfile } from './lib/cpuprofile.js';
import { cpuBetween } from './lib/cpu-watch.js';
import { loadAverage, measure, stopAll } from './lib/proc.js';
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

function parseArgs(argv: string[]) {
  const val = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (name: string, dflt: number): number => {
    const v = val(name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!(n > 0)) throw new Error(`--${name} must be a positive number (got ${v})`);
    return n;
  };
  const only = (val('only')?.split(',') ?? IDS) as RunId[];
  for (const r of only) if (!IDS.includes(r)) throw new Error(`--only: unknown run ${r} (runs: ${IDS.join(', ')})`);
  let label = val('label');
  if (!label) label = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  if (!/^[\w.-]+$/.test(label)) throw new Error(`--label must be a plain name (letters, digits, . _ -), got ${label}`);
  return {
    label,
    only,
    seconds: num('seconds', 5),
    workers: val('workers') !== undefined ? num('workers', 1) : undefined,
    intervalUs: num('interval', 500),
    top: num('top', 30),
    keep: argv.includes('--keep'),
  };
}

function commitLine(): string {
  try {
    const c = execFileSync('git', ['log', '-1', '--format=%h %s'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return `${c.slice(0, 100)}${dirty ? ' (plus uncommitted changes in src/)' : ''}`;
  } catch {
    return 'unknown';
  }
}

const sum = <T>(xs: T[], f: (x: T) => number): number => xs.reduce((a, x) => a + f(x), 0);

async function profileRun(id: RunId, target: Target, a: ReturnType<typeof parseArgs>): Promise<string> {
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
      CLI,
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
    const sent = s.phases.reduce((n, p) => n + p.requests.sent, 0);
    const window: [number, number] = [Date.parse(s.run.startedAt) * 1000 + monoMinusEpochUs, Date.parse(s.run.endedAt) * 1000 + monoMinusEpochUs];
    const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
    const threads = files
      .map((f) => summarize(f, JSON.parse(readFileSync(path.join(profDir, f), 'utf8')) as CpuProfile, ROOT, window))
      .sort(byRole);
    if (a.keep) {
      const keepDir = path.join(ROOT, 'reports', 'profiles', a.label, id);
      mkdirSync(keepDir, { recursive: true });
      for (const f of files) cpSync(path.join(profDir, f), path.join(keepDir, f));
    }
    const cpuPerReq = (m.cpuMs * 1000) / sent;
    const loadCpuMs = cpuBetween(m.cpuSamples ?? [], Date.parse(s.run.startedAt), Date.parse(s.run.endedAt));
    const busyUs = sum(threads, (t) => t.load.busyUs);
    const header = [
      `### ${id}: ${run.what}`,
      '',
      `- Commit: ${commitLine()}; label \`${a.label}\`; ${new Date().toISOString()}`,
      `- Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}, Node ${process.version}; load average (1 min) before/after: ${fmt(loadBefore, 2)} / ${fmt(loadAverage(), 2)}`,
      `- Run: \`node --cpu-prof --cpu-prof-interval ${a.intervalUs} --max-semi-space-size=2 dist/src/cli/main.js run bench/scenarios/${run.scenario} --target <nginx>${new URL(run.endpoint(target)).pathname} --duration ${a.seconds}s --no-store --report json${a.workers !== undefined ? ` --workers ${a.workers}` : ''}\` against nginx (1 worker, fixed answer)`,
      `- ${sent.toLocaleString('en-US')} requests sent (${fmt(s.totals.rps, 0)} req/s, ${s.totals.requests.ok.toLocaleString('en-US')} ok, lag p99 ${fmt(s.totals.lagMs.p99, 3)} ms); ` +
        `whole process (GNU time: every thread, kernel included, start-up included, profiler overhead included): ${fmt(m.cpuMs, 0)} ms CPU = ${fmt(cpuPerReq)} µs per request`,
      `- During the load alone (the process's utime + stime from /proc every 20 ms, read at startedAt and endedAt): ${fmt(loadCpuMs, 0)} ms CPU = **${fmt((loadCpuMs * 1000) / sent)} µs per request**; ` +
        `the JavaScript threads' sampled busy time below is ${fmt(busyUs / sent)} µs per request of it, the rest (${fmt((loadCpuMs * 1000 - busyUs) / sent)} µs) is in no sample: ` +
        `kernel work of the threads' wake-ups, V8's GC and compiler helper threads, libuv's pool, the profiler itself (negative when the threads waited for a core: samples count wall-clock ticks)`,
      `- Figures below count the samples taken during the load only (report.json's startedAt → endedAt, ${fmt(s.run.durationMs, 0)} ms); start-up and teardown are summed apart. ` +
        `µs/req = self time ÷ requests sent. Samples are taken on wall-clock ticks: a thread waiting for a core on a loaded machine counts as busy. ` +
        `Native frames (writeLatin1String: the socket write, syscall included; postMessage) hold the time of the kernel calls they make; ` +
        `(program) is native time outside any JavaScript frame (the event loop, libuv); (garbage collector) is the thread's own GC pauses.`,
      '',
      table(
        ['thread', 'busy ms (load)', 'busy µs/req', 'idle ms (load)', 'busy ms outside the load'],
        [
          ...threads.map((t) => [`${t.role} (tid ${t.tid})`, fmt(t.load.busyUs / 1000, 1), fmt(t.load.busyUs / sent, 2), fmt(t.load.idleUs / 1000, 1), fmt(t.outside.busyUs / 1000, 1)]),
          ['all threads', fmt(sum(threads, (t) => t.load.busyUs) / 1000, 1), fmt(sum(threads, (t) => t.load.busyUs) / sent, 2), '', fmt(sum(threads, (t) => t.outside.busyUs) / 1000, 1)],
        ],
      ),
    ].join('\n');
    return [header, '', ...threads.map((t) => threadText(t, sent, a.top) + '\n')].join('\n');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const a = parseArgs(process.argv.slice(2));
  const outDir = path.join(ROOT, 'bench', 'profiles', a.label);
  mkdirSync(outDir, { recursive: true });
  const load = loadAverage();
  if (load > 1.5) console.log(`note: load average ${load} > 1.5 — the machine is busy; shares are still telling, absolute times less so`);
  const ng = await startNginx();
  try {
    for (const id of a.only) {
      console.log(`== ${id}`);
      const text = await profileRun(id, ng, a);
      const file = path.join(outDir, `${id}.txt`);
      writeFileSync(file, text);
      console.log(text.split('\n').slice(0, 14).join('\n'));
      console.log(`written: ${path.relative(ROOT, file)}\n`);
    }
  } finally {
    await ng.stop();
  }
  return 0;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    stopAll();
    process.exit(130);
  });
}
process.on('exit', stopAll);

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    stopAll();
    console.error(`bench profile failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
