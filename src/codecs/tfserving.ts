// TensorFlow Serving REST predict API, row format (tensorflow_serving/g3doc/api_rest.md): {"instances": [...]} →
// {"predictions": [...]}. The signature is the server's default (serving_default) unless the URL names another.
// A Keras model's single input takes positional rows; a model with several named inputs takes one object per row;
// a model with one scalar input takes the bare values (rowFormat scalar). `target.output` picks one named output
// of a multi-output answer ([{"class_ids": [1], "probabilities": [...]}, ...]).
import type { Codec } from './types.js';
import { fail, makeCodec, type CodecContext, type Failure, type Located } from './extract.js';
import { rowsJson, rowWriter } from './json.js';
import { locatePredictions } from './mlflow.js';

export function tfServingCodec(ctx: CodecContext): Codec {
  const encodeRow = rowWriter(ctx.rowFormat ?? 'array', ctx.send, ctx.plainStrings);
  const output = ctx.target.output;
  const locate = output === undefined ? locatePredictions : (root: unknown) => locateOutput(root, output);
  return makeCodec('tf-serving', ctx, (rows) => `{"instances":${rowsJson(rows, encodeRow)}}`, locate);
}

function locateOutput(root: unknown, output: string): Located | Failure {
  const found = locatePredictions(root);
  if ('ok' in found) return found;
  const where = `predictions[*].${output}`;
  const rows = found.predictions;
  if (!Array.isArray(rows)) return fail('NO_PREDICTION', `no prediction list at predictions (looked for ${where})`);
  const picked = new Array<unknown>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    picked[i] = r !== null && typeof r === 'object' && !Array.isArray(r) && Object.hasOwn(r, output) ? (r as Record<string, unknown>)[output] : undefined;
  }
  return { predictions: picked, where };
}
