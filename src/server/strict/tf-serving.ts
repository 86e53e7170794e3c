// TensorFlow Serving's REST predict API in front of a Keras model: a Dense(1, sigmoid) over one input of shape
// [-1, k] (rows as lists, or {"<input>": [...]} objects), or one scalar input per feature (rows as objects with
// exactly those keys). Sources:
//   tensorflow/serving tensorflow_serving/util/json_tensor.cc FillPredictRequestFromJson,
//     FillTensorMapFromInstancesList ("does not have named input", "must only have keys", "instances is a plain
//     list, but expecting list of objects"), FillTensorProto, AddValueToTensor (type and precision checks),
//     MakeRowFormatJsonFromTensors / MakeColumnarFormatJsonFromTensors, WriteDecimal (NaN, Infinity tokens)
//   tensorflow/serving tensorflow_serving/model_servers/http_rest_api_handler.cc (paths, `{ "error": … }`,
//     "Servable not found for request", "Serving signature name: … not found in signature def")
//   tensorflow/serving tensorflow_serving/g3doc/api_rest.md (row and columnar formats, NaN/Infinity allowed)
//   tensorflow/tensorflow tensorflow/core/kernels/matmul_op_impl.h ("Matrix size-incompatible", "is not a matrix")
import type { StrictConfig } from './config.js';
import { type StrictHandler, type StrictReply, type StrictRequest } from './http.js';
import { JsonSyntaxError, isNumber, isObject, numeric, parseJson } from './jsonparse.js';
import { LinearModel, type Scored } from './model.js';
import { Float, type PyValue, compactJson } from './pyjson.js';
import { type RapidValue, Raw, columnarFormat, rowFormat, tfDecimal } from './rapidjson.js';

const STATUS_PREFIX = 'Invalid argument: '; // Status::ToString() of the nested errors, as TF Serving quotes them
const reply = (status: number, message: string): StrictReply => ({ status, body: `{ "error": ${JSON.stringify(message)} }`, rows: 0 });
const invalid = (m: string) => reply(400, m);
const DTYPE_NAME: Record<string, string> = { DT_FLOAT: 'float', DT_DOUBLE: 'double', DT_INT32: 'int32', DT_INT64: 'int64', DT_STRING: 'string', DT_BOOL: 'bool' };

/** JsonValueToString: compact JSON, decimals written by WriteDecimal. */
function jsonText(v: PyValue): string {
  if (v instanceof Float) return tfDecimal(v.value, false);
  if (typeof v === 'number') return String(v);
  return compactJson(v);
}

function jsonType(v: PyValue): string {
  if (v === null) return 'Null';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (Array.isArray(v)) return 'Array';
  if (isObject(v)) return 'Object';
  return typeof v === 'string' ? 'String' : 'Number';
}

const typeError = (v: PyValue, dtype: string) =>
  `JSON Value: ${jsonText(v)} Type: ${jsonType(v)} is not of expected type: ${DTYPE_NAME[dtype] ?? dtype.toLowerCase()}`;

/** AddValueToTensor for one leaf: the number it becomes, or the error. */
function leafValue(v: PyValue, dtype: string): number | string | { error: string } {
  switch (dtype) {
    case 'DT_FLOAT':
    case 'DT_DOUBLE': {
      if (!isNumber(v)) return { error: typeError(v, dtype) };
      const x = numeric(v);
      const max = dtype === 'DT_FLOAT' ? 2 ** 24 - 1 : 2 ** 53 - 1;
      const lossless = !Number.isFinite(x) || (typeof v === 'number' ? Math.abs(x) <= max : dtype === 'DT_DOUBLE' || Math.abs(x) <= 3.4028234663852886e38);
      if (!lossless) return { error: `Cannot convert JSON value: ${jsonText(v)} to ${DTYPE_NAME[dtype]} without loss of precision.` };
      return dtype === 'DT_FLOAT' ? Math.fround(x) : x;
    }
    case 'DT_INT32':
    case 'DT_INT64':
      return typeof v === 'number' ? v : { error: typeError(v, dtype) };
    case 'DT_BOOL':
      return typeof v === 'boolean' ? (v ? 1 : 0) : { error: typeError(v, dtype) };
    case 'DT_STRING':
      return typeof v === 'string' ? v : { error: typeError(v, dtype) };
    default:
      return { error: `Conversion of JSON Value: ${jsonText(v)} to type: ${dtype}` };
  }
}

