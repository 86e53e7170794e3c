// The one message the main thread sends each worker, and the messages workers stream back.
import type { MessagePort } from 'node:worker_threads';
import type { Scenario } from '../scenario/types.js';
import type { RecordBatch } from './types.js';
import type { HttpTarget } from './http.js';

export interface WorkerTask {
  workerIndex: number;
  workerCount: number;
  scenario: Scenario;
  targets: HttpTarget[];
  /** Open-loop phases: exact arrival count (seq ranges follow from it); closed-loop phases: null. */
  openCounts: (number | null)[];
  /**
   * Shared state for closed-loop phases, per phase p: counters[p] = requests issued (bit 30 = phase closed);
   * endUs[p] = when the phase ended (µs since epoch), valid once ready[p] = 1. counters[last] = stop flag.
   */
  counters: SharedArrayBuffer;
  endUs: SharedArrayBuffer;
  ready: SharedArrayBuffer;
  port: MessagePort;
  /** Records and histogram deltas are flushed at least this often. */
  flushMs: number;
}

/** Main → worker, after every worker said `ready`: t = 0 of the run as performance.timeOrigin + performance.now() (ms). */
export interface GoMessage {
  type: 'go';
  epochMs: number;
}

export type WorkerMessage =
  | { type: 'ready'; workerIndex: number }
  | { type: 'batch'; records: RecordBatch; hists: Record<string, string>; inFlight: number; staleRetries?: StaleRetries[] }
  | { type: 'phase'; phase: number; startUs: number; endUs: number; count: number }
  | { type: 'done'; workerIndex: number };

/** Requests of one target and phase sent again on a fresh connection since the last batch (http.ts: stale connections). */
export interface StaleRetries {
  target: number;
  phase: number;
  count: number;
}

/** Index of the shared stop flag in `counters` (after the per-phase counters). */
export const stopIndex = (phases: number) => phases;
export const CLOSED_BIT = 1 << 30;

/** Histogram keys: latency / service time / lag per phase, latency per window and per second of the run. */
export const histKey = {
  latency: (p: number) => `lat:p${p}`,
  service: (p: number) => `svc:p${p}`,
  lag: (p: number) => `lag:p${p}`,
  window: (w: number) => `lat:w${w}`,
  second: (s: number) => `lat:s${s}`,
};
