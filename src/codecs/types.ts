import type { Row, ValueKind } from '../data/types.js';

/** How a row's prediction was read (counted per run: summary totals.quality.predictionsReadAs). */
export const READ_AS = {
  /** No prediction (null, NaN): the row is unscored. */
  none: 0,
  /** The value itself: a class value, or a number for regression. */
  value: 1,
  /** A binary label's P(positive), thresholded at target.decisionThreshold. */
  probability: 2,
  /** The argmax of a per-class score vector. */
  argmax: 3,
} as const;

export type DecodeResult =
  | {
      ok: true;
      /**
       * One per row sent, in order: class value as the server sent it, or a number for regression; null where the
       * server sent none (NaN, null) — that row is unscored, the others count.
       */
      predictions: (string | number | boolean | null)[];
      /** Optional: probability of the positive class per row (or null where absent). */
      probabilities?: (number | null)[];
      /** Optional: a READ_AS code per row; absent when every row was read as a value (or null → none). */
      readAs?: Uint8Array;
      /** Optional: a server-assigned id for the request (cloudera `response.uuid`), or one per row. */
      uuid?: string;
    }
  | { ok: false; code: 'BAD_JSON' | 'NO_PREDICTION' | 'PREDICTION_COUNT'; message: string };

/** What a field holds, decided once per scenario (kserve-v2 tensor datatypes follow from it). */
export type FieldType = ValueKind;

/** Request body encoder and response decoder for one wire protocol. Pure and allocation-light: it runs per request. */
export interface Codec {
  readonly protocol: string;
  readonly contentType: string;
  /** The request body for these rows (one request). `seq` is the request's global sequence number. */
  encode(rows: Row[], seq: number): string;
  /** Never throws: malformed bodies become `{ ok: false, code }`. */
  decode(body: string, rowCount: number): DecodeResult;
}
