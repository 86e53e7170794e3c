import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderMarkdown, WINDOWS_DETAILS_MAX_CHARS, WINDOWS_INLINE_MAX } from '../../src/report/markdown.js';
import { HOSTILE, makeSummary } from './fixture.js';
import { markdownTables } from './parse.js';

/** Every table has a header, a --- separator and rows with the header's column count. */
function assertWellFormed(md: string): string[][][] {
  const tables = markdownTables(md);
  for (const t of tables) {
    assert.ok(t.length >= 2, 'table has header and separator');
    assert.ok(t[1]!.every((c) => c === '---'), `separator row: ${t[1]!.join('|')}`);
    for (const row of t) assert.equal(row.length, t[0]!.length, `row width: ${row.join(' | ').slice(0, 120)}`);
  }
  return tables;
}

const tableWithHeader = (tables: string[][][], first: string) => tables.filter((t) => t[0]![0] === first);

test('report.md leads with the verdict and the threshold table', () => {
  const md = renderMarkdown(makeSummary());
  const lines = md.split('\n');
  assert.equal(lines[0], '# modelwave · telco-cell-tower');
  assert.equal(lines[2], '**❌ FAIL: 2 of 4 thresholds failed**');
  const [th] = tableWithHeader(assertWellFormed(md), 'Result');
  assert.ok(th, 'threshold table');
  assert.deepEqual(th!.slice(2).map((r) => r[0]), ['✅ PASS', '❌ FAIL', '❌ FAIL', '✅ PASS']);
  assert.deepEqual(th![3], ['❌ FAIL', 'errors.rate &lt; 1%', '1.23%', '&lt; 1.00%']);
});

test('report.md says "No thresholds" and a passing verdict reads PASS', () => {
  assert.match(renderMarkdown(makeSummary({ thresholds: [] })), /^\*\*ℹ️ No thresholds\*\*$/m);
  const passing = makeSummary({ thresholds: [{ expr: 'rps > 1', metric: 'rps', op: '>', limit: 1, value: 196, pass: true, unit: 'rps' }] });
  assert.match(renderMarkdown(passing), /^\*\*✅ PASS: all 1 thresholds held\*\*$/m);
  // An interrupted run never reads as a pass.
  assert.match(renderMarkdown({ ...passing, run: { ...passing.run, status: 'interrupted' } }), /^\*\*❌ INTERRUPTED: all 1 thresholds held on what was measured before the stop\*\*$/m);
  assert.match(renderMarkdown({ ...passing, run: { ...passing.run, status: 'failed' } }), /FAIL: all 1 thresholds held \(run failed\)/);
});

test('report.md has the compact summary, phase and window tables', () => {
  const s = makeSummary({ windows: 12 });
  const md = renderMarkdown(s);
  const tables = assertWellFormed(md);
  const [summary] = tableWithHeader(tables, 'Metric');
  const metric = new Map(summary!.slice(2).map((r) => [r[0], r[1]]));
  // 196.2 achieved ÷ 200 planned = 98.1%; goodput is its own figure (190.3 ok/s).
  assert.equal(metric.get('Rate (achieved vs planned)'), '196 rps of 200 planned (98.1%) · goodput 190 rps');
  assert.equal(metric.get('Failures by kind'), '48 HTTP error · 22 timeout · 3 connection error · 7 bad response · 25 dropped (error rate 0.80%)');
  const l = s.totals.latencyMs;
  assert.equal(metric.get('Latency (ms)'), `p50 ${l.p50.toFixed(2)} · p90 ${l.p90.toFixed(2)} · p99 ${l.p99.toFixed(2)} · p99.9 ${l.p999.toFixed(2)} · max ${l.max.toFixed(2)}`);
  const ci = s.totals.classification!.accuracyCi!;
  assert.equal(metric.get('Accuracy'), `0.8123, 95% CI [${ci[0].toFixed(4)}, ${ci[1].toFixed(4)}] (n = 9,970)`);
  assert.equal(metric.get('Drift'), '⚠️ accuracy fell from 0.93 (window 1) to 0.65 (window 60)');

  const [phases] = tableWithHeader(tables, '#').filter((t) => t[0]![1] === 'Phase');
  assert.equal(phases!.length - 2, s.phases.length);
  assert.deepEqual(phases![2]!.slice(0, 7), ['0', 'ramp 0 (warm-up)', 'open', '100 rps', '170', '168', '165']);
  assert.deepEqual(phases![4]!.slice(3, 7), ['16 concurrent', '—', '168', '165'], 'closed loop: no planned rate');

  const [windows] = tableWithHeader(tables, '#').filter((t) => t[0]![1] === 'Time (s)');
  assert.equal(windows!.length - 2, 12, 'every window inline when there are few');
  assert.ok(!md.includes('<details>'));
  assert.deepEqual(windows![2]!.slice(0, 3), ['1', '0.0–0.5', '100']);
  assert.match(md, /^\*\*Store:\*\* embedded \/tmp\/modelwave\/store: 10,075 requests stored \(complete\) {2}$/m);
  assert.match(md, /^\*\*Feedback:\*\* 9,900 labels in 99 posts/m);
});

