// report.html: ONE self-contained file. No script, no external resource of any kind (a Content-Security-Policy
// forbids them too, as a second line of defence), styles inline, charts as inline SVG rendered at report time,
// tables as real HTML, so it reads the same offline, in a mail attachment or with JavaScript off.
// Escaping is the default: table cells and text go through `escapeHtml` unless wrapped in `raw()`.
import type { LatencyStats, Summary, WindowSummary } from '../summary/types.js';
import { renderCharts, type RenderedChart } from './charts.js';
import { escapeHtml, truncate } from './escape.js';
import {
  failedOf,
  fmtCi,
  fmtFailures,
  fmtFeedback,
  fmtFraction,
  fmtInt,
  fmtMs,
  fmtPercent,
  fmtRateVsPlan,
  fmtRps,
  fmtSeconds,
  fmtStore,
  fmtThresholdValue,
  fmtMeasured,
  fmtReadAs,
  fmtSample,
  latencyRows,
  fmtOutOfClass,
  fmtScored,
  phaseFigures,
  phasesHaveAccuracy,
  windowFigures,
} from './format.js';
import { verdictOf } from '../verdict/judge.js';
import { WINDOWS_INLINE_MAX } from './markdown.js';

class Raw {
  constructor(readonly html: string) {}
}
/** Markup we generated ourselves (never user text). */
const raw = (html: string) => new Raw(html);
type Cell = string | number | Raw;
/** Long user strings (a 5,000-character name) may break anywhere; short ones keep their words whole. */
const cell = (c: Cell): string => {
  if (c instanceof Raw) return c.html;
  const text = String(c);
  return text.length > 40 ? `<span class="long">${escapeHtml(text)}</span>` : escapeHtml(text);
};

