// The reference server's side of each wire protocol: request JSON → rows, model outputs → response JSON.
// Every model answers every protocol; each prediction carries a server uuid where the format has room for one.
import type { InputRow, Model, ModelOutput, ModelValue } from './models.js';

export interface Answer {
  status: number;
  body: string;
  /** Rows predicted (0 for a rejected request). */
  predictions: number;
}

/** A protocol handler: the parsed request body → the answer. `issue` mints one server uuid. */
export type ProtocolHandler = (json: unknown, model: Model, issue: () => string) => Answer;

export const badRequest = (message: string): Answer => ({ status: 400, body: JSON.stringify({ error: message }), predictions: 0 });

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Outputs for all rows, or the first row's problem as a 400. */
function predictAll(rows: InputRow[], model: Model, where: string): ModelOutput[] | Answer {
  const outs: ModelOutput[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const out = model.predict(rows[i]);
    if (typeof out === 'string') return badRequest(`${where}[${i}]: ${out}`);
    outs[i] = out;
  }
  return outs;
}

function rowObject(out: ModelOutput, uuid: string): Record<string, ModelValue | null> {
  return out.probability === null
    ? { prediction: out.prediction, uuid }
    : { prediction: out.prediction, probability: out.probability, uuid };
}

function rowList(rows: InputRow[], model: Model, issue: () => string, where: string): Answer {
  const outs = predictAll(rows, model, where);
  if (!Array.isArray(outs)) return outs;
  const predictions = outs.map((o) => rowObject(o, issue()));
  return { status: 200, body: JSON.stringify({ predictions }), predictions: rows.length };
}

/**
 * The rows of a request, leniently: named objects ({f: v}), objects of one-element lists ({f: [v]}: KServe's
 * DataFrame form), positional lists ([v1, v2]: read in the model's input order), or bare values (a one-input model).
 */
function objectRows(v: unknown, where: string, model: Model): InputRow[] | string {
  if (!Array.isArray(v) || v.length === 0) return `${where} must be a non-empty array of rows`;
  const rows: InputRow[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const item: unknown = v[i];
    if (isObject(item)) rows[i] = unwrapLists(item);
    else if (Array.isArray(item)) rows[i] = positionalRow(item, model);
    else if (model.inputs.length === 1 && item !== null) rows[i] = { [model.inputs[0]!]: item };
    else return `${where}[${i}] must be an object of field values or a list of values in the model's input order (${model.inputs.join(', ')})`;
  }
  return rows;
}

/** {f: [v]} → {f: v}; other values unchanged. */
function unwrapLists(o: Record<string, unknown>): InputRow {
  const row: InputRow = {};
  for (const [k, x] of Object.entries(o)) row[k] = Array.isArray(x) && x.length === 1 ? x[0] : x;
  return row;
}

function positionalRow(values: readonly unknown[], model: Model): InputRow {
  const row: InputRow = {};
  const n = Math.min(values.length, model.inputs.length);
  for (let j = 0; j < n; j++) row[model.inputs[j]!] = values[j];
  return row;
}

/** `{"f": [v0, v1, …], …}` (columns) → rows. */
function columnRows(cols: Record<string, unknown>, where: string): InputRow[] | string {
  const names = Object.keys(cols);
  const first = cols[names[0]];
  if (names.length === 0 || !Array.isArray(first)) return `${where} must map field names to arrays of values`;
  const rows: InputRow[] = Array.from({ length: first.length }, () => ({}));
  for (const name of names) {
    const col = cols[name];
    if (!Array.isArray(col) || col.length !== rows.length) return `${where}.${name} must be an array of ${rows.length} values`;
    for (let i = 0; i < rows.length; i++) rows[i][name] = col[i];
  }
  return rows;
}

/**
 * Cloudera model endpoint: `request` holds the row's fields (a model function), `{"record": row}` (the monitoring
 * AMP) or an MLflow payload (a Model Registry deployment: dataframe_split / dataframe_records / inputs, batches).
 */
