// The orchestrator: resolve targets, split the schedule once across the load workers (workers.ts), stream their
// batches into the sinks (ingest.ts), stop them on request or failure, and build one Summary per target. Reporting,
// thresholds and exit codes are the caller's (src/cli, src/compare).
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { newRunId } from '../../util/ids.js';
import { ModelwaveError, reviveError } from '../../errors.js';
import type { Scenario } from '../../spec/types.js';
import type { FeedbackSummary, Summary } from '../../summary/types.js';
import { loadPlanOf } from '../../schedule/plan.js';
import { TargetAccumulator } from './accumulate.js';
import { initHistograms } from '../../stats/hist.js';
import { summarize } from './summarize.js';
import { phaseTimings } from './phase-timings.js';
import { Workers } from './workers.js';
import type { ShardSlice, WorkerOutcome } from '../task.js';
import { aborted, FEEDBACK_DRAIN_MS, firstFailure, STOP_GRACE_MS, within } from './lifecycle.js';
import { resolveTargets, type ResolvedTarget } from './targets.js';
import { labelsOf } from './labels.js';
import { FeedbackPoster, type FeedbackRecord } from './feedback.js';
import type { RunSink, WaitStatus } from './sink.js';
import { accumulatorSink, ingest } from './ingest.js';
import { LiveWindow } from './live-window.js';
import { checkRunData } from './datacheck.js';
import { insecureTlsWarnings } from '../net/tls.js';

export type { LiveFigures, RunSink, WaitStatus } from './sink.js';

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
  /** Shard of a distributed run (src/distributed): send only global sequence numbers k ≡ index (mod count). */
  shard?: ShardSlice;
  /**
   * Called once every worker is ready, before anything is sent: resolves with the run's t = 0 as an absolute time on
   * this process's clock (performance.timeOrigin + performance.now(), ms; may be in the future), or rejects — then the
   * run ends with that error and nothing sent (a distributed run's start barrier). Default: now + 20 ms.
   */
  startGate?: () => Promise<number>;
}

export interface RunResult {
  summaries: Summary[];
  accumulators: TargetAccumulator[];
  targets: ResolvedTarget[];
  runIds: string[];
  /** Every label posted to the feedback endpoint (for the store) when no `onFeedback` took them as they went. */
  feedbackRecords: FeedbackRecord[];
  /** Target 0's feedback posts (the caller attaches them to its summary: summary/attach.ts). */
  feedback?: FeedbackSummary;
  /**
   * Set when a worker failed mid-wave: the summaries (status `failed`) hold what was measured up to then; the caller
   * writes them and then exits with this error's code. A failure before the wave is thrown instead.
   */
  failure?: ModelwaveError;
}

export { newRunId };

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
  await checkRunData(s);
  await initHistograms();
  const targets = await resolveTargets(s, opts.targets ?? [s.target.url]).catch((err: unknown) => {
    // Ctrl-C in a terminal reaches the builtin server's process group too: its start then fails because of the stop.
    if (opts.signal?.aborted) throw new ModelwaveError('MW_INTERRUPTED', 'interrupted while the target was starting; nothing was sent');
    throw err;
  });
  try {
    return await runWithTargets(s, targets, opts);
  } finally {
    await Promise.all(targets.map((t) => t.stop()));
  }
}

