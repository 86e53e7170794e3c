import type { LabelValue } from '../scenario/types.js';

export type Cell = string | number | boolean;
/** One input row: field name → value, in the scenario's field order. */
export type Row = Record<string, Cell>;

/**
 * Rows and ground truth as a pure function of (seed, row index). Request `seq` with k rows per request carries
 * rows seq*k … seq*k+k-1, so the same seed gives the same rows and labels whatever the number of workers.
 */
export interface RowGenerator {
  readonly fieldNames: string[];
  /** Class values for classification (index = class code), empty for regression or no label. */
  readonly classes: LabelValue[];
  readonly task: 'classification' | 'regression' | 'none';
  /** The row at this index. Drift progress is rowIndex / (overRequests × rowsPerRequest). */
  row(rowIndex: number): Row;
  /** The true label of that row: class index, regression value, or NaN without a label model. */
  label(rowIndex: number, row: Row): number;
  /** Replay sources that `stop` at the end: number of rows available (Infinity for synthetic data). */
  readonly size: number;
}

/**
 * Empty rows for these field names. Assigning `row.__proto__ = v` on a plain `{}` sets its prototype instead of a
 * field (and the encoder then reads Object.prototype → `"__proto__":null` on the wire), so rows with such a field
 * have no prototype; the others stay plain objects, which V8 reads faster on the hot path.
 */
export function rowFactory(names: readonly string[]): () => Row {
  return names.includes('__proto__') ? () => Object.create(null) as Row : () => ({});
}
