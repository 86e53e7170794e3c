// Cloudera AI (CML) model endpoints: POST /model with {"accessKey", "request": <the model function's argument>};
// the answer wraps the function's return value as {"success": true, "response": …}. Two model functions:
//   cml-record   — an AMP-style function reading args["record"] (or the flat fields), one row per call
//   cml-registry — a model deployed from the Model Registry: args is an MLflow payload, batches allowed
// and the monitoring service's POST /track-delayed-metrics for delayed ground truth. Sources:
//   cloudera/CML_AMP_Continuous_Model_Monitoring src/inference.py (client body {accessKey, request: {record}}),
//     scripts/predict.py (data_input["record"], df[col_order], @cml_model(metrics=True) → {prediction, uuid})
//   cloudera/CML_AMP_Churn_Prediction code/5_model_serve_explainer.py (flat args, {data, probability, explanation})
//   cloudera-cemea/mlops-mlflow lab_3_monitoring/1_technical_metrics_create_traffic.ipynb (registry model called
//     with {"inputs": [[…]]}), 2b_use_model_metrics_online.ipynb (prediction list, deployment CRN, uuid)
//   cdsw.py, Cloudera's `cdsw` Python utilities (public copy): call_model (non-200 answers read as
//     result["error"]["message"]), model_metrics ({'prediction': out, 'uuid': …}), track_delayed_metrics
//     (POST <monitoring>/track-delayed-metrics {modelDeploymentCrn, predictionUuid, metrics} with Authorization)
// Not in any public source: the status codes of refusals (401 for a missing or wrong access key, 500 for a model
// function that raised) and the ReplicaID/Size/StatusCode fields the model proxy adds beside "response".
import { randomUUID } from 'node:crypto';
import type { StrictConfig } from './config.js';
import { type StrictHandler, type StrictReply, type StrictRequest, json } from './http.js';
import { JsonSyntaxError, isNumber, isObject, numeric, plain, parseJson } from './jsonparse.js';
import { LinearModel, type Scored } from './model.js';
import { mlflowScore } from './mlflow-pyfunc.js';
import { type PyValue, f64, parsePyFloat, pyDumps, pyRepr } from './pyjson.js';

export const METRICS_PATH = '/track-delayed-metrics';
const MODEL_PATHS = ['/model', '/api/altus-ds-1/models/call-model'];
const MAX_REMEMBERED = 1_000_000;

const refuse = (status: number, message: string): StrictReply => json(status, pyDumps({ success: false, error: { message } }));

type ModelFunction = (args: PyValue, uuid: string) => { out: PyValue; rows: number; labels: string[] } | { raised: string };

function clouderaServer(cfg: StrictConfig, fn: ModelFunction, kind: string): StrictHandler {
  const c = cfg.cloudera;
  const replica = `${cfg.model.name}-1-1-strict-${kind}`;
  // Predicted labels by uuid, to check delayed metrics against the prediction they label.
  const issued = new Map<string, string[]>();
  const feedback = { received: 0, unknownUuid: 0, wrongCrn: 0, agree: 0, disagree: 0, keys: {} as Record<string, number> };

  const authorized = (req: StrictRequest): boolean =>
    c.authorization === undefined || req.headers.authorization === c.authorization;

  function call(req: StrictRequest): StrictReply {
    if (!authorized(req)) return refuse(401, 'Unauthorized: the Authorization header does not match the model deployment');
    let body: PyValue;
    try {
      body = parseJson(req.body, true);
    } catch (err) {
      if (err instanceof JsonSyntaxError) return refuse(400, `Request body is not valid JSON: ${err.python()}`);
      throw err;
    }
    if (!isObject(body)) return refuse(400, 'Request body must be a JSON object with "accessKey" and "request"');
    const key = typeof body.accessKey === 'string' ? body.accessKey : req.query.get('accessKey');
    if (!key) return refuse(401, 'Missing access key: put "accessKey" in the body or ?accessKey= in the URL');
    if (c.accessKey !== undefined && key !== c.accessKey) return refuse(401, 'Invalid access key');
    if (!('request' in body)) return refuse(400, 'Request body has no "request" field');
    const uuid = randomUUID();
    const result = fn(body.request, uuid);
    if ('raised' in result) return refuse(500, result.raised);
    if (c.metrics && issued.size < MAX_REMEMBERED) issued.set(uuid, result.labels);
    const responseText = pyDumps(result.out);
    const envelope = `{"success": true, "response": ${responseText}, "ReplicaID": ${JSON.stringify(replica)}, "Size": ${Buffer.byteLength(responseText)}, "StatusCode": 200}`;
    return json(200, envelope, result.rows);
  }

  function delayedMetrics(req: StrictRequest): StrictReply {
    if (!req.headers.authorization || !authorized(req)) return refuse(401, 'Unauthorized');
    let body: PyValue;
    try {
      body = parseJson(req.body, true);
    } catch {
      return refuse(400, 'Request body is not valid JSON');
    }
    if (!isObject(body) || typeof body.modelDeploymentCrn !== 'string' || typeof body.predictionUuid !== 'string' || !isObject(body.metrics)) {
      return refuse(400, 'Body must be {"modelDeploymentCrn": string, "predictionUuid": string, "metrics": {…}}');
    }
    feedback.received++;
    if (body.modelDeploymentCrn !== c.deploymentCrn) {
      feedback.wrongCrn++;
      return refuse(404, `Model deployment ${body.modelDeploymentCrn} not found`);
    }
    const labels = issued.get(body.predictionUuid);
    if (!labels) {
      feedback.unknownUuid++;
      return refuse(404, `Prediction ${body.predictionUuid} not found`);
    }
    for (const [k, v] of Object.entries(body.metrics)) {
      feedback.keys[k] = (feedback.keys[k] ?? 0) + 1;
      // One label per prediction row; a batch's uuid labels its first row.
      if (labels.length > 0) String(plain(v)) === labels[0] ? feedback.agree++ : feedback.disagree++;
    }
    return json(200, '{}');
  }

  return {
    handle(req) {
      if (MODEL_PATHS.includes(req.path)) return req.method === 'POST' ? call(req) : refuse(405, 'Method not allowed');
      if (req.path === METRICS_PATH) return req.method === 'POST' ? delayedMetrics(req) : refuse(405, 'Method not allowed');
      return refuse(404, `No such path ${req.path}`);
    },
    stats: () => ({ delayedMetrics: { ...feedback, keys: { ...feedback.keys } } }),
  };
}

