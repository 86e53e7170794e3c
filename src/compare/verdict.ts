// One compare rule (e.g. `accuracy.delta >= -0.01`, `latency.p99.ratio <= 1.10`) against a measured difference with
// its uncertainty → pass, fail or inconclusive.
import type { CompareRuleSpec } from '../spec/types.js';
import { COMPARE_DEFAULTS } from '../spec/types.js';
import { fmtPValue } from '../report/format.js';
import type { ComparisonVerdict } from '../verdict/judge.js';

/** One home for the three statuses: the verdict module's (a comparison's verdict takes the same values). */
export type RuleStatus = ComparisonVerdict;

export interface MeasuredDifference {
  /** Point estimate (candidate − baseline, or candidate / baseline for ratios). */
  value: number;
  /** Confidence interval of `value` (95% two-sided by convention). */
  ci?: [number, number];
  /** p-value of a test of "no difference" for this quantity (e.g. McNemar for accuracy.delta). */
  pValue?: number;
}

export interface RuleEvaluation {
  status: RuleStatus;
  reason: string;
}

export const DEFAULT_COMPARE_ALPHA = COMPARE_DEFAULTS.alpha;

/**
 * The bound B a rule is judged against (the limit widened by the tolerance in the rule's favour) and `allowed(x)`:
 * x satisfies the rule against B. Strict operators keep B itself on the violating side.
 */
export function effectiveBound(rule: Pick<CompareRuleSpec, 'op' | 'value'>, tolerance: number): { lower: boolean; bound: number; allowed: (x: number) => boolean } {
  const lower = rule.op === '>' || rule.op === '>=';
  const bound = lower ? rule.value - tolerance : rule.value + tolerance;
  const strict = rule.op === '>' || rule.op === '<';
  const allowed = (x: number) => (lower ? (strict ? x > bound : x >= bound) : strict ? x < bound : x <= bound);
  return { lower, bound, allowed };
}

/**
 * Semantics. The tolerance widens the limit in the rule's favour — a difference smaller than the tolerance is noise —
 * giving the effective bound B = limit − tolerance for `>`/`>=` rules and B = limit + tolerance for `<`/`<=` rules.
 *
 * 1. value not a number → inconclusive (not measurable).
 * 2. With an interval: pass when the whole interval lies on the allowed side of B (the data show the rule holds
 *    within tolerance); fail when the whole interval lies on the violating side of B (the data show it is violated
 *    by more than the tolerance). For a 95% interval each call is wrong at most 2.5% of the time.
 * 3. Otherwise fail when a p-value is given, p < alpha, and the point estimate is on the violating side of B: the
 *    difference is real and its best estimate breaks the rule beyond the tolerance.
 * 4. With neither interval nor p-value the value is taken as exact: pass on the allowed side of B, fail otherwise.
 * 5. Anything else is inconclusive: the interval straddles B, so the run cannot tell (run longer, or widen the
 *    tolerance).
 *
 * Strict operators keep the boundary on the violating side: `>= B` allows B, `> B` does not.
 */
export function evaluateRule(
  rule: CompareRuleSpec,
  measured: MeasuredDifference,
  tolerance: number,
  opts: { alpha?: number } = {},
): RuleEvaluation {
  if (!(tolerance >= 0 && Number.isFinite(tolerance))) {
    throw new RangeError(`evaluateRule: tolerance for ${rule.expr} must be a non-negative number (got ${tolerance})`);
  }
  const alpha = opts.alpha ?? DEFAULT_COMPARE_ALPHA;
  const { lower, bound, allowed } = effectiveBound(rule, tolerance);
  const boundText = tolerance > 0 ? `${fmt(bound)} (limit ${fmt(rule.value)} ${lower ? '−' : '+'} tolerance ${fmt(tolerance)})` : fmt(rule.value);
  const { value, ci, pValue } = measured;
  const pText = pValue !== undefined && !Number.isNaN(pValue) ? `, p = ${fmtPValue(pValue)}` : '';

  if (Number.isNaN(value)) return { status: 'inconclusive', reason: `${rule.metric} could not be measured` };

  const validCi = ci !== undefined && !Number.isNaN(ci[0]) && !Number.isNaN(ci[1]) && ci[0] <= ci[1];
  if (validCi) {
    const [lo, hi] = ci;
    const est = `${rule.metric} = ${fmt(value)} (CI ${fmt(lo)} to ${fmt(hi)}${pText})`;
    // The interval's edge nearest to the violating side decides pass; the edge nearest to the allowed side, fail.
    const worst = lower ? lo : hi;
    const best = lower ? hi : lo;
    if (allowed(worst)) return { status: 'pass', reason: `${est}: whole interval ${rule.op} ${boundText}` };
    if (!allowed(best)) return { status: 'fail', reason: `${est}: whole interval beyond ${boundText}` };
    if (significantViolation()) {
      return { status: 'fail', reason: `${est}: significant (p < ${alpha}) and the estimate is beyond ${boundText}` };
    }
    return { status: 'inconclusive', reason: `${est}: interval straddles ${boundText}` };
  }

  const est = `${rule.metric} = ${fmt(value)}${pText}`;
  if (significantViolation()) {
    return { status: 'fail', reason: `${est}: significant (p < ${alpha}) and the estimate is beyond ${boundText}` };
  }
  if (pValue === undefined) {
    return allowed(value)
      ? { status: 'pass', reason: `${est} ${rule.op} ${boundText}` }
      : { status: 'fail', reason: `${est}: beyond ${boundText}` };
  }
  return { status: 'inconclusive', reason: `${est}: no interval, and the difference is not significant enough to fail` };

  function significantViolation(): boolean {
    return pValue !== undefined && pValue < alpha && !allowed(value);
  }
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Number(x.toPrecision(4)).toString();
}
