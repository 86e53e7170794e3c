// The dashboard page: one self-contained HTML document (uPlot's script and style inlined from node_modules, no CDN,
// works offline) that listens to `/events` and redraws five charts each second. uPlot because it was made for
// streaming time series: ~50 KB, canvas, `setData` redraws thousands of points in a few ms, so a tab open for an hour
// stays responsive; the report's Vega-Lite is ~1 MB and rebuilds its view on every change.
// Every string from the scenario reaches the page either escaped (escapeHtml) or as JSON whose `<` is escaped, and the
// script writes event fields with textContent only: nothing a target or a scenario says can become markup.
import { uplotAssets } from '../report/assets.js';
import { escapeHtml, jsonForScript } from '../report/escape.js';
export { jsonForScript, uplotAssets };
import type { Scenario } from '../spec/types.js';

export interface PageConfig {
  runId: string;
  scenario: string;
  /** Latency thresholds as horizontal lines on the latency chart: percentile key and limit in ms. */
  latencyLines: { label: string; key: string; ms: number }[];
  /** Accuracy thresholds as lines on the accuracy chart. */
  accuracyLines: { label: string; value: number }[];
}

/** What the page needs from the scenario: names and the thresholds that can be drawn. */
export function pageConfig(s: Scenario, runId: string): PageConfig {
  const latencyLines: PageConfig['latencyLines'] = [];
  const accuracyLines: PageConfig['accuracyLines'] = [];
  for (const t of s.thresholds) {
    const m = /^latency\.(p50|p90|p99|p999|max)$/.exec(t.metric);
    if (m && (t.op === '<' || t.op === '<=')) latencyLines.push({ label: t.expr, key: m[1], ms: t.value });
    if ((t.metric === 'accuracy' || t.metric === 'accuracy.window.min') && (t.op === '>' || t.op === '>=')) accuracyLines.push({ label: t.expr, value: t.value });
  }
  return { runId, scenario: s.name, latencyLines, accuracyLines };
}

