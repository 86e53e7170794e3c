// Upper bounds on every number a scenario (or a command-line override) can set, chosen from what one machine and
// one process can do. A value past its bound is a validation error (exit 2) naming the path, the bound and the fix:
// without bounds, `rate: 1e308` planned "Infinity requests" and the run spun a core before sending anything.
// The one home of these numbers: the validator, the CLI overrides and docs/scenario-reference.md all read them here.
import { usageError } from '../errors.js';
import { LIMITS } from '../spec/limits.js';
export { LIMITS };
import { formatDurationMs, parseDurationMs } from '../util/duration.js';
import { groupThousands } from '../util/describe.js';
import type { Checker } from './check.js';
import { describeValue, type Path } from './errors.js';
import type { LoadPlan } from '../schedule/plan.js';
import type { Phase, TargetSpec, WindowSpec } from '../spec/types.js';

const HOUR_MS = 3_600_000;

// Not toLocaleString: the bounds below are written at load, and Intl's first use costs every run ~14 ms of CPU.
const n = groupThousands;
const hours = (ms: number): string => `${ms / HOUR_MS}h`;

/** The predicate for a value past a bound, with the fix: "must be at most N …; <fix> (got X)". */
const atMost = (bound: string, fix: string, got: unknown): string => `must be at most ${bound}; ${fix} (got ${describeValue(got)})`;

const FIX = {
  rate: 'that is more than one machine sends: split the load across machines (distributed runs) above it',
  duration: 'a run keeps a per-second series in memory and in its report: run a longer soak as consecutive runs',
  requests: 'split the load into several runs, or across machines (distributed runs) above it',
  inFlight: 'every request in flight holds a socket: split the load across machines (distributed runs) above it',
  rows: 'send larger inputs as several requests',
  timeout: 'latency is recorded up to one hour',
  steps: 'use a linear ramp (rampTo without steps) for a smooth rise',
  workers: 'one worker per core is the most that helps',
  feedback: 'feedback is held in memory until posted',
} as const;

interface Bound {
  max: number;
  bound: string;
  fix: string;
  /** Parse the raw value (durations); undefined when it is not a number this check can read. */
  read?: (v: unknown) => number | undefined;
}

const durationOf = (v: unknown): number | undefined => {
  if (typeof v !== 'number' && typeof v !== 'string') return undefined;
  try {
    return parseDurationMs(v);
  } catch {
    return undefined;
  }
};
const numberOf = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

const RATE: Bound = { max: LIMITS.ratePerSecond, bound: `${n(LIMITS.ratePerSecond)} requests/s`, fix: FIX.rate };
const DURATION: Bound = { max: LIMITS.runDurationMs, bound: hours(LIMITS.runDurationMs), fix: FIX.duration, read: durationOf };
const REQUESTS: Bound = { max: LIMITS.requests, bound: `${n(LIMITS.requests)} requests per run`, fix: FIX.requests };
const IN_FLIGHT: Bound = { max: LIMITS.inFlight, bound: n(LIMITS.inFlight), fix: FIX.inFlight };
const TIMEOUT: Bound = { max: LIMITS.timeoutMs, bound: hours(LIMITS.timeoutMs), fix: FIX.timeout, read: durationOf };
const WORKERS: Bound = { max: LIMITS.workers, bound: `${LIMITS.workers} worker threads`, fix: FIX.workers };

/** Keys checked on the file as written, before anything computes with them (path relative to its section). */
const TARGET_BOUNDS: Record<string, Bound> = {
  timeout: TIMEOUT,
  rowsPerRequest: { max: LIMITS.rowsPerRequest, bound: `${n(LIMITS.rowsPerRequest)} rows`, fix: FIX.rows },
  maxInFlight: IN_FLIGHT,
};
const PHASE_BOUNDS: Record<string, Bound> = {
  rate: RATE,
  rampTo: RATE,
  duration: DURATION,
  concurrency: IN_FLIGHT,
  requests: REQUESTS,
  think: { ...TIMEOUT, fix: 'think time is a pause between requests, not a schedule' },
  steps: { max: LIMITS.steps, bound: `${n(LIMITS.steps)} steps`, fix: FIX.steps },
};
const WINDOW_BOUNDS: Record<string, Bound> = {
  every: { max: LIMITS.requests, bound: `${n(LIMITS.requests)} requests`, fix: 'a window cannot be longer than the longest run' },
  span: DURATION,
};
const FEEDBACK_BOUNDS: Record<string, Bound> = {
  after: { max: LIMITS.feedbackAfterMs, bound: hours(LIMITS.feedbackAfterMs), fix: FIX.feedback, read: durationOf },
  batchSize: { max: LIMITS.feedbackBatchSize, bound: `${n(LIMITS.feedbackBatchSize)} labels`, fix: FIX.feedback },
  maxRate: { max: LIMITS.feedbackMaxRate, bound: `${n(LIMITS.feedbackMaxRate)} batches/s`, fix: 'feedback is posted alongside the load, not instead of it' },
  retries: { max: LIMITS.feedbackRetries, bound: String(LIMITS.feedbackRetries), fix: 'a label that fails this often is reported as failed' },
};

function checkSection(section: unknown, base: Path, bounds: Record<string, Bound>, chk: Checker): void {
  if (!section || typeof section !== 'object' || Array.isArray(section)) return;
  for (const [key, b] of Object.entries(bounds)) {
    const path = [...base, key];
    const raw: unknown = (section as Record<string, unknown>)[key];
    if (raw === undefined || !chk.ok(path)) continue;
    const v = (b.read ?? numberOf)(raw);
    if (v === undefined) continue;
    if (!(v <= b.max)) chk.reject(path, atMost(b.bound, b.fix, raw));
  }
}

