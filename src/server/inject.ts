// Fault injection for the reference server: added latency (fixed or uniform in a range), periodic stalls,
// and per-request faults (500 error, connection reset, garbage body) drawn from a seeded PRNG so a run with
// the same seed and the same request count injects the same number of each fault.
import { usageError } from '../errors.js';
import { bareNumberFix, tryParseDurationMs } from '../util/duration.js';
import { mulberry32 } from '../stats/rng.js';
import { parseFraction } from '../util/fraction.js';

export interface InjectionOptions {
  /** Delay added before answering, uniform in [min, max] ms (min === max: fixed). */
  latencyMs?: { min: number; max: number };
  /** Fractions of prediction requests answered 500 / reset without an answer / answered 200 with a non-JSON body. */
  errorRate?: number;
  resetRate?: number;
  garbageRate?: number;
  /**
   * Every `everyMs` the server pauses answers for `durationMs`: an answer due in [k·every, k·every + duration)
   * since start (k ≥ 1, so a fresh server is not stalled) goes out at k·every + duration.
   */
  stall?: { durationMs: number; everyMs: number };
  /** Seed of the injection PRNG (default 1). */
  seed?: number;
}

/** The CLI's injection flags as typed (strings), e.g. { latency: '5ms..20ms', stall: '500ms/2s' }. */
export interface InjectionFlags {
  latency?: string;
  errorRate?: string;
  resetRate?: string;
  garbageRate?: string;
  stall?: string;
  seed?: string;
}

export const Fault = { none: 0, error: 1, reset: 2, garbage: 3 } as const;
type FaultCode = (typeof Fault)[keyof typeof Fault];

function parseRate(text: string, flag: string): number {
  const v = parseFraction(text);
  if (!(v >= 0 && v <= 1)) throw usageError(`${flag} must be a fraction between 0 and 1 or a percentage, like 0.05 or 5% (got ${text})`);
  return v;
}

/** Flags → options; every bad value is a usage error naming the flag, the expected form and what was given. */
export function parseInjectionFlags(flags: InjectionFlags): InjectionOptions {
  const opts: InjectionOptions = {};
  if (flags.latency !== undefined) {
    const [a, b, extra] = flags.latency.split('..');
    const min = tryParseDurationMs(a);
    const max = b === undefined ? min : tryParseDurationMs(b);
    if (min === undefined || max === undefined || extra !== undefined || min > max) {
      const fix = bareNumberFix(a) ?? (b !== undefined ? bareNumberFix(b) : undefined);
      throw usageError(`--latency must look like 10ms or 5ms..20ms with min <= max${fix ? ` (a number needs a unit: ${fix})` : ''} (got ${flags.latency})`);
    }
    opts.latencyMs = { min, max };
  }
  if (flags.errorRate !== undefined) opts.errorRate = parseRate(flags.errorRate, '--error-rate');
  if (flags.resetRate !== undefined) opts.resetRate = parseRate(flags.resetRate, '--reset-rate');
  if (flags.garbageRate !== undefined) opts.garbageRate = parseRate(flags.garbageRate, '--garbage-rate');
  if (flags.stall !== undefined) {
    const [d, p, extra] = flags.stall.split('/');
    const durationMs = tryParseDurationMs(d);
    const everyMs = p === undefined ? undefined : tryParseDurationMs(p);
    if (durationMs === undefined || everyMs === undefined || extra !== undefined) {
      const fix = bareNumberFix(d) ?? (p !== undefined ? bareNumberFix(p) : undefined);
      throw usageError(`--stall must look like 500ms/2s${fix ? ` (a number needs a unit: ${fix})` : ''} (got ${flags.stall})`);
    }
    opts.stall = { durationMs, everyMs };
  }
  if (flags.seed !== undefined) {
    if (!/^\s*-?\d+\s*$/.test(flags.seed)) throw usageError(`--seed must be an integer (got ${flags.seed})`);
    opts.seed = Number(flags.seed);
  }
  validateInjection(opts);
  return opts;
}

/** Checks that hold however the options were built (flags or the in-process API). */
function validateInjection(opts: InjectionOptions): void {
  const { latencyMs, stall } = opts;
  if (latencyMs && !(latencyMs.min >= 0 && latencyMs.max >= latencyMs.min)) {
    throw usageError(`latency must satisfy 0 <= min <= max (got ${latencyMs.min}..${latencyMs.max} ms)`);
  }
  for (const [name, v] of [
    ['--error-rate', opts.errorRate],
    ['--reset-rate', opts.resetRate],
    ['--garbage-rate', opts.garbageRate],
  ] as const) {
    if (v !== undefined && !(v >= 0 && v <= 1)) throw usageError(`${name} must be between 0 and 1 (got ${v})`);
  }
  const total = (opts.errorRate ?? 0) + (opts.resetRate ?? 0) + (opts.garbageRate ?? 0);
  if (total > 1 + 1e-9) throw usageError(`--error-rate + --reset-rate + --garbage-rate must not exceed 1 (got ${total})`);
  if (stall && !(stall.durationMs > 0 && stall.everyMs > stall.durationMs)) {
    throw usageError(`--stall needs 0 < duration < period, like 500ms/2s (got ${stall.durationMs}ms/${stall.everyMs}ms)`);
  }
  if (opts.seed !== undefined && !Number.isSafeInteger(opts.seed)) throw usageError(`--seed must be an integer (got ${opts.seed})`);
}

export class Injector {
  /** True when answers may need to wait (latency or stalls): only then does the server read the clock. */
  readonly timed: boolean;
  /** True when per-request faults are drawn. */
  readonly faulty: boolean;
  private readonly rand: () => number;
  private readonly errorCut: number;
  private readonly resetCut: number;
  private readonly garbageCut: number;

  constructor(
    private readonly opts: InjectionOptions,
    private readonly startMs: number,
  ) {
    validateInjection(opts);
    this.rand = mulberry32(opts.seed ?? 1);
    const lat = opts.latencyMs;
    this.timed = (lat !== undefined && lat.max > 0) || opts.stall !== undefined;
    // One uniform draw picks at most one fault: [0, reset) reset, [reset, +error) error, then garbage.
    this.resetCut = opts.resetRate ?? 0;
    this.errorCut = this.resetCut + (opts.errorRate ?? 0);
    this.garbageCut = this.errorCut + (opts.garbageRate ?? 0);
    this.faulty = this.garbageCut > 0;
  }

  /** Whether the last answerAtMs() was pushed back by a stall (for stats). */
  lastStalled = false;

  /** Earliest time (ms, same clock as startMs) to answer a request that arrived at `arrivalMs`. */
  answerAtMs(arrivalMs: number): number {
    this.lastStalled = false;
    const lat = this.opts.latencyMs;
    let at = arrivalMs;
    if (lat && lat.max > 0) at += lat.min === lat.max ? lat.min : lat.min + (lat.max - lat.min) * this.rand();
    const stall = this.opts.stall;
    if (stall) {
      const t = at - this.startMs;
      if (t >= stall.everyMs) {
        const phase = t % stall.everyMs;
        if (phase < stall.durationMs) {
          at += stall.durationMs - phase;
          this.lastStalled = true;
        }
      }
    }
    return at;
  }

  fault(): FaultCode {
    if (!this.faulty) return Fault.none;
    const u = this.rand();
    if (u < this.resetCut) return Fault.reset;
    if (u < this.errorCut) return Fault.error;
    if (u < this.garbageCut) return Fault.garbage;
    return Fault.none;
  }
}
