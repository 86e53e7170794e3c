// Baseline vs candidate → a Comparison: paired accuracy (McNemar exact + Newcombe interval), latency quantile
// differences (bootstrap) and a rank test (Mann–Whitney), error-rate difference (two proportions), and every rule's
// verdict. Pure: the two sides come from a live paired run (src/compare/run.ts) or from stored runs/report folders.
import type { CompareRuleSpec, CompareSpec } from '../spec/types.js';
import { COMPARE_DEFAULTS } from '../spec/types.js';
import type { Summary } from '../summary/types.js';
import { parseCompareRuleLine } from '../verdict/thresholds.js';
import { mannWhitneyU, mcnemarExact, pairedAccuracyDifference, twoProportionTest, type SampleInput } from './stats.js';
import { bootstrapRuleP, compareLatencyQuantiles, gridFor, type LatencyComparison, sliceByTime, type LatencyInput, type SlicedLatency } from './latency.js';
import { effectiveBound, evaluateRule, type MeasuredDifference, type RuleStatus } from './verdict.js';
import { comparisonVerdictOf } from '../verdict/judge.js';
import type { Correctness } from '../engine/main/scores.js';
import { fmtPValue } from '../report/format.js';
import { COMPARISON_SCHEMA_VERSION, type Comparison, type RunBrief, type RuleResult } from './types.js';

export interface CompareSide {
  summary: Summary;
  /**
   * Latencies (ms) of successful requests — the population of the summary's `latencyMs` — as histogram values
   * (bucket tops, stats/hist.ts bucketTopUs), so quantiles equal the run report's: raw samples, or sorted buckets.
   */
  latency: SampleInput;
  /** Intended send time (ms, any origin) of each value of `latency`, when it is a raw array: the time order. */
  latencyAtMs?: ArrayLike<number>;
  /** Latency already cut into time slices (a report folder's window histograms), when there are no raw times. */
  latencySlices?: SlicedLatency;
  /** Row key (seq × rowsPerRequest + j) → 1 right, 0 wrong, 255 not scored. Present only for paired data. */
  correct?: Correctness;
  reportDir?: string;
}

/** Used when the scenario has no `compare:` section: the candidate may not be less accurate, slower or flakier. */
export const DEFAULT_RULES = ['accuracy.delta >= 0', 'latency.p99.ratio <= 1.10', 'errors.rate.delta <= 0'];

interface AnalyzeOptions {
  id: string;
  spec?: CompareSpec;
  /**
   * Extra rules from the command line, added to the scenario's. They replace DEFAULT_RULES when the scenario has no
   * rules of its own: a user who names a rule should be able to loosen a default, not only add a stricter one.
   */
  rules?: string[];
  seed?: number;
  /** Both runs were measured at the same moments (a live comparison): latency is resampled on shared time blocks. */
  simultaneous?: boolean;
  /** `iid` ignores the time order (the ordinary bootstrap): for the A/A bench's contrast only. */
  latencyResampling?: 'block' | 'iid';
}

export function analyze(base: CompareSide, cand: CompareSide, opts: AnalyzeOptions): Comparison {
  const warnings: string[] = [];
  const b = base.summary;
  const c = cand.summary;
  if (b.run.name !== c.run.name || b.run.seed !== c.run.seed) {
    warnings.push(`the runs come from different scenarios or seeds (${b.run.name}/${b.run.seed} vs ${c.run.name}/${c.run.seed}): not identical traffic`);
  }
  const paired = Boolean(base.correct && cand.correct) && warnings.length === 0;
  if (!paired) warnings.push('unpaired comparison: accuracy uses a two-proportion test instead of McNemar, which needs per-row predictions of both runs on the same rows');
  for (const [role, s] of [['baseline', b], ['candidate', c]] as const) {
    if ((s.schemaVersion ?? 1) < 2) {
      warnings.push(`the ${role} report is schema v${s.schemaVersion ?? 1}: its latency counts every answered request, failed ones included (from schema 2 on, latency is of successful requests)`);
    }
  }

  const accuracy = paired ? pairedAccuracy(base.correct!, cand.correct!) : unpairedAccuracy(b, c);
  const lat = latencyQuantiles(base, cand, opts);
  const mw = mannWhitneyU(base.latency, cand.latency);
  const errFailed = (s: Summary) => s.totals.requests.sent - s.totals.requests.ok;
  const err = twoProportionTest({ x: errFailed(b), n: Math.max(1, b.totals.requests.sent) }, { x: errFailed(c), n: Math.max(1, c.totals.requests.sent) });

  const comparison: Comparison = {
    schemaVersion: COMPARISON_SCHEMA_VERSION,
    id: opts.id,
    createdAt: new Date().toISOString(),
    scenario: b.run.name,
    seed: b.run.seed,
    paired,
    warnings,
    baseline: brief(b, base.reportDir),
    candidate: brief(c, cand.reportDir),
    ...(accuracy ? { accuracy } : {}),
    perClass: perClass(b, c),
    perWindow: perWindow(b, c),
    latency: {
      quantiles: lat.quantiles,
      resampling: lat.resampling,
      mannWhitney: { u: mw.u, effect: mw.effect, z: mw.z, pValue: mw.pValue },
      method: `${lat.method}; ${mw.method} — descriptive, it treats requests as independent`,
    },
    errors: { base: err.base, cand: err.cand, delta: err.delta, ci: err.ci, pValue: err.pValue, method: err.method },
    rules: [],
    verdict: 'pass',
    headline: '',
  };
  const spec = opts.spec;
  const rules: CompareRuleSpec[] = [
    ...(spec?.rules.length ? spec.rules : opts.rules?.length ? [] : DEFAULT_RULES.map(parseCompareRuleLine)),
    ...(opts.rules ?? []).map(parseCompareRuleLine),
  ];
  const tol = spec?.tolerance ?? COMPARE_DEFAULTS.tolerance;
  comparison.rules = rules.map((r) => evaluate(r, comparison, lat.draws, b, c, tol, spec?.alpha ?? COMPARE_DEFAULTS.alpha));
  comparison.verdict = comparisonVerdictOf(comparison.rules.map((r) => r.status));
  comparison.headline = headline(comparison);
  return comparison;
}