interface Filled {
  shape: number[];
  values: (number | string)[];
}

/** GetDenseTensorShape + FillTensorProto for one instance's value of one named input. */
function fill(item: PyValue, dtype: string): Filled | string {
  const shape: number[] = [];
  for (let x: PyValue = item; Array.isArray(x); x = x[0]) {
    shape.push(x.length);
    if (x.length === 0) break;
  }
  const values: (number | string)[] = [];
  const rank = shape.length;
  const rec = (v: PyValue, level: number): string | undefined => {
    if (!Array.isArray(v)) {
      if (level !== rank) return `JSON Value: ${jsonText(v)} found at incorrect level: ${level + 1} in the JSON DOM. Expected at level: ${rank}`;
      const x = isObject(v) ? { error: typeError(v, dtype) } : leafValue(v, dtype);
      if (typeof x === 'object') return x.error;
      values.push(x);
      return undefined;
    }
    if (level >= rank) return `Encountered list at unexpected level: ${level} expected < ${rank}`;
    if (v.length !== shape[level]) return `Encountered list at unexpected size: ${v.length} at level: ${level} expected size: ${shape[level]}`;
    for (const x of v) {
      const e = rec(x, level + 1);
      if (e) return e;
    }
    return undefined;
  };
  const e = rec(item, 0);
  return e ?? { shape, values };
}

interface Batch {
  count: number;
  /** Per named input: element shape and all values in order. */
  tensors: Map<string, Filled>;
}

