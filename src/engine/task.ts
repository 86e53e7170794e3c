// The one message the main thread sends each worker, and the messages workers stream back.
import type { MessagePort } from 'node:worker_threads';
import type { SerializedError } from '../errors.js';
import { LIMITS } from '../spec/limits.js';
import type { Scenario } from '../spec/types.js';
import type { LoadPlan } from '../schedule/plan.js';
import type { RecordBatch } from './types.js';
import type { ResponseSample } from '../summary/types.js';

/** A response sample and the target (0, or 0/1 in compare) it came from. */
export interface TargetSample extends ResponseSample {
  target: number;
}

export interface WorkerTask {
  workerIndex: number;
  workerCount: number;
  scenario: Scenario;
  /** The scenario's load plan (schedule/plan.ts), built once by the main thread: the pacer walks its phases. */
  plan: LoadPlan;
  targets: HttpTarget[];
  /**
   * Shared state, per phase p: endUs[p] = when the phase ended (µs since epoch), valid once ready[p] = 1; for a
   * closed-loop phase counters[p] = requests issued (bit 30 = phase closed). After the phases: counters[stop] =
   * stop flag, counters[dataEnd] = 1 once a replayed source with `atEnd: stop` ran out, endUs[dataEnd] = when.
   * (An open-loop phase's count and end need no coordination: every worker walks the whole arrival stream and gets
   * the same; each writes the same end, for the main thread's phase timings.)
   */
  counters: SharedArrayBuffer;
  endUs: SharedArrayBuffer;
  ready: SharedArrayBuffer;
  port: MessagePort;
  /** Records are flushed at least this often. */
  flushMs: number;
  /** A shard of a distributed run (src/distributed): this process sends global sequence numbers k ≡ index (mod count). */
  shard?: ShardSlice;
}

/** Shard `index` of `count` (0 ≤ index < count). */
export interface ShardSlice {
  index: number;
  count: number;
}

/** Main → worker, after every worker said `ready`: t = 0 of the run as performance.timeOrigin + performance.now() (ms). */
export interface GoMessage {
  type: 'go';
  epochMs: number;
}

export type WorkerMessage = { type: 'ready'; workerIndex: number } | BatchMessage | { type: 'done'; workerIndex: number };

/** Worker → main at every flush (at least every `flushMs`, and whenever a record buffer fills): what is new since the last one. */
export interface BatchMessage {
  type: 'batch';
  /** One batch per target that has new records (targets with none are left out); its columns are transferred. */
  records: TargetBatch[];
  inFlight: number;
  samples?: TargetSample[];
  staleRetries?: StaleRetries[];
  /** New examples of answers outside the label's classes (a few distinct values per worker and target). */
  outOfClass?: OutOfClassExample[];
}

/** Records of requests sent to one target: every entry of `batch.target` is `target`. */
export interface TargetBatch {
  target: number;
  batch: RecordBatch;
}

/**
 * Which histogram a value belongs to (see main/histstore.ts for what each holds). Per phase: latency of
 * successful requests, latency of failed ones, service time (of successful ones), send lag (of every sent one). Per
 * window: latency, successful and failed. Per second of the run: latency of successful requests.
 */
export type HistRef =
  | { series: 'latency' | 'latencyFailed' | 'service' | 'lag'; phase: number }
  | { series: 'latency' | 'latencyFailed'; window: number }
  | { series: 'latency'; second: number };
export type PhaseSeries = Extract<HistRef, { phase: number }>['series'];
export type WindowSeries = Extract<HistRef, { window: number }>['series'];

/** The HistRef of each series, for readers of the histograms (the summary, live outputs). */
export const histRef = {
  latency: (phase: number): HistRef => ({ series: 'latency', phase }),
  latencyFailed: (phase: number): HistRef => ({ series: 'latencyFailed', phase }),
  service: (phase: number): HistRef => ({ series: 'service', phase }),
  lag: (phase: number): HistRef => ({ series: 'lag', phase }),
  window: (window: number): HistRef => ({ series: 'latency', window }),
  windowFailed: (window: number): HistRef => ({ series: 'latencyFailed', window }),
  second: (second: number): HistRef => ({ series: 'latency', second }),
};

/** What a worker's task resolves to. Errors travel as data: a thrown error would reach the main thread codeless. */
export type WorkerOutcome = { ok: true; workerIndex: number } | { ok: false; workerIndex: number; error: SerializedError };

/** An answer outside the label's classes as the report shows it: JSON text, at most 60 characters, secrets scrubbed. */
export interface OutOfClassExample {
  target: number;
  value: string;
}

/** Requests of one target and phase sent again on a fresh connection since the last batch (http.ts: stale connections). */
export interface StaleRetries {
  target: number;
  phase: number;
  count: number;
}

/** Index of the shared stop flag in `counters` (after the per-phase counters). */
export const stopIndex = (phases: number) => phases;
/** Index of the data-end flag in `counters` and of its time in `endUs`. */
export const dataEndIndex = (phases: number) => phases + 1;
/** Int32 slots of `counters` and BigInt64 slots of `endUs` for a run of `phases` phases. */
export const sharedSlots = (phases: number) => phases + 2;
export const CLOSED_BIT = 1 << 30;
/** A closed-loop phase closes at this many requests (a run's limit; below 2^30, so never sets CLOSED_BIT). */
export const MAX_CLOSED_COUNT = Math.min(LIMITS.requests, CLOSED_BIT - 1);

/** What a worker connects to and how (the target as the main thread resolved it). */
export interface HttpTarget {
  /** Host to connect to (an IPv6 address without brackets). */
  host: string;
  port: number;
  path: string;
  /** The Host header: host, with the port when it is not the scheme's default (RFC 9110 §7.2). */
  hostHeader: string;
  headers: Record<string, string>;
  contentType: string;
  /** Set for https:// targets. */
  tls?: TlsMaterial;
  /** A larger response body fails the request with RESPONSE_TOO_LARGE and closes the connection. */
  maxResponseBytes: number;
}

/** Trust for an https:// target, read once on the main thread from target.tls and handed to the workers. */
export interface TlsMaterial {
  /**
   * The whole trust store when `target.tls.ca` is set: Node's bundled roots + NODE_EXTRA_CA_CERTS + the file (a `ca`
   * option replaces Node's default store, which would drop the other two). Unset: Node's default store, which
   * already includes NODE_EXTRA_CA_CERTS.
   */
  ca?: string[];
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
}

/**
 * Share `i` of `n` of `total` units split as evenly as possible: floor(total / n), plus one for the first total mod n
 * shares (largest remainder with equal weights; ties go to the lower index). The shares sum to `total`.
 */
export function shareOf(total: number, i: number, n: number): number {
  return Math.floor(total / n) + (i < total % n ? 1 : 0);
}
