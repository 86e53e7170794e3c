// An MLflow pyfunc model (sklearn flavor) scoring a decoded JSON payload, as the scoring server and Cloudera's
// registry deployments run it: pick the one input format, build a DataFrame or an ndarray, cast it to the
// signature, enforce the signature, predict, make the result JSON-able. Sources:
//   mlflow/mlflow mlflow/pyfunc/scoring_server/__init__.py infer_and_parse_data, invocations (REQUIRED_INPUT_FORMAT,
//     "Failed to predict data …", "Encountered an unexpected error while evaluating the model")
//   mlflow/mlflow mlflow/utils/proto_json_utils.py dataframe_from_parsed_json, cast_df_types_according_to_schema,
//     parse_tf_serving_input, _get_jsonable_obj (ndarray.tolist(); Series/DataFrame → records)
//   mlflow/mlflow mlflow/pyfunc/__init__.py _validate_prediction_input ("Failed to enforce schema of data …")
//   mlflow/mlflow mlflow/models/utils.py _enforce_schema, _enforce_tensor_schema, _enforce_tensor_spec
//   mlflow/mlflow mlflow/exceptions.py (error_code → HTTP status: BAD_REQUEST and INVALID_PARAMETER_VALUE 400,
//     the default INTERNAL_ERROR 500; body {"error_code", "message", "stack_trace"?})
import type { StrictConfig } from './config.js';
import { isObject } from './jsonparse.js';
import type { LinearModel, Scored } from './model.js';
import { type Frame, astype, column, frameRepr, fromRecords, fromSplit } from './pandas.js';
import { Float, type PyValue, f64, numpyRow, parsePyFloat, pyRepr } from './pyjson.js';
import { ndarray, sklearnPredict } from './sklearn.js';

const SUPPORTED_FORMATS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'];
const FORMAT_SET = "{'dataframe_records', 'dataframe_split', 'instances', 'inputs'}";
export const REQUIRED_INPUT_FORMAT = `The input must be a JSON dictionary with exactly one of the input fields ${FORMAT_SET}`;
export const SCORING_PROTOCOL_CHANGE_INFO =
  'IMPORTANT: The MLflow Model scoring protocol has changed in MLflow version 2.0. If you are seeing this error, you are ' +
  "likely using an outdated scoring request format. To resolve the error, either update your request format or adjust your MLflow Model's " +
  "requirements file to specify an older version of MLflow (for example, change the 'mlflow' requirement specifier to 'mlflow==1.30.0'). " +
  'If you are making a request using the MLflow client (e.g. via `mlflow.pyfunc.spark_udf()`), upgrade your MLflow client to a version >= 2.0 ' +
  'in order to use the new request format. For more information about the updated MLflow Model scoring protocol in MLflow 2.0, see ' +
  'https://mlflow.org/docs/latest/models.html#deploy-mlflow-models.';
const TF_PARSE_FAILED =
  "Failed to parse data as TF serving input. Ensure that the input is a valid JSON-formatted string that conforms to the request body for TF serving's Predict API as documented at https://www.tensorflow.org/tfx/serving/api_rest#request_format_2";

export type MlflowError = { error_code: string; message: string; stack_trace?: string };
type MlflowResult = { ok: true; predictions: PyValue; rows: number } | { ok: false; status: number; error: MlflowError };

const STATUS: Record<string, number> = { BAD_REQUEST: 400, INVALID_PARAMETER_VALUE: 400, INTERNAL_ERROR: 500 };
const fail = (code: string, message: string, stack_trace?: string): MlflowResult => ({
  ok: false,
  status: STATUS[code],
  error: stack_trace === undefined ? { error_code: code, message } : { error_code: code, message, stack_trace },
});

type ColumnType = 'double' | 'float' | 'long' | 'integer' | 'string' | 'boolean';
const NUMPY: Record<ColumnType, 'float64' | 'float32' | 'int64' | 'int32' | null> = { double: 'float64', float: 'float32', long: 'int64', integer: 'int32', string: null, boolean: null };

