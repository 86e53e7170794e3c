// The Summary: one versioned object a run produces; report.json is exactly this, serialised.
// Reporters (terminal, Markdown, HTML, JUnit, hgrm), the store and `compare` are functions of it.
// Documented field by field in docs/report-schema.md; bump SCHEMA_VERSION on any incompatible change.

// 2: latency is split by outcome — `latencyMs` (and `latencyHistogram`, `serviceTimeMs`, the timeline's p50/p99) now
// cover successful requests only; `latencyFailedMs` and `latencyAllMs` were added (totals, phases, windows), with
// `totals.latencyFailedHistogram`. A v1 `latencyMs` covered every answered request, failed ones included. Rates:
// `targetRps` (scheduled ÷ measured time, always ~100%) gave way to `plannedRps` (the load plan's) and `goodputRps`.
// Quality: answers outside the label's classes are counted (and wrong by default); unmeasured figures are null.
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
  /** A binary label's probability (P(second class); spec/classes.ts), thresholded at target.decisionThreshold. */
  probability: number;
  /** The argmax of a per-class score vector. */
  argmax: number;
}

/**
 * The rates and timings of a span of the run, named the same in a phase and in the totals (there: the measured part,
 * warm-up phases excluded).
 */
export interface SpanFigures {
  /** Achieved: sent / the span's length. */
  rps: number;
  /** Successful (`ok`: 2xx with a usable prediction) requests / the span's length. Correctness is not included. */
  goodputRps: number;
  /**
   * The load plan's arrivals over the time the span ran / that time (schedule/plan.ts): in a phase, open loop only; in
   * the totals, only when every measured phase is open loop (closed loop has no planned rate).
   */
  plannedRps?: number;
  /** Latency of successful requests (from the intended send time); failed and all as in LatencyPopulations. */
  latencyMs: LatencyStats;
  latencyFailedMs?: LatencyStats;
  latencyAllMs?: LatencyStats;
  /** Service time (from the actual send) of successful requests. */
  serviceTimeMs: LatencyStats;
  /** Send lag (actual − intended send) of every sent request, successful or not. */
  lagMs: Pick<LatencyStats, 'p50' | 'p99' | 'max'>;
}

/** One phase (a warm-up phase's figures too). */
export interface PhaseSummary extends SpanFigures {
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
  accuracy?: number;
}

/**
 * The latency populations, named the same way in totals, phases and windows (schema ≥ 2):
 * `latencyMs` — successful requests (outcome ok); what thresholds (`latency.p99`), charts and `compare` use.
 * `latencyFailedMs` — failed requests (HTTP error, timeout, connection error, bad response); `latency.failed.p99`.
 * `latencyAllMs` — every sent request (successful + failed; dropped ones were never sent); `latency.all.p99`.
 * Counts: latencyMs.count = requests.ok, latencyFailedMs.count = sent − ok, latencyAllMs.count = sent.
 * Absent in reports written before schema 2, whose `latencyMs` covered every sent request.
 */
export type LatencyPopulations = Pick<PhaseSummary, 'latencyMs' | 'latencyFailedMs' | 'latencyAllMs'>;

