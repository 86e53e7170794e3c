// The scenario file format, as written by users: the single source of truth for `validate` and `schema`.
// Structure only (types, ranges, allowed keys); rules that relate one key to another (open XOR closed phase,
// references to earlier fields, label vs data) live in normalize.ts, which also fills defaults.
// Messages are predicates on the path ("must be a positive number"); errors.ts prefixes the path and appends the value.
import * as z from 'zod';
import { FAKER_METHODS } from '../data/faker-allowlist.js';
import { DURATION_FORMS, DURATION_PATTERN, durationProblem } from '../util/duration.js';
import type { ClouderaRequest, ColumnType, RowFormat, V2Datatype } from '../spec/types.js';
import { SIZE_PATTERN } from '../util/size.js';

const PROTOCOLS = ['cloudera', 'mlflow-split', 'mlflow-records', 'kserve-v1', 'kserve-v2', 'tf-serving', 'template'] as const;
const FIELD_KINDS = ['int', 'float', 'normal', 'oneOf', 'bool', 'uuid', 'const', 'seq', 'plus', 'minus', 'times', 'faker'] as const;
const ROW_FORMATS = ['object', 'array', 'scalar', 'object-of-lists'] as const satisfies readonly RowFormat[];
const V2_DATATYPES = [
  'BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES',
] as const satisfies readonly V2Datatype[];
const CLOUDERA_REQUESTS = ['flat', 'record', 'dataframe_split', 'dataframe_records', 'inputs'] as const satisfies readonly ClouderaRequest[];
const COLUMN_TYPES = ['string', 'number', 'integer', 'boolean'] as const satisfies readonly ColumnType[];
export const LABEL_MODELS = ['logistic', 'threshold', 'priors', 'softmax', 'linear', 'column'] as const;

const DURATION_MSG = `must be a duration like ${DURATION_FORMS}`;
const num = z.number({ error: 'must be a number' });
const positive = z.number({ error: 'must be a positive number' }).positive({ error: 'must be a positive number' });
const nonNegative = z.number({ error: 'must be a number ≥ 0' }).nonnegative({ error: 'must be a number ≥ 0' });
const positiveInt = z
  .number({ error: 'must be a positive integer' })
  .int({ error: 'must be a positive integer' })
  .positive({ error: 'must be a positive integer' });
const nonNegativeInt = z
  .number({ error: 'must be an integer ≥ 0' })
  .int({ error: 'must be an integer ≥ 0' })
  .nonnegative({ error: 'must be an integer ≥ 0' });
const fraction = z
  .number({ error: 'must be a number between 0 and 1' })
  .min(0, { error: 'must be a number between 0 and 1' })
  .max(1, { error: 'must be a number between 0 and 1' });
const text = z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' });
const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, number or boolean' });
const labelValue = z.union([z.string(), z.number()], { error: 'must be a string or a number' });
const weightMap = z.record(z.string(), num, { error: 'must map field names to numbers' });

// A bare number other than 0 is refused with its fix ("has no unit: write 3s or 3000ms"): util/duration.ts.
const durationMessage = (iss: { input?: unknown }): string => durationProblem(iss.input) ?? DURATION_MSG;
const Duration = z
  .union([z.string({ error: durationMessage }).regex(new RegExp(DURATION_PATTERN), { error: durationMessage }), z.literal(0, { error: durationMessage })], {
    error: durationMessage,
  })
  .describe('A duration with units: "500ms", "10s", "1m30s", "1h", or 0. A bare number is an error.');

const SIZE_MSG = 'must be a size like "16MiB", "512KiB", "2MB" or a number of bytes';
const Size = z
  .union([z.string({ error: SIZE_MSG }).regex(new RegExp(SIZE_PATTERN), { error: SIZE_MSG }), z.number({ error: SIZE_MSG }).int({ error: SIZE_MSG }).positive({ error: SIZE_MSG })], {
    error: SIZE_MSG,
  })
  .describe('A size: "16MiB", "512KiB", "2MB", or a number of bytes.');