/** Latency sides as time slices where the time order is known: a shared grid when both were measured together. */
function latencyQuantiles(base: CompareSide, cand: CompareSide, opts: AnalyzeOptions) {
  const timed = (s: CompareSide) => s.latencyAtMs !== undefined && !isSortedCounts(s.latency) && s.latencyAtMs.length === (s.latency as ArrayLike<number>).length;
  const joint = Boolean(opts.simultaneous) && timed(base) && timed(cand);
  const shared = joint ? gridFor(base.latencyAtMs!, cand.latencyAtMs!) : undefined;
  const input = (s: CompareSide): LatencyInput => {
    if (timed(s)) {
      const at = s.latencyAtMs!;
      return { sample: s.latency, slices: sliceByTime(at, s.latency as ArrayLike<number>, shared ?? gridFor(at)) };
    }
    return { sample: s.latency, ...(s.latencySlices ? { slices: s.latencySlices } : {}) };
  };
  return compareLatencyQuantiles(input(base), input(cand), { seed: opts.seed ?? 1, joint, ...(opts.latencyResampling ? { resampling: opts.latencyResampling } : {}) });
}

function isSortedCounts(s: SampleInput): boolean {
  return typeof (s as { total?: unknown }).total === 'number';
}

function pairedAccuracy(bc: Correctness, cc: Correctness): Comparison['accuracy'] {
  const t = { a: 0, b: 0, c: 0, d: 0 };
  for (let key = 0; key < bc.size; key++) {
    const x = bc.get(key);
    const y = cc.get(key);
    if (x > 1 || y > 1) continue; // not scored by one of them, or not seen
    if (x && y) t.a++;
    else if (x) t.b++;
    else if (y) t.c++;
    else t.d++;
  }
  const n = t.a + t.b + t.c + t.d;
  if (n === 0) return undefined;
  const diff = pairedAccuracyDifference(t);
  const mc = mcnemarExact(t.b, t.c);
  return { n, table: t, base: diff.base, cand: diff.cand, delta: diff.delta, ci: diff.ci, pValue: mc.pValue, test: mc.method, interval: diff.method };
}

function unpairedAccuracy(b: Summary, c: Summary): Comparison['accuracy'] {
  const bc = b.totals.classification;
  const cc = c.totals.classification;
  if (!bc || !cc || bc.n === 0 || cc.n === 0) return undefined;
  // n > 0, so both accuracies are measured (null only when n = 0).
  const r = twoProportionTest({ x: Math.round(bc.accuracy! * bc.n), n: bc.n }, { x: Math.round(cc.accuracy! * cc.n), n: cc.n });
  return { n: Math.min(bc.n, cc.n), base: r.base, cand: r.cand, delta: r.delta, ci: r.ci, pValue: r.pValue, test: r.method, interval: r.method };
}

function brief(s: Summary, reportDir?: string): RunBrief {
  const l = s.totals.latencyMs;
  const cls = s.totals.classification;
  return {
    runId: s.run.id,
    target: s.run.target,
    status: s.run.status,
    sent: s.totals.requests.sent,
    ok: s.totals.requests.ok,
    errorRate: s.totals.errors.rate,
    rps: s.totals.rps,
    latencyMs: { p50: l.p50, p90: l.p90, p99: l.p99, max: l.max },
    ...(cls && cls.n > 0 ? { accuracy: cls.accuracy!, accuracyCi: cls.accuracyCi!, macroF1: cls.macro.f1! } : {}),
    ...(reportDir ? { reportDir } : {}),
  };
}

