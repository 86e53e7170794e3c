// Every modelwave error has a stable `code`; the CLI maps codes to exit codes and prints user errors without stacks.

/** Every code a ModelwaveError can carry: the ErrorCode union is read from this list, so the two cannot drift. */
export const MW_CODES = [
  'MW_USAGE', // bad command-line usage → exit 2
  'MW_SCENARIO_INVALID', // scenario failed validation → exit 2
  'MW_FILE', // a file could not be read or parsed (scenario, data source) → exit 2
  'MW_TARGET_UNREACHABLE', // → exit 3
  'MW_STORE_UNREACHABLE', // → exit 3
  'MW_BARRIER_TIMEOUT', // a distributed run's start barrier expired before every shard registered; nothing sent → exit 3
  'MW_INTERRUPTED', // → exit 130
  'MW_REPORT_NOT_WRITTEN', // no report file could be written, not even to the fallback directory → exit 4
  'MW_INTERNAL',
] as const;
export type ErrorCode = (typeof MW_CODES)[number];

export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3, reportNotWritten: 4, interrupted: 130 } as const;

/** Where a problem is, when the thrower knows: a scenario path (`['data', 'source']`) and/or a data file line. */
export interface ErrorLocation {
  path?: (string | number)[];
  file?: string;
  line?: number;
}

export class ModelwaveError extends Error {
  readonly code: ErrorCode;
  /** Individual problems (e.g. every validation error), each a full sentence naming the path and the fix. */
  readonly details: string[];
  readonly where?: ErrorLocation;
  constructor(code: ErrorCode, message: string, details: string[] = [], options?: { cause?: unknown; where?: ErrorLocation }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ModelwaveError';
    this.code = code;
    this.details = details;
    if (options?.where) this.where = options.where;
  }
  get exitCode(): number {
    switch (this.code) {
      case 'MW_USAGE':
      case 'MW_SCENARIO_INVALID':
      case 'MW_FILE':
        return EXIT.usage;
      case 'MW_TARGET_UNREACHABLE':
      case 'MW_STORE_UNREACHABLE':
      case 'MW_BARRIER_TIMEOUT':
        return EXIT.unreachable;
      case 'MW_INTERRUPTED':
        return EXIT.interrupted;
      case 'MW_REPORT_NOT_WRITTEN':
        return EXIT.reportNotWritten;
      default:
        return EXIT.failed;
    }
  }
}

export const usageError = (message: string, details: string[] = []) => new ModelwaveError('MW_USAGE', message, details);

/**
 * An error as plain data, to cross a thread or process boundary (the envelope `{ code, message, details }`, plus where
 * and, for internal errors, the stack): structured clone (worker_threads, Piscina) keeps an Error's message but drops
 * its class and every own property, so `code` and `details` would be lost.
 */
export interface SerializedError {
  name: string;
  code: ErrorCode;
  message: string;
  details: string[];
  where?: ErrorLocation;
  /** Kept for MW_INTERNAL only (printed with MODELWAVE_DEBUG): a user error never shows a stack. */
  stack?: string;
}

/** The one serializer for errors leaving a thread or process; see reviveError for the way back. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof ModelwaveError) {
    return {
      name: err.name,
      code: err.code,
      message: err.message,
      details: [...err.details],
      ...(err.where ? { where: structuredClone(err.where) } : {}),
      ...(err.code === 'MW_INTERNAL' && err.stack ? { stack: err.stack } : {}),
    };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: e.name, code: 'MW_INTERNAL', message: e.message, details: [], ...(e.stack ? { stack: e.stack } : {}) };
}

/**
 * Rebuild a ModelwaveError with the same code on this side. Also accepts what a boundary may hand over instead of a
 * SerializedError (a structured-cloned Error, a string): those become MW_INTERNAL, never an untyped throw.
 */
export function reviveError(data: unknown, context = ''): ModelwaveError {
  if (data instanceof ModelwaveError) return data;
  if (isSerializedError(data)) {
    const err = new ModelwaveError(data.code, data.message, data.details, data.where ? { where: data.where } : undefined);
    if (data.stack) err.stack = data.stack;
    return err;
  }
  const e = data instanceof Error ? data : new Error(String(data));
  const err = new ModelwaveError('MW_INTERNAL', `internal error${context ? ` in ${context}` : ''}: ${e.message}`);
  if (e.stack) err.stack = e.stack;
  return err;
}

function isSerializedError(v: unknown): v is SerializedError {
  if (typeof v !== 'object' || v === null || v instanceof Error) return false;
  const o = v as Record<string, unknown>;
  return typeof o.message === 'string' && typeof o.code === 'string' && (MW_CODES as readonly string[]).includes(o.code) && Array.isArray(o.details);
}
