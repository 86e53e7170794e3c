// Two small interfaces over the two engines (node-postgres and PGlite) so every statement is written once, in one
// dialect. Both engines return bigint columns as JS numbers, timestamptz as Date and jsonb parsed.
//
// The engines run in a store process (./store-process.ts): turning request columns into SQL text, PGlite's
// WebAssembly execution and node-postgres' protocol work all cost CPU per row, and none of it may stall the run.
// `LocalDb` is an engine inside that process; `Db` is what the run holds: the same queries, proxied, plus
// `insertRequests`, which ships columns (not SQL) across.
import type { Part } from './columns.js';

export interface QueryResult<R> {
  rows: R[];
  /** Rows inserted/updated/deleted (0 for SELECT on some engines). */
  rowCount: number;
}

export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

export interface DbSession extends Queryable {
  /** Several statements in one simple-protocol round trip (no parameters). */
  exec(sql: string): Promise<void>;
}

/** An engine, in the store process. */
export interface LocalDb extends DbSession {
  /** COPY from CSV text, where the engine has a cheaper path than INSERT (PGlite's /dev/blob); absent otherwise. */
  copyCsv?(sql: string, csv: string): Promise<void>;
  /** Run `fn` on one connection, alone: advisory locks and transactions need a single session. */
  session<T>(fn: (s: DbSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The store as the main thread sees it. */
export interface Db extends DbSession {
  readonly kind: 'embedded' | 'postgres';
  /** URL without password, or the embedded directory. */
  readonly location: string;
  /** One multi-row insert per rowsPerRequest group; idempotent per (run, seq). Resolves with requests inserted. */
  insertRequests(runId: string, parts: Part[]): Promise<number>;
  /** `timeoutMs`: how long a clean close may take (0: just let go, e.g. of a server that stopped answering). */
  close(timeoutMs?: number): Promise<void>;
}

/** Error as it crosses our boundary: SQLSTATE (or errno) code and message. */
interface DbErrorLike {
  code?: string;
  message: string;
}

/**
 * Whether a failed statement may succeed later without anyone changing anything: lost or refused connections,
 * server shutting down or starting, resource exhaustion. Anything else (a rejected row, a missing privilege) is not.
 */
export function isTransient(err: unknown): boolean {
  const e = err as DbErrorLike | undefined;
  const code = e?.code ?? '';
  if (/^(08|57P|53)/.test(code)) return true; // connection exception, admin shutdown / cannot connect now, resources
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN'].includes(code)) {
    return true;
  }
  const msg = e?.message ?? '';
  return /Connection terminated|connection timeout|timeout exceeded|Client has encountered a connection error|not queryable|ECONNRESET|ECONNREFUSED/i.test(
    msg,
  );
}

export function errorMessage(err: unknown): string {
  const e = err as DbErrorLike | undefined;
  const msg = e?.message || String(err);
  return e?.code && !msg.includes(e.code) ? `${msg} (${e.code})` : msg;
}

/** Store URLs are redacted like every other URL (userinfo removed, secret parameters such as `password` masked). */
export { redactUrl } from '../scenario/redact.js';

export const isPostgresUrl = (s: string): boolean => /^postgres(ql)?:\/\//i.test(s);