/** The model's answer in the configured form: the value, {"result": value}, or the churn AMP's explainer dict. */
function answer(cfg: StrictConfig, model: LinearModel, s: Scored, record: Record<string, PyValue>): PyValue {
  const v = model.value(s);
  const value: PyValue = Array.isArray(v) ? v.map(f64) : typeof v === 'number' && cfg.model.output !== 'class' ? f64(v) : v;
  if (cfg.cloudera.response === 'result') return { result: value };
  if (cfg.cloudera.response === 'explainer') {
    const logit = cfg.model.logits[cfg.model.logits.length - 1];
    const explanation = Object.fromEntries(Object.entries(logit.weights).map(([f, w]) => [f, f64(w * numeric(record[f]))]));
    return { data: record, probability: f64(s.probabilities[s.probabilities.length - 1]), explanation };
  }
  return value;
}

export function cmlRecord(cfg: StrictConfig): StrictHandler {
  const model = new LinearModel(cfg.model);
  const fn: ModelFunction = (args, uuid) => {
    // data_input["record"] (or the flat fields), then df[col_order]: pandas' KeyError for what is missing.
    if (!isObject(args)) return { raised: notSubscriptable(args) };
    let record: PyValue = args;
    if (cfg.cloudera.argument === 'record') {
      if (!('record' in args)) return { raised: "KeyError: 'record'" };
      record = args.record;
      if (!isObject(record)) return { raised: 'ValueError: DataFrame constructor not properly called!' };
    }
    const missing = model.features.filter((f) => !(f in (record as Record<string, PyValue>)));
    if (missing.length) return { raised: `KeyError: "${pyRepr(missing)} not in index"` };
    const row = record as Record<string, PyValue>;
    for (const f of model.used) {
      const x = row[f];
      const ok = isNumber(x) || typeof x === 'boolean' || (typeof x === 'string' && parsePyFloat(x) !== undefined);
      if (!ok) return { raised: `ValueError: could not convert string to float: ${pyRepr(plain(x))}` };
    }
    const s = model.scoreRecord(row);
    const out = answer(cfg, model, s, row);
    return { out: cfg.cloudera.metrics ? { prediction: out, uuid } : out, rows: 1, labels: [String(model.label(s))] };
  };
  return clouderaServer(cfg, fn, 'record');
}

export function cmlRegistry(cfg: StrictConfig): StrictHandler {
  const model = new LinearModel(cfg.model);
  const fn: ModelFunction = (args, uuid) => {
    if (!isObject(args)) return { raised: `MlflowException: The input must be a JSON dictionary with exactly one of the input fields` };
    const r = mlflowScore(args, cfg, model);
    if (!r.ok) return { raised: `MlflowException: ${r.error.message}` };
    const predictions = Array.isArray(r.predictions) ? r.predictions : [r.predictions];
    const labels = predictions.map((p) => String(plain(p)));
    const out: PyValue = cfg.cloudera.metrics ? { prediction: r.predictions, model_deployment_crn: cfg.cloudera.deploymentCrn, uuid } : r.predictions;
    return { out, rows: r.rows, labels };
  };
  return clouderaServer(cfg, fn, 'registry');
}

/** Python's TypeError for args["record"] on something that is not a dict. */
function notSubscriptable(v: PyValue): string {
  if (Array.isArray(v)) return 'TypeError: list indices must be integers or slices, not str';
  if (typeof v === 'string') return "TypeError: string indices must be integers, not 'str'";
  const type = v === null ? 'NoneType' : typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? 'int' : 'float';
  return `TypeError: '${type}' object is not subscriptable`;
}
