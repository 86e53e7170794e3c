// The MLflow scoring server (`mlflow models serve`): POST /invocations with Content-Type application/json (a
// dictionary with exactly one of dataframe_split, dataframe_records, instances, inputs) or text/csv, in front of a
// sklearn-flavor model whose MLmodel signature is enforced. Sources:
//   mlflow/mlflow mlflow/pyfunc/scoring_server/__init__.py invocations (content type and charset → 415 text/plain;
//     a missing Content-Type fails on None.split → bare 500), _decode_json_input, predictions_to_json (json.dump)
//   mlflow/mlflow mlflow/utils/proto_json_utils.py MlflowInvalidInputException (INVALID_PARAMETER_VALUE)
//   scoring rules: ./mlflow-pyfunc.ts
import type { StrictConfig } from './config.js';
import { type StrictHandler, type StrictReply, type StrictRequest, json, text } from './http.js';
import { JsonSyntaxError, isObject, parseJson } from './jsonparse.js';
import { LinearModel } from './model.js';
import { REQUIRED_INPUT_FORMAT, SCORING_PROTOCOL_CHANGE_INFO, type MlflowError, mlflowScore } from './mlflow-pyfunc.js';
import { Float, type PyValue, parsePyFloat, pyDumps, pyRepr } from './pyjson.js';

const MLFLOW_VERSION = '2.22.0';

const errorReply = (status: number, e: MlflowError): StrictReply => json(status, pyDumps(e as unknown as PyValue));
const invalidInput = (message: string) => errorReply(400, { error_code: 'INVALID_PARAMETER_VALUE', message: `Invalid input. ${message}` });

/** pd.read_csv of a simple CSV body: a header row, then cells read as int, float or str. */
function readCsv(body: string): Record<string, PyValue> | string {
  const lines = body.split(/\r?\n/).filter((l) => l.length > 0);
  if (lines.length === 0) return 'No columns to parse from file';
  const columns = lines[0].split(',');
  const cell = (c: string): PyValue => {
    if (/^[+-]?\d+$/.test(c)) return Number(c);
    if (c === '') return new Float(NaN);
    const f = parsePyFloat(c);
    return f === undefined ? c : new Float(f);
  };
  const data = lines.slice(1).map((l) => l.split(',').map(cell));
  const bad = data.findIndex((r) => r.length > columns.length);
  if (bad >= 0) return `Error tokenizing data. C error: Expected ${columns.length} fields in line ${bad + 2}, saw ${data[bad].length}\n`;
  return { dataframe_split: { columns, data } };
}

export function mlflowServer(cfg: StrictConfig): StrictHandler {
  const model = new LinearModel(cfg.model);

  function invocations(req: StrictRequest): StrictReply {
    const contentType = req.headers['content-type'];
    // `content_type.split(";")` on None: an AttributeError nobody catches.
    if (contentType === undefined) return text(500, 'Internal Server Error');
    const parts = contentType.split(';').map((p) => p.trim());
    const params = Object.fromEntries(parts.slice(1).map((p) => [p.split('=')[0], p.slice(p.indexOf('=') + 1)]));
    if ((params.charset ?? 'utf-8').toLowerCase() !== 'utf-8') return text(415, 'The scoring server only supports UTF-8');
    const unexpected = Object.keys(params).filter((k) => k !== 'charset');
    if (unexpected.length) return text(415, `Unrecognized content type parameters: ${unexpected.join(', ')}. ${SCORING_PROTOCOL_CHANGE_INFO}`);
    let payload: PyValue;
    if (parts[0] === 'text/csv') {
      const csv = readCsv(req.body);
      if (typeof csv === 'string') {
        return errorReply(400, {
          error_code: 'BAD_REQUEST',
          message: `Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid CSV-formatted Pandas DataFrame produced using the \`pandas.DataFrame.to_csv()\` method. Error: '${csv}'`,
          stack_trace: `Traceback (most recent call last):\n  File "mlflow/pyfunc/scoring_server/__init__.py", in parse_csv_input\npandas.errors.ParserError: ${csv}\n`,
        });
      }
      payload = csv;
    } else if (parts[0] === 'application/json') {
      try {
        payload = parseJson(req.body, true);
      } catch (err) {
        if (!(err instanceof JsonSyntaxError)) throw err;
        return invalidInput(`Ensure that input is a valid JSON formatted string. Error: 'JSONDecodeError(${pyRepr(err.python())})'\nInput: \n${req.body}\n`);
      }
      if (Array.isArray(payload)) return invalidInput(`${REQUIRED_INPUT_FORMAT}. Received a list.`);
      if (!isObject(payload)) return invalidInput(`${REQUIRED_INPUT_FORMAT}. Received unexpected input type '<class '${typeof payload === 'string' ? 'str' : payload === null ? 'NoneType' : 'int'}'>.`);
    } else {
      return text(415, `This predictor only supports the following content types: Types: ['text/csv', 'application/json']. Got '${contentType}'.`);
    }
    const result = mlflowScore(payload as Record<string, PyValue>, cfg, model);
    if (!result.ok) return errorReply(result.status, result.error);
    return json(200, pyDumps({ predictions: result.predictions }), result.rows);
  }

  return {
    handle(req) {
      if (req.path === '/invocations') return req.method === 'POST' ? invocations(req) : json(405, '{"detail":"Method Not Allowed"}');
      if (req.method === 'GET' && (req.path === '/ping' || req.path === '/health')) return json(200, '\n');
      if (req.method === 'GET' && req.path === '/version') return json(200, MLFLOW_VERSION);
      return json(404, '{"detail":"Not Found"}');
    },
  };
}
