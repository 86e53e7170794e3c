import type { LabelValue } from '../spec/types.js';

/** A value of a row; null only in replayed data (an empty CSV cell, a JSON null). */
export type Cell = string | number | boolean | null;
/** One input row: field name → value, in the scenario's field order. */
export type Row = Record<string, Cell>;

/** What a field holds, decided once from its definition (see src/data/field-types.ts). */
export type ValueKind = 'integer' | 'number' | 'boolean' | 'string' | 'mixed';

/**
 * Rows and ground truth as a pure function of (seed, row index). Request `seq` with k rows per request carries
 * rows seq*k … seq*k+k-1, so the same seed gives the same rows and labels whatever the number of workers.
 */
export interface RowGenerator {
  readonly fieldNames: string[];
  /** What each field holds (synthetic: from its spec; replay: declared types, else the column's values). */
  readonly fieldKinds: Readonly<Record<string, ValueKind>>;
  /** Class values for classification (index = class code), empty for regression or no label. */
  readonly classes: LabelValue[];
  readonly task: 'classification' | 'regression' | 'none';
  /** The row at this index. Drift progress is rowIndex / (overRequests × rowsPerRequest). */
  row(rowIndex: number): Row;
  /** The true label of that row: class index, regression value, or NaN without a label model. */
  label(rowIndex: number, row: Row): number;
  /**
   * Fields whose every value is a string that JSON writes as itself between quotes (no `"`, `\\`, control character
   * or lone surrogate), known from the field definitions or the replayed file: codecs copy them without escaping.
   */
  readonly plainStrings?: ReadonlySet<string>;
  /** Replay sources that `stop` at the end: number of rows available (Infinity for synthetic data). */
  readonly size: number;
  /** Replay only: the file's rows in file order with their 1-based lines (for the run's data check). */
  readonly replayed?: { readonly file: string; readonly rows: readonly Row[]; readonly lines: readonly number[] };
}

/** A string JSON writes as itself between quotes (see RowGenerator.plainStrings). */
export const isPlainString = (v: unknown): v is string => typeof v === 'string' && JSON.stringify(v) === `"${v}"`;

/**
 * Empty rows for these field names. Assigning `row.__proto__ = v` on a plain `{}` sets its prototype instead of a
 * field (and the encoder then reads Object.prototype → `"__proto__":null` on the wire), so rows with such a field
 * have no prototype; the others stay plain objects, which V8 reads faster on the hot path.
 */
export function rowFactory(names: readonly string[]): () => Row {
  return names.includes('__proto__') ? () => Object.create(null) as Row : () => ({});
}