function perClass(b: Summary, c: Summary): Comparison['perClass'] {
  const bc = b.totals.classification;
  const cc = c.totals.classification;
  if (!bc || !cc) return [];
  return bc.classes.map((x) => {
    const y = cc.classes.find((k) => k.label === x.label);
    return {
      label: x.label,
      recallBase: x.recall ?? NaN,
      recallCand: y?.recall ?? NaN,
      recallDelta: (y?.recall ?? NaN) - (x.recall ?? NaN),
      f1Base: x.f1 ?? NaN,
      f1Cand: y?.f1 ?? NaN,
      f1Delta: (y?.f1 ?? NaN) - (x.f1 ?? NaN),
    };
  });
}

function perWindow(b: Summary, c: Summary): Comparison['perWindow'] {
  const cw = new Map(c.windows.map((w) => [w.index, w]));
  return b.windows.map((w) => {
    const y = cw.get(w.index);
    const out: Comparison['perWindow'][number] = { index: w.index };
    if (w.accuracy !== undefined) out.base = w.accuracy;
    if (y?.accuracy !== undefined) out.cand = y.accuracy;
    if (out.base !== undefined && out.cand !== undefined) out.delta = out.cand - out.base;
    return out;
  });
}

function evaluate(rule: CompareRuleSpec, cmp: Comparison, draws: LatencyComparison['draws'], b: Summary, c: Summary, tol: CompareSpec['tolerance'], alpha: number): RuleResult {
  let measured: MeasuredDifference | null = null;
  let tolerance = 0;
  const m = rule.metric;
  if (m === 'accuracy.delta') {
    tolerance = tol.accuracy;
    if (cmp.accuracy) measured = { value: cmp.accuracy.delta, ci: cmp.accuracy.ci, pValue: cmp.accuracy.pValue };
  } else if (m === 'f1.delta') {
    // No interval for macro F1: compared as a point value (documented in docs/compare.md).
    tolerance = tol.accuracy;
    const fb = b.totals.classification?.macro.f1;
    const fc = c.totals.classification?.macro.f1;
    if (fb != null && fc != null) measured = { value: fc - fb };
  } else if (m === 'errors.rate.delta') {
    tolerance = tol.errorRate;
    measured = { value: cmp.errors.delta, ci: cmp.errors.ci, pValue: cmp.errors.pValue };
  } else {
    const [, p, kind] = m.split('.') as [string, string, 'ratio' | 'delta'];
    const i = cmp.latency.quantiles.findIndex((x) => `p${Math.round(x.q * 100)}` === p);
    tolerance = kind === 'ratio' ? tol.latencyRatio : 0;
    if (i >= 0) {
      const q = cmp.latency.quantiles[i];
      // One-sided against the rule's own bound, on the time-block resamples: see bootstrapRuleP.
      const pValue = bootstrapRuleP(kind === 'ratio' ? draws[i].ratios : draws[i].deltas, effectiveBound(rule, tolerance).allowed);
      measured = kind === 'ratio' ? { value: q.ratio, ci: q.ratioCi, pValue } : { value: q.delta, ci: q.deltaCi, pValue };
    }
  }
  const base = { expr: rule.expr, metric: m, op: rule.op, limit: rule.value, tolerance };
  if (!measured || !Number.isFinite(measured.value)) {
    return { ...base, value: null, status: 'inconclusive', reason: `${m} could not be measured (no scored rows or no answered requests in one of the runs)` };
  }
  const ev = evaluateRule(rule, measured, tolerance, { alpha });
  return { ...base, value: measured.value, ...(measured.ci ? { ci: measured.ci } : {}), ...(measured.pValue !== undefined ? { pValue: measured.pValue } : {}), status: ev.status, reason: ev.reason };
}

function headline(cmp: Comparison): string {
  const parts: string[] = [];
  const a = cmp.accuracy;
  if (a) parts.push(`accuracy ${a.base.toFixed(4)} → ${a.cand.toFixed(4)} (Δ ${a.delta >= 0 ? '+' : ''}${a.delta.toFixed(4)}, p = ${fmtPValue(a.pValue)})`);
  const p99 = cmp.latency.quantiles.find((q) => q.q === 0.99);
  if (p99) parts.push(`p99 ${p99.base.toFixed(2)} → ${p99.cand.toFixed(2)} ms (×${p99.ratio.toFixed(2)})`);
  parts.push(`errors ${(cmp.errors.base * 100).toFixed(2)}% → ${(cmp.errors.cand * 100).toFixed(2)}%`);
  const word = cmp.verdict === 'pass' ? 'candidate passes' : cmp.verdict === 'fail' ? 'candidate regresses' : 'inconclusive';
  const failing = cmp.rules.filter((r) => r.status === 'fail').map((r) => r.expr);
  return `${word}: ${parts.join('; ')}${failing.length ? ` — failed: ${failing.join(', ')}` : ''}`;
}

