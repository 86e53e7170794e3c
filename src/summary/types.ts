// The Summary: one versioned object a run produces; report.json is exactly this, serialised.
// Reporters (terminal, Markdown, HTML, JUnit, hgrm), the store and `compare` are functions of it.
// Documented field by field in docs/report-schema.md; bump SCHEMA_VERSION on any incompatible change.

export const SCHEMA_VERSION = 2;

export interface LatencyStats {
  /** Float milliseconds with µs precision (HDR histogram, 3 significant digits). */
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  min: number;
  mean: number;
  /** Number of recorded values. */
  count: number;
}

export interface RequestCounts {
  /** Requests the schedule asked for (open loop) or the closed loop issued. scheduled = sent + dropped. */
  scheduled: number;
  /** Requests put on the wire. sent = ok + httpErrors + timeouts + connectionErrors + badResponses. */
  sent: number;
  ok: number;
  httpErrors: number;
  timeouts: number;
  connectionErrors: number;
  badResponses: number;
  dropped: number;
  /**
   * Totals and phases only: requests sent a second time, on a fresh connection, because the keep-alive connection
   * they went out on had sat idle and was closed by the server before any byte of an answer (counted once in `sent`).
   */
  retriedOnStaleConnection?: number;
}

export interface ErrorBreakdown {
  /** HTTP status → count, for non-2xx responses. */
  byStatus: Record<string, number>;
  /** Error code (see ERROR_CODES) → count, for every request that was not ok (dropped included). */
  byCode: Record<string, number>;
  /** (sent − ok) / sent; 0 when nothing was sent. */
  rate: number;
  /** The first response of each kind that could not be used (a body no rule could read, an HTTP error), once each. */
  samples?: ResponseSample[];
}

export interface ResponseSample {
  kind: 'badResponse' | 'httpError';
  /** HTTP status of the response. */
  status: number;
  /** Error code (see ERROR_CODES): BAD_JSON, NO_PREDICTION, PREDICTION_COUNT, HTTP_STATUS. */
  code: string;
  /** For a bad response: what was tried (the path read) and why it failed. */
  message?: string;
  /** The first 200 bytes of the body, secret values replaced by "[redacted]". */
  bodyHead: string;
}

