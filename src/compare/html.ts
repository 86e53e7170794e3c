// comparison.html: one self-contained page, the two runs side by side (no scripts, no network; SVG charts inline).
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from '../report/charts.js';
import { escapeHtml as h } from '../report/escape.js';
import { fmtPValue } from '../report/format.js';
import type { Comparison, RunBrief } from './types.js';

const num = (x: number | undefined | null, d: number) => (x === undefined || x === null || !Number.isFinite(x) ? '—' : x.toFixed(d));

/**
 * The run's report.html as a URL: each path segment percent-encoded (a folder name with `#`, `?` or a space would
 * otherwise cut the URL) and relative paths led by `./`, so a first segment like `javascript:x` is never a scheme.
 * A report.json path (accepted by `compare --runs`) points at the report.html beside it.
 */
function reportHref(dir: string): string {
  const segments = dir.split(/[\\/]/).filter((x) => x !== '' && x !== '.');
  if (/\.json$/i.test(segments.at(-1) ?? '')) segments.pop();
  const prefix = dir.startsWith('/') ? '/' : './';
  return `${prefix}${segments.map((x) => `${encodeURIComponent(x)}/`).join('')}report.html`;
}

function side(title: string, r: RunBrief): string {
  const rows: [string, string][] = [
    ['Target', r.target],
    ['Run', r.runId],
    ['Status', r.status],
    ['Requests sent / ok', `${r.sent} / ${r.ok}`],
    ['Achieved rate', `${num(r.rps, 1)} req/s`],
    ['Error rate', `${num(r.errorRate * 100, 2)}%`],
    ['Latency p50 / p90 / p99 / max (ms)', `${num(r.latencyMs.p50, 2)} / ${num(r.latencyMs.p90, 2)} / ${num(r.latencyMs.p99, 2)} / ${num(r.latencyMs.max, 2)}`],
    ['Accuracy', r.accuracy === undefined ? '—' : `${num(r.accuracy, 4)} [${num(r.accuracyCi?.[0], 4)}, ${num(r.accuracyCi?.[1], 4)}]`],
    ['Macro F1', num(r.macroF1, 4)],
  ];
  const stored = r.reportDir?.startsWith('store:') ? r.reportDir.slice('store:'.length) : undefined;
  const link = stored
    ? `<p>Stored run: <code>modelwave report ${h(stored)}</code> writes its full report.</p>`
    : r.reportDir
      ? `<p><a href="${h(reportHref(r.reportDir))}">full report</a></p>`
      : '';
  return `<section class="side"><h2>${h(title)}</h2><table>${rows.map(([k, v]) => `<tr><th>${h(k)}</th><td>${h(v)}</td></tr>`).join('')}</table>${link}</section>`;
}

async function windowChart(c: Comparison): Promise<string> {
  const values = c.perWindow.flatMap((w) => [
    ...(w.base !== undefined ? [{ window: w.index, accuracy: w.base, run: 'baseline' }] : []),
    ...(w.cand !== undefined ? [{ window: w.index, accuracy: w.cand, run: 'candidate' }] : []),
  ]);
  if (values.length === 0) return '<p class="note">No accuracy per window (no label model, or nothing scored).</p>';
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 860,
    height: 220,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'window', type: 'quantitative', title: 'window' },
      y: { field: 'accuracy', type: 'quantitative', title: 'accuracy', scale: { zero: false } },
      color: { field: 'run', type: 'nominal', scale: { domain: ['baseline', 'candidate'], range: ['#8a8f98', '#3b6fb6'] } },
    },
  };
  return (await renderSvg(spec)).replace(/^<svg /, '<svg id="chart-compare-windows" role="img" aria-label="accuracy per window" ');
}

export async function renderComparisonHtml(c: Comparison): Promise<string> {
  const rules = c.rules
    .map((r) => `<tr class="${h(r.status)}"><td>${h(r.expr)}</td><td>${h(r.status.toUpperCase())}</td><td>${h(r.value === null ? '—' : num(r.value, 4))}</td><td>${h(r.ci ? `[${num(r.ci[0], 4)}, ${num(r.ci[1], 4)}]` : '—')}</td><td>${h(fmtPValue(r.pValue))}</td><td>${h(r.reason)}</td></tr>`)
    .join('\n');
  const lat = c.latency.quantiles
    .map((q) => `<tr><td>p${Math.round(q.q * 100)}</td><td>${num(q.base, 2)}</td><td>${num(q.cand, 2)}</td><td>${num(q.delta, 2)} [${num(q.deltaCi[0], 2)}, ${num(q.deltaCi[1], 2)}]</td><td>×${num(q.ratio, 3)} [${num(q.ratioCi[0], 3)}, ${num(q.ratioCi[1], 3)}]</td></tr>`)
    .join('\n');
  const a = c.accuracy;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>modelwave compare · ${h(c.scenario)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;color:#1d2330}table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #d5d9e0;padding:.25rem .5rem;text-align:left}.cols{display:flex;gap:2rem;flex-wrap:wrap}.side{flex:1;min-width:320px}.pass td:nth-child(2){color:#16794c}.fail td:nth-child(2){color:#b3261e;font-weight:600}.inconclusive td:nth-child(2){color:#a15c00}.verdict{font-size:1.2rem;font-weight:600}.note{color:#666}</style>
</head><body>
<h1>modelwave compare · ${h(c.scenario)}</h1>
<p class="verdict">${h(c.verdict.toUpperCase())} — ${h(c.headline)}</p>
${c.warnings.map((w) => `<p class="note">⚠ ${h(w)}</p>`).join('\n')}
<div class="cols">${side('Baseline', c.baseline)}${side('Candidate', c.candidate)}</div>
<h2>Rules</h2>
<table><tr><th>Rule</th><th>Result</th><th>Measured</th><th>95% CI</th><th>p</th><th>Why</th></tr>
${rules}
</table>
<h2>Accuracy</h2>
${a ? `<p>${num(a.base, 4)} → ${num(a.cand, 4)}: Δ ${num(a.delta, 4)} [${num(a.ci[0], 4)}, ${num(a.ci[1], 4)}], p = ${h(fmtPValue(a.pValue))} (${h(a.test)}; ${h(a.interval)})${a.table ? `; paired rows ${a.n}: both right ${a.table.a}, baseline only ${a.table.b}, candidate only ${a.table.c}, both wrong ${a.table.d}` : ''}.</p>` : '<p class="note">No accuracy (no label model).</p>'}
${await windowChart(c)}
<h2>Latency (ms)</h2>
<table><tr><th>Quantile</th><th>Baseline</th><th>Candidate</th><th>Δ [95% CI]</th><th>Ratio [95% CI]</th></tr>
${lat}
</table>
<p>Mann–Whitney U: effect ${num(c.latency.mannWhitney.effect, 3)}, z ${num(c.latency.mannWhitney.z, 2)}, p = ${h(fmtPValue(c.latency.mannWhitney.pValue))}. ${h(c.latency.method)}</p>
<h2>Errors</h2>
<p>${num(c.errors.base * 100, 2)}% → ${num(c.errors.cand * 100, 2)}%: Δ ${num(c.errors.delta * 100, 2)} pp [${num(c.errors.ci[0] * 100, 2)}, ${num(c.errors.ci[1] * 100, 2)}], p = ${h(fmtPValue(c.errors.pValue))}.</p>
<footer class="note">comparison ${h(c.id)} · ${h(c.createdAt)} · seed ${h(c.seed)} · ${c.paired ? 'paired' : 'unpaired'}</footer>
</body></html>
`;
}
