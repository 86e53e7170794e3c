// Replay of a labelled data set: the whole file is read once, synchronously, at generator creation. Every problem
// (missing file or column, ragged row, bad JSON line) is a MW_FILE error naming the file and line.
import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { parse } from 'csv-parse/sync';
import { ModelwaveError } from '../errors.js';
import type { ColumnType, CsvSource } from '../scenario/types.js';
import type { ValueType } from './fields.js';
import type { Cell, Row, ValueKind } from './types.js';

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

const fileError = (message: string, cause?: unknown): ModelwaveError =>
  new ModelwaveError('MW_FILE', message, [], cause === undefined ? undefined : { cause });

interface Table {
  header: string[];
  records: Cell[][];
  lines: number[];
}

function readCsv(text: string, file: string, types: Record<string, ColumnType>): Table {
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, info: true });
  } catch (err) {
    const line = typeof err === 'object' && err !== null && 'lines' in err ? `:${String(err.lines)}` : '';
    throw fileError(`${file}${line}: not valid CSV: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  if (parsed.length === 0) throw fileError(`${file} is empty; a CSV source needs a header row and at least one data row`);
  const starts = recordStartLines(text);
  // csv-parse's info.lines is where a record ends, and counts a CR LF inside a quoted cell twice: prefer the
  // record's own first line; fall back to csv-parse's count if the two scans disagree on the records.
  const lineOf = (r: number): number => (starts.length === parsed.length ? starts[r]! : parsed[r]!.info.lines);
  const header = parsed[0]!.record;
  const records: Cell[][] = [];
  const lines: number[] = [];
  for (let r = 1; r < parsed.length; r++) {
    const { record } = parsed[r]!;
    const line = lineOf(r);
    if (record.length !== header.length) {
      throw fileError(`${file}:${line}: ${record.length} cells, header has ${header.length}`);
    }
    records.push(
      record.map((cell, j) => {
        const type = types[header[j]!];
        // A declared type reads the raw text ("1e3" declared string stays "1e3"); otherwise csvCell guesses.
        return type === undefined ? csvCell(cell) : typeCell(cell === '' ? null : cell, type, file, line, header[j]!);
      }),
    );
    lines.push(line);
  }
  return { header, records, lines };
}

/** The 1-based line each non-empty CSV record starts on (CR LF, LF or CR line ends; breaks inside quotes belong to the cell). */
function recordStartLines(text: string): number[] {
  const starts: number[] = [];
  let line = 1;
  let inQuotes = false;
  let atStart = true;
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const br = c === 0x0a || c === 0x0d;
    if (atStart && !br) {
      starts.push(line);
      atStart = false;
    }
    if (c === 0x22) inQuotes = !inQuotes;
    else if (br) {
      if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) i++;
      line++;
      if (!inQuotes) atStart = true;
    }
  }
  return starts;
}

function readJsonl(text: string, file: string, types: Record<string, ColumnType>): Table {
  let header: string[] | undefined;
  const records: Cell[][] = [];
  const lines: number[] = [];
  const all = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < all.length; i++) {
    const src = all[i].trim();
    if (src === '') continue;
    const line = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(src);
    } catch (err) {
      throw fileError(`${file}:${line}: not valid JSON: ${err instanceof Error ? err.message : String(err)}`, err);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw fileError(`${file}:${line}: each line must be a JSON object like {"a": 1}`);
    }
    const obj = value as Record<string, unknown>;
    header ??= Object.keys(obj);
    const missing = header.filter((k) => !Object.hasOwn(obj, k));
    if (missing.length > 0) {
      throw fileError(`${file}:${line}: missing ${missing.map((k) => `\`${k}\``).join(', ')} (the first line has ${header.join(', ')})`);
    }
    records.push(header.map((k) => typeCell(jsonCell(obj[k]), types[k], file, line, k)));
    lines.push(line);
  }
  if (!header) throw fileError(`${file} is empty; a JSONL source needs one JSON object per line`);
  return { header, records, lines };
}

/** Declared: the cell as that type (a cell that cannot be is a MW_FILE error at file:line); else as read. */
function typeCell(v: Cell, type: ColumnType | undefined, file: string, line: number, column: string): Cell {
  if (type === undefined) return v;
  const typed = typedCell(v, type);
  if (typed !== null && typeof typed === 'object') {
    throw fileError(`${file}:${line}: column \`${column}\` is declared ${type} (data.source.types) but ${typed.problem}`);
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
  let text: string;
  try {
    text = readFileSync(src.path, 'utf8');
  } catch (err) {
    const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
    const why = code === 'ENOENT' ? 'no such file' : err instanceof Error ? err.message : String(err);
    throw fileError(`data.source: cannot read ${file}: ${why}`, err);
  }
  const types = src.types ?? {};
  const t = src.format === 'jsonl' ? readJsonl(text, file, types) : readCsv(text, file, types);
  if (t.records.length === 0) throw fileError(`${file} has a header but no data rows`);
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
  const rows = t.records.map((rec) => {
    const row: Row = {};
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
