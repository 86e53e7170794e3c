import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTerminalSummary } from '../../src/report/terminal.js';
import { makeSummary } from './fixture.js';

const ESC = '\u001b';

test('the terminal summary is a compact table of the run', () => {
  const s = makeSummary();
  const out = renderTerminalSummary(s);
  assert.ok(!out.includes(ESC), 'no colour unless asked');
  const lines = out.split('\n');
  assert.equal(lines[0], 'modelwave · telco-cell-tower — FAIL: 2 of 4 thresholds failed');
  const line = (label: string) => lines.find((l) => l.startsWith(label.padEnd(11)))!;
  assert.equal(line('requests'), 'requests   10,075 scheduled · 10,050 sent · 9,970 ok · error rate 0.80%');
  assert.equal(line('  by kind'), '  by kind  48 HTTP error · 22 timeout · 3 connection error · 7 bad response · 25 dropped');
  assert.equal(line('rate'), 'rate       196 rps of 200 planned (98.1%) · goodput 190 rps');
  const l = s.totals.latencyMs;
  assert.deepEqual(line('latency').split(/\s+/), ['latency', 'ms', ...[l.p50, l.p90, l.p99, l.p999, l.max].map((x) => x.toFixed(2))]);
  assert.ok(line('service'));
  assert.deepEqual(line('lag').split(/\s+/), ['lag', 'ms', '0.041', '—', '0.720', '—', '3.10']);
  assert.match(line('accuracy'), /^accuracy {3}0\.8123 {2}95% CI \[0\.80\d\d, 0\.81\d\d\] {2}n=9,970/);
  assert.equal(line('drift'), 'drift      accuracy fell from 0.93 (window 1) to 0.65 (window 60)');
  const verdicts = lines.filter((x) => /^ {2}(PASS|FAIL) /.test(x)).map((x) => x.trim().split(/\s{2,}/));
  assert.deepEqual(verdicts.map((v) => [v[0], v[1]]), [
    ['PASS', 'latency.p99 < 250ms'],
    ['FAIL', 'errors.rate < 1%'],
    ['FAIL', 'accuracy >= 0.85'],
    ['PASS', 'rps >= 150'],
  ]);
  assert.deepEqual(verdicts[1]!.slice(2), ['1.23%', 'limit < 1.00%']);
  assert.equal(line('store'), 'store      embedded /tmp/modelwave/store: 10,075 requests stored (complete)');
  assert.ok(!out.includes('report.'), 'no report path: the caller prints it');
});

test('colour is opt-in, and scenario strings cannot inject escape sequences', () => {
  const s = makeSummary({ thresholds: [] });
  s.run.name = `evil${ESC}[2J${ESC}]0;title\u0007name\nsecond line`;
  const plain = renderTerminalSummary(s);
  assert.ok(!plain.includes(ESC));
  assert.match(plain, /^modelwave · evil\?\[2J\?\]0;title\?name second line — No thresholds$/m);
  const coloured = renderTerminalSummary(s, { color: true });
  assert.ok(coloured.includes(`${ESC}[1m`));
  // Every escape in the coloured output is one of ours (SGR), none from the name.
  assert.ok(!/\u001b(?!\[\d+m)/.test(coloured));
  assert.ok(renderTerminalSummary(makeSummary(), { color: true }).includes(`${ESC}[31mFAIL${ESC}[39m`));
});

test('an incomplete store: the spool path is printed whole, with the import command, however long the error', () => {
  const s = makeSummary();
  const spoolPath = `/var/tmp/${'deep/'.repeat(40)}run-42.spool`;
  s.store = { kind: 'embedded', location: '/srv/mw/store', storedRequests: 4_165, complete: false, error: 'the store rejected the records: '.repeat(8), spoolPath };
  const lines = renderTerminalSummary(s).split('\n');
  assert.ok(lines.some((l) => l.startsWith('store      embedded /srv/mw/store: 4,165 requests stored (error: ')));
  assert.ok(lines.includes(`           load the rest later: modelwave store import ${spoolPath} --store /srv/mw/store`));
  s.store = { kind: 'postgres', location: 'postgres://mw@db:5432/metrics', storedRequests: 0, complete: false, spoolPath };
  assert.ok(renderTerminalSummary(s).includes(`modelwave store import ${spoolPath} --store <the same URL>`));
});

test('a label as long as the label column is still followed by a space (the first HTTP error and bad answer)', () => {
  const s = makeSummary();
  s.totals.errors.samples = [
    { kind: 'httpError', status: 500, code: 'HTTP_STATUS', bodyHead: 'oops' },
    { kind: 'badResponse', status: 200, code: 'BAD_JSON', message: 'not JSON', bodyHead: '<html>' },
  ];
  const lines = renderTerminalSummary(s).split('\n');
  assert.ok(lines.includes('  1st error HTTP 500 · body: oops'), lines.join('\n'));
  assert.ok(lines.includes('  1st bad  BAD_JSON: not JSON · body: <html>'), lines.join('\n'));
});
