// Where each phase of a run started and ended (µs since t = 0), from what the workers wrote in the shared state.
import type { LoadPlan } from '../../schedule/plan.js';
import type { PhaseTiming } from './summarize.js';

/** Per phase: its end (µs since t = 0), valid once ready[p] = 1 (task.ts). */
export interface PhaseEnds {
  endUs: BigInt64Array;
  ready: Int32Array;
}

/**
 * Where each phase started and ended, as the workers ended them (an open phase at its duration or when its request
 * cap was reached, a closed one as it closed); an open phase the run never finished walking ends as planned,
 * clipped at the stop (`stopAtUs`: a stop request, or the end of the data; Infinity when neither happened).
 */
export function phaseTimings(plan: LoadPlan, ends: PhaseEnds, stopAtUs: number): PhaseTiming[] {
  const out: PhaseTiming[] = [];
  let start = 0;
  plan.phases.forEach((p, i) => {
    let end = ends.ready[i] ? Number(ends.endUs[i]) : p.kind === 'open' ? start + p.plannedMs * 1000 : start;
    if (start > stopAtUs) start = stopAtUs;
    if (end > stopAtUs) end = Math.max(start, stopAtUs);
    out.push({ startUs: start, endUs: end });
    start = end;
  });
  return out;
}
