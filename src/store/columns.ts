// Request records in columns, as the writer queues them and the spool holds them, and the two ways out of memory:
// one multi-row INSERT … SELECT FROM unnest(array literals), or one spool line (JSON of columns).
import type { RecordBatch } from '../engine/types.js';

/** A RecordBatch plus each request's window index. Per-row columns hold count × rowsPerRequest entries. */
export interface RequestColumns {
  count: number;
  rowsPerRequest: number;
  seq: ArrayLike<number>;
  target: ArrayLike<number>;
  phase: ArrayLike<number>;
  worker: ArrayLike<number>;
  window: ArrayLike<number>;
  intendedUs: ArrayLike<number>;
  sentUs: ArrayLike<number>;
  receivedUs: ArrayLike<number>;
  outcome: ArrayLike<number>;
  status: ArrayLike<number>;
  errorCode: ArrayLike<number>;
  prediction: ArrayLike<number>;
  probability: ArrayLike<number>;
  label: ArrayLike<number>;
  uuid: readonly string[];
}

/** Requests [from, to) of some columns: big batches split and small ones merge without copying. */
export interface Part {
  cols: RequestColumns;
  from: number;
  to: number;
}

export const partSize = (p: Part): number => p.to - p.from;

export function fromBatch(batch: RecordBatch, window: Int32Array): RequestColumns {
  if (window.length < batch.count) {
    throw new RangeError(`window has ${window.length} entries for a batch of ${batch.count} requests`);
  }
  return { ...batch, window };
}

/** Split columns into parts of at most `max` requests. */
export function partsOf(cols: RequestColumns, max: number): Part[] {
  const out: Part[] = [];
  for (let from = 0; from < cols.count; from += max) out.push({ cols, from, to: Math.min(cols.count, from + max) });
  return out;
}

const SCALAR_NUMERIC = ['seq', 'target', 'phase', 'worker', 'window', 'intendedUs', 'sentUs', 'receivedUs', 'outcome', 'status', 'errorCode'] as const;
const PER_ROW = ['prediction', 'probability', 'label'] as const;
const NULLABLE_FLOAT = new Set<string>(['intendedUs', 'sentUs', 'receivedUs', ...PER_ROW]);

const num = (v: number): string => (Number.isFinite(v) ? String(v) : 'NULL');
/** HTTP status 0 means "no response". */
const status = (v: number): string => (v > 0 ? String(v) : 'NULL');
const text = (s: string): string => (s ? `"${s.replace(/[\\"]/g, '\\$&')}"` : 'NULL');

function literal(parts: Part[], each: (c: RequestColumns, i: number) => string): string {
  const out: string[] = [];
  for (const { cols, from, to } of parts) for (let i = from; i < to; i++) out.push(each(cols, i));
  return `{${out.join(',')}}`;
}

/** Request i's k values of a per-row column as a quoted float8[] literal, `"{0.5,NULL}"` (INSERT array element and CSV field alike). */
function rowsLiteral(col: ArrayLike<number>, i: number, k: number): string {
  const vals: string[] = [];
  for (let j = 0; j < k; j++) vals.push(num(col[i * k + j]));
  return `"{${vals.join(',')}}"`;
}

function perRow(parts: Part[], k: number, key: (typeof PER_ROW)[number]): string {
  if (k === 1) return literal(parts, (c, i) => num(c[key][i]));
  // One text element per request holding a float8[] literal; the statement casts it back to an array.
  return literal(parts, (c, i) => rowsLiteral(c[key], i, k));
}

const COLUMNS = 'run_id, seq, target, phase, worker, window_index, intended_us, sent_us, received_us, outcome, status_code, error_code, uuid';
const UNNEST_TYPES = ['bigint', 'smallint', 'smallint', 'smallint', 'integer', 'float8', 'float8', 'float8', 'smallint', 'smallint', 'smallint', 'text'];

