// The Open Inference Protocol request as KServe's and MLServer's FastAPI apps read it: pydantic validates the body
// against InferenceRequest (→ 422 {"detail": [...]}) and numpy turns each tensor into an array
// (np.array(data, dtype).reshape(shape)). Sources:
//   kserve/kserve python/kserve/kserve/protocol/rest/v2_datamodels.py (InferenceRequest, RequestInput)
//   SeldonIO/MLServer mlserver/types/dataplane.py (the same models; datatype is an enum there)
//   kserve/kserve python/kserve/kserve/protocol/infer_type.py InferInput.as_numpy; utils/numpy_codec.py to_np_dtype
//   SeldonIO/MLServer mlserver/codecs/numpy.py NumpyCodec.decode_input (np.array(data, dtype).reshape(shape))
import { JsonSyntaxError, isNumber, isObject, numeric, parseJson } from './jsonparse.js';
import { Float, type PyValue, compactJson, parsePyFloat, pyRepr, pyTuple } from './pyjson.js';
import { json, type StrictReply } from './http.js';
import { ndarray } from './sklearn.js';

const V2_DATATYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES'];

export interface V2Input {
  name: string;
  shape: number[];
  datatype: string;
  data: PyValue[];
  parameters?: Record<string, PyValue>;
}

export interface V2Request {
  id?: string;
  parameters?: Record<string, PyValue>;
  inputs: V2Input[];
  outputs?: { name: string }[];
}

interface PydanticError {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: PyValue;
  ctx?: Record<string, string>;
}

/** FastAPI's 422 for a body it could not parse or validate (its default RequestValidationError handler). */
export const unprocessable = (detail: PydanticError[]): StrictReply => json(422, compactJson({ detail } as unknown as PyValue));

/** FastAPI's 422 for a body that is not JSON: {"type": "json_invalid", "loc": ["body", offset], …}. */
export function jsonInvalid(err: JsonSyntaxError): StrictReply {
  const reason = err.python().replace(/: line .*$/, '');
  return unprocessable([{ type: 'json_invalid', loc: ['body', err.offset], msg: 'JSON decode error', input: {}, ctx: { error: reason } }]);
}

/** Parse a body as FastAPI would for a JSON body parameter (Python's json.loads: NaN tokens allowed). */
export function parseBody(text: string): PyValue | JsonSyntaxError {
  try {
    return parseJson(text, true);
  } catch (err) {
    if (err instanceof JsonSyntaxError) return err;
    throw err;
  }
}

/** pydantic's lax int: ints, integral floats and integer strings pass. */
function laxInt(v: PyValue, loc: (string | number)[], errors: PydanticError[]): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof Float) {
    if (Number.isInteger(v.value)) return v.value;
    errors.push({ type: 'int_from_float', loc, msg: 'Input should be a valid integer, got a number with a fractional part', input: v });
    return undefined;
  }
  if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) return Number(v);
  if (typeof v === 'string') {
    errors.push({ type: 'int_parsing', loc, msg: 'Input should be a valid integer, unable to parse string as an integer', input: v });
  } else {
    errors.push({ type: 'int_type', loc, msg: 'Input should be a valid integer', input: v });
  }
  return undefined;
}

/**
 * Validate an InferenceRequest the pydantic way. `datatypeEnum` (MLServer) checks the datatype against the
 * protocol's list; KServe takes any string there and fails later in numpy.
 */
