// Per-arrival CPU cost of the pacer (intended send times), per rate-curve shape: the part of the open-loop hot path
// that schedule/plan.ts and schedule/pacer.ts own. CPU time of this process (not wall time), best of 15 rounds of
// 1,000,000 arrivals, so a loaded machine reads the same. ~10 s.
//   npm run build && node dist/bench/pacer.js
import { arrivalOffsetsUs } from '../src/schedule/pacer.js';
import { planLoad, type OpenPhasePlan } from '../src/schedule/plan.js';
import type { OpenPhase } from '../src/spec/types.js';

const SHAPES: Record<string, Partial<OpenPhase>> = {
  constant: {},
  ramp: { rampTo: 10_000 },
  'steps (10)': { rampTo: 10_000, steps: 10 },
  poisson: { arrivals: 'poisson' },
  'poisson ramp': { arrivals: 'poisson', rampTo: 10_000 },
};
const N = 1_000_000;
const ROUNDS = 15;

const planOf = (p: Partial<OpenPhase>): OpenPhasePlan =>
  planLoad([{ kind: 'open', name: 'p', durationMs: 1_000_000_000, rate: 5000, arrivals: 'uniform', warmup: false, ...p }], 1).phases[0] as OpenPhasePlan;

let sink = 0;
for (const [name, shape] of Object.entries(SHAPES)) {
  const plan = planOf(shape);
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const it = arrivalOffsetsUs(plan, 1);
    const t0 = process.cpuUsage();
    for (let c = 0; c < N; c++) sink += it.next().value;
    const d = process.cpuUsage(t0);
    best = Math.min(best, ((d.user + d.system) * 1000) / N);
  }
  console.log(`${name.padEnd(14)} ${best.toFixed(1)} ns CPU per arrival`);
}
if (sink === 42) console.log(''); // keeps the sum alive
