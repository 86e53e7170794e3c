// Classification quality from a confusion matrix (plus, optionally, positive-class probabilities).
//
// Conventions, chosen to match scikit-learn's defaults (zero_division=0) so numbers can be cross-checked:
// - precision = tp / (tp + fp), recall = tp / (tp + fn), F1 = 2·tp / (2·tp + fp + fn); each is 0 when its
//   denominator is 0 (a class never predicted has precision 0; a class never true has recall 0).
// - macro = unweighted mean of the per-class values over the classes that occur — as a true class or as a
//   prediction. A class absent from both has no defined precision or recall, so it is left out rather than counted
//   as 0 (scikit-learn counts it when passed in `labels`; we do not, so a scenario listing a class the run never
//   saw does not drag macro F1 down). Macro F1 is the mean of per-class F1, not F1 of macro precision and recall.
// - micro pools tp, fp and fn over classes; for single-label data micro precision = recall = F1 = accuracy.
// - n = 0 gives null accuracy, interval and precision/recall/F1: nothing was measured, and 0 would read as a result.
// - Answers outside the classes (`outOfClass`, per true class) are wrong rows that sit in no column: each adds to its
//   true class's support and false negatives, and to n, but to no class's false positives — what scikit-learn
//   computes when y_pred holds a value not in `labels`. Micro recall then equals accuracy; micro precision does not.
import type { ClassificationStats, ClassStats } from '../summary/types.js';
import { comparePairs, toSortedCounts } from '../stats/ranks.js';
import { wilson } from './wilson.js';

interface ScoreSet {
  /** Predicted probability of the positive class, one per scored row, each in [0, 1]. */
  prob: Float64Array | number[];
  /** Whether the row's true class is the positive class, aligned with `prob`. */
  isPositive: Uint8Array | boolean[];
}

interface ClassificationOptions {
  /** Index in `labels` of the positive class. Default for two classes: 1 (the second label); none otherwise. */
  positive?: number;
  /** Probabilities for log loss and ROC AUC (binary). */
  scores?: ScoreSet;
  /** Per true class: rows answered outside the classes, scored as wrong (see the conventions above). */
  outOfClass?: readonly number[];
}

/** The probability given to the true class is clipped to at least ε before the log, so one confident mistake costs −ln ε ≈ 34.5, not ∞. */
export const LOG_LOSS_EPS = 1e-15;

export function classificationStats(
  confusion: number[][],
  labels: string[],
  opts: ClassificationOptions = {},
): ClassificationStats {
  const k = labels.length;
  checkMatrix(confusion, k);
  const outside = opts.outOfClass;
  if (outside && (outside.length !== k || !outside.every((v) => v >= 0 && Number.isFinite(v)))) {
    throw new RangeError(`classificationStats: outOfClass must be ${k} non-negative counts (got ${JSON.stringify(outside)})`);
  }
  const rowSum = new Array<number>(k).fill(0);
  const colSum = new Array<number>(k).fill(0);
  let n = 0;
  let correct = 0;
  for (let t = 0; t < k; t++) {
    for (let p = 0; p < k; p++) {
      const v = confusion[t][p];
      rowSum[t] += v;
      colSum[p] += v;
      n += v;
    }
    correct += confusion[t][t];
    if (outside) {
      rowSum[t] += outside[t];
      n += outside[t];
    }
  }
  const inClass = n - (outside?.reduce((a, b) => a + b, 0) ?? 0);
  const none = n === 0;

  const classes: ClassStats[] = labels.map((label, i) => {
    const tp = confusion[i][i];
    return { label, ...(none ? NOT_MEASURED : prf(tp, colSum[i] - tp, rowSum[i] - tp)), support: rowSum[i] };
  });

  const present = classes.filter((_, i) => rowSum[i] > 0 || colSum[i] > 0);
  const mean = (f: (c: ClassStats) => number | null) => (present.length ? present.reduce((s, c) => s + (f(c) ?? 0), 0) / present.length : 0);
  const macro = none ? { ...NOT_MEASURED } : { precision: mean((c) => c.precision), recall: mean((c) => c.recall), f1: mean((c) => c.f1) };
  // Pooled over classes, every wrong row is one fn (for its true class) and, when it names a class, one fp.
  const micro = none ? { ...NOT_MEASURED } : prf(correct, inClass - correct, n - correct);

  const out: ClassificationStats = {
    n,
    accuracy: none ? null : correct / n,
    accuracyCi: none ? null : wilson(correct, n),
    classes,
    macro,
    micro,
    confusion: confusion.map((row) => [...row]),
    ...(outside && outside.some((v) => v > 0) && { outOfClass: [...outside] }),
    labels: [...labels],
  };

  const pos = opts.positive ?? (k === 2 ? 1 : undefined);
  if (pos !== undefined) {
    if (!(Number.isInteger(pos) && pos >= 0 && pos < k)) {
      throw new RangeError(`classificationStats: positive must be a class index in [0, ${k - 1}] (got ${pos})`);
    }
    const c = classes[pos];
    out.positive = { label: c.label, precision: c.precision, recall: c.recall, f1: c.f1 };
  }

  if (opts.scores && opts.scores.prob.length > 0) {
    const { logLoss, rocAuc } = scoreStats(opts.scores);
    out.logLoss = logLoss;
    if (rocAuc !== undefined) out.rocAuc = rocAuc;
  }
  return out;
}

