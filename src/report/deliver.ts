// A finished measurement is never lost to an unwritable report folder: when `--out` (or reports/<run-id>) cannot be
// written — not a directory, permission denied, read-only, disk full — the reports go to a fallback directory under
// the system's temporary directory, and the caller says where. Only when that fails too is nothing written.
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ReportNotWrittenError } from './write.js';

/** Where reports go when the requested folder cannot be written: $TMPDIR/modelwave-reports/<id>/. */
const fallbackReportDir = (id: string, root = tmpdir()): string =>
  join(root, 'modelwave-reports', id.replace(/[^A-Za-z0-9._-]/g, '_'));

interface Delivery {
  /** The folder the reports are in; undefined when none could be written. */
  dir?: string;
  files: string[];
  /** The folder asked for. */
  requestedDir: string;
  /** Why each folder tried could not be written, in order (empty when the requested one worked). */
  failures: string[];
  /** Whole files written before a failure, when no folder could take them all. */
  partial: string[];
}

/**
 * Run `write(dir)` into `requestedDir`, then into the fallback directory. Only ReportNotWrittenError (the file system
 * said no) moves on to the fallback; anything else is a bug and propagates.
 */
export async function deliver(
  requestedDir: string,
  id: string,
  write: (dir: string) => Promise<string[]>,
  fallbackRoot?: string,
): Promise<Delivery> {
  const failures: string[] = [];
  const partial: string[] = [];
  const fallback = fallbackReportDir(id, fallbackRoot);
  const dirs = resolve(requestedDir) === resolve(fallback) ? [requestedDir] : [requestedDir, fallback];
  for (const dir of dirs) {
    try {
      return { dir, files: await write(dir), requestedDir, failures, partial: [] };
    } catch (err) {
      if (!(err instanceof ReportNotWrittenError)) throw err;
      failures.push(`${err.message}; ${err.details.map((d) => d[0].toLowerCase() + d.slice(1)).join(' ')}`);
      partial.push(...err.written);
    }
  }
  return { files: [], requestedDir, failures, partial };
}

/**
 * What to tell the user about a delivery that did not go to plan (nothing when it did). `recovery` says how to get the
 * reports later when none were written (e.g. `modelwave report <id>`).
 */
export function deliveryNotice(d: Delivery, recovery: string): string {
  if (!d.failures.length) return '';
  const lines = [`modelwave: ${d.failures[0]}`];
  if (d.dir) {
    lines.push(`  reports written to ${d.dir} instead`);
  } else {
    for (const f of d.failures.slice(1)) lines.push(`modelwave: ${f}`);
    lines.push(d.partial.length ? `  only ${d.partial.join(', ')} could be written; ${recovery}` : `  no report file was written; ${recovery}`);
  }
  return `${lines.join('\n')}\n`;
}
