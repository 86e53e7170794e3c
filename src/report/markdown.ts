// report.md: the verdict first, then one compact table, per-phase and per-window tables, store and feedback lines.
// Sized for a CI job summary or a pull-request comment (GitHub caps a comment at 65,536 characters).
import type { Summary, WindowSummary } from '../summary/types.js';
import { escapeMarkdown, truncate } from './escape.js';
import {
  fmtEnvironment,
  fmtFailures,
  fmtFeedback,
  fmtFraction,
  fmtInt,
  fmtMs,
  fmtPercent,
  fmtRateVsPlan,
  fmtSeconds,
  fmtStore,
  fmtThresholdValue,
  fmtMeasured,
  fmtReadAs,
  fmtSample,
  latencyRows,
  fmtAccuracy,
  fmtOutOfClass,
  fmtScored,
  phaseFigures,
  phasesHaveAccuracy,
  windowFigures,
} from './format.js';
import { verdictOf } from '../verdict/judge.js';

/** Above this many windows the table is condensed (first, worst, last) and the full one is collapsed. */
export const WINDOWS_INLINE_MAX = 40;
/** Character budget of the collapsed all-windows table; rows beyond it are counted, not shown. */
export const WINDOWS_DETAILS_MAX_CHARS = 36_000;
const CONDENSED_EACH = 3;

/** Escaped, truncated user text. */
const md = (s: unknown, max = 200): string => escapeMarkdown(truncate(String(s), max));

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const icon = (pass: boolean) => (pass ? '✅ PASS' : '❌ FAIL');

function verdictSection(s: Summary): string[] {
  const v = verdictOf(s);
  const mark = v.verdict === 'pass' ? '✅' : v.verdict === 'fail' ? '❌' : 'ℹ️';
  const out = [`**${mark} ${md(v.headline)}**`, ''];
  if (s.thresholds.length) {
    out.push(
      table(
        ['Result', 'Threshold', 'Measured', 'Limit'],
        s.thresholds.map((t) => [icon(t.pass), md(t.expr), md(fmtMeasured(t)), md(`${t.op} ${fmtThresholdValue(t, t.limit)}`)]),
      ),
      '',
    );
  }
  const r = s.run;
  out.push(
    `Run ${md(r.id)} · ${md(r.status)} · ${fmtSeconds(r.durationMs)} · target ${md(r.target)} · protocol ${md(r.protocol)} · seed ${r.seed}`,
  );
  if (r.error) out.push('', `> **Run error:** ${md(r.error, 500)}`);
  for (const w of r.warnings ?? []) out.push('', `> **Warning:** ${md(w, 500)}`);
  if (r.validity) out.push('', r.validity.valid ? '**Validity:** VALID' : `> ⚠️ **Validity: INVALID** — ${r.validity.reasons.map((x) => `${md(x.code)}: ${md(x.message, 500)}`).join('; ')}`);
  if (r.generatorSaturated) {
    out.push('', `> ⚠️ **Generator saturated**${r.saturationReason ? `: ${md(r.saturationReason, 500)}` : ''}.`);
  }
  return out;
}

const pct5 = (l: { p50: number; p90: number; p99: number; p999: number; max: number }) =>
  `p50 ${fmtMs(l.p50)} · p90 ${fmtMs(l.p90)} · p99 ${fmtMs(l.p99)} · p99.9 ${fmtMs(l.p999)} · max ${fmtMs(l.max)}`;

