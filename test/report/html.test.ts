import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartDefs, renderCharts } from '../../src/report/charts.js';
import { renderHtml } from '../../src/report/html.js';
import { HOSTILE, LONG_NAME, SHORT_HOSTILE, makeSummary } from './fixture.js';
import { countMarks, expectedMarks } from './parse.js';

test('every chart renders with one mark per data point and no vega warnings', async () => {
  const s = makeSummary();
  const charts = await renderCharts(s);
  assert.deepEqual(charts.map((c) => c.id), ['rate', 'latency', 'spectrum', 'accuracy', 'confusion', 'errors']);
  const want = expectedMarks(s);
  for (const c of charts) {
    assert.deepEqual(c.warnings, [], c.id);
    assert.ok(c.svg, `${c.id} has an SVG`);
    assert.ok(c.svg!.startsWith(`<svg id="chart-${c.id}-svg" data-chart="${c.id}" `));
    assert.equal(countMarks(c.svg!, c.pointsLayer), want[c.pointsLayer], c.id);
    assert.equal(c.points, want[c.pointsLayer], `${c.id} reports its point count`);
  }
  const accuracy = charts.find((c) => c.id === 'accuracy')!.svg!;
  assert.equal(countMarks(accuracy, 'accuracy_ci'), want.accuracy_ci);
  const confusion = charts.find((c) => c.id === 'confusion')!.svg!;
  assert.equal(countMarks(confusion, 'confusion_counts'), want.confusion_counts);
  for (const n of s.totals.classification!.confusion.flat()) assert.ok(confusion.includes(`>${n.toLocaleString('en-US')}</text>`), `count ${n} shown`);
});

test('charts without data are replaced by a short note', async () => {
  const s = makeSummary({ bare: true });
  const noErrors = { ...makeSummary(), timeline: makeSummary().timeline.map((p) => ({ ...p, httpErrors: 0, timeouts: 0, connectionErrors: 0, badResponses: 0, dropped: 0 })) };
  const empty = { ...s, totals: { ...s.totals, latencyHistogram: '', latencyMs: { ...s.totals.latencyMs, count: 0 } } };
  const notes = Object.fromEntries(chartDefs(empty).map((c) => [c.id, c.spec ? null : c.note]));
  assert.deepEqual(notes, {
    rate: 'No per-second timeline was recorded for this run.',
    latency: 'No per-second latency was recorded for this run.',
    spectrum: 'No latency values were recorded.',
    accuracy: 'No window has an accuracy (no labels, or a regression target).',
    confusion: 'No confusion matrix: the run has no classification labels.',
    errors: 'No per-second timeline was recorded for this run.',
  });
  assert.equal(chartDefs(noErrors).find((c) => c.id === 'errors')!.note, 'No failed or dropped requests during the run.');
  const html = await renderHtml(empty);
  assert.equal((html.match(/data-empty="true"/g) ?? []).length, 6);
  assert.ok(!html.includes('<svg'));
});

test('report.html is self-contained: no script, no external reference, a CSP that forbids both', async () => {
  const html = await renderHtml(makeSummary());
  assert.ok(html.startsWith('<!doctype html>'));
  assert.ok(!/<script/i.test(html), 'no script element');
  assert.ok(!/\son[a-z]+\s*=/i.test(html), 'no inline event handler');
  const refs = [...html.matchAll(/\s(?:src|href|xlink:href|action|poster|data)\s*=\s*"([^"]*)"/gi)].map((m) => m[1]);
  assert.deepEqual(refs, ['data:,'], 'only the empty data: favicon');
  assert.ok(!/url\(/i.test(html), 'no CSS url()');
  assert.ok(!/@import/i.test(html));
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:/);
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length, 'element ids are unique');
  for (const id of ['thresholds-table', 'phases-table', 'windows-table', 'environment-table', 'scenario-json', 'latency-table', 'classes-table']) {
    assert.ok(ids.includes(id), id);
  }
  assert.match(html, /<details><summary>All 60 windows<\/summary>/);
});

test('hostile strings are escaped everywhere in report.html', async () => {
  const s = makeSummary({ hostile: true });
  const html = await renderHtml(s);
  assert.ok(!/<script/i.test(html), 'no raw <script> from data');
  assert.ok(!html.includes(HOSTILE), 'the hostile string never appears verbatim');
  assert.ok(!html.includes('<b>x</b>') && html.includes('&lt;b&gt;x&lt;/b&gt;|`&amp;&quot;'), 'short hostile strings too');
  assert.ok(!html.includes('</pre><script>'));
  const esc = '&lt;script&gt;alert(1)&lt;/script&gt; &quot;double&quot; &#39;single&#39; &amp; amp; | pipe | `tick` *star* _under_ [link](http://x) &lt;/pre&gt;&lt;/details&gt;';
  assert.ok(html.includes(esc), 'escaped in HTML text');
  assert.ok(html.includes(`${esc} ${LONG_NAME}`), 'the full 5,000-character name is in the page, escaped');
  // Only our own structural elements: one <pre>, one <details>, no stray closing tags from data.
  assert.equal((html.match(/<pre\b/g) ?? []).length, 1);
  assert.equal((html.match(/<\/pre>/g) ?? []).length, 1);
  assert.equal((html.match(/<details>/g) ?? []).length, 1);
  assert.equal((html.match(/<\/details>/g) ?? []).length, 1);
  // Inside SVG, vega wrote the class labels as escaped text.
  assert.match(html, /<text[^>]*>&lt;script&gt;alert\(1\)/);
  assert.match(html, /&quot;&lt;\/pre&gt;&lt;script&gt;alert\(2\)&lt;\/script&gt;&quot;/, 'scenario JSON escaped');
});