export function dashboardPage(cfg: PageConfig, nonce: string): string {
  const { js, css } = uplotAssets();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>modelwave live · ${escapeHtml(cfg.scenario)}</title>
<style nonce="${nonce}">${css}
body{font:14px/1.4 system-ui,sans-serif;margin:0;padding:16px 24px;color:#1d2330;background:#fafbfc}
h1{font-size:18px;margin:0 0 4px}
.sub{color:#5b6475;font-size:12px;margin-bottom:12px}
.figs{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0 16px}
.fig{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:6px 10px;min-width:110px}
.fig b{display:block;font-size:18px;font-variant-numeric:tabular-nums}
.fig span{color:#5b6475;font-size:11px;text-transform:uppercase;letter-spacing:.04em}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:16px}
.card{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:8px 12px}
.card h2{font-size:13px;margin:0 0 6px;color:#3a4254}
#verdict{font-weight:700;padding:8px 12px;border-radius:6px;margin:8px 0;display:none}
#verdict.pass{display:block;background:#e3f6e8;color:#14632b}
#verdict.fail{display:block;background:#fde8e8;color:#9b1c1c}
#verdict.none{display:block;background:#eef0f4;color:#3a4254}
#status{font-size:12px;color:#5b6475}
</style>
</head>
<body>
<h1>modelwave · ${escapeHtml(cfg.scenario)}</h1>
<div class="sub">run <span id="run">${escapeHtml(cfg.runId)}</span> · <span id="status">waiting for the first second…</span></div>
<div id="verdict" role="status"></div>
<div class="figs">
  <div class="fig"><span>phase</span><b id="phase">—</b></div>
  <div class="fig"><span>time left</span><b id="left">—</b></div>
  <div class="fig"><span>sent</span><b id="sent">0</b></div>
  <div class="fig"><span>ok</span><b id="ok">0</b></div>
  <div class="fig"><span>error rate</span><b id="erate">—</b></div>
  <div class="fig"><span id="rate-label">achieved / planned</span><b id="rate">—</b></div>
  <div class="fig"><span id="p99-label">p99 (1 s)</span><b id="p99">—</b></div>
  <div class="fig"><span>in flight</span><b id="inflight">0</b></div>
  <div class="fig"><span>accuracy</span><b id="acc">—</b></div>
  <div class="fig"><span>feedback</span><b id="fb">—</b></div>
</div>
<div id="drift" class="sub"></div>
<div class="grid">
  <div class="card"><h2>Rate, req/s: planned · achieved · successful</h2><div id="c-rate"></div></div>
  <div class="card"><h2>Latency of successful requests, ms, per second (log scale), with threshold lines</h2><div id="c-lat"></div></div>
  <div class="card"><h2>Accuracy per closed window, with its 95% interval</h2><div id="c-acc"></div></div>
  <div class="card"><h2>Errors per second by kind</h2><div id="c-err"></div></div>
  <div class="card"><h2>In flight</h2><div id="c-inflight"></div></div>
</div>
<script type="application/json" id="cfg">${jsonForScript(cfg)}</script>
<script nonce="${nonce}">${js}</script>
<script nonce="${nonce}">${CLIENT}</script>
</body>
</html>
`;
}

// Plain ES2019, no modules: runs as is in any current browser. Data columns grow one point per event.
const CLIENT = `
(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('cfg').textContent);
  var W = function () { return Math.max(480, Math.min(900, (document.querySelector('.card') || document.body).clientWidth - 24)); };
  var H = 220;
  var x = [], planned = [], achieved = [], okRate = [], p50 = [], p90 = [], p99 = [], p999 = [], inflight = [];
  var eKinds = ['httpErrors', 'timeouts', 'connectionErrors', 'badResponses', 'dropped'];
  var eNames = ['HTTP error', 'timeout', 'connection error', 'bad response', 'dropped'];
  var eCols = eKinds.map(function () { return []; });
  var wx = [], wacc = [], wlo = [], whi = [];
  var latLines = cfg.latencyLines.map(function () { return []; });
  var accLines = cfg.accuracyLines.map(function () { return []; });
  function el(id) { return document.getElementById(id); }
  function text(id, v) { el(id).textContent = v; }
  function fmt(v, d) { return v === null || v === undefined || !isFinite(v) ? '—' : Number(v).toFixed(d); }
  function int(v) { return Number(v).toLocaleString('en-US'); }
  var opt = function (title, series, extra) {
    var o = { width: W(), height: H, scales: { x: { time: false } }, axes: [{ label: 's' }, { size: 64 }], series: [{ label: 't (s)' }].concat(series), legend: { live: true } };
    for (var k in extra || {}) o[k] = extra[k];
    return o;
  };
  var rateChart = new uPlot(opt('rate', [
    { label: 'planned', stroke: '#8892a6', dash: [6, 4], width: 2 },
    { label: 'achieved', stroke: '#2f6fde', width: 2 },
    { label: 'successful', stroke: '#1f9d55', width: 2 }]), [x, planned, achieved, okRate], el('c-rate'));
  var latSeries = [
    { label: 'p50', stroke: '#1f9d55', width: 2 }, { label: 'p90', stroke: '#2f6fde', width: 2 },
    { label: 'p99', stroke: '#d97706', width: 2 }, { label: 'p99.9', stroke: '#b91c1c', width: 2 }];
  cfg.latencyLines.forEach(function (l) { latSeries.push({ label: l.label, stroke: '#b91c1c', dash: [4, 4], width: 1, points: { show: false } }); });
  // Log scale: a 2 s threshold line and 1 ms latencies both stay readable.
  var latChart = new uPlot(opt('latency', latSeries, { scales: { x: { time: false }, y: { distr: 3 } } }), [x, p50, p90, p99, p999].concat(latLines), el('c-lat'));
  var accSeries = [
    { label: 'accuracy', stroke: '#2f6fde', width: 2, points: { show: true, size: 5 } },
    { label: '95% low', stroke: 'rgba(47,111,222,0.3)', width: 1 },
    { label: '95% high', stroke: 'rgba(47,111,222,0.3)', width: 1 }];
  cfg.accuracyLines.forEach(function (l) { accSeries.push({ label: l.label, stroke: '#b91c1c', dash: [4, 4], width: 1, points: { show: false } }); });
  var accChart = new uPlot(opt('accuracy', accSeries, { bands: [{ series: [3, 2], fill: 'rgba(47,111,222,0.12)' }], scales: { x: { time: false }, y: { range: [0, 1] } } }), [wx, wacc, wlo, whi].concat(accLines), el('c-acc'));
  var errCols = ['#d97706', '#b91c1c', '#7c3aed', '#db2777', '#6b7280'];
  var errChart = new uPlot(opt('errors', eNames.map(function (n, i) { return { label: n, stroke: errCols[i], width: 2 }; })), [x].concat(eCols), el('c-err'));
  var inflChart = new uPlot(opt('in flight', [{ label: 'in flight', stroke: '#2f6fde', width: 2 }]), [x, inflight], el('c-inflight'));
  var lastSeq = -1;

  var wins = [];
  function addWindow(w) { wins.push(w); }
  // Windows arrive in index order; their end times may interleave a little, and uPlot wants x ascending.
  function windowColumns() {
    wins.sort(function (a, b) { return a.endS - b.endS; });
    wx = wins.map(function (w) { return w.endS; });
    wacc = wins.map(function (w) { return w.accuracy; });
    wlo = wins.map(function (w) { return w.ci[0]; });
    whi = wins.map(function (w) { return w.ci[1]; });
    accLines = cfg.accuracyLines.map(function (t) { return wins.map(function () { return t.value; }); });
    return [wx, wacc, wlo, whi].concat(accLines);
  }
  function onEvent(e) {
    if (e.catchUp) { e.windows.forEach(addWindow); return; }
    if (e.seq <= lastSeq) return;
    lastSeq = e.seq;
    e.windows.forEach(addWindow);
    accChart.setData(windowColumns());
    // The final event holds the run's averages, not a second: figures and verdict only, no point on the time charts.
    if (e.type !== 'final') plot(e);
    figures(e);
  }
  function plot(e) {
    x.push(e.t);
    planned.push(e.rates.plannedRps); achieved.push(e.rates.achievedRps); okRate.push(e.rates.successfulRps);
    var l = e.latencyMs;
    p50.push(l ? l.p50 : null); p90.push(l ? l.p90 : null); p99.push(l ? l.p99 : null); p999.push(l ? l.p999 : null);
    cfg.latencyLines.forEach(function (t, i) { latLines[i].push(t.ms); });
    eKinds.forEach(function (k, i) { eCols[i].push(e.errors.byKind[k]); });
    inflight.push(e.inFlight);
    rateChart.setData([x, planned, achieved, okRate]);
    latChart.setData([x, p50, p90, p99, p999].concat(latLines));
    errChart.setData([x].concat(eCols));
    inflChart.setData([x, inflight]);
  }
  function figures(e) {
    var l = e.latencyMs;
    var fin = e.type === 'final';

    text('phase', e.phase ? e.phase.name + (e.phase.warmup ? ' (warm-up)' : '') + ' · ' + (e.phase.index + 1) + '/' + e.phase.of : '—');
    text('left', e.timeLeftS === null ? '—' : fmt(e.timeLeftS, 0) + ' s');
    text('sent', int(e.totals.sent));
    text('ok', int(e.totals.ok));
    text('erate', fmt(e.errors.rate * 100, 2) + '%');
    text('rate-label', fin ? 'achieved / planned (run)' : 'achieved / planned');
    text('rate', fmt(e.rates.achievedRps, 0) + ' / ' + fmt(e.rates.plannedRps, 0));
    text('p99-label', fin ? 'p99 (run)' : 'p99 (1 s)');
    text('p99', l ? fmt(l.p99, 2) + ' ms' : '—');
    text('inflight', int(e.inFlight));
    text('acc', e.accuracy ? fmt(e.accuracy.value, 4) + ' [' + fmt(e.accuracy.ci[0], 3) + ', ' + fmt(e.accuracy.ci[1], 3) + ']' : '—');
    text('fb', e.feedback ? int(e.feedback.labelsPosted) + ' posted · ' + int(e.feedback.labelsQueued) + ' queued' : '—');
    text('drift', e.drift && e.drift.detected ? 'drift: ' + e.drift.sentence : '');
    text('status', (e.type === 'final' ? 'finished' : 'live') + ' · t = ' + fmt(e.t, 0) + ' s · ' + e.at);
    if (e.verdict) {
      var v = el('verdict');
      v.className = e.verdict.verdict;
      v.textContent = e.verdict.headline + ' · run ' + e.verdict.status + ' · exit ' + e.verdict.exitCode;
    }
  }

  var es = new EventSource('/events');
  es.onmessage = function (m) { onEvent(JSON.parse(m.data)); };
  es.addEventListener('end', function () { es.close(); });
  es.onerror = function () { if (lastSeq >= 0 && el('verdict').className) es.close(); else text('status', 'connection lost; retrying…'); };
  window.addEventListener('resize', function () {
    [rateChart, latChart, accChart, errChart, inflChart].forEach(function (c) { c.setSize({ width: W(), height: H }); });
  });
})();
`;
