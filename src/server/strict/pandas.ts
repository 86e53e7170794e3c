// Just enough pandas for the MLflow strict servers: a DataFrame built from a JSON payload (split or records orient),
// column dtypes as pandas infers them, astype() with pandas' errors, and repr() for messages that quote the data.
import { isNumber, isObject, numeric } from './jsonparse.js';
import { Float, type PyValue, parsePyFloat, pyFloat, pyRepr } from './pyjson.js';

export interface Frame {
  columns: string[];
  /** Row-major cells. */
  rows: PyValue[][];
}

export const column = (f: Frame, name: string): PyValue[] => {
  const i = f.columns.indexOf(name);
  return f.rows.map((r) => r[i]);
};

/** pd.DataFrame(data=records): columns in order of first appearance, missing cells NaN/None. */
export function fromRecords(records: readonly PyValue[]): Frame | string {
  const columns: string[] = [];
  for (const r of records) {
    if (!isObject(r)) return 'DataFrame constructor not properly called!';
    for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  }
  return { columns, rows: records.map((r) => columns.map((c) => (isObject(r) && c in r ? r[c] : null))) };
}

/** pd.DataFrame(index, columns, data) of the split orient, with pandas' shape errors. */
export function fromSplit(columns: PyValue | undefined, data: PyValue, index: PyValue | undefined): Frame | string {
  if (!Array.isArray(data)) return 'DataFrame constructor not properly called!';
  const rows = data.map((r) => (Array.isArray(r) ? r : [r]));
  const width = rows.length ? rows[0].length : Array.isArray(columns) ? columns.length : 0;
  if (rows.some((r) => r.length !== width)) return `${width} columns passed, passed data had ${Math.max(...rows.map((r) => r.length))} columns`;
  const names = Array.isArray(columns) ? columns.map((c) => String(c)) : Array.from({ length: width }, (_, i) => String(i));
  if (names.length !== width && rows.length > 0) return `${names.length} columns passed, passed data had ${width} columns`;
  if (Array.isArray(index) && index.length !== rows.length) {
    return `Shape of passed values is (${rows.length}, ${width}), indices imply (${index.length}, ${width})`;
  }
  return { columns: names, rows };
}

/** Series.astype(float64 | int64) on a column: the converted values, or pandas'/numpy's ValueError text. */
export function astype(values: readonly PyValue[], to: 'float64' | 'float32' | 'int64' | 'int32'): PyValue[] | string {
  const out: PyValue[] = [];
  for (const v of values) {
    let x: number;
    if (v === null) x = NaN;
    else if (typeof v === 'boolean') x = v ? 1 : 0;
    else if (isNumber(v)) x = numeric(v);
    else if (typeof v === 'string' && parsePyFloat(v) !== undefined) x = parsePyFloat(v)!;
    else if (typeof v === 'string') return `could not convert string to float: ${pyRepr(v)}`;
    else return `float() argument must be a string or a real number, not '${Array.isArray(v) ? 'list' : 'dict'}'`;
    if (to.startsWith('int')) {
      if (!Number.isFinite(x)) return 'Cannot convert non-finite values (NA or inf) to integer';
      out.push(Math.trunc(x));
    } else out.push(new Float(to === 'float32' ? Math.fround(x) : x));
  }
  return out;
}

const cell = (v: PyValue): string => {
  if (v === null) return 'None';
  if (v instanceof Float) return Number.isNaN(v.value) ? 'NaN' : pyFloat(v.value);
  if (typeof v === 'string') return v;
  return pyRepr(v);
};

/** repr(DataFrame): index column, right-aligned cells under their headers (pandas' default to_string). */
export function frameRepr(f: Frame): string {
  const table = [['', ...f.columns], ...f.rows.map((r, i) => [String(i), ...r.map(cell)])];
  const widths = table[0].map((_, j) => Math.max(...table.map((r) => r[j].length)));
  return table.map((r) => r.map((c, j) => (j === 0 ? c.padEnd(widths[0]) : c.padStart(widths[j]))).join('  ')).join('\n');
}