/** Precision, recall and F1; null when nothing was scored (n = 0: not measured, never 0). */
export interface Prf {
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

export interface ClassStats {
  label: string;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  /** Rows whose true label is this class (answers outside the classes included). */
  support: number;
}

export interface ClassificationStats {
  /**
   * Rows scored: successful responses with a label and a prediction — one of the classes, or, unless
   * `label.outOfClass: exclude`, an answer outside them (scored as wrong).
   */
  n: number;
  /** null when n = 0 (not measured). */
  accuracy: number | null;
  /** Wilson score 95% interval for accuracy; null when n = 0. */
  accuracyCi: [number, number] | null;
  classes: ClassStats[];
  macro: Prf;
  micro: Prf;
  /** Positive-class precision/recall/F1 for binary tasks (the `label.positive` class). */
  positive?: Prf & { label: string };
  /** confusion[i][j] = rows with true class i predicted as class j (order of `labels`). */
  confusion: number[][];
  /**
   * Per true class (order of `labels`): rows answered outside the classes and scored as wrong — the column a k×k
   * matrix has no room for (confusion row sums + this = support). Absent when there were none, or when they were
   * excluded (`label.outOfClass: exclude`); in reports before schema 2.
   */
  outOfClass?: number[];
  labels: string[];
  logLoss?: number;
  rocAuc?: number;
}

export interface RegressionStats {
  n: number;
  /** null when n = 0 (not measured; schema 2, before 0). */
  mae: number | null;
  rmse: number | null;
  r2: number | null;
}

export interface QualityCounts {
  /** Rows in successful responses. */
  rows: number;
  /** Rows scored. */
  scored: number;
  /**
   * Rows of ok responses that could not be scored: no label (a replayed row without one), or, for regression, no
   * numeric prediction. Counted, never scored.
   */
  unparsable: number;
  /**
   * Classification (schema 2): rows of ok responses whose answer is not one of the label's classes (an abstention,
   * an unknown value, null). Scored as wrong (they are in `scored` and `n`) unless `outOfClassPolicy` is 'exclude'.
   */
  outOfClass?: number;
  /** Up to 5 distinct such answers, as JSON text (at most 60 characters, secrets scrubbed). */
  outOfClassExamples?: string[];
  /** How they were scored: 'wrong' (default) or 'exclude' (`label.outOfClass`). */
  outOfClassPolicy?: 'wrong' | 'exclude';
  /** Rows of failed requests (not scored). */
  failed: number;
  /** How the predictions of scored and unparsable rows were read (absent in reports written before it existed). */
  predictionsReadAs?: PredictionsReadAs;
}

export interface PredictionsReadAs {
  /** The value itself: a class value (or a number, for regression). */
  class: number;
  /** A binary label's probability (P(second class); scenario/classes.ts), thresholded at target.decisionThreshold. */
  probability: number;
  /** The argmax of a per-class score vector. */
  argmax: number;
}

export interface PhaseSummary {
  index: number;
  name: string;
  kind: 'open' | 'closed';
  warmup: boolean;
  /** Planned: rate (open) or concurrency (closed); and for a ramp the end rate. */
  targetRate?: number;
  targetRampTo?: number;
  concurrency?: number;
  startedAtMs: number; // ms since run start
  endedAtMs: number;
  requests: RequestCounts;
  rps: number;
  latencyMs: LatencyStats;
  serviceTimeMs: LatencyStats;
  lagMs: Pick<LatencyStats, 'p50' | 'p99' | 'max'>;
  accuracy?: number;
}

export interface WindowSummary {
  index: number;
  /** Sequence range [seqStart, seqEnd) for count windows; time range for span windows. */
  seqStart?: number;
  seqEnd?: number;
  /** Wall-clock ISO timestamps of the first intended send and the last response in the window. */
  startAt: string;
  endAt: string;
  /** ms since run start. */
  startMs: number;
  endMs: number;
  requests: RequestCounts;
  rps: number;
  latencyMs: LatencyStats;
  accuracy?: number;
  accuracyCi?: [number, number];
  scored?: number;
  /** Flagged when accuracy is significantly below the reference (first) windows; see docs. */
  drifted?: boolean;
  /** Regression windows. */
  rmse?: number;
  mae?: number;
  /** Confusion matrix of this window (same label order as totals.classification.labels). */
  confusion?: number[][];
  /** Base64 compressed HDR histogram of latency (µs) in this window. */
  latencyHistogram?: string;
}

export interface ThresholdResult {
  expr: string;
  metric: string;
  op: string;
  /** Threshold value, normalised (ms, fraction, number). */
  limit: number;
  /** Measured value (NaN/null when not measurable, which fails). */
  value: number | null;
  /** Why the value is null, e.g. "no row was scored (0 of 400 requests sent answered ok)" (schema 2). */
  reason?: string;
  /**
   * Set on the rule modelwave adds itself when no request succeeded (`errors.rate < 100%`, absent with
   * `--allow-all-failed`); it is only in `thresholds` when it fails (schema 2).
   */
  default?: boolean;
  pass: boolean;
  unit: 'ms' | 'fraction' | 'rps' | 'number';
}

export interface DriftSummary {
  detected: boolean;
  /** Plain sentence, e.g. "accuracy fell from 0.91 (window 1) to 0.62 (window 10)". */
  sentence: string;
  referenceWindows: number[];
  referenceAccuracy?: number;
  flaggedWindows: number[];
  test: string;
}

export interface FeedbackSummary {
  url: string;
  posted: number;
  failed: number;
  retried: number;
  /** Labels posted (rows); `posted` counts HTTP posts that succeeded. */
  labelsPosted: number;
  labelsFailed: number;
}

export interface StoreSummary {
  kind: 'embedded' | 'postgres' | 'none';
  /** URL with password removed, or the embedded directory. */
  location: string;
  storedRequests: number;
  /** Every record (warm-up included) and the summary are in the store; false: the rest is in spoolPath. */
  complete: boolean;
  spoolPath?: string;
  error?: string;
}

export interface EnvironmentInfo {
  modelwave: string;
  node: string;
  platform: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  hostname: string;
  workers: number;
}

export interface Summary {
  schemaVersion: number;
  run: {
    id: string;
    name: string;
    status: 'completed' | 'interrupted' | 'failed';
    startedAt: string;
    endedAt: string;
    durationMs: number;
    /** Target URL without credentials; builtin targets as `builtin:telco@v1 (http://127.0.0.1:PORT/...)`. */
    target: string;
    protocol: string;
    seed: number;
    /** Set when the generator could not keep the schedule (lag p99 above the bound): rates are not trustworthy. */
    generatorSaturated: boolean;
    saturationReason?: string;
    comparisonId?: string;
    role?: 'baseline' | 'candidate';
    error?: string;
    /** Things to know about how the run was made, e.g. `target.tls.insecure` (certificate not verified). */
    warnings?: string[];
  };
  environment: EnvironmentInfo;
  /** The scenario as written, secrets redacted. */
  scenario: unknown;
  totals: {
    requests: RequestCounts;
    errors: ErrorBreakdown;
    /** Achieved: sent / measured duration (warm-up excluded). */
    rps: number;
    targetRps?: number;
    latencyMs: LatencyStats;
    serviceTimeMs: LatencyStats;
    lagMs: Pick<LatencyStats, 'p50' | 'p99' | 'max'>;
    /** Base64 compressed HDR histogram of latency (µs), warm-up excluded. */
    latencyHistogram: string;
    serviceTimeHistogram: string;
    /** Overall accuracy; null when no row was scored (schema 2; before, 0). */
    accuracy?: number | null;
    classification?: ClassificationStats;
    regression?: RegressionStats;
    quality?: QualityCounts;
  };
  phases: PhaseSummary[];
  windows: WindowSummary[];
  thresholds: ThresholdResult[];
  drift?: DriftSummary;
  feedback?: FeedbackSummary;
  store?: StoreSummary;
  /** Per-second series for charts: target vs achieved rate, p50/p99, errors by kind. */
  timeline: TimelinePoint[];
}

export interface TimelinePoint {
  /** Second since run start (bucket start). */
  t: number;
  targetRps: number;
  sent: number;
  ok: number;
  httpErrors: number;
  timeouts: number;
  connectionErrors: number;
  badResponses: number;
  dropped: number;
  p50Ms: number;
  p99Ms: number;
}
