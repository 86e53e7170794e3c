// The row generator the engine calls: synthetic rows from compiled field specs, or rows of a replayed data set,
// and the true label of each. Everything is a function of (scenario, row index), never of call order.
import { ModelwaveError } from '../errors.js';
import type { Scenario } from '../spec/types.js';
import { compileFields } from './fields.js';
import { createLabeler, encodeColumn, type ColumnLabels, type FieldInfo, type Labeler } from './labels.js';
import { createPrng, permutation, STREAM, type RowKey } from './prng.js';
import { loadSource } from './source.js';
import { isPlainString, rowFactory, type Cell, type Row, type RowGenerator, type ValueKind } from './types.js';
import { syntheticKinds } from './field-types.js';

/** Drift progress of a row: its request's sequence number over the scenario's progress denominator, capped at 1. */
export function progressOf(scenario: Scenario): (rowIndex: number) => number {
  const k = Math.max(1, scenario.target.rowsPerRequest || 1);
  const over = scenario.progressRequests;
  if (!(over > 0)) return () => 0;
  return (rowIndex) => Math.min(1, Math.floor(rowIndex / k) / over);
}

interface RowSource {
  replayed?: RowGenerator['replayed'];
  fieldNames: string[];
  plainStrings: ReadonlySet<string>;
  fieldKinds: Record<string, ValueKind>;
  fields: FieldInfo[];
  size: number;
  row(rowIndex: number): Row;
  column?: ColumnLabels;
}

function synthetic(scenario: Scenario, progress: (rowIndex: number) => number): RowSource {
  const prng = createPrng(scenario.seed, STREAM.fields);
  const compiled = compileFields(scenario.data.fields, prng, scenario.seed);
  const names = compiled.map((f) => f.name);
  const evals = compiled.map((f) => f.eval);
  const key: RowKey = { a: 0, b: 0 };
  const ctx = { key, rowIndex: 0, progress: 0, values: new Array<Cell>(compiled.length) };
  const newRow = rowFactory(names);
  return {
    fieldNames: names,
    plainStrings: new Set(compiled.filter((f) => f.plain).map((f) => f.name)),
    fieldKinds: syntheticKinds(scenario.data.fields),
    fields: compiled.map((f) => ({ name: f.name, type: f.type })),
    size: Infinity,
    row(rowIndex) {
      prng.setRowKey(key, rowIndex);
      ctx.rowIndex = rowIndex;
      ctx.progress = progress(rowIndex);
      const row = newRow();
      for (let j = 0; j < evals.length; j++) row[names[j]] = ctx.values[j] = evals[j](ctx);
      return row;
    },
  };
}

function replay(scenario: Scenario): RowSource {
  const src = scenario.data.source;
  if (!src) throw new ModelwaveError('MW_INTERNAL', 'replay() called without data.source');
  if (scenario.data.fields.length > 0) {
    throw new ModelwaveError('MW_SCENARIO_INVALID', 'data: give either data.fields (synthetic rows) or data.source (replay), not both');
  }
  const label = scenario.label;
  const labelColumn = label?.model.kind === 'column' ? label.model.column : undefined;
  const data = loadSource(src, labelColumn);
  const n = data.rows.length;
  const order = src.order === 'shuffled' ? permutation(n, scenario.seed) : undefined;
  const stop = src.atEnd === 'stop';
  const physical = (rowIndex: number): number => {
    if (stop && rowIndex >= n) {
      throw new ModelwaveError('MW_INTERNAL', `row ${rowIndex} requested past the end of ${data.file} (${n} rows, atEnd: stop)`);
    }
    const i = rowIndex % n;
    return order ? order[i] : i;
  };
  let column: ColumnLabels | undefined;
  if (label && labelColumn !== undefined && data.labels) {
    const { classes, codes } = encodeColumn(data.labels, data.lines, data.file, labelColumn, label.task, label.classes);
    column = { classes, code: (rowIndex) => codes[physical(rowIndex)] };
  }
  const names = data.columns.map((c) => c.name);
  return {
    fieldNames: names,
    // A replayed file is all there is: a column is plain when every one of its values is.
    plainStrings: new Set(names.filter((n) => data.rows.every((r) => isPlainString(r[n])))),
    fieldKinds: Object.fromEntries(data.columns.map((c) => [c.name, c.kind])),
    replayed: { file: data.file, rows: data.rows, lines: data.lines },
    fields: data.columns,
    size: stop ? n : Infinity,
    row: (rowIndex) => data.rows[physical(rowIndex)],
    column,
  };
}

/**
 * The rows and ground truth of a scenario. A `data.source` file is read synchronously here; bad files throw
 * MW_FILE, bad field or label specs MW_SCENARIO_INVALID. Replayed rows are frozen and shared: do not mutate them.
 */
export function createRowGenerator(scenario: Scenario): RowGenerator {
  const progress = progressOf(scenario);
  const source = scenario.data.source ? replay(scenario) : synthetic(scenario, progress);
  const labeler: Labeler | undefined = scenario.label ? createLabeler(scenario.label, scenario.seed, source.fields, source.column) : undefined;
  return {
    fieldNames: source.fieldNames,
    fieldKinds: source.fieldKinds,
    plainStrings: source.plainStrings,
    classes: labeler?.classes ?? [],
    task: labeler?.task ?? 'none',
    size: source.size,
    ...(source.replayed && { replayed: source.replayed }),
    row: source.row,
    label: labeler ? (rowIndex, row) => labeler.label(rowIndex, row, progress(rowIndex)) : () => NaN,
  };
}
