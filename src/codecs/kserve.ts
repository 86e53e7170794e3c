// KServe. v1: {"instances": [{…}]} → {"predictions": […]}.
// v2 (Open Inference Protocol): one 1-D input tensor per field, {name, shape: [n], datatype, data}; the answer's
// `outputs` are read by name ("prediction", "probability"), falling back to the first output.
import type { Codec } from './types.js';
import type { Row } from '../data/types.js';
import { fail, makeCodec, type CodecContext, type Failure, type Located } from './extract.js';
import { cellJson, rowEncoder, rowsJson } from './json.js';
import { locatePredictions } from './mlflow.js';

export function kserveV1Codec(ctx: CodecContext): Codec {
  const encodeRow = rowEncoder(ctx.fieldNames);
  return makeCodec('kserve-v1', ctx, (rows) => `{"instances":${rowsJson(rows, encodeRow)}}`, locatePredictions);
}

export type V2Datatype = 'BOOL' | 'INT64' | 'FP64' | 'BYTES';

/**
 * The tensor type of one column of this batch. Decided per batch from the values: the codec only knows field
 * names, and a float column whose values happen to be whole numbers in a batch is sent as INT64.
 */
export function v2Datatype(rows: readonly Row[], name: string): V2Datatype {
  let bools = 0;
  let ints = 0;
  let nums = 0;
  for (let r = 0; r < rows.length; r++) {
    const v = rows[r][name];
    if (typeof v === 'boolean') bools++;
    else if (typeof v === 'number') {
      nums++;
      if (Number.isInteger(v)) ints++;
    } else return 'BYTES';
  }
  if (bools === rows.length) return 'BOOL';
  if (nums !== rows.length) return 'BYTES';
  return ints === rows.length ? 'INT64' : 'FP64';
}

export function kserveV2Codec(ctx: CodecContext): Codec {
  const names = ctx.fieldNames.slice();
  const heads = names.map((n, i) => `${i === 0 ? '' : ','}{"name":${JSON.stringify(n)},"shape":[`);
  const encode = (rows: Row[], seq: number): string => {
    let s = `{"id":"${seq}","inputs":[`;
    for (let f = 0; f < names.length; f++) {
      const name = names[f];
      const type = v2Datatype(rows, name);
      s += `${heads[f]}${rows.length}],"datatype":"${type}","data":[`;
      for (let r = 0; r < rows.length; r++) {
        const v = rows[r][name];
        s += (r === 0 ? '' : ',') + (type === 'BYTES' && typeof v !== 'string' ? JSON.stringify(String(v)) : cellJson(v));
      }
      s += ']}';
    }
    return s + ']}';
  };
  return makeCodec('kserve-v2', ctx, encode, locateV2);
}

interface V2Output {
  name?: unknown;
  shape?: unknown;
  data?: unknown;
}

function locateV2(root: unknown, rowCount: number): Located | Failure {
  const outputs = root !== null && typeof root === 'object' ? (root as Record<string, unknown>).outputs : undefined;
  if (!Array.isArray(outputs) || outputs.length === 0) return fail('NO_PREDICTION', 'no outputs in the inference response');
  const byName = (name: string): V2Output | undefined =>
    outputs.find((o): o is V2Output => o !== null && typeof o === 'object' && (o as V2Output).name === name);
  const named = byName('prediction');
  const pred = named ?? (outputs[0] as V2Output);
  const prob = named ? byName('probability') ?? byName('probabilities') : undefined;
  const located: Located = {
    predictions: tensorRows(pred, rowCount),
    probabilities: prob ? tensorRows(prob, rowCount) : undefined,
    where: named ? 'outputs["prediction"].data' : 'outputs[0].data',
  };
  // The response `id` echoes the request's (our seq), so only a per-row "uuid" output is a server id.
  const uuids = byName('uuid');
  if (rowCount === 1 && uuids && Array.isArray(uuids.data) && typeof uuids.data[0] === 'string') located.uuid = uuids.data[0];
  return located;
}

/** A tensor's data as one entry per row: flat [n, C] data (C > 1) becomes n vectors of C. */
function tensorRows(t: V2Output | undefined, rowCount: number): unknown {
  if (t === null || typeof t !== 'object') return undefined;
  const data = t.data;
  const shape = t.shape;
  if (!Array.isArray(data) || !Array.isArray(shape) || shape.length !== 2) return data;
  const width = Number(shape[1]);
  if (!(width > 1) || data.length !== rowCount * width) return data;
  const out: unknown[] = new Array(rowCount);
  for (let i = 0; i < rowCount; i++) out[i] = data.slice(i * width, (i + 1) * width);
  return out;
}
