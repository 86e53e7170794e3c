// The model inside every strict server: a fixed linear rule over numeric features, so a test can compute the right
// answer itself. Binary models are logistic (one logit for the second class), multi-class models softmax; the
// class is the argmax (ties go to the earlier class, like numpy's argmax in sklearn's predict).
import type { ClassValue, ModelConfig, OutputKind } from './config.js';
import { Float, parsePyFloat } from './pyjson.js';

/** A feature value as a number: JSON numbers, floats, numeric strings (Python float()); anything else NaN. */
const toNumber = (v: unknown): number =>
  typeof v === 'number' ? v : v instanceof Float ? v.value : typeof v === 'string' ? (parsePyFloat(v) ?? NaN) : typeof v === 'boolean' ? Number(v) : NaN;

export interface Scored {
  classIndex: number;
  /** One probability per class, in `classes` order; NaN when an input was NaN. */
  probabilities: number[];
}

export class LinearModel {
  readonly features: readonly string[];
  readonly classes: readonly ClassValue[];
  readonly output: OutputKind;
  /** Features any logit reads: the only ones that must be numeric for the model itself. */
  readonly used: ReadonlySet<string>;
  private readonly index: ReadonlyMap<string, number>;

  constructor(private readonly cfg: ModelConfig) {
    this.features = cfg.features;
    this.classes = cfg.classes;
    this.output = cfg.output;
    this.index = new Map(cfg.features.map((f, i) => [f, i]));
    this.used = new Set(cfg.logits.flatMap((l) => Object.keys(l.weights).filter((f) => l.weights[f] !== 0)));
  }

  /** Score one row given as values in `features` order (only the used ones are read). */
  score(x: readonly unknown[]): Scored {
    const logit = (i: number): number => {
      const l = this.cfg.logits[i];
      let z = l.bias;
      for (const f in l.weights) {
        const w = l.weights[f];
        if (w !== 0) z += w * toNumber(x[this.index.get(f)!]);
      }
      return z;
    };
    if (this.cfg.logits.length === 1) {
      const z = logit(0);
      const p1 = 1 / (1 + Math.exp(-z));
      return { classIndex: p1 > 0.5 ? 1 : 0, probabilities: [1 - p1, p1] };
    }
    const zs = this.cfg.logits.map((_, i) => logit(i));
    const max = Math.max(...zs);
    const e = zs.map((z) => Math.exp(z - max));
    const sum = e.reduce((a, b) => a + b, 0);
    const probabilities = e.map((v) => v / sum);
    let best = 0;
    for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[best]) best = i;
    return { classIndex: best, probabilities };
  }

  /** Score a row given as an object keyed by feature name. */
  scoreRecord(row: Record<string, unknown>): Scored {
    return this.score(this.features.map((f) => row[f]));
  }

  label(s: Scored): ClassValue {
    return this.classes[s.classIndex];
  }

  /** P(second class) of a binary model. */
  positive(s: Scored): number {
    return s.probabilities[1];
  }

  /** The model's answer for one row, per its output kind. */
  value(s: Scored): ClassValue | number | number[] {
    if (this.output === 'class') return this.label(s);
    if (this.output === 'probability') return this.positive(s);
    return s.probabilities;
  }
}
