// CPU per row of what a load worker does for each request before sending it (engine/worker dispatch): generate
// its rows and their labels, then encode the request body — for the scenarios users write (scenarios/*.yaml), each
// loaded as the CLI loads it. CPU time of this process (process.cpuUsage, so background GC counts and a loaded
// machine reads the same), median [min–max] over rounds; the cases alternate inside each round.
//   npm run build && node dist/bench/rows.js [--rounds 9] [--ms 150]
// Same-run A/B against another build of the repository (e.g. main's dist), alternating processes:
//   node dist/bench/rows.js --ab /path/to/other/dist [--pairs 4] [--rounds 5]
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fmtSpread, spread, table } from './lib/stats.js';
import type { Row, RowGenerator } from '../src/data/types.js';
import type { Codec } from '../src/codecs/types.js';
import type { Scenario, TargetSpec } from '../src/spec/types.js';

interface Case {
  name: string;
  file: string;
  protocol?: TargetSpec['protocol'];
}

/** The scenarios users write: telco.yaml's rows (a faker field), with and without it, batched protocols, drift. */
const CASES: Case[] = [
  { name: 'telco.yaml (cloudera flat, faker device_id)', file: 'scenarios/telco.yaml' },
  { name: 'telco.yaml rows as mlflow-split', file: 'scenarios/telco.yaml', protocol: 'mlflow-split' },
  { name: 'bench closed-50 (telco rows, no faker)', file: 'bench/scenarios/closed-50.yaml' },
  { name: 'real/mlflow.yaml (split ×4, faker unsent)', file: 'scenarios/real/mlflow.yaml' },
  { name: 'multiclass.yaml (kserve-v1 ×5)', file: 'scenarios/multiclass.yaml' },
  { name: 'regression.yaml (records ×5, drift)', file: 'scenarios/regression.yaml' },
];

const METRICS = ['generate', 'encode', 'both'] as const;
type Metric = (typeof METRICS)[number];
/** ns of CPU per row, one sample per round: case name → metric → samples. */
type Samples = Record<string, Record<Metric, number[]>>;

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, '../..');

interface Impl {
  createRowGenerator(s: Scenario): RowGenerator;
  codecFor(s: Scenario, gen: RowGenerator): Codec;
  loadScenario(path: string): Scenario;
}

async function loadImpl(distDir: string): Promise<Impl> {
  const at = (p: string) => pathToFileURL(resolve(distDir, p)).href;
  const rows = (await import(at('src/data/rows.js'))) as Pick<Impl, 'createRowGenerator'>;
  const codecs = (await import(at('src/codecs/index.js'))) as Pick<Impl, 'codecFor'>;
  const load = (await import(at('src/scenario/load.js'))) as Pick<Impl, 'loadScenario'>;
  return { createRowGenerator: rows.createRowGenerator, codecFor: codecs.codecFor, loadScenario: load.loadScenario };
}

const cpuNs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};

let sink = 0;
const POOL = 4096; // requests of pre-generated rows the encode case cycles through (a power of two)

/** One scenario's worker-side loop, with its request counter running on across rounds (no value is reused). */
class Runner {
  private seq = 0;
  readonly k: number;
  private readonly rows: Row[];
  private readonly labels: number[];
  private readonly pool: Row[][];

  constructor(
    private readonly gen: RowGenerator,
    private readonly codec: Codec,
    k: number,
  ) {
    this.k = k;
    this.rows = new Array<Row>(k);
    this.labels = new Array<number>(k);
    // Many distinct rows, so encoding does not live off V8's number-to-string cache the way a tiny pool would.
    this.pool = Array.from({ length: POOL }, (_, i) => Array.from({ length: k }, (_, j) => gen.row(1e9 + i * k + j)));
  }

  /** Request `this.seq`'s rows and labels, as a worker makes them before a send. */
  private fill(): void {
    const { gen, k, rows, labels } = this;
    for (let j = 0; j < k; j++) {
      const ri = this.seq * k + j;
      const row = gen.row(ri);
      rows[j] = row;
      labels[j] = gen.label(ri, row);
    }
  }

  private generate(requests: number): void {
    for (let r = 0; r < requests; r++, this.seq++) this.fill();
    sink += this.labels[0] ?? 0;
  }

  private encode(requests: number): void {
    const { codec, pool } = this;
    for (let r = 0; r < requests; r++) sink += codec.encode(pool[r & (POOL - 1)]!, r).length;
  }

  private both(requests: number): void {
    const { codec, rows } = this;
    for (let r = 0; r < requests; r++, this.seq++) {
      this.fill();
      sink += codec.encode(rows, this.seq).length;
    }
  }

