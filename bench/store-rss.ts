// The memory of an `npm start`-like run, every process counted: the CLI process and the store process that owns the
// embedded store (PGlite, a child of the CLI process), sampled from /proc, each and together at one instant, and,
// apart, the built-in reference server (the target). GNU time's peak RSS is shown too: it is the largest single
// process of the tree (Linux's rusage of waited children is a maximum, not a sum) — with a store, the store process. Two runs of scenarios/telco.yaml with the embedded
// store: into a fresh directory (the store is created: initdb and migrations) and again into the same one.
// Run: npm run build && node dist/bench/store-rss.js [--duration 6s] [--runs fresh,existing]
// --duration cuts each phase (telco.yaml's are 10 s, 20 s and 3,000 requests), so each run stays under 30 s;
// `--runs existing` alone first creates the store with a run of --duration 1s (not reported).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Summary } from '../src/summary/types.js';
import { measure, stopAll } from './lib/proc.js';
import { fmt, table } from './lib/stats.js';
import { CLI } from './lib/targets.js';
import { modelwaveRoles } from './lib/tree-rss.js';
import { readFileSync } from 'node:fs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const duration = arg('duration', '6s');
const runs = arg('runs', 'fresh,existing').split(',');
for (const r of runs) if (r !== 'fresh' && r !== 'existing') throw new Error(`--runs: fresh and/or existing (got ${r})`);
const mb = (kb: number | undefined) => (kb ?? 0) / 1024;

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mw-store-rss-'));
  const store = path.join(dir, 'store');
  const rows: string[][] = [];
  try {
    const argsFor = (d: string, out: string) => ['--max-semi-space-size=2', CLI, 'run', path.join(ROOT, 'scenarios/telco.yaml'), '--duration', d, '--store', store, '--out', out, '--quiet', '--report', 'json'];
    if (!runs.includes('fresh')) await measure(process.execPath, argsFor('1s', path.join(dir, 'create')), 60_000);
    for (const label of runs.map((r) => `${r} store`)) {
      const out = path.join(dir, label.replace(' ', '-'));
      const args = argsFor(duration, out);
      const m = await measure(process.execPath, args, 60_000, { tree: modelwaveRoles });
      if (m.exitCode !== 0 && m.exitCode !== 1) throw new Error(`modelwave exited ${m.exitCode}\n${m.stderr.slice(-2000)}`);
      const s = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as Summary;
      const t = m.tree!;
      const sent = s.phases.reduce((n, p) => n + p.requests.sent, 0);
      rows.push([
        label, fmt(sent, 0), fmt(m.wallMs / 1000, 1), fmt(m.maxRssKb / 1024, 0), fmt(mb(t.peakKb.main), 0), fmt(mb(t.peakKb.store), 0),
        fmt(mb(t.peakSumKb), 0), fmt(mb(t.peakKb.target), 0), String(t.samples),
      ]);
      process.stdout.write(`${label}: ${rows.at(-1)!.join(' · ')}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(
    `\nscenarios/telco.yaml --duration ${duration}, embedded store, MB (1 MB = 1,048,576 bytes):\n\n` +
      table(['run', 'requests', 'wall s', 'largest process (GNU time)', 'CLI peak (/proc)', 'store process peak', 'CLI + store peak', 'builtin server peak', 'samples'], rows) +
      '\n',
  );
}

main().catch((err: unknown) => {
  stopAll();
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
