// Checks of number and duration flags shared by the commands: each bad value is a usage error (exit 2) naming the
// flag, what it must be and what was given.
import { usageError } from '../errors.js';
import { durationProblem, parseDurationMs } from '../util/duration.js';

/** A positive finite number (an integer when `integer`), e.g. `--rate 50`, `--workers 2`. */
export function positiveFlag(flag: string, v: string, integer = false): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw usageError(`${flag} must be a positive ${integer ? 'integer' : 'number'} (got ${v})`);
  return n;
}

/** A duration such as 10s or 1m30s, with the parser's own words for what is wrong (a bare number has no unit). */
export function durationFlag(flag: string, v: string): number {
  const problem = durationProblem(v);
  if (problem !== undefined) throw usageError(`${flag} ${problem} (got ${v})`);
  return parseDurationMs(v);
}
