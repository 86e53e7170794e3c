// `modelwave compare`: the same seeded rows to baseline and candidate, interleaved request by request, or two
// stored runs / report folders; then analysis, files and an exit code.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import path from 'node:path';
import { ModelwaveError } from '../errors.js';
import type { Scenario } from '../spec/types.js';
import type { Summary } from '../summary/types.js';
import type { RunSink } from '../engine/main/run.js';
import { runSession, type SessionOptions } from '../session/orchestrate.js';
import { bucketTopUs, bucketsOfEncoded, initHistograms } from '../stats/hist.js';
import { comparisonExitCode, judgeComparison } from '../verdict/judge.js';
import { writeReportFiles, writeReports } from '../report/write.js';
import { deliver, deliveryNotice } from '../report/deliver.js';
import { sortedCountsFromBuckets } from './stats.js';
import { analyze, type CompareSide } from './analyze.js';
import { sliceByBuckets } from './latency.js';
import type { Comparison } from './types.js';
import { renderComparisonMarkdown, renderComparisonJunit } from './render.js';
import { renderComparisonHtml } from './html.js';
import { newComparisonId, newRunId } from '../util/ids.js';
export { newComparisonId };
import type { ExportRecord, MetricsStore } from '../store/index.js';
import { Correctness } from '../engine/main/scores.js';
import { OUT_OF_CLASS } from '../engine/types.js';

/** The session's options (workers, signals, quiet, store, live, allowAllFailed, …) and a comparison's own. */
export interface CompareOptions extends Omit<SessionOptions, 'sinks' | 'errOut' | 'progressOut' | 'maxLagP99Ms'> {
  baseline: string;
  candidate: string;
  outDir?: string;
  rules?: string[];
  failOnInconclusive?: boolean;
  /** More sinks for the wave, given both run ids (baseline, candidate). */
  sinks?: (ids: string[]) => RunSink[];
}

export interface CompareResult {
  comparison: Comparison;
  dir: string;
  exitCode: number;
  /** What was analysed (live comparisons): lets a caller re-analyse the same measurements another way. */
  sides?: [CompareSide, CompareSide];
}


/** Live paired comparison on identical traffic. */
export async function runCompare(s: Scenario, opts: CompareOptions): Promise<CompareResult> {
  const id = newComparisonId(s.name);
  const dir = opts.outDir ?? path.join('reports', id);
  const runIds = [newRunId(`${s.name}-baseline`), newRunId(`${s.name}-candidate`)];
  const { sinks, ...session } = opts;
  const wave = { runIds, targets: [opts.baseline, opts.candidate], comparisonId: id, keepSamples: true, validity: false as const };
  const end = await runSession(s, { ...session, ...(sinks ? { sinks: sinks(runIds) } : {}) }, wave, async ({ result, summaries, judgements, saved }) => {
    const side = (i: number, sub: string): CompareSide => {
      const smp = result.accumulators[i].samples!;
      return { summary: summaries[i], latency: smp.latencyMs, latencyAtMs: smp.atMs, correct: smp.correct, reportDir: sub };
    };
    const sides: [CompareSide, CompareSide] = [side(0, 'baseline'), side(1, 'candidate')];
    const analysed = analyze(sides[0], sides[1], { id, ...(s.compare ? { spec: s.compare } : {}), ...(opts.rules ? { rules: opts.rules } : {}), seed: s.seed, simultaneous: true });
    const comparison: Comparison = { ...analysed, ...judgeComparison(analysed, judgements, { status: summaries[0].run.status, ...(result.failure ? { failure: result.failure } : {}) }) };
    // A measured comparison outlives an unwritable folder: the fallback folder, else the verdict on the terminal.
    const delivery = await deliver(dir, id, async (d) => [
      ...(await writeReports(summaries[0], path.join(d, 'baseline'))),
      ...(await writeReports(summaries[1], path.join(d, 'candidate'))),
      ...(await writeComparison(comparison, d, opts.failOnInconclusive)),
    ]);
    const stored = saved[0] ? `the runs are in the metrics store: \`modelwave compare --runs ${runIds[0]} ${runIds[1]}\` writes it again` : 'the comparison printed here is all that remains';
    process.stderr.write(deliveryNotice(delivery, stored));
    return {
      verdict: comparisonExitCode(comparison, opts.failOnInconclusive ?? false),
      delivered: Boolean(delivery.dir),
      liveVerdict: { verdict: comparison.verdict, headline: comparison.headline },
      comparison,
      dir: delivery.dir ?? '',
      sides,
    };
  });
  const { comparison, dir: written, sides } = end.delivered;
  return { comparison, dir: written, exitCode: end.exitCode, sides };
}

/**
 * Compare two finished runs, each a report folder (or report.json) or a run id in the metrics store. Stored runs
 * carry every request, so two stored runs of the same scenario and seed are compared paired, row by row; report
 * folders only carry histograms, so any comparison involving one is unpaired (and says so).
 */