// ---- data.fields ----

const range = z.tuple([num, num], { error: 'must be a [min, max] pair of numbers' });
const rangeDrift = z
  .strictObject({
    range,
    start: fraction.optional().describe('Progress (0..1) at which the drift starts; default 0.'),
    end: fraction.optional().describe('Progress (0..1) at which the drift is complete; default 1.'),
  })
  .describe('Covariate drift: the [min, max] range moves linearly to `range` between progress `start` and `end`.');

/** A field spec as written. Hand-written because it is recursive (derived fields nest expressions). */
export type RawFieldSpec =
  | { int: [number, number]; drift?: RawRangeDrift }
  | { float: [number, number]; drift?: RawRangeDrift }
  | { normal: { mean: number; sd: number }; drift?: { mean?: number; sd?: number } }
  | { oneOf: (string | number | boolean)[]; weights?: number[]; drift?: { weights: number[] } }
  | { bool: number; drift?: { p: number } }
  | { uuid: true }
  | { const: string | number | boolean }
  | { seq: true }
  | { plus: RawOperand[] }
  | { minus: RawOperand[] }
  | { times: RawOperand[] }
  | { faker: (typeof FAKER_METHODS)[number]; args?: Record<string, unknown> | unknown[] };
export type RawOperand = string | number | RawFieldSpec;
interface RawRangeDrift {
  range: [number, number];
  start?: number;
  end?: number;
}

const operands = (op: string) =>
  z
    .array(
      z.union([text, num, z.lazy(() => FieldSpec)], {
        error: 'must be the name of an earlier field, a number, or a field spec like { int: [0, 2] }',
      }),
      { error: 'must be a list of operands' },
    )
    .min(2, { error: 'must list at least 2 operands' })
    .describe(`${op} of the operands: names of earlier fields, numbers, or nested field specs.`);

/** One strict object per kind, in FIELD_KINDS order (errors.ts picks the branch by the generator key present). */
const FIELD_KIND_SCHEMAS = {
  int: z.strictObject({ int: range.describe('Uniform integer in [min, max], inclusive.'), drift: rangeDrift.optional() }),
  float: z.strictObject({ float: range.describe('Uniform float in [min, max).'), drift: rangeDrift.optional() }),
  normal: z.strictObject({
    normal: z.strictObject({ mean: num, sd: nonNegative }).describe('Normal distribution.'),
    drift: z.strictObject({ mean: num.optional(), sd: nonNegative.optional() }).optional(),
  }),
  oneOf: z.strictObject({
    oneOf: z.array(scalar, { error: 'must be a list of values' }).min(1, { error: 'must list at least one value' }),
    weights: z.array(nonNegative, { error: 'must be a list of numbers' }).optional(),
    drift: z.strictObject({ weights: z.array(nonNegative, { error: 'must be a list of numbers' }) }).optional(),
  }),
  bool: z.strictObject({
    bool: fraction.describe('Probability of true.'),
    drift: z.strictObject({ p: fraction }).optional(),
  }),
  uuid: z.strictObject({ uuid: z.literal(true, { error: 'must be true' }) }),
  const: z.strictObject({ const: scalar }),
  seq: z.strictObject({ seq: z.literal(true, { error: 'must be true' }).describe("The request's sequence number.") }),
  plus: z.strictObject({ plus: operands('Sum') }),
  minus: z.strictObject({ minus: operands('First operand minus the others') }),
  times: z.strictObject({ times: operands('Product') }),
  faker: z.strictObject({
    faker: z.enum(FAKER_METHODS, { error: 'must be one of the allowed faker methods' }),
    args: z
      .union([z.record(z.string(), z.unknown()), z.array(z.unknown())], { error: 'must be an object or a list' })
      .optional()
      .describe('Arguments passed to the faker method.'),
  }),
} as const;

const FieldSpec: z.ZodType<RawFieldSpec> = z
  .lazy(() => z.union(FIELD_KINDS.map((k) => FIELD_KIND_SCHEMAS[k]), { error: `must have exactly one generator key: ${FIELD_KINDS.join(', ')}` }))
  .meta({ id: 'FieldSpec' }) as z.ZodType<RawFieldSpec>;

