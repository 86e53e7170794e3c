// The normalized scenario: what every stage after validation reads.
// The loader (src/scenario/load.ts) turns a YAML/JSON file into this shape: durations in ms, defaults filled,
// `${VAR}` substituted, enums resolved. Nothing downstream ever sees the raw file.

export type Protocol =
  | 'cloudera'
  | 'mlflow-split'
  | 'mlflow-records'
  | 'kserve-v1'
  | 'kserve-v2'
  | 'tf-serving'
  | 'template';

export interface TargetSpec {
  /** http(s)://host:port/path, or `builtin:telco@v1` / `builtin:telco@v2` (the reference server, started as a child). */
  url: string;
  protocol: Protocol;
  /** Header values after `${VAR}` substitution. Never written to reports, logs or the store (redact.ts). */
  headers: Record<string, string>;
  /** `headers.Authorization` came from the URL's `user:password@`: it belongs to that URL, not to a replacement. */
  authorizationFromUrl?: true;
  timeoutMs: number;
  /** Rows per request (batching); 1 by default. */
  rowsPerRequest: number;
  /** cloudera protocol: optional `accessKey` put in the body. Treated as a secret. */
  accessKey?: string;
  /** template protocol: body with placeholders, and where the prediction is in the response. */
  template?: TemplateSpec;
  /** Optional override of where predictions/probabilities are found in the response (dot path, `[i]` allowed). */
  predictionPath?: string;
  probabilityPath?: string;
  /** Max in-flight requests per run in open loop; beyond it a scheduled request is counted `dropped`. */
  maxInFlight: number;
  /** Fields sent to the model, in this order; default every data field (or source column). See src/codecs/plan.ts. */
  send?: string[];
  /** How one row is written; default per protocol (src/codecs/plan.ts `defaultRowFormat`). */
  rowFormat?: RowFormat;
  /** kserve-v2: the input tensor layout; default one [n, k] FP32 tensor named `input-0`. */
  tensor?: TensorSpec;
  /** kserve-v2: the output tensor read for predictions; tf-serving: the key of a multi-output row. */
  output?: string;
  /** Binary labels: a prediction read as P(positive) is the positive class when ≥ this (default 0.5). */
  decisionThreshold?: number;
  /** cloudera: how the row(s) sit inside `request`; default `flat`. */
  cloudera?: { request: ClouderaRequest };
  /** A response body larger than this fails the request as RESPONSE_TOO_LARGE. Set by the loader (16 MiB default). */
  maxResponseBytes?: number;
  /** https:// targets and feedback URLs: extra trust, client certificate, or no verification. */
  tls?: TlsSpec;
}

/** A row as a named object, a positional list in `send` order, its one value, or an object of one-element lists. */
export type RowFormat = 'object' | 'array' | 'scalar' | 'object-of-lists';
/** Open Inference Protocol tensor datatypes (kserve docs/predict-api/v2/required_api.md, "Tensor Data Types"). */
export type V2Datatype = 'BOOL' | 'UINT8' | 'UINT16' | 'UINT32' | 'UINT64' | 'INT8' | 'INT16' | 'INT32' | 'INT64' | 'FP16' | 'FP32' | 'FP64' | 'BYTES';
export type ClouderaRequest = 'flat' | 'record' | 'dataframe_split' | 'dataframe_records' | 'inputs';

export interface TensorSpec {
  /** `single`: one [n, k] tensor; `per-field`: one tensor per sent field. */
  layout: 'single' | 'per-field';
  /** single: the tensor name (default `input-0`). */
  name?: string;
  /** single: the tensor's datatype (default FP32); per-field: the default for fields not in `datatypes`. */
  datatype?: V2Datatype;
  /** per-field: datatype per field; others are inferred once from the field definitions. */
  datatypes?: Record<string, V2Datatype>;
  /** per-field: shape of one row's value, [] → tensors [n] (default), [1] → [n, 1] (Triton `dims: [1]`). */
  dims?: number[];
  /** Request-level `parameters`; per-field default `{"content_type": "pd"}`, single default none. */
  parameters?: Record<string, unknown>;
}

