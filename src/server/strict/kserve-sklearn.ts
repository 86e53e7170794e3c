// KServe's sklearnserver (the same request path serves xgbserver and lgbserver): V1 `:predict` and V2 `/infer`.
// What it accepts is whatever its request decoding and sklearn accept — positional rows, one [n, k] tensor, or named
// columns only as a DataFrame (`{"f": [v]}` dicts on V1, `parameters.content_type: "pd"` on V2). Sources:
//   kserve/kserve python/sklearnserver/sklearnserver/model.py SKLearnModel.predict (any failure → InferenceError)
//   kserve/kserve python/kserve/kserve/utils/utils.py get_predict_input, get_predict_response
//   kserve/kserve python/kserve/kserve/errors.py (InferenceError → 500, InvalidInput → 400, ModelNotFound → 404,
//     NotImplementedError → 501, all as {"error": str})
//   kserve/kserve python/kserve/kserve/protocol/dataplane.py decode (JSON_HEADERS; orjson: no NaN tokens)
//   kserve/kserve python/kserve/kserve/protocol/rest/v1_endpoints.py, v2_endpoints.py (routes; versions → 501)
import { randomUUID } from 'node:crypto';
import type { StrictConfig } from './config.js';
import { type StrictHandler, type StrictReply, type StrictRequest, json } from './http.js';
import { JsonSyntaxError, isObject, parseJson } from './jsonparse.js';
import { LinearModel, type Scored } from './model.js';
import { type PyValue, compactJson, f64 } from './pyjson.js';
import { RESHAPE_HINT, type SkInput, frameFromDict, sklearnPredict } from './sklearn.js';
import { jsonInvalid, parseBody, tensorRows, tensorToNumpy, unprocessable, validateV2, type V2Request } from './v2.js';

const JSON_HEADERS = ['application/json', 'application/cloudevents+json', 'application/ld+json', 'application/octet-stream'];
const error = (status: number, message: string): StrictReply => json(status, compactJson({ error: message }));
const notFound = (): StrictReply => json(404, '{"detail":"Not Found"}');
const HEALTH: Record<string, string> = { '/': '{"status":"alive"}', '/v2/health/live': '{"live":true}', '/v2/health/ready': '{"ready":true}' };

