// What every case of the suite shares: its options and result, the generators it runs interleaved (the order rotates
// every round, so no generator always runs first or last), the tables of their figures, same-round ratios, and the
// fixed start-up cost that turns CPU per request into marginal CPU per request.
import { loadAverage } from './proc.js';
import { fmt, fmtSpread, spread, table, type Spread } from './stats.js';
import type { Target } from './targets.js';
import { runAutocannon, runModelwave, type GenResult } from './tools.js';

export interface BenchOptions {
  quick: boolean;
  rounds: number;
  /** Length of the closed-loop and fixed-rate runs, seconds. */
  seconds: number;
  /** modelwave --workers (undefined: the scenario default, `auto` = cores). */
  workers?: number;
  /** wrk threads (1 beats 2 on a 2-core machine shared with the target; see README). */
  wrkThreads: number;
  /** `--baseline DIR`: another checkout's build, run as extra modelwave generators in the cost cases (same-round A/B). */
  baseline?: Baseline;
  log: (line: string) => void;
}

export interface Baseline {
  dir: string;
  /** Its CLI: DIR/dist/src/cli/main.js. */
  cli: string;
  /** How the tables name it: its short commit (or the folder's name). */
  label: string;
}

/** One target of an issue, as measured in this run. */
export interface Check {
  /** The target as its issue states it, the issue first: `#19 closed loop, telco rows: req/s ≥ 0.8× the Node floor`. */
  target: string;
  value: string;
  /** Whether it holds; undefined for a figure the issue asks to report without a bound. */
  pass?: boolean;
  /** One sentence on the figure and whether the target holds, for the summary. */
  sentence?: string;
}

export interface CaseResult {
  id: string;
  title: string;
  markdown: string;
  checks: Check[];
  loadBefore: number;
  loadAfter: number;
  data: unknown;
}

/** A generator of a case: the name its tables show, and one run of it. */
export interface Gen {
  name: string;
  run: () => Promise<GenResult>;
}

const rotate = <T>(xs: readonly T[], k: number): T[] => xs.map((_, i) => xs[(i + k) % xs.length]);

/** Rounds of every generator, interleaved: results by generator name, one per round. */
export async function interleave(o: BenchOptions, gens: Gen[]): Promise<Record<string, GenResult[]>> {
  const out: Record<string, GenResult[]> = Object.fromEntries(gens.map((g) => [g.name, []]));
  const width = Math.max(...gens.map((g) => g.name.length));
  for (let r = 0; r < o.rounds; r++) {
    for (const g of rotate(gens, r)) {
      const res = await g.run();
      out[g.name].push(res);
      o.log(
        `  round ${r + 1}/${o.rounds} ${g.name.padEnd(width)} ${fmt(res.rps, 0).padStart(8)} req/s  ${fmt(res.cpuUsPerReq).padStart(6)} µs CPU/req  p99 ${fmt(res.latencyMs.p99)} ms  ` +
          `RSS ${fmt(res.maxRssMb, 0)} MB${res.lagMs ? `  lag p99 ${fmt(res.lagMs.p99, 3)} ms` : ''}${res.errors ? `  errors ${res.errors}` : ''}`,
      );
    }
  }
  return out;
}

export const col = (rs: GenResult[], f: (r: GenResult) => number): Spread => spread(rs.map(f));

/** Per-round f(a[i], b[i]) (a generator against another in the same round): median [min–max]. */
export function perRound(a: GenResult[], b: GenResult[], f: (x: GenResult, y: GenResult) => number): Spread {
  return spread(a.map((x, i) => (b[i] ? f(x, b[i]) : NaN)));
}

/** Per-round ratios a/b of one figure. */
export const roundRatios = (a: GenResult[], b: GenResult[], f: (r: GenResult) => number): Spread => perRound(a, b, (x, y) => f(x) / f(y));

/** Per-round differences a − b of one figure. */
export const roundDiffs = (a: GenResult[], b: GenResult[], f: (r: GenResult) => number): Spread => perRound(a, b, (x, y) => f(x) - f(y));

export const ratioSpread = (s: Spread): string => (s.n <= 1 ? `${fmt(s.median, 2)}×` : `${fmt(s.median, 2)}× [${fmt(s.min, 2)}–${fmt(s.max, 2)}]`);

/** The generators' figures, one row each: medians and [min–max] over the rounds. */
export function genTable(res: Record<string, GenResult[]>, names: string[], extra = false): string {
  const head = ['tool', 'req/s', 'CPU µs/req', 'peak RSS MB', 'p50 ms', 'p99 ms', 'p99.9 ms', ...(extra ? ['lag p99 ms'] : [])];
  const rows = names.map((t) => {
    const rs = res[t];
    return [
      t,
      fmtSpread(col(rs, (r) => r.rps), 0),
      fmtSpread(col(rs, (r) => r.cpuUsPerReq)),
      fmtSpread(col(rs, (r) => r.maxRssMb), 0),
      fmtSpread(col(rs, (r) => r.latencyMs.p50), 3),
      fmtSpread(col(rs, (r) => r.latencyMs.p99), 3),
      fmtSpread(col(rs, (r) => r.latencyMs.p999), 3),
      ...(extra ? [rs[0]?.lagMs ? fmtSpread(col(rs, (r) => r.lagMs?.p99 ?? NaN), 3) : '–'] : []),
    ];
  });
  return table(head, rows);
}

export async function withTarget<T>(start: () => Promise<Target>, fn: (t: Target) => Promise<T>): Promise<T> {
  const t = await start();
  try {
    return await fn(t);
  } finally {
    await t.stop();
  }
}

export function result(id: string, title: string, loadBefore: number, parts: string[], checks: Check[], data: unknown): CaseResult {
  const loadAfter = loadAverage();
  const md = [`### ${title}`, '', ...parts, '', `Load average (1 min) before/after: ${fmt(loadBefore, 2)} / ${fmt(loadAfter, 2)}.`].join('\n');
  return { id, title, markdown: md, checks, loadBefore, loadAfter, data };
}

/** Start-up + teardown CPU of modelwave for a scenario: the median of two runs of ~10 ms. */
export async function modelwaveFixedMs(o: BenchOptions, scenario: string, url: string): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < 2; i++) xs.push((await runModelwave({ scenario, url, duration: '10ms', workers: o.workers, seconds: 1 })).cpuMs);
  return spread(xs).median;
}

/** Start-up + teardown CPU of autocannon: the median of two one-request runs. */
export async function autocannonFixedMs(url: string, body?: string): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < 2; i++) xs.push((await runAutocannon({ url, connections: 1, seconds: 1, amount: 1, body })).cpuMs);
  return spread(xs).median;
}

/** CPU per request without the fixed start-up part. */
export const marginalOf = (rs: GenResult[], fixedMs: number): Spread => col(rs, (r) => (r.cpuUsPerReq * (r.cpuMs - fixedMs)) / r.cpuMs);

/** "holds" / "does not hold" / "reported" (a figure with no bound). */
export const holds = (pass: boolean | undefined): string => (pass === undefined ? 'reported' : pass ? 'holds' : 'does not hold');
