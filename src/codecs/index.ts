// One entry point: the scenario's target → the Codec for its protocol, with prediction/probability path
// overrides applied to whichever protocol it is.
import type { Codec } from './types.js';
import type { TargetSpec } from '../scenario/types.js';
import { ModelwaveError } from '../errors.js';
import { classInfo, type CodecContext, type Overrides } from './extract.js';
import { parsePath } from './path.js';
import { clouderaCodec } from './cloudera.js';
import { mlflowRecordsCodec, mlflowSplitCodec } from './mlflow.js';
import { kserveV1Codec, kserveV2Codec } from './kserve.js';
import { tfServingCodec } from './tfserving.js';
import { templateCodec } from './template.js';

export type { Codec, DecodeResult } from './types.js';
export { parsePath, getPath, type PathSegment } from './path.js';

const FACTORIES: Record<TargetSpec['protocol'], (ctx: CodecContext) => Codec> = {
  cloudera: clouderaCodec,
  'mlflow-split': mlflowSplitCodec,
  'mlflow-records': mlflowRecordsCodec,
  'kserve-v1': kserveV1Codec,
  'kserve-v2': kserveV2Codec,
  'tf-serving': tfServingCodec,
  template: templateCodec,
};

/**
 * Build the codec for `target.protocol`. `fieldNames` fixes the order (and set) of fields sent; `classes`
 * (class values, index = class code) lets per-class score vectors resolve to a class and, for binary tasks,
 * the second class's score become the probability. Throws ModelwaveError (exit 2) for an unusable target.
 */
export function createCodec(target: TargetSpec, fieldNames: string[], classes?: (string | number)[]): Codec {
  const factory = Object.hasOwn(FACTORIES, target.protocol) ? FACTORIES[target.protocol] : undefined;
  if (!factory) {
    throw new ModelwaveError('MW_SCENARIO_INVALID', `target.protocol ${JSON.stringify(target.protocol)} is not supported`, [
      `target.protocol: use one of ${Object.keys(FACTORIES).join(', ')}.`,
    ]);
  }
  const overrides: Overrides = {};
  if (target.predictionPath !== undefined) {
    overrides.prediction = parsePath(target.predictionPath, 'target.predictionPath');
    overrides.predictionWhere = target.predictionPath;
  }
  if (target.probabilityPath !== undefined) overrides.probability = parsePath(target.probabilityPath, 'target.probabilityPath');
  return factory({ target, fieldNames, classes: classInfo(classes), overrides });
}
