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
}

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
  /** Which class is "positive" for binary precision/recall (default the second class, e.g. 1). */
  positive?: LabelValue;
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