export interface WindowSummary {
  index: number;
  /**
   * Count windows: the sequence numbers [seqStart, seqEnd) of the window's requests — the nominal bounds
   * (index·every, (index+1)·every), narrowed to the requests the run scheduled: seqEnd is one past the last one (less
   * than the nominal bound in a last, partial window), seqStart the first after a warm-up (whose requests are in no window).
   */
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
  /** Latency of successful requests; failed and all as in LatencyPopulations. */
  latencyMs: LatencyStats;
  latencyFailedMs?: LatencyStats;
  latencyAllMs?: LatencyStats;
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
  /** Base64 compressed HDR histogram of the latency (µs) of this window's successful requests. */
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

/** One reason a run's figures cannot be trusted. `code` is stable (tests and tools match on it). */
export interface ValidityReason {
  code: 'GENERATOR_LAG' | 'RATE_BELOW_PLANNED' | 'TOO_FEW_SAMPLES' | 'SHORT' | 'UNSTABLE' | 'STORE_INCOMPLETE' | 'INTERRUPTED' | 'FAILED';
  /** One plain sentence with the figures, e.g. "120 requests for latency.p99; 459 are needed (339 more)". */
  message: string;
  /** The measured figure the rule looked at (ms, req/s, a count or a fraction: see docs/report-schema.md). */
  figure: number;
  /** The bound it was held to, in the same unit. */
  limit?: number;
  /** UNSTABLE: the percentile in each third of the measured part, in ms, in time order. */
  values?: number[];
}

export interface Validity {
  valid: boolean;
  reasons: ValidityReason[];
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
    /**
     * Set when the send lag p99 is above the bound (RunOptions.maxLagP99Ms, 10 ms by default): requests left later than intended. The reason says
     * whether the achieved rate also fell short of the plan (it then cites both figures) or kept to it.
     */
    generatorSaturated: boolean;
    saturationReason?: string;
    comparisonId?: string;
    role?: 'baseline' | 'candidate';
    error?: string;
    /** Things to know about how the run was made, e.g. `target.tls.insecure` (certificate not verified). */
    warnings?: string[];
    /** Whether the figures can be trusted, with the reasons they cannot (src/verdict/validity.ts). */
    validity?: Validity;
    /** Set on the probes of a `modelwave capacity` search: the search's id and this probe's number (1-based). */
    capacity?: { id: string; probe: number };
  };
  environment: EnvironmentInfo;
  /** The scenario as written, secrets redacted. */
  scenario: unknown;
  /** The measured part (warm-up excluded, as everywhere in totals): its rates and timings (SpanFigures) and more. */
  totals: SpanFigures & {
    requests: RequestCounts;
    errors: ErrorBreakdown;
    /** Base64 compressed HDR histogram of the latency (µs) of successful requests, warm-up excluded. */
    latencyHistogram: string;
    /** The same for failed requests (schema ≥ 2). */
    latencyFailedHistogram?: string;
    /** Service time (µs) of successful requests. */
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
  /** Per-second series for charts: planned vs achieved rate, p50/p99, errors by kind. */
  timeline: TimelinePoint[];
  /** Set on the merged summary of a distributed run (`modelwave merge`, src/distributed/merge.ts). */
  group?: GroupSummary;
}

/** A distributed run: its shards, how each started, and whether the merged result can be trusted. */
export interface GroupSummary {
  name: string;
  shards: number;
  /** T0 on the database server's clock (ISO). */
  startAt?: string;
  /** INVALID when a shard is missing, failed, did not finish, or started late: `problems` says which and why. */
  verdict: 'VALID' | 'INVALID';
  problems: string[];
  perShard: GroupShardSummary[];
}

export interface GroupShardSummary {
  index: number;
  runId?: string;
  host?: string;
  /** registered, started, completed, interrupted, failed, timed-out, missing; a run row read as abandoned says so. */
  status: string;
  error?: string;
  /** Requests sent (warm-up excluded), from the stored records. */
  sent: number;
  /** Send lag p99 of the shard's own run (ms), from its stored summary. */
  lagP99Ms?: number;
  /** CPU time (user + system, all threads) of the shard's process from T0 to its end (s). */
  cpuS?: number;
  /** server − local clock (ms), its uncertainty (half the best round trip) and how late the shard started (ms). */
  clockOffsetMs?: number;
  clockUncertaintyMs?: number;
  startSkewMs?: number;
}

/** One second of the run: its requests counted as in RequestCounts (what was sent in it, and how each ended). */
export interface TimelinePoint extends Pick<RequestCounts, 'sent' | 'ok' | 'httpErrors' | 'timeouts' | 'connectionErrors' | 'badResponses' | 'dropped'> {
  /** Second since run start (bucket start). */
  t: number;
  /** The load plan's rate at the middle of the second (req/s); 0 in closed loop. Achieved: `sent`; goodput: `ok`. */
  plannedRps: number;
  /** Latency percentiles of this second's successful requests (0 when none succeeded in it). */
  p50Ms: number;
  p99Ms: number;
}
