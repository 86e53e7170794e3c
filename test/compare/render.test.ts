// comparison.md, comparison.html and junit.xml from Comparisons built by analyze(): structure, paired/unpaired
// wording, and hostile strings (from scenario names, targets, class labels) that must stay data in every format.
import { Correctness } from '../../src/engine/main/scores.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, type CompareSide } from '../../src/compare/analyze.js';
import { renderComparisonHtml } from '../../src/compare/html.js';
import { renderComparisonJunit, renderComparisonMarkdown } from '../../src/compare/render.js';
import type { Comparison } from '../../src/compare/types.js';
import type { Summary } from '../../src/summary/types.js';
import { HOSTILE, LONG_NAME, SHORT_HOSTILE, makeSummary } from '../report/fixture.js';
import { childrenNamed, markdownTables, parseXml, type XmlNode } from '../report/parse.js';

const latency = (shiftMs: number) => Array.from({ length: 2000 }, (_, i) => 2 + shiftMs + 8 * ((i * 0.6180339887) % 1));

function paired(): [Map<number, number>, Map<number, number>] {
  const b = new Map<number, number>();
  const c = new Map<number, number>();
  // 700 both right, 20 baseline only, 70 candidate only, 210 both wrong
  for (let i = 0; i < 1000; i++) {
    b.set(i, i < 720 ? 1 : 0);
    c.set(i, i < 700 || (i >= 720 && i < 790) ? 1 : 0);
  }
  return [b, c];
}

function build(opts: { paired?: boolean; hostile?: boolean; windows?: number; rules?: string[]; base?: Summary; cand?: Summary } = {}): Comparison {
  const mk = () => makeSummary({ hostile: opts.hostile ?? false, windows: opts.windows ?? 12 });
  const [bc, cc] = paired();
  const side = (s: Summary, shift: number, correct: Map<number, number>, dir: string): CompareSide => ({
    summary: s,
    latency: latency(shift),
    reportDir: dir,
    ...(opts.paired === false ? {} : { correct: Correctness.from(correct) }),
  });
  return analyze(side(opts.base ?? mk(), 0, bc, 'baseline'), side(opts.cand ?? mk(), 4, cc, 'candidate'), {
    id: 'cmp-test',
    rules: opts.rules ?? ['accuracy.delta >= 0', 'latency.p50.ratio <= 1.10', 'errors.rate.delta <= 0', 'latency.p99.ratio <= 2'],
  });
}

/** Every table has a header, a --- separator and rows with the header's column count. */
function wellFormedTables(md: string): string[][][] {
  const tables = markdownTables(md);
  for (const t of tables) {
    assert.ok(t.length >= 2 && t[1]!.every((c) => c === '---'), `separator row: ${t[1]?.join('|')}`);
    for (const row of t) assert.equal(row.length, t[0]!.length, `row width: ${row.join(' | ').slice(0, 120)}`);
  }
  return tables;
}

const table = (tables: string[][][], first: string) => tables.find((t) => t[0]![0] === first)!;