const keyCounts = (m: Record<string, number>, sep: string) =>
  Object.entries(m)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${md(k, 60)}${sep}${fmtInt(n)}`)
    .join(' · ') || 'none';

function summaryTable(s: Summary): string {
  const t = s.totals;
  const rows: string[][] = [
    ['Rate (achieved vs planned)', fmtRateVsPlan(t, s.phases)],
    ['Requests', `${fmtInt(t.requests.scheduled)} scheduled · ${fmtInt(t.requests.sent)} sent · ${fmtInt(t.requests.ok)} ok`],
    ['Failures by kind', `${fmtFailures(t.requests)} (error rate ${fmtPercent(t.errors.rate)})`],
    ['Errors by code', keyCounts(t.errors.byCode, ' ')],
    ['HTTP status', keyCounts(t.errors.byStatus, ' × ')],
    // Successful requests; failed and all below it when some failed (format.ts latencyRows).
    ...latencyRows(t).map(({ name, stats }, _, all) => [
      name === 'latency' ? 'Latency (ms)' : `Latency, ${name} (ms)`,
      stats ? `${pct5(stats)}${all.length > 1 ? ` (n = ${fmtInt(stats.count)})` : ''}` : 'not measured (no successful request)',
    ]),
    ['Service time (ms)', t.serviceTimeMs.count > 0 ? pct5(t.serviceTimeMs) : 'not measured (no successful request)'],
    ['Send lag (ms)', `p50 ${fmtMs(t.lagMs.p50)} · p99 ${fmtMs(t.lagMs.p99)} · max ${fmtMs(t.lagMs.max)}`],
  ];
  const c = t.classification;
  if (c) {
    rows.push(['Accuracy', fmtAccuracy(c)]);
    rows.push(['Macro precision / recall / F1', `${fmtFraction(c.macro.precision)} / ${fmtFraction(c.macro.recall)} / ${fmtFraction(c.macro.f1)}`]);
    if (c.positive) {
      rows.push([
        `Positive class (${md(c.positive.label, 60)}) precision / recall / F1`,
        `${fmtFraction(c.positive.precision)} / ${fmtFraction(c.positive.recall)} / ${fmtFraction(c.positive.f1)}`,
      ]);
    }
    if (c.logLoss != null || c.rocAuc != null) rows.push(['Log loss / ROC AUC', `${fmtFraction(c.logLoss)} / ${fmtFraction(c.rocAuc)}`]);
  } else if (t.accuracy != null) {
    rows.push(['Accuracy', fmtFraction(t.accuracy)]);
  }
  const g = t.regression;
  if (g) rows.push(['MAE / RMSE / R²', `${fmtFraction(g.mae)} / ${fmtFraction(g.rmse)} / ${fmtFraction(g.r2)} (n = ${fmtInt(g.n)})`]);
  const q = t.quality;
  if (q) rows.push(['Scored rows', fmtScored(q)]);
  const outside = fmtOutOfClass(q);
  if (outside) rows.push(['Answers outside the classes', md(outside, 500)]);
  const readAs = q && fmtReadAs(q);
  if (readAs) rows.push(['Predictions read', readAs]);
  for (const x of t.errors.samples ?? []) rows.push([x.kind === 'httpError' ? 'First HTTP error' : 'First unreadable response', md(fmtSample(x), 400)]);
  rows.push(['Drift', s.drift ? `${s.drift.detected ? '⚠️ ' : ''}${md(s.drift.sentence, 500)}` : 'not analysed']);
  return table(['Metric', 'Value'], rows);
}

function classesTable(s: Summary): string | undefined {
  const c = s.totals.classification;
  if (!c || c.classes.length === 0 || c.classes.length > 20) return undefined;
  return table(
    ['Class', 'Precision', 'Recall', 'F1', 'Support'],
    c.classes.map((k) => [md(k.label, 60), fmtFraction(k.precision), fmtFraction(k.recall), fmtFraction(k.f1), fmtInt(k.support)]),
  );
}

function phasesTable(s: Summary): string {
  const acc = phasesHaveAccuracy(s.phases);
  const head = ['#', 'Phase', 'Kind', 'Target', 'Planned rps', 'Achieved rps', 'Goodput rps', 'Sent', 'OK', 'Failed', 'Dropped', 'p50 ms', 'p99 ms', 'max ms', 'Lag p99 ms'];
  return table(
    acc ? [...head, 'Accuracy'] : head,
    s.phases.map((p) => [String(p.index), md(p.name, 80) + (p.warmup ? ' (warm-up)' : ''), ...phaseFigures(p, acc)]),
  );
}

const WINDOW_HEADER = ['#', 'Time (s)', 'Sent', 'Failed', 'Dropped', 'rps', 'p50 ms', 'p99 ms', 'Accuracy', '95% CI', 'Drift'];

const windowRow = (w: WindowSummary): string[] => [...windowFigures(w), w.drifted ? '⚠️ drifted' : ''];

/** Worst = lowest accuracy when windows are scored, else highest p99 latency. */
function worstWindows(windows: WindowSummary[], n: number): WindowSummary[] {
  const scored = windows.filter((w) => w.accuracy != null);
  const ranked = scored.length
    ? [...scored].sort((a, b) => a.accuracy! - b.accuracy! || a.index - b.index)
    : [...windows].sort((a, b) => b.latencyMs.p99 - a.latencyMs.p99 || a.index - b.index);
  return ranked.slice(0, n);
}

function windowsSection(s: Summary): string[] {
  const ws = s.windows;
  if (ws.length === 0) return ['No windows.'];
  if (ws.length <= WINDOWS_INLINE_MAX) return [table(WINDOW_HEADER, ws.map(windowRow))];
  const why = new Map<number, string[]>();
  const tag = (w: WindowSummary, t: string) => why.set(w.index, [...(why.get(w.index) ?? []), t]);
  ws.slice(0, CONDENSED_EACH).forEach((w) => tag(w, 'first'));
  worstWindows(ws, CONDENSED_EACH).forEach((w) => tag(w, 'worst'));
  ws.slice(-CONDENSED_EACH).forEach((w) => tag(w, 'last'));
  const picked = ws.filter((w) => why.has(w.index));
  const out = [
    `${fmtInt(ws.length)} windows; the first, worst and last ${CONDENSED_EACH}:`,
    '',
    table(['Shown as', ...WINDOW_HEADER], picked.map((w) => [why.get(w.index)!.join(', '), ...windowRow(w)])),
    '',
    '<details>',
    `<summary>All ${fmtInt(ws.length)} windows</summary>`,
    '',
  ];
  const rows: string[] = [];
  let chars = 0;
  for (const w of ws) {
    const row = `| ${windowRow(w).join(' | ')} |`;
    if (chars + row.length > WINDOWS_DETAILS_MAX_CHARS) break;
    rows.push(row);
    chars += row.length + 1;
  }
  const head = table(WINDOW_HEADER, []);
  out.push([head, ...rows].join('\n'));
  if (rows.length < ws.length) {
    out.push('', `${fmtInt(ws.length - rows.length)} more windows are in report.json and report.html.`);
  }
  out.push('', '</details>');
  return out;
}

export function renderMarkdown(s: Summary): string {
  const out: string[] = [`# modelwave · ${md(s.run.name, 120)}`, '', ...verdictSection(s), '', '## Summary', '', summaryTable(s)];
  const classes = classesTable(s);
  if (classes) out.push('', classes);
  out.push('', '## Phases', '', phasesTable(s), '', '## Windows', '', ...windowsSection(s), '');
  const store = fmtStore(s);
  const feedback = fmtFeedback(s);
  if (store) out.push(`**Store:** ${md(store, 500)}  `);
  if (feedback) out.push(`**Feedback:** ${md(feedback, 500)}  `);
  out.push(`**Environment:** ${md(fmtEnvironment(s), 500)}`, '');
  return out.join('\n');
}
