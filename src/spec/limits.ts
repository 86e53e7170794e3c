// The bounds on every number a scenario (or a command-line override) can set, chosen from what one machine and one
// process can do: the one home of these numbers, read by the validator (scenario/limits.ts checks against them and
// names the fix), the engine, the data reader and docs/scenario-reference.md.

const HOUR_MS = 3_600_000;

export const LIMITS = {
  /** Open-loop requests per second (`rate`, `rampTo`): beyond what one machine's network stack sends. */
  ratePerSecond: 1_000_000,
  /** A phase, and the whole run: the per-second series (latency, counts) is kept in memory and charted. */
  runDurationMs: 24 * HOUR_MS,
  /** Requests in one run (closed-loop phase counters are 30-bit; open-loop arrival streams are walked per worker). */
  requests: 1_000_000_000,
  /** Closed-loop `concurrency` and `target.maxInFlight`: every request in flight holds a socket. */
  inFlight: 100_000,
  /** Rows in one request: each is generated, encoded and scored together, and buffered per record batch. */
  rowsPerRequest: 10_000,
  /** `target.timeout` and `think`: latency histograms record up to one hour. */
  timeoutMs: HOUR_MS,
  /** Plateaus of a stepped ramp. */
  steps: 10_000,
  /** Accuracy windows per run: each keeps counts, a confusion matrix and a latency histogram. */
  windows: 100_000,
  /** Load worker threads (`load.workers`, `--workers`). */
  workers: 64,
  /** `feedback.after`: labels wait in memory this long before they are posted. */
  feedbackAfterMs: HOUR_MS,
  feedbackBatchSize: 10_000,
  feedbackMaxRate: 10_000,
  feedbackRetries: 10,
  /** A replayed `data.source` file: every load worker parses it and holds its rows (~7× the file) in memory. */
  dataSourceBytes: 64 * 1024 * 1024,
} as const;