function insertSql(k: number): string {
  const types = [...UNNEST_TYPES, ...(k === 1 ? ['float8', 'float8', 'float8'] : ['text', 'text', 'text'])];
  const args = types.map((t, i) => `$${i + 2}::${t}[]`).join(', ');
  const perRowCols = k === 1 ? 'prediction, probability, label' : 'predictions, probabilities, labels';
  const names = 'seq, target, phase, worker, win, intended, sent, received, outcome, status, err, uuid, p, pr, l';
  const cast = k === 1 ? 'p, pr, l' : 'p::float8[], pr::float8[], l::float8[]';
  // ON CONFLICT makes a retry after an ambiguous failure (connection lost during COMMIT) and a spool replay
  // idempotent: a request is stored once, whichever attempt got it in.
  return `INSERT INTO requests (${COLUMNS}, ${perRowCols})
SELECT $1, seq, target, phase, worker, win, intended, sent, received, outcome, status, err, uuid, ${cast}
FROM unnest(${args}) AS u(${names})
ON CONFLICT (run_id, seq) DO NOTHING`;
}

interface Insert {
  sql: string;
  params: string[];
  requests: number;
}

/** One INSERT for parts that share rowsPerRequest. Array literals as text params: faster than driver serialisation. */
export function buildInsert(runId: string, parts: Part[]): Insert {
  const k = parts[0].cols.rowsPerRequest;
  const params = [
    runId,
    literal(parts, (c, i) => String(c.seq[i])),
    literal(parts, (c, i) => String(c.target[i])),
    literal(parts, (c, i) => String(c.phase[i])),
    literal(parts, (c, i) => String(c.worker[i])),
    literal(parts, (c, i) => String(c.window[i])),
    literal(parts, (c, i) => num(c.intendedUs[i])),
    literal(parts, (c, i) => num(c.sentUs[i])),
    literal(parts, (c, i) => num(c.receivedUs[i])),
    literal(parts, (c, i) => String(c.outcome[i])),
    literal(parts, (c, i) => status(c.status[i])),
    literal(parts, (c, i) => String(c.errorCode[i])),
    literal(parts, (c, i) => text(c.uuid[i])),
    perRow(parts, k, 'prediction'),
    perRow(parts, k, 'probability'),
    perRow(parts, k, 'label'),
  ];
  return { sql: insertSql(k), params, requests: parts.reduce((n, p) => n + partSize(p), 0) };
}

const csvNum = (v: number): string => (Number.isFinite(v) ? String(v) : '');
/** CSV: unquoted empty is NULL; a quoted field may hold anything, quotes doubled. */
const csvText = (s: string): string => (s ? `"${s.replace(/"/g, '""')}"` : '');

/**
 * The same requests as buildInsert, as CSV for `COPY requests … FROM '/dev/blob'` (PGlite's way to COPY a blob):
 * about a third less CPU per row than the unnest INSERT in PGlite's WebAssembly Postgres (measured 23 vs 35 µs).
 * COPY has no ON CONFLICT: the caller falls back to buildInsert when a row is already there (a replay).
 */
export function buildCopyCsv(runId: string, parts: Part[]): { sql: string; csv: string; requests: number } {
  const k = parts[0].cols.rowsPerRequest;
  const run = csvText(runId);
  const lines: string[] = [];
  for (const { cols: c, from, to } of parts) {
    for (let i = from; i < to; i++) {
      const perRowVals =
        k === 1
          ? `${csvNum(c.prediction[i])},${csvNum(c.probability[i])},${csvNum(c.label[i])}`
          : `${rowsLiteral(c.prediction, i, k)},${rowsLiteral(c.probability, i, k)},${rowsLiteral(c.label, i, k)}`;
      lines.push(
        `${run},${c.seq[i]},${c.target[i]},${c.phase[i]},${c.worker[i]},${c.window[i]},${csvNum(c.intendedUs[i])},` +
          `${csvNum(c.sentUs[i])},${csvNum(c.receivedUs[i])},${c.outcome[i]},${c.status[i] > 0 ? c.status[i] : ''},` +
          `${c.errorCode[i]},${csvText(c.uuid[i])},${perRowVals}`,
      );
    }
  }
  const perRowCols = k === 1 ? 'prediction, probability, label' : 'predictions, probabilities, labels';
  return {
    sql: `COPY requests (${COLUMNS}, ${perRowCols}) FROM '/dev/blob' WITH (FORMAT csv)`,
    csv: lines.join('\n') + '\n',
    requests: lines.length,
  };
}

