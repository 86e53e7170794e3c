// The capacity search's reports, pure functions of its answer: the terminal table, report.md, report.html (the
// latency–throughput and accuracy–throughput curves, drawn with vega-lite like the run reports) and report.json
// (`{ schemaVersion, capacity }`). Every string from the scenario or the target is escaped for its format.
import type { TopLevelSpec } from 'vega-lite';
import { escapeHtml, escapeMarkdown as md, terminalSafe, truncate } from '../report/escape.js';
import { fmtMs, fmtPercent } from '../report/format.js';
import { renderSvg } from '../report/charts.js';
import { writeReportFiles } from '../report/write.js';
import type { CapacityAnswer, ProbeRecord } from './types.js';
import { fmtLevel } from './search.js';
import { tryParseDurationMs } from '../util/duration.js';

const CAPACITY_SCHEMA_VERSION = 1;

const safe = (s: unknown, max = 200) => terminalSafe(truncate(String(s), max));
const unit = (a: CapacityAnswer) => (a.mode === 'concurrency' ? 'in flight' : 'req/s');
/** Accuracy over scored rows, and in parentheses over every request when lost answers make it differ. */
const acc = (p: ProbeRecord) => {
  if (p.accuracy === undefined) return '—';
  const all = p.accuracyAllRequests?.toFixed(3);
  return `${p.accuracy.toFixed(3)}${all !== undefined && all !== p.accuracy.toFixed(3) ? ` (${all})` : ''}`;
};

/** The answer in one sentence. */
export function headline(a: CapacityAnswer): string {
  const max = a.maxRate ?? a.maxConcurrency;
  if (max === undefined) return `no sustainable ${a.mode === 'concurrency' ? 'concurrency' : 'rate'} found (${a.endReason})`;
  const iv = a.interval.failing !== undefined ? `; between ${max} (passes) and ${a.interval.failing} (fails)` : ' (no probe failed: at least this much)';
  const req = a.require !== undefined ? ` — ${max >= a.require ? 'meets' : 'BELOW'} --require ${a.require}` : '';
  return `capacity ${max} ${unit(a)}${a.maxRateAchieved !== undefined ? ` (achieved ${a.maxRateAchieved} req/s)` : ''}${iv}${req}`;
}

function probeRows(a: CapacityAnswer): string[][] {
  return a.probes.map((p) => [
    String(p.index),
    a.mode === 'concurrency' ? String(p.level) : `${p.level}`,
    `${p.achievedRps}`,
    fmtMs(p.latencyMs.p50),
    fmtMs(p.latencyMs.p90),
    fmtMs(p.latencyMs.p99),
    fmtPercent(p.errorsRate),
    acc(p),
    p.validity.valid ? 'VALID' : `INVALID (${p.validity.reasons.map((r) => r.code).join(', ')})`,
    p.verdict.toUpperCase(),
  ]);
}

const HEAD = (a: CapacityAnswer) => ['#', a.mode === 'concurrency' ? 'conc.' : 'planned r/s', 'achieved r/s', 'p50', 'p90', 'p99', 'errors', 'accuracy', 'validity', 'probe'];

