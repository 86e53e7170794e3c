// The main thread's end of the worker → main seam: one worker's batch message into the accumulators and the sinks.
// Everything arrives typed (task.ts BatchMessage): records already split by target with their window column, so
// nothing here parses a key or copies a record; the accumulator records the histograms from them.
import type { BatchMessage } from '../task.js';
import type { TargetAccumulator } from './accumulate.js';
import type { RunSink } from './sink.js';

/** The accumulators as a sink: each target's records into its own accumulator. */
export const accumulatorSink = (accs: readonly TargetAccumulator[]): RunSink => ({
  onBatch: (target, batch) => accs[target].addBatch(batch),
});

/**
 * Apply one batch message: response samples, stale-connection retries and out-of-class examples go to their
 * target's accumulator; each target's records go to every sink in order (the accumulators' first).
 */
export function ingest(m: BatchMessage, accs: readonly TargetAccumulator[], sinks: readonly RunSink[]): void {
  for (const { target, ...sample } of m.samples ?? []) accs[target].addSample(sample);
  for (const r of m.staleRetries ?? []) accs[r.target].staleRetries[r.phase] += r.count;
  for (const x of m.outOfClass ?? []) accs[x.target].addOutOfClassExample(x.value);
  for (const { target, batch } of m.records) for (const sink of sinks) sink.onBatch?.(target, batch);
}
