// Shared response reading for every protocol: each codec says where its predictions live by default (`Located`);
// this module applies the scenario's path overrides and turns the value found into one prediction per row.
// Tolerant by design: a list of values, a list of {prediction, probability, uuid} objects, per-class probability
// vectors (argmax → class), or a single value for a single row all read the same way.
import type { Codec, DecodeResult } from './types.js';
import type { TargetSpec } from '../scenario/types.js';
import { getPath, type PathSegment } from './path.js';

export type Prediction = string | number | boolean;

/** Class values (index = class code) and which one is "positive" for probabilities (-1: none, e.g. multi-class). */
export interface ClassInfo {
  values: (string | number)[];
  positiveIndex: number;
}

export function classInfo(classes: (string | number)[] | undefined): ClassInfo {
  const values = classes ?? [];
  // Binary tasks report the probability of the second class (e.g. 1), like LabelSpec.positive's default.
  return { values, positiveIndex: values.length === 2 ? 1 : -1 };
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
  fieldNames: string[];
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

/** JSON.parse that reports instead of throwing. */
export function parseBody(body: string): { ok: true; value: unknown } | Failure {
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    return fail('BAD_JSON', `response is not JSON: ${snippet(body)}`);
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

/** One prediction per row from `container`; probabilities and a uuid come along when row objects carry them. */
export function readRows(container: unknown, rowCount: number, classes: ClassInfo, where: string): Ok | Failure {
  if (container === undefined || container === null) return fail('NO_PREDICTION', `no prediction at ${where}`);
  const items = Array.isArray(container) ? container : [container];
  if (items.length !== rowCount) {
    return fail('PREDICTION_COUNT', `expected ${rowCount} prediction${rowCount === 1 ? '' : 's'} at ${where}, got ${items.length}`);
  }
  const predictions: Prediction[] = new Array(rowCount);
  let probabilities: (number | null)[] | undefined;
  let uuid: string | undefined;
  for (let i = 0; i < rowCount; i++) {
    const item = items[i];
    const p = readOne(item, classes);
    if (p === undefined) {
      return fail('NO_PREDICTION', `no usable prediction at ${where}${rowCount > 1 || Array.isArray(container) ? `[${i}]` : ''}`);
    }
    predictions[i] = p;
    const prob = probabilityOf(item, classes);
    if (prob !== null) {
      probabilities ??= new Array<number | null>(rowCount).fill(null);
      probabilities[i] = prob;
    }
    // A per-row uuid identifies the request only when the request carries one row.
    if (rowCount === 1 && item !== null && typeof item === 'object' && !Array.isArray(item)) {
      const id = (item as Record<string, unknown>).uuid;
      if (typeof id === 'string') uuid = id;
    }
  }
  const out: Ok = { ok: true, predictions };
  if (probabilities) out.probabilities = probabilities;
  if (uuid !== undefined) out.uuid = uuid;
  return out;
}

/** A prediction value from one row's output, or undefined when there is none. */
function readOne(v: unknown, classes: ClassInfo): Prediction | undefined {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
      return v;
    case 'object': {
      if (v === null) return undefined;
      if (Array.isArray(v)) {
        if (v.length === 1) return readOne(v[0], classes);
        // A per-class score vector: the class with the highest score.
        const n = classes.values.length;
        if (n >= 2 && v.length === n && v.every((x) => typeof x === 'number')) return classes.values[argmax(v as number[])];
        return undefined;
      }
      const o = v as Record<string, unknown>;
      if (Object.hasOwn(o, 'prediction')) return readOne(o.prediction, classes);
      if (Object.hasOwn(o, 'label')) return readOne(o.label, classes);
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Probability of the positive class carried by one row's output (object field or score vector), else null. */
function probabilityOf(v: unknown, classes: ClassInfo): number | null {
  if (v === null || typeof v !== 'object') return null;
  if (Array.isArray(v)) return v.length > 1 ? positiveOf(v, classes) : null;
  const o = v as Record<string, unknown>;
  if (Object.hasOwn(o, 'probability')) return positiveOf(o.probability, classes);
  if (Object.hasOwn(o, 'probabilities')) return positiveOf(o.probabilities, classes);
  if (Object.hasOwn(o, 'score')) return positiveOf(o.score, classes);
  if (Array.isArray(o.prediction) && o.prediction.length > 1) return positiveOf(o.prediction, classes);
  return null;
}

/** A number as-is; a score vector or a {class: p} map → the positive class's entry. */
function positiveOf(v: unknown, classes: ClassInfo): number | null {
  if (typeof v === 'number') return v;
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
