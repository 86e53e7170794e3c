// Durations in scenario files and on the command line: "500ms", "5s", "2m", "1h", "250us", or a number of ms.

const DURATION_RE = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(us|µs|ms|s|m|h)?\s*$/;

const UNIT_MS: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The source text of the duration pattern, shared with the JSON Schema so editors check the same syntax. */
export const DURATION_PATTERN = DURATION_RE.source;

/**
 * Milliseconds for a duration. A bare number (or numeric string) is milliseconds.
 * Throws a RangeError naming the accepted forms when the input is not a non-negative finite duration.
 */
export function parseDurationMs(input: string | number): number {
  if (typeof input === 'number') {
    if (Number.isFinite(input) && input >= 0) return input;
    throw new RangeError(`invalid duration ${input}: expected a number of milliseconds ≥ 0`);
  }
  const m = DURATION_RE.exec(input);
  if (!m) throw new RangeError(`invalid duration "${input}": expected e.g. "500ms", "5s", "2m", "1h" or a number of milliseconds`);
  return Number(m[1]) * UNIT_MS[m[2] ?? 'ms']!;
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