export function renderCapacityTerminal(a: CapacityAnswer): string {
  const rows = [HEAD(a), ...probeRows(a)].map((r) => r.map((c) => safe(c, 60)));
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const out = [`modelwave capacity · ${safe(a.scenario, 60)} · ${safe(a.target, 80)}`, `SLO: ${safe(a.slos.join(' and '), 300)}`, ''];
  for (const r of rows) out.push(r.map((c, i) => (i < 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd());
  out.push('');
  for (const p of a.probes.filter((x) => x.verdict !== 'pass')) out.push(`  probe ${p.index}: ${safe(p.why, 400)}`);
  out.push(headline(a));
  if (a.bindingSlo) out.push(`binding SLO: ${safe(a.bindingSlo)}`);
  if (a.knee) out.push(`knee: ${a.knee.rps} req/s (probe ${a.knee.probe}, ${a.knee.metric} ${fmtMs(a.knee.latencyMs)})`);
  for (const b of a.sloAtMax ?? []) {
    if (b.upperBound99 !== undefined) out.push(`at the answer: ${safe(b.expr)} measured ${fmtMs(b.value)}, upper bound at 99% confidence ${fmtMs(b.upperBound99)}`);
  }
  out.push(`search ended: ${safe(a.end)} — ${safe(a.endReason, 300)} · ${a.probes.length} probes in ${(a.elapsedMs / 1000).toFixed(1)} s · capacity id ${safe(a.id)}`);
  return out.join('\n') + '\n';
}

export function renderCapacityMarkdown(a: CapacityAnswer): string {
  const out = [`# Capacity: ${md(a.scenario)}`, '', `**${md(headline(a))}**`, '', `- SLO: ${a.slos.map((s) => `\`${s.replace(/`/g, "'")}\``).join(' and ')}`];
  out.push(`- target: ${md(a.target)} · mode: ${a.mode === 'concurrency' ? 'closed loop (concurrency)' : 'open loop (rate)'}`);
  out.push(`- interval: passing ${a.interval.passing ?? '—'} · failing ${a.interval.failing ?? '—'} ${unit(a)}`);
  if (a.bindingSlo) out.push(`- binding SLO: \`${a.bindingSlo.replace(/`/g, "'")}\``);
  if (a.knee) out.push(`- knee: ${a.knee.rps} req/s at probe ${a.knee.probe} (${a.knee.metric} ${fmtMs(a.knee.latencyMs)}); method: ${md(a.knee.method)}`);
  for (const b of a.sloAtMax ?? []) if (b.upperBound99 !== undefined) out.push(`- at the answer: \`${b.expr.replace(/`/g, "'")}\` measured ${fmtMs(b.value)}, upper bound at 99% confidence ${fmtMs(b.upperBound99)}`);
  out.push(`- search ended: ${md(a.end)} — ${md(a.endReason)}; ${a.probes.length} probes in ${(a.elapsedMs / 1000).toFixed(1)} s; capacity id \`${a.id}\``, '');
  out.push(`| ${HEAD(a).join(' | ')} |`, `|${HEAD(a).map(() => ' --- ').join('|')}|`);
  for (const r of probeRows(a)) out.push(`| ${r.map((c) => md(c)).join(' | ')} |`);
  out.push('', '## Probes', '');
  for (const p of a.probes) out.push(`${p.index}. ${md(fmtLevel(p.level, a))}: **${p.verdict}** — ${md(p.why)} (run \`${p.runId}\`)`);
  return out.join('\n') + '\n';
}

/** Latency (p50/p90/p99) against achieved throughput per usable probe, the SLO limit as a rule, the knee as a mark. */
export function curveSpec(a: CapacityAnswer): TopLevelSpec | undefined {
  const usable = a.probes.filter((p) => p.verdict === 'pass' || p.verdict === 'fail');
  if (usable.length === 0) return undefined;
  const values = usable.flatMap((p) =>
    (['p50', 'p90', 'p99'] as const).map((q) => ({ rps: p.achievedRps, ms: p.latencyMs[q], percentile: q, verdict: p.verdict, probe: p.index })),
  );
  const slo = a.slos
    .map((e) => /^\s*latency\.(p\d+)\s*<=?\s*(.+)$/.exec(e))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ ms: tryParseDurationMs(m[2]!.trim()), label: `SLO ${m[1]}` }))
    .filter((x): x is { ms: number; label: string } => x.ms !== undefined);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    width: 760,
    height: 300,
    config: { aria: false, legend: { orient: 'top' } },
    layer: [
      {
        name: 'curve_points',
        data: { values },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'rps', type: 'quantitative', title: 'achieved throughput (req/s)' },
          y: { field: 'ms', type: 'quantitative', title: 'latency (ms)', scale: { type: 'symlog' } },
          color: { field: 'percentile', type: 'nominal', title: null },
        },
      },
      ...(slo.length ? [{ data: { values: slo }, mark: { type: 'rule' as const, strokeDash: [6, 3], color: '#c0392b' }, encoding: { y: { field: 'ms', type: 'quantitative' as const } } }] : []),
      ...(a.knee ? [{ data: { values: [{ rps: a.knee.rps }] }, mark: { type: 'rule' as const, color: '#555', strokeDash: [2, 2] }, encoding: { x: { field: 'rps', type: 'quantitative' as const } } }] : []),
    ],
  } as TopLevelSpec;
}