test('more than ~40 windows: a condensed first/worst/last table, then all of them collapsed', () => {
  const s = makeSummary({ windows: 60 });
  const md = renderMarkdown(s);
  const tables = assertWellFormed(md);
  const condensed = tables.find((t) => t[0]![0] === 'Shown as')!;
  const shown = condensed.slice(2).map((r) => [r[0], Number(r[1])] as const);
  const worst = [...s.windows].sort((a, b) => a.accuracy! - b.accuracy! || a.index - b.index).slice(0, 3).map((w) => w.index);
  assert.deepEqual(shown.filter(([why]) => why!.includes('first')).map(([, i]) => i), [1, 2, 3]);
  assert.deepEqual(shown.filter(([why]) => why!.includes('worst')).map(([, i]) => i).sort((a, b) => a - b), [...worst].sort((a, b) => a - b));
  assert.deepEqual(shown.filter(([why]) => why!.includes('last')).map(([, i]) => i), [58, 59, 60]);
  assert.ok(s.windows.length > WINDOWS_INLINE_MAX);
  const details = md.slice(md.indexOf('<details>'), md.indexOf('</details>'));
  assert.match(details, /<summary>All 60 windows<\/summary>/);
  const all = markdownTables(details)[0]!;
  assert.deepEqual(all.slice(2).map((r) => Number(r[0])), s.windows.map((w) => w.index));
});

test('thousands of windows still fit a pull-request comment', () => {
  const md = renderMarkdown(makeSummary({ windows: 3000, seconds: 10 }));
  assert.ok(md.length < 65_536, `report.md is ${md.length} characters`);
  assertWellFormed(md);
  const details = md.slice(md.indexOf('<details>'), md.indexOf('</details>'));
  const rows = markdownTables(details)[0]!.length - 2;
  assert.ok(rows > 100 && rows < 3000, `${rows} rows shown`);
  assert.ok(details.length < WINDOWS_DETAILS_MAX_CHARS + 2_000);
  assert.match(details, new RegExp(`${(3000 - rows).toLocaleString('en-US')} more windows are in report.json and report.html\\.`));
});

test('hostile strings render escaped: no raw HTML, no broken tables, long names cut', () => {
  const s = makeSummary({ hostile: true });
  const md = renderMarkdown(s);
  assert.ok(!/<script/i.test(md), 'no raw <script>');
  assert.ok(!md.includes('</pre>') && !md.includes(HOSTILE), 'no hostile string verbatim');
  assert.ok(!md.includes('<b>') && md.includes('&lt;b&gt;x&lt;/b&gt;\\|\\`&amp;"'), 'short hostile strings too');
  const escaped = '&lt;script&gt;alert(1)&lt;/script&gt; "double" \'single\' &amp; amp; \\| pipe \\| \\`tick\\` \\*star\\* \\_under\\_ \\[link\\](http://x) &lt;/pre&gt;&lt;/details&gt;';
  assert.ok(md.includes(escaped), 'hostile string escaped for Markdown');
  assert.equal((md.match(/<details>/g) ?? []).length, 1, 'only our own <details>');
  const tables = assertWellFormed(md);
  assert.ok(tables.length >= 5);
  const title = md.split('\n')[0]!;
  assert.ok(title.length < 400, `title is cut (${title.length} chars)`);
  assert.ok(title.endsWith('…'));
  assert.ok(md.length < 40_000, `report.md is ${md.length} characters`);
});

test('the phase accuracy column appears only when some phase has an accuracy', () => {
  const s = makeSummary({ windows: 5 });
  const header = (md: string) => markdownTables(md).find((t) => t[0]![1] === 'Phase')![0]!;
  assert.equal(header(renderMarkdown(s)).at(-1), 'Accuracy');
  const without = { ...s, phases: s.phases.map(({ accuracy: _drop, ...p }) => p) };
  assert.equal(header(renderMarkdown(without)).at(-1), 'Lag p99 ms');
  assertWellFormed(renderMarkdown(without));
});
