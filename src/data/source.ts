// Replay of a labelled data set: the whole file is read once, synchronously, at generator creation. Every problem
// (missing file or column, ragged row, bad JSON line) is a MW_FILE error naming the file and line. The one reader:
// the validator (header here, every row through the row generator) and the load workers both read through it.
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { ModelwaveError } from '../errors.js';
import { LIMITS } from '../spec/limits.js';
import { CsvSyntaxError, parseCsv } from './csv.js';
import type { ColumnType, CsvSource } from '../spec/types.js';
import type { ValueType } from './fields.js';
import { rowFactory, type Cell, type Row, type ValueKind } from './types.js';

export interface ColumnInfo {
  name: string;
  type: ValueType;
  /** What the column holds, for the wire: its declared type, else from its values (integer when all are whole). */
  kind: ValueKind;
  /** For a column that is not numeric: where, e.g. `data/x.csv:17: "n/a"` (for error messages). */
  firstText?: string;
}

export interface LoadedSource {
  /** The path as shown in messages (relative to the working directory when inside it). */
  file: string;
  /** Feature columns, in file order (or `columns` order when given). */
  columns: ColumnInfo[];
  /** One frozen row of feature cells per record, in file order. */
  rows: Row[];
  /** The label column's cell per record, when a label column was asked for. */
  labels?: Cell[];
  /** 1-based line of each record in the file. */
  lines: number[];
}

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** "02134", "-007": an id or a code, not a number ("0", "0.5", "-0.25" are numbers). */
const LEADING_ZERO = /^[+-]?0\d/;

/**
 * A CSV cell without a declared type: empty → null, numeric-looking text → a number unless it has a leading zero
 * (a zip code or an id keeps its digits), anything else stays text.
 */
export function csvCell(text: string): Cell {
  if (text === '') return null;
  return NUMERIC.test(text) && !LEADING_ZERO.test(text) ? Number(text) : text;
}

const BOOLEAN_TEXT: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false };

/** A cell as its declared type, or why it cannot be one. Empty stays null whatever the type. */
export function typedCell(v: Cell, type: ColumnType): Cell | { problem: string } {
  if (v === null) return null;
  switch (type) {
    case 'string':
      return typeof v === 'string' ? v : String(v);
    case 'number':
    case 'integer': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && NUMERIC.test(v.trim()) ? Number(v.trim()) : NaN;
      if (Number.isNaN(n)) return { problem: `${JSON.stringify(v)} is not a number` };
      if (type === 'integer' && !Number.isInteger(n)) return { problem: `${JSON.stringify(v)} is not an integer` };
      return n;
    }
    case 'boolean': {
      if (typeof v === 'boolean') return v;
      const b = BOOLEAN_TEXT[String(v).trim().toLowerCase()];
      return b ?? { problem: `${JSON.stringify(v)} is not a boolean (true/false, 1/0, yes/no)` };
    }
  }
}

function jsonCell(v: unknown): Cell {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (v === null || v === undefined) return null;
  return JSON.stringify(v);
}

export function displayPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

const fileError = (message: string, opts: { details?: string[]; line?: number; file?: string; cause?: unknown } = {}): ModelwaveError =>
  new ModelwaveError('MW_FILE', message, opts.details ?? [], {
    ...(opts.cause !== undefined ? { cause: opts.cause } : {}),
    where: { path: ['data', 'source'], ...(opts.file !== undefined ? { file: opts.file } : {}), ...(opts.line !== undefined ? { line: opts.line } : {}) },
  });

/** Bad rows reported at once (the first is the message, the rest details): enough to see a pattern, not a flood. */
const MAX_ROW_PROBLEMS = 5;

interface Table {
  header: string[];
  records: Cell[][];
  lines: number[];
}

/** Collects row problems; throws them all once MAX_ROW_PROBLEMS are seen or the file is done. */
class RowProblems {
  private readonly list: { line: number; text: string }[] = [];
  constructor(private readonly file: string) {}
  add(line: number, what: string): void {
    this.list.push({ line, text: `${this.file}:${line}: ${what}` });
    if (this.list.length >= MAX_ROW_PROBLEMS) this.throwIfAny(true);
  }
  throwIfAny(more = false): void {
    if (this.list.length === 0) return;
    const [first, ...rest] = this.list;
    const details = rest.map((p) => p.text);
    if (more) details.push(`(stopped after ${MAX_ROW_PROBLEMS} bad rows)`);
    throw fileError(first!.text, { details, file: this.file, line: first!.line });
  }
}

