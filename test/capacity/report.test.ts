// The capacity reports are functions of the answer; strings from the scenario or the target are escaped in each format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOSTILE } from '../report/fixture.js';
import { curveSpec, headline, renderCapacityHtml, renderCapacityJson, renderCapacityMarkdown, renderCapacityTerminal } from '../../src/capacity/report.js';
import type { CapacityAnswer, ProbeRecord } from '../../src/capacity/types.js';

const probe = (index: number, level: number, verdict: ProbeRecord['verdict'], p99: number): ProbeRecord => ({
  index,
  level,
  verdict,
  why: verdict === 'pass' ? 'meets every SLO; VALID' : `fails latency.p99 < 200ms ${HOSTILE}`,
  runId: `run-${index}`,
  reportDir: `/tmp/probe-${index}`,
  measuredMs: 2000,
  plannedRps: level,
  achievedRps: level,
  latencyMs: { p50: p99 / 2, p90: p99 * 0.9, p99, p999: p99 * 1.1, count: 1000 },
  errorsRate: 0,
  accuracy: 0.9,
  accuracyAllRequests: 0.88,
  slos: [{ expr: 'latency.p99 < 200ms', value: p99, pass: p99 < 200, limit: 200, op: '<', unit: 'ms' }],
  validity: { valid: verdict === 'pass', reasons: verdict === 'pass' ? [] : [{ code: 'UNSTABLE', message: HOSTILE, figure: 0.3 }] },
});

const answer = (): CapacityAnswer => ({
  id: 'cap-1',
  scenario: `model ${HOSTILE}`,
  target: `http://127.0.0.1:1/${HOSTILE}`,
  mode: 'rate',
  slos: ['latency.p99 < 200ms'],
  maxRate: 40,
  maxRateAchieved: 39.9,
  interval: { passing: 40, failing: 42 },
  bindingSlo: 'latency.p99 < 200ms',
  knee: { rps: 40, level: 40, probe: 3, metric: 'latency.p99', latencyMs: 110, method: 'Kneedle' },
  sloAtMax: [{ expr: 'latency.p99 < 200ms', value: 110, upperBound99: 118 }],
  end: 'converged',
  endReason: 'within 5%',
  found: true,
  startedAt: '2026-11-29T20:00:00.000Z',
  elapsedMs: 30_000,
  probes: [probe(1, 10, 'pass', 105), probe(2, 20, 'pass', 106), probe(3, 40, 'pass', 110), probe(4, 80, 'fail', 2000), probe(5, 42, 'fail', 400)],
});

test('headline states the answer, the interval and --require', () => {
  assert.equal(headline(answer()), 'capacity 40 req/s (achieved 39.9 req/s); between 40 (passes) and 42 (fails)');
  assert.match(headline({ ...answer(), require: 50 }), /BELOW --require 50/);
  const none = { ...answer(), maxRate: undefined, interval: { failing: 10 }, endReason: 'nothing passes' };
  delete none.maxRate;
  assert.equal(headline(none), 'no sustainable rate found (nothing passes)');
});

test('HTML: hostile strings escaped, the latency–throughput chart drawn with a point per probe and percentile', async () => {
  const html = await renderCapacityHtml(answer());
  assert.ok(!html.includes('<script>alert(1)</script>'));
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.match(html, /id="chart-latency-throughput"><figcaption>[^<]*<\/figcaption><svg/);
  // 5 usable probes × 3 percentiles.
  const spec = curveSpec(answer()) as unknown as { layer: { data: { values: unknown[] } }[] };
  assert.equal(spec.layer[0]!.data.values.length, 15);
  assert.deepEqual(spec.layer[1]!.data.values, [{ ms: 200, label: 'SLO p99' }]);
  assert.deepEqual(spec.layer[2]!.data.values, [{ rps: 40 }]);
});

test('Markdown and terminal: no raw HTML, no control characters', () => {
  const md = renderCapacityMarkdown(answer());
  assert.ok(!md.includes('<script>'));
  assert.match(md, /\| 4 \| 80 \| 80 \|/);
  const term = renderCapacityTerminal({ ...answer(), scenario: 'x\u001b[31mred' });
  assert.ok(!term.includes('\u001b'));
  assert.match(term, /knee: 40 req\/s \(probe 3, latency.p99 110/);
  assert.match(term, /upper bound at 99% confidence 118/);
});

test('report.json wraps the answer with a schema version', () => {
  const j = JSON.parse(renderCapacityJson(answer())) as { schemaVersion: number; capacity: CapacityAnswer };
  assert.equal(j.schemaVersion, 1);
  assert.equal(j.capacity.maxRate, 40);
});
