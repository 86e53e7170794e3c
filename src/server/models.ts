// The reference server's models. telco@v1 / telco@v2 are the cell-tower-failure classifiers whose decision
// functions are fixed in notes/shared-decisions.md (the label model in scenarios/telco.yaml must agree):
// v2 is the Bayes rule of that label model, v1 a cruder threshold. echo:/constant: serve generic tests.
import { usageError } from '../errors.js';

export type ModelValue = string | number | boolean;
export type InputRow = Record<string, unknown>;

export interface ModelOutput {
  prediction: ModelValue;
  /** Probability of the positive class, or null when the model has none. */
  probability: number | null;
}

export interface Model {
  /** As given: `telco@v1`, `echo:FIELD`, … */
  readonly spec: string;
  /** For protocol responses (`model_name`, `model_version`). */
  readonly name: string;
  readonly version: string;
  /** The input order a positional row (a list of values, a [n, k] tensor) is read in, like a trained model's. */
  readonly inputs: readonly string[];
  /** The output for one row, or an error message naming what is wrong with the row. */
  predict(row: InputRow): ModelOutput | string;
}

/** Numbers as they arrive; numeric strings too (BYTES tensors, CSV-like clients). */
function num(row: InputRow, field: string): number {
  const v = row[field];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return NaN;
}

const missing = (field: string) => `${field} must be a number`;

/** telco@v1: failure iff iot_signal_1 >= 6 (≈0.815 accuracy on the telco label model without drift, v2 ≈0.851). */
function telcoV1(s1: number): ModelOutput {
  return s1 >= 6 ? { prediction: 1, probability: 0.8 } : { prediction: 0, probability: 0.2 };
}

/** telco@v2: failure iff -37 + 0.9·s1 + 0.3·s4 > 0; probability = sigmoid of that score. */
function telcoV2(s1: number, s4: number): ModelOutput {
  const z = -37 + 0.9 * s1 + 0.3 * s4;
  return { prediction: z > 0 ? 1 : 0, probability: 1 / (1 + Math.exp(-z)) };
}

const MODELS = 'telco@v1, telco@v2, echo:FIELD or constant:VALUE';
/** The telco models' features in training order (scenarios/telco.yaml): positional rows are read this way. */
export const TELCO_INPUTS = ['iot_signal_1', 'iot_signal_2', 'iot_signal_3', 'iot_signal_4'] as const;

export function parseModel(spec: string): Model {
  if (spec === 'telco@v1') {
    return {
      spec,
      name: 'telco',
      version: 'v1',
      inputs: TELCO_INPUTS,
      predict(row) {
        const s1 = num(row, 'iot_signal_1');
        return Number.isFinite(s1) ? telcoV1(s1) : missing('iot_signal_1');
      },
    };
  }
  if (spec === 'telco@v2') {
    return {
      spec,
      name: 'telco',
      version: 'v2',
      inputs: TELCO_INPUTS,
      predict(row) {
        const s1 = num(row, 'iot_signal_1');
        if (!Number.isFinite(s1)) return missing('iot_signal_1');
        const s4 = num(row, 'iot_signal_4');
        if (!Number.isFinite(s4)) return missing('iot_signal_4');
        return telcoV2(s1, s4);
      },
    };
  }
  if (spec.startsWith('echo:') && spec.length > 5) {
    const field = spec.slice(5);
    return {
      spec,
      name: 'echo',
      version: '1',
      inputs: [field],
      predict(row) {
        const v = row[field];
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return { prediction: v, probability: null };
        return `${field} is missing from the row (the echo model predicts its value)`;
      },
    };
  }
  if (spec.startsWith('constant:') && spec.length > 9) {
    const value = constantValue(spec.slice(9));
    const out: ModelOutput = { prediction: value, probability: null };
    return { spec, name: 'constant', version: '1', inputs: [], predict: () => out };
  }
  throw usageError(`--model must be ${MODELS} (got ${JSON.stringify(spec)})`);
}

/** `constant:1` → 1, `constant:true` → true, `constant:yes` → "yes". */
function constantValue(text: string): ModelValue {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  } catch {
    // not JSON: the text itself is the value
  }
  return text;
}