const SourceObject = z.strictObject({
  path: text.describe('CSV (with header) or JSONL file, relative to the scenario file.'),
  format: z.enum(['csv', 'jsonl'], { error: 'must be "csv" or "jsonl"' }).optional().describe('Default from the extension.'),
  order: z.enum(['sequential', 'shuffled'], { error: 'must be "sequential" or "shuffled"' }).optional(),
  atEnd: z.enum(['cycle', 'stop'], { error: 'must be "cycle" or "stop"' }).optional(),
  label: text.optional().describe('The label column (same as label.column).'),
  columns: z.array(text, { error: 'must be a list of column names' }).optional().describe('Columns sent as features; default all but the label.'),
  types: z
    .record(z.string(), z.enum(COLUMN_TYPES, { error: `must be one of ${COLUMN_TYPES.join(', ')}` }), { error: 'must map column names to types' })
    .optional()
    .describe('Column types: CSV cells are read as these (a leading-zero id stays a string unless declared a number).'),
});

// ---- label ----

const LabelSchema = z.strictObject({
  name: text.optional().describe('Name of the ground-truth label; default the label column, else "label".'),
  classes: z.array(labelValue, { error: 'must be a list of class values' }).optional(),
  positive: labelValue.optional().describe('Positive class for precision/recall, ROC AUC and log loss; default the second class.'),
  outOfClass: z
    .enum(['wrong', 'exclude'], { error: 'must be "wrong" or "exclude"' })
    .optional()
    .describe('An answer that is not one of the classes: counted wrong (default) or left out of accuracy and the confusion-based figures.'),
  logistic: z.strictObject({ bias: num.optional(), weights: weightMap }).optional(),
  threshold: z
    .strictObject({
      field: text,
      op: z.enum(['>', '>=', '<', '<=', '==', '!='], { error: 'must be one of >, >=, <, <=, ==, !=' }),
      value: labelValue,
    })
    .optional(),
  priors: z.array(nonNegative, { error: 'must be a list of class weights' }).min(2, { error: 'must list at least 2 class weights' }).optional(),
  softmax: z
    .array(z.strictObject({ class: labelValue, bias: num.optional(), weights: weightMap.optional() }), { error: 'must be a list of { class, bias, weights }' })
    .min(2, { error: 'must list at least 2 classes' })
    .optional(),
  linear: z.strictObject({ bias: num.optional(), weights: weightMap, noise: nonNegative.optional() }).optional(),
  column: text.optional().describe('Label column of data.source (replay).'),
  drift: z
    .strictObject({
      flipRate: z.strictObject({ from: fraction.optional(), to: fraction }).optional().describe('Label noise, linear in progress.'),
      concept: z
        .strictObject({
          bias: num.optional(),
          weights: weightMap.optional(),
          at: fraction.optional(),
          start: fraction.optional(),
          end: fraction.optional(),
        })
        .optional()
        .describe('Concept drift: bias/weights move to these values between progress start and end (or at one point).'),
    })
    .optional(),
});

// ---- the file ----

const datatype = z.enum(V2_DATATYPES, { error: `must be one of ${V2_DATATYPES.join(', ')}` });
const TensorSchema = z
  .union(
    [
      z.enum(['single', 'per-field']),
      z.strictObject({
        layout: z.enum(['single', 'per-field'], { error: 'must be "single" or "per-field"' }).optional(),
        name: text.optional().describe('single: the input tensor name (default input-0).'),
        datatype: datatype.optional().describe('single: the datatype (default FP32); per-field: the default for every field.'),
        datatypes: z.record(z.string(), datatype, { error: 'must map field names to datatypes' }).optional().describe('per-field: datatype per field.'),
        dims: z
          .union([z.tuple([]), z.tuple([z.literal(1)])], { error: 'must be [] (tensors of shape [n]) or [1] (shape [n, 1])' })
          .optional()
          .describe('per-field: shape of one row\'s value; [1] sends [n, 1] tensors (Triton dims: [1]).'),
        parameters: z.record(z.string(), z.unknown(), { error: 'must be a mapping' }).optional().describe('Request-level parameters.'),
      }),
    ],
    { error: 'must be "single", "per-field" or a mapping { layout, name, datatype, datatypes, dims, parameters }' },
  )
  .describe('kserve-v2 input tensors: one [n, k] tensor (default) or one tensor per field.');