export const cloudera: ProtocolHandler = (json, model, issue) => {
  if (!isObject(json) || !isObject(json.request)) return badRequest('body must be {"request": {field: value, ...}}');
  const request = json.request;
  if (isObject(request.record)) return clouderaOne(request.record, model, issue);
  if (isObject(request.dataframe_split) || request.dataframe_records !== undefined || request.inputs !== undefined) {
    const rows = mlflowRows(request, model);
    if (typeof rows === 'string') return badRequest(`request.${rows}`);
    const outs = predictAll(rows.rows, model, `request.${rows.where}`);
    if (!Array.isArray(outs)) return outs;
    const probs = outs.every((o) => o.probability !== null) ? { probability: outs.map((o) => o.probability) } : {};
    const response = { prediction: outs.map((o) => o.prediction), ...probs, uuid: issue() };
    return { status: 200, body: JSON.stringify({ success: true, response }), predictions: rows.rows.length };
  }
  return clouderaOne(request, model, issue);
};

function clouderaOne(row: InputRow, model: Model, issue: () => string): Answer {
  const out = model.predict(row);
  if (typeof out === 'string') return badRequest(`request: ${out}`);
  const response = rowObject(out, issue());
  return { status: 200, body: JSON.stringify({ success: true, response }), predictions: 1 };
}

/** The rows of an MLflow payload: dataframe_split, dataframe_records, or instances/inputs (lists of rows). */
function mlflowRows(json: Record<string, unknown>, model: Model): { rows: InputRow[]; where: string } | string {
  if (isObject(json.dataframe_split)) {
    const where = 'dataframe_split.data';
    const { columns, data } = json.dataframe_split;
    if (!Array.isArray(columns) || !columns.every((c) => typeof c === 'string')) return 'dataframe_split.columns must be an array of names';
    if (!Array.isArray(data) || data.length === 0) return 'dataframe_split.data must be a non-empty array of rows';
    const rows: InputRow[] = new Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const values: unknown = data[i];
      if (!Array.isArray(values) || values.length !== columns.length) return `dataframe_split.data[${i}] must be an array of ${columns.length} values`;
      const row: InputRow = {};
      for (let c = 0; c < columns.length; c++) row[columns[c] as string] = values[c];
      rows[i] = row;
    }
    return { rows, where };
  }
  for (const key of ['dataframe_records', 'instances', 'inputs'] as const) {
    if (json[key] === undefined) continue;
    const rows = objectRows(json[key], key, model);
    return typeof rows === 'string' ? rows : { rows, where: key };
  }
  return 'body must have "dataframe_split", "dataframe_records", "instances" or "inputs"';
}

/** MLflow /invocations: dataframe_split, dataframe_records, instances or inputs. */
export const mlflow: ProtocolHandler = (json, model, issue) => {
  if (!isObject(json)) return badRequest('body must be a JSON object');
  const rows = mlflowRows(json, model);
  return typeof rows === 'string' ? badRequest(rows) : rowList(rows.rows, model, issue, rows.where);
};

/** KServe v1 and TF Serving predict: instances (row format) or inputs (columnar). */
export const predictV1: ProtocolHandler = (json, model, issue) => {
  if (!isObject(json)) return badRequest('body must be a JSON object');
  let rows: InputRow[] | string;
  let where: string;
  if (json.instances !== undefined) {
    where = 'instances';
    rows = objectRows(json.instances, where, model);
  } else if (isObject(json.inputs)) {
    where = 'inputs';
    rows = columnRows(json.inputs, where);
  } else {
    return badRequest('body must have "instances": [{field: value, ...}, ...]');
  }
  return typeof rows === 'string' ? badRequest(rows) : rowList(rows, model, issue, where);
};

type Datatype = 'BOOL' | 'INT64' | 'FP64' | 'BYTES';

function datatypeOf(values: readonly unknown[]): Datatype {
  if (values.every((v) => typeof v === 'boolean')) return 'BOOL';
  if (values.every((v) => typeof v === 'number')) return values.every((v) => Number.isInteger(v)) ? 'INT64' : 'FP64';
  return 'BYTES';
}

