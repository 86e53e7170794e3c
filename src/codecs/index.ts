// One entry point: the scenario's target → the Codec for its protocol, with prediction/probability path
// overrides applied to whichever protocol it is.
import type { Codec, FieldType } from './types.js';
import type { LabelValue, Scenario, TargetSpec } from '../spec/types.js';
import type { RowGenerator } from '../data/types.js';
import { ModelwaveError } from '../errors.js';
import { classSpec } from '../spec/classes.js';
import { classInfo, type CodecContext, type Overrides } from './extract.js';
import { parsePath } from './path.js';
import { clouderaCodec } from './cloudera.js';
import { mlflowRecordsCodec, mlflowSplitCodec } from './mlflow.js';
import { kserveV1Codec, kserveV2Codec } from './kserve.js';
import { tfServingCodec } from './tfserving.js';
import { templateCodec } from './template.js';

export type { Codec, DecodeResult, FieldType } from './types.js';
export { READ_AS } from './types.js';
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

export interface CodecOptions {
  /** The positive class of a binary label (default the second class; spec/classes.ts). */
  positive?: LabelValue;
  /** What each field holds (see wireTypes); kserve-v2 checks and infers tensor datatypes from it. */
  fieldTypes?: Record<string, FieldType>;
  /** Fields whose values are strings JSON writes as they are (RowGenerator.plainStrings): encoded without escaping. */
  plainStrings?: ReadonlySet<string>;
}

/**
 * Build the codec for `target.protocol`. `fieldNames` are a row's fields in order; `target.send` picks those sent
 * (default all). `classes` (class values, index = class code) let per-class score vectors resolve to a class and,
 * for binary tasks, a probability become a class. Throws ModelwaveError (exit 2) for an unusable target.
 */
export function createCodec(target: TargetSpec, fieldNames: string[], classes?: LabelValue[], opts: CodecOptions = {}): Codec {
  const factory = Object.hasOwn(FACTORIES, target.protocol) ? FACTORIES[target.protocol] : undefined;
  if (!factory) {
    throw new ModelwaveError('MW_SCENARIO_INVALID', `target.protocol ${JSON.stringify(target.protocol)} is not supported`, [
      `target.protocol: use one of ${Object.keys(FACTORIES).join(', ')}.`,
    ]);
  }
  const send = target.send ?? fieldNames;
  const unknown = fieldNames.length > 0 ? send.filter((n) => !fieldNames.includes(n)) : [];
  if (unknown.length > 0) {
    throw new ModelwaveError('MW_SCENARIO_INVALID', `target.send names ${unknown.map((n) => `\`${n}\``).join(', ')}, which the rows do not have`, [
      `target.send: the rows have ${fieldNames.join(', ')}.`,
    ]);
  }
  const overrides: Overrides = {};
  if (target.predictionPath !== undefined) {
    overrides.prediction = parsePath(target.predictionPath, 'target.predictionPath');
    overrides.predictionWhere = target.predictionPath;
  }
  if (target.probabilityPath !== undefined) overrides.probability = parsePath(target.probabilityPath, 'target.probabilityPath');
  return factory({
    target,
    fieldNames,
    send,
    rowFormat: target.rowFormat,
    ...(opts.fieldTypes && { fieldTypes: opts.fieldTypes }),
    ...(opts.plainStrings && { plainStrings: opts.plainStrings }),
    classes: classInfo(
      classSpec(classes, {
        ...(opts.positive !== undefined && { positive: opts.positive }),
        ...(target.decisionThreshold !== undefined && { decisionThreshold: target.decisionThreshold }),
      }),
    ),
    overrides,
  });
}

/** The codec a run uses: the scenario's target, the generator's fields and what they hold, the label's classes. */
export function codecFor(s: Pick<Scenario, 'target' | 'label'>, gen: Pick<RowGenerator, 'fieldNames' | 'classes' | 'fieldKinds' | 'plainStrings'>): Codec {
  return createCodec(s.target, gen.fieldNames, gen.classes, {
    ...(s.label?.positive !== undefined && { positive: s.label.positive }),
    fieldTypes: { ...gen.fieldKinds },
    ...(gen.plainStrings && { plainStrings: gen.plainStrings }),
  });
}
