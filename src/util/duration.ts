// Durations in scenario files and on the command line: one or more <number><unit> parts — "500ms", "5s", "1m30s",
// "1h 2m", "1.5s", "250us" — or 0. A bare number is an error, not milliseconds: `--duration 3` ran for 3 ms and
// `timeout: 2` timed out after 2 ms before it was, because nothing on the page said which unit a number meant.
// This is the one duration parser: the scenario schema, the limits, thresholds, compare rules and every CLI flag
// (run/compare --duration, serve --latency/--stall) read durations here.

const PART = '(?:\\d+(?:\\.\\d+)?|\\.\\d+)\\s*(?:us|µs|ms|s|m|h)';
const DURATION_RE = new RegExp(`^\\s*(?:0|(?:${PART}\\s*)+)$`);
const PART_RE = /(\d+(?:\.\d+)?|\.\d+)\s*(us|µs|ms|s|m|h)/g;
const BARE_RE = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*$/;

const UNIT_MS: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The source text of the duration pattern, shared with the JSON Schema so editors check the same syntax. */
export const DURATION_PATTERN = DURATION_RE.source;

/** What a duration looks like, for messages. */
export const DURATION_FORMS = '"500ms", "10s", "1m30s" or "1h"';

/**
 * The fix for a bare number `n` (no unit): "write 3s or 3000ms" — the two readings a user most likely meant, the
 * same length of time in seconds and in milliseconds. Undefined when `input` is not a bare non-zero number.
 */
export function bareNumberFix(input: unknown): string | undefined {
  const text = typeof input === 'number' ? String(input) : typeof input === 'string' ? input : undefined;
  if (text === undefined) return undefined;
  const m = BARE_RE.exec(text);
  if (!m || Number(m[1]) === 0) return undefined;
  const n = Number(m[1]);
  // A large number was most likely meant as milliseconds (the old reading), a small one as seconds.
  const s = `${n}s`;
  const ms = `${Number((n * 1000).toPrecision(12))}ms`;
  return n >= 100 ? `write ${n}ms or ${Number((n / 1000).toPrecision(12))}s` : `write ${s} or ${ms}`;
}

/**
 * A predicate on a value that is not a duration, for "<path> <predicate> (got …)" messages: "has no unit: write 3s
 * or 3000ms" for a bare number, else "must be a duration like …". Undefined when `input` is a valid duration.
 */
export function durationProblem(input: unknown): string | undefined {
  if (tryParseDurationMs(input) !== undefined) return undefined;
  const fix = bareNumberFix(input);
  return fix ? `has no unit: ${fix}` : `must be a duration like ${DURATION_FORMS}`;
}

/**
 * Milliseconds for a duration: parts like "1m30s" summed; "0" and 0 are zero. Throws a RangeError — naming the fix
 * for a bare number ("write 3s or 3000ms") — when the input is not a non-negative finite duration with units.
 */
export function parseDurationMs(input: string | number): number {
  if (input === 0) return 0;
  const fix = bareNumberFix(input);
  if (fix) throw new RangeError(`invalid duration ${JSON.stringify(input)}: a number needs a unit; ${fix}`);
  if (typeof input !== 'string' || !DURATION_RE.test(input)) {
    throw new RangeError(`invalid duration ${typeof input === 'string' ? JSON.stringify(input) : String(input)}: expected e.g. ${DURATION_FORMS}`);
  }
  let ms = 0;
  for (const m of input.matchAll(PART_RE)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  if (!Number.isFinite(ms)) throw new RangeError(`invalid duration ${JSON.stringify(input)}: too long`);
  return ms;
}

/** `parseDurationMs` that returns undefined instead of throwing. */
export function tryParseDurationMs(input: unknown): number | undefined {
  if (typeof input !== 'number' && typeof input !== 'string') return undefined;
  try {
    return parseDurationMs(input);
  } catch {
    return undefined;
  }
}

/** Short human form: 250ms, 1.5s, 2m, 1h 30m. */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1) return `${round(ms * 1000, 1)}us`;
  if (ms < 1000) return `${round(ms, 1)}ms`;
  if (ms < 60_000) return `${round(ms / 1000, 2)}s`;
  if (ms < 3_600_000) {
    const m = Math.floor(ms / 60_000);
    const s = round((ms - m * 60_000) / 1000, 1);
    return s ? `${m}m ${s}s` : `${m}m`;
  }
  const h = Math.floor(ms / 3_600_000);
  const m = Math.round((ms - h * 3_600_000) / 60_000);
  return m ? `${h}h ${m}m` : `${h}h`;
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));
