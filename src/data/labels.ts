// Ground truth: the true label of a row as a pure function of (seed, row index, row). Label draws come from their
// own PRNG stream, so adding a field never changes the labels' randomness and vice versa.
import { ModelwaveError } from '../errors.js';
import type { LabelModel, LabelSpec, LabelValue } from '../spec/types.js';
import { driftFraction, type ValueType } from './fields.js';
import { boxMuller, createPrng, STREAM, type RowKey } from './prng.js';
import type { Cell, Row } from './types.js';

/** A field a label model may read, with what it yields (for weight checks at creation). */
export interface FieldInfo {
  name: string;
  type: ValueType;
  /** Why a text column is text, e.g. `data/x.csv:17: "n/a"`. */
  firstText?: string;
}

export interface Labeler {
  readonly task: 'classification' | 'regression';
  /** Class values; `label()` returns an index into this list (empty for regression). */
  readonly classes: LabelValue[];
  /** `progress` is the drift progress of the row's request (0..1). */
  label(rowIndex: number, row: Row, progress: number): number;
}

/** A replayed label column, already encoded: class index (or regression value) per row index. */
export interface ColumnLabels {
  classes: LabelValue[];
  code(rowIndex: number): number;
}

// Label stream slots: one per independent decision, so e.g. the flip never reuses the class draw.
const SLOT_CLASS = 0;
const SLOT_NOISE = 1;
const SLOT_FLIP = 2;
const SLOT_OTHER = 3;

const invalid = (message: string, details: string[] = []): ModelwaveError => new ModelwaveError('MW_SCENARIO_INVALID', message, details);

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
const num = (v: Cell | undefined): number => (typeof v === 'number' ? v : v === true ? 1 : 0);

/** Weights over a fixed list of fields; drifting between a base and a target vector. */
interface Linear {
  names: string[];
  base: Float64Array;
  target: Float64Array;
  bias0: number;
  bias1: number;
}

function checkField(name: string, path: string, fields: Map<string, FieldInfo>): void {
  const f = fields.get(name);
  if (!f) throw invalid(`${path}: no field \`${name}\`; fields are: ${[...fields.keys()].join(', ')}`);
  if (f.type === 'string' || f.type === 'mixed') {
    const where = f.firstText ? ` (${f.firstText})` : '';
    throw invalid(`${path}: field \`${name}\` is not numeric${where}; weights need numeric or boolean fields`);
  }
}

function linear(
  bias: number,
  weights: Record<string, number>,
  concept: NonNullable<LabelSpec['drift']>['concept'],
  path: string,
  fields: Map<string, FieldInfo>,
): Linear {
  const target = concept?.weights ?? {};
  const names = [...new Set([...Object.keys(weights), ...Object.keys(target)])];
  names.forEach((n) => checkField(n, Object.hasOwn(weights, n) ? `${path}.weights.${n}` : `label.drift.concept.weights.${n}`, fields));
  const base = Float64Array.from(names, (n) => weights[n] ?? 0);
  return {
    names,
    base,
    target: concept ? Float64Array.from(names, (n, j) => (Object.hasOwn(target, n) ? target[n] : base[j])) : base,
    bias0: bias,
    bias1: concept?.bias ?? bias,
  };
}

function score(l: Linear, row: Row, t: number): number {
  let z = l.bias0 + (l.bias1 - l.bias0) * t;
  for (let j = 0; j < l.names.length; j++) z += (l.base[j] + (l.target[j] - l.base[j]) * t) * num(row[l.names[j]]);
  return z;
}

function compare(a: Cell | undefined, op: string, b: number | string): boolean {
  const x: number | string = typeof b === 'number' ? num(a) : String(a);
  switch (op) {
    case '>':
      return x > b;
    case '>=':
      return x >= b;
    case '<':
      return x < b;
    case '<=':
      return x <= b;
    case '==':
      return x === b;
    default:
      return x !== b;
  }
}