/** What pf_input became: a DataFrame, an ndarray (nested rows) or a dict of columns. */
type PfInput = { kind: 'frame'; frame: Frame } | { kind: 'ndarray'; value: PyValue } | { kind: 'dict'; columns: Record<string, PyValue[]> };

export function mlflowScore(payload: Record<string, PyValue>, cfg: StrictConfig, model: LinearModel): MlflowResult {
  const sig = cfg.mlflow.signature.inputs;
  const tensor = sig[0].type === 'tensor' ? sig[0]['tensor-spec'] : undefined;
  const named = sig.filter((s): s is { name: string; type: ColumnType } => s.type !== 'tensor');
  const schemaText = tensor
    ? `[Tensor('${tensor.dtype}', (${tensor.shape.join(', ')}))]`
    : `[${named.map((s) => `'${s.name}': ${s.type} (required)`).join(', ')}]`;

  const keys = Object.keys(payload).filter((k) => SUPPORTED_FORMATS.includes(k));
  if (keys.length !== 1) {
    return fail('BAD_REQUEST', `${REQUIRED_INPUT_FORMAT}. Received dictionary with input fields: ${pyRepr(keys)}. ${SCORING_PROTOCOL_CHANGE_INFO}`);
  }
  const format = keys[0];
  const value = payload[format];
  let input: PfInput;
  if (format === 'dataframe_split' || format === 'dataframe_records') {
    const frame = parseFrame(format, value);
    if ('error' in frame) return fail('BAD_REQUEST', frame.error);
    const cast = castToSchema(frame.frame);
    if (typeof cast === 'string') return fail('BAD_REQUEST', cast);
    input = { kind: 'frame', frame: cast };
  } else {
    const parsed = parseTfServing(format, value);
    if (typeof parsed === 'string') return fail('INTERNAL_ERROR', parsed);
    input = parsed;
  }

  /** The schema's casts (cast_df_types_according_to_schema): every column to the tensor type, or per named column. */
  function castToSchema(frame: Frame): Frame | string {
    const targets: [string, ColumnType | 'tensor'][] = tensor ? frame.columns.map((c) => [c, 'tensor']) : named.map((s) => [s.name, s.type]);
    const rows = frame.rows.map((r) => [...r]);
    for (const [name, type] of targets) {
      const at = frame.columns.indexOf(name);
      if (at < 0) continue;
      const to = type === 'tensor' ? (tensor!.dtype as 'float64') : NUMPY[type];
      if (to === null) continue;
      const values = column(frame, name);
      if (tensor && Array.isArray(values[0])) continue; // list cells are reshaped during enforcement
      const converted = astype(values, to);
      if (typeof converted === 'string') {
        const ex = `ValueError(${pyRepr(converted)})`;
        return `Data is not compatible with model signature. Failed to convert column ${name} to type '${to}'. Error: '${ex}'`;
      }
      converted.forEach((v, i) => (rows[i][at] = v));
    }
    return { columns: frame.columns, rows };
  }

  /** parse_tf_serving_input: instances (rows or records) or inputs (a tensor or a dict of columns). */
  function parseTfServing(fmt: string, items: PyValue): PfInput | string {
    let data: PyValue | Record<string, PyValue[]>;
    if (fmt === 'instances') {
      if (!Array.isArray(items)) return TF_PARSE_FAILED; // len()/items[0] raise inside the try
      if (items.length > 0 && isObject(items[0])) {
        const cols: Record<string, PyValue[]> = {};
        for (const item of items) {
          if (!isObject(item)) return TF_PARSE_FAILED;
          for (const [k, v] of Object.entries(item)) (cols[k] ??= []).push(v);
        }
        data = cols;
      } else data = items;
    } else data = items;
    if (tensor) {
      if (!Array.isArray(data)) return TF_PARSE_FAILED; // "an un-named tensor-based model signature … expects a single n-dimensional array"
      const a = ndarray(data);
      if (typeof a === 'string' || a.flat.some((x) => typeof x === 'string' && parsePyFloat(x) === undefined)) return TF_PARSE_FAILED;
      return { kind: 'ndarray', value: data };
    }
    let cols: Record<string, PyValue[]>;
    if (named.length === 1 && Array.isArray(data) && !data.some(isObject)) cols = { [named[0].name]: data };
    else if (isObject(data)) cols = data as Record<string, PyValue[]>;
    else return TF_PARSE_FAILED; // "a tensor-based model signature with input names, which suggests a dictionary input"
    const lengths = Object.values(cols).map((c) => (Array.isArray(c) ? c.length : -1));
    if (fmt === 'instances' && lengths.some((l) => l !== lengths[0])) {
      return 'Failed to parse data as TF serving input. The length of values for each input/column name are not the same';
    }
    return { kind: 'dict', columns: cols };
  }

  const dataText = (x: PfInput): string => {
    if (x.kind === 'frame') return frameRepr(x.frame);
    if (x.kind === 'dict') return pyRepr(x.columns);
    const a = ndarray(x.value);
    if (typeof a === 'string' || a.shape.length !== 2) return pyRepr(x.value);
    const rows = (x.value as PyValue[][]).map((r) => numpyRow(r.map((v) => (v instanceof Float ? v.value : typeof v === 'string' ? (parsePyFloat(v) ?? NaN) : Number(v)))));
    return `[${rows.join('\n ')}]`;
  };
  const schemaError = (e: string): MlflowResult =>
    fail('INVALID_PARAMETER_VALUE', `Failed to predict data '${dataText(input)}'. \nError: Failed to enforce schema of data '${dataText(input)}' with schema '${schemaText}'. Error: ${e}`);

  // _enforce_schema → the sklearn model's input.
  let rows: { kind: 'ndarray'; value: PyValue } | { kind: 'frame'; columns: string[]; rows: PyValue[][] };
  if (tensor) {
    const width = tensor.shape[1];
    if (input.kind === 'frame') {
      const f = input.frame;
      if (f.rows.length === 0) return schemaError('Input DataFrame is empty.');
      if (f.columns.length === 1 && width !== 1) {
        return schemaError(`The input pandas dataframe column 'None' contains scalar values, which requires the shape to be (-1,) or (-1, 1), but got tensor spec shape of (-1, ${width}).`);
      }
      if (f.columns.length > 1 && f.columns.length !== width) {
        return schemaError(
          'This model contains a model signature with an unnamed input. Since the input data is a pandas DataFrame containing multiple columns, ' +
            'the input shape must be of the structure (-1, number_of_dataframe_columns). ' +
            `Instead, the input DataFrame passed had ${f.columns.length} columns and an input shape of (-1, ${width}) with all values within the ` +
            'DataFrame of scalar type. Please adjust the passed in DataFrame to match the expected structure',
        );
      }
      rows = { kind: 'ndarray', value: f.rows };
    } else if (input.kind === 'ndarray') {
      const a = ndarray(input.value);
      const shape = typeof a === 'string' ? [] : a.shape;
      if (shape.length !== 2 || shape[1] !== width) {
        const t = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
        return schemaError(`Shape of input ${t} does not match expected shape (-1, ${width}).`);
      }
      rows = { kind: 'ndarray', value: floats(input.value) };
    } else {
      return schemaError(
        `This model contains a tensor-based model signature with no input names, which suggests a numpy array input or a pandas dataframe input with proper column values, but an input of type <class 'dict'> was found.`,
      );
    }
  } else {
    const frame: Frame =
      input.kind === 'frame'
        ? input.frame
        : input.kind === 'dict'
          ? { columns: Object.keys(input.columns), rows: transpose(Object.values(input.columns)) }
          : { columns: [named[0].name], rows: (input.value as PyValue[]).map((v) => [v]) };
    const missing = named.map((s) => s.name).filter((n) => !frame.columns.includes(n));
    if (missing.length) {
      const extra = frame.columns.filter((c) => !named.some((s) => s.name === c));
      return schemaError(`Model is missing inputs ${pyRepr(missing)}.${extra.length ? ` Note that there were extra inputs: ${pyRepr(extra)}` : ''}`);
    }
    // Extra columns are dropped ("These inputs will be ignored."), the rest reordered to the signature.
    const at = named.map((s) => frame.columns.indexOf(s.name));
    rows = { kind: 'frame', columns: named.map((s) => s.name), rows: frame.rows.map((r) => at.map((i) => r[i])) };
  }

  // String columns of a column signature feed a one-hot encoder in the logged pipeline.
  const est = { name: 'LogisticRegression', featureNamesAtFit: !tensor, categorical: named.filter((s) => s.type === 'string').map((s) => s.name) };
  const result = sklearnPredict(rows, model, est);
  if (!result.ok) {
    return fail(
      'BAD_REQUEST',
      'Encountered an unexpected error while evaluating the model. Verify that the serialized input Dataframe is compatible with the model for inference.',
      `Traceback (most recent call last):\n  File "mlflow/pyfunc/scoring_server/__init__.py", in invocations\n    raw_predictions = model.predict(data, params=params)\nValueError: ${result.message}\n`,
    );
  }
  return { ok: true, predictions: jsonable(result.scored, cfg, model), rows: result.scored.length };
}

