// Shared response reading for every protocol: each codec says where its predictions live by default (`Located`);
// this module applies the scenario's path overrides and turns the value found into one prediction per row.
// The shapes real servers answer with (../shared/conformance, each case citing its upstream source) read the same:
// a list of values; a list of {prediction|label|class_ids|result, probability|probabilities|score} objects; a
// one-key record per row (MLflow's pandas Series [{"0": 1}] or one-column DataFrame [{"churn": 1}]); a dict of
// columns ({"label": [1, 0], "probability": [.9, .2]}); per-class score vectors (argmax → class); a single value
// or [p] for a single row; and, for a binary label, a number in [0, 1] that is not a class value is P(positive).
import type { Codec, DecodeResult, FieldType } from './types.js';
import { READ_AS } from './types.js';
import type { LabelValue, RowFormat, TargetSpec } from '../spec/types.js';
import { getPath, type PathSegment } from './path.js';
import { parseJsonTolerant } from './parse.js';
import { classOfProbability, positiveProbability, type ClassSpec } from '../spec/classes.js';

export type Prediction = string | number | boolean;

/** The label's classes as the readers need them (spec/classes.ts), plus which class values are numbers. */
export interface ClassInfo extends ClassSpec {
  /** The class values that are numbers (or numeric text): a number among them is a class, not a probability. */
  numericValues: ReadonlySet<number>;
}

/** Reading info for a class spec (positive class and decision threshold come from spec/classes.ts). */
export function classInfo(spec: ClassSpec): ClassInfo {
  const numericValues = new Set(spec.values.filter((c) => typeof c === 'number' || c.trim() !== '').map(Number).filter((n) => !Number.isNaN(n)));
  return { ...spec, numericValues };
}

/** Where a protocol found things in a parsed response (before overrides). */
export interface Located {
  predictions: unknown;
  /** A separate per-row probability container, when the protocol has one (kserve-v2 `probability` output). */
  probabilities?: unknown;
  uuid?: string;
  /** For messages: where the predictions were looked for. */
  where: string;
}

export interface Overrides {
  prediction?: PathSegment[];
  predictionWhere?: string;
  probability?: PathSegment[];
}

/** What every protocol module gets from createCodec. */
export interface CodecContext {
  target: TargetSpec;
  /** Every field of a row, in order. */
  fieldNames: string[];
  /** The fields sent, in order (target.send, default fieldNames). */
  send: string[];
  /** target.rowFormat as written; each codec applies its protocol's default (spec/wire.ts). */
  rowFormat: RowFormat | undefined;
  /** What each field holds, when known (kserve-v2 datatypes are declared or inferred from it once). */
  fieldTypes?: Record<string, FieldType>;
  /** Fields whose values are strings JSON writes as they are (json.ts PlainStrings), when known. */
  plainStrings?: ReadonlySet<string>;
  classes: ClassInfo;
  overrides: Overrides;
}

/** A Codec from a protocol's encoder and its default response locator. */
export function makeCodec(
  protocol: string,
  ctx: CodecContext,
  encode: Codec['encode'],
  locate: (root: unknown, rowCount: number) => Located | Failure,
): Codec {
  const { classes, overrides } = ctx;
  return {
    protocol,
    contentType: 'application/json',
    encode,
    decode: (body, rowCount) => decodeWith(body, rowCount, classes, overrides, (root) => locate(root, rowCount)),
  };
}

export type Failure = Extract<DecodeResult, { ok: false }>;

export const fail = (code: Failure['code'], message: string): Failure => ({ ok: false, code, message });

const snippet = (body: string) => JSON.stringify(body.length > 80 ? `${body.slice(0, 80)}…` : body);

/** JSON.parse, then (only if that fails) a parse that reads NaN/Infinity as null; reports instead of throwing. */
export function parseBody(body: string): { ok: true; value: unknown } | Failure {
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    const value = parseJsonTolerant(body);
    return value.ok ? value : fail('BAD_JSON', `response is not JSON: ${snippet(body)}`);
  }
}

