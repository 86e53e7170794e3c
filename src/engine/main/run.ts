// The orchestrator: resolve targets, split the schedule once across a Piscina pool, stream records into the sinks,
// and build one Summary per target. Reporting, thresholds and exit codes are the caller's (src/cli, src/compare).
import os from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { newRunId } from '../../util/ids.js';
import { Piscina } from 'piscina';
import { ModelwaveError, reviveError } from '../../errors.js';
import type { Scenario } from '../../spec/types.js';
import type { Summary } from '../../summary/types.js';
import { loadPlanOf, type LoadPlan } from '../../schedule/plan.js';
import { TargetAccumulator } from './accumulate.js';
import { initHistograms } from '../../stats/hist.js';
import { summarize, type PhaseTiming } from './summarize.js';
import { dataEndIndex, sharedSlots, stopIndex, type ShardSlice, type WorkerMessage, type WorkerOutcome, type WorkerTask } from '../task.js';
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
  /** Every label posted to the feedback endpoint (for the store). */
  feedbackRecords: FeedbackRecord[];
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
  checkRunData(s);
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
  const counters = new SharedArrayBuffer(4 * sharedSlots(phases.length));
  const endUs = new SharedArrayBuffer(8 * sharedSlots(phases.length));
  const ready = new SharedArrayBuffer(4 * phases.length);
  const counterView = new Int32Array(counters);
  const labels = labelsOf(s);
  const accs = targets.map(() => new TargetAccumulator(phases.map((p) => p.warmup), labels, opts.keepSamples ?? false));
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
    filename: new URL('../worker/worker.js', import.meta.url).href,
    minThreads: W,
    maxThreads: W,
    idleTimeout: 1000,
    concurrentTasksPerWorker: 1,
  });

  const inFlight = new Array<number>(W).fill(0);
  const live = new LiveWindow();
  // Every record batch goes to each of these in order: the accumulators first, then live progress and the caller's.
  const batchSinks = [accumulatorSink(accs), live, ...sinks];
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
      ingest(m, accs, batchSinks);
    } else if (m.type === 'done') {
      doneWorkers.add(w);
    }
  };

  channels.forEach((ch, w) => ch.port1.on('message', onMessage(w)));

  const tasks = channels.map((ch, w): Promise<WorkerOutcome> => {
    const task: WorkerTask = {
      workerIndex: w,
      workerCount: W,
      scenario: s,
      plan,
      targets: targets.map((t) => t.http),
      counters,
      endUs,
      ready,
      port: ch.port2,
      flushMs: 100,
      ...(opts.shard && { shard: opts.shard }),
    };
    return pool.run(task, { transferList: [ch.port2] }) as Promise<WorkerOutcome>;
  });
  const failure = firstFailure(tasks);
  const stopRequested = aborted(opts.signal);

  let status: Summary['run']['status'] = 'completed';
  let stopAtUs = Infinity;
  const stop = () => {
    if (Atomics.load(counterView, stopIndex(phases.length)) !== 0) return;
    status = 'interrupted';
    // Before t = 0 (stopped while the workers were starting) the run stops at its very start.
    stopAtUs = Number.isFinite(epochMs) ? Math.max(0, (performance.timeOrigin + performance.now() - epochMs) * 1000) : 0;
    Atomics.store(counterView, stopIndex(phases.length), 1);
  };
  let ticker: NodeJS.Timeout | undefined;
  let destroyed = false;
  const shutDown = async () => {
    clearInterval(ticker);
    if (destroyed) return;
    destroyed = true;
    for (const ch of channels) ch.port1.close();
    live.destroy();
    // Terminates any worker still running (one stuck past its deadline included): nothing can keep the run alive.
    await pool.destroy().catch(() => {});
  };

  let error: string | undefined;
  let failed: ModelwaveError | undefined;
  let startedAtMs = Date.now();
  try {
    // Start-up: every worker ready, or the first failure (nothing measured yet: it is the run's outcome), or a stop.
    const started = await Promise.race([allReady.then(() => 'ready' as const), failure, stopRequested.then(() => 'stop' as const)]);
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
    for (const ch of channels) ch.port1.postMessage({ type: 'go', epochMs });
    opts.signal?.addEventListener('abort', stop, { once: true });
    if (opts.signal?.aborted) stop();

    ticker = setInterval(() => {
      const elapsedMs = performance.timeOrigin + performance.now() - epochMs;
      if (elapsedMs < 0) return; // a gated start (distributed run) waits for its T0
      const fig = live.figures(elapsedMs, plan, inFlight.reduce((a, b) => a + b, 0), accs[0]);
      fig.accumulators = accs;
      if (feedback) fig.feedback = feedback.progress();
      for (const sink of sinks) sink.onTick?.(fig);
    }, 1000);

    // After a stop, in-flight requests get their timeout and the workers a grace period to report; then they are
    // terminated. A failure stops the others the same way.
    const stopBoundMs = s.target.timeoutMs + STOP_GRACE_MS;
    // Every task's outcome, in worker order: a failure among them is seen here even if it came last.
    const allDone = Promise.allSettled(tasks).then((rs) => {
      for (const r of rs) {
        if (r.status === 'rejected') return reviveError(r.reason, 'a load worker');
        if (!r.value.ok) return reviveError(r.value.error);
      }
      return 'done' as const;
    });
    const stoppedTooLong = stopRequested.then(() => within(allDone, stopBoundMs)).then((r) => r ?? ('overdue' as const));
    const outcome = await Promise.race([allDone, failure, stoppedTooLong]);
    if (outcome instanceof ModelwaveError) {
      stop();
      status = 'failed';
      failed = outcome;
      error = outcome.message;
      await within(Promise.allSettled(tasks), stopBoundMs);
    } else if (outcome === 'overdue') {
      error = `workers did not stop within ${Math.round(stopBoundMs / 1000)}s of the stop request; their last records are missing`;
    }
    clearInterval(ticker);
    // Let the last port messages (sent before each task resolved) arrive: each worker ends with an explicit `done`.
    const deadline = Date.now() + (failed || outcome === 'overdue' ? 1000 : 5000);
    while (doneWorkers.size < W && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  } finally {
    await shutDown();
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
  const endUsView = new BigInt64Array(endUs);
  if (Atomics.load(counterView, dataEndIndex(phases.length)) !== 0) {
    stopAtUs = Math.min(stopAtUs, Number(endUsView[dataEndIndex(phases.length)]));
  }
  const timings = phaseTimings(plan, endUsView, new Int32Array(ready), stopAtUs);
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
  if (feedbackSummary) summaries[0].feedback = feedbackSummary;
  return { summaries, accumulators: accs, targets, runIds, feedbackRecords: feedback?.records ?? [], ...(failed ? { failure: failed } : {}) };
}

/**
 * Where each phase started and ended (µs since t = 0), as the workers ended them (an open phase at its duration or
 * when its request cap was reached, a closed one as it closed); an open phase the run never finished walking ends as
 * planned, clipped at the stop.
 */
function phaseTimings(plan: LoadPlan, endUs: BigInt64Array, ready: Int32Array, stopAtUs: number): PhaseTiming[] {
  const out: PhaseTiming[] = [];
  let start = 0;
  plan.phases.forEach((p, i) => {
    let end = ready[i] ? Number(endUs[i]) : p.kind === 'open' ? start + p.plannedMs * 1000 : start;
    if (start > stopAtUs) start = stopAtUs;
    if (end > stopAtUs) end = Math.max(start, stopAtUs);
    out.push({ startUs: start, endUs: end });
    start = end;
  });
  return out;
}
