// MLServer with its SKLearn runtime (what KServe runs for protocolVersion v2): one tensor decoded by the default
// NumpyRequestCodec, or named columns with request parameters.content_type "pd". Sources:
//   SeldonIO/MLServer runtimes/sklearn/mlserver_sklearn/sklearn.py (outputs predict / predict_proba / transform,
//     default_codec=NumpyRequestCodec, output "predict" encoded by NumpyCodec)
//   SeldonIO/MLServer mlserver/codecs/utils.py SingleInputRequestCodec.decode_request ("only supports a single
//     input tensor"), decode_inference_request (request content type picks the codec)
//   SeldonIO/MLServer mlserver/codecs/numpy.py (decode: np.array(data, dtype).reshape(shape); encode: shape [n] → [n, 1])
//   SeldonIO/MLServer mlserver/codecs/pandas.py PandasCodec.decode_request (one column per input)
//   SeldonIO/MLServer mlserver/errors.py, mlserver/codecs/errors.py, mlserver/rest/errors.py (MLServerError → its
//     status, {"error": str}); anything else is Starlette's bare 500 "Internal Server Error"
//   SeldonIO/MLServer mlserver/rest/app.py (routes; responses exclude unset and None fields)
import { randomUUID } from 'node:crypto';
import type { StrictConfig } from './config.js';
import { type StrictHandler, type StrictReply, type StrictRequest, json, text } from './http.js';
import { JsonSyntaxError } from './jsonparse.js';
import { LinearModel, type Scored } from './model.js';
import { type PyValue, compactJson, f64 } from './pyjson.js';
import { type SkInput, sklearnPredict } from './sklearn.js';
import { jsonInvalid, parseBody, tensorRows, tensorToNumpy, unprocessable, validateV2, type V2Input } from './v2.js';

const error = (status: number, message: string): StrictReply => json(status, compactJson({ error: message }));
const internal = (): StrictReply => text(500, 'Internal Server Error');
const codecError = (message: string) => error(400, `There was an error encoding / decoding the payload: ${message}`);
const VALID_OUTPUTS = ['predict', 'predict_proba', 'transform'];

export function mlserver(cfg: StrictConfig): StrictHandler {
  const model = new LinearModel(cfg.model);
  const est = { name: cfg.sklearn.estimator, featureNamesAtFit: cfg.sklearn.featureNamesAtFit, categorical: cfg.sklearn.categorical };
  const name = cfg.model.name;

  /** PandasCodec: a pd.Series per input (a [n, 1] column squeezed), then pd.DataFrame. */
  const frame = (inputs: V2Input[]): SkInput | StrictReply => {
    const columns = inputs.map((i) => i.name);
    const cols: PyValue[][] = [];
    for (const i of inputs) {
      if (i.datatype === 'BYTES') {
        cols.push(i.data);
        continue;
      }
      const t = tensorToNumpy(i);
      if (typeof t === 'string') return internal();
      cols.push((tensorRows(t) as PyValue[]).map((v) => (Array.isArray(v) ? v[0] : v)));
    }
    const n = Math.max(0, ...cols.map((c) => c.length));
    if (cols.some((c) => c.length !== n)) return internal(); // pandas: "All arrays must be of the same length"
    const rows: PyValue[][] = [];
    for (let k = 0; k < n; k++) rows.push(cols.map((c) => c[k]));
    return { kind: 'frame', columns, rows };
  };

  const encode = (output: string, scored: Scored[]) => {
    const n = scored.length;
    if (output === 'predict_proba') {
      return { name: output, shape: [n, model.classes.length], datatype: 'FP64', parameters: { content_type: 'np' }, data: scored.flatMap((s) => s.probabilities.map(f64)) };
    }
    if (cfg.model.output === 'probability') {
      return { name: output, shape: [n, 1], datatype: 'FP64', parameters: { content_type: 'np' }, data: scored.map((s) => f64(model.positive(s))) };
    }
    const labels = scored.map((s) => model.label(s));
    const datatype = labels.every((l) => typeof l === 'number') ? 'INT64' : 'BYTES';
    return { name: output, shape: [n, 1], datatype, parameters: { content_type: 'np' }, data: labels };
  };

  function infer(req: StrictRequest): StrictReply {
    const ct = (req.headers['content-type'] ?? '').toString().split(';')[0].trim();
    if (ct && ct !== 'application/json' && !ct.endsWith('+json')) {
      return unprocessable([{ type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', input: req.body }]);
    }
    const body = parseBody(req.body);
    if (body instanceof JsonSyntaxError) return jsonInvalid(body);
    const r = validateV2(body, true);
    if (Array.isArray(r)) return unprocessable(r);
    const outputs = r.outputs?.map((o) => o.name) ?? ['predict'];
    for (const o of outputs) {
      if (!VALID_OUTPUTS.includes(o)) {
        return error(400, `SKLearnModel only supports 'predict', 'predict_proba' and 'transform' as outputs (${o} was received)`);
      }
    }
    let input: SkInput | StrictReply;
    if (r.parameters?.content_type === 'pd') {
      input = frame(r.inputs);
    } else {
      if (r.inputs.length !== 1) return codecError(`The 'np' codec only supports a single input tensor (${r.inputs.length} were received)`);
      const t = tensorToNumpy(r.inputs[0]);
      input = typeof t === 'string' ? internal() : { kind: 'ndarray', value: tensorRows(t) };
    }
    if ('status' in input) return input;
    // sklearn's ValueErrors are not MLServerErrors: Starlette answers them with a bare 500.
    const result = sklearnPredict(input, model, est);
    if (!result.ok) return internal();
    if (outputs.includes('transform')) return internal(); // LogisticRegression has no transform(): AttributeError
    const response = {
      model_name: name,
      id: r.id ?? randomUUID(),
      outputs: outputs.map((o) => encode(o, result.scored)),
    };
    return json(200, compactJson(response), result.scored.length);
  }

  const route = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?\/infer$/;
  return {
    handle(req) {
      if (req.method === 'GET' && (req.path === '/v2/health/live' || req.path === '/v2/health/ready' || req.path === `/v2/models/${name}/ready`)) {
        return { status: 200, body: '', rows: 0 };
      }
      const m = route.exec(req.path);
      if (!m) return json(404, '{"detail":"Not Found"}');
      if (req.method !== 'POST') return json(405, '{"detail":"Method Not Allowed"}');
      const asked = decodeURIComponent(m[1]);
      if (m[2] !== undefined) return error(404, `Model ${asked} with version ${decodeURIComponent(m[2])} not found`);
      if (asked !== name) return error(404, `Model ${asked} not found`);
      return infer(req);
    },
  };
}
