// Every reporter shows latency the way report.json names it: successful requests as "latency", and, when some
// request failed, the failed and all populations under it with their counts; an empty population reads as not
// measured, never as 0 ms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LatencyStats, Summary } from '../../src/summary/types.js';
import { renderTerminalSummary } from '../../src/report/terminal.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderHtml } from '../../src/report/html.js';
import { makeSummary } from './fixture.js';

const stats = (p50: number, count: number): LatencyStats => ({ p50, p90: p50 * 1.5, p95: p50 * 1.6, p99: p50 * 2, p999: p50 * 3, max: p50 * 4, min: p50 / 2, mean: p50, count });
const EMPTY = stats(0, 0);

function withLatency(ok: LatencyStats, failed: LatencyStats, all: LatencyStats): Summary {
  const s = makeSummary();
  s.totals = { ...s.totals, latencyMs: ok, latencyFailedMs: failed, latencyAllMs: all, serviceTimeMs: ok.count ? s.totals.serviceTimeMs : EMPTY };
  return s;
}

const lineOf = (out: string, label: string) => out.split('\n').find((l) => l.startsWith(label.padEnd(11)));

test('terminal: latency (successful), failed and all rows with counts; none extra without failures', () => {
  const out = renderTerminalSummary(withLatency(stats(52, 100), stats(0.4, 100), stats(26, 200)));
  assert.deepEqual(lineOf(out, 'latency')!.split(/\s+/), ['latency', 'ms', '52.00', '78.00', '104.0', '156.0', '208.0', 'n=100', 'ok']);
  assert.deepEqual(lineOf(out, '  failed')!.trim().split(/\s+/), ['failed', 'ms', '0.400', '0.600', '0.800', '1.20', '1.60', 'n=100', 'failed']);
  assert.deepEqual(lineOf(out, '  all')!.trim().split(/\s+/), ['all', 'ms', '26.00', '39.00', '52.00', '78.00', '104.0', 'n=200', 'sent']);
  const clean = renderTerminalSummary(withLatency(stats(5, 200), EMPTY, stats(5, 200)));
  assert.equal(lineOf(clean, '  failed'), undefined);
  assert.equal(lineOf(clean, '  all'), undefined);
});

test('a dead target: latency and service time are dashes (not measured), the failed requests\' latency is shown', async () => {
  const s = withLatency(EMPTY, stats(0.3, 500), stats(0.3, 500));
  const out = renderTerminalSummary(s);
  assert.deepEqual(lineOf(out, 'latency')!.split(/\s+/), ['latency', 'ms', '—', '—', '—', '—', '—', 'n=0', 'ok']);
  assert.deepEqual(lineOf(out, 'service')!.split(/\s+/), ['service', 'ms', '—', '—', '—', '—', '—']);
  assert.match(lineOf(out, '  failed')!, /0\.300/);
  const md = renderMarkdown(s);
  assert.match(md, /\| Latency \(ms\) \| not measured \(no successful request\) \|/);
  assert.match(md, /\| Latency, failed \(ms\) \| p50 0\.300 · .* \(n = 500\) \|/);
  assert.match(md, /\| Latency, all \(ms\) \| p50 0\.300 · .* \(n = 500\) \|/);
  const html = await renderHtml(s);
  assert.match(html, /Latency p99<\/div><div class="v">not measured</);
  assert.match(html, />latency, failed</);
  assert.doesNotMatch(html, /Latency p99<\/div><div class="v">0\.000 ms/);
});
