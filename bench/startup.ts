// Issue #19: the CPU of starting and stopping modelwave, this build against another in the same run. Each command
// runs --pairs times per build, the two builds in rotating order within each round (processes alternate):
//   validate  `modelwave validate scenarios/telco.yaml`: the CLI's start-up, no worker
//   fixed     bench/scenarios/open-5k.yaml against nginx cut to 10 ms (`--duration 10ms`): a run's start-up and
//             teardown, worker thread included — the fixed part the bench's cases subtract
//   run       the same at its 5 s (25,000 requests): issue #19's whole-process figure
// CPU is user + sys of the process, every thread, from GNU time; wall time from here. Medians [min–max] per build, and
// the median [min … max] of the same-round differences (baseline − this build), which move much less than either.
//   npm run build && node dist/bench/startup.js --baseline DIR [--pairs 12] [--only validate,fixed,run]
// DIR is another checkout with its own build (`git archive main | tar -x -C DIR`, node_modules linked, its build).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { flagValue, positiveFlag } from './lib/args.js';
import { loadAverage, measure, runAsMain } from './lib/proc.js';
import { fmtSignedSpread, fmtSpread, spread, table } from './lib/stats.js';
import { CLI, startNginx } from './lib/targets.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COMMANDS = ['validate', 'fixed', 'run'] as const;
type Command = (typeof COMMANDS)[number];

/** The CLI's arguments for a command (after node's flags and the CLI's path); scenario paths are this checkout's. */
function argsFor(c: Command, url: string, out: string): string[] {
  if (c === 'validate') return ['validate', path.join(ROOT, 'scenarios/telco.yaml')];
  const run = ['run', path.join(ROOT, 'bench/scenarios/open-5k.yaml'), '--target', url, '--no-store', '--quiet', '--report', 'json', '--out', out];
  return c === 'fixed' ? [...run, '--duration', '10ms'] : run;
}

interface Sample {
  cpuMs: number;
  wallMs: number;
}

async function once(cli: string, c: Command, url: string): Promise<Sample> {
  const out = mkdtempSync(path.join(tmpdir(), 'mw-bench-startup-'));
  try {
    // The node flag the `modelwave` bin's shebang and `npm start` pass (see src/cli/main.ts).
    const m = await measure(process.execPath, ['--max-semi-space-size=2', cli, ...argsFor(c, url, out)], 60_000);
    if (m.exitCode !== 0 && m.exitCode !== 1) throw new Error(`${cli} ${c} exited ${m.exitCode}\n${m.stderr.slice(-2000)}`);
    return { cpuMs: m.cpuMs, wallMs: m.wallMs };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const dir = flagValue(argv, 'baseline');
  if (dir === undefined) throw new Error('--baseline DIR is required: another checkout with its own build');
  const other = path.resolve(dir, 'dist/src/cli/main.js');
  if (!existsSync(other)) throw new Error(`${other} not found: build that checkout first`);
  const pairs = positiveFlag(argv, 'pairs', 12);
  const only = (flagValue(argv, 'only') ?? COMMANDS.join(',')).split(',') as Command[];
  for (const c of only) if (!COMMANDS.includes(c)) throw new Error(`--only: ${COMMANDS.join(', ')} (got ${c})`);
  const builds = [
    { name: 'baseline', cli: other },
    { name: 'this build', cli: CLI },
  ];
  const nginx = await startNginx();
  const rows: string[][] = [];
  const load0 = loadAverage();
  try {
    for (const c of only) {
      const got: Sample[][] = builds.map(() => []);
      for (let i = 0; i < pairs; i++) {
        for (let j = 0; j < builds.length; j++) {
          const b = (i + j) % builds.length;
          got[b].push(await once(builds[b].cli, c, nginx.mlflowEndpoint));
        }
      }
      const [base, mine] = got;
      const cpu = (xs: Sample[]) => spread(xs.map((s) => s.cpuMs));
      const wall = (xs: Sample[]) => spread(xs.map((s) => s.wallMs));
      const saved = (f: (s: Sample) => number) => spread(base.map((s, i) => f(s) - f(mine[i])));
      rows.push([c, fmtSpread(cpu(base), 0), fmtSpread(cpu(mine), 0), fmtSignedSpread(saved((s) => s.cpuMs), 0), fmtSpread(wall(base), 0), fmtSpread(wall(mine), 0), fmtSignedSpread(saved((s) => s.wallMs), 0)]);
      console.error(`${c}: done (${pairs} pairs)`);
    }
  } finally {
    await nginx.stop();
  }
  console.log(`baseline ${dir} vs this build; ${pairs} pairs per command; load average ${load0} → ${loadAverage()}\n`);
  console.log(table(['command', 'CPU ms, baseline', 'CPU ms, this build', 'CPU saved (same round)', 'wall ms, baseline', 'wall ms, this build', 'wall saved'], rows));
  return 0;
}

runAsMain('startup', main);
