// Issue #17's figure: the same open-loop scenario as 1, 2 and 4 shard processes on this machine against nginx,
// merged through Postgres — aggregate achieved rate vs plan, merged send lag, start skew and clock uncertainty.
// This machine has 2 cores shared with nginx and Postgres: more shards add processes, not cores, so this shows the
// mechanism's overhead (barrier, clock, merge, N processes' fixed costs), not scale-out.
// Run: npm run build && node dist/bench/distributed.js [--rate 2000] [--seconds 3] [--pg postgres://…]
import { flagValue } from './lib/args.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mergeGroup } from '../src/distributed/merge.js';
import { CLI, startNginx } from './lib/targets.js';

const arg = (name: string, dflt: string): string => flagValue(process.argv, name) ?? dflt;
const rate = Number(arg('rate', '2000'));
const seconds = Number(arg('seconds', '3'));
const pg = arg('pg', process.env.MODELWAVE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test');

const run = (args: string[]) =>
  new Promise<number | null>((resolve) => {
    const c = spawn(process.execPath, ['--max-semi-space-size=2', CLI, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    const t = setTimeout(() => c.kill('SIGKILL'), 60_000);
    c.on('close', (code) => (clearTimeout(t), resolve(code)));
  });

const nginx = await startNginx();
const dir = mkdtempSync(path.join(tmpdir(), 'mw-bench-dist-'));
try {
  const file = path.join(dir, 'open.yaml');
  writeFileSync(
    file,
    `name: bench-distributed
seed: 5
target: { url: "${nginx.endpoint}", protocol: cloudera, timeout: 2s }
data:
  fields:
    iot_signal_1: { int: [1, 10] }
    iot_signal_4: { int: [100, 107] }
label:
  name: y
  logistic: { bias: -37, weights: { iot_signal_1: 0.9, iot_signal_4: 0.3 } }
load:
  phases: [{ duration: ${seconds}s, rate: ${rate} }]
windows: { every: 1000 }
`,
  );
  console.log(`open loop ${rate} req/s for ${seconds} s against nginx (1 worker), store ${pg.replace(/\/\/[^@]*@/, '//')}, 1 load worker per shard`);
  console.log('| shards | sent | achieved rps | planned rps | lag p99 ms (merged) | max start skew ms | max clock ± ms | CPU s (sum) | verdict |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const n of [1, 2, 4]) {
    const group = `bench-${n}-${Date.now().toString(36)}`;
    const codes = await Promise.all(
      Array.from({ length: n }, (_, i) => run(['run', file, '--shard', `${i}/${n}`, '--run-group', group, '--store', pg, '--quiet', '--workers', '1', '--report', 'json', '--out', path.join(dir, `${group}-${i}`)])),
    );
    if (codes.some((c) => c !== 0)) console.log(`  (shard exit codes: ${codes.join(', ')})`);
    const { summary, group: g } = await mergeGroup(pg, group);
    const t = summary.totals;
    const max = (xs: (number | undefined)[]) => Math.max(...xs.map((x) => x ?? NaN));
    const cpu = g.perShard.reduce((a, p) => a + (p.cpuS ?? 0), 0);
    console.log(
      `| ${n} | ${t.requests.sent} | ${t.rps} | ${t.plannedRps ?? '–'} | ${t.lagMs.p99} | ${max(g.perShard.map((p) => p.startSkewMs)).toFixed(3)} | ${max(g.perShard.map((p) => p.clockUncertaintyMs)).toFixed(3)} | ${cpu.toFixed(2)} | ${g.verdict} |`,
    );
  }
} finally {
  await nginx.stop();
  rmSync(dir, { recursive: true, force: true });
}