const NOT_MEASURED = { precision: null, recall: null, f1: null } as const;

function prf(tp: number, fp: number, fn: number): { precision: number; recall: number; f1: number } {
  return {
    precision: tp + fp > 0 ? tp / (tp + fp) : 0,
    recall: tp + fn > 0 ? tp / (tp + fn) : 0,
    f1: 2 * tp + fp + fn > 0 ? (2 * tp) / (2 * tp + fp + fn) : 0,
  };
}

/**
 * Binary log loss (natural log, mean over rows) and ROC AUC. AUC is the Mann–Whitney statistic: the share of
 * (positive, negative) pairs where the positive row has the higher probability, ties counting ½ — identical to the
 * area under the ROC curve with tied scores joined by straight segments. Undefined (omitted) when all rows share
 * one class.
 */
export function scoreStats(scores: ScoreSet): { logLoss: number; rocAuc?: number } {
  const { prob, isPositive } = scores;
  if (prob.length !== isPositive.length) {
    throw new RangeError(`scores: ${prob.length} probabilities but ${isPositive.length} labels`);
  }
  const pos: number[] = [];
  const neg: number[] = [];
  let loss = 0;
  for (let i = 0; i < prob.length; i++) {
    const p = prob[i];
    if (!(p >= 0 && p <= 1)) throw new RangeError(`scores.prob[${i}] must be a probability in [0, 1] (got ${p})`);
    // Clip the probability given to the true class; 1 − p is exact for p ≥ ½, unlike 1 − (1 − ε) in floating point.
    if (isPositive[i]) {
      loss -= Math.log(Math.max(p, LOG_LOSS_EPS));
      pos.push(p);
    } else {
      loss -= Math.log(Math.max(1 - p, LOG_LOSS_EPS));
      neg.push(p);
    }
  }
  const out: { logLoss: number; rocAuc?: number } = { logLoss: loss / prob.length };
  if (pos.length > 0 && neg.length > 0) {
    const pairs = comparePairs(toSortedCounts(pos), toSortedCounts(neg));
    out.rocAuc = (pairs.greater + 0.5 * pairs.ties) / (pos.length * neg.length);
  }
  return out;
}

function checkMatrix(m: number[][], k: number): void {
  if (k < 1) throw new RangeError('classificationStats: labels must name at least one class');
  if (m.length !== k) throw new RangeError(`classificationStats: confusion has ${m.length} rows for ${k} labels`);
  m.forEach((row, t) => {
    if (row.length !== k) throw new RangeError(`classificationStats: confusion[${t}] has ${row.length} cells for ${k} labels`);
    row.forEach((v, p) => {
      if (!(v >= 0 && Number.isFinite(v))) throw new RangeError(`classificationStats: confusion[${t}][${p}] must be a non-negative count (got ${v})`);
    });
  });
}
