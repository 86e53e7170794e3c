// What crosses the seam between workers and the main thread: columnar batches of request records.
// One message carries many requests (never one message per request); arrays are transferred, not copied.

/** How a request ended. `dropped` requests were scheduled but never sent (in-flight cap or generator too late). */
export const Outcome = {
  ok: 0,
  httpError: 1,
  timeout: 2,
  connectionError: 3,
  badResponse: 4,
  dropped: 5,
} as const;
export type OutcomeCode = (typeof Outcome)[keyof typeof Outcome];
export const OUTCOME_NAMES = ['ok', 'httpError', 'timeout', 'connectionError', 'badResponse', 'dropped'] as const;
export type OutcomeName = (typeof OUTCOME_NAMES)[number];

/** Stable error codes for failed requests (undici-style): reports count by these. Index = code stored in records. */
export const ERROR_CODES = [
  'NONE',
  'HTTP_STATUS', // non-2xx; see status
  'TIMEOUT', // no full response within target.timeout
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'SOCKET_CLOSED', // server closed the connection mid-response
  'CONNECT_ERROR', // any other connect failure
  'PARSE_HTTP', // malformed HTTP response
  'BAD_JSON', // body is not JSON
  'NO_PREDICTION', // JSON without a prediction where the protocol expects one
  'PREDICTION_COUNT', // fewer/more predictions than rows sent
  'IN_FLIGHT_CAP', // dropped: open-loop in-flight cap reached
  'LATE', // dropped: the generator could not send before the next tick (lag beyond maxLag)
  'INTERRUPTED', // dropped: the run was stopped (Ctrl-C) before its intended time
  'RESPONSE_TOO_LARGE', // bad response: the body exceeds target.maxResponseBytes (the connection is closed)
  'TLS_ERROR', // connection error: the TLS handshake or session failed (certificate, protocol)
] as const;
export type ErrorCodeName = (typeof ERROR_CODES)[number];
export const errorCodeIndex = (name: ErrorCodeName): number => ERROR_CODES.indexOf(name);

/**
 * Prediction code of a classification row whose answer is not one of the label's classes (an abstention, an unknown
 * value, null): counted and, by default, scored as wrong (`label.outOfClass`). Class codes are ≥ 0.
 */
export const OUT_OF_CLASS = -1;

/**
 * A batch of finished (or dropped) requests. Times are µs since the run epoch (`RunClock.epochMs`), shared by all
 * threads. For a dropped request sentUs = receivedUs = NaN. With `rowsPerRequest` k, the per-row arrays have k
 * entries per request (row j of request i at i*k+j).
 */
export interface RecordBatch {
  count: number;
  rowsPerRequest: number;
  seq: Float64Array;
  /** Which target (0, or 0/1 = baseline/candidate in `compare`) the request went to. */
  target: Uint8Array;
  phase: Uint8Array;
  worker: Uint8Array;
  /** Per request: its accuracy window (engine/windows.ts windowIndex), computed once, by the worker that sent it. */
  window: Int32Array;
  intendedUs: Float64Array;
  sentUs: Float64Array;
  receivedUs: Float64Array;
  outcome: Uint8Array;
  status: Uint16Array;
  errorCode: Uint8Array;
  /** Per row: class index or OUT_OF_CLASS (classification), value (regression); NaN when there is no usable prediction. */
  prediction: Float64Array;
  /** Per row: probability of the positive class when the response carries probabilities, else NaN. */
  probability: Float64Array;
  /** Per row: class index or regression target; NaN when there is no label model. */
  label: Float64Array;
  /** Per row: how the prediction was read (READ_AS in src/codecs/types.ts: 0 none, 1 value, 2 probability, 3 argmax). */
  readAs: Uint8Array;
  /** Per request: server uuid when the protocol returns one, else ''. */
  uuid: string[];
}