/** A spool line (without the newline) holding the parts' requests. NaN becomes null in JSON; decode restores it. */
export function encodeSpoolRequests(parts: Part[]): string {
  const k = parts[0].cols.rowsPerRequest;
  const obj: Record<string, unknown> = { t: 'req', k, n: 0 };
  let n = 0;
  for (const key of SCALAR_NUMERIC) {
    const arr: number[] = [];
    for (const { cols, from, to } of parts) for (let i = from; i < to; i++) arr.push(cols[key][i]);
    obj[key] = arr;
    n = arr.length;
  }
  for (const key of PER_ROW) {
    const arr: number[] = [];
    for (const { cols, from, to } of parts) for (let i = from * k; i < to * k; i++) arr.push(cols[key][i]);
    obj[key] = arr;
  }
  const uuid: string[] = [];
  for (const { cols, from, to } of parts) for (let i = from; i < to; i++) uuid.push(cols.uuid[i] ?? '');
  obj.uuid = uuid;
  obj.n = n;
  return JSON.stringify(obj);
}

/** Parse a spool `req` object back into columns; throws on a malformed line. */
export function decodeSpoolRequests(obj: Record<string, unknown>): RequestColumns {
  const n = obj.n;
  const k = obj.k;
  if (typeof n !== 'number' || typeof k !== 'number' || k < 1) throw new Error('req line without n/k');
  const col = (key: string, len: number): number[] => {
    const v = obj[key];
    if (!Array.isArray(v) || v.length !== len) throw new Error(`req line: ${key} should have ${len} entries`);
    return NULLABLE_FLOAT.has(key) ? v.map((x) => (x === null ? NaN : Number(x))) : (v as number[]);
  };
  const uuid = obj.uuid;
  if (!Array.isArray(uuid) || uuid.length !== n) throw new Error(`req line: uuid should have ${n} entries`);
  return {
    count: n,
    rowsPerRequest: k,
    seq: col('seq', n),
    target: col('target', n),
    phase: col('phase', n),
    worker: col('worker', n),
    window: col('window', n),
    intendedUs: col('intendedUs', n),
    sentUs: col('sentUs', n),
    receivedUs: col('receivedUs', n),
    outcome: col('outcome', n),
    status: col('status', n),
    errorCode: col('errorCode', n),
    prediction: col('prediction', n * k),
    probability: col('probability', n * k),
    label: col('label', n * k),
    uuid: uuid as string[],
  };
}

/**
 * Parts (same rowsPerRequest) copied into one compact set of typed arrays: what crosses to the store process (as
 * typed arrays, in one structured-clone message). Formatting the numbers as text happens over there, not here.
 */
export function concatParts(parts: Part[]): RequestColumns {
  const k = parts[0].cols.rowsPerRequest;
  const n = parts.reduce((s, p) => s + partSize(p), 0);
  const make = <T extends Float64Array | Int32Array | Uint16Array | Uint8Array>(
    Ctor: { new (len: number): T },
    key: keyof RequestColumns,
    per = 1,
  ): T => {
    const out = new Ctor(n * per);
    let at = 0;
    for (const { cols, from, to } of parts) {
      const src = cols[key] as ArrayLike<number>;
      const len = (to - from) * per;
      if (ArrayBuffer.isView(src)) out.set((src as unknown as T).subarray(from * per, to * per), at);
      else for (let i = 0; i < len; i++) out[at + i] = src[from * per + i];
      at += len;
    }
    return out;
  };
  const uuid: string[] = [];
  for (const { cols, from, to } of parts) for (let i = from; i < to; i++) uuid.push(cols.uuid[i] ?? '');
  return {
    count: n,
    rowsPerRequest: k,
    seq: make(Float64Array, 'seq'),
    target: make(Uint8Array, 'target'),
    phase: make(Uint8Array, 'phase'),
    worker: make(Uint8Array, 'worker'),
    window: make(Int32Array, 'window'),
    intendedUs: make(Float64Array, 'intendedUs'),
    sentUs: make(Float64Array, 'sentUs'),
    receivedUs: make(Float64Array, 'receivedUs'),
    outcome: make(Uint8Array, 'outcome'),
    status: make(Uint16Array, 'status'),
    errorCode: make(Uint8Array, 'errorCode'),
    prediction: make(Float64Array, 'prediction', k),
    probability: make(Float64Array, 'probability', k),
    label: make(Float64Array, 'label', k),
    uuid,
  };
}
