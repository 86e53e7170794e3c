// The search as pure functions: how a finished probe counts (classifyProbe), and what to probe next given the
// probes so far (nextStep). Start low, multiply by `growth` until a probe fails, then bisect between the highest
// passing and the lowest failing level until they are within `precision`. A probe that was interrupted or is
// INVALID for a reason that casts doubt on the measurement is never a bound: it is repeated once, then the search
// stops and says so (the answer is the interval so far).
import type { Summary, ValidityReason } from '../summary/types.js';
import type { ProbeRecord, ProbeVerdict, SearchEnd, SearchOptions } from './types.js';

/**
 * Validity reasons that are the overload itself, not a doubt about the measurement: above capacity an open-loop
 * queue grows (latency rises across the probe: UNSTABLE) and the target stops taking requests (RATE_BELOW_PLANNED).
 * They confirm a failure; on a probe that passed its SLOs, a rising latency means the rate is not sustainable
 * (GuideLLM's over-saturation), so such a probe counts as failed.
 */
const OVERLOAD: ReadonlySet<ValidityReason['code']> = new Set(['UNSTABLE', 'RATE_BELOW_PLANNED']);

export function classifyProbe(s: Summary): { verdict: ProbeVerdict; why: string } {
  const reasons = s.run.validity?.reasons ?? [];
  const failed = s.thresholds.filter((t) => !t.pass);
  const sloText = failed.map((t) => `${t.expr} (got ${t.value === null ? 'nothing measurable' : t.value})`).join(', ');
  if (s.run.status === 'interrupted') return { verdict: 'interrupted', why: 'interrupted: never used as a bound' };
  let doubts = reasons.filter((r) => !OVERLOAD.has(r.code));
  // Latency counts from the intended send time, so the generator's lag is inside it: a latency failure that
  // survives subtracting the largest lag of the run is the target's, whatever the generator did.
  const lagMaxMs = s.totals.lagMs.max;
  const robust = failed.some((t) => /^(latency|service)\./.test(t.metric) && (t.op === '<' || t.op === '<=') && t.value !== null && t.value - lagMaxMs > t.limit);
  if (robust) doubts = doubts.filter((r) => r.code !== 'GENERATOR_LAG');
  if (doubts.length > 0) return { verdict: 'invalid', why: `INVALID: ${doubts.map((r) => `${r.code} (${r.message})`).join('; ')}` };
  if (failed.length > 0) {
    const lagNote = robust && reasons.some((r) => r.code === 'GENERATOR_LAG') ? ` even without the generator's lag (max ${lagMaxMs} ms)` : '';
    return { verdict: 'fail', why: `fails ${sloText}${lagNote}${reasons.length ? `; overloaded: ${reasons.map((r) => r.code).join(', ')}` : ''}` };
  }
  const rising = reasons.find((r) => r.code === 'UNSTABLE' && r.values && r.values[2]! > r.values[0]!);
  if (rising) return { verdict: 'fail', why: `passes its SLOs but is not sustainable: ${rising.message}` };
  if (reasons.length > 0) return { verdict: 'invalid', why: `INVALID: ${reasons.map((r) => `${r.code} (${r.message})`).join('; ')}` };
  return { verdict: 'pass', why: 'meets every SLO; VALID' };
}

/** The highest passing and lowest failing levels, from usable probes only (pass/fail). */
export function boundsOf(probes: readonly Pick<ProbeRecord, 'level' | 'verdict'>[]): { passing?: number; failing?: number } {
  const fails = probes.filter((p) => p.verdict === 'fail').map((p) => p.level);
  const failing = fails.length ? Math.min(...fails) : undefined;
  // A pass above a failure (noise, a warming target) does not raise the answer over that failure.
  const passes = probes.filter((p) => p.verdict === 'pass' && (failing === undefined || p.level < failing)).map((p) => p.level);
  const passing = passes.length ? Math.max(...passes) : undefined;
  return { ...(passing !== undefined ? { passing } : {}), ...(failing !== undefined ? { failing } : {}) };
}

/**
 * Defaults per mode (one home; the CLI shows them): start low — 10 req/s or 1 in flight — and double; stop within
 * 5%; at most 20 probes.
 */
export function searchDefaults(mode: SearchOptions['mode']): SearchOptions {
  return mode === 'concurrency'
    ? { mode, start: 1, max: 10_000, min: 1, growth: 2, precision: 0.05, maxProbes: 20 }
    : { mode, start: 10, max: 100_000, min: 0.1, growth: 2, precision: 0.05, maxProbes: 20 };
}

export type Step = { probe: number } | { end: SearchEnd; reason: string };

/** What to do after `probes` (in the order run). */
export function nextStep(probes: readonly Pick<ProbeRecord, 'level' | 'verdict'>[], o: SearchOptions): Step {
  const last = probes[probes.length - 1];
  if (last?.verdict === 'interrupted') return { end: 'interrupted', reason: `probe ${probes.length} was interrupted; the answer is from the probes before it` };
  if (last?.verdict === 'invalid') {
    const before = probes[probes.length - 2];
    if (before && before.level === last.level && before.verdict === 'invalid') {
      return { end: 'inconclusive', reason: `the probe at ${fmtLevel(last.level, o)} was INVALID twice; the answer is the interval so far` };
    }
    if (probes.length >= o.maxProbes) return { end: 'max-probes', reason: `${o.maxProbes} probes run (--max-probes)` };
    return { probe: last.level }; // once more, same level
  }
  if (probes.length >= o.maxProbes) return { end: 'max-probes', reason: `${o.maxProbes} probes run (--max-probes)` };
  const { passing, failing } = boundsOf(probes);
  const whole = (x: number) => (o.mode === 'concurrency' ? Math.round(x) : round3(x));
  if (failing === undefined) {
    if (passing === undefined) return { probe: whole(o.start) };
    if (passing >= o.max) return { end: 'max-level', reason: `${fmtLevel(passing, o)} passed and is the highest level allowed (--max): the capacity is at least that` };
    return { probe: whole(Math.min(o.max, Math.max(passing * o.growth, passing + (o.mode === 'concurrency' ? 1 : 0)))) };
  }
  if (passing === undefined) {
    const down = whole(failing / o.growth);
    if (down < o.min || down >= failing) return { end: 'none-sustainable', reason: `${fmtLevel(failing, o)} fails and no lower level is worth probing (--min ${o.min})` };
    return { probe: down };
  }
  const closeEnough = o.mode === 'concurrency' ? failing - passing <= 1 : (failing - passing) / passing <= o.precision + 1e-9;
  if (closeEnough) {
    return { end: 'converged', reason: `the highest passing (${fmtLevel(passing, o)}) and lowest failing (${fmtLevel(failing, o)}) levels are within ${o.mode === 'concurrency' ? '1' : `${round3(o.precision * 100)}%`}` };
  }
  return { probe: o.mode === 'concurrency' ? Math.floor((passing + failing) / 2) : round3((passing + failing) / 2) };
}

/** A capacity was found: a passing level, a search that ended on its own terms (bisected to the precision, or passing at --max), at least `require`. */
export function isFound(end: SearchEnd, passing: number | undefined, require?: number): boolean {
  return passing !== undefined && (end === 'converged' || end === 'max-level') && (require === undefined || passing >= require);
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
export const fmtLevel = (x: number, o: Pick<SearchOptions, 'mode'>) => (o.mode === 'concurrency' ? `concurrency ${x}` : `${x} req/s`);
