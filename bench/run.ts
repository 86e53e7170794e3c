// `npm run bench` — issues #8 and #19's performance suite: modelwave (with the telco rows a user writes and with light
// rows) against autocannon, the Node floor (a bare keep-alive Node client) and wrk on loopback targets (nginx and the
// reference model server), interleaved rounds, medians and ranges, ratios measured in the same round, generator CPU
// and peak RSS from the OS, and each issue's targets as holds / does not hold. Bounded in time; every process it
// starts is stopped by its process-group id.
//   npm run build && npm run bench                       # full suite (~15 min)
//   npm run bench -- --quick                             # smoke version (~4 min)
//   npm run bench -- --only closed-nginx,open-5k --rounds 5
//   npm run bench -- --only closed-nginx,open-5k,ten-ms --baseline /path/to/other/checkout   # same-round A/B
//   npm run bench -- --update-results                    # also rewrite the generated part of bench/RESULTS.md
import { flagValue, positiveFlag } from './lib/args.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as cases from './lib/cases.js';
import { maxRate, rss, stall } from './lib/cases-limits.js';
import { closedHttps } from './lib/https.js';
import { holds, type Baseline, type BenchOptions, type CaseResult } from './lib/kit.js';
import { GNU_TIME, loadAverage, stopAll, runAsMain } from './lib/proc.js';
import { checkRowScenarios } from './lib/rows.js';
import { fmt, spread, table } from './lib/stats.js';
import { NGINX } from './lib/targets.js';
import { WRK } from './lib/tools.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ALL = ['closed-nginx', 'closed-https', 'open-5k', 'max-rate', 'stall', 'ten-ms', 'rss', 'workers'] as const;
type CaseId = (typeof ALL)[number];

interface Args {
  quick: boolean;
  only: CaseId[];
  rounds: number;
  seconds: number;
  workers?: number;
  wrkThreads: number;
  updateResults: boolean;
  out: string;
  baseline?: Baseline;
}

function parseArgs(argv: string[]): Args {
  const val = (name: string): string | undefined => flagValue(argv, name);
  const num = (name: string, dflt: number): number => positiveFlag(argv, name, dflt);
  const quick = argv.includes('--quick');
  const only = (val('only')?.split(',') ?? ALL.filter((c) => !(quick && c === 'workers'))) as CaseId[];
  for (const c of only) if (!ALL.includes(c)) throw new Error(`--only: unknown case ${c} (cases: ${ALL.join(', ')})`);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return {
    quick,
    only,
    rounds: num('rounds', quick ? 1 : 3),
    seconds: num('seconds', quick ? 2 : 5),
    workers: val('workers') !== undefined ? num('workers', 1) : undefined,
    wrkThreads: num('wrk-threads', 1),
    updateResults: argv.includes('--update-results'),
    out: val('out') ?? path.join(ROOT, 'reports', 'bench', stamp),
    baseline: val('baseline') !== undefined ? baselineOf(val('baseline')!) : undefined,
  };
}

/** `--baseline DIR`: a checkout (a git worktree of another commit) with its own `npm run build` done. */
function baselineOf(dir: string): Baseline {
  const cli = path.resolve(dir, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(cli)) throw new Error(`--baseline ${dir}: ${cli} not found — build that checkout first (npx tsc -p tsconfig.json in it)`);
  let label = path.basename(path.resolve(dir));
  try {
    label = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout: the folder's name
  }
  return { dir: path.resolve(dir), cli, label };
}

function versionOf(cmd: string, args: string[]): string {
  // nginx -v and wrk -v print to stderr (and wrk exits 1): take the first line of whichever has text.
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0] || 'unknown';
}

function environment(a: Args): string {
  const cpus = os.cpus();
  const pkg = (p: string) => (JSON.parse(readFileSync(path.join(ROOT, p), 'utf8')) as { version: string }).version;
  const nginx = versionOf(NGINX, ['-v']).replace(/^nginx version: /, '');
  const wrk = versionOf(WRK, ['-v']).split(' ').slice(0, 2).join(' ');
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  return [
    `- Date: ${new Date().toISOString()}; modelwave ${pkg('package.json')} (commit ${commit}, plus uncommitted changes if any)`,
    `- Machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}; Node ${process.version}`,
    `- Peers: autocannon ${pkg('node_modules/autocannon/package.json')} (npm), the Node floor (bench/lib/node-floor.ts, Node ${process.version}), ${wrk} (Debian); target nginx ${nginx} (Debian)`,
    `- Settings: ${a.rounds} round(s), ${a.seconds} s runs, modelwave workers ${a.workers ?? 'auto (= cores − 1)'}, wrk -t${a.wrkThreads}${a.quick ? ', --quick' : ''}` +
      (a.baseline ? `; baseline build @${a.baseline.label} (${a.baseline.dir}) beside this checkout in closed-nginx, open-5k and ten-ms` : ''),
    `- Command: \`npm run bench${commandFlags(a)}\``,
  ].join('\n');
}

