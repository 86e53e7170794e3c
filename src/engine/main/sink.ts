// What the main thread's run tells the world while it runs: each record batch as it arrives, live figures once a
// second, and what it waits for after the wave. The accumulators, progress, the metrics store, feedback posting and
// the live outputs (src/live) are sinks; the run (./run.ts, ./ingest.ts) calls them and knows none of them.
import type { LatencyStats } from '../../summary/types.js';
import type { RecordBatch } from '../types.js';
import type { TargetAccumulator } from './accumulate.js';

export interface RunSink {
  /**
   * Called on the main thread with each batch of one target's records, `batch.window` holding each request's window
   * (never blocks the wave: keep it cheap). Every sink gets the same batch: read it, never modify it.
   */
  onBatch?(target: number, batch: RecordBatch): void;
  /** Called about once a second with live figures. */
  onTick?(live: LiveFigures): void;
  /** Called about once a second after the wave while the run still waits for something (feedback posts). */
  onWait?(w: WaitStatus): void;
}

/** What a run waits for after its wave: `done` of `total` items (feedback labels). */
export interface WaitStatus {
  what: 'feedback';
  done: number;
  total: number;
}

export interface LiveFigures {
  elapsedMs: number;
  /** The load plan's length (undefined when a closed phase ends by requests only). */
  plannedMs: number | undefined;
  /** The load plan's rate now (req/s); 0 in closed loop or where the plan cannot place the time. */
  plannedRps: number;
  /** Requests sent/completed over the last second, per target (index 0 = the only / baseline target). */
  achievedRps: number;
  inFlight: number;
  sent: number;
  errors: number;
  dropped: number;
  p50Ms: number;
  p99Ms: number;
  accuracy?: number;
  /** The last second's latency of successful requests (ms), as p50/p99 above plus the rest (src/live reads this). */
  latencyMs?: LatencyStats;
  /** Read-only view of each target's accumulator (counts per phase/window, merged histograms) for live outputs. */
  accumulators?: readonly TargetAccumulator[];
  /** Feedback labels posted/failed/queued so far (absent without `feedback`). */
  feedback?: FeedbackProgress;
}

/** Feedback labels so far: what the live outputs show of feedback posting. */
export interface FeedbackProgress {
  labelsPosted: number;
  labelsFailed: number;
  /** Labels waiting for their delay or their post. */
  labelsQueued: number;
}