/** PEM files as absolute paths (checked by the loader, read once at the start of a run; contents never stored here). */
export interface TlsSpec {
  ca?: string;
  cert?: string;
  key?: string;
  /** Do not verify the server certificate: warned in the terminal and recorded in the report. */
  insecure: boolean;
}

export interface TemplateSpec {
  /** Any JSON value; strings `{{row}}`, `{{rows}}`, `{{field:NAME}}`, `{{seq}}` are replaced (whole-string placeholders keep JSON types). */
  body: unknown;
  /** Dot path to the prediction(s) in the response, e.g. `outputs[0].label` or `predictions`. */
  responsePath: string;
  /** Optional dot path to a server uuid. */
  uuidPath?: string;
}

// ---- data ----

/** A numeric or categorical field expression. Exactly one generator key. */
export type FieldSpec =
  | { kind: 'int'; min: number; max: number; drift?: RangeDrift }
  | { kind: 'float'; min: number; max: number; drift?: RangeDrift }
  | { kind: 'normal'; mean: number; sd: number; drift?: { mean?: number; sd?: number } }
  | { kind: 'oneOf'; values: (string | number | boolean)[]; weights?: number[]; drift?: { weights: number[] } }
  | { kind: 'bool'; p: number; drift?: { p: number } }
  | { kind: 'uuid' }
  | { kind: 'const'; value: string | number | boolean }
  | { kind: 'seq' }
  /** Derived: sum / product / difference of other fields and nested expressions (correlated columns). */
  | { kind: 'plus' | 'minus' | 'times'; args: FieldArg[] }
  | { kind: 'faker'; method: string; args?: Record<string, unknown> | unknown[] };

export type FieldArg = { ref: string } | { value: number } | { expr: FieldSpec };

/** Covariate drift: where the distribution ends up at progress 1 (linear in progress from the start spec). */
export interface RangeDrift {
  min?: number;
  max?: number;
  /** 0..1 progress at which the drift starts (default 0) and is complete (default 1). */
  start?: number;
  end?: number;
}

export interface CsvSource {
  path: string; // resolved absolute path
  format: 'csv' | 'jsonl';
  order: 'sequential' | 'shuffled';
  atEnd: 'cycle' | 'stop';
  /** Columns sent as features; default all but the label column. */
  columns?: string[];
  /** Declared column types (CSV cells are typed by these; JSONL values converted). */
  types?: Record<string, ColumnType>;
}

export type ColumnType = 'string' | 'number' | 'integer' | 'boolean';

export interface DataSpec {
  /** Ordered: a derived field may reference earlier fields only. Empty when `source` is set. */
  fields: { name: string; spec: FieldSpec }[];
  source?: CsvSource;
}

// ---- labels (ground truth) ----

export type LabelModel =
  | { kind: 'logistic'; bias: number; weights: Record<string, number>; classes: [LabelValue, LabelValue] }
  | { kind: 'threshold'; field: string; op: '>' | '>=' | '<' | '<=' | '==' | '!='; value: number | string; classes: [LabelValue, LabelValue] }
  | { kind: 'priors'; classes: LabelValue[]; weights: number[] }
  | { kind: 'softmax'; classes: { value: LabelValue; bias: number; weights: Record<string, number> }[] }
  | { kind: 'linear'; bias: number; weights: Record<string, number>; noiseSd: number }
  /** Replayed data set: the label is a column. */
  | { kind: 'column'; column: string; classes?: LabelValue[] };

export type LabelValue = string | number;

export interface LabelDrift {
  /** Label noise: probability that the true label is replaced by another class, linear in progress. */
  flipRate?: { from: number; to: number };
  /** Concept drift: weights (and bias) move to these values, gradually (linear over [start,end]) or at one point. */
  concept?: { bias?: number; weights?: Record<string, number>; start: number; end: number };
}

export interface LabelSpec {
  name: string;
  task: 'classification' | 'regression';
  model: LabelModel;
  drift?: LabelDrift;
  /** Class values for classification (index = class code used in records). Empty for regression. */
  classes: LabelValue[];
  /** Which class is "positive" for binary precision/recall, AUC, log loss (default the second class; spec/classes.ts). */
  positive?: LabelValue;
  /** Classification: an answer outside `classes` counts as wrong (default) or is left out of accuracy. */
  outOfClass?: 'wrong' | 'exclude';
}