/** Parse, locate (protocol default or overrides), read one prediction per row. Never throws. */
export function decodeWith(
  body: string,
  rowCount: number,
  classes: ClassInfo,
  overrides: Overrides,
  locate: (root: unknown) => Located | Failure,
): DecodeResult {
  const parsed = parseBody(body);
  if (!parsed.ok) return parsed;
  const root = parsed.value;
  const found = locate(root);
  if ('ok' in found) return found;
  let container = found.predictions;
  let where = found.where;
  let probContainer = found.probabilities;
  if (overrides.prediction) {
    container = getPath(root, overrides.prediction);
    where = overrides.predictionWhere ?? where;
    probContainer = undefined;
  }
  if (overrides.probability) probContainer = getPath(root, overrides.probability);
  const read = readRows(container, rowCount, classes, where);
  if (!read.ok) return read;
  if (probContainer !== undefined) {
    const probs = readProbabilities(probContainer, rowCount, classes);
    if (probs) read.probabilities = probs;
  }
  if (read.uuid === undefined && found.uuid !== undefined) read.uuid = found.uuid;
  return read;
}

type Ok = Extract<DecodeResult, { ok: true }>;

const PREDICTION_KEYS = ['prediction', 'label', 'class_ids', 'result', 'class'];
const PROBABILITY_KEYS = ['probability', 'probabilities', 'score', 'predict_proba'];

/** One row's reading: the prediction (null: none, the row is unscored), P(positive) or NaN, and how it was read. */
class Reading {
  value: Prediction | null = null;
  prob = NaN;
  kind: number = READ_AS.none;
}

/** One prediction per row from `container`; probabilities and a uuid come along when row objects carry them. */
export function readRows(container: unknown, rowCount: number, classes: ClassInfo, where: string): Ok | Failure {
  if (container === undefined || container === null) return fail('NO_PREDICTION', `no prediction at ${where}`);
  const items = Array.isArray(container) ? container : rowCount > 1 ? columnsToRows(container, rowCount) ?? [container] : [container];
  if (items.length !== rowCount) {
    return fail('PREDICTION_COUNT', `expected ${rowCount} prediction${rowCount === 1 ? '' : 's'} at ${where}, got ${items.length}`);
  }
  const predictions: (Prediction | null)[] = new Array(rowCount);
  let probabilities: (number | null)[] | undefined;
  let readAs: Uint8Array | undefined;
  let uuid: string | undefined;
  const r = new Reading();
  for (let i = 0; i < rowCount; i++) {
    const item = items[i];
    r.value = null;
    r.prob = NaN;
    r.kind = READ_AS.none;
    // null is a value the server chose (TF Serving's NaN reads as null): that row is unscored, the others count.
    if (item !== null && !readOne(item, classes, r)) {
      return fail('NO_PREDICTION', `no usable prediction at ${where}${rowCount > 1 || Array.isArray(container) ? `[${i}]` : ''}`);
    }
    predictions[i] = r.value;
    if (!Number.isNaN(r.prob)) {
      probabilities ??= new Array<number | null>(rowCount).fill(null);
      probabilities[i] = r.prob;
    }
    if (r.kind !== READ_AS.value) {
      readAs ??= new Uint8Array(rowCount).fill(READ_AS.value);
      readAs[i] = r.kind;
    }
    // A per-row uuid identifies the request only when the request carries one row.
    if (rowCount === 1 && item !== null && typeof item === 'object' && !Array.isArray(item)) {
      const id = (item as Record<string, unknown>).uuid;
      if (typeof id === 'string') uuid = id;
    }
  }
  const out: Ok = { ok: true, predictions };
  if (probabilities) out.probabilities = probabilities;
  if (readAs) out.readAs = readAs;
  if (uuid !== undefined) out.uuid = uuid;
  return out;
}

/** A dict of columns ({"label": [1, 0], "probability": [.9, .2]}, MLF-13) as row objects; undefined if it is not one. */
function columnsToRows(v: unknown, rowCount: number): Record<string, unknown>[] | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const cols = Object.entries(v);
  if (cols.length === 0 || !cols.every(([, c]) => Array.isArray(c) && c.length === rowCount)) return undefined;
  const rows: Record<string, unknown>[] = new Array(rowCount);
  for (let i = 0; i < rowCount; i++) {
    const row: Record<string, unknown> = {};
    for (const [k, c] of cols) row[k] = (c as unknown[])[i];
    rows[i] = row;
  }
  return rows;
}