export function tfServingKeras(cfg: StrictConfig): StrictHandler {
  const model = new LinearModel(cfg.model);
  const name = cfg.model.name;
  const tf = cfg.tfServing;
  const inputNames = Object.keys(tf.inputs).sort(); // the signature's inputs, a std::set in the handler
  const single = inputNames.length === 1;
  /** One [-1, k] input feeding a Dense layer; otherwise one [-1] input per feature, concatenated. */
  const matrix = single && tf.inputs[inputNames[0]].shape.length === 2;

  function fromInstances(instances: PyValue[]): Batch | StrictReply {
    if (!isObject(instances[0]) && inputNames.length > 1) {
      return invalid('instances is a plain list, but expecting list of objects as multiple input tensors required as per tensorinfo_map');
    }
    const objects = isObject(instances[0]);
    const tensors = new Map<string, Filled>();
    const add = (item: PyValue, input: string): string | undefined => {
      if (!(input in tf.inputs)) return `JSON object: does not have named input: ${input}`;
      const f = fill(item, tf.inputs[input].dtype);
      if (typeof f === 'string') return f;
      const prev = tensors.get(input);
      if (!prev) tensors.set(input, { shape: f.shape, values: [...f.values] });
      else {
        const size = prev.shape.reduce((a, b) => a * b, 1);
        if (size !== f.values.length) return `Expecting tensor size: ${size} but got: ${f.values.length}`;
        if (prev.shape.join() !== f.shape.join()) return `Expecting shape [${prev.shape.join(',')}] but got: [${f.shape.join(',')}]`;
        prev.values.push(...f.values);
      }
      return undefined;
    };
    let count = 0;
    for (const elem of instances) {
      if (objects) {
        if (!isObject(elem)) return invalid(`Expecting object but got list at item ${count} of input list`);
        for (const [k, v] of Object.entries(elem)) {
          const e = add(v, k);
          if (e) return invalid(`Failed to process element: ${count} key: ${k} of 'instances' list. Error: ${STATUS_PREFIX}${e}`);
        }
        const keys = Object.keys(elem).sort();
        if (keys.join('\u0000') !== inputNames.join('\u0000')) {
          return invalid(`Failed to process element: ${count} of 'instances' list. JSON object: ${jsonText(elem)} must only have keys: ${inputNames.join(',')}`);
        }
      } else {
        if (isObject(elem)) return invalid(`Expecting value/list but got object at item ${count} of input list`);
        const e = add(elem, inputNames[0]);
        if (e) return invalid(`Failed to process element: ${count} of 'instances' list. Error: ${STATUS_PREFIX}${e}`);
      }
      count++;
    }
    return { count, tensors };
  }

  function fromInputs(value: PyValue): Batch | StrictReply {
    const tensors = new Map<string, Filled>();
    let count = -1;
    const take = (v: PyValue, input: string): StrictReply | undefined => {
      const f = fill(v, tf.inputs[input].dtype);
      if (typeof f === 'string') return invalid(f);
      // Columnar: the value is the whole batch; split off the first dimension.
      const n = f.shape[0] ?? 1;
      if (count === -1) count = n;
      tensors.set(input, { shape: f.shape.slice(1), values: f.values });
      return undefined;
    };
    if (!isObject(value) || (Object.keys(value).length === 1 && typeof value.b64 === 'string')) {
      if (!single) return invalid('inputs is a plain value/list, but expecting an object as multiple input tensors required as per tensorinfo_map');
      const e = take(value, inputNames[0]);
      if (e) return e;
    } else {
      for (const input of inputNames) {
        if (!(input in value)) return invalid(`Missing named input: ${input} in 'inputs' object.`);
        const e = take(value[input], input);
        if (e) return e;
      }
    }
    return { count: Math.max(count, 0), tensors };
  }

  /** Running the graph: the first Dense layer's MatMul, or the Concatenate of one scalar input per feature. */
  function run(batch: Batch): unknown[][] | StrictReply {
    const rows: unknown[][] = [];
    if (matrix) {
      const t = batch.tensors.get(inputNames[0])!;
      const full = [batch.count, ...t.shape];
      const k = model.features.length;
      if (full.length !== 2) return invalid(`In[0] is not a matrix. Instead it has shape [${full.join(',')}]\n\t [[{{node sequential/dense/MatMul}}]]`);
      if (full[1] !== k) return invalid(`Matrix size-incompatible: In[0]: [${full.join(',')}], In[1]: [${k},1]\n\t [[{{node sequential/dense/MatMul}}]]`);
      for (let i = 0; i < batch.count; i++) rows.push(t.values.slice(i * k, (i + 1) * k));
      return rows;
    }
    const ranks = model.features.map((f) => batch.tensors.get(f)!.shape.length + 1);
    if (ranks.some((r) => r !== ranks[0])) {
      const shapes = model.features.map((f) => `[${[batch.count, ...batch.tensors.get(f)!.shape].join(',')}]`);
      const j = ranks.findIndex((r) => r !== ranks[0]);
      return invalid(`ConcatOp : Ranks of all input tensors should match: shape[0] = ${shapes[0]} vs. shape[${j}] = ${shapes[j]}\n\t [[{{node model/concatenate/concat}}]]`);
    }
    for (let i = 0; i < batch.count; i++) {
      rows.push(model.features.map((f) => {
        const t = batch.tensors.get(f)!;
        const per = t.shape.reduce((a, b) => a * b, 1);
        return t.values[i * per];
      }));
    }
    return rows;
  }

  const float = (v: number): Raw => new Raw(tfDecimal(v, true));

  /** Named output tensors, one row value per instance. */
  function outputs(scored: Scored[]): Map<string, RapidValue[]> {
    const out = new Map<string, RapidValue[]>();
    if (tf.estimator) {
      const binary = model.classes.length === 2;
      const logit = (s: Scored) => Math.log(s.probabilities[1] / s.probabilities[0]);
      out.set('class_ids', scored.map((s) => [s.classIndex]));
      out.set('classes', scored.map((s) => [String(model.label(s))]));
      out.set('logits', scored.map((s) => (binary ? [float(logit(s))] : s.probabilities.map((p) => float(Math.log(p))))));
      out.set('probabilities', scored.map((s) => s.probabilities.map(float)));
      return out;
    }
    if (cfg.model.output === 'probability') out.set(tf.outputName, scored.map((s) => [float(model.positive(s))]));
    else if (cfg.model.output === 'probabilities') out.set(tf.outputName, scored.map((s) => s.probabilities.map(float)));
    else out.set(tf.outputName, scored.map((s) => s.classIndex));
    return out;
  }

  function predict(req: StrictRequest): StrictReply {
    if (req.body.length === 0) return invalid('JSON Parse error: The document is empty');
    let doc: PyValue;
    try {
      doc = parseJson(req.body, true);
    } catch (err) {
      if (err instanceof JsonSyntaxError) return invalid(`JSON Parse error: ${err.rapidjson()} at offset: ${err.offset}`);
      throw err;
    }
    if (!isObject(doc)) return invalid(`JSON Value: ${jsonText(doc)} Is not object`);
    let signature = tf.signatureName;
    if (doc.signature_name !== undefined) {
      if (typeof doc.signature_name !== 'string') {
        return invalid(`JSON Value: ${jsonText(doc)} not formatted correctly. 'signature_name' key must be a string value.`);
      }
      signature = doc.signature_name;
    }
    if (signature !== tf.signatureName) return invalid(`Serving signature name: "${signature}" not found in signature def`);
    const hasInstances = doc.instances !== undefined;
    const hasInputs = doc.inputs !== undefined;
    let batch: Batch | StrictReply;
    if (hasInstances) {
      if (hasInputs) return invalid(`JSON Value: ${jsonText(doc)} Not formatted correctly expecting only one of 'inputs' or 'instances' keys to exist `);
      if (!Array.isArray(doc.instances)) return invalid(`JSON Value: ${jsonText(doc)} Excepting 'instances' to be an list/array`);
      if (doc.instances.length === 0) return invalid(`JSON Value: ${jsonText(doc)} No values in 'instances' array`);
      batch = fromInstances(doc.instances);
    } else if (hasInputs) {
      batch = fromInputs(doc.inputs);
    } else {
      return invalid("Missing 'inputs' or 'instances' key");
    }
    if ('status' in batch) return batch;
    const rows = run(batch);
    if (!Array.isArray(rows)) return rows;
    const scored = rows.map((r) => model.score(r));
    const outs = outputs(scored);
    let body: string;
    if (hasInstances) {
      const multi = outs.size > 1;
      body = rowFormat(scored.map((_, i) => (multi ? Object.fromEntries([...outs].map(([k, v]) => [k, v[i]])) : [...outs.values()][0][i])));
    } else {
      body = columnarFormat(outs.size > 1 ? Object.fromEntries(outs) : [...outs.values()][0]);
    }
    return { status: 200, body, rows: scored.length };
  }

  const route = /^\/v1\/models\/([^/:]+)(?:\/versions\/([^/:]+)|\/labels\/([^/:]+))?(:predict|:classify|:regress|\/metadata)?$/;
  return {
    handle(req) {
      const m = route.exec(req.path);
      if (!m) return invalid(`Malformed request: ${req.method} ${req.path}`);
      const asked = decodeURIComponent(m[1]);
      const spec = m[2] !== undefined ? `Specific(${asked}, ${m[2]})` : `Latest(${asked})`;
      if (asked !== name || (m[2] !== undefined && m[2] !== '1') || m[3] !== undefined) {
        return reply(404, `Servable not found for request: ${m[3] !== undefined ? `Label(${asked}, ${m[3]})` : spec}`);
      }
      if (m[4] === ':predict' && req.method === 'POST') return predict(req);
      if ((m[4] === ':classify' || m[4] === ':regress') && req.method === 'POST') {
        return invalid(`Expected classification or regression signature, got: ${tf.signatureName} (a Keras predict signature)`);
      }
      if (m[4] === undefined && req.method === 'GET') {
        return { status: 200, body: compactJson({ model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }] }), rows: 0 };
      }
      if (m[4] === '/metadata' && req.method === 'GET') {
        const sig = { inputs: tf.inputs, outputs: tf.estimator ? ['class_ids', 'classes', 'logits', 'probabilities'] : [tf.outputName], method_name: 'tensorflow/serving/predict' };
        return { status: 200, body: compactJson({ model_spec: { name, version: '1' }, metadata: { signature_def: { [tf.signatureName]: sig } } } as unknown as PyValue), rows: 0 };
      }
      return invalid(`Malformed request: ${req.method} ${req.path}`);
    },
  };
}