export function kserveSklearn(cfg: StrictConfig): StrictHandler {
  const model = new LinearModel(cfg.model);
  const est = { name: cfg.sklearn.estimator, featureNamesAtFit: cfg.sklearn.featureNamesAtFit, categorical: cfg.sklearn.categorical };
  const name = cfg.model.name;
  const predictProba = cfg.model.output === 'probabilities';

  /** The estimator's output for every row: predict() → labels (or a regressor's value), predict_proba() → vectors. */
  const outputs = (scored: Scored[]): PyValue[] =>
    scored.map((s): PyValue => {
      if (predictProba) return s.probabilities.map(f64);
      if (cfg.model.output === 'probability') return f64(model.positive(s));
      const label = model.label(s);
      return typeof label === 'number' && !Number.isInteger(label) ? f64(label) : label;
    });

  const run = (input: SkInput): Scored[] | StrictReply => {
    const r = sklearnPredict(input, model, est);
    return r.ok ? r.scored : error(500, r.message);
  };

  function v1(req: StrictRequest): StrictReply {
    const ct = (req.headers['content-type'] ?? '').toString();
    let body: PyValue;
    if (ct && !JSON_HEADERS.includes(ct)) {
      // Not one of the JSON types, compared as whole strings ("application/json; charset=utf-8" is not): the raw
      // bytes reach get_predict_input, which returns None for them, and sklearn gets None.
      return error(500, `Expected 2D array, got scalar array instead:\narray=None.\n${RESHAPE_HINT}`);
    }
    try {
      body = parseJson(req.body, false);
    } catch (err) {
      if (err instanceof JsonSyntaxError) return error(400, `Unrecognized request format: ${err.python()}`);
      throw err;
    }
    if (!isObject(body)) {
      return error(500, `Expected 2D array, got scalar array instead:\narray=None.\n${RESHAPE_HINT}`);
    }
    const instances = 'inputs' in body ? body.inputs : body.instances;
    if (instances === undefined) return error(500, "'instances'");
    if (!Array.isArray(instances)) {
      // len(instances) then instances[0], as get_predict_input does: a dict has no key 0, a string reaches sklearn.
      if (isObject(instances)) return error(500, '0');
      if (typeof instances === 'string') return error(500, `Expected 2D array, got scalar array instead:\narray=${instances}.\n${RESHAPE_HINT}`);
      const type = instances === null ? 'NoneType' : typeof instances === 'boolean' ? 'bool' : typeof instances === 'number' ? 'int' : 'float';
      return error(500, `object of type '${type}' has no len()`);
    }
    let input: SkInput;
    const first = instances[0];
    if (instances.length > 0 && (isObject(first) || (Array.isArray(first) && first.length > 0 && isObject(first[0])))) {
      // One DataFrame per instance, concatenated: pd.DataFrame(instance) then pd.concat(axis=0).
      const columns: string[] = [];
      const frames: { columns: string[]; rows: PyValue[][] }[] = [];
      for (const inst of instances) {
        const frame = isObject(inst) ? frameFromDict(inst) : recordsFrame(inst);
        if (typeof frame === 'string') return error(500, frame);
        for (const c of frame.columns) if (!columns.includes(c)) columns.push(c);
        frames.push(frame);
      }
      const rows = frames.flatMap((f) => f.rows.map((r) => columns.map((c) => (f.columns.includes(c) ? r[f.columns.indexOf(c)] : null))));
      input = { kind: 'frame', columns, rows };
    } else {
      input = { kind: 'ndarray', value: instances };
    }
    const scored = run(input);
    if (!Array.isArray(scored)) return scored;
    return json(200, compactJson({ predictions: outputs(scored) }), scored.length);
  }

  function v2(req: StrictRequest): StrictReply {
    const ct = (req.headers['content-type'] ?? '').toString().split(';')[0].trim();
    if (ct && ct !== 'application/json' && !ct.endsWith('+json')) {
      // FastAPI hands a non-JSON body over as bytes; KServe then wants its binary-extension header.
      return error(400, "received byte inputs, but the'inference-header-content-length' header is missing.");
    }
    const body = parseBody(req.body);
    if (body instanceof JsonSyntaxError) return jsonInvalid(body);
    const v = validateV2(body, false);
    if (Array.isArray(v)) return unprocessable(v);
    const r: V2Request = v;
    for (const i of r.inputs) {
      if (i.datatype === 'FP16' && i.data.length !== 0) {
        return error(400, `Sending FP16 data via JSON is not supported. Please use the binary data format for input ${i.name}`);
      }
    }
    let input: SkInput;
    if (r.parameters?.content_type === 'pd') {
      // InferRequest.as_dataframe: one column per input, pd.concat(axis=1).
      const columns = r.inputs.map((i) => i.name);
      const n = Math.max(0, ...r.inputs.map((i) => i.data.length));
      const rows: PyValue[][] = [];
      for (let k = 0; k < n; k++) rows.push(r.inputs.map((i) => (Array.isArray(i.data[k]) ? (i.data[k] as PyValue[])[0] : i.data[k]) ?? null));
      input = { kind: 'frame', columns, rows };
    } else {
      if (r.inputs.length === 0) return error(500, 'list index out of range');
      const first = r.inputs[0];
      if (first.datatype === 'BYTES' && first.data.length > 0 && typeof first.data[0] === 'string') {
        input = { kind: 'ndarray', value: first.data };
      } else {
        if (!['BOOL', 'INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'FP16', 'FP32', 'FP64', 'BYTES'].includes(first.datatype)) {
          return error(500, 'invalid datatype None in the input');
        }
        const t = tensorToNumpy(first);
        if (typeof t === 'string') return error(500, t);
        input = { kind: 'ndarray', value: tensorRows(t) };
      }
    }
    const scored = run(input);
    if (!Array.isArray(scored)) return scored;
    const data = outputs(scored);
    const flat = predictProba ? data.flat() : data;
    const shape = predictProba ? [scored.length, model.classes.length] : [scored.length];
    const datatype = predictProba || cfg.model.output === 'probability' ? 'FP64' : model.classes.every((c) => typeof c === 'number') ? 'INT64' : 'BYTES';
    const response = {
      model_name: name,
      model_version: null,
      id: r.id ?? randomUUID(),
      parameters: null,
      outputs: [{ name: 'output-0', shape, datatype, parameters: null, data: flat }],
    };
    return json(200, compactJson(response), scored.length);
  }

  const v1Route = /^\/v1\/models\/([^/:]+):predict$/;
  const v2Route = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?\/infer$/;
  return {
    handle(req) {
      if (req.method === 'GET' && HEALTH[req.path]) return json(200, HEALTH[req.path]);
      let m = v1Route.exec(req.path);
      if (m) {
        if (req.method !== 'POST') return json(405, '{"detail":"Method Not Allowed"}');
        if (decodeURIComponent(m[1]) !== name) return error(404, `Model with name ${decodeURIComponent(m[1])} does not exist.`);
        return v1(req);
      }
      m = v2Route.exec(req.path);
      if (m) {
        if (req.method !== 'POST') return json(405, '{"detail":"Method Not Allowed"}');
        if (m[2] !== undefined) return error(501, 'Model versioning not supported yet.');
        if (decodeURIComponent(m[1]) !== name) return error(404, `Model with name ${decodeURIComponent(m[1])} does not exist.`);
        return v2(req);
      }
      if (req.method === 'GET' && (req.path === `/v1/models/${name}` || req.path === `/v2/models/${name}/ready`)) {
        return json(200, compactJson({ name, ready: true }));
      }
      return notFound();
    },
  };
}

/** A V1 instance that is a list of records: pd.DataFrame(list_of_dicts). */
function recordsFrame(inst: PyValue): { columns: string[]; rows: PyValue[][] } | string {
  if (!Array.isArray(inst)) return 'DataFrame constructor not properly called!';
  const columns: string[] = [];
  for (const r of inst) if (isObject(r)) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  return { columns, rows: inst.map((r) => columns.map((c) => (isObject(r) ? (r[c] ?? null) : null))) };
}