  /** ns of CPU per row of `metric`, run in chunks for at least `ms` of CPU. */
  measure(metric: Metric, ms: number): number {
    const chunk = Math.max(1, Math.round(2000 / this.k));
    const run = metric === 'generate' ? this.generate : metric === 'encode' ? this.encode : this.both;
    const t0 = cpuNs();
    let requests = 0;
    let spent = 0;
    while (spent < ms * 1e6) {
      run.call(this, chunk);
      requests += chunk;
      spent = cpuNs() - t0;
    }
    return spent / (requests * this.k);
  }
}

async function measureAll(distDir: string, rounds: number, ms: number): Promise<{ samples: Samples; k: Record<string, number> }> {
  const impl = await loadImpl(distDir);
  const runners: [Case, Runner][] = CASES.map((c) => {
    let s = impl.loadScenario(resolve(repoRoot, c.file));
    if (c.protocol) s = { ...s, target: { ...s.target, protocol: c.protocol } };
    const gen = impl.createRowGenerator(s);
    return [c, new Runner(gen, impl.codecFor(s, gen), s.target.rowsPerRequest)];
  });
  const samples: Samples = {};
  const k: Record<string, number> = {};
  for (const [c, runner] of runners) {
    samples[c.name] = { generate: [], encode: [], both: [] };
    k[c.name] = runner.k;
    for (const m of METRICS) runner.measure(m, 50); // warm-up: JIT and the faker module's first calls
  }
  for (let r = 0; r < rounds; r++) {
    for (const [c, runner] of runners) for (const m of METRICS) samples[c.name]![m].push(runner.measure(m, ms));
  }
  return { samples, k };
}

const f = (xs: number[]): string => fmtSpread(spread(xs), 0);

function printOne(samples: Samples, k: Record<string, number>): void {
  const rows = CASES.map((c) => {
    const s = samples[c.name]!;
    return [c.name, String(k[c.name]), f(s.generate), f(s.encode), f(s.both), fmtSpread(spread(s.both.map((x) => x * k[c.name]!)), 0)];
  });
  console.log(table(['scenario', 'rows/req', 'generate ns/row', 'encode ns/row', 'both ns/row', 'both ns/request'], rows));
}

function runChild(distDir: string, rounds: number, ms: number): { samples: Samples; k: Record<string, number> } {
  const out = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--impl', distDir, '--rounds', String(rounds), '--ms', String(ms), '--json'], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (out.status !== 0) throw new Error(`bench child for ${distDir} failed (${out.status}): ${out.stderr}`);
  return JSON.parse(out.stdout) as { samples: Samples; k: Record<string, number> };
}

function ab(other: string, pairs: number, rounds: number, ms: number): void {
  const mine = resolve(here, '..');
  const merged: Record<'before' | 'after', Samples> = { before: {}, after: {} };
  let k: Record<string, number> = {};
  for (let p = 0; p < pairs; p++) {
    // Alternate which build goes first, so neither always meets the warmer (or busier) machine.
    const order: ['before' | 'after', string][] = p % 2 === 0 ? [['before', other], ['after', mine]] : [['after', mine], ['before', other]];
    for (const [which, dir] of order) {
      const got = runChild(dir, rounds, ms);
      k = got.k;
      for (const [name, byMetric] of Object.entries(got.samples)) {
        const into = (merged[which][name] ??= { generate: [], encode: [], both: [] });
        for (const m of METRICS) into[m].push(...byMetric[m]);
      }
    }
  }
  console.log(`node ${process.version}; before = ${other}, after = ${mine}; ${pairs} pairs × ${rounds} rounds, ns of CPU per row, median [min–max]`);
  const rows: string[][] = [];
  for (const c of CASES) {
    for (const m of METRICS) {
      const b = spread(merged.before[c.name]![m]);
      const a = spread(merged.after[c.name]![m]);
      rows.push([m === 'generate' ? `${c.name} (${k[c.name]}/req)` : '', m, fmtSpread(b, 0), fmtSpread(a, 0), `${(a.median / b.median).toFixed(2)}×`]);
    }
  }
  console.log(table(['scenario', 'per row', 'before', 'after', 'after ÷ before'], rows));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      impl: { type: 'string' },
      ab: { type: 'string' },
      pairs: { type: 'string', default: '4' },
      rounds: { type: 'string' },
      ms: { type: 'string', default: '150' },
      json: { type: 'boolean', default: false },
    },
  });
  const ms = Number(values.ms);
  if (values.ab) return ab(resolve(values.ab), Number(values.pairs), Number(values.rounds ?? 5), ms);
  const rounds = Number(values.rounds ?? 9);
  const got = await measureAll(resolve(values.impl ?? resolve(here, '..')), rounds, ms);
  if (values.json) {
    process.stdout.write(JSON.stringify(got));
    return;
  }
  console.log(`node ${process.version}, one thread; ${rounds} rounds, ns of CPU per row, median [min–max]`);
  printOne(got.samples, got.k);
  if (sink === 42) console.log(''); // keeps the work observable
}

await main();