function table(id: string, header: string[], rows: Cell[][], numericFrom = 1): string {
  const th = header.map((h, i) => `<th${i >= numericFrom ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('');
  const trs = rows
    .map((r) => `<tr>${r.map((c, i) => `<td${i >= numericFrom ? ' class="num"' : ''}>${cell(c)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table id="${id}"><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table>`;
}

const kv = (id: string, rows: Array<[string, Cell]>) =>
  `<table id="${id}" class="kv"><tbody>\n${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${cell(v)}</td></tr>`).join('\n')}\n</tbody></table>`;

const passBadge = (pass: boolean) => raw(`<span class="badge ${pass ? 'pass' : 'fail'}">${pass ? 'PASS' : 'FAIL'}</span>`);

const STYLE = `
:root{--fg:#1d2126;--muted:#5c6570;--line:#e3e6ea;--bg:#fff;--soft:#f6f7f9;--pass:#1a7f37;--fail:#c62828;--warn:#9a6700}
*{box-sizing:border-box}
body{margin:0;background:var(--soft);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:1100px;margin:0 auto;padding:24px 20px 48px}
h1{font-size:22px;margin:0 0 4px;overflow-wrap:anywhere}
h2{font-size:17px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
.sub{color:var(--muted);overflow-wrap:anywhere}
.verdict{margin:16px 0;padding:12px 16px;border-radius:8px;font-size:17px;font-weight:600;border:1px solid}
.verdict.pass{background:#e9f6ec;border-color:#a6d8b1;color:var(--pass)}
.verdict.fail{background:#fdecec;border-color:#f2b4b4;color:var(--fail)}
.verdict.none{background:#eef2f7;border-color:#c9d3df;color:#2d3e50}
.warn{margin:8px 0;padding:8px 12px;border-left:4px solid var(--warn);background:#fff8e6;overflow-wrap:anywhere}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:12px;margin:12px 0}
.card{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:10px 14px;min-width:0}
.card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .v{font-size:22px;font-weight:600;margin:2px 0}
.card .d{color:var(--muted);font-size:12px;overflow-wrap:anywhere}
table{border-collapse:collapse;background:var(--bg);border:1px solid var(--line);margin:8px 0;max-width:100%}
th,td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top;overflow-wrap:break-word}
.long{overflow-wrap:anywhere}
thead th{background:var(--soft);font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap;overflow-wrap:normal}
tbody tr:nth-child(even){background:#fafbfc}
table.kv th{width:14em;color:var(--muted);font-weight:500}
.badge{display:inline-block;padding:0 8px;border-radius:10px;font-size:12px;font-weight:700;color:#fff}
.badge.pass{background:var(--pass)}.badge.fail{background:var(--fail)}
.charts{display:grid;grid-template-columns:1fr;gap:16px}
figure.chart{margin:0;background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
figure.chart figcaption{margin-bottom:6px}
figure.chart figcaption span{display:block;color:var(--muted);font-size:12px}
figure.chart svg{max-width:100%;height:auto;display:block}
.note{color:var(--muted);font-style:italic;margin:8px 0}
pre{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:10px;overflow:auto;max-height:480px;white-space:pre-wrap;overflow-wrap:anywhere}
details>summary{cursor:pointer;color:#2456a6;margin:6px 0}
.scroll{overflow-x:auto}
footer{color:var(--muted);font-size:12px;margin-top:32px}
`;

function header(s: Summary): string {
  const r = s.run;
  const v = verdictOf(s);
  const warns: string[] = [];
  if (r.error) warns.push(`Run error: ${escapeHtml(r.error)}`);
  for (const w of r.warnings ?? []) warns.push(`Warning: ${escapeHtml(w)}`);
  if (r.generatorSaturated) {
    warns.push(`Generator saturated${r.saturationReason ? `: ${escapeHtml(r.saturationReason)}` : ''}.`);
  }
  if (r.validity && !r.validity.valid) {
    warns.push(`Validity: INVALID — ${r.validity.reasons.map((x) => `${escapeHtml(x.code)}: ${escapeHtml(x.message)}`).join('; ')}`);
  }
  return [
    // A very long name is cut here; the full name is in the environment table.
    `<header><h1 id="run-name" title="${escapeHtml(truncate(r.name, 1000))}">${escapeHtml(truncate(r.name, 160))}</h1>`,
    `<div class="sub">run ${escapeHtml(r.id)} · ${escapeHtml(r.status)} · ${escapeHtml(fmtSeconds(r.durationMs))} · started ${escapeHtml(r.startedAt)}</div>`,
    `<div class="sub">target ${escapeHtml(r.target)} · protocol ${escapeHtml(r.protocol)} · seed ${escapeHtml(r.seed)}${r.role ? ` · ${escapeHtml(r.role)}` : ''}</div></header>`,
    `<div id="verdict" class="verdict ${v.verdict}">${escapeHtml(v.headline)}</div>`,
    ...(r.validity?.valid ? ['<div class="sub" id="validity">validity: VALID</div>'] : []),
    ...warns.map((w) => `<div class="warn">${w}</div>`),
  ].join('\n');
}

function cards(s: Summary): string {
  const t = s.totals;
  const c = t.classification;
  const card = (k: string, v: string, d: string) =>
    `<div class="card"><div class="k">${escapeHtml(k)}</div><div class="v">${escapeHtml(v)}</div><div class="d">${escapeHtml(d)}</div></div>`;
  const list = [
    card('Throughput', `${fmtRps(t.rps)} rps`, fmtRateVsPlan(t, s.phases)),
    card(
      'Latency p99',
      t.latencyMs.count > 0 ? `${fmtMs(t.latencyMs.p99)} ms` : 'not measured',
      t.latencyMs.count > 0
        ? `successful requests · p50 ${fmtMs(t.latencyMs.p50)} · p99.9 ${fmtMs(t.latencyMs.p999)} · max ${fmtMs(t.latencyMs.max)} ms`
        : 'no request succeeded',
    ),
    card('Error rate', fmtPercent(t.errors.rate), `${fmtInt(failedOf(t.requests))} failed · ${fmtInt(t.requests.dropped)} dropped of ${fmtInt(t.requests.scheduled)}`),
  ];
  if (c) list.push(card('Accuracy', fmtFraction(c.accuracy), c.accuracy == null ? `not measured · n = ${fmtInt(c.n)}` : `95% CI ${fmtCi(c.accuracyCi)} · n = ${fmtInt(c.n)}`));
  else if (t.regression) list.push(card('RMSE', fmtFraction(t.regression.rmse), `MAE ${fmtFraction(t.regression.mae)} · R² ${fmtFraction(t.regression.r2)}`));
  if (s.drift) list.push(card('Drift', s.drift.detected ? 'detected' : 'none', s.drift.sentence));
  return `<section class="cards" id="cards">${list.join('')}</section>`;
}

/** An empty population: dashes, count 0. */
const EMPTY: LatencyStats = { p50: NaN, p90: NaN, p95: NaN, p99: NaN, p999: NaN, max: NaN, min: NaN, mean: NaN, count: 0 };

const latencyRow = (name: string, l: Pick<LatencyStats, 'p50' | 'p99' | 'max'> & Partial<LatencyStats>): Cell[] => [
  name,
  fmtMs(l.p50),
  fmtMs(l.p90),
  fmtMs(l.p99),
  fmtMs(l.p999),
  fmtMs(l.max),
  fmtMs(l.mean),
  l.count != null ? fmtInt(l.count) : '—',
];

function totalsSection(s: Summary): string {
  const t = s.totals;
  const parts = [
    table('latency-table', ['ms', 'p50', 'p90', 'p99', 'p99.9', 'max', 'mean', 'count'], [
      // Successful requests; failed and all when some failed (format.ts latencyRows).
      ...latencyRows(t).map(({ name, stats }) => latencyRow(name === 'latency' ? 'latency' : `latency, ${name}`, stats ?? EMPTY)),
      latencyRow('service time', t.serviceTimeMs.count > 0 ? t.serviceTimeMs : EMPTY),
      latencyRow('send lag', t.lagMs),
    ]),
    kv('requests-table', [
      ['Requests', `${fmtInt(t.requests.scheduled)} scheduled · ${fmtInt(t.requests.sent)} sent · ${fmtInt(t.requests.ok)} ok`],
      ['Failures by kind', fmtFailures(t.requests)],
      ['Errors by code', Object.entries(t.errors.byCode).map(([k, n]) => `${k}: ${fmtInt(n)}`).join(' · ') || 'none'],
      ['HTTP status', Object.entries(t.errors.byStatus).map(([k, n]) => `${k}: ${fmtInt(n)}`).join(' · ') || 'none'],
      ...(t.quality
        ? ([['Scored rows', fmtScored(t.quality)]] as Array<[string, Cell]>)
        : []),
      ...(fmtOutOfClass(t.quality) ? ([['Answers outside the classes', fmtOutOfClass(t.quality)!]] as Array<[string, Cell]>) : []),
      ...(t.quality?.predictionsReadAs ? ([['Predictions read', fmtReadAs(t.quality) ?? '']] as Array<[string, Cell]>) : []),
      ...(t.errors.samples ?? []).map((x): [string, Cell] => [x.kind === 'httpError' ? 'First HTTP error' : 'First unreadable response', fmtSample(x)]),
    ]),
  ];
  const c = t.classification;
  if (c) {
    const rows: Cell[][] = c.classes.map((k) => [k.label, fmtFraction(k.precision), fmtFraction(k.recall), fmtFraction(k.f1), fmtInt(k.support)]);
    rows.push(['macro', fmtFraction(c.macro.precision), fmtFraction(c.macro.recall), fmtFraction(c.macro.f1), fmtInt(c.n)]);
    rows.push(['micro', fmtFraction(c.micro.precision), fmtFraction(c.micro.recall), fmtFraction(c.micro.f1), fmtInt(c.n)]);
    parts.push(`<div class="scroll">${table('classes-table', ['class', 'precision', 'recall', 'F1', 'support'], rows)}</div>`);
    if (c.logLoss != null || c.rocAuc != null) parts.push(`<p>log loss ${escapeHtml(fmtFraction(c.logLoss))} · ROC AUC ${escapeHtml(fmtFraction(c.rocAuc))}</p>`);
  }
  if (t.regression) {
    const g = t.regression;
    parts.push(kv('regression-table', [['MAE', fmtFraction(g.mae)], ['RMSE', fmtFraction(g.rmse)], ['R²', fmtFraction(g.r2)], ['n', fmtInt(g.n)]]));
  }
  return parts.join('\n');
}

function thresholdsSection(s: Summary): string {
  if (s.thresholds.length === 0) return '<p class="note">No thresholds were set for this run.</p>';
  return table(
    'thresholds-table',
    ['result', 'threshold', 'measured', 'limit'],
    s.thresholds.map((t) => [passBadge(t.pass), t.expr, fmtMeasured(t), `${t.op} ${fmtThresholdValue(t, t.limit)}`]),
    2,
  );
}

function chartFigure(c: RenderedChart): string {
  const body = c.svg ?? `<p class="note">${escapeHtml(c.note ?? 'No data.')}</p>`;
  return (
    `<figure class="chart" id="chart-${c.id}" data-chart="${c.id}" data-points="${c.points}"${c.svg ? '' : ' data-empty="true"'}>` +
    `<figcaption><strong>${escapeHtml(c.title)}</strong><span>${escapeHtml(c.caption)}</span></figcaption>\n${body}\n</figure>`
  );
}

function phasesSection(s: Summary): string {
  const acc = phasesHaveAccuracy(s.phases);
  const rows: Cell[][] = s.phases.map((p) => [p.index, p.name + (p.warmup ? ' (warm-up)' : ''), ...phaseFigures(p, acc)]);
  const head = ['#', 'phase', 'kind', 'target', 'planned rps', 'rps', 'goodput rps', 'sent', 'ok', 'failed', 'dropped', 'p50 ms', 'p99 ms', 'max ms', 'lag p99 ms'];
  return `<div class="scroll">${table('phases-table', acc ? [...head, 'accuracy'] : head, rows, 4)}</div>`;
}

const windowRow = (w: WindowSummary): Cell[] => [...windowFigures(w), w.drifted ? raw('<span class="badge fail">drifted</span>') : ''];

function windowsSection(s: Summary): string {
  if (s.windows.length === 0) return '<p class="note">No windows.</p>';
  const head = ['#', 'time (s)', 'sent', 'failed', 'dropped', 'rps', 'p50 ms', 'p99 ms', 'accuracy', '95% CI', 'drift'];
  const t = `<div class="scroll">${table('windows-table', head, s.windows.map(windowRow), 2)}</div>`;
  if (s.windows.length <= WINDOWS_INLINE_MAX) return t;
  return `<details><summary>All ${escapeHtml(fmtInt(s.windows.length))} windows</summary>\n${t}\n</details>`;
}

function environmentSection(s: Summary): string {
  const e = s.environment;
  const rows: Array<[string, Cell]> = [
    ['run name', s.run.name],
    ['run id', s.run.id],
    ['modelwave', e.modelwave],
    ['Node.js', e.node],
    ['platform', `${e.platform} / ${e.arch}`],
    ['CPUs', `${e.cpus} × ${e.cpuModel}`],
    ['workers', e.workers],
    ['host', e.hostname],
  ];
  const store = fmtStore(s);
  const feedback = fmtFeedback(s);
  if (store) rows.push(['store', store]);
  if (feedback) rows.push(['feedback', feedback]);
  if (s.run.comparisonId) rows.push(['comparison', `${s.run.comparisonId} (${s.run.role ?? 'unknown role'})`]);
  return kv('environment-table', rows);
}

function scenarioSection(s: Summary): string {
  if (s.scenario === undefined || s.scenario === null) return '<p class="note">The scenario was not recorded.</p>';
  return `<pre id="scenario-json">${escapeHtml(JSON.stringify(s.scenario, null, 2))}</pre>`;
}

/** The whole report.html page. Pure function of the Summary (async only because vega renders asynchronously). */
export async function renderHtml(s: Summary): Promise<string> {
  const charts = await renderCharts(s);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="modelwave ${escapeHtml(s.environment.modelwave)}">
<link rel="icon" href="data:,">
<title>modelwave · ${escapeHtml(truncate(s.run.name, 120))}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${header(s)}
${cards(s)}
<h2 id="h-thresholds">Thresholds</h2>
${thresholdsSection(s)}
<h2 id="h-charts">Charts</h2>
<section class="charts">
${charts.map(chartFigure).join('\n')}
</section>
<h2 id="h-totals">Totals</h2>
${totalsSection(s)}
<h2 id="h-phases">Phases</h2>
${phasesSection(s)}
<h2 id="h-windows">Windows</h2>
${windowsSection(s)}
<h2 id="h-environment">Environment, store and feedback</h2>
${environmentSection(s)}
<h2 id="h-scenario">Scenario (secrets redacted)</h2>
${scenarioSection(s)}
<footer>report.json schema version ${escapeHtml(s.schemaVersion)} · generated by modelwave ${escapeHtml(s.environment.modelwave)} · run ${escapeHtml(s.run.id)}</footer>
</main>
</body>
</html>
`;
}
