// Writes a run's report folder. Every format is a pure function of the Summary, so `modelwave report` can rebuild
// the same files later from a stored Summary.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { usageError } from '../errors.js';
import type { Summary } from '../summary/types.js';
import { renderHgrm } from './hgrm.js';
import { renderHtml } from './html.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';

export const REPORT_FORMATS = ['json', 'md', 'html', 'junit', 'hgrm'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const REPORT_FILES: Record<ReportFormat, string> = {
  json: 'report.json',
  md: 'report.md',
  html: 'report.html',
  junit: 'junit.xml',
  hgrm: 'latency.hgrm',
};

/** report.json is exactly the Summary. */
export const renderJson = (summary: Summary): string => JSON.stringify(summary, null, 2) + '\n';

async function render(format: ReportFormat, summary: Summary): Promise<string> {
  switch (format) {
    case 'json':
      return renderJson(summary);
    case 'md':
      return renderMarkdown(summary);
    case 'html':
      return renderHtml(summary);
    case 'junit':
      return renderJunit(summary);
    case 'hgrm':
      return renderHgrm(summary);
  }
}

/**
 * Write the chosen reports (default: all) into `dir` (created if missing) and return the paths written, in the
 * order of `formats`. Each file is written to a temporary name and renamed, so a reader never sees half a report.
 */
export async function writeReports(summary: Summary, dir: string, formats: readonly ReportFormat[] = REPORT_FORMATS): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const format of [...new Set(formats)]) {
    const path = join(dir, REPORT_FILES[format]);
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, await render(format, summary), 'utf8');
    await rename(tmp, path);
    paths.push(path);
  }
  return paths;
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
