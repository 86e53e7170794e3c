// Cloudera AI model endpoints: {"accessKey"?, "request": …} → {"success", "response": {"prediction", "uuid"}}.
// `target.cloudera.request` says how the row(s) sit inside `request` (../shared/conformance/1-cloudera.json):
//   flat              {"request": {f: v, …}}                          a model function reading fields (Churn AMP)
//   record            {"request": {"record": {f: v, …}}}              the Continuous Model Monitoring AMP
//   dataframe_split   {"request": {"dataframe_split": {columns, data}}}  a model deployed from the Model Registry
//   dataframe_records {"request": {"dataframe_records": [{…}, …]}}    (an MLflow payload: batches allowed)
//   inputs            {"request": {"inputs": [[…], …]}}
import type { Codec } from './types.js';
import type { Row } from '../data/types.js';
import { ModelwaveError } from '../errors.js';
import { CLOUDERA_BATCH_FORMS, clouderaRequestOf } from '../spec/wire.js';
import { fail, makeCodec, type CodecContext, type Located } from './extract.js';
import { rowsJson, rowWriter } from './json.js';
import { splitFrame } from './mlflow.js';

export function clouderaCodec(ctx: CodecContext): Codec {
  const { target } = ctx;
  const form = clouderaRequestOf(target);
  if (target.rowsPerRequest !== 1 && !CLOUDERA_BATCH_FORMS.includes(form)) {
    throw new ModelwaveError('MW_SCENARIO_INVALID', `target.rowsPerRequest must be 1 for protocol cloudera with request form ${form} (got ${target.rowsPerRequest})`, [
      `target.rowsPerRequest: a ${form} request holds one row; set target.cloudera.request to ${CLOUDERA_BATCH_FORMS.join(', ')} to batch.`,
    ]);
  }
  const head = target.accessKey === undefined ? '{"request":' : `{"accessKey":${JSON.stringify(target.accessKey)},"request":`;
  const body = requestBody(form, ctx);
  return makeCodec('cloudera', ctx, (rows) => head + body(rows) + '}', locate);
}

function requestBody(form: ReturnType<typeof clouderaRequestOf>, ctx: CodecContext): (rows: Row[]) => string {
  switch (form) {
    case 'flat': {
      const encodeRow = rowWriter('object', ctx.send, ctx.plainStrings);
      return (rows) => encodeRow(rows[0]);
    }
    case 'record': {
      const encodeRow = rowWriter('object', ctx.send, ctx.plainStrings);
      return (rows) => `{"record":${encodeRow(rows[0])}}`;
    }
    case 'dataframe_split': {
      const frame = splitFrame(ctx.send, ctx.plainStrings);
      return (rows) => `{"dataframe_split":${frame(rows)}}`;
    }
    case 'dataframe_records': {
      const encodeRow = rowWriter('object', ctx.send, ctx.plainStrings);
      return (rows) => `{"dataframe_records":${rowsJson(rows, encodeRow)}}`;
    }
    case 'inputs': {
      const encodeRow = rowWriter(ctx.rowFormat ?? 'array', ctx.send, ctx.plainStrings);
      return (rows) => `{"inputs":${rowsJson(rows, encodeRow)}}`;
    }
  }
}

function locate(root: unknown, rowCount: number): Located | ReturnType<typeof fail> {
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    return fail('NO_PREDICTION', 'response is not a JSON object with "response"');
  }
  const o = root as Record<string, unknown>;
  if (o.success === false) {
    const why = typeof o.error === 'string' ? o.error : JSON.stringify(o.response ?? null).slice(0, 120);
    return fail('NO_PREDICTION', `endpoint answered success: false (${why})`);
  }
  const response = o.response;
  // The model function's return value is `response.prediction` when cml_model(metrics=True) wraps it (with a uuid),
  // else `response` itself; a bare value (a string from an LLM app) is the prediction.
  if (response !== null && typeof response === 'object' && !Array.isArray(response)) {
    const r = response as Record<string, unknown>;
    const uuid = typeof r.uuid === 'string' ? r.uuid : undefined;
    if (!Object.hasOwn(r, 'prediction')) return { predictions: r, uuid, where: 'response' };
    // One request's output: a list is that row's value (a score vector) unless it is the one-element list a
    // registry model returns; with several rows it is one entry per row.
    const p = r.prediction;
    const predictions = rowCount === 1 && Array.isArray(p) && p.length !== 1 ? [p] : p;
    const found: Located = { predictions, uuid, where: 'response.prediction' };
    if (typeof r.probability === 'number' || Array.isArray(r.probability)) found.probabilities = rowCount === 1 ? [r.probability] : r.probability;
    return found;
  }
  return { predictions: response, where: 'response' };
}
