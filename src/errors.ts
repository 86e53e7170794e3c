// Every modelwave error has a stable `code`; the CLI maps codes to exit codes and prints user errors without stacks.

export type ErrorCode =
  | 'MW_USAGE' // bad command-line usage → exit 2
  | 'MW_SCENARIO_INVALID' // scenario failed validation → exit 2
  | 'MW_FILE' // a file could not be read or parsed (scenario, data source) → exit 2
  | 'MW_TARGET_UNREACHABLE' // → exit 3
  | 'MW_STORE_UNREACHABLE' // → exit 3
  | 'MW_INTERRUPTED' // → exit 130
  | 'MW_REPORT_NOT_WRITTEN' // no report file could be written, not even to the fallback directory → exit 4
  | 'MW_INTERNAL';

export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3, reportNotWritten: 4, interrupted: 130 } as const;

export class ModelwaveError extends Error {
  readonly code: ErrorCode;
  /** Individual problems (e.g. every validation error), each a full sentence naming the path and the fix. */
  readonly details: string[];
  constructor(code: ErrorCode, message: string, details: string[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelwaveError';
    this.code = code;
    this.details = details;
  }
  get exitCode(): number {
    switch (this.code) {
      case 'MW_USAGE':
      case 'MW_SCENARIO_INVALID':
      case 'MW_FILE':
        return EXIT.usage;
      case 'MW_TARGET_UNREACHABLE':
      case 'MW_STORE_UNREACHABLE':
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
