// Thresholds (`latency.p99 < 250ms`) and compare rules (`accuracy.delta >= -0.01`): parsing and evaluation.
// Parsing is shared by the scenario loader and the CLI; evaluation is a pure function of a Summary.
import { ModelwaveError } from '../errors.js';
import type { CompareRuleSpec, ThresholdSpec } from '../spec/types.js';
import type { Summary, ThresholdResult } from '../summary/types.js';
import { didYouMean } from '../util/did-you-mean.js';
import { bareNumberFix, parseDurationMs } from '../util/duration.js';

export type MetricUnit = ThresholdResult['unit'];
export type ThresholdOp = ThresholdSpec['op'];

const PCT = ['p50', 'p90', 'p95', 'p99', 'p999', 'max', 'mean'] as const;

/**
 * Every fixed metric name, with its unit. `precision[CLASS]`, `recall[CLASS]`, `f1[CLASS]` are accepted too.
 * Latency: `latency.p99` is of successful requests, `latency.failed.p99` of failed ones, `latency.all.p99` of every
 * sent one (summary/types.ts LatencyPopulations); `service.*` is of successful requests, `lag.*` of every sent one.
 */
export const THRESHOLD_METRICS: Readonly<Record<string, MetricUnit>> = {
  ...Object.fromEntries(PCT.map((p) => [`latency.${p}`, 'ms'])),
  ...Object.fromEntries(PCT.map((p) => [`latency.all.${p}`, 'ms'])),
  ...Object.fromEntries(PCT.map((p) => [`latency.failed.${p}`, 'ms'])),
  ...Object.fromEntries(PCT.map((p) => [`service.${p}`, 'ms'])),
  'lag.p50': 'ms',
  'lag.p99': 'ms',
  'lag.max': 'ms',
  'errors.rate': 'fraction',
  'errors.count': 'number',
  'timeouts.count': 'number',
  'dropped.count': 'number',
  'dropped.rate': 'fraction',
  rps: 'rps',
  'requests.ok': 'number',
  accuracy: 'fraction',
  'accuracy.window.min': 'fraction',
  f1: 'fraction',
  precision: 'fraction',
  recall: 'fraction',
  logloss: 'number',
  auc: 'fraction',
  mae: 'number',
  rmse: 'number',
  r2: 'number',
};

/** Which label task a metric needs (validation rejects e.g. `rmse` on a classification label). */
export function metricTask(metric: string): 'classification' | 'regression' | undefined {
  if (/^(accuracy|f1|precision|recall|logloss|auc)\b/.test(metric)) return 'classification';
  if (/^(mae|rmse|r2)$/.test(metric)) return 'regression';
  return undefined;
}

const PER_CLASS = /^(precision|recall|f1)\[(.+)\]$/;

export function metricUnit(metric: string): MetricUnit | undefined {
  return THRESHOLD_METRICS[metric] ?? (PER_CLASS.test(metric) ? 'fraction' : undefined);
}

/** The class named in `precision[CLASS]`, if any. */
export function metricClass(metric: string): string | undefined {
  return PER_CLASS.exec(metric)?.[2];
}

const OP_RE = /^\s*(<=|>=|==|!=|<|>)\s*(\S.*?)\s*$/;
const LINE_RE = /^\s*([A-Za-z0-9_.]+(?:\[[^\]]+\])?)\s*((?:<=|>=|==|!=|<|>).*)$/;

/**
 * Parse one threshold, e.g. `parseThreshold('latency.p99', '< 250ms')`. Throws ModelwaveError('MW_USAGE') whose
 * message is a predicate on the threshold ("names an unknown metric …"), so callers can prefix where it came from.
 */
