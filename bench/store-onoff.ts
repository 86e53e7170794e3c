// Issue #5's figure: open-loop throughput and send lag at a fixed rate with the metrics store off, embedded (PGlite)
// and on a real Postgres — interleaved rounds against the reference server, printed as ratios to "off".
// Run: npm run build && node dist/bench/store-onoff.js [--rate 5000] [--seconds 8] [--rounds 2] [--pg postgres://…]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseScenarioText } from '../src/scenario/load.js';
import { runScenario } from '../src/run.js';
import type { StoreOptions } from '../src/store/index.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const rate = Number(arg('rate', '5000'));
const seconds = Number(arg('seconds', '8'));
const rounds = Number(arg('rounds', '2'));
const pg = arg('pg', process.env.MODELWAVE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test');
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

async function startServer(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--model', 'telco@v1', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((r) => createInterface({ input: child.stdout! }).once('line', r));
  child.stdout!.resume();
  return { url: (JSON.parse(line) as { listening: string }).listening, stop: () => child.kill('SIGTERM') };
}

const scenario = (url: string) =>
  parseScenarioText(
    `name: store-bench
seed: 3
target: { url: "${url}/model", protocol: cloudera, timeout: 2s }
data:
  fields:
    iot_signal_1: { int: [1, 10] }
    iot_signal_2: { plus: [iot_signal_1, { int: [0, 2] }] }
    iot_signal_3: { int: [50, 55] }
    iot_signal_4: { int: [100, 107] }
label:
  name: y
  logistic: { bias: -37, weights: { iot_signal_1: 0.9, iot_signal_4: 0.3 } }
load:
  phases: [{ duration: ${seconds}s, rate: ${rate} }]
windows: { every: 1000 }
`,
    '/tmp/store-bench.yaml',
  );

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const srv = await startServer();
const dir = mkdtempSync(path.join(tmpdir(), 'mw-store-bench-'));
const modes: [string, StoreOptions | null][] = [
  ['off', null],
  ['embedded', { embeddedDir: path.join(dir, 'store'), spoolDir: path.join(dir, 'spool') }],
  ['postgres', { url: pg, spoolDir: path.join(dir, 'spool') }],
];
const results = new Map<string, { rps: number[]; lagP99: number[]; stored: number[]; sent: number[] }>();
try {
  for (let r = 0; r < rounds; r++) {
    for (const [name, store] of modes) {
      const res = await runScenario(scenario(srv.url), { quiet: true, store, outDir: path.join(dir, `${name}-${r}`), formats: ['json'] });
      const t = res.summary.totals;
      const e = results.get(name) ?? { rps: [], lagP99: [], stored: [], sent: [] };
      e.rps.push(t.rps);
      e.lagP99.push(t.lagMs.p99);
      e.stored.push(res.summary.store?.storedRequests ?? 0);
      e.sent.push(t.requests.scheduled);
      results.set(name, e);
      process.stderr.write(`round ${r + 1} ${name}: ${t.rps} req/s, lag p99 ${t.lagMs.p99} ms, stored ${res.summary.store?.storedRequests ?? '-'}\n`);
    }
  }
} finally {
  srv.stop();
  rmSync(dir, { recursive: true, force: true });
}
const off = results.get('off')!;
console.log(`\nopen loop ${rate} req/s for ${seconds} s, ${rounds} interleaved rounds (medians)`);
console.log('store      req/s   ratio   lag p99 ms   stored/scheduled');
for (const [name] of modes) {
  const e = results.get(name)!;
  const rps = median(e.rps);
  console.log(`${name.padEnd(9)} ${rps.toFixed(0).padStart(6)}   ${(rps / median(off.rps)).toFixed(3)}   ${median(e.lagP99).toFixed(3).padStart(10)}   ${name === 'off' ? '-' : `${median(e.stored)}/${median(e.sent)}`}`);
}