/**
 * Open Inference Protocol: one [n, k] tensor (row i = its i-th row, read in the model's input order) or one [n] /
 * [n, 1] tensor per field (row i = every tensor's i-th element). Datatypes and `parameters` are not checked here:
 * the strict servers (src/server/strict/) do that.
 */
export const inferV2: ProtocolHandler = (json, model, issue) => {
  if (!isObject(json) || !Array.isArray(json.inputs) || json.inputs.length === 0) {
    return badRequest('body must be {"inputs": [{"name", "shape", "datatype", "data"}, ...]}');
  }
  let rows: InputRow[] | undefined;
  for (let t = 0; t < json.inputs.length; t++) {
    const input: unknown = json.inputs[t];
    if (!isObject(input) || typeof input.name !== 'string' || !Array.isArray(input.data) || !Array.isArray(input.shape)) {
      return badRequest(`inputs[${t}] must have a name, a shape and a data array`);
    }
    // Nested data is flattened row-major, the way the protocol allows.
    const data = input.data.flat(Infinity);
    const n = Number(input.shape[0]);
    const width = input.shape.slice(1).reduce((a: number, d) => a * Number(d), 1);
    if (data.length !== n * width) return badRequest(`inputs[${t}] (${input.name}): shape ${JSON.stringify(input.shape)} needs ${n * width} values, data has ${data.length}`);
    rows ??= Array.from({ length: n }, () => ({}));
    if (rows.length !== n) return badRequest(`inputs[${t}] (${input.name}) has ${n} rows, inputs[0] has ${rows.length}`);
    for (let i = 0; i < n; i++) {
      if (width === 1) rows[i]![input.name] = data[i];
      else Object.assign(rows[i]!, positionalRow(data.slice(i * width, (i + 1) * width), model));
    }
  }
  const outs = predictAll(rows!, model, 'rows');
  if (!Array.isArray(outs)) return outs;
  const n = outs.length;
  const preds = outs.map((o) => o.prediction);
  const uuids = outs.map(() => issue());
  const outputs: Record<string, unknown>[] = [{ name: 'prediction', shape: [n], datatype: datatypeOf(preds), data: preds }];
  if (outs.every((o) => o.probability !== null)) {
    outputs.push({ name: 'probability', shape: [n], datatype: 'FP64', data: outs.map((o) => o.probability) });
  }
  outputs.push({ name: 'uuid', shape: [n], datatype: 'BYTES', data: uuids });
  const id = typeof json.id === 'string' ? json.id : uuids[0];
  return {
    status: 200,
    body: JSON.stringify({ model_name: model.name, model_version: model.version, id, outputs }),
    predictions: n,
  };
};

/** The template protocol's demo API: {"features": row | [rows]} → {"result": {label, score, id} | [...]}. */
export const template: ProtocolHandler = (json, model, issue) => {
  if (!isObject(json)) return badRequest('body must be {"features": {...}} or {"features": [{...}, ...]}');
  const single = isObject(json.features);
  const rows = single ? [json.features as InputRow] : objectRows(json.features, 'features', model);
  if (typeof rows === 'string') return badRequest(rows);
  const outs = predictAll(rows, model, 'features');
  if (!Array.isArray(outs)) return outs;
  const results = outs.map((o) => ({ label: o.prediction, score: o.probability, id: issue() }));
  return { status: 200, body: JSON.stringify({ result: single ? results[0] : results }), predictions: rows.length };
};

/** Routes for prediction paths that depend on the model name in the URL (`/v1/models/NAME:predict`, …). */
export function protocolForPath(path: string): ProtocolHandler | undefined {
  if (path.startsWith('/v1/models/') && path.endsWith(':predict')) return predictV1;
  if (path.startsWith('/v2/models/') && path.endsWith('/infer')) return inferV2;
  return undefined;
}
