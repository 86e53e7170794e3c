// Issue #5's figure: open-loop throughput and send lag at a fixed rate with the metrics store off, embedded (PGlite)
// and on a real Postgres — interleaved rounds against the reference server, printed as ratios to "off".
// Run: npm run build && node dist/bench/store-onoff.js [--rate 5000] [--seconds 8] [--rounds 5] [--pg postgres://…]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseScenarioText } from '../src/scenario/load.js';
import { runScenario } from '../src/run.js';
import { spawnReferenceServer } from '../src/server/spawn.js';
import type { StoreOptions } from '../src/store/index.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const rate = Number(arg('rate', '5000'));
const seconds = Number(arg('seconds', '8'));
const rounds = Number(arg('rounds', '5'));
const pg = arg('pg', process.env.MODELWAVE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test');
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

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => {
  const s = sorted(xs);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const range = (xs: number[], digits: number) => `${median(xs).toFixed(digits)} [${sorted(xs)[0].toFixed(digits)}–${sorted(xs).at(-1)!.toFixed(digits)}]`;

const srv = await spawnReferenceServer(['--model', 'telco@v1'], { stderr: 'inherit' });
const dir = mkdtempSync(path.join(tmpdir(), 'mw-store-bench-'));
// "off (A/A)" is a second store-off run in every round: how much lag p99 moves between two identical runs here is
// the yardstick for the store's effect.
const modes: [string, StoreOptions | null][] = [
  ['off', null],
  ['off (A/A)', null],
  ['embedded', { embeddedDir: path.join(dir, 'store'), spoolDir: path.join(dir, 'spool') }],
  ['postgres', { url: pg, spoolDir: path.join(dir, 'spool') }],
];
type Figures = { rps: number[]; lagP50: number[]; lagP99: number[]; stored: number[]; sent: number[]; rpsRatio: number[]; lagRatio: number[] };
const results = new Map<string, Figures>(modes.map(([m]) => [m, { rps: [], lagP50: [], lagP99: [], stored: [], sent: [], rpsRatio: [], lagRatio: [] }]));
const runOnce = (store: StoreOptions | null, out: string) =>
  runScenario(scenario(srv.origin), { quiet: true, store, outDir: path.join(dir, out.replace(/[^a-z0-9-]+/gi, "_")), formats: ['json'] });
try {
  // The first run of a process pays for JIT warm-up and thread start-up (its lag p99 is often 3–5× the rest): discarded.
  await runOnce(null, 'warmup');
  for (let r = 0; r < rounds; r++) {
    // Rotate the order each round so no mode always runs first (or right after the store's own clean-up).
    const order = modes.map((_, i) => modes[(i + r) % modes.length]);
    const round = new Map<string, { rps: number; lagP99: number }>();
    for (const [name, store] of order) {
      const res = await runOnce(store, `${name}-${r}`);
      const t = res.summary.totals;
      const e = results.get(name)!;
      e.rps.push(t.rps);
      e.lagP50.push(t.lagMs.p50);
      e.lagP99.push(t.lagMs.p99);
      e.stored.push(res.summary.store?.storedRequests ?? 0);
      e.sent.push(t.requests.scheduled);
      round.set(name, { rps: t.rps, lagP99: t.lagMs.p99 });
      process.stderr.write(`round ${r + 1} ${name}: ${t.rps} req/s, lag p50 ${t.lagMs.p50} ms, p99 ${t.lagMs.p99} ms, stored ${res.summary.store?.storedRequests ?? '-'}\n`);
    }
    const off = round.get('off')!;
    for (const [name] of modes) {
      const e = results.get(name)!;
      e.rpsRatio.push(round.get(name)!.rps / off.rps);
      e.lagRatio.push(round.get(name)!.lagP99 / off.lagP99);
    }
  }
} finally {
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\nopen loop ${rate} req/s for ${seconds} s, ${rounds} rounds (order rotating; one warm-up run discarded); median [min–max]`);
console.log('| store | req/s | ÷ off (same round) | lag p50 ms | lag p99 ms | lag p99 ÷ off (same round) | stored / scheduled |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const [name] of modes) {
  const e = results.get(name)!;
  const stored = name.startsWith('off') ? '–' : `${median(e.stored)} / ${median(e.sent)}${e.stored.every((n, i) => n === e.sent[i]) ? ' (every run)' : ' (NOT every run)'}`;
  console.log(`| ${name} | ${range(e.rps, 0)} | ${range(e.rpsRatio, 3)} | ${range(e.lagP50, 3)} | ${range(e.lagP99, 3)} | ${range(e.lagRatio, 2)} | ${stored} |`);
}
