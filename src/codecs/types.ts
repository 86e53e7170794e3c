import type { Row } from '../data/types.js';

export type DecodeResult =
  | {
      ok: true;
      /** One per row sent, in order: class value as the server sent it, or a number for regression. */
      predictions: (string | number | boolean)[];
      /** Optional: probability of the positive class per row (or null where absent). */
      probabilities?: (number | null)[];
      /** Optional: a server-assigned id for the request (cloudera `response.uuid`), or one per row. */
      uuid?: string;
    }
  | { ok: false; code: 'BAD_JSON' | 'NO_PREDICTION' | 'PREDICTION_COUNT'; message: string };

/** Request body encoder and response decoder for one wire protocol. Pure and allocation-light: it runs per request. */
export interface Codec {
  readonly protocol: string;
  readonly contentType: string;
  /** The request body for these rows (one request). `seq` is the request's global sequence number. */
  encode(rows: Row[], seq: number): string;
  /** Never throws: malformed bodies become `{ ok: false, code }`. */
  decode(body: string, rowCount: number): DecodeResult;
}