async function runWithTargets(s: Scenario, targets: ResolvedTarget[], opts: RunOptions): Promise<RunResult> {
  const phases = s.load.phases;
  // Built once, handed to the workers (pacer), live progress and the summary as a value.
  const plan = loadPlanOf(s);
  const W = workerCount(s, opts.workers);
  const labels = labelsOf(s);
  const accs = targets.map(() => new TargetAccumulator(phases.map((p) => p.warmup), labels, opts.keepSamples ?? false));
  const runIds = targets.map((_, i) => opts.runIds?.[i] ?? (i === 0 && opts.runId ? opts.runId : newRunId(s.name)));
  const sinks = [...(opts.sinks ?? [])];
  let epochMs = Infinity;
  const elapsedMs = () => performance.timeOrigin + performance.now() - epochMs;
  const feedback = s.feedback
    ? new FeedbackPoster(s.feedback, s.feedback.url === 'builtin' ? `${targets[0].origin}/feedback` : s.feedback.url, s.label?.classes ?? [], elapsedMs, 0, targets[0].tls)
    : undefined;
  if (feedback) {
    if (opts.onFeedback) feedback.onPosted = opts.onFeedback;
    sinks.push(feedback);
  }

  const live = new LiveWindow();
  // Every record batch goes to each of these in order: the accumulators first, then live progress and the caller's.
  const batchSinks = [accumulatorSink(accs), live, ...sinks];
  const workers = new Workers(W, s, plan, targets.map((t) => t.http), opts.shard, (m) => ingest(m, accs, batchSinks));
  const failure = firstFailure(workers.tasks);
  const stopRequested = aborted(opts.signal);

  let status: Summary['run']['status'] = 'completed';
  let stopAtUs = Infinity;
  const stop = () => {
    if (workers.stopped) return;
    status = 'interrupted';
    // Before t = 0 (stopped while the workers were starting) the run stops at its very start.
    stopAtUs = Number.isFinite(epochMs) ? Math.max(0, elapsedMs() * 1000) : 0;
    workers.stop();
  };
  let ticker: NodeJS.Timeout | undefined;

  let error: string | undefined;
  let failed: ModelwaveError | undefined;
  let startedAtMs = Date.now();
  try {
    // Start-up: every worker ready, or the first failure (nothing measured yet: it is the run's outcome), or a stop.
    const started = await Promise.race([workers.allReady.then(() => 'ready' as const), failure, stopRequested.then(() => 'stop' as const)]);
    if (started instanceof ModelwaveError) {
      stop();
      throw started;
    }
    // A worker still warming up finds `go` waiting and the stop flag set; it ends without sending.
    if (started === 'stop') stop();
    let gateEpochMs: number | undefined;
    if (opts.startGate && started !== 'stop') {
      const gated = await Promise.race([opts.startGate(), failure, stopRequested.then(() => 'stop' as const)]).catch((err: unknown) => err);
      if (gated instanceof Error) {
        stop(); // the workers find the stop flag set and end without sending
        throw gated;
      }
      if (gated === 'stop') stop();
      else gateEpochMs = gated as number;
    }
    const nowMs = performance.timeOrigin + performance.now();
    epochMs = gateEpochMs ?? nowMs + 20;
    startedAtMs = Date.now() + (epochMs - nowMs);
    workers.go(epochMs);
    opts.signal?.addEventListener('abort', stop, { once: true });
    if (opts.signal?.aborted) stop();

    ticker = setInterval(() => {
      const atMs = elapsedMs();
      if (atMs < 0) return; // a gated start (distributed run) waits for its T0
      const fig = live.figures(atMs, plan, workers.inFlight.reduce((a, b) => a + b, 0), accs[0]);
      fig.accumulators = accs;
      if (feedback) fig.feedback = feedback.progress();
      for (const sink of sinks) sink.onTick?.(fig);
    }, 1000);

    // After a stop, in-flight requests get their timeout and the workers a grace period to report; then they are
    // terminated. A failure stops the others the same way.
    const stopBoundMs = s.target.timeoutMs + STOP_GRACE_MS;
    const outcome = await waveOutcome(workers.tasks, failure, stopRequested, stopBoundMs);
    if (outcome instanceof ModelwaveError) {
      stop();
      status = 'failed';
      failed = outcome;
      error = outcome.message;
      await within(Promise.allSettled(workers.tasks), stopBoundMs);
    } else if (outcome === 'overdue') {
      error = `workers did not stop within ${Math.round(stopBoundMs / 1000)}s of the stop request; their last records are missing`;
    }
    clearInterval(ticker);
    await workers.lastMessages(failed || outcome === 'overdue' ? 1000 : 5000);
  } finally {
    clearInterval(ticker);
    live.destroy();
    // Terminates any worker still running (one stuck past its deadline included): nothing can keep the run alive.
    await workers.destroy();
  }
  // Labels still waiting for their delay: posted now, within a bound (short once the run was stopped or failed).
  const waiting = feedback
    ? setInterval(() => {
        const p = feedback.progress();
        const w: WaitStatus = { what: 'feedback', done: p.labelsPosted + p.labelsFailed, total: p.labelsPosted + p.labelsFailed + p.labelsQueued };
        for (const sink of sinks) sink.onWait?.(w);
      }, 1000)
    : undefined;
  const feedbackSummary = await feedback?.finish(status === 'completed' ? FEEDBACK_DRAIN_MS : STOP_GRACE_MS).finally(() => clearInterval(waiting));
  const endedAtMs = Date.now();

  // A replayed source with `atEnd: stop` ran out: the run ended there (as planned, not interrupted).
  stopAtUs = Math.min(stopAtUs, workers.dataEndUs() ?? Infinity);
  const timings = phaseTimings(plan, workers.phaseEnds(), stopAtUs);
  const summaries = accs.map((acc, t) =>
    summarize(s, acc, {
      id: runIds[t],
      status,
      startedAtMs,
      endedAtMs,
      target: targets[t].display,
      workers: W,
      phaseTimings: timings,
      plan,
      maxLagP99Ms: opts.maxLagP99Ms ?? 10,
      ...(error ? { error } : {}),
      warnings: insecureTlsWarnings(s, targets[t].url),
      ...(opts.comparisonId ? { comparisonId: opts.comparisonId, role: t === 0 ? 'baseline' : 'candidate' } : {}),
    }),
  );
  return { summaries, accumulators: accs, targets, runIds, feedbackRecords: feedback?.records ?? [], ...(feedbackSummary ? { feedback: feedbackSummary } : {}), ...(failed ? { failure: failed } : {}) };
}

/**
 * How the wave ended: every task done, the first failure (a failure among the tasks is seen even if it came last),
 * or — after a stop request — 'overdue' once the workers have had `stopBoundMs` to finish.
 */
async function waveOutcome(
  tasks: Promise<WorkerOutcome>[],
  failure: Promise<ModelwaveError>,
  stopRequested: Promise<void>,
  stopBoundMs: number,
): Promise<ModelwaveError | 'done' | 'overdue'> {
  const allDone = Promise.allSettled(tasks).then((rs) => {
    for (const r of rs) {
      if (r.status === 'rejected') return reviveError(r.reason, 'a load worker');
      if (!r.value.ok) return reviveError(r.value.error);
    }
    return 'done' as const;
  });
  const stoppedTooLong = stopRequested.then(() => within(allDone, stopBoundMs)).then((r) => r ?? ('overdue' as const));
  return Promise.race([allDone, failure, stoppedTooLong]);
}
