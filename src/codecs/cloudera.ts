// Cloudera AI model endpoints: {"accessKey"?, "request": {fields}} → {"success", "response": {prediction, …}}.
// One row per request: the endpoint calls the model function once per body.
import type { Codec } from './types.js';
import { ModelwaveError } from '../errors.js';
import { fail, makeCodec, type CodecContext, type Located } from './extract.js';
import { rowEncoder } from './json.js';

export function clouderaCodec(ctx: CodecContext): Codec {
  const { target } = ctx;
  if (target.rowsPerRequest !== 1) {
    throw new ModelwaveError('MW_SCENARIO_INVALID', `target.rowsPerRequest must be 1 for protocol cloudera (got ${target.rowsPerRequest})`, [
      'target.rowsPerRequest: a Cloudera model endpoint takes one row per request; remove rowsPerRequest or pick a batch protocol.',
    ]);
  }
  const encodeRow = rowEncoder(ctx.fieldNames);
  const head = target.accessKey === undefined ? '{"request":' : `{"accessKey":${JSON.stringify(target.accessKey)},"request":`;
  return makeCodec('cloudera', ctx, (rows) => head + encodeRow(rows[0]) + '}', locate);
}

function locate(root: unknown): Located | ReturnType<typeof fail> {
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    return fail('NO_PREDICTION', 'response is not a JSON object with "response"');
  }
  const o = root as Record<string, unknown>;
  if (o.success === false) {
    const why = typeof o.error === 'string' ? o.error : JSON.stringify(o.response ?? null).slice(0, 120);
    return fail('NO_PREDICTION', `endpoint answered success: false (${why})`);
  }
  const response = o.response;
  // The model function's return value is `response`; a bare value is the prediction itself.
  if (response !== null && typeof response === 'object' && !Array.isArray(response)) {
    const r = response as Record<string, unknown>;
    const uuid = typeof r.uuid === 'string' ? r.uuid : undefined;
    return { predictions: r, uuid, where: 'response.prediction' };
  }
  return { predictions: response, where: 'response' };
}