// ---- load ----

export interface OpenPhase {
  kind: 'open';
  name: string;
  durationMs: number;
  rate: number; // req/s at the phase start
  rampTo?: number; // req/s at the phase end (linear)
  /** Steps: rate goes from `rate` to `rampTo` in this many equal steps instead of linearly. */
  steps?: number;
  arrivals: 'uniform' | 'poisson';
  warmup: boolean;
  /** Optional cap on requests in this phase. */
  requests?: number;
}

export interface ClosedPhase {
  kind: 'closed';
  name: string;
  durationMs?: number;
  requests?: number; // ends after this many requests (whichever of duration/requests comes first)
  concurrency: number;
  thinkMs: number;
  warmup: boolean;
}

export type Phase = OpenPhase | ClosedPhase;

export interface LoadSpec {
  phases: Phase[];
  /** Worker threads; 'auto' is resolved at run time to the core count. */
  workers: number | 'auto';
}

export interface FeedbackSpec {
  /** Without userinfo: a `user:password@` in the scenario became `authorization`. */
  url: string;
  /** `Basic …` from the URL's userinfo (a secret). */
  authorization?: string;
  afterMs: number;
  batchSize: number;
  /** Max feedback posts per second. */
  maxRate: number;
  retries: number;
  /** Post by the server uuid when the protocol returns one, else by sequence number. */
  key: 'uuid' | 'seq';
  /** `batch` (default): modelwave's `{"feedback": [...]}`; `cloudera`: one delayed-metrics POST per uuid. */
  format?: 'batch' | 'cloudera';
  /** Header values after `${VAR}` substitution; secrets, never written anywhere. */
  headers?: Record<string, string>;
  /** cloudera format: the model deployment CRN and the metric key the label goes under (default final_label). */
  deploymentCrn?: string;
  metric?: string;
}

export type WindowSpec = { kind: 'count'; every: number } | { kind: 'span'; spanMs: number };

export interface ThresholdSpec {
  /** As written, e.g. `latency.p99 < 250ms`. */
  expr: string;
  metric: string; // e.g. latency.p99, errors.rate, accuracy, precision[1]
  op: '<' | '<=' | '>' | '>=' | '==' | '!=';
  /** Normalised: ms for time metrics, a fraction for percentages, plain number otherwise. */
  value: number;
}

export interface CompareRuleSpec {
  expr: string;
  metric: string; // accuracy.delta, latency.p99.ratio, errors.rate.delta ...
  op: '<' | '<=' | '>' | '>=';
  value: number;
}

export interface CompareSpec {
  rules: CompareRuleSpec[];
  /** Below this absolute difference a delta is noise (per metric family; fractions or ms). */
  tolerance: { accuracy: number; latencyRatio: number; errorRate: number };
  alpha: number;
}

/** What `compare` uses where the scenario says nothing: the one home of these numbers (scenario, analysis, verdict). */
export const COMPARE_DEFAULTS: Readonly<Omit<CompareSpec, 'rules'>> = Object.freeze({
  alpha: 0.05,
  tolerance: Object.freeze({ accuracy: 0.005, latencyRatio: 0.02, errorRate: 0.002 }),
});

export interface Scenario {
  name: string;
  description?: string;
  seed: number;
  /** Absolute path of the file it came from (for relative `data.source`). */
  file: string;
  target: TargetSpec;
  data: DataSpec;
  label?: LabelSpec;
  load: LoadSpec;
  feedback?: FeedbackSpec;
  windows: WindowSpec;
  thresholds: ThresholdSpec[];
  compare?: CompareSpec;
  /**
   * Drift progress denominator: progress of request `seq` is min(1, seq / progressRequests). From `data.progressOver`
   * when given, else the planned request count (open-loop phases exactly; closed-loop phases by their `requests`).
   */
  progressRequests: number;
  /** Planned request count when it is known in advance (every phase bounded by count or open loop), else undefined. */
  plannedRequests?: number;
  /** The scenario as written, parsed, with secret values replaced by "REDACTED" (redact.ts) — safe to embed in reports. */
  redacted: unknown;
}
