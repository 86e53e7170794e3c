// `modelwave history --html FILE`: the key figures of a scenario's past runs as trend charts over their start times, in
// one self-contained page (uPlot inlined, as the live dashboard; no CDN), with the table below. Outliers (see
// history.ts) are listed in the table and drawn as red points. Every string is escaped; data goes in as script-safe JSON.
import { uplotAssets } from '../report/assets.js';
import { escapeHtml, jsonForScript } from '../report/escape.js';
import type { HistoryRow } from './history.js';

const FIGURES = [
  { key: 'p99Ms', title: 'p99 latency (ms)' },
  { key: 'accuracy', title: 'accuracy' },
  { key: 'errorRate', title: 'error rate' },
  { key: 'rps', title: 'achieved rate (req/s)' },
] as const;

const cell = (v: number | undefined, d: number) => (v === undefined ? '—' : v.toFixed(d));

export function renderHistoryHtml(scenario: string, rows: HistoryRow[]): string {
  const { js, css } = uplotAssets();
  // Oldest first on a time axis (uPlot wants x ascending); x in seconds since the epoch.
  const runs = [...rows].reverse().map((r) => ({
    t: Date.parse(r.startedAt) / 1000,
    id: r.id,
    valid: r.valid,
    outliers: r.outliers,
    p99Ms: r.p99Ms ?? null,
    accuracy: r.accuracy ?? null,
    errorRate: r.errorRate ?? null,
    rps: r.rps ?? null,
  }));
  const table = rows
    .map(
      (r) =>
        `<tr${r.outliers.length ? ' class="out"' : ''}><td>${escapeHtml(r.id)}</td><td>${escapeHtml(r.startedAt)}</td><td>${escapeHtml(r.status)}</td>` +
        `<td class="n">${cell(r.p99Ms, 2)}</td><td class="n">${cell(r.accuracy, 4)}</td><td class="n">${r.errorRate === undefined ? '—' : `${(r.errorRate * 100).toFixed(2)}%`}</td>` +
        `<td class="n">${cell(r.rps, 1)}</td><td>${r.valid ? 'yes' : 'no'}</td><td>${escapeHtml(r.outliers.join(', '))}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>modelwave history · ${escapeHtml(scenario)}</title>
<style>${css}
body{font:14px/1.4 system-ui,sans-serif;margin:0;padding:16px 24px;color:#1d2330}
h1{font-size:18px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:16px}
table{border-collapse:collapse;margin-top:16px}td,th{padding:3px 8px;border-bottom:1px solid #e3e6ec;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}tr.out td{background:#fdecec}
</style>
</head>
<body>
<h1>modelwave history · ${escapeHtml(scenario)}</h1>
<p>${rows.length} runs, oldest to newest on the charts. Red points: outside the spread of the other valid runs (median ± 3 scaled MADs); hollow points: not valid (not completed, or generator saturated).</p>
<div class="grid">${FIGURES.map((f) => `<div><h2>${escapeHtml(f.title)}</h2><div id="c-${f.key}"></div></div>`).join('')}</div>
<table><thead><tr><th>run</th><th>started</th><th>status</th><th>p99 ms</th><th>accuracy</th><th>errors</th><th>rps</th><th>valid</th><th>outside the spread</th></tr></thead>
<tbody>
${table}
</tbody></table>
<script type="application/json" id="data">${jsonForScript({ runs, figures: FIGURES })}</script>
<script>${js}</script>
<script>
(function () {
  var d = JSON.parse(document.getElementById('data').textContent);
  var x = d.runs.map(function (r) { return r.t; });
  d.figures.forEach(function (f) {
    var ys = d.runs.map(function (r) { return r[f.key]; });
    var out = d.runs.map(function (r) { return r.outliers.indexOf(f.key) >= 0 ? r[f.key] : null; });
    var invalid = d.runs.map(function (r) { return r.valid ? null : r[f.key]; });
    new uPlot({ width: 520, height: 220, series: [{}, { label: f.key, stroke: '#2f6fde', width: 2 },
      { label: 'outside the spread', stroke: '#b91c1c', width: 0, points: { show: true, size: 9, fill: '#b91c1c' } },
      { label: 'not valid', stroke: '#8892a6', width: 0, points: { show: true, size: 9, fill: '#fff' } }] },
      [x, ys, out, invalid], document.getElementById('c-' + f.key));
  });
})();
</script>
</body>
</html>
`;
}
