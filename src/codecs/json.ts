// Request-body building blocks. Encoding runs once per request on the hot path, so key fragments are
// precomputed and cells are written directly (measured ~1.5× faster than JSON.stringify of the row object).
import type { Cell, Row } from '../data/types.js';
import type { RowFormat } from '../spec/types.js';

/** One cell as JSON text: the same output as JSON.stringify for these types (non-finite numbers → null). */
export function cellJson(v: Cell | undefined): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return 'null';
}

/** `row → {"f1":v1,"f2":v2}` with the scenario's field order; only the named fields are sent. */
export function rowEncoder(fieldNames: readonly string[]): (row: Row) => string {
  if (fieldNames.length === 0) return (row) => JSON.stringify(row);
  const frags = fieldNames.map((k, i) => (i === 0 ? '{' : ',') + JSON.stringify(k) + ':');
  const names = fieldNames.slice();
  return (row) => {
    let s = '';
    for (let i = 0; i < names.length; i++) s += frags[i] + cellJson(row[names[i]]);
    return s + '}';
  };
}

/** `row → [v1,v2]` in `names` order (a positional row: what KServe's sklearn server and Keras models take). */
export function arrayRowEncoder(names: readonly string[]): (row: Row) => string {
  const list = names.slice();
  return (row) => {
    let s = '[';
    for (let i = 0; i < list.length; i++) s += (i === 0 ? '' : ',') + cellJson(row[list[i]]);
    return s + ']';
  };
}

/** `row → {"f1":[v1],"f2":[v2]}`: one-row columns, what KServe's v1 DataFrame input needs (pd.DataFrame(instance)). */
export function listsRowEncoder(names: readonly string[]): (row: Row) => string {
  const frags = names.map((k, i) => (i === 0 ? '{' : ',') + JSON.stringify(k) + ':[');
  const list = names.slice();
  return (row) => {
    let s = '';
    for (let i = 0; i < list.length; i++) s += frags[i] + cellJson(row[list[i]]) + ']';
    return s + '}';
  };
}

/** The writer of one row in `format`; `scalar` writes the one sent field's value. */
export function rowWriter(format: RowFormat, names: readonly string[]): (row: Row) => string {
  switch (format) {
    case 'object':
      return rowEncoder(names);
    case 'array':
      return arrayRowEncoder(names);
    case 'object-of-lists':
      return listsRowEncoder(names);
    case 'scalar': {
      const name = names[0];
      return (row) => cellJson(row[name]);
    }
  }
}

/** `[row, row, …]` with `encodeRow` for each. */
export function rowsJson(rows: readonly Row[], encodeRow: (row: Row) => string): string {
  let s = '[';
  for (let i = 0; i < rows.length; i++) s += (i === 0 ? '' : ',') + encodeRow(rows[i]);
  return s + ']';
}
