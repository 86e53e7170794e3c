// MLflow scoring server (/invocations): pandas DataFrame as `dataframe_split` (columns + data) or
// `dataframe_records` (mlflow/pyfunc/scoring_server/__init__.py). Responses are {"predictions": …} in every form
// _get_jsonable_obj produces (a list, a list of records, a dict of columns, a scalar); MLflow 1.x answers a bare
// list. Cloudera Model Registry deployments take the same payloads inside `request` (cloudera.ts).
import type { Codec } from './types.js';
import type { Row } from '../data/types.js';
import { fail, makeCodec, type CodecContext, type Located, type Failure } from './extract.js';
import { arrayRowEncoder, rowsJson, rowWriter, type PlainStrings } from './json.js';

/** `{"columns":[…],"data":[[…],…]}` for these names: a pandas split-oriented frame (no index: RangeIndex). */
export function splitFrame(names: readonly string[], plain?: PlainStrings): (rows: readonly Row[]) => string {
  const head = `{"columns":${JSON.stringify(names)},"data":`;
  const encodeRow = arrayRowEncoder(names, plain);
  return (rows) => head + rowsJson(rows, encodeRow) + '}';
}

export function mlflowSplitCodec(ctx: CodecContext): Codec {
  const frame = splitFrame(ctx.send, ctx.plainStrings);
  return makeCodec('mlflow-split', ctx, (rows) => `{"dataframe_split":${frame(rows)}}`, locatePredictions);
}

export function mlflowRecordsCodec(ctx: CodecContext): Codec {
  const encodeRow = rowWriter(ctx.rowFormat ?? 'object', ctx.send, ctx.plainStrings);
  return makeCodec('mlflow-records', ctx, (rows) => `{"dataframe_records":${rowsJson(rows, encodeRow)}}`, locatePredictions);
}

/** `predictions` of an object, or a bare top-level list (also used by kserve-v1 and tf-serving). */
export function locatePredictions(root: unknown): Located | Failure {
  if (Array.isArray(root)) return { predictions: root, where: 'the response list' };
  if (root === null || typeof root !== 'object') return fail('NO_PREDICTION', 'response is not a JSON object with "predictions"');
  return { predictions: (root as Record<string, unknown>).predictions, where: 'predictions' };
}