const Phase = z.strictObject({
  name: text.optional(),
  duration: Duration.optional(),
  rate: positive.optional().describe('Open loop: requests per second at the phase start.'),
  rampTo: nonNegative.optional().describe('Open loop: requests per second at the phase end (linear ramp).'),
  steps: z
    .number({ error: 'must be an integer ≥ 2' })
    .int({ error: 'must be an integer ≥ 2' })
    .min(2, { error: 'must be an integer ≥ 2' })
    .optional()
    .describe('Open loop: go from rate to rampTo in this many equal steps.'),
  concurrency: positiveInt.optional().describe('Closed loop: requests in flight.'),
  think: Duration.optional().describe('Closed loop: pause between a response and the next request.'),
  requests: positiveInt.optional().describe('End the phase after this many requests.'),
  warmup: z.boolean({ error: 'must be true or false' }).optional().describe('Excluded from the statistics.'),
  arrivals: z.enum(['uniform', 'poisson'], { error: 'must be "uniform" or "poisson"' }).optional(),
});

const comparisons = z.union(
  [
    z.record(z.string(), z.union([z.string(), z.array(z.string())], { error: 'must be a comparison string like "< 250ms" or a list of them' })),
    z.array(z.string({ error: 'must be a string like "latency.p99 < 250ms"' })),
  ],
  { error: 'must be a mapping like { latency.p99: "< 250ms" } or a list like ["latency.p99 < 250ms"]' },
);

