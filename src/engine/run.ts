// The orchestrator: resolve targets, split the schedule once across a Piscina pool, stream records into the sinks,
// and build one Summary per target. Reporting, thresholds and exit codes are the caller's (src/cli, src/compare).
import os from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { Piscina } from 'piscina';
import { ModelwaveError } from '../errors.js';
import type { Scenario } from '../scenario/types.js';
import type { Summary } from '../summary/types.js';
import { countArrivals, rateAt } from '../schedule/pacer.js';
import { TargetAccumulator } from './accumulate.js';
import { createHistogram, initHistograms, recordUs } from './hist.js';
import { sliceBatch } from './records.js';
import { summarize, type PhaseTiming } from './summarize.js';
import { stopIndex, type WorkerMessage, type WorkerTask } from './task.js';
import { Outcome, type RecordBatch } from './types.js';
import { resolveTargets, type ResolvedTarget } from './targets.js';
import { labelsOf } from './labels.js';
import { FeedbackPoster, type FeedbackRecord } from './feedback.js';
import { insecureTlsWarnings } from './tls.js';

export interface RunSink {
  /** Called on the main thread with each batch of one target's records (never blocks the wave: keep it cheap). */
  onBatch?(target: number, batch: RecordBatch, window: Int32Array): void;
  /** Called about once a second with live figures. */
  onTick?(live: LiveFigures): void;
}

export interface LiveFigures {
  elapsedMs: number;
  plannedMs: number | undefined;
  targetRps: number;
  /** Requests sent/completed over the last second, per target (index 0 = the only / baseline target). */
  achievedRps: number;
  inFlight: number;
  sent: number;
  errors: number;
  dropped: number;
  p50Ms: number;
  p99Ms: number;
  accuracy?: number;
}

export interface RunOptions {
  /** Override target URLs: one (run) or two (compare: baseline, candidate). Default: scenario.target.url. */
  targets?: string[];
  workers?: number;
  /** Stops the run like Ctrl-C: no new requests, in-flight ones finish (up to the timeout), status `interrupted`. */
  signal?: AbortSignal;
  sinks?: RunSink[];
  /** Keep per-row correctness and latency samples (for `compare`). */
  keepSamples?: boolean;
  /** Lag p99 above this marks the run "generator saturated". */
  maxLagP99Ms?: number;
  runId?: string;
  /** Run ids per target (compare); defaults to fresh ids. */
  runIds?: string[];
  comparisonId?: string;
  /** Receives posted feedback labels as they go (e.g. into the store) instead of keeping them in memory. */
  onFeedback?: (rows: FeedbackRecord[]) => void;
}

export interface RunResult {
  summaries: Summary[];
  accumulators: TargetAccumulator[];
  targets: ResolvedTarget[];
  runIds: string[];
  /** Every label posted to the feedback endpoint (for the store). */
  feedbackRecords: FeedbackRecord[];
}

export function newRunId(name: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'run';
  return `${stamp}-${slug}-${randomUUID().slice(0, 6)}`;
}

/**
 * `workers: auto` leaves one core to the rest of the run: the main thread (records, reconciliation, histograms), V8's
 * GC and compiler threads, the store process, and often the target itself. Measured on 2 cores (bench/RESULTS.md),
 * one worker beat two on CPU per request (−15% closed, −24% open), lag and memory; two won only raw closed-loop
 * throughput, by ~10%.
 */
export const autoWorkers = (cores = os.availableParallelism()): number => Math.max(1, cores - 1);

export function workerCount(s: Scenario, override?: number): number {
  const w = override ?? (s.load.workers === 'auto' ? autoWorkers() : s.load.workers);
  return Math.max(1, Math.min(64, Math.floor(w)));
}

export async function executeRun(s: Scenario, opts: RunOptions = {}): Promise<RunResult> {
  await initHistograms();
  const targets = await resolveTargets(s, opts.targets ?? [s.target.url]);
  try {
    return await runWithTargets(s, targets, opts);
  } finally {
    await Promise.all(targets.map((t) => t.stop()));
  }
}