function parseFrame(format: string, value: PyValue): { frame: Frame } | { error: string } {
  if (format === 'dataframe_records') {
    if (!Array.isArray(value)) {
      return { error: `Dataframe records format must be a list of records. Got ${isObject(value) ? 'dictionary' : `type ${pyType(value)}`}.` };
    }
    const f = fromRecords(value);
    return typeof f === 'string'
      ? { error: `Provided dataframe_records field is not a valid dataframe representation in 'records' format. Error: '${f}'` }
      : { frame: f };
  }
  if (!isObject(value)) return { error: `Dataframe split format must be a dictionary. Got ${Array.isArray(value) ? 'list' : `type ${pyType(value)}`}.` };
  const keys = Object.keys(value);
  if (!keys.includes('data') || keys.some((k) => !['columns', 'data', 'index'].includes(k))) {
    return { error: `Dataframe split format must have 'data' field and optionally 'columns' and 'index' fields. Got {${keys.map((k) => pyRepr(k)).join(', ')}}.'` };
  }
  const f = fromSplit(value.columns, value.data, value.index);
  return typeof f === 'string' ? { error: `Provided dataframe_split field is not a valid dataframe representation in 'split' format. Error: '${f}'` } : { frame: f };
}

/** np.array(rows, dtype=float64): numbers and numeric strings become floats, None NaN. */
function floats(v: PyValue): PyValue {
  if (Array.isArray(v)) return v.map(floats);
  if (v === null) return new Float(NaN);
  if (v instanceof Float) return v;
  return new Float(typeof v === 'string' ? parsePyFloat(v)! : Number(v));
}

