// Issue #3's first bench figure: the engine at 5,000 req/s against the reference server — achieved rate, lag and
// generator CPU per request (user + system of the modelwave process, from the OS), over a few rounds.
//   npm run build && node dist/bench/engine-5k.js [--seconds 5] [--rounds 3] [--workers N]
import { flagValue } from './lib/args.js';
import { stopAll } from './lib/proc.js';
import { fmt, fmtSpread, spread } from './lib/stats.js';
import { startReference } from './lib/targets.js';
import { runModelwave, type GenResult } from './lib/tools.js';

const arg = (name: string, dflt?: string): string | undefined => flagValue(process.argv, name) ?? dflt;
const seconds = Number(arg('seconds', '5'));
const rounds = Number(arg('rounds', '3'));
const workers = arg('workers') !== undefined ? Number(arg('workers')) : undefined;

process.once('SIGINT', () => {
  stopAll();
  process.exit(130);
});

const ref = await startReference();
const runs: GenResult[] = [];
try {
  for (let r = 0; r < rounds; r++) {
    const res = await runModelwave({ scenario: 'open-5k.yaml', url: ref.mlflowEndpoint, duration: `${seconds}s`, workers, seconds });
    runs.push(res);
    console.log(
      `round ${r + 1}: ${fmt(res.rps, 0)} req/s achieved of 5,000, lag p50 ${fmt(res.lagMs!.p50, 3)} / p99 ${fmt(res.lagMs!.p99, 3)} / max ${fmt(res.lagMs!.max, 3)} ms, ` +
        `CPU ${fmt(res.cpuUsPerReq)} µs/request (${fmt(res.cpuMs, 0)} ms for ${res.requests} requests), dropped ${res.dropped}, peak RSS ${fmt(res.maxRssMb, 0)} MB`,
    );
  }
} finally {
  await ref.stop();
}
const s = (f: (r: GenResult) => number, d?: number) => fmtSpread(spread(runs.map(f)), d);
console.log(`\nmedian [min–max] of ${rounds}: achieved ${s((r) => r.rps, 0)} req/s, lag p99 ${s((r) => r.lagMs!.p99, 3)} ms, CPU ${s((r) => r.cpuUsPerReq)} µs/request`);
