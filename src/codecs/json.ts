// Request-body building blocks. Encoding runs once per request on the hot path, so the literal text around the
// values is precomputed and cells are written directly (measured ~1.5× faster than JSON.stringify of the row object).
import type { Cell, Row } from '../data/types.js';
import type { RowFormat } from '../spec/types.js';

/** One cell as JSON text: the same output as JSON.stringify for these types (non-finite numbers → null). */
export function cellJson(v: Cell | undefined): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return 'null';
}

/**
 * Fields whose every value is a string JSON writes as itself between quotes (no `"`, `\\`, control character or lone
 * surrogate): the row generator knows them from their definitions (RowGenerator.plainStrings). Their quotes join the
 * literal text around them, so such a value is copied as it is instead of going through JSON.stringify.
 */
export type PlainStrings = ReadonlySet<string>;

/**
 * A row writer as a template with holes: literal text, then each field's value, then literal text, … Fields in
 * `plain` are written without escaping; a row whose plain field is not a string after all is written by the generic
 * path (cellJson for every field), so the bytes are always JSON.stringify's.
 */
function holeWriter(
  names: readonly string[],
  plain: PlainStrings | undefined,
  open: string,
  before: (k: string, i: number) => string,
  after: string,
  close: string,
): (row: Row) => string {
  const list = names.slice();
  const n = list.length;
  const pre = list.map(before);
  const isPlain = list.map((k) => plain?.has(k) === true);
  const generic =
    after === ''
      ? (row: Row): string => {
          let s = open;
          for (let i = 0; i < n; i++) s += pre[i] + cellJson(row[list[i]]);
          return s + close;
        }
      : (row: Row): string => {
          let s = open;
          for (let i = 0; i < n; i++) s += pre[i] + cellJson(row[list[i]]) + after;
          return s + close;
        };
  if (!isPlain.includes(true)) return generic;
  // lit[i] closes value i-1 (its quote, `after`) and opens value i (`before`, its quote); lit[n] ends the row.
  const lit: string[] = [];
  for (let i = 0; i <= n; i++) {
    const end = i === 0 ? open : (isPlain[i - 1] ? '"' : '') + after;
    lit.push(end + (i < n ? pre[i] + (isPlain[i] ? '"' : '') : close));
  }
  return (row) => {
    let s = lit[0];
    for (let i = 0; i < n; i++) {
      const v = row[list[i]];
      if (isPlain[i]) {
        if (typeof v !== 'string') return generic(row);
        s += v;
      } else s += cellJson(v);
      s += lit[i + 1];
    }
    return s;
  };
}

const key = (k: string, i: number): string => (i === 0 ? '' : ',') + JSON.stringify(k) + ':';

/** `row → {"f1":v1,"f2":v2}` with the scenario's field order; only the named fields are sent. */
export function rowEncoder(fieldNames: readonly string[], plain?: PlainStrings): (row: Row) => string {
  if (fieldNames.length === 0) return (row) => JSON.stringify(row);
  return holeWriter(fieldNames, plain, '{', key, '', '}');
}

/** `row → [v1,v2]` in `names` order (a positional row: what KServe's sklearn server and Keras models take). */
export function arrayRowEncoder(names: readonly string[], plain?: PlainStrings): (row: Row) => string {
  return holeWriter(names, plain, '[', (_k, i) => (i === 0 ? '' : ','), '', ']');
}

/** `row → {"f1":[v1],"f2":[v2]}`: one-row columns, what KServe's v1 DataFrame input needs (pd.DataFrame(instance)). */
export function listsRowEncoder(names: readonly string[], plain?: PlainStrings): (row: Row) => string {
  return holeWriter(names, plain, '{', (k, i) => key(k, i) + '[', ']', '}');
}

/** The writer of one row in `format`; `scalar` writes the one sent field's value. */
export function rowWriter(format: RowFormat, names: readonly string[], plain?: PlainStrings): (row: Row) => string {
  switch (format) {
    case 'object':
      return rowEncoder(names, plain);
    case 'array':
      return arrayRowEncoder(names, plain);
    case 'object-of-lists':
      return listsRowEncoder(names, plain);
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
