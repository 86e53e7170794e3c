import { ModelwaveError, EXIT } from '../errors.js';
import { fsProblem } from '../util/fs-errors.js';
import { redactText } from '../scenario/redact.js';

/** Print a user-facing error (no stack for ModelwaveError) and return the exit code it maps to. */
export function reportError(err: unknown): number {
  // A reader that closed the pipe (`modelwave export … | head`) is not an error.
  if ((err as NodeJS.ErrnoException)?.code === 'EPIPE') return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  if (err instanceof ModelwaveError) {
    // Messages are built with redacted URLs; this is the net for one that quotes a URL from elsewhere (a library).
    process.stderr.write(`modelwave: ${redactText(err.message)}\n`);
    for (const d of err.details) process.stderr.write(`  - ${redactText(d)}\n`);
    return err.exitCode;
  }
  // A file the environment will not let us read or write (permissions, a full disk, a path through a file) is the
  // user's to fix, and never an "internal error": say which path, what is wrong, and what to do.
  const fs = fsProblem(err);
  if (fs) {
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(`modelwave: cannot ${e.syscall ?? 'use'}${e.path ? ` ${e.path}` : ''}: ${fs.what}\n  - ${fs.fix[0].toUpperCase()}${fs.fix.slice(1)}.\n`);
    if (process.env.MODELWAVE_DEBUG) process.stderr.write(`${e.stack ?? ''}\n`);
    return EXIT.usage;
  }
  const e = err as Error;
  process.stderr.write(`modelwave: internal error: ${redactText(e?.message ?? String(err))}\n`);
  if (process.env.MODELWAVE_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
  return EXIT.failed;
}

/** Wrap a command action: run it, map a thrown error to its exit code, set process.exitCode. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await fn(...args);
      process.exitCode = code ?? EXIT.ok;
    } catch (err) {
      process.exitCode = reportError(err);
    }
  };
}