/**
 * Bounds on the numbers as written (and as replaced by command-line overrides, which are applied to the raw file
 * first). Rejected values are withheld from every later rule, so nothing plans with them.
 */
export function checkRawLimits(raw: unknown, chk: Checker): void {
  if (!raw || typeof raw !== 'object') return;
  const r = raw as Record<string, unknown>;
  const target = r.target as Record<string, unknown> | undefined;
  checkSection(target, ['target'], TARGET_BOUNDS, chk);
  const timeoutMs = target && chk.ok(['target', 'timeout']) ? durationOf(target.timeout) : undefined;
  if (timeoutMs === 0) chk.reject(['target', 'timeout'], 'must be longer than 0: every request would time out (got 0)');
  const load = r.load as Record<string, unknown> | undefined;
  if (load && typeof load === 'object') {
    if (typeof load.workers === 'number' && chk.ok(['load', 'workers']) && !(load.workers <= WORKERS.max)) {
      chk.reject(['load', 'workers'], atMost(WORKERS.bound, WORKERS.fix, load.workers));
    }
    if (Array.isArray(load.phases)) load.phases.forEach((p, i) => checkSection(p, ['load', 'phases', i], PHASE_BOUNDS, chk));
  }
  checkSection(r.data, ['data'], { progressOver: { ...REQUESTS, fix: 'drift cannot progress over more requests than a run sends' } }, chk);
  checkSection(r.windows, ['windows'], WINDOW_BOUNDS, chk);
  checkSection(r.feedback, ['feedback'], FEEDBACK_BOUNDS, chk);
}

/** Command-line overrides, by the same bounds, named by their flag (exit 2). */
export function checkOverrideLimits(o: { durationMs?: number; rate?: number; concurrency?: number; workers?: number | 'auto' }): void {
  const check = (flag: string, v: number | undefined, b: Bound, shown: string | number | undefined = v) => {
    if (v !== undefined && !(v <= b.max)) throw usageError(`${flag} ${atMost(b.bound, b.fix, shown)}`);
  };
  check('--rate', o.rate, RATE);
  check('--duration', o.durationMs, DURATION, o.durationMs !== undefined ? formatDurationMs(o.durationMs) : undefined);
  check('--concurrency', o.concurrency, IN_FLIGHT);
  check('--workers', o.workers === 'auto' ? undefined : o.workers, WORKERS);
}

/**
 * Bounds on what the load adds up to (requests, run length, windows) and on closed-loop concurrency against the
 * in-flight cap, from the normalized phases and their plan. `via` names the command-line flags that shaped the load.
 */
export function checkPlanLimits(phases: readonly Phase[], plan: LoadPlan, target: TargetSpec, windows: WindowSpec, chk: Checker, via = ''): void {
  const by = via ? ` (with ${via})` : '';
  let phaseOver = false;
  phases.forEach((p, i) => {
    const path: Path = via.includes('--concurrency') ? ['load', 'phases'] : ['load', 'phases', i];
    const pp = plan.phases[i]!;
    if (pp.plannedRequests !== undefined && pp.plannedRequests > LIMITS.requests) {
      chk.add(path, `plans ${n(pp.plannedRequests)} requests${by}; ${atMostPlain(REQUESTS)}`);
      phaseOver = true;
    }
    if (pp.plannedMs !== undefined && !(pp.plannedMs <= LIMITS.runDurationMs)) {
      phaseOver = true;
      chk.add(path, `lasts ${hoursOf(pp.plannedMs)}${by}; at most ${DURATION.bound}: ${FIX.duration}`);
    }
  });
  const total = plan.plannedRequests;
  const totalMs = plan.durationMs;
  const totalOver = (total !== undefined && total > LIMITS.requests) || (totalMs !== undefined && totalMs > LIMITS.runDurationMs);
  if (phaseOver || totalOver) {
    if (!phaseOver && total !== undefined && total > LIMITS.requests) {
      chk.add(['load', 'phases'], `plan ${n(total)} requests in all${by}; ${atMostPlain(REQUESTS)}`);
    }
    if (!phaseOver && totalMs !== undefined && totalMs > LIMITS.runDurationMs) {
      chk.add(['load', 'phases'], `last ${hoursOf(totalMs)} in all${by}; at most ${DURATION.bound} per run: ${FIX.duration}`);
    }
    return; // windows over a load that cannot run are beside the point
  }
  const count = windowCount(windows, total, totalMs);
  if (count !== undefined && count > LIMITS.windows) {
    const need = windows.kind === 'count' ? `every: ${Math.ceil((total ?? 0) / LIMITS.windows)}` : `span: ${Math.ceil((totalMs ?? 0) / LIMITS.windows / 1000)}s`;
    chk.add(
      windows.kind === 'count' ? ['windows', 'every'] : ['windows', 'span'],
      `makes ${n(count)} windows over this load (${windows.kind === 'count' ? `every ${n(windows.every)} requests` : `every ${windows.spanMs} ms`})${by}; at most ${n(LIMITS.windows)} (each keeps counts, accuracy and a latency histogram): set windows ${need} or more`,
    );
  }
}

const atMostPlain = (b: Bound): string => `at most ${b.bound}: ${b.fix}`;
const hoursOf = (ms: number): string => (Number.isFinite(ms) ? `${n(Math.round((ms / HOUR_MS) * 10) / 10)}h` : 'forever');

function windowCount(w: WindowSpec, requests: number | undefined, durationMs: number | undefined): number | undefined {
  if (w.kind === 'count') return requests === undefined ? undefined : Math.ceil(requests / w.every);
  return durationMs === undefined ? undefined : Math.ceil(durationMs / w.spanMs);
}