function classIndex(classes: LabelValue[], value: LabelValue, path: string): number {
  const i = classes.findIndex((c) => String(c) === String(value));
  if (i < 0) throw invalid(`${path}: class ${JSON.stringify(value)} is not one of label.classes [${classes.join(', ')}]`);
  return i;
}

function modelClasses(model: LabelModel): LabelValue[] {
  switch (model.kind) {
    case 'logistic':
    case 'threshold':
    case 'priors':
      return model.classes;
    case 'softmax':
      return model.classes.map((c) => c.value);
    case 'column':
      return model.classes ?? [];
    case 'linear':
      return [];
  }
}

/** Encodes a replayed label column: class index per record (classes inferred, sorted, when not given). */
export function encodeColumn(
  values: Cell[],
  lines: number[],
  file: string,
  column: string,
  task: 'classification' | 'regression',
  given: LabelValue[],
): { classes: LabelValue[]; codes: Float64Array } {
  const empty = values.indexOf(null);
  if (empty >= 0) throw new ModelwaveError('MW_FILE', `${file}:${lines[empty]}: label \`${column}\` is empty; every replayed row needs its label`);
  if (task === 'regression') {
    const codes = Float64Array.from(values, (v, r) => {
      if (typeof v !== 'number') {
        throw new ModelwaveError('MW_FILE', `${file}:${lines[r]}: label \`${column}\` must be a number for regression (got ${JSON.stringify(v)})`, [], {
          where: { path: ['data', 'source'], file, line: lines[r]! },
        });
      }
      return v;
    });
    return { classes: [], codes };
  }
  const asClass = (v: Cell): LabelValue => (typeof v === 'boolean' || v === null ? String(v) : v);
  let classes = given;
  if (classes.length === 0) {
    const distinct = [...new Map(values.map((v) => [String(v), asClass(v)] as const)).values()];
    const allNumbers = distinct.every((v) => typeof v === 'number');
    classes = allNumbers ? distinct.sort((a, b) => Number(a) - Number(b)) : distinct.sort((a, b) => String(a).localeCompare(String(b)));
  }
  const index = new Map(classes.map((c, i) => [String(c), i] as const));
  const codes = Float64Array.from(values, (v, r) => {
    const i = index.get(String(v));
    if (i === undefined) {
      throw new ModelwaveError('MW_FILE', `${file}:${lines[r]}: label \`${column}\` value ${JSON.stringify(v)} is not one of the classes [${classes.join(', ')}]`, [], {
        where: { path: ['label', 'classes'], file, line: lines[r]! },
      });
    }
    return i;
  });
  return { classes, codes };
}

/**
 * Builds the labeler for a scenario's label spec. `fields` are the row's fields (synthetic or replayed columns);
 * `column` is required for a `column` model. Throws MW_SCENARIO_INVALID naming the path on a bad reference.
 */