function accuracySpec(a: CapacityAnswer): TopLevelSpec | undefined {
  const values = a.probes.filter((p) => (p.verdict === 'pass' || p.verdict === 'fail') && p.accuracy !== undefined).flatMap((p) => [
    { rps: p.achievedRps, accuracy: p.accuracy!, series: 'scored rows' },
    ...(p.accuracyAllRequests !== undefined ? [{ rps: p.achievedRps, accuracy: p.accuracyAllRequests, series: 'every request (lost = wrong)' }] : []),
  ]);
  if (values.length === 0) return undefined;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    width: 760,
    height: 200,
    config: { aria: false, legend: { orient: 'top' } },
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'rps', type: 'quantitative', title: 'achieved throughput (req/s)' },
      y: { field: 'accuracy', type: 'quantitative', title: 'accuracy', scale: { zero: false } },
      color: { field: 'series', type: 'nominal', title: null },
    },
  } as TopLevelSpec;
}

export async function renderCapacityHtml(a: CapacityAnswer): Promise<string> {
  const figure = async (id: string, title: string, spec: TopLevelSpec | undefined, none: string) =>
    `<figure id="${id}"><figcaption>${escapeHtml(title)}</figcaption>${spec ? await renderSvg(spec) : `<p>${escapeHtml(none)}</p>`}</figure>`;
  const rows = probeRows(a)
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<title>modelwave capacity · ${escapeHtml(truncate(a.scenario, 120))}</title>
<style>body{font-family:system-ui,sans-serif;max-width:980px;margin:24px auto;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 8px;font-size:13px}h1{font-size:22px}.answer{font-size:18px;font-weight:600;margin:12px 0}</style>
</head><body><main>
<h1>Capacity: ${escapeHtml(a.scenario)}</h1>
<div class="answer" id="answer">${escapeHtml(headline(a))}</div>
<p>SLO: ${escapeHtml(a.slos.join(' and '))} · target ${escapeHtml(a.target)}${a.bindingSlo ? ` · binding SLO: ${escapeHtml(a.bindingSlo)}` : ''}</p>
${a.knee ? `<p id="knee">Knee: ${escapeHtml(a.knee.rps)} req/s (probe ${escapeHtml(a.knee.probe)}, ${escapeHtml(a.knee.metric)} ${escapeHtml(fmtMs(a.knee.latencyMs))}); ${escapeHtml(a.knee.method)}.</p>` : ''}
<p>Search ended: ${escapeHtml(a.end)} — ${escapeHtml(a.endReason)}; ${escapeHtml(a.probes.length)} probes in ${escapeHtml((a.elapsedMs / 1000).toFixed(1))} s; capacity id ${escapeHtml(a.id)}.</p>
${await figure('chart-latency-throughput', 'Latency (p50, p90, p99; log scale) against achieved throughput per probe; dashed red: the SLO limit; dotted grey: the knee', curveSpec(a), 'No usable probe to draw.')}
${await figure('chart-accuracy-throughput', 'Accuracy against achieved throughput (scored rows; and every request, lost answers counted wrong)', accuracySpec(a), 'No labels: accuracy was not measured.')}
<table id="probes"><thead><tr>${HEAD(a).map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>
${rows}
</tbody></table>
<ol>${a.probes.map((p) => `<li>${escapeHtml(fmtLevel(p.level, a))}: <b>${escapeHtml(p.verdict)}</b> — ${escapeHtml(p.why)} (run ${escapeHtml(p.runId)})</li>`).join('\n')}</ol>
</main></body></html>
`;
}

export const renderCapacityJson = (a: CapacityAnswer): string => JSON.stringify({ schemaVersion: CAPACITY_SCHEMA_VERSION, capacity: a }, null, 2) + '\n';

/** report.json, report.md and report.html of the search into `dir`; returns the paths. */
export function writeCapacityReports(a: CapacityAnswer, dir: string): Promise<string[]> {
  return writeReportFiles(dir, [
    ['report.json', () => renderCapacityJson(a)],
    ['report.md', () => renderCapacityMarkdown(a)],
    ['report.html', () => renderCapacityHtml(a)],
  ]);
}