async function runWithTargets(s: Scenario, targets: ResolvedTarget[], opts: RunOptions): Promise<RunResult> {
  const phases = s.load.phases;
  const W = workerCount(s, opts.workers);
  const openCounts = phases.map((p, i) => (p.kind === 'open' ? countArrivals(p, s.seed, i) : null));
  const counters = new SharedArrayBuffer(4 * (phases.length + 1));
  const endUs = new SharedArrayBuffer(8 * phases.length);
  const ready = new SharedArrayBuffer(4 * phases.length);
  const counterView = new Int32Array(counters);
  const labels = labelsOf(s);
  const windowOf = (seq: number, intendedUs: number) =>
    s.windows.kind === 'count' ? Math.floor(seq / s.windows.every) : Math.floor(intendedUs / (s.windows.spanMs * 1000));
  const accs = targets.map(
    () => new TargetAccumulator(phases.map((p) => p.warmup), windowOf, labels, opts.keepSamples ?? false),
  );
  const runIds = targets.map((_, i) => opts.runIds?.[i] ?? (i === 0 && opts.runId ? opts.runId : newRunId(s.name)));
  const sinks = [...(opts.sinks ?? [])];
  let epochMs = Infinity;
  const feedback = s.feedback
    ? new FeedbackPoster(
        s.feedback,
        s.feedback.url === 'builtin' ? `${targets[0].origin}/feedback` : s.feedback.url,
        s.label?.classes ?? [],
        () => performance.timeOrigin + performance.now() - epochMs,
        0,
        targets[0].tls,
      )
    : undefined;
  if (feedback) {
    if (opts.onFeedback) feedback.onPosted = opts.onFeedback;
    sinks.push(feedback);
  }

  const pool = new Piscina({
    filename: new URL('./worker.js', import.meta.url).href,
    minThreads: W,
    maxThreads: W,
    idleTimeout: 1000,
    concurrentTasksPerWorker: 1,
  });

  let inFlight = new Array<number>(W).fill(0);
  const live = new LiveWindow();
  const channels = Array.from({ length: W }, () => new MessageChannel());
  const readyWorkers = new Set<number>();
  let resolveAllReady!: () => void;
  const allReady = new Promise<void>((r) => (resolveAllReady = r));
  const doneWorkers = new Set<number>();

  const onMessage = (w: number) => (m: WorkerMessage) => {
    if (m.type === 'ready') {
      readyWorkers.add(w);
      if (readyWorkers.size === W) resolveAllReady();
    } else if (m.type === 'batch') {
      inFlight[w] = m.inFlight;
      for (const [key, enc] of Object.entries(m.hists)) routeHist(accs, key, enc);
      for (const r of m.staleRetries ?? []) accs[r.target].staleRetries[r.phase] += r.count;
      ingest(m.records);
    } else if (m.type === 'done') {
      doneWorkers.add(w);
    }
  };

  const ingest = (b: RecordBatch) => {
    if (b.count === 0) return;
    const parts = targets.length === 1 ? [b] : targets.map((_, t) => sliceBatch(b, (i) => b.target[i] === t));
    parts.forEach((part, t) => {
      const acc = accs[t];
      const win = new Int32Array(part.count);
      for (let i = 0; i < part.count; i++) {
        acc.add(part, i);
        win[i] = windowOf(part.seq[i], part.intendedUs[i]);
      }
      if (t === 0) live.add(part);
      for (const sink of sinks) sink.onBatch?.(t, part, win);
    });
  };

  channels.forEach((ch, w) => ch.port1.on('message', onMessage(w)));

  const tasks = channels.map((ch, w) => {
    const task: WorkerTask = {
      workerIndex: w,
      workerCount: W,
      scenario: s,
      targets: targets.map((t) => t.http),
      openCounts,
      counters,
      endUs,
      ready,
      port: ch.port2,
      flushMs: 100,
    };
    return pool.run(task, { transferList: [ch.port2] });
  });
  // A worker that throws (bad data file, etc.) must not leave the others waiting for `go`.
  const failed = Promise.race(tasks.map((t) => t.then(() => new Promise<never>(() => {}))));
  await Promise.race([allReady, failed]);

  epochMs = performance.timeOrigin + performance.now() + 20;
  const startedAtMs = Date.now() + 20;
  for (const ch of channels) ch.port1.postMessage({ type: 'go', epochMs });

  let status: Summary['run']['status'] = 'completed';
  let stopAtUs = Infinity;
  const stop = () => {
    if (Atomics.load(counterView, stopIndex(phases.length)) !== 0) return;
    status = 'interrupted';
    stopAtUs = (performance.timeOrigin + performance.now() - epochMs) * 1000;
    Atomics.store(counterView, stopIndex(phases.length), 1);
  };
  opts.signal?.addEventListener('abort', stop, { once: true });
  if (opts.signal?.aborted) stop();

  const plannedMs = plannedDurationMs(s);
  const ticker = setInterval(() => {
    const elapsedMs = performance.timeOrigin + performance.now() - epochMs;
    const fig = live.figures(elapsedMs, plannedMs, inFlight.reduce((a, b) => a + b, 0), accs[0], s);
    for (const sink of sinks) sink.onTick?.(fig);
  }, 1000);

  let error: string | undefined;
  try {
    await Promise.all(tasks);
  } catch (err) {
    stop();
    status = 'failed';
    error = (err as Error).message;
    await Promise.allSettled(tasks);
    if (err instanceof ModelwaveError) {
      clearInterval(ticker);
      await pool.destroy();
      live.destroy();
      throw err;
    }
  } finally {
    clearInterval(ticker);
  }
  // Let the last port messages (sent before each task resolved) arrive: each worker ends with an explicit `done`.
  const deadline = Date.now() + 5000;
  while (doneWorkers.size < W && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  for (const ch of channels) ch.port1.close();
  live.destroy();
  await pool.destroy();
  const feedbackSummary = await feedback?.finish();
  const endedAtMs = Date.now();

  const timings = phaseTimings(s, new BigInt64Array(endUs), new Int32Array(ready), stopAtUs);
  const summaries = accs.map((acc, t) =>
    summarize(s, acc, {
      id: runIds[t],
      status,
      startedAtMs,
      endedAtMs,
      target: targets[t].display,
      workers: W,
      phaseTimings: timings,
      maxLagP99Ms: opts.maxLagP99Ms ?? 10,
      ...(error ? { error } : {}),
      warnings: insecureTlsWarnings(s, targets[t].url),
      ...(opts.comparisonId ? { comparisonId: opts.comparisonId, role: t === 0 ? 'baseline' : 'candidate' } : {}),
    }),
  );
  if (feedbackSummary) summaries[0].feedback = feedbackSummary;
  return { summaries, accumulators: accs, targets, runIds, feedbackRecords: feedback?.records ?? [] };
}

function routeHist(accs: TargetAccumulator[], key: string, enc: string): void {
  // Histogram keys are per target when comparing: `t1|lat:p0`; plain keys belong to target 0.
  const bar = key.indexOf('|');
  if (bar < 0) accs[0].mergeHist(key, enc);
  else accs[Number(key.slice(1, bar))].mergeHist(key.slice(bar + 1), enc);
}

/** Where each phase started and ended (µs since t = 0): open phases as planned, closed ones as they closed. */
function phaseTimings(s: Scenario, endUs: BigInt64Array, ready: Int32Array, stopAtUs: number): PhaseTiming[] {
  const out: PhaseTiming[] = [];
  let start = 0;
  s.load.phases.forEach((p, i) => {
    let end = p.kind === 'open' ? start + p.durationMs * 1000 : ready[i] ? Number(endUs[i]) : start;
    if (start > stopAtUs) start = stopAtUs;
    if (end > stopAtUs) end = Math.max(start, stopAtUs);
    out.push({ startUs: start, endUs: end });
    start = end;
  });
  return out;
}

function plannedDurationMs(s: Scenario): number | undefined {
  let ms = 0;
  for (const p of s.load.phases) {
    if (p.durationMs === undefined) return undefined;
    ms += p.durationMs;
  }
  return ms;
}

/** Last-second figures for live progress. */
/** The last second's figures for live progress: a histogram reset each tick (no per-request array to sort). */
class LiveWindow {
  private recent = createHistogram();
  private recentSent = 0;
  private lastTickMs = 0;
  private destroyed = false;

  add(b: RecordBatch): void {
    if (this.destroyed) return;
    for (let i = 0; i < b.count; i++) {
      if (b.outcome[i] === Outcome.dropped) continue;
      this.recentSent++;
      if (b.outcome[i] === Outcome.ok) recordUs(this.recent, b.receivedUs[i] - b.intendedUs[i]);
    }
  }

  figures(elapsedMs: number, plannedMs: number | undefined, inFlight: number, acc: TargetAccumulator, s: Scenario): LiveFigures {
    const dt = Math.max(0.001, (elapsedMs - this.lastTickMs) / 1000);
    this.lastTickMs = elapsedMs;
    const h = this.recent;
    const pct = (q: number) => (!this.destroyed && h.totalCount > 0 ? h.getValueAtPercentile(q) / 1000 : 0);
    const fig: LiveFigures = {
      elapsedMs,
      plannedMs,
      targetRps: currentTargetRps(s, elapsedMs),
      achievedRps: this.recentSent / dt,
      inFlight,
      sent: acc.total.sent,
      errors: acc.total.sent - acc.total.ok,
      dropped: acc.total.dropped,
      p50Ms: pct(50),
      p99Ms: pct(99),
      ...(acc.confusion && acc.scored > 0 ? { accuracy: acc.confusion.correct() / acc.confusion.total() } : {}),
    };
    if (!this.destroyed) h.reset();
    this.recentSent = 0;
    return fig;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.recent.destroy();
  }
}

/** The planned rate now, from the pacer's own rate curve (so steps show as steps). */
function currentTargetRps(s: Scenario, elapsedMs: number): number {
  let start = 0;
  for (const p of s.load.phases) {
    const d = p.durationMs ?? Infinity;
    if (elapsedMs < start + d) return p.kind === 'open' ? rateAt(p, (elapsedMs - start) / 1000) : 0;
    start += d;
  }
  return 0;
}