function readCsv(text: string, file: string, types: Record<string, ColumnType>): Table {
  let header: string[] | undefined;
  const records: Cell[][] = [];
  const lines: number[] = [];
  const bad = new RowProblems(file);
  try {
    parseCsv(text, (cells, line) => {
      if (!header) {
        header = cells;
        return;
      }
      if (cells.length !== header.length) {
        bad.add(line, `${cells.length} cells, header has ${header.length}; fix or remove the row`);
        return;
      }
      records.push(
        cells.map((cell, j) => {
          const type = types[header![j]!];
          // A declared type reads the raw text ("1e3" declared string stays "1e3"); otherwise csvCell guesses.
          return type === undefined ? csvCell(cell) : typeCell(cell === '' ? null : cell, type, file, line, header![j]!);
        }),
      );
      lines.push(line);
    });
  } catch (err) {
    if (!(err instanceof CsvSyntaxError)) throw err;
    bad.add(err.line, `not valid CSV: ${err.message}`);
  }
  bad.throwIfAny();
  if (!header) throw fileError(`${file} is empty; a CSV source needs a header row and at least one data row`, { file });
  return { header, records, lines };
}

function readJsonl(text: string, file: string, types: Record<string, ColumnType>): Table {
  let header: string[] | undefined;
  const records: Cell[][] = [];
  const lines: number[] = [];
  const bad = new RowProblems(file);
  const all = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < all.length; i++) {
    const src = all[i].trim();
    if (src === '') continue;
    const line = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(src);
    } catch (err) {
      bad.add(line, `not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      bad.add(line, 'each line must be a JSON object like {"a": 1}');
      continue;
    }
    const obj = value as Record<string, unknown>;
    header ??= Object.keys(obj);
    const missing = header.filter((k) => !Object.hasOwn(obj, k));
    if (missing.length > 0) {
      bad.add(line, `missing ${missing.map((k) => `\`${k}\``).join(', ')} (the first line has ${header.join(', ')})`);
      continue;
    }
    records.push(header.map((k) => typeCell(jsonCell(obj[k]), types[k], file, line, k)));
    lines.push(line);
  }
  bad.throwIfAny();
  if (!header) throw fileError(`${file} is empty; a JSONL source needs one JSON object per line`, { file });
  return { header, records, lines };
}

/**
 * The text of a data source: a regular file no larger than the limit (every load worker holds its rows in memory,
 * several times the file's size). `why` is a predicate on `data.source` when it cannot be read.
 */
function readText(abs: string): { text: string } | { why: string; code?: string; cause?: unknown } {
  try {
    const st = statSync(abs);
    if (!st.isFile()) return { why: 'is not a file' };
    if (st.size > LIMITS.dataSourceBytes) {
      return { why: `is ${mib(st.size)}, over the ${mib(LIMITS.dataSourceBytes)} limit (every load worker holds the rows in memory): sample the file` };
    }
    return { text: readFileSync(abs, 'utf8') };
  } catch (err) {
    const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
    return { why: `cannot be read: ${err instanceof Error ? err.message : String(err)}`, code, cause: err };
  }
}

/** Rounded up, so a file just over the limit never reads as equal to it. */
const mib = (bytes: number): string => `${Math.ceil((bytes / 1024 / 1024) * 10) / 10} MiB`;

/**
 * Column names of a CSV (first record) or JSONL (keys of the first object) file, by the same reader the load
 * workers use, or why not (a predicate on `data.source`, for the validator). Rows after the first are not checked.
 */
export function readSourceHeader(abs: string, format: 'csv' | 'jsonl'): string[] | string {
  const r = readText(abs);
  if ('why' in r) return r.code === 'ENOENT' ? 'names a file that does not exist' : r.why;
  if (r.text.replace(/^\uFEFF/, '').trim() === '') return 'names an empty file (expected a header line)';
  try {
    if (format === 'csv') {
      let header: string[] = [];
      parseCsv(r.text, (cells) => {
        header = cells;
        return false;
      });
      return header.map((c) => c.trim());
    }
    const first = r.text.replace(/^\uFEFF/, '').split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
    const obj: unknown = JSON.parse(first);
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return 'must hold one JSON object per line';
    return Object.keys(obj);
  } catch (err) {
    return `has an unreadable first line: ${(err as Error).message}`;
  }
}

/** Declared: the cell as that type (a cell that cannot be is a MW_FILE error at file:line); else as read. */
function typeCell(v: Cell, type: ColumnType | undefined, file: string, line: number, column: string): Cell {
  if (type === undefined) return v;
  const typed = typedCell(v, type);
  if (typed !== null && typeof typed === 'object') {
    throw fileError(`${file}:${line}: column \`${column}\` is declared ${type} (data.source.types) but ${typed.problem}`, { file, line });
  }
  return typed;
}

