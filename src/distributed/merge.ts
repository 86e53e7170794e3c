// `modelwave merge NAME`: one Summary for a distributed run group, rebuilt from the union of its shards' stored
// request records — the same accumulator, histogram deltas and summarize() a single-machine run uses, fed the same
// records. So counts, confusion matrices and per-window series are sums over the shards, and every latency histogram
// is the HDR histogram of the union of the stored latencies (exact: nothing is averaged, no percentile is combined).
// Rates are over the common window: the phases' spans are the union of the shards' spans on the group's clock
// (t = 0 is T0 for every shard). The verdict is INVALID when a shard is missing, failed, did not finish or started late.
import pg from 'pg';
import { ModelwaveError, usageError } from '../errors.js';
import { TargetAccumulator } from '../engine/main/accumulate.js';
import { initHistograms } from '../stats/hist.js';
import { labelsOf } from '../engine/main/labels.js';
import { RecordBuffer } from '../engine/records.js';
import { summarize, type PhaseTiming } from '../engine/main/summarize.js';
import { Outcome, type RecordBatch } from '../engine/types.js';
import { windowGrid, windowIndex, type WindowGrid } from '../engine/windows.js';
import type { Scenario } from '../spec/types.js';
import { loadPlanOf } from '../schedule/plan.js';
import { RUN_STATUS_SQL } from '../store/sql.js';
import { redactUrl } from '../store/db.js';
import type { GroupShardSummary, GroupSummary, Summary } from '../summary/types.js';
import { evaluateThresholds } from '../verdict/thresholds.js';
import { writeReportFiles, writeReports, type ReportFormat } from '../report/write.js';
import { START_TOLERANCE_MS } from './barrier.js';
import type { GroupScenario } from './group.js';

/** Requests read per query. */
const PAGE = 20_000;

interface ShardRow {
  shard: number;
  run_id: string;
  host: string | null;
  status: string;
  error: string | null;
  clock_offset_ms: number | null;
  clock_uncertainty_ms: number | null;
  start_skew_ms: number | null;
  cpu_ms: number | null;
  run_status: string | null;
  summary: Summary | null;
  ended_ms: number | null;
}

interface RequestRow {
  seq: number;
  phase: number;
  worker: number;
  intended_us: number;
  sent_us: number | null;
  received_us: number | null;
  outcome: number;
  status_code: number | null;
  error_code: number;
  uuid: string | null;
  prediction: number | null;
  probability: number | null;
  label: number | null;
  predictions: (number | null)[] | null;
  probabilities: (number | null)[] | null;
  labels: (number | null)[] | null;
}

interface MergeResult {
  summary: Summary;
  group: GroupSummary;
}

