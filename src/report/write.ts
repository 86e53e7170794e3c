// Writes a run's report folder. Every format is a pure function of the Summary, so `modelwave report` can rebuild
// the same files later from a stored Summary.
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelwaveError, usageError } from '../errors.js';
import { fsProblem, fsProblemText } from '../util/fs-errors.js';
import type { Summary } from '../summary/types.js';

const REPORT_FORMATS = ['json', 'md', 'html', 'junit', 'hgrm'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const REPORT_FILES: Record<ReportFormat, string> = {
  json: 'report.json',
  md: 'report.md',
  html: 'report.html',
  junit: 'junit.xml',
  hgrm: 'latency.hgrm',
};

/** report.json is exactly the Summary. */
const renderJson = (summary: Summary): string => JSON.stringify(summary, null, 2) + '\n';

// Each writer loads only when its format is asked for (`--report json` loads none of them).
async function render(format: ReportFormat, summary: Summary): Promise<string> {
  switch (format) {
    case 'json':
      return renderJson(summary);
    case 'md':
      return (await import('./markdown.js')).renderMarkdown(summary);
    case 'html':
      return (await import('./html.js')).renderHtml(summary);
    case 'junit':
      return (await import('./junit.js')).renderJunit(summary);
    case 'hgrm':
      return (await import('./hgrm.js')).renderHgrm(summary);
  }
}

/**
 * Write the chosen reports (default: all) into `dir` (created if missing) and return the paths written, in the
 * order of `formats`.
 */
export function writeReports(summary: Summary, dir: string, formats: readonly ReportFormat[] = REPORT_FORMATS): Promise<string[]> {
  return writeReportFiles(dir, [...new Set(formats)].map((f) => [REPORT_FILES[f], () => render(f, summary)]));
}

/**
 * Write report files into `dir` (created if missing), in order; return their paths. Each file is written to a
 * temporary name and renamed, so a reader never sees half a report; a write that fails (disk full) removes its
 * temporary file. A file-system failure throws ReportNotWrittenError naming the path and the fix (files already
 * renamed into place stay: each is whole).
 */
export async function writeReportFiles(dir: string, files: [name: string, text: () => string | Promise<string>][]): Promise<string[]> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw reportNotWritten(dir, err, []);
  }
  const paths: string[] = [];
  for (const [name, text] of files) {
    const path = join(dir, name);
    const tmp = `${path}.${process.pid}.tmp`;
    const body = await text(); // outside the try: a rendering bug is not a disk problem
    try {
      await writeFile(tmp, body, 'utf8');
      await rename(tmp, path);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw reportNotWritten(path, err, paths);
    }
    paths.push(path);
  }
  return paths;
}

/** MW_REPORT_NOT_WRITTEN, with the files that were written (whole) before the failure. */
export class ReportNotWrittenError extends ModelwaveError {
  constructor(
    message: string,
    details: string[],
    readonly written: string[],
    cause: unknown,
  ) {
    super('MW_REPORT_NOT_WRITTEN', message, details, { cause });
  }
}

/** A report path that cannot be written: what is wrong with it and what to do, never a stack trace. */
function reportNotWritten(path: string, err: unknown, written: string[]): ReportNotWrittenError {
  const fix = fsProblem(err)?.fix ?? 'choose another directory';
  return new ReportNotWrittenError(`cannot write the report ${path}: ${fsProblemText(err)}`, [`${fix[0].toUpperCase()}${fix.slice(1)} (--out DIR).`], [...written], err);
}

/** Parse `--report md,html` (also "all"); throws MW_USAGE naming the unknown format and the valid ones. */
export function parseReportFormats(csv: string): ReportFormat[] {
  const names = csv
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
  if (names.length === 0) {
    throw usageError(`--report needs at least one format; use a comma-separated list of ${REPORT_FORMATS.join(', ')} (or "all").`);
  }
  const out = new Set<ReportFormat>();
  for (const name of names) {
    if (name === 'all') REPORT_FORMATS.forEach((f) => out.add(f));
    else if ((REPORT_FORMATS as readonly string[]).includes(name)) out.add(name as ReportFormat);
    else throw usageError(`--report: unknown report format "${name}"; use a comma-separated list of ${REPORT_FORMATS.join(', ')} (or "all").`);
  }
  return [...out];
}