function columnInfo(name: string, j: number, t: Table, file: string, declared: ColumnType | undefined): ColumnInfo {
  let numbers = 0;
  let integers = 0;
  let bools = 0;
  let firstText: string | undefined;
  for (let r = 0; r < t.records.length; r++) {
    const v = t.records[r][j];
    if (v === null) continue; // empty: says nothing about the column's type
    if (typeof v === 'number') {
      numbers++;
      if (Number.isInteger(v)) integers++;
    } else if (typeof v === 'boolean') bools++;
    else {
      firstText ??= `${file}:${t.lines[r]}: ${JSON.stringify(v)}`;
      break;
    }
  }
  if (firstText !== undefined) return { name, type: 'string', kind: declared ?? 'string', firstText };
  const type: ValueType = numbers === 0 ? (bools === 0 ? 'string' : 'boolean') : bools === 0 ? 'number' : 'mixed';
  const kind: ValueKind = declared ?? (type === 'number' && integers === numbers ? 'integer' : type === 'string' ? 'string' : type);
  return { name, type, kind };
}

/**
 * Reads a CSV (with header) or JSONL file. `labelColumn` is split off the features; `src.columns` (default: every
 * other column) selects the features, in that order.
 */
export function loadSource(src: CsvSource, labelColumn?: string): LoadedSource {
  const file = displayPath(src.path);
  const r = readText(src.path);
  if ('why' in r) {
    const why = r.code === 'ENOENT' ? 'no such file' : r.why;
    throw fileError(`data.source: cannot read ${file}: ${why}`, { file, cause: r.cause });
  }
  // Null prototype: a column named `__proto__` or `constructor` must not find Object.prototype's members as its type.
  const types: Record<string, ColumnType> = Object.assign(Object.create(null) as Record<string, ColumnType>, src.types ?? {});
  const t = src.format === 'jsonl' ? readJsonl(r.text, file, types) : readCsv(r.text, file, types);
  if (t.records.length === 0) throw fileError(`${file} has a header but no data rows; a replayed source needs at least one`, { file });
  const seen = new Set<string>();
  for (const h of t.header) {
    if (seen.has(h)) throw fileError(`${file}: column \`${h}\` appears twice in the header`);
    seen.add(h);
  }
  const colIndex = new Map(t.header.map((h, j) => [h, j] as const));
  const known = t.header.join(', ');
  let labelIdx = -1;
  if (labelColumn !== undefined) {
    labelIdx = colIndex.get(labelColumn) ?? -1;
    if (labelIdx < 0) throw fileError(`label column \`${labelColumn}\` not found in ${file}; columns are: ${known}`);
  }
  const names = src.columns ?? t.header.filter((h) => h !== labelColumn);
  const missing = names.filter((n) => !colIndex.has(n));
  if (missing.length > 0) {
    throw fileError(`data.source.columns: ${missing.map((n) => `\`${n}\``).join(', ')} not found in ${file}; columns are: ${known}`);
  }
  const idx = names.map((n) => colIndex.get(n) ?? -1);
  const newRow = rowFactory(names);
  const rows = t.records.map((rec) => {
    const row = newRow();
    for (let j = 0; j < names.length; j++) row[names[j]] = rec[idx[j]];
    return Object.freeze(row);
  });
  return {
    file,
    columns: names.map((n, j) => columnInfo(n, idx[j], t, file, types[n])),
    rows,
    labels: labelIdx >= 0 ? t.records.map((rec) => rec[labelIdx]) : undefined,
    lines: t.lines,
  };
}