export function parseThreshold(metric: string, expr: string): ThresholdSpec {
  const name = metric.trim();
  const unit = metricUnit(name);
  if (!unit) {
    const hint = didYouMean(name, Object.keys(THRESHOLD_METRICS));
    throw fail(`names an unknown metric \`${name}\`${hint ? `; did you mean \`${hint}\`?` : ' (see docs/scenario-reference.md#thresholds)'}`);
  }
  const m = OP_RE.exec(expr);
  if (!m) throw fail(`needs a comparison like "< 250ms" or ">= 0.85" (got ${JSON.stringify(expr)})`);
  const op = m[1] as ThresholdOp;
  const value = parseValue(unit, m[2]!);
  return { expr: `${name} ${op} ${m[2]}`, metric: name, op, value };
}

/** Parse `latency.p99 < 250ms` (the list form and the CLI's --threshold). */
export function parseThresholdLine(line: string): ThresholdSpec {
  const m = LINE_RE.exec(line);
  if (!m) throw fail(`must read like "latency.p99 < 250ms" (got ${JSON.stringify(line)})`);
  return parseThreshold(m[1]!, m[2]!);
}

/** Normalised value for a metric's unit: ms for time, a fraction for rates, a plain number otherwise. */
function parseValue(unit: MetricUnit, text: string): number {
  if (unit === 'ms') {
    try {
      return parseDurationMs(text);
    } catch {
      const fix = bareNumberFix(text);
      throw fail(`must compare to a time like 250ms or 1s${fix ? ` (a number needs a unit: ${fix})` : ''} (got ${JSON.stringify(text)})`);
    }
  }
  if (unit === 'fraction') {
    const pct = /^(-?\d+(?:\.\d+)?)\s*%$/.exec(text);
    const v = pct ? Number(pct[1]) / 100 : Number(text);
    if (!Number.isFinite(v) || v < 0 || v > 1 || text === '') {
      throw fail(`must compare to a fraction between 0 and 1 or a percentage like 1% (got ${JSON.stringify(text)})`);
    }
    return v;
  }
  const v = Number(text);
  if (!Number.isFinite(v) || text === '') throw fail(`must compare to a number (got ${JSON.stringify(text)})`);
  return v;
}

const fail = (message: string) => new ModelwaveError('MW_USAGE', message);

// ---- compare rules ----

export const COMPARE_METRICS: Readonly<Record<string, 'fraction' | 'ms' | 'ratio'>> = {
  'accuracy.delta': 'fraction',
  'f1.delta': 'fraction',
  'errors.rate.delta': 'fraction',
  ...Object.fromEntries(['p50', 'p90', 'p99'].map((p) => [`latency.${p}.ratio`, 'ratio'])),
  ...Object.fromEntries(['p50', 'p90', 'p99'].map((p) => [`latency.${p}.delta`, 'ms'])),
};

/** Parse one compare rule, e.g. `parseCompareRule('latency.p99.ratio', '<= 1.10')`. Deltas may be negative. */
export function parseCompareRule(metric: string, expr: string): CompareRuleSpec {
  const name = metric.trim();
  const kind = COMPARE_METRICS[name];
  if (!kind) {
    const hint = didYouMean(name, Object.keys(COMPARE_METRICS));
    throw fail(`names an unknown comparison metric \`${name}\`${hint ? `; did you mean \`${hint}\`?` : ` (expected one of: ${Object.keys(COMPARE_METRICS).join(', ')})`}`);
  }
  const m = /^\s*(<=|>=|<|>)\s*(\S.*?)\s*$/.exec(expr);
  if (!m) throw fail(`needs a comparison like ">= -0.01" or "<= 1.10" (got ${JSON.stringify(expr)})`);
  const text = m[2]!;
  let value: number;
  if (kind === 'ms') {
    const neg = text.startsWith('-');
    try {
      value = (neg ? -1 : 1) * parseDurationMs(neg ? text.slice(1) : text);
    } catch {
      const fix = bareNumberFix(neg ? text.slice(1) : text);
      throw fail(`must compare to a time difference like 20ms or -5ms${fix ? ` (a number needs a unit: ${fix})` : ''} (got ${JSON.stringify(text)})`);
    }
  } else {
    const pct = /^(-?\d+(?:\.\d+)?)\s*%$/.exec(text);
    value = pct ? Number(pct[1]) / 100 : Number(text);
    if (!Number.isFinite(value) || text === '') throw fail(`must compare to a number (got ${JSON.stringify(text)})`);
    if (kind === 'ratio' && value <= 0) throw fail(`must compare to a positive ratio like 1.10 (got ${JSON.stringify(text)})`);
  }
  return { expr: `${name} ${m[1]} ${text}`, metric: name, op: m[1] as CompareRuleSpec['op'], value };
}

export function parseCompareRuleLine(line: string): CompareRuleSpec {
  const m = LINE_RE.exec(line);
  if (!m) throw fail(`must read like "accuracy.delta >= -0.01" (got ${JSON.stringify(line)})`);
  return parseCompareRule(m[1]!, m[2]!);
}

// ---- evaluation ----

const LATENCY_METRIC = /^latency\.(?:(all|failed)\.)?(\w+)$/;

/**
 * The measured value of a metric in a summary; null when it cannot be measured (which fails the threshold). A latency
 * metric with no request in its population is not measured: with nothing successful, `latency.p99 < 9ms` fails —
 * a dead target's instant refusals are failed requests, never a fast successful latency.
 */
export function measureMetric(summary: Summary, metric: string): number | null {
  const t = summary.totals;
  const r = t.requests;
  const cls = t.classification;
  const pick = (v: number | null | undefined): number | null => (v == null || !Number.isFinite(v) ? null : v);
  const [family, stat] = metric.split('.', 2) as [string, string | undefined];
  const latency = LATENCY_METRIC.exec(metric);
  if (latency) {
    // Reports before schema 2 have no failed/all populations: not measured.
    const stats = latency[1] === 'all' ? t.latencyAllMs : latency[1] === 'failed' ? t.latencyFailedMs : t.latencyMs;
    return stats && stats.count > 0 ? pick(stats[latency[2] as keyof typeof stats]) : null;
  }
  if (family === 'service' && stat) return t.serviceTimeMs.count > 0 ? pick(t.serviceTimeMs[stat as keyof typeof t.serviceTimeMs]) : null;
  if (family === 'lag' && stat) return r.sent > 0 ? pick(t.lagMs[stat as keyof typeof t.lagMs]) : null;
  const scored = cls && cls.n > 0 ? cls : undefined;
  const perClass = PER_CLASS.exec(metric);
  if (perClass) {
    const c = scored?.classes.find((k) => k.label === perClass[2]);
    return c ? pick(c[perClass[1] as 'precision' | 'recall' | 'f1']) : null;
  }
  const reg = t.regression && t.regression.n > 0 ? t.regression : undefined;
  switch (metric) {
    case 'errors.rate':
      return r.sent > 0 ? pick(t.errors.rate) : null;
    case 'errors.count':
      return r.sent - r.ok;
    case 'timeouts.count':
      return r.timeouts;
    case 'dropped.count':
      return r.dropped;
    case 'dropped.rate':
      return r.scheduled > 0 ? r.dropped / r.scheduled : null;
    case 'rps':
      return summary.run.durationMs > 0 ? pick(t.rps) : null;
    case 'requests.ok':
      return r.ok;
    case 'accuracy':
      return scored ? pick(t.accuracy ?? scored.accuracy) : null;
    case 'accuracy.window.min': {
      const accs = summary.windows.filter((w) => (w.scored ?? 0) > 0 && w.accuracy !== undefined).map((w) => w.accuracy!);
      return accs.length ? Math.min(...accs) : null;
    }
    case 'f1':
      return scored ? pick(scored.macro.f1) : null;
    case 'precision':
      return scored ? pick(scored.positive?.precision ?? scored.macro.precision) : null;
    case 'recall':
      return scored ? pick(scored.positive?.recall ?? scored.macro.recall) : null;
    case 'logloss':
      return scored ? pick(scored.logLoss) : null;
    case 'auc':
      return scored ? pick(scored.rocAuc) : null;
    case 'mae':
      return reg ? pick(reg.mae) : null;
    case 'rmse':
      return reg ? pick(reg.rmse) : null;
    case 'r2':
      return reg ? pick(reg.r2) : null;
    default:
      return null;
  }
}

export function compareOp(op: string, a: number, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    default:
      return false;
  }
}

/** One result per spec, in order; a metric that cannot be measured has value null, fails, and says why. */
export function evaluateThresholds(summary: Summary, specs: readonly ThresholdSpec[]): ThresholdResult[] {
  return specs.map((s) => {
    const value = measureMetric(summary, s.metric);
    return {
      expr: s.expr,
      metric: s.metric,
      op: s.op,
      limit: s.value,
      value,
      ...(value === null && { reason: notMeasuredReason(summary, s.metric) }),
      pass: value !== null && compareOp(s.op, value, s.value),
      unit: metricUnit(s.metric) ?? 'number',
    };
  });
}

/** The default sanity rule as written in reports. */
export const ALL_FAILED_RULE = 'errors.rate < 100%';

/**
 * The default sanity rule: a run in which no request succeeded fails, thresholds or not (a dead target must not
 * exit 0). Returns the failed rule to append to `summary.thresholds`, or undefined when some request succeeded or
 * nothing was scheduled. `value` is the share of scheduled requests that did not succeed (1): dropped requests
 * count, so a run that could send nothing at all fails too.
 */
export function allFailedRule(summary: Summary): ThresholdResult | undefined {
  const r = summary.totals.requests;
  if (r.scheduled === 0 || r.ok > 0) return undefined;
  return {
    expr: `${ALL_FAILED_RULE} (default rule)`,
    metric: 'errors.rate',
    op: '<',
    limit: 1,
    value: 1,
    reason: `no request succeeded (${r.scheduled} scheduled, ${r.sent} sent, 0 ok)`,
    pass: false,
    unit: 'fraction',
    default: true,
  };
}

/** Why `metric` has no value in `summary` (measureMetric returned null), as a phrase for reports. */
export function notMeasuredReason(summary: Summary, metric: string): string {
  const t = summary.totals;
  const r = t.requests;
  const family = metric.split(/[.[]/, 1)[0]!;
  const answered = `${r.ok} of ${r.sent} requests sent answered ok`;
  // Latency and service time are of successful requests (latency.failed / latency.all: of failed / of sent ones).
  if (metric.startsWith('latency.failed.')) return `no request failed (${r.sent} sent)`;
  if (metric.startsWith('latency.all.')) return 'no request was sent';
  if (['latency', 'service'].includes(family)) return `no request succeeded (${answered})`;
  if (['lag', 'errors', 'rps'].includes(family)) return 'no request was sent';
  if (metric === 'dropped.rate') return 'no request was scheduled';
  if (metric === 'accuracy.window.min') return 'no window has a scored row';
  if (['mae', 'rmse', 'r2'].includes(metric)) return t.regression ? `no row was scored (${answered})` : 'the scenario has no regression label';
  const cls = t.classification;
  if (!cls) return 'the scenario has no classification label';
  if (cls.n === 0) return `no row was scored (${answered})`;
  if (metric === 'logloss' || metric === 'auc') {
    if (cls.labels.length !== 2) return 'needs a binary label';
    return metric === 'auc' && cls.logLoss !== undefined ? 'the scored rows hold one class only' : 'the answers carried no probabilities';
  }
  if (/\[/.test(metric)) return `no class ${JSON.stringify(metric.slice(metric.indexOf('[') + 1, -1))} in label.classes`;
  return 'not measurable';
}