/** Read one row's output into `r`; false when nothing in it is a prediction. */
function readOne(v: unknown, classes: ClassInfo, r: Reading): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      r.value = v;
      r.kind = READ_AS.value;
      return true;
    case 'number':
      if (classes.values.length === 2 && classes.positiveIndex >= 0 && v >= 0 && v <= 1 && !classes.numericValues.has(v)) {
        // A binary model's probability (a sigmoid output, Cloudera's churn model's "probability"): P(second class).
        r.prob = positiveProbability(classes, v);
        r.value = classes.values[classOfProbability(classes, v)];
        r.kind = READ_AS.probability;
        return true;
      }
      r.value = v;
      r.kind = READ_AS.value;
      return true;
    case 'object': {
      if (v === null) return false;
      if (Array.isArray(v)) {
        if (v.length === 1) return readOne(v[0], classes, r);
        // A per-class score vector: the class with the highest score.
        const n = classes.values.length;
        if (n >= 2 && v.length === n && v.every((x) => typeof x === 'number')) {
          const scores = v as number[];
          r.value = classes.values[argmax(scores)];
          if (classes.positiveIndex >= 0 && n === 2) r.prob = scores[classes.positiveIndex];
          r.kind = READ_AS.argmax;
          return true;
        }
        return false;
      }
      const o = v as Record<string, unknown>;
      const key = PREDICTION_KEYS.find((k) => Object.hasOwn(o, k));
      const probKey = PROBABILITY_KEYS.find((k) => Object.hasOwn(o, k));
      if (key !== undefined) {
        if (!readOne(o[key], classes, r)) return false;
        if (probKey !== undefined) {
          const p = positiveOf(o[probKey], classes);
          if (p !== null) r.prob = p;
        }
        return true;
      }
      // Only a probability (the Churn AMP's {"data", "probability", "explanation"}): the class follows from it.
      if (probKey !== undefined && probKey !== 'score') return readOne(o[probKey], classes, r);
      // A one-key record: MLflow's pandas Series [{"0": 1}] or a one-column DataFrame [{"churn": 1}].
      const keys = Object.keys(o);
      if (keys.length === 1 && keys[0] !== 'uuid') return readOne(o[keys[0]], classes, r);
      return false;
    }
    default:
      return false;
  }
}

/** P(positive): a binary label's single probability converted (it is P(second class)); a score vector or a {class: p} map → the positive class's entry. */
function positiveOf(v: unknown, classes: ClassInfo): number | null {
  if (typeof v === 'number') return classes.values.length === 2 && classes.positiveIndex >= 0 ? positiveProbability(classes, v) : v;
  if (v === null || typeof v !== 'object') return null;
  if (Array.isArray(v)) {
    if (v.length === 1) return positiveOf(v[0], classes);
    const idx = classes.positiveIndex >= 0 ? classes.positiveIndex : v.length === 2 ? 1 : -1;
    const x = idx >= 0 && (classes.values.length === 0 || v.length === classes.values.length) ? v[idx] : undefined;
    return typeof x === 'number' ? x : null;
  }
  if (classes.positiveIndex < 0) return null;
  const x = (v as Record<string, unknown>)[String(classes.values[classes.positiveIndex])];
  return typeof x === 'number' ? x : null;
}

/** Per-row probabilities from a separate container (a list, or one value for one row); undefined if unusable. */
export function readProbabilities(v: unknown, rowCount: number, classes: ClassInfo): (number | null)[] | undefined {
  if (Array.isArray(v) && v.length === rowCount) {
    const out = new Array<number | null>(rowCount);
    for (let i = 0; i < rowCount; i++) out[i] = positiveOf(v[i], classes);
    return out;
  }
  if (rowCount === 1 && v !== undefined && v !== null) {
    const p = positiveOf(v, classes);
    return p === null ? undefined : [p];
  }
  return undefined;
}

function argmax(v: number[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}