const pyType = (v: PyValue): string =>
  `<class '${v === null ? 'NoneType' : typeof v === 'string' ? 'str' : typeof v === 'boolean' ? 'bool' : v instanceof Float ? 'float' : typeof v === 'number' ? 'int' : Array.isArray(v) ? 'list' : 'dict'}'>`;

function transpose(cols: PyValue[][]): PyValue[][] {
  const n = Math.max(0, ...cols.map((c) => (Array.isArray(c) ? c.length : 0)));
  return Array.from({ length: n }, (_, i) => cols.map((c) => (Array.isArray(c) ? c[i] : null)));
}

/** The model's output made JSON-able the way _get_jsonable_obj does it, in the configured pyfunc shape. */
function jsonable(scored: Scored[], cfg: StrictConfig, model: LinearModel): PyValue {
  const value = (s: Scored): PyValue => {
    if (cfg.model.output === 'probabilities') return s.probabilities.map(f64);
    if (cfg.model.output === 'probability') return f64(model.positive(s));
    return model.label(s);
  };
  const label = cfg.mlflow.labelColumn;
  const withProbability = cfg.model.output === 'probability';
  switch (cfg.mlflow.predictions) {
    case 'ndarray':
      return scored.map(value);
    case 'series':
      return scored.map((s) => ({ '0': value(s) }));
    case 'frame':
      return scored.map((s) => (withProbability ? { [label]: model.label(s), probability: f64(model.positive(s)) } : { [label]: value(s) }));
    case 'columns':
      return withProbability
        ? { [label]: scored.map((s) => model.label(s)), probability: scored.map((s) => f64(model.positive(s))) }
        : { [label]: scored.map(value) };
  }
}
