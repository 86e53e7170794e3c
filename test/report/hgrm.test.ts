import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initHistograms } from '../../src/stats/hist.js';
import { parsePercentileDistribution, renderHgrm } from '../../src/report/hgrm.js';
import { exactPercentile, knownLatenciesUs, makeSummary } from './fixture.js';

test('latency.hgrm is HdrHistogram text in ms with the percentiles of the known values', async () => {
  // WebAssembly mode on, as in a real run: the report must not use hdr-histogram-js's (buggy) WASM formatter.
  await initHistograms();
  const text = renderHgrm(makeSummary());
  const lines = text.split('\n');
  assert.equal(lines[0], '       Value     Percentile TotalCount 1/(1-Percentile)');
  assert.equal(lines[1], '');
  const footer = lines.filter((l) => l.startsWith('#['));
  assert.equal(footer.length, 3);
  assert.match(footer[0]!, /^#\[Mean {4}= +[\d.]+, StdDeviation {3}= +[\d.]+\]$/);
  assert.match(footer[1]!, /^#\[Max {5}= +[\d.]+, Total count {4}= +10000\]$/);
  assert.match(footer[2]!, /^#\[Buckets = +\d+, SubBuckets {5}= +\d+\]$/);

  const known = knownLatenciesUs().sort((a, b) => a - b);
  const rows = parsePercentileDistribution(text);
  assert.ok(rows.length > 50, `${rows.length} rows`);
  for (const r of rows) {
    // Every data row has the fixed-width layout plotters split on.
    const line = lines.find((l) => l.trim().startsWith(r.valueMs.toFixed(3)) && l.includes(r.percentile.toFixed(12)))!;
    assert.ok(line, `row for ${r.percentile}`);
    const exactMs = exactPercentile(known, r.percentile * 100) / 1000;
    // 3 significant digits: within 0.1% (plus the 1 µs of rounding to 3 decimals in ms).
    assert.ok(Math.abs(r.valueMs - exactMs) <= exactMs * 0.001 + 0.001, `p${r.percentile * 100}: ${r.valueMs} vs exact ${exactMs}`);
    if (r.percentile < 1) {
      const inverse = Number(line.trim().split(/\s+/)[3]);
      assert.ok(Math.abs(inverse - 1 / (1 - r.percentile)) < 0.006, `1/(1-p) column at ${r.percentile}: ${inverse}`);
    }
  }
  const p50 = rows.find((r) => r.percentile === 0.5)!;
  assert.ok(Math.abs(p50.valueMs - exactPercentile(known, 50) / 1000) < 0.01);
  assert.equal(rows.at(-1)!.percentile, 1);
  assert.equal(rows.at(-1)!.totalCount, 10_000);
  assert.ok(Math.abs(rows.at(-1)!.valueMs - known.at(-1)! / 1000) <= (known.at(-1)! / 1000) * 0.001 + 0.001);
  // Percentiles only grow, and so do values.
  for (let i = 1; i < rows.length; i++) {
    assert.ok(rows[i]!.percentile >= rows[i - 1]!.percentile && rows[i]!.valueMs >= rows[i - 1]!.valueMs);
  }
});

test('an empty histogram gives the header and a zero-count footer', () => {
  const s = makeSummary();
  const text = renderHgrm({ ...s, totals: { ...s.totals, latencyHistogram: '' } });
  assert.equal(parsePercentileDistribution(text).length, 0);
  assert.match(text, /Total count {4}= +0\]/);
});

test('a corrupt histogram is a clear MW_FILE error', () => {
  const s = makeSummary();
  assert.throws(() => renderHgrm({ ...s, totals: { ...s.totals, latencyHistogram: 'not-base64!' } }), {
    code: 'MW_FILE',
    message: /totals\.latencyHistogram is not a valid encoded HDR histogram/,
  });
});
