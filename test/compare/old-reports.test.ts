// Reports written before the latency split (schema 1, test/fixtures/reports/v1: written by main at 7aa233f) stay
// readable by `compare --runs`: their histograms are compared as they are, and the comparison warns that their
// latency counts every answered request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compareRuns } from '../../src/compare/run.js';
import type { Summary } from '../../src/summary/types.js';
import { renderTerminalSummary } from '../../src/report/terminal.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderHtml } from '../../src/report/html.js';

const V1 = fileURLToPath(new URL('../../../test/fixtures/reports/v1/', import.meta.url));

test('compare --runs reads a schema-1 report folder, with its quantiles and a warning', async () => {
  const out = mkdtempSync(path.join(tmpdir(), 'mw-v1-'));
  try {
    const v1 = JSON.parse(readFileSync(path.join(V1, 'report.json'), 'utf8')) as Summary;
    assert.equal(v1.schemaVersion, 1);
    const r = await compareRuns(V1, path.join(V1, 'report.json'), { outDir: out, store: null });
    const c = r.comparison;
    assert.equal(r.exitCode, 0, 'the same run against itself passes');
    assert.deepEqual(c.latency.quantiles.map((q) => q.base), [v1.totals.latencyMs.p50, v1.totals.latencyMs.p90, v1.totals.latencyMs.p99]);
    assert.equal(c.baseline.sent, v1.totals.requests.sent);
    assert.ok(c.warnings.some((w) => /baseline report is schema v1: its latency counts every answered request/.test(w)), c.warnings.join('\n'));
    assert.ok(JSON.parse(readFileSync(path.join(out, 'comparison.json'), 'utf8')));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('the reporters render a schema-1 summary (no failed/all latency) without inventing figures', async () => {
  const v1 = JSON.parse(readFileSync(path.join(V1, 'report.json'), 'utf8')) as Summary;
  const term = renderTerminalSummary(v1);
  assert.match(term, /latency/);
  assert.doesNotMatch(term, /failed\s+ms/);
  assert.ok(renderMarkdown(v1).length > 0);
  assert.ok((await renderHtml(v1)).length > 0);
});