export async function compareRuns(a: string, b: string, opts: Omit<CompareOptions, 'baseline' | 'candidate'> & { spec?: Scenario['compare'] }): Promise<CompareResult> {
  await initHistograms();
  let store: MetricsStore | undefined;
  const outDir = (name: string) => opts.outDir ?? path.join('reports', newComparisonId(name));
  let dir = '';
  const load = async (where: string): Promise<CompareSide> => {
    if (existsSync(where)) return fromSummary(await readSummary(where), where);
    if (opts.store === null) throw new ModelwaveError('MW_USAGE', `${where} is not a report folder, and there is no store to look it up in (drop --no-store)`);
    store ??= await (await import('../store/store.js')).openStore({ ...(opts.store ?? {}), create: false });
    return storedSide(store, where);
  };
  try {
    const [base, cand] = [await load(a), await load(b)];
    dir = outDir(base.summary.run.name);
    const id = path.basename(dir);
    // Links in comparison.html are relative to the comparison folder, not to where the command ran.
    for (const side of [base, cand]) if (side.reportDir && !side.reportDir.startsWith('store:')) side.reportDir = path.relative(dir, side.reportDir) || '.';
    const comparison = analyze(base, cand, { id, ...(opts.spec ? { spec: opts.spec } : {}), ...(opts.rules ? { rules: opts.rules } : {}), seed: base.summary.run.seed });
    await writeComparison(comparison, dir, opts.failOnInconclusive);
    return { comparison, dir, exitCode: comparisonExitCode(comparison, opts.failOnInconclusive ?? false) };
  } finally {
    await (store as MetricsStore | undefined)?.close();
  }
}

function fromSummary(s: Summary, where: string): CompareSide {
  const { valuesMs, counts } = bucketsOfEncoded(s.totals.latencyHistogram);
  // The windows' histograms are the time order a report keeps: each window one slice for the block bootstrap.
  // A window with no latency (nothing answered in it) is an empty slice.
  const windows = s.windows.map((w) => (w.latencyHistogram ? bucketsOfEncoded(w.latencyHistogram) : { valuesMs: [], counts: [] }));
  const slices = windows.some((w) => w.counts.length > 0) ? { latencySlices: sliceByBuckets(windows) } : {};
  return { summary: s, latency: sortedCountsFromBuckets(valuesMs, counts), ...slices, reportDir: where };
}

/** A stored run with its per-request rows: latencies from the intended send time and per-row correctness. */
async function storedSide(store: MetricsStore, id: string): Promise<CompareSide> {
  const summary = await store.getSummary(id);
  const latency: number[] = [];
  const latencyAtMs: number[] = [];
  const correct = new Correctness();
  const lines: string[] = [];
  let rest = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      for (const l of parts) if (l) lines.push(l);
      done();
    },
  });
  await store.exportRequests(summary.run.id, 'jsonl', sink);
  if (rest) lines.push(rest);
  // Warm-up requests are stored but, as in a live comparison, not compared.
  const warmup = new Set(summary.phases.filter((p) => p.warmup).map((p) => p.index));
  // An answer outside the classes is stored as OUT_OF_CLASS: wrong, unless the run excluded such answers.
  const excludeOutside = summary.totals.quality?.outOfClassPolicy === 'exclude';
  for (const line of lines) {
    const r = JSON.parse(line) as ExportRecord;
    if (r.outcome === 'dropped' || warmup.has(Number(r.phase))) continue;
    const preds = Array.isArray(r.prediction) ? r.prediction : [r.prediction];
    const labels = Array.isArray(r.label) ? r.label : [r.label];
    const k = labels.length;
    const ok = r.outcome === 'ok';
    if (ok) {
      latency.push(bucketTopUs(Number(r.latency_us)) / 1000);
      latencyAtMs.push(Number(r.intended_us) / 1000);
    }
    for (let j = 0; j < k; j++) {
      const p = preds[j];
      const y = labels[j];
      const scored = ok && typeof p === 'number' && typeof y === 'number' && !(excludeOutside && p === OUT_OF_CLASS);
      correct.set(Number(r.seq) * k + j, scored ? (p === y ? 1 : 0) : 255);
    }
  }
  return { summary, latency, latencyAtMs, correct, reportDir: `store:${summary.run.id}` };
}

async function readSummary(where: string): Promise<Summary> {
  const file = where.endsWith('.json') ? where : path.join(where, 'report.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Summary;
  } catch (err) {
    throw new ModelwaveError('MW_USAGE', `cannot read a run from ${where}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? `no ${file}` : (err as Error).message} (give a report folder, a report.json, or a stored run id)`);
  }
}

/** With `failOnInconclusive`, junit.xml marks inconclusive rules as failures too, matching the exit code. */
export function writeComparison(c: Comparison, dir: string, failOnInconclusive = false): Promise<string[]> {
  return writeReportFiles(dir, [
    ['comparison.json', () => `${JSON.stringify(c, null, 2)}\n`],
    ['comparison.md', () => renderComparisonMarkdown(c)],
    ['junit.xml', () => renderComparisonJunit(c, failOnInconclusive)],
    ['comparison.html', () => renderComparisonHtml(c)],
  ]);
}
