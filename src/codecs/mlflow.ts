// MLflow scoring server (/invocations): pandas DataFrame as `dataframe_split` (columns + data) or
// `dataframe_records`. Responses are {"predictions": [v, …]} for plain models or
// {"predictions": [{"prediction": v, "probability": p}, …]} for models returning a DataFrame; older servers
// answer with a bare list. All three read the same.
import type { Codec } from './types.js';
import type { Row } from '../data/types.js';
import { fail, makeCodec, type CodecContext, type Located, type Failure } from './extract.js';
import { cellJson, rowEncoder, rowsJson } from './json.js';

export function mlflowSplitCodec(ctx: CodecContext): Codec {
  const names = ctx.fieldNames.slice();
  const head = `{"dataframe_split":{"columns":${JSON.stringify(names)},"data":[`;
  const encode = (rows: Row[]): string => {
    let s = head;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      s += r === 0 ? '[' : ',[';
      for (let i = 0; i < names.length; i++) s += (i === 0 ? '' : ',') + cellJson(row[names[i]]);
      s += ']';
    }
    return s + ']}}';
  };
  return makeCodec('mlflow-split', ctx, encode, locatePredictions);
}

export function mlflowRecordsCodec(ctx: CodecContext): Codec {
  const encodeRow = rowEncoder(ctx.fieldNames);
  return makeCodec('mlflow-records', ctx, (rows) => `{"dataframe_records":${rowsJson(rows, encodeRow)}}`, locatePredictions);
}

/** `predictions` of an object, or a bare top-level list (also used by kserve-v1 and tf-serving). */
export function locatePredictions(root: unknown): Located | Failure {
  if (Array.isArray(root)) return { predictions: root, where: 'the response list' };
  if (root === null || typeof root !== 'object') return fail('NO_PREDICTION', 'response is not a JSON object with "predictions"');
  return { predictions: (root as Record<string, unknown>).predictions, where: 'predictions' };
}