function commandFlags(a: Args): string {
  const f: string[] = [];
  if (a.quick) f.push('--quick');
  if (a.only.length < ALL.length - (a.quick ? 1 : 0)) f.push(`--only ${a.only.join(',')}`);
  if (a.workers !== undefined) f.push(`--workers ${a.workers}`);
  if (a.baseline) f.push(`--baseline ${a.baseline.dir}`);
  return f.length ? ` -- ${f.join(' ')}` : '';
}

async function main(): Promise<number> {
  const a = parseArgs(process.argv.slice(2));
  for (const [bin, pkg] of [[NGINX, 'nginx-light'], [WRK, 'wrk'], [GNU_TIME, 'time']]) {
    if (!existsSync(bin)) throw new Error(`${bin} not found: install it with \`apt-get install -y ${pkg}\``);
  }
  checkRowScenarios();
  const budgetMs = (a.quick ? 10 : 45) * 60_000;
  const watchdog = setTimeout(() => {
    console.error(`bench: over its ${budgetMs / 60_000} min budget; stopping everything it started`);
    stopAll();
    process.exit(3);
  }, budgetMs);
  watchdog.unref();

  const env = environment(a);
  console.log(`modelwave bench\n${env}\n`);
  const load0 = loadAverage();
  if (load0 > 1.5) console.log(`note: load average ${load0} > 1.5 — the machine is busy; absolute figures will be noisy (ratios less so)\n`);
  const o: BenchOptions = { quick: a.quick, rounds: a.rounds, seconds: a.seconds, workers: a.workers, wrkThreads: a.wrkThreads, baseline: a.baseline, log: (l) => console.log(l) };
  const results: CaseResult[] = [];
  let autocannonMax = NaN;
  for (const id of a.only) {
    console.log(`== ${id}`);
    let r: CaseResult;
    switch (id) {
      case 'closed-nginx':
        r = await cases.closedNginx(o);
        autocannonMax = medianRps(r, 'autocannon');
        break;
      case 'closed-https':
        r = await closedHttps(o);
        break;
      case 'open-5k':
        r = await cases.open5k(o);
        break;
      case 'max-rate':
        r = await maxRate(o, Number.isFinite(autocannonMax) ? autocannonMax : undefined);
        break;
      case 'stall':
        r = await stall(o);
        break;
      case 'ten-ms':
        r = await cases.tenMs(o);
        break;
      case 'rss':
        r = await rss(o);
        break;
      case 'workers':
        r = await cases.workers(o);
        break;
    }
    results.push(r);
    console.log(`\n${r.markdown}\n`);
  }

  const checks = results.flatMap((r) => r.checks);
  const summary = table(['target (issue)', 'measured', 'verdict'], checks.map((c) => [c.target, c.value, holds(c.pass)]));
  const sentences = checks.filter((c) => c.sentence).map((c) => `- ${c.sentence}: **${holds(c.pass)}**.`);
  const loads = results.flatMap((r) => [r.loadBefore, r.loadAfter]);
  const loadLine =
    `Load average (1 min) at the start: ${fmt(load0, 2)}; before/after the cases: ${fmt(Math.min(...loads), 2)}–${fmt(Math.max(...loads), 2)} ` +
    `on ${os.cpus().length} cores (the bench's own generator and target bring it towards 2; above that, other work shared the machine)` +
    (Math.max(load0, ...loads) > os.cpus().length
      ? ': **other work shared the machine during this run — absolute figures and tail latencies are not representative, same-round ratios less affected**.'
      : '.');
  const md = [`## Results`, '', env, `- ${loadLine}`, '', summary, '', ...(sentences.length ? ["Issue #19's targets in this run:", '', ...sentences, ''] : []), ...results.map((r) => r.markdown + '\n')].join('\n');
  if (sentences.length) console.log(`${sentences.join('\n')}\n`);
  console.log(`${summary}\n`);
  mkdirSync(a.out, { recursive: true });
  writeFileSync(path.join(a.out, 'results.md'), md);
  writeFileSync(path.join(a.out, 'results.json'), JSON.stringify({ env, args: a, results }, null, 2));
  console.log(`written: ${path.join(a.out, 'results.md')} and results.json`);
  if (a.updateResults) {
    const file = path.join(ROOT, 'bench', 'RESULTS.md');
    const begin = '<!-- bench:begin (generated by npm run bench -- --update-results) -->';
    const end = '<!-- bench:end -->';
    const old = existsSync(file) ? readFileSync(file, 'utf8') : `# Benchmark results\n\n${begin}\n${end}\n`;
    const i = old.indexOf(begin);
    const j = old.indexOf(end);
    const next = i >= 0 && j > i ? old.slice(0, i + begin.length) + '\n' + md + '\n' + old.slice(j) : `${old}\n${begin}\n${md}\n${end}\n`;
    writeFileSync(file, next);
    console.log(`updated: ${file}`);
  }
  return 0;
}

function medianRps(r: CaseResult, tool: 'autocannon'): number {
  const d = r.data as { res?: Record<string, { rps: number }[]> };
  return spread((d.res?.[tool] ?? []).map((x) => x.rps)).median;
}

runAsMain('bench', main);
