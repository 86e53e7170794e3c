// KServe. v1: {"instances": [row, …]} → {"predictions": […]}; rows are positional by default (the sklearn, xgboost
// and lightgbm servers build a numpy array from them: ../shared/conformance KV1-1).
// v2 (Open Inference Protocol): request tensors from tensor.ts; the answer's `outputs` are read by name —
// `target.output`, else a prediction-like name ("prediction", "predict", "label", "class_ids") with a
// probability-like one beside it ("probability", "probabilities", "predict_proba"), else the first output —
// shape-aware: [n] or [n, 1] is one value per row, [n, C] one vector per row (flat or nested data, row-major).
import type { Codec } from './types.js';
import { fail, makeCodec, type CodecContext, type Failure, type Located } from './extract.js';
import { rowsJson, rowWriter } from './json.js';
import { locatePredictions } from './mlflow.js';
import { tensorEncoder } from './tensor.js';

export function kserveV1Codec(ctx: CodecContext): Codec {
  const encodeRow = rowWriter(ctx.rowFormat ?? 'array', ctx.send, ctx.plainStrings);
  return makeCodec('kserve-v1', ctx, (rows) => `{"instances":${rowsJson(rows, encodeRow)}}`, locatePredictions);
}

export function kserveV2Codec(ctx: CodecContext): Codec {
  const encode = tensorEncoder(ctx);
  const output = ctx.target.output;
  return makeCodec('kserve-v2', ctx, encode, (root, rowCount) => locateV2(root, rowCount, output));
}

interface V2Output {
  name?: unknown;
  shape?: unknown;
  data?: unknown;
}

const PREDICTION_NAMES = ['prediction', 'predict', 'label', 'class_ids'];
const PROBABILITY_NAMES = ['probability', 'probabilities', 'predict_proba'];

function locateV2(root: unknown, rowCount: number, output: string | undefined): Located | Failure {
  const outputs = root !== null && typeof root === 'object' ? (root as Record<string, unknown>).outputs : undefined;
  if (!Array.isArray(outputs) || outputs.length === 0) return fail('NO_PREDICTION', 'no outputs in the inference response');
  const byName = (name: string): V2Output | undefined =>
    outputs.find((o): o is V2Output => o !== null && typeof o === 'object' && (o as V2Output).name === name);
  const firstOf = (names: string[]) => names.map(byName).find((o) => o !== undefined);
  const uuids = byName('uuid');
  let pred: V2Output | undefined;
  let prob: V2Output | undefined;
  let where: string;
  if (output !== undefined) {
    pred = byName(output);
    where = `outputs[name=${JSON.stringify(output)}].data`;
    if (!pred) {
      const names = outputs.map((o) => (o !== null && typeof o === 'object' ? String((o as V2Output).name) : '?'));
      return fail('NO_PREDICTION', `no output named ${JSON.stringify(output)} (target.output); the response has ${names.join(', ')}`);
    }
  } else {
    pred = firstOf(PREDICTION_NAMES);
    prob = firstOf(PROBABILITY_NAMES);
    if (!pred && prob) [pred, prob] = [prob, undefined];
    pred ??= outputs.find((o) => o !== uuids) as V2Output | undefined;
    where = pred && typeof pred.name === 'string' ? `outputs[name=${JSON.stringify(pred.name)}].data` : 'outputs[0].data';
  }
  const located: Located = { predictions: tensorRows(pred, rowCount), where };
  if (prob) located.probabilities = tensorRows(prob, rowCount);
  // The response `id` echoes the request's, so only a per-row "uuid" output is a server id.
  if (rowCount === 1 && uuids && Array.isArray(uuids.data) && typeof uuids.data[0] === 'string') located.uuid = uuids.data[0];
  return located;
}

/**
 * A tensor's data as one entry per row, by its shape: [n] and [n, 1] give n values, [n, C] n vectors of C (row-major,
 * data flat or nested). Without a usable shape the data is returned as it is.
 */
export function tensorRows(t: V2Output | undefined, rowCount: number): unknown {
  if (t === null || typeof t !== 'object') return undefined;
  const raw = t.data;
  if (!Array.isArray(raw)) return raw;
  const data = raw.some(Array.isArray) ? raw.flat(Infinity) : raw;
  const shape = t.shape;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => typeof d === 'number' && d >= 0)) return data;
  let width = 1;
  for (let i = 1; i < shape.length; i++) width *= shape[i] as number;
  const n = shape[0] as number;
  if (n !== rowCount || data.length !== n * width) return width === 1 ? data : raw;
  if (width === 1) return data;
  const out: unknown[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = data.slice(i * width, (i + 1) * width);
  return out;
}
