// Replay of a labelled data set: the whole file is read once, synchronously, at generator creation. Every problem
// (missing file or column, ragged row, bad JSON line) is a MW_FILE error naming the file and line.
import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { parse } from 'csv-parse/sync';
import { ModelwaveError } from '../errors.js';
import type { CsvSource } from '../scenario/types.js';
import type { ValueType } from './fields.js';
import { rowFactory, type Cell, type Row } from './types.js';

export interface ColumnInfo {
  name: string;
  type: ValueType;
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

/** A CSV cell: numeric-looking text becomes a number, anything else stays text. */
export function csvCell(text: string): Cell {
  return NUMERIC.test(text) ? Number(text) : text;
}

function jsonCell(v: unknown): Cell {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (v === null || v === undefined) return '';
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

function readCsv(text: string, file: string): Table {
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, info: true });
  } catch (err) {
    const line = typeof err === 'object' && err !== null && 'lines' in err ? `:${String(err.lines)}` : '';
    throw fileError(`${file}${line}: not valid CSV: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  if (parsed.length === 0) throw fileError(`${file} is empty; a CSV source needs a header row and at least one data row`);
  const [head, ...body] = parsed;
  const header = head.record;
  const records: Cell[][] = [];
  const lines: number[] = [];
  for (const { record, info } of body) {
    if (record.length !== header.length) {
      throw fileError(`${file}:${info.lines}: ${record.length} cells, header has ${header.length}`);
    }
    records.push(record.map(csvCell));
    lines.push(info.lines);
  }
  return { header, records, lines };
}

function readJsonl(text: string, file: string): Table {
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
    records.push(header.map((k) => jsonCell(obj[k])));
    lines.push(line);
  }
  if (!header) throw fileError(`${file} is empty; a JSONL source needs one JSON object per line`);
  return { header, records, lines };
}

function columnInfo(name: string, j: number, t: Table, file: string): ColumnInfo {
  let numbers = 0;
  let bools = 0;
  for (let r = 0; r < t.records.length; r++) {
    const v = t.records[r][j];
    if (typeof v === 'number') numbers++;
    else if (typeof v === 'boolean') bools++;
    else return { name, type: 'string', firstText: `${file}:${t.lines[r]}: ${JSON.stringify(v)}` };
  }
  return { name, type: numbers === 0 ? 'boolean' : bools === 0 ? 'number' : 'mixed' };
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
  const t = src.format === 'jsonl' ? readJsonl(text, file) : readCsv(text, file);
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
  const newRow = rowFactory(names);
  const rows = t.records.map((rec) => {
    const row = newRow();
    for (let j = 0; j < names.length; j++) row[names[j]] = rec[idx[j]];
    return Object.freeze(row);
  });
  return {
    file,
    columns: names.map((n, j) => columnInfo(n, idx[j], t, file)),
    rows,
    labels: labelIdx >= 0 ? t.records.map((rec) => rec[labelIdx]) : undefined,
    lines: t.lines,
  };
}
