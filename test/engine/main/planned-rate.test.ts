// Planned vs achieved rate and goodput (issue 14): the planned rate comes from the load plan, not from the requests
// the run scheduled; goodput counts successful answers only; the saturation sentence claims a shortfall only when
// the achieved rate fell short of the plan and the lag shows it. Counts are checked against the server's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenarioText } from '../../../src/scenario/load.js';
import { executeRun } from '../../../src/engine/main/run.js';
import { RATE_SHORT_OF_PLAN, saturationSentence } from '../../../src/engine/main/summarize.js';
import { renderTerminalSummary } from '../../../src/report/terminal.js';
import { startServer } from '../helpers.js';

const scenario = (url: string, phases: string, target = '') =>
  parseScenarioText(
    `name: planned-rate
seed: 5
target: { url: "${url}", protocol: cloudera, timeout: 2s${target} }
data:
  fields:
    iot_signal_1: { int: [1, 10] }
    iot_signal_4: { int: [100, 107] }
load:
  workers: 1
  phases: ${phases}
`,
    '/tmp/planned-rate.yaml',
  );

test('a 503-heavy run: rps counts every answer, goodputRps the successful ones (as the server counted them)', { timeout: 60_000 }, async () => {
  const srv = await startServer(['--error-rate', '0.5', '--seed', '9']);
  try {
    const r = await executeRun(scenario(`${srv.url}/model`, '[{ duration: 2s, rate: 200 }]'));
    const s = r.summaries[0]!;
    const stats = await srv.stats();
    const ok = stats.responsesByStatus['200'] ?? 0;
    const failed = stats.requests - ok;
    // Independent figures: 400 requests in the plan's 2 s; the server answered `ok` of them with 200.
    assert.equal(stats.requests, 400);
    assert.ok(failed > 150 && failed < 250, `server failed ${failed} of 400 (error rate 0.5)`);
    assert.equal(s.totals.plannedRps, 200);
    assert.equal(s.totals.rps, 200);
    assert.equal(s.totals.goodputRps, Math.round((ok / 2) * 100) / 100);
    assert.equal(s.phases[0]!.goodputRps, s.totals.goodputRps);
    assert.equal(s.phases[0]!.plannedRps, 200);
    assert.ok(s.timeline.length >= 2 && s.timeline.slice(0, 2).every((p) => p.plannedRps === 200), JSON.stringify(s.timeline.map((p) => p.plannedRps)));
    const line = renderTerminalSummary(s).split('\n').find((l) => l.startsWith('rate'));
    const g = ok / 2; // reports print rates from 100 up as integers, below with one decimal
    assert.equal(line, `rate       200 rps of 200 planned (100.0%) · goodput ${g >= 100 ? Math.round(g) : g.toFixed(1)} rps`);
  } finally {
    await srv.stop();
  }
});

test('a rate short of the plan (in-flight cap) reads as such, and is not called generator saturation without lag', { timeout: 60_000 }, async () => {
  const srv = await startServer(['--latency', '100ms']);
  try {
    // 300 req/s for 1 s with at most 3 in flight and 100 ms answers: ≤ 3 / 0.1 s = 30 req/s can be sent.
    const r = await executeRun(scenario(`${srv.url}/model`, '[{ duration: 1s, rate: 300 }]', ', maxInFlight: 3'));
    const s = r.summaries[0]!;
    assert.equal(s.totals.plannedRps, 300);
    assert.equal(s.totals.requests.scheduled, 300);
    assert.ok(s.totals.rps <= 40, `achieved ${s.totals.rps}`);
    assert.equal(s.totals.rps, s.totals.requests.sent);
    assert.ok(s.totals.requests.dropped >= 260, `dropped ${s.totals.requests.dropped}`);
    const line = renderTerminalSummary(s).split('\n').find((l) => l.startsWith('rate'))!;
    assert.ok(line.startsWith(`rate       ${s.totals.rps.toFixed(1)} rps of 300 planned (${((s.totals.rps / 300) * 100).toFixed(1)}%)`), line);
    if (!s.run.generatorSaturated) assert.equal(s.run.saturationReason, undefined);
  } finally {
    await srv.stop();
  }
});

test('the saturation sentence: a shortfall only below 95% of the plan, always citing the lag', () => {
  assert.equal(RATE_SHORT_OF_PLAN, 0.95);
  const short = saturationSentence(42.5, 10, 150, 200);
  assert.equal(short, 'send lag p99 42.5 ms exceeds 10 ms and the achieved rate is 150 rps, 75.0% of the planned 200 rps: the generator could not keep the schedule, so the achieved rate is below the plan');
  const kept = saturationSentence(42.5, 10, 199.6, 200);
  assert.ok(!kept.includes('below'), kept);
  assert.match(kept, /^send lag p99 42\.5 ms exceeds 10 ms: requests left later than intended, though the achieved rate kept to the plan \(199\.6 rps, 99\.8% of the planned 200 rps\)/);
  assert.ok(!saturationSentence(42.5, 10, 190.01, 200).includes('below'), '95.0% is not short');
  assert.ok(saturationSentence(42.5, 10, 189.9, 200).includes('below the plan'), '94.95% is');
  const closed = saturationSentence(12, 10, 500, undefined);
  assert.match(closed, /^send lag p99 12 ms exceeds 10 ms: requests left later than intended/);
  assert.ok(!closed.includes('rate'), closed);
});
