// `--live-json FILE|-`: one LiveEvent per line, written synchronously as it is built (a `tail -f | jq` sees each
// second as it ends; CI can archive the file). A write that fails (disk full, a closed pipe) stops the stream with one
// warning; it never stops the run.
import { closeSync, openSync, writeSync } from 'node:fs';
import { ModelwaveError } from '../errors.js';
import { fsProblem } from '../util/fs-errors.js';
import type { LiveEvent } from './event.js';

export interface JsonLinesWriter {
  write(e: LiveEvent): void;
  close(): void;
}

/**
 * Open the destination before the wave: `-` is stdout, anything else a file created or truncated now. A file that
 * cannot be opened throws MW_FILE (exit 2) naming it and the fix.
 */
export function openJsonLines(dest: string, warn: (msg: string) => void): JsonLinesWriter {
  let fd: number;
  const ownFd = dest !== '-';
  if (ownFd) {
    try {
      fd = openSync(dest, 'w');
    } catch (err) {
      const p = fsProblem(err);
      throw new ModelwaveError('MW_FILE', `--live-json: cannot write ${dest}: ${p?.what ?? (err as Error).message}`, p ? [`${p.fix[0].toUpperCase()}${p.fix.slice(1)}.`] : []);
    }
  } else fd = 1;
  let broken = false;
  // stdout through its stream (synchronous for files and pipes on Linux, and safe with a non-blocking pipe, where a
  // raw writeSync could fail with EAGAIN); a reader that went away ends the stream quietly.
  if (!ownFd) process.stdout.on('error', () => (broken = true));
  return {
    write(e) {
      if (broken) return;
      try {
        if (ownFd) writeSync(fd, `${JSON.stringify(e)}\n`);
        else process.stdout.write(`${JSON.stringify(e)}\n`);
      } catch (err) {
        broken = true;
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EPIPE') warn(`--live-json: stopped writing ${dest === '-' ? 'stdout' : dest} (${fsProblem(err)?.what ?? code ?? (err as Error).message}); the run goes on`);
      }
    },
    close() {
      if (ownFd && !broken) {
        try {
          closeSync(fd);
        } catch {
          /* already reported by write, or nothing left to lose */
        }
      }
      broken = true;
    },
  };
}
