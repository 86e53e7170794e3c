// Triton Inference Server's HTTP/REST endpoint (KServe V2 protocol) in front of one batching model whose config
// fixes every input's name, datatype and dims. The HTTP frontend reads each tensor's JSON data by the request's
// datatype, then the core checks the request against the model config. Sources:
//   triton-inference-server/server src/http_server.cc ParseJsonTritonIO, ReadDataFromJson(Helper) (data read per
//     datatype, element count vs shape), HttpCodeFromError (INVALID_ARG → 400, INTERNAL → 500), EVBufferAddErrorJson
//     ({"error": message}), FinalizeResponse (id only when the request had one, model_version as a string)
//   triton-inference-server/common include/triton/common/triton_json.h (AsDouble/AsInt/… messages; parse errors
//     are INTERNAL)
//   triton-inference-server/core src/infer_request.cc ValidateRequestInputs, Normalize (input count, batch size,
//     "data-type is 'INT64', but model 'm' expects 'FP32'", "unexpected shape for input"), src/model.cc GetInput
//   triton-inference-server/core src/model_repository_manager/model_repository_manager.cc (unknown model)
import type { StrictConfig, TritonTensorConfig } from './config.js';
import { type StrictHandler, type StrictReply, type StrictRequest, json } from './http.js';
import { JsonSyntaxError, isObject, parseJson } from './jsonparse.js';
import { LinearModel, type Scored } from './model.js';
import { Float, type PyValue, compactJson, f32, f64 } from './pyjson.js';

const error = (status: number, message: string): StrictReply => json(status, compactJson({ error: message }));
const invalidArg = (m: string) => error(400, m);
const internal = (m: string) => error(500, m);

/** Model-config TYPE_* ↔ protocol datatype (triton-inference-server/common model_config.cc DataTypeToProtocolString). */
const PROTOCOL: Record<string, string> = {
  TYPE_BOOL: 'BOOL', TYPE_UINT8: 'UINT8', TYPE_UINT16: 'UINT16', TYPE_UINT32: 'UINT32', TYPE_UINT64: 'UINT64',
  TYPE_INT8: 'INT8', TYPE_INT16: 'INT16', TYPE_INT32: 'INT32', TYPE_INT64: 'INT64',
  TYPE_FP16: 'FP16', TYPE_FP32: 'FP32', TYPE_FP64: 'FP64', TYPE_STRING: 'BYTES', TYPE_BF16: 'BF16',
};
const KNOWN = new Set(Object.values(PROTOCOL));
const dimsText = (d: readonly number[]) => `[${d.join(',')}]`;

interface ParsedInput {
  name: string;
  datatype: string;
  shape: number[];
  values: (number | string | boolean)[];
}

/** One leaf of a tensor's JSON data, read as the frontend reads it for `datatype`. */
function readLeaf(v: PyValue, datatype: string): number | string | boolean | string[] {
  switch (datatype) {
    case 'BOOL':
      return typeof v === 'boolean' ? v : ['attempt to access JSON non-boolean as boolean'];
    case 'UINT8': case 'UINT16': case 'UINT32': case 'UINT64':
      return typeof v === 'number' && v >= 0 ? v : ['attempt to access JSON non-unsigned-integer as unsigned-integer'];
    case 'INT8': case 'INT16': case 'INT32': case 'INT64':
      // A float token (2.0) is a double to rapidjson: not IsInt64().
      return typeof v === 'number' ? v : ['attempt to access JSON non-signed-integer as signed-integer'];
    case 'FP32': case 'FP64':
      return typeof v === 'number' || v instanceof Float ? (v instanceof Float ? v.value : v) : ['attempt to access JSON non-number as double'];
    case 'BYTES':
      return typeof v === 'string' ? v : ['attempt to access JSON non-string as string'];
    default:
      return ['unreachable'];
  }
}

