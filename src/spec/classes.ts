// The one home of what a label's classes mean to scoring: the task, the class values (index = class code in
// records), which class is positive, how a binary model's single probability becomes a class and P(positive), and
// what an answer outside the classes counts as. The scenario normalizer (default positive), the engine (confusion,
// ROC AUC, log loss) and the codecs (reading a probability) all read it here, so they cannot disagree: when they
// were three copies, `label.positive` set to the first class inverted ROC AUC (a perfect model scored 0).
import type { LabelValue, Scenario } from './types.js';
import { DEFAULT_DECISION_THRESHOLD } from './wire.js';

/** How an answer that is not one of the label's classes is scored (`label.outOfClass`). */
export type OutOfClassPolicy = 'wrong' | 'exclude';
export const DEFAULT_OUT_OF_CLASS: OutOfClassPolicy = 'wrong';

export interface ClassSpec {
  task: 'classification' | 'regression' | 'none';
  /** Class values in `label.classes` order; index = class code. Empty for regression and no label. */
  values: LabelValue[];
  /** The same values as strings (report labels, lookups). */
  labels: string[];
  /** Index of the positive class: `label.positive`, else the second class of a binary label, else -1 (none). */
  positiveIndex: number;
  /** Binary labels: the positive class when P(positive) ≥ this. */
  decisionThreshold: number;
  outOfClass: OutOfClassPolicy;
}

const same = (a: LabelValue, b: LabelValue) => String(a) === String(b);

/** The default positive class: the second class of a binary label; none for one or more than two classes. */
export function defaultPositive(classes: readonly LabelValue[]): LabelValue | undefined {
  return classes.length === 2 ? classes[1] : undefined;
}

/** Index of `positive` among `classes` (-1 when absent); without `positive`, the default's. */
export function positiveIndexOf(classes: readonly LabelValue[], positive?: LabelValue): number {
  const p = positive ?? defaultPositive(classes);
  return p === undefined ? -1 : classes.findIndex((c) => same(c, p));
}

/** The class spec of explicit parts (codecs built without a whole scenario, tests). */
export function classSpec(
  values: readonly LabelValue[] | undefined,
  o: { positive?: LabelValue; decisionThreshold?: number; outOfClass?: OutOfClassPolicy; task?: ClassSpec['task'] } = {},
): ClassSpec {
  const v = [...(values ?? [])];
  return {
    task: o.task ?? (v.length > 0 ? 'classification' : 'none'),
    values: v,
    labels: v.map(String),
    positiveIndex: positiveIndexOf(v, o.positive),
    decisionThreshold: o.decisionThreshold ?? DEFAULT_DECISION_THRESHOLD,
    outOfClass: o.outOfClass ?? DEFAULT_OUT_OF_CLASS,
  };
}

/** The class spec of a scenario: its label (none → task 'none') and `target.decisionThreshold`. */
export function classSpecOf(s: Pick<Scenario, 'label' | 'target'>): ClassSpec {
  const l = s.label;
  const threshold = s.target.decisionThreshold;
  if (!l) return classSpec([], { task: 'none' });
  if (l.task === 'regression') return classSpec([], { task: 'regression' });
  return classSpec(l.classes, {
    ...(l.positive !== undefined && { positive: l.positive }),
    ...(threshold !== undefined && { decisionThreshold: threshold }),
    ...(l.outOfClass !== undefined && { outOfClass: l.outOfClass }),
    task: 'classification',
  });
}

/**
 * P(positive) from a binary model's single probability `p`. A single probability is P(second class) of
 * `label.classes` — scikit-learn's `predict_proba(X)[:, 1]`, a sigmoid output, the reference models' `probability`
 * — whichever class `label.positive` names; so when the positive class is the first, P(positive) = 1 − p.
 * NaN when the label is not binary (a single probability says nothing about 3 classes).
 */
export function positiveProbability(spec: ClassSpec, p: number): number {
  if (spec.values.length !== 2 || spec.positiveIndex < 0) return NaN;
  return spec.positiveIndex === 1 ? p : 1 - p;
}

/** The class index of a binary model's single probability `p` (= P(second class)): positive when P(positive) ≥ threshold. */
export function classOfProbability(spec: ClassSpec, p: number): number {
  const pos = spec.positiveIndex;
  return positiveProbability(spec, p) >= spec.decisionThreshold ? pos : 1 - pos;
}