export function createLabeler(spec: LabelSpec, seed: number, fields: FieldInfo[], column?: ColumnLabels): Labeler {
  const model = spec.model;
  const byName = new Map(fields.map((f) => [f.name, f] as const));
  const task = spec.task;
  const classes: LabelValue[] =
    task === 'regression' ? [] : model.kind === 'column' && column ? column.classes : spec.classes.length > 0 ? spec.classes : modelClasses(model);
  const concept = spec.drift?.concept;
  if (concept && model.kind !== 'logistic' && model.kind !== 'linear') {
    throw invalid(`label.drift.concept: concept drift applies to logistic and linear models (this one is ${model.kind})`);
  }
  const flip = spec.drift?.flipRate;
  if (flip && task === 'regression') throw invalid('label.drift.flipRate: label noise applies to classification; use noiseSd for regression');

  const prng = createPrng(seed, STREAM.labels);
  const key: RowKey = { a: 0, b: 0 };
  const u = (slot: number, draw = 0): number => prng.uniform(key, slot, draw);
  const t = (p: number): number => (concept ? driftFraction(p, concept.start, concept.end) : 0);
  let base: (rowIndex: number, row: Row, p: number) => number;

  switch (model.kind) {
    case 'logistic': {
      const l = linear(model.bias, model.weights, concept, 'label.model', byName);
      const neg = classIndex(classes, model.classes[0], 'label.model.classes[0]');
      const pos = classIndex(classes, model.classes[1], 'label.model.classes[1]');
      base = (_i, row, p) => (u(SLOT_CLASS) < sigmoid(score(l, row, t(p))) ? pos : neg);
      break;
    }
    case 'threshold': {
      const { field, op, value } = model;
      const f = byName.get(field);
      if (!f) throw invalid(`label.model.field: no field \`${field}\`; fields are: ${[...byName.keys()].join(', ')}`);
      if (typeof value === 'number' && (f.type === 'string' || f.type === 'mixed')) {
        throw invalid(`label.model.field: field \`${field}\` is not numeric; compare it with a string value or pick a numeric field`);
      }
      const neg = classIndex(classes, model.classes[0], 'label.model.classes[0]');
      const pos = classIndex(classes, model.classes[1], 'label.model.classes[1]');
      base = (_i, row) => (compare(row[field], op, value) ? pos : neg);
      break;
    }
    case 'priors': {
      const { weights } = model;
      const total = weights.reduce((a, b) => a + b, 0);
      if (weights.length !== model.classes.length || !(total > 0) || weights.some((w) => !(w >= 0))) {
        throw invalid('label.model.weights: give one non-negative weight per class, not all zero');
      }
      const cum = new Float64Array(weights.length);
      weights.reduce((acc, w, i) => (cum[i] = acc + w / total), 0);
      cum[cum.length - 1] = 1;
      const map = model.classes.map((c, i) => classIndex(classes, c, `label.model.classes[${i}]`));
      base = () => {
        const x = u(SLOT_CLASS);
        let i = 0;
        while (x >= cum[i]) i++;
        return map[i];
      };
      break;
    }
    case 'softmax': {
      const parts = model.classes.map((c, i) => ({
        index: classIndex(classes, c.value, `label.model.classes[${i}]`),
        l: linear(c.bias, c.weights, undefined, `label.model.classes[${i}]`, byName),
      }));
      const z = new Float64Array(parts.length);
      base = (_i, row) => {
        let max = -Infinity;
        for (let k = 0; k < parts.length; k++) max = Math.max(max, (z[k] = score(parts[k].l, row, 0)));
        let sum = 0;
        for (let k = 0; k < parts.length; k++) sum += z[k] = Math.exp(z[k] - max);
        let x = u(SLOT_CLASS) * sum;
        for (let k = 0; k < parts.length - 1; k++) if ((x -= z[k]) < 0) return parts[k].index;
        return parts[parts.length - 1].index;
      };
      break;
    }
    case 'linear': {
      const l = linear(model.bias, model.weights, concept, 'label.model', byName);
      const sd = model.noiseSd;
      base = (_i, row, p) => score(l, row, t(p)) + (sd > 0 ? sd * boxMuller(u(SLOT_NOISE, 0), u(SLOT_NOISE, 1)) : 0);
      break;
    }
    case 'column': {
      if (!column) throw invalid(`label.model: a \`column\` label needs data.source (the column \`${model.column}\` is read from the file)`);
      base = (i) => column.code(i);
      break;
    }
  }

  const k = classes.length;
  const label =
    !flip || k < 2
      ? (i: number, row: Row, p: number): number => {
          prng.setRowKey(key, i);
          return base(i, row, p);
        }
      : (i: number, row: Row, p: number): number => {
          prng.setRowKey(key, i);
          const c = base(i, row, p);
          if (u(SLOT_FLIP) >= flip.from + (flip.to - flip.from) * p) return c;
          // Another class, uniformly: shift by 1..k-1.
          return k === 2 ? 1 - c : (c + 1 + Math.floor(u(SLOT_OTHER) * (k - 1))) % k;
        };
  return { task, classes, label };
}
