// TensorFlow Serving REST predict API, row format: {"signature_name", "instances": [{…}]} → {"predictions": […]}.
import type { Codec } from './types.js';
import { makeCodec, type CodecContext } from './extract.js';
import { rowEncoder, rowsJson } from './json.js';
import { locatePredictions } from './mlflow.js';

export const TF_SIGNATURE = 'serving_default';

export function tfServingCodec(ctx: CodecContext): Codec {
  const encodeRow = rowEncoder(ctx.fieldNames);
  const head = `{"signature_name":${JSON.stringify(TF_SIGNATURE)},"instances":`;
  return makeCodec('tf-serving', ctx, (rows) => head + rowsJson(rows, encodeRow) + '}', locatePredictions);
}
