// The accuracy window a request belongs to — one definition, computed by the worker for each record and read by the
// main thread's accumulator (counts, confusion and histograms per window) and the record sinks (the store's window column).
import type { WindowSpec } from '../spec/types.js';

/** A WindowSpec resolved for the hot path: count windows of `every` requests, or span windows of `spanUs` µs. */
export interface WindowGrid {
  /** Requests per window (count windows); 0 for span windows. */
  every: number;
  /** Window length in µs of intended send time (span windows); 0 for count windows. */
  spanUs: number;
}

export const windowGrid = (w: WindowSpec): WindowGrid => (w.kind === 'count' ? { every: w.every, spanUs: 0 } : { every: 0, spanUs: w.spanMs * 1000 });

/**
 * Index of the window holding request `seq` (run-wide sequence number) intended at `intendedUs` (µs since t = 0):
 * count windows by sequence number, span windows by intended send time (so a slow answer stays in the window of
 * the moment it was due).
 */
export function windowIndex(g: WindowGrid, seq: number, intendedUs: number): number {
  return g.every > 0 ? Math.floor(seq / g.every) : Math.floor(intendedUs / g.spanUs);
}
