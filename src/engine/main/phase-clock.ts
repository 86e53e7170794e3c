// Which phase runs at a moment of the run, and how long until the planned end: one home for the live outputs and
// the progress line. By the planned durations; a phase without one (closed loop ending by request count) runs until
// records of a later phase arrive.
import type { Phase } from '../../spec/types.js';

export interface PhaseNow {
  index: number;
  name: string;
  kind: Phase['kind'];
  warmup: boolean;
  /** Number of phases in the run. */
  of: number;
}

/**
 * The phase running `elapsedMs` after t = 0 and the seconds left to the planned end (null when a phase has no planned
 * duration). `maxPhaseSeen`: the highest phase index records came from (-1: none yet).
 */
export function phaseAt(phases: readonly Phase[], elapsedMs: number, maxPhaseSeen = -1): { phase: PhaseNow | null; timeLeftS: number | null } {
  let start = 0;
  let index = phases.length - 1;
  for (let i = 0; i < phases.length; i++) {
    const d = phases[i].durationMs;
    if (d === undefined) {
      index = Math.max(i, Math.min(maxPhaseSeen, phases.length - 1));
      break;
    }
    if (elapsedMs < start + d) {
      index = i;
      break;
    }
    start += d;
  }
  const p = phases[index];
  const phase = p ? { index, name: p.name, kind: p.kind, warmup: p.warmup, of: phases.length } : null;
  const plannedEndMs = phases.some((x) => x.durationMs === undefined) ? undefined : phases.reduce((a, x) => a + (x.durationMs ?? 0), 0);
  const timeLeftS = plannedEndMs === undefined ? null : Math.round(Math.max(0, plannedEndMs - elapsedMs) / 100) / 10;
  return { phase, timeLeftS };
}