test('comparison.md: verdict line, a rules table (one row per rule) and a metrics table with deltas, intervals and p', () => {
  const c = build();
  assert.deepEqual(c.rules.map((r) => r.status), ['pass', 'fail', 'inconclusive', 'pass']);
  const md = renderComparisonMarkdown(c);
  const lines = md.split('\n');
  assert.equal(lines[0], '# modelwave compare · telco-cell-tower');
  assert.match(lines[2]!, /^\*\*❌ FAIL\*\* — candidate regresses: accuracy 0\.7200 → 0\.7700 .* — failed: latency\.p50\.ratio &lt;= 1\.10$/);
  const tables = wellFormedTables(md);

  const rules = table(tables, 'Rule');
  assert.deepEqual(rules[0], ['Rule', 'Result', 'Measured', '95% CI', 'p', 'Why']);
  assert.deepEqual(rules.slice(2).map((r) => [r[0], r[1]]), [
    ['accuracy.delta &gt;= 0', '✅ PASS'],
    ['latency.p50.ratio &lt;= 1.10', '❌ FAIL'],
    ['errors.rate.delta &lt;= 0', '⚠️ INCONCLUSIVE'],
    ['latency.p99.ratio &lt;= 2', '✅ PASS'],
  ]);
  // accuracy: 4 decimals; ratios: 3
  assert.equal(rules[2]![2], '0.0500');
  assert.match(rules[2]![3]!, /^\[0\.\d{4}, 0\.\d{4}\]$/);
  assert.match(rules[3]![2]!, /^1\.\d{3}$/);

  const metrics = table(tables, 'Metric');
  assert.deepEqual(metrics[0], ['Metric', 'Baseline', 'Candidate', 'Δ (cand − base)', '95% CI', 'p']);
  assert.deepEqual(metrics.slice(2).map((r) => r[0]), ['Accuracy', 'Macro F1', 'Latency p50 (ms)', 'Latency p90 (ms)', 'Latency p99 (ms)', 'Error rate', 'Requests (sent / ok)']);
  const acc = metrics[2]!;
  assert.deepEqual(acc.slice(0, 4), ['Accuracy', '0.7200', '0.7700', '+0.0500']);
  assert.equal(acc[5], c.accuracy!.pValue.toExponential(1));
  const p50 = metrics[4]!;
  assert.match(p50[3]!, /^\+4\.00 \(×\d\.\d{2}\)$/);
  assert.deepEqual(metrics.at(-1), ['Requests (sent / ok)', '10050 / 9970', '10050 / 9970', '', '', '']);
  assert.match(md, /<sub>Latency: stationary block bootstrap .*\. Errors: two-proportion z test/);
});