/** Merge group `name` from the Postgres store at `url`. Unknown group → MW_USAGE; unreachable → MW_STORE_UNREACHABLE. */
export async function mergeGroup(url: string, name: string): Promise<MergeResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, application_name: 'modelwave-merge' });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    throw new ModelwaveError('MW_STORE_UNREACHABLE', `cannot reach the store ${redactUrl(url)}: ${(err as Error).message}`);
  }
  try {
    return await mergeWith(client, name);
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') throw usageError(`no run group ${name} in the store ${redactUrl(url)} (it has no run groups at all)`);
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function mergeWith(c: pg.Client, name: string): Promise<MergeResult> {
  const g = (await c.query<{ shards: number; scenario: GroupScenario; t0: number | null }>(
    'SELECT shards, scenario, (extract(epoch FROM start_at) * 1000)::float8 AS t0 FROM run_groups WHERE name = $1',
    [name],
  )).rows[0];
  if (!g) throw usageError(`no run group ${name} in the store`, ['`modelwave merge` takes the --run-group name the shards ran with.']);
  const shardRows = (await c.query<ShardRow>(
    `SELECT s.shard, s.run_id, s.host, s.status, s.error, s.clock_offset_ms, s.clock_uncertainty_ms, s.start_skew_ms, s.cpu_ms,
            ${RUN_STATUS_SQL} AS run_status, r.summary, (extract(epoch FROM r.ended_at) * 1000)::float8 AS ended_ms
     FROM run_group_shards s LEFT JOIN runs r ON r.id = s.run_id WHERE s.group_name = $1 ORDER BY s.shard`,
    [name],
  )).rows;
  // The stored scenario lacks only what summarize() does not read (target URL, data, feedback): see GroupScenario.
  const s = g.scenario as unknown as Scenario;
  const phases = s.load.phases;
  const plan = loadPlanOf(s);
  const grid = windowGrid(s.windows);
  const k = s.target.rowsPerRequest;
  await initHistograms();
  const acc = new TargetAccumulator(phases.map((p) => p.warmup), labelsOf(s), false);
  const perShard: GroupShardSummary[] = [];
  const problems: string[] = [];
  try {
    for (let i = 0; i < g.shards; i++) {
      const row = shardRows.find((r) => r.shard === i);
      if (!row) {
        problems.push(`shard ${i} never registered`);
        perShard.push({ index: i, status: 'missing', sent: 0 });
        continue;
      }
      const sent = await replayShard(c, row.run_id, acc, grid, phases.map((p) => p.warmup), k);
      const sum = row.summary ?? undefined;
      const status = row.run_status === 'abandoned' ? 'abandoned' : row.status;
      perShard.push({
        index: i,
        runId: row.run_id,
        ...(row.host && { host: row.host }),
        status,
        ...(row.error && { error: row.error }),
        sent,
        ...(sum && { lagP99Ms: sum.totals.lagMs.p99 }),
        ...(row.clock_offset_ms != null && { clockOffsetMs: round(row.clock_offset_ms) }),
        ...(row.clock_uncertainty_ms != null && { clockUncertaintyMs: round(row.clock_uncertainty_ms) }),
        ...(row.start_skew_ms != null && { startSkewMs: round(row.start_skew_ms) }),
        ...(row.cpu_ms != null && { cpuS: round(row.cpu_ms / 1000) }),
      });
      if (status === 'registered' || status === 'started') {
        problems.push(`shard ${i} did not finish (last status: ${status}; its process may have died or is still running)`);
      } else if (status !== 'completed') problems.push(`shard ${i} ${status}${row.error ? `: ${row.error}` : ''}`);
      else if (row.run_status !== 'completed') problems.push(`shard ${i}: its run is ${row.run_status ?? 'missing'} in the store (records may be in its spool)`);
      const late = (row.start_skew_ms ?? 0) + (row.clock_uncertainty_ms ?? 0);
      if (row.start_skew_ms != null && late > START_TOLERANCE_MS) {
        problems.push(`shard ${i} started late: ${round(row.start_skew_ms)} ms after T0 ± ${round(row.clock_uncertainty_ms ?? 0)} ms clock uncertainty (tolerance ${START_TOLERANCE_MS} ms)`);
      }
      // What the records do not hold is summed from the shards' own summaries.
      if (sum) {
        sum.phases.forEach((p, pi) => (acc.staleRetries[pi] += p.requests.retriedOnStaleConnection ?? 0));
        for (const smp of sum.totals.errors.samples ?? []) acc.addSample(smp);
      }
    }
    const summaries = shardRows.map((r) => r.summary).filter((x): x is Summary => x !== null);
    const timings = unionTimings(phases.length, summaries);
    const t0 = g.t0 ?? Date.now();
    const endedMs = Math.max(t0, ...shardRows.map((r) => r.ended_ms ?? 0));
    const group: GroupSummary = {
      name,
      shards: g.shards,
      ...(g.t0 != null && { startAt: new Date(g.t0).toISOString() }),
      verdict: problems.length === 0 ? 'VALID' : 'INVALID',
      problems,
      perShard,
    };
    const summary = summarize(s, acc, {
      id: name,
      status: summaries.length === g.shards && summaries.every((x) => x.run.status === 'completed') ? 'completed' : summaries.some((x) => x.run.status === 'failed') || summaries.length < g.shards ? 'failed' : 'interrupted',
      startedAtMs: t0,
      endedAtMs: endedMs,
      target: summaries[0]?.run.target ?? '',
      workers: summaries.reduce((a, x) => a + x.environment.workers, 0),
      phaseTimings: timings,
      plan,
      maxLagP99Ms: 10,
      ...(problems.length > 0 && { error: `distributed run INVALID: ${problems.join('; ')}` }),
    });
    // How predictions were read is not stored per request: the shards' counts, summed.
    if (summary.totals.quality) {
      const r = { class: 0, probability: 0, argmax: 0 };
      for (const x of summaries) {
        const q = x.totals.quality?.predictionsReadAs;
        if (q) (r.class += q.class), (r.probability += q.probability), (r.argmax += q.argmax);
      }
      summary.totals.quality.predictionsReadAs = r;
    }
    // Judged on the merged figures (the shards' own verdicts are on their 1/N share), then the group attached.
    return { summary: { ...summary, thresholds: evaluateThresholds(summary, s.thresholds), group }, group };
  } finally {
    acc.destroy();
  }
}

/**
 * Feed one shard's stored records into the accumulator (which records their histograms as it does a live run's).
 * Returns the shard's measured requests sent (dropped and warm-up excluded).
 */
async function replayShard(c: pg.Client, runId: string, acc: TargetAccumulator, grid: WindowGrid, warmup: boolean[], k: number): Promise<number> {
  let after = -1;
  let sent = 0;
  for (;;) {
    const rows = (await c.query<RequestRow>(
      `SELECT seq, phase, worker, intended_us, sent_us, received_us, outcome, status_code, error_code, uuid,
              prediction, probability, label, predictions, probabilities, labels
       FROM requests WHERE run_id = $1 AND target = 0 AND seq > $2 ORDER BY seq LIMIT ${PAGE}`,
      [runId, after],
    )).rows;
    if (rows.length === 0) break;
    const b = toBatch(rows, k, grid);
    for (let i = 0; i < b.count; i++) {
      acc.add(b, i);
      if (b.outcome[i] !== Outcome.dropped && !warmup[b.phase[i]]) sent++;
    }
    after = rows[rows.length - 1].seq;
    if (rows.length < PAGE) break;
  }
  return sent;
}

/** The group's exit code: 1 when INVALID or a merged threshold fails, else 0. */
export function mergedExitCode(r: MergeResult): number {
  return r.group.verdict === 'INVALID' || !r.summary.thresholds.every((t) => t.pass) ? 1 : 0;
}

/** Write the merged reports (as a run's) plus group.md and group.json into `dir`; returns the paths. */
export async function writeMergedReports(r: MergeResult, dir: string, formats?: readonly ReportFormat[]): Promise<string[]> {
  const files = await writeReports(r.summary, dir, formats);
  files.push(
    ...(await writeReportFiles(dir, [
      ['group.md', () => renderGroupTable(r.group)],
      ['group.json', () => `${JSON.stringify(r.group, null, 2)}\n`],
    ])),
  );
  return files;
}

const num = (x: number | null | undefined): number => (x === null || x === undefined ? NaN : Number(x));

/**
 * Stored rows → a RecordBatch as the engine ships it (NULL → NaN; one row per request, or arrays when k > 1), its
 * window column computed as the worker computes it (engine/windows.ts).
 */
export function toBatch(rows: RequestRow[], k: number, grid: WindowGrid): RecordBatch {
  const b = RecordBuffer.allocate(rows.length, k);
  b.count = rows.length;
  rows.forEach((r, i) => {
    b.seq[i] = Number(r.seq);
    b.phase[i] = r.phase;
    b.worker[i] = r.worker;
    b.window[i] = windowIndex(grid, b.seq[i], r.intended_us);
    b.intendedUs[i] = r.intended_us;
    b.sentUs[i] = num(r.sent_us);
    b.receivedUs[i] = num(r.received_us);
    b.outcome[i] = r.outcome;
    b.status[i] = r.status_code ?? 0;
    b.errorCode[i] = r.error_code;
    b.uuid[i] = r.uuid ?? '';
    for (let j = 0; j < k; j++) {
      const pred = k === 1 ? num(r.prediction) : num(r.predictions?.[j]);
      b.prediction[i * k + j] = pred;
      b.probability[i * k + j] = k === 1 ? num(r.probability) : num(r.probabilities?.[j]);
      b.label[i * k + j] = k === 1 ? num(r.label) : num(r.labels?.[j]);
      b.readAs[i * k + j] = Number.isNaN(pred) ? 0 : 1; // not stored; the summed counts replace the totals (mergeWith)
    }
  });
  return b;
}

/** Each phase spans from the earliest shard's start to the latest shard's end (ms since T0 in every summary). */
function unionTimings(n: number, summaries: Summary[]): PhaseTiming[] {
  const out: PhaseTiming[] = [];
  for (let i = 0; i < n; i++) {
    const ps = summaries.map((x) => x.phases[i]).filter((p) => p !== undefined);
    out.push(ps.length === 0 ? { startUs: 0, endUs: 0 } : { startUs: Math.min(...ps.map((p) => p.startedAtMs)) * 1000, endUs: Math.max(...ps.map((p) => p.endedAtMs)) * 1000 });
  }
  return out;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** The per-shard table as Markdown (group.md and the terminal). */
export function renderGroupTable(g: GroupSummary): string {
  const lines = [
    `Run group ${g.name}: ${g.shards} shard${g.shards === 1 ? '' : 's'}, T0 ${g.startAt ?? 'never fixed'} — ${g.verdict}`,
    '',
    '| shard | status | sent | lag p99 (ms) | CPU (s) | clock offset (ms) | ± (ms) | start skew (ms) | host | run |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---|---|',
    ...g.perShard.map((p) =>
      `| ${p.index} | ${esc(p.status)} | ${p.sent} | ${p.lagP99Ms ?? '–'} | ${p.cpuS ?? '–'} | ${p.clockOffsetMs ?? '–'} | ${p.clockUncertaintyMs ?? '–'} | ${p.startSkewMs ?? '–'} | ${esc(p.host ?? '–')} | ${esc(p.runId ?? '–')} |`,
    ),
  ];
  if (g.problems.length > 0) lines.push('', 'INVALID because:', ...g.problems.map((p) => `- ${esc(p)}`));
  return `${lines.join('\n')}\n`;
}

const esc = (s: string) => s.replace(/[|\\`*_<>]/g, (ch) => `\\${ch}`).replace(/\n/g, ' ');