export const ScenarioFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: text.optional().describe('Default: the file name.'),
    description: z.string({ error: 'must be a string' }).optional(),
    seed: nonNegativeInt.optional().describe('Same seed → same rows, labels and schedule. Default 1.'),
    target: z.strictObject({
      url: text.describe('http(s) URL, or builtin:telco@v1 | builtin:telco@v2 | builtin:echo:FIELD | builtin:constant:VALUE.'),
      protocol: z.enum(PROTOCOLS, { error: `must be one of ${PROTOCOLS.join(', ')}` }).optional(),
      headers: z
        .record(z.string(), z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string' }), { error: 'must map header names to values' })
        .optional()
        .describe('${VAR} is replaced from the environment. Never written to reports.'),
      timeout: Duration.optional(),
      rowsPerRequest: positiveInt.optional(),
      accessKey: z.string({ error: 'must be a string' }).optional().describe('cloudera only; ${VAR} allowed; a secret.'),
      predictionPath: text.optional(),
      probabilityPath: text.optional(),
      maxInFlight: positiveInt.optional(),
      send: z
        .array(text, { error: 'must be a list of field names' })
        .min(1, { error: 'must list at least one field' })
        .optional()
        .describe('Fields sent to the model, in this order; default every data field.'),
      rowFormat: z.enum(ROW_FORMATS, { error: `must be one of ${ROW_FORMATS.join(', ')}` }).optional().describe('A row as a named object or a positional list.'),
      tensor: TensorSchema.optional(),
      output: text.optional().describe('kserve-v2: the output tensor to read; tf-serving: the key of a multi-output row.'),
      decisionThreshold: fraction.optional().describe('Binary labels: a probability at or above this is the positive class (default 0.5).'),
      cloudera: z
        .strictObject({ request: z.enum(CLOUDERA_REQUESTS, { error: `must be one of ${CLOUDERA_REQUESTS.join(', ')}` }) })
        .optional()
        .describe('cloudera: how the row(s) sit inside "request".'),
      maxResponseBytes: Size.optional().describe('A larger response body fails the request (RESPONSE_TOO_LARGE). Default 16MiB.'),
      tls: z
        .strictObject({
          ca: text.optional().describe('PEM file: the CA(s) that signed the server certificate, trusted besides the default ones.'),
          cert: text.optional().describe('PEM file: client certificate for mutual TLS (with key).'),
          key: text.optional().describe('PEM file: unencrypted private key of cert.'),
          insecure: z.boolean({ error: 'must be true or false' }).optional().describe('Do not verify the server certificate (warned in the terminal and report).'),
        })
        .optional()
        .describe('https:// targets and feedback URLs. File paths are relative to the scenario file.'),
      template: z
        .strictObject({
          body: z.unknown().describe('JSON body; "{{row}}", "{{rows}}", "{{field:NAME}}", "{{seq}}" are replaced.'),
          responsePath: text,
          uuidPath: text.optional(),
        })
        .optional(),
    }),
    data: z.strictObject({
      fields: z.record(z.string(), FieldSpec, { error: 'must map field names to field specs' }).optional(),
      source: z.union([text, SourceObject], { error: 'must be a file path or { path, format, order, atEnd, label, columns }' }).optional(),
      progressOver: positiveInt.optional().describe('Requests over which drift progress goes 0 → 1.'),
      label: LabelSchema.optional().describe('Same as the top-level label (one or the other).'),
    }),
    label: LabelSchema.optional(),
    load: z.strictObject({
      phases: z.array(Phase, { error: 'must be a list of phases' }).min(1, { error: 'must list at least one phase' }),
      arrivals: z.enum(['uniform', 'poisson'], { error: 'must be "uniform" or "poisson"' }).optional(),
      workers: z.union([z.literal('auto'), positiveInt], { error: 'must be "auto" or a positive integer' }).optional(),
    }),
    feedback: z
      .strictObject({
        url: text.describe('http(s) URL, or "builtin" for the target\'s /feedback.'),
        after: Duration.optional(),
        batchSize: positiveInt.optional(),
        maxRate: positive.optional(),
        retries: nonNegativeInt.optional(),
        key: z.enum(['uuid', 'seq'], { error: 'must be "uuid" or "seq"' }).optional(),
        format: z.enum(['batch', 'cloudera'], { error: 'must be "batch" or "cloudera"' }).optional(),
        headers: z
          .record(z.string(), z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string' }), { error: 'must map header names to values' })
          .optional()
          .describe('${VAR} is replaced from the environment. Never written to reports.'),
        deploymentCrn: text.optional().describe('cloudera format: the model deployment CRN.'),
        metric: text.optional().describe('cloudera format: the metric key the label is posted under (default final_label).'),
      })
      .optional(),
    windows: z.strictObject({ every: positiveInt.optional(), span: Duration.optional() }).optional(),
    thresholds: comparisons.optional(),
    compare: z
      .strictObject({
        rules: comparisons.optional(),
        tolerance: z
          .strictObject({ accuracy: fraction.optional(), latencyRatio: nonNegative.optional(), errorRate: fraction.optional() })
          .optional(),
        alpha: z
          .number({ error: 'must be a number between 0 and 1 (exclusive)' })
          .gt(0, { error: 'must be a number between 0 and 1 (exclusive)' })
          .lt(1, { error: 'must be a number between 0 and 1 (exclusive)' })
          .optional(),
      })
      .optional(),
  })
  .describe('A modelwave scenario: target, data, ground truth, load, thresholds.');

export type RawScenario = z.infer<typeof ScenarioFileSchema>;
export type RawTarget = RawScenario['target'];
export type RawData = RawScenario['data'];
export type RawLabel = z.infer<typeof LabelSchema>;
export type RawPhase = z.infer<typeof Phase>;
export type RawComparisons = z.infer<typeof comparisons>;

/** The JSON Schema of the scenario file, generated from the same definition the validator uses. */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ScenarioFileSchema, { target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  return { title: 'modelwave scenario', ...schema };
}