test('paired wording: "paired on identical rows" and the discordant counts; unpaired: the word, the warning, no table', () => {
  const pmd = renderComparisonMarkdown(build());
  assert.match(pmd, /^Baseline builtin:telco@v1 \(http:\/\/127\.0\.0\.1:41234\/model\) vs candidate .* · seed 42 · paired on identical rows$/m);
  assert.match(pmd, /^Paired rows: 1000 · both right 700 · baseline only 20 · candidate only 70 · both wrong 210\. McNemar's exact test/m);
  assert.ok(!pmd.includes('> ⚠️'), 'no warnings when paired');

  const u = build({ paired: false });
  const umd = renderComparisonMarkdown(u);
  assert.match(umd, /· seed 42 · unpaired$/m);
  assert.match(umd, /^> ⚠️ unpaired comparison: accuracy uses a two-proportion test instead of McNemar/m);
  assert.ok(!umd.includes('Paired rows'));
  assert.ok(!umd.includes('paired on identical rows'));
  wellFormedTables(umd);
});

test('comparison.md: per-class table, and per-window rows folded in <details> (first and last 10 of more than 40)', () => {
  const md = renderComparisonMarkdown(build({ windows: 60 }));
  const tables = wellFormedTables(md);
  const cls = table(tables, 'Class');
  assert.deepEqual(cls.slice(2).map((r) => r[0]), ['0', '1']);
  const wins = table(tables, 'Window');
  assert.deepEqual(wins.slice(2, 12).map((r) => r[0]), ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
  assert.deepEqual(wins.at(-1), ['…', '40 more in comparison.json', '', '']);
  assert.equal(wins.length, 2 + 20 + 1);
  assert.equal((md.match(/<details>/g) ?? []).length, 1);

  const few = renderComparisonMarkdown(build({ windows: 5 }));
  assert.equal(table(wellFormedTables(few), 'Window').length, 2 + 5);
});

test('targets are plain escaped text, not code spans (where Markdown would show \\_ and &amp; literally)', () => {
  const base = makeSummary();
  base.run.target = 'http://model_host:8081/model?a=1&b=`2`';
  const md = renderComparisonMarkdown(build({ base, cand: makeSummary() }));
  const line = md.split('\n').find((l) => l.startsWith('Baseline '))!;
  assert.equal(line.split('`').length - line.split('\\`').length, 0, `every backtick is escaped: ${line}`);
  assert.ok(line.startsWith('Baseline http://model\\_host:8081/model?a=1&amp;b=\\`2\\` vs candidate builtin:telco@v1'), line);
});

test('hostile strings in comparison.md: escaped, no raw HTML, tables intact, fits a pull-request comment', () => {
  const c = build({ hostile: true });
  // Rule text and warnings could come from anywhere that writes comparison.json: make them hostile too.
  c.rules[0]!.expr = `accuracy.delta >= 0 ${HOSTILE}`;
  c.rules[1]!.reason = HOSTILE;
  c.warnings.push(SHORT_HOSTILE);
  const md = renderComparisonMarkdown(c);
  assert.ok(!/<script/i.test(md), 'no raw <script>');
  assert.ok(!md.includes(HOSTILE) && !md.includes('<b>'), 'no hostile string verbatim');
  const escaped = '&lt;script&gt;alert(1)&lt;/script&gt; "double" \'single\' &amp; amp; \\| pipe \\| \\`tick\\` \\*star\\* \\_under\\_ \\[link\\](http://x) &lt;/pre&gt;&lt;/details&gt;';
  assert.ok(md.includes(escaped), 'hostile string escaped for Markdown');
  assert.ok(md.includes('&lt;b&gt;x&lt;/b&gt;\\|\\`&amp;"'), 'short hostile string escaped');
  assert.ok(md.includes(LONG_NAME), 'the 5,000-character name is kept');
  assert.equal((md.match(/<details>/g) ?? []).length, 1, 'only our own <details>');
  const tables = wellFormedTables(md);
  // hostile class labels stay in their cell
  assert.deepEqual(table(tables, 'Class').slice(2).map((r) => r[0]), [escaped, '&lt;b&gt;x&lt;/b&gt;\\|\\`&amp;"']);
  assert.equal(table(tables, 'Rule')[2]![0], `accuracy.delta &gt;= 0 ${escaped}`);
  assert.ok(md.length < 65_536, `comparison.md is ${md.length} characters`);
});

function suiteOf(xml: string): XmlNode {
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n'));
  const doc = parseXml(xml);
  assert.equal(doc.children.length, 1);
  const root = doc.children[0]!;
  assert.equal(root.name, 'testsuites');
  const suites = childrenNamed(root, 'testsuite');
  assert.equal(suites.length, 1);
  assert.equal(root.attrs.tests, suites[0]!.attrs.tests);
  assert.equal(root.attrs.failures, suites[0]!.attrs.failures);
  return suites[0]!;
}

test('junit.xml: one test case per rule, a failure for each failing rule, status and reason for the others', () => {
  const c = build();
  const suite = suiteOf(renderComparisonJunit(c));
  assert.equal(suite.attrs.name, 'compare telco-cell-tower');
  assert.equal(suite.attrs.tests, '4');
  assert.equal(suite.attrs.failures, '1');
  assert.equal(suite.attrs.timestamp, c.createdAt);
  const props = Object.fromEntries(childrenNamed(childrenNamed(suite, 'properties')[0]!, 'property').map((p) => [p.attrs.name, p.attrs.value]));
  assert.deepEqual(props, { verdict: 'fail', paired: 'true' });
  const cases = childrenNamed(suite, 'testcase');
  assert.deepEqual(cases.map((x) => x.attrs.name), c.rules.map((r) => r.expr));
  assert.ok(cases.every((x) => x.attrs.classname === 'modelwave.compare'));
  cases.forEach((x, i) => {
    const r = c.rules[i]!;
    const failure = childrenNamed(x, 'failure');
    if (r.status === 'fail') {
      assert.equal(failure.length, 1, r.expr);
      assert.equal(failure[0]!.attrs.message, r.reason);
      assert.equal(failure[0]!.attrs.type, 'regression');
    } else {
      assert.equal(failure.length, 0, r.expr);
      assert.equal(childrenNamed(x, 'system-out')[0]!.text, `${r.status}: ${r.reason}`);
    }
  });

  const passing = build({ rules: ['latency.p99.ratio <= 3'] });
  const ps = suiteOf(renderComparisonJunit(passing));
  assert.equal(ps.attrs.failures, '0');
  assert.equal(childrenNamed(childrenNamed(ps, 'properties')[0]!, 'property')[0]!.attrs.value, 'pass');
});

test('hostile strings in junit.xml: the XML parses and names read back verbatim', () => {
  const c = build({ hostile: true, paired: false });
  c.rules[0]!.expr = HOSTILE;
  c.rules[1]!.reason = `${HOSTILE}\u0007`;
  const xml = renderComparisonJunit(c);
  assert.ok(!xml.includes('<script'));
  const suite = suiteOf(xml);
  assert.equal(suite.attrs.name, `compare ${HOSTILE} ${LONG_NAME}`);
  const cases = childrenNamed(suite, 'testcase');
  assert.equal(cases[0]!.attrs.name, HOSTILE);
  // a control character XML cannot carry becomes U+FFFD
  assert.equal(childrenNamed(cases[1]!, 'failure')[0]!.attrs.message, `${HOSTILE}\uFFFD`);
});

test('comparison.html: the two runs side by side, every rule, paired vs unpaired wording', async () => {
  const c = build();
  const html = await renderComparisonHtml(c);
  assert.ok(html.startsWith('<!doctype html>'));
  assert.equal((html.match(/<section class="side">/g) ?? []).length, 2);
  assert.match(html, /<h2>Baseline<\/h2>.*<h2>Candidate<\/h2>/s);
  assert.deepEqual([...html.matchAll(/<tr class="(\w+)"><td>([^<]*)<\/td>/g)].map((m) => [m[1], m[2]]), c.rules.map((r) => [r.status, r.expr.replace('>', '&gt;').replace('<', '&lt;')]));
  assert.match(html, /<p class="verdict">FAIL — candidate regresses/);
  assert.match(html, /paired rows 1000: both right 700, baseline only 20, candidate only 70, both wrong 210/);
  assert.match(html, /<footer class="note">comparison cmp-test · .* · seed 42 · paired<\/footer>/);
  assert.match(html, /<a href="\.\/baseline\/report\.html">full report<\/a>/);
  assert.match(html, /<svg id="chart-compare-windows"/);
  assert.ok(!/<script/i.test(html));

  const u = await renderComparisonHtml(build({ paired: false }));
  assert.match(u, /· seed 42 · unpaired<\/footer>/);
  assert.match(u, /<p class="note">⚠ unpaired comparison: /);
  assert.ok(!u.includes('paired rows'));
});

test('comparison.html: report links are encoded relative URLs, never a scheme; stored runs name the command instead', async () => {
  const c = build();
  c.baseline.reportDir = 'javascript:alert(1)//x#y';
  c.candidate.reportDir = '/tmp/runs/b c/report.json';
  const html = await renderComparisonHtml(c);
  const hrefs = [...html.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(hrefs, ['./javascript%3Aalert(1)/x%23y/report.html', '/tmp/runs/b%20c/report.html']);

  // A run read from the metrics store has no report folder: say how to get its report instead of linking.
  c.baseline.reportDir = `store:${SHORT_HOSTILE}`;
  const stored = await renderComparisonHtml(c);
  assert.deepEqual([...stored.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1]), ['/tmp/runs/b%20c/report.html']);
  assert.ok(stored.includes('<p>Stored run: <code>modelwave report &lt;b&gt;x&lt;/b&gt;|`&amp;&quot;</code> writes its full report.</p>'));
});

test('hostile strings in comparison.html: escaped in text and attributes, no injected tags or handlers', async () => {
  const c = build({ hostile: true });
  c.rules[0]!.expr = HOSTILE;
  c.rules[0]!.status = 'fail" onmouseover="alert(1)' as Comparison['verdict'];
  c.warnings.push(SHORT_HOSTILE);
  c.id = HOSTILE;
  const html = await renderComparisonHtml(c);
  assert.ok(!/<script/i.test(html), 'no raw <script>');
  assert.ok(!html.includes(HOSTILE) && !html.includes('<b>'), 'no hostile string verbatim');
  assert.ok(!/\son\w+="/i.test(html.replace(/<svg[\s\S]*<\/svg>/, '')), 'no event-handler attributes');
  const escaped = '&lt;script&gt;alert(1)&lt;/script&gt; &quot;double&quot; &#39;single&#39; &amp; amp; | pipe | `tick` *star* _under_ [link](http://x) &lt;/pre&gt;&lt;/details&gt;';
  assert.ok(html.includes(`<title>modelwave compare · ${escaped} ${LONG_NAME}</title>`));
  assert.ok(html.includes(`<td>${escaped}</td>`), 'rule expression escaped');
  assert.ok(html.includes(`<tr class="fail&quot; onmouseover=&quot;alert(1)">`), 'attribute value escaped');
  assert.ok(html.includes('&lt;b&gt;x&lt;/b&gt;|`&amp;&quot;'), 'short hostile warning escaped');
  assert.ok(html.includes(`<td>http://127.0.0.1:8080/model?q=${escaped}</td>`), 'target escaped');
  assert.ok(html.includes(`comparison ${escaped} · `), 'id escaped');
});

test('tiny p-values read the same in comparison.md, comparison.html, the terminal and the headline; JSON keeps the number', async () => {
  const { fmtPValue } = await import('../../src/report/format.js');
  const { renderComparisonText } = await import('../../src/compare/render.js');
  // Table rows: one function, pinned. 2^−135 = 2.3e-41 (McNemar 0 vs 136), and a p below the double floor.
  assert.equal(fmtPValue(2 ** -135), '2.3e-41');
  assert.equal(fmtPValue(0), '< 1e-300');
  assert.equal(fmtPValue(5e-324), '< 1e-300');
  assert.equal(fmtPValue(0.04321), '0.043');
  assert.equal(fmtPValue(1), '1');
  assert.equal(fmtPValue(undefined), '—');

  // Candidate right on 136 rows the baseline got wrong, never the other way; latency fully separated (z ≈ 55).
  const b = new Map<number, number>();
  const cc = new Map<number, number>();
  for (let i = 0; i < 1000; i++) {
    b.set(i, i < 700 ? 1 : 0);
    cc.set(i, i < 836 ? 1 : 0);
  }
  const lat = (off: number) => Array.from({ length: 2000 }, (_, i) => off + i / 1000);
  const c = analyze(
    { summary: makeSummary(), latency: lat(1), correct: Correctness.from(b) },
    { summary: makeSummary(), latency: lat(10), correct: Correctness.from(cc) },
    { id: 'tiny', rules: ['accuracy.delta >= 0', 'latency.p50.ratio <= 1.10'] },
  );
  assert.ok(Math.abs(c.accuracy!.pValue / 2 ** -135 - 1) < 1e-12, `${c.accuracy!.pValue}`);
  assert.ok(c.latency.mannWhitney.pValue < 1e-300, `${c.latency.mannWhitney.pValue}`);
  const md = renderComparisonMarkdown(c);
  const tables = wellFormedTables(md);
  const rules = table(tables, 'Rule');
  assert.equal(rules[2]![4], '2.3e-41');
  // Latency rules take the block bootstrap's one-sided p, whose floor is 1/(resamples + 1).
  assert.equal(rules[3]![4], '0.001');
  assert.match(rules[2]![5]!, /p = 2\.3e-41/);
  const metrics = table(tables, 'Metric');
  assert.equal(metrics.find((r) => r[0] === 'Accuracy')![5], '2.3e-41');
  for (const q of ['p50', 'p90', 'p99']) assert.equal(metrics.find((r) => r[0] === `Latency ${q} (ms)`)![5], '0.002');
  assert.ok(!/0\.0e\+0|1e-16/.test(md), 'no p = 0.0e+0 and no other floor');
  assert.match(c.headline, /p = 2\.3e-41/);
  const html = await renderComparisonHtml(c);
  // The Mann–Whitney p (descriptive, z ≈ 55) underflows: the floor, escaped.
  assert.ok(html.includes('p = 2.3e-41') && html.includes('p = &lt; 1e-300'), 'html uses the same strings');
  assert.ok(!html.includes('0.0e+0'));
  const text = renderComparisonText(c);
  assert.match(text, /p = 2\.3e-41/);
  // comparison.json: the number itself.
  assert.equal(JSON.parse(JSON.stringify(c)).accuracy.pValue, c.accuracy!.pValue);
});