export function validateV2(body: PyValue, datatypeEnum: boolean): V2Request | PydanticError[] {
  const errors: PydanticError[] = [];
  const where = (...loc: (string | number)[]) => ['body', ...loc];
  if (!isObject(body)) {
    return [{ type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', input: body }];
  }
  const req: V2Request = { inputs: [] };
  if (body.id !== undefined && body.id !== null) {
    if (typeof body.id === 'string') req.id = body.id;
    else errors.push({ type: 'string_type', loc: where('id'), msg: 'Input should be a valid string', input: body.id });
  }
  if (body.parameters !== undefined && body.parameters !== null) {
    if (isObject(body.parameters)) req.parameters = body.parameters;
    else errors.push({ type: 'model_attributes_type', loc: where('parameters'), msg: 'Input should be a valid dictionary or object to extract fields from', input: body.parameters });
  }
  const inputs = body.inputs;
  if (inputs === undefined) errors.push({ type: 'missing', loc: where('inputs'), msg: 'Field required', input: body });
  else if (!Array.isArray(inputs)) errors.push({ type: 'list_type', loc: where('inputs'), msg: 'Input should be a valid list', input: inputs });
  else {
    inputs.forEach((raw, i) => {
      if (!isObject(raw)) {
        errors.push({ type: 'model_attributes_type', loc: where('inputs', i), msg: 'Input should be a valid dictionary or object to extract fields from', input: raw });
        return;
      }
      const before = errors.length;
      for (const key of ['name', 'shape', 'datatype', 'data'] as const) {
        if (raw[key] === undefined) errors.push({ type: 'missing', loc: where('inputs', i, key), msg: 'Field required', input: raw });
      }
      if (raw.name !== undefined && typeof raw.name !== 'string') {
        errors.push({ type: 'string_type', loc: where('inputs', i, 'name'), msg: 'Input should be a valid string', input: raw.name });
      }
      const shape: number[] = [];
      if (raw.shape !== undefined) {
        if (!Array.isArray(raw.shape)) errors.push({ type: 'list_type', loc: where('inputs', i, 'shape'), msg: 'Input should be a valid list', input: raw.shape });
        else raw.shape.forEach((d, j) => shape.push(laxInt(d, where('inputs', i, 'shape', j), errors) ?? 0));
      }
      if (raw.datatype !== undefined) {
        if (typeof raw.datatype !== 'string') {
          errors.push({ type: 'string_type', loc: where('inputs', i, 'datatype'), msg: 'Input should be a valid string', input: raw.datatype });
        } else if (datatypeEnum && !V2_DATATYPES.includes(raw.datatype)) {
          const expected = V2_DATATYPES.slice(0, -1).map((d) => `'${d}'`).join(', ') + ` or '${V2_DATATYPES.at(-1)}'`;
          errors.push({ type: 'enum', loc: where('inputs', i, 'datatype'), msg: `Input should be ${expected}`, input: raw.datatype, ctx: { expected } });
        }
      }
      if (raw.data !== undefined && !Array.isArray(raw.data)) {
        errors.push({ type: 'list_type', loc: where('inputs', i, 'data'), msg: 'Input should be a valid list', input: raw.data });
      }
      if (errors.length === before) {
        const input: V2Input = { name: raw.name as string, shape, datatype: raw.datatype as string, data: raw.data as PyValue[] };
        if (isObject(raw.parameters)) input.parameters = raw.parameters;
        req.inputs.push(input);
      }
    });
  }
  if (body.outputs !== undefined && body.outputs !== null) {
    if (!Array.isArray(body.outputs)) errors.push({ type: 'list_type', loc: where('outputs'), msg: 'Input should be a valid list', input: body.outputs });
    else {
      req.outputs = [];
      body.outputs.forEach((o, i) => {
        if (isObject(o) && typeof o.name === 'string') req.outputs!.push({ name: o.name });
        else errors.push({ type: 'missing', loc: where('outputs', i, 'name'), msg: 'Field required', input: o });
      });
    }
  }
  return errors.length > 0 ? errors : req;
}

interface Tensor {
  shape: number[];
  /** Row-major values after numpy's dtype conversion (numbers; strings for BYTES). */
  flat: (number | string | PyValue)[];
  datatype: string;
}

const INT_TYPES = new Set(['INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64']);
const FLOAT_TYPES = new Set(['FP16', 'FP32', 'FP64']);

/** np.array(data, dtype=to_np_dtype(datatype)).reshape(shape), with numpy's ValueErrors. */
export function tensorToNumpy(input: V2Input): Tensor | string {
  const a = ndarray(input.data);
  if (typeof a === 'string') return a;
  const dt = input.datatype;
  const flat: (number | string | PyValue)[] = [];
  for (const x of a.flat) {
    if (FLOAT_TYPES.has(dt) || INT_TYPES.has(dt)) {
      let v: number;
      if (x === null) {
        if (INT_TYPES.has(dt)) return "int() argument must be a string, a bytes-like object or a real number, not 'NoneType'";
        v = NaN;
      } else if (typeof x === 'boolean') v = x ? 1 : 0;
      else if (isNumber(x)) v = numeric(x);
      else if (typeof x === 'string' && parsePyFloat(x) !== undefined) v = parsePyFloat(x)!;
      else if (typeof x === 'string') return FLOAT_TYPES.has(dt) ? `could not convert string to float: ${pyRepr(x)}` : `invalid literal for int() with base 10: ${pyRepr(x)}`;
      else return `float() argument must be a string or a real number, not '${Array.isArray(x) ? 'list' : 'dict'}'`;
      // numpy truncates floats silently when the dtype is an integer type.
      flat.push(INT_TYPES.has(dt) ? Math.trunc(v) : dt === 'FP32' ? Math.fround(v) : v);
    } else if (dt === 'BOOL') {
      flat.push(x === true || (isNumber(x) && numeric(x) !== 0) || (typeof x === 'string' && x !== '') ? 1 : 0);
    } else {
      flat.push(x);
    }
  }
  const size = flat.length;
  const want = input.shape.reduce((p, d) => p * d, 1);
  if (want !== size || input.shape.some((d) => d < 0)) return `cannot reshape array of size ${size} into shape ${pyTuple(input.shape)}`;
  return { shape: input.shape, flat, datatype: dt };
}

/** A tensor as nested rows for sklearn: [n, k] → n rows of k; [n] → a 1-D array (sklearn will refuse it). */
export function tensorRows(t: Tensor): PyValue {
  const wrap = (x: number | string | PyValue): PyValue => (typeof x === 'number' && !Number.isInteger(x) ? new Float(x) : (x as PyValue));
  const build = (offset: number, dim: number): [PyValue, number] => {
    if (dim === t.shape.length) return [wrap(t.flat[offset]), offset + 1];
    const out: PyValue[] = [];
    for (let i = 0; i < t.shape[dim]; i++) {
      const [v, next] = build(offset, dim + 1);
      out.push(v);
      offset = next;
    }
    return [out, offset];
  };
  // Float tensors stay float for sklearn even when a value is integral.
  const float = FLOAT_TYPES.has(t.datatype);
  const rows = build(0, 0)[0];
  return float ? floatify(rows) : rows;
}

function floatify(v: PyValue): PyValue {
  if (Array.isArray(v)) return v.map(floatify);
  return typeof v === 'number' ? new Float(v) : v;
}
