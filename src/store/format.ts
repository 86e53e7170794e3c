// Plain-text read-back of the store: `modelwave runs` (one line per run) and `modelwave show` (the run, then its
// windows — the lab's per-window accuracy and processing time, from the windows table).
import type { WindowSummary } from '../summary/types.js';
import type { RunListing, StoredRun } from './types.js';
import type { HistoryRow, PruneResult } from './history.js';

const dash = '—';
const fixed = (v: number | undefined, digits: number) => (v === undefined || !Number.isFinite(v) ? dash : v.toFixed(digits));
const int = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? dash : String(Math.round(v)));
const pct = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? dash : `${(v * 100).toFixed(2)}%`);
/** Keep user-supplied text on one line and free of terminal escapes. */
const clean = (s: string, max = 40) => {
  const one = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
};

function table(header: string[], rows: string[][], rightAligned: Set<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) =>
    r.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [fmt(header), ...rows.map(fmt)].join('\n');
}

const when = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

export function formatRunList(runs: RunListing[]): string {
  if (!runs.length) return 'No runs stored yet.';
  const header = ['ID', 'NAME', 'STATUS', 'STARTED', 'SENT', 'ERRORS', 'P99 MS', 'RPS', 'ACCURACY'];
  const rows = runs.map((r) => [
    clean(r.id, 48), clean(r.name, 30), r.status, when(r.startedAt), int(r.sent), pct(r.errorRate), fixed(r.p99Ms, 1),
    fixed(r.rps, 1), fixed(r.accuracy, 4),
  ]);
  return table(header, rows, new Set([4, 5, 6, 7, 8]));
}

function formatWindows(windows: WindowSummary[]): string {
  if (!windows.length) return 'No windows stored.';
  const header = ['WINDOW', 'START S', 'END S', 'SENT', 'OK', 'FAILED', 'DROPPED', 'P50 MS', 'P99 MS', 'ACCURACY', ''];
  const rows = windows.map((w) => [
    String(w.index), fixed(w.startMs / 1000, 1), fixed(w.endMs / 1000, 1), int(w.requests.sent), int(w.requests.ok),
    int(w.requests.sent - w.requests.ok), int(w.requests.dropped), fixed(w.latencyMs.p50, 2), fixed(w.latencyMs.p99, 2),
    fixed(w.accuracy, 4), w.drifted ? 'drift' : '',
  ]);
  return table(header, rows, new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
}

const ABANDONED = [
  'No summary stored, and the run stopped reporting: its process was killed, or its store went away mid-run.',
  'In the second case its records and summary are in a spool file where it ran (.modelwave/spool/<run-id>.spool):',
  '`modelwave store import <file>` loads them. Its requests stored so far can be exported.',
].join('\n');

/** The run's stored facts; `summaryText` is the rendered Summary when the run finished. */
export function formatRun(run: StoredRun, summaryText?: string): string {
  const out = [
    `run ${clean(run.id, 80)} · ${clean(run.name, 60)} · ${run.status}`,
    `started ${when(run.startedAt)}${run.endedAt ? ` · ended ${when(run.endedAt)}` : ''}`,
  ];
  if (run.error) out.push(`error: ${clean(run.error, 400)}`);
  if (summaryText) out.push('', summaryText.trimEnd());
  else if (run.status === 'abandoned') out.push('', ABANDONED);
  else out.push('', 'No summary stored: the run did not finish. Its requests can still be exported.');
  out.push('', `windows (${run.windows.length})`, formatWindows(run.windows));
  return `${out.join('\n')}\n`;
}

/** `modelwave history`: one line per run, figures outside the recent spread marked `!` (legend below the table). */
export function formatHistory(scenario: string, rows: HistoryRow[]): string {
  if (!rows.length) return 'No runs stored yet.';
  const mark = (r: HistoryRow, f: HistoryRow['outliers'][number], text: string) => (r.outliers.includes(f) ? `${text} !` : text);
  const header = ['ID', 'STARTED', 'STATUS', 'P99 MS', 'ACCURACY', 'ERRORS', 'RPS', 'VALID'];
  const body = rows.map((r) => [
    clean(r.id, 48), when(r.startedAt), r.status, mark(r, 'p99Ms', fixed(r.p99Ms, 2)), mark(r, 'accuracy', fixed(r.accuracy, 4)),
    mark(r, 'errorRate', pct(r.errorRate)), mark(r, 'rps', fixed(r.rps, 1)), r.valid ? 'yes' : 'no',
  ]);
  const flagged = rows.filter((r) => r.outliers.length > 0).length;
  return [
    `history of ${clean(scenario, 60)}: ${rows.length} run${rows.length === 1 ? '' : 's'}, most recent first`,
    table(header, body, new Set([3, 4, 5, 6])),
    flagged
      ? `! outside the spread of the other valid runs (median ± 3 scaled MADs): ${flagged} run${flagged === 1 ? '' : 's'}`
      : 'no figure outside the spread of the other valid runs (median ± 3 scaled MADs; needs 4 other valid runs)',
    'valid: completed, and the generator kept its schedule (only valid runs make the spread)',
  ].join('\n');
}

/** `modelwave store prune`: what goes (or would go). */
export function formatPrune(r: PruneResult): string {
  if (!r.runs.length) return 'Nothing to prune.';
  const requests = r.runs.reduce((a, x) => a + x.requests, 0);
  const lines = r.runs.map((x) => `  ${clean(x.id, 60)}  ${when(x.startedAt)}  ${x.status}  ${x.requests} requests`);
  const head = r.applied
    ? `deleted ${r.runs.length} run${r.runs.length === 1 ? '' : 's'} (${requests} requests) with their windows and feedback:`
    : `would delete ${r.runs.length} run${r.runs.length === 1 ? '' : 's'} (${requests} requests) with their windows and feedback (dry run; --apply deletes):`;
  return [head, ...lines].join('\n');
}