export function triton(cfg: StrictConfig): StrictHandler {
  const model = new LinearModel(cfg.model);
  const name = cfg.model.name;
  const tc = cfg.triton;
  const inputs = new Map<string, TritonTensorConfig>(tc.input.map((t) => [t.name, t]));
  const out = tc.output[0];
  const single = tc.input.length === 1;
  const modelConfig = { name, platform: 'strict', backend: 'strict', max_batch_size: tc.max_batch_size, input: tc.input, output: tc.output };

  function parseInputs(body: Record<string, PyValue>): ParsedInput[] | StrictReply {
    const raw = body.inputs;
    if (raw === undefined) return internal("Unable to parse 'inputs': attempt to access non-existing object member 'inputs'");
    if (!Array.isArray(raw)) return internal("Unable to parse 'inputs': attempt to access JSON non-array as array");
    const parsed: ParsedInput[] = [];
    for (const t of raw) {
      if (!isObject(t)) return internal("Unable to parse 'name': attempt to access non-existing object member 'name'");
      for (const key of ['name', 'datatype'] as const) {
        if (t[key] === undefined) return internal(`Unable to parse '${key}': attempt to access non-existing object member '${key}'`);
        if (typeof t[key] !== 'string') return internal(`Unable to parse '${key}': attempt to access JSON non-string as string`);
      }
      if (t.shape === undefined) return internal("Unable to parse 'shape': attempt to access non-existing object member 'shape'");
      if (!Array.isArray(t.shape)) return internal("Unable to parse 'shape': attempt to access JSON non-array as array");
      if (!t.shape.every((d) => typeof d === 'number' && d >= 0)) {
        return internal("Unable to parse 'shape': attempt to access JSON non-unsigned-integer as unsigned-integer");
      }
      const tname = t.name as string;
      const datatype = t.datatype as string;
      const shape = t.shape as number[];
      if (parsed.some((p) => p.name === tname)) return invalidArg(`input '${tname}' already exists in request`);
      const count = shape.reduce((a, b) => a * b, 1);
      const values: (number | string | boolean)[] = [];
      if (count > 0) {
        if (t.data === undefined) return internal("Unable to parse 'data': attempt to access non-existing object member 'data'");
        if (!Array.isArray(t.data)) return internal("Unable to parse 'data': attempt to access JSON non-array as array");
        if (datatype === 'FP16' || datatype === 'BF16') {
          return invalidArg(`receiving ${datatype} data via JSON is not supported. Please use the binary data format for input ${tname}`);
        }
        if (!KNOWN.has(datatype)) return invalidArg(`invalid datatype for input ${tname}`);
        const stack: PyValue[] = [t.data];
        const leaves: PyValue[] = [];
        const walk = (v: PyValue) => (Array.isArray(v) ? v.forEach(walk) : leaves.push(v));
        walk(stack[0]);
        for (const leaf of leaves) {
          if (values.length >= count) return internal("Unable to parse 'data': Shape does not match true shape of 'data' field");
          const v = readLeaf(leaf, datatype);
          if (Array.isArray(v)) return internal(`Unable to parse 'data': ${v[0]}`);
          values.push(v);
        }
        if (values.length !== count) return internal("Failed to parse 'data' field: shape does not match true shape");
      }
      parsed.push({ name: tname, datatype, shape, values });
    }
    return parsed;
  }

  /** The core's checks against the model config, in its order. */
  function validate(parsed: ParsedInput[], id: string | undefined): number | StrictReply {
    const log = `[request id: ${id || '<id_unknown>'}] `;
    if (parsed.length !== tc.input.length) {
      const missing = tc.input.filter((t) => !parsed.some((p) => p.name === t.name)).map((t) => `'${t.name}',`).join('');
      const got = parsed.length === 0 ? '[]' : `[${parsed.map((p) => `'${p.name}'`).join(',')}]`;
      // The missing list is built as "[" + "'a'," … then its last character dropped: with nothing missing, only "]" is left.
      const missingText = `[${missing}`.slice(0, -1) + ']';
      return invalidArg(
        `${log}expected ${tc.input.length} inputs but got ${parsed.length} inputs for model '${name}'. Got input(s) ${got}, but missing required input(s) ${missingText}. Please provide all required input(s).`,
      );
    }
    let batch = 0;
    for (const p of parsed) {
      if (!inputs.has(p.name)) return invalidArg(`unexpected inference input '${p.name}' for model '${name}'`);
      if (p.shape.length === 0) return invalidArg(`${log}input '${p.name}' has no shape but model requires batch dimension for '${name}'`);
      if (batch === 0) batch = p.shape[0];
      else if (p.shape[0] !== batch) return invalidArg(`${log}input '${p.name}' batch size does not match other inputs for '${name}'`);
    }
    if (batch > tc.max_batch_size) return invalidArg(`${log}inference request batch-size must be <= ${tc.max_batch_size} for '${name}'`);
    for (const p of parsed) {
      const conf = inputs.get(p.name)!;
      const want = PROTOCOL[conf.data_type] ?? conf.data_type;
      if (p.datatype !== want) {
        return invalidArg(`${log}inference input '${p.name}' data-type is '${p.datatype}', but model '${name}' expects '${want}'`);
      }
      const dims = p.shape.slice(1);
      const match = dims.length === conf.dims.length && conf.dims.every((d, i) => d === -1 || d === dims[i]);
      if (!match) {
        return invalidArg(
          `${log}unexpected shape for input '${p.name}' for model '${name}'. Expected ${dimsText([-1, ...conf.dims])}, got ${dimsText(p.shape)}. ` +
            'NOTE: Setting a non-zero max_batch_size in the model config requires a batch dimension to be prepended to each input shape. ' +
            'If you want to specify the full shape including the batch dim in your input dims config, try setting max_batch_size to zero. ' +
            'See the model configuration docs for more info on max_batch_size.',
        );
      }
    }
    return batch;
  }

  function rowsOf(parsed: ParsedInput[], batch: number): unknown[][] {
    const rows: unknown[][] = [];
    for (let i = 0; i < batch; i++) {
      if (single) {
        const k = model.features.length;
        rows.push(parsed[0].values.slice(i * k, (i + 1) * k));
      } else {
        rows.push(model.features.map((f) => parsed.find((p) => p.name === f)!.values[i]));
      }
    }
    return rows;
  }

  function outputTensor(scored: Scored[]) {
    const type = PROTOCOL[out.data_type] ?? out.data_type;
    const number = (v: number) => (type === 'FP32' ? f32(v) : type === 'FP64' ? f64(v) : v);
    let data: PyValue[];
    if (cfg.model.output === 'probabilities') data = scored.flatMap((s) => s.probabilities.map(number));
    else if (cfg.model.output === 'probability') data = scored.map((s) => number(model.positive(s)));
    else data = scored.map((s) => (type === 'BYTES' ? String(model.label(s)) : number(Number(model.label(s)))));
    return { name: out.name, datatype: type, shape: [scored.length, ...out.dims], data };
  }

  function infer(req: StrictRequest): StrictReply {
    let body: PyValue;
    try {
      body = parseJson(req.body, false);
    } catch (err) {
      if (err instanceof JsonSyntaxError) return internal(`failed to parse the request JSON buffer: ${err.rapidjson()} at ${err.offset}`);
      throw err;
    }
    if (!isObject(body)) return internal("Unable to parse 'inputs': attempt to access non-existing object member 'inputs'");
    let id: string | undefined;
    if (body.id !== undefined) {
      if (typeof body.id !== 'string') return internal("Unable to parse 'id': attempt to access JSON non-string as string");
      id = body.id;
    }
    const parsed = parseInputs(body);
    if (!Array.isArray(parsed)) return parsed;
    if (Array.isArray(body.outputs)) {
      for (const o of body.outputs) {
        const oname = isObject(o) && typeof o.name === 'string' ? o.name : '';
        if (oname !== out.name) return invalidArg(`unexpected inference output '${oname}' for model '${name}'`);
      }
    }
    const batch = validate(parsed, id);
    if (typeof batch !== 'number') return batch;
    const scored = rowsOf(parsed, batch).map((r) => model.score(r));
    const response: Record<string, PyValue> = {};
    if (id) response.id = id;
    response.model_name = name;
    response.model_version = '1';
    response.outputs = [outputTensor(scored)];
    return json(200, compactJson(response), batch);
  }

  const route = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/infer|\/config|\/ready)?$/;
  return {
    handle(req) {
      if (req.method === 'GET' && (req.path === '/v2/health/live' || req.path === '/v2/health/ready')) return { status: 200, body: '', rows: 0 };
      const m = route.exec(req.path);
      if (!m) return { status: 404, body: '', rows: 0 };
      const asked = decodeURIComponent(m[1]);
      if (asked !== name) return invalidArg(`Request for unknown model: '${asked}' is not found`);
      if (m[2] !== undefined && m[2] !== '1') return invalidArg(`Request for unknown model: '${asked}' version ${m[2]} is not found`);
      if (m[3] === '/infer') return req.method === 'POST' ? infer(req) : { status: 405, body: '', rows: 0 };
      if (req.method !== 'GET') return { status: 405, body: '', rows: 0 };
      if (m[3] === '/config') return json(200, compactJson(modelConfig as unknown as PyValue));
      if (m[3] === '/ready') return { status: 200, body: '', rows: 0 };
      const tensor = (t: TritonTensorConfig) => ({ name: t.name, datatype: PROTOCOL[t.data_type] ?? t.data_type, shape: [-1, ...t.dims] });
      return json(200, compactJson({ name, versions: ['1'], platform: 'strict', inputs: tc.input.map(tensor), outputs: tc.output.map(tensor) }));
    },
  };
}
