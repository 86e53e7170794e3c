// A/A false alarms of `compare`: the same model (builtin telco@v1) as baseline and candidate, live on identical
// traffic, over many seeds, with the default rules. Counts how often each rule fails (a false alarm: nothing differs),
// and — on the very same measurements — how often it would have failed with the ordinary (iid) bootstrap that
// treats requests as independent, which is what issue #14 caught failing `latency.p99.ratio <= 1.10`.
//   npm run build && node dist/bench/compare-aa.js [--seeds 20] [--duration 4s] [--scenario scenarios/telco.yaml]
import { flagValue } from './lib/args.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { analyze } from '../src/compare/analyze.js';
import { runCompare } from '../src/compare/run.js';
import { loadScenario } from '../src/scenario/load.js';
import { parseDurationMs } from '../src/util/duration.js';

const arg = (name: string, dflt: string): string => flagValue(process.argv, name) ?? dflt;
const seeds = Number(arg('seeds', '20'));
const durationMs = parseDurationMs(arg('duration', '4s'));
const file = arg('scenario', 'scenarios/telco.yaml');
const target = arg('target', 'builtin:telco@v1');

const out = mkdtempSync(path.join(tmpdir(), 'mw-compare-aa-'));
const fails = new Map<string, { block: number; iid: number }>();
const lines: string[] = [];
const started = Date.now();
try {
  for (let seed = 1; seed <= seeds; seed++) {
    const s = loadScenario(file, { overrides: { durationMs } });
    s.seed = seed;
    delete s.feedback; // nothing to measure here; spares the feedback posts
    const r = await runCompare(s, { baseline: target, candidate: target, quiet: true, outDir: path.join(out, String(seed)), store: null });
    const iid = analyze(r.sides![0], r.sides![1], { id: `aa-${seed}-iid`, seed, simultaneous: true, latencyResampling: 'iid', ...(s.compare ? { spec: s.compare } : {}) });
    for (const [i, rule] of r.comparison.rules.entries()) {
      const f = fails.get(rule.expr) ?? { block: 0, iid: 0 };
      if (rule.status === 'fail') f.block++;
      if (iid.rules[i]!.status === 'fail') f.iid++;
      fails.set(rule.expr, f);
    }
    const p99 = r.comparison.latency.quantiles.find((q) => q.q === 0.99)!;
    const p99iid = iid.latency.quantiles.find((q) => q.q === 0.99)!;
    const line =
      `seed ${String(seed).padStart(2)}: ${r.comparison.verdict.padEnd(12)} p99 ${p99.base.toFixed(2)} → ${p99.cand.toFixed(2)} ms ` +
      `(×${p99.ratio.toFixed(3)}; blocks [${p99.ratioCi.map((x) => x.toFixed(3)).join(', ')}], iid [${p99iid.ratioCi.map((x) => x.toFixed(3)).join(', ')}]) ` +
      `mean block ${r.comparison.latency.resampling.base.meanBlock ?? '—'} slices · rules ${r.comparison.rules.map((x) => x.status).join('/')} · iid ${iid.rules.map((x) => x.status).join('/')}`;
    lines.push(line);
    console.log(line);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
console.log(`\n${seeds} A/A comparisons of ${target} with itself (${file}, every phase ${durationMs} ms), ${((Date.now() - started) / 1000).toFixed(0)} s:`);
console.log('| rule | false alarms, time-block bootstrap | same data, iid bootstrap |');
console.log('| --- | --- | --- |');
for (const [expr, f] of fails) console.log(`| ${expr} | ${f.block} of ${seeds} (${((100 * f.block) / seeds).toFixed(0)}%) | ${f.iid} of ${seeds} (${((100 * f.iid) / seeds).toFixed(0)}%) |`);
