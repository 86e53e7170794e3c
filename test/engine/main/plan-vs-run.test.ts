// What `validate` predicts is what runs: for every example scenario (scenarios/, scenarios/real/) and a few load
// shapes the examples do not use (request caps, a closed phase between open ones, Poisson with a cap), the load plan
// (src/schedule/plan.ts, what `validate` prints) is held against the run: each phase's requests and length, the
// run's total, and the wall clock — a phase that the plan ends at its request cap must not hold the run longer.
// Examples are shortened with the `--duration 1s` override and run against builtin servers, feedback left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { parseScenarioText, type ScenarioOverrides } from '../../../src/scenario/load.js';
import { loadPlanOf, type LoadPlan } from '../../../src/schedule/plan.js';
import { executeRun } from '../../../src/engine/main/run.js';
import type { Summary } from '../../../src/summary/types.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const scenarioFiles = (dir: string) =>
  readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => path.join(dir, f));
const EXAMPLES = [...scenarioFiles('scenarios'), ...scenarioFiles('scenarios/real')];

/** Wall-clock slack of a run beyond its planned length: start-up handshake, the in-flight drain, the last flush. */
const WALL_SLACK_MS = 1500;

/**
 * Hold the run's phases against the plan. Uniform open phases: exact count and length (the phase's end is computed,
 * not measured). Poisson: the count within 4 standard deviations of its expectation, and a capped phase's length
 * within the same share. Closed phases: both bounds.
 */
function assertRunFollowsPlan(name: string, plan: LoadPlan, s: Summary): void {
  assert.equal(s.run.status, 'completed', `${name}: ${s.run.error ?? ''}`);
  let total = 0;
  plan.phases.forEach((pp, i) => {
    const ph = s.phases[i]!;
    const n = ph.requests.scheduled;
    const ms = ph.endedAtMs - ph.startedAtMs;
    const at = `${name} phase ${i} (${pp.name})`;
    total += n;
    if (pp.kind === 'open' && pp.exact) {
      assert.equal(n, pp.plannedRequests, `${at}: requests`);
      assert.ok(Math.abs(ms - pp.plannedMs) < 0.01, `${at}: ${ms} ms, planned ${pp.plannedMs}`);
    } else if (pp.kind === 'open') {
      const sd = Math.sqrt(pp.plannedRequests);
      assert.ok(Math.abs(n - pp.plannedRequests) <= 4 * sd + 1, `${at}: ${n} requests, planned ~${pp.plannedRequests}`);
      assert.ok(Math.abs(ms - pp.plannedMs) <= pp.plannedMs * ((4 * sd + 2) / Math.max(1, pp.plannedRequests)), `${at}: ${ms} ms, planned ~${pp.plannedMs}`);
    } else {
      if (pp.requests !== undefined) assert.ok(n <= pp.requests, `${at}: ${n} requests, at most ${pp.requests}`);
      if (pp.durationMs !== undefined) assert.ok(ms <= pp.durationMs + 1, `${at}: ${ms} ms, at most ${pp.durationMs}`);
    }
  });
  assert.equal(s.totals.requests.scheduled + s.phases.filter((p) => p.warmup).reduce((a, p) => a + p.requests.scheduled, 0), total, `${name}: totals`);
  if (plan.exact) assert.equal(total, plan.plannedRequests, `${name}: requests in all`);
  if (plan.durationMs !== undefined) {
    const spanMs = s.phases.at(-1)!.endedAtMs;
    if (plan.exact) assert.ok(Math.abs(spanMs - plan.durationMs) < 0.05, `${name}: phases span ${spanMs} ms, planned ${plan.durationMs}`);
    // The wall clock: the engine does not hold a phase past the plan's end (e.g. to the duration of a capped phase).
    const slack = plan.exact ? WALL_SLACK_MS : WALL_SLACK_MS + plan.durationMs * 0.2;
    assert.ok(s.run.durationMs <= plan.durationMs + slack, `${name}: ran ${s.run.durationMs} ms, planned ${plan.durationMs}`);
  }
}

async function runText(name: string, text: string, file: string, overrides: ScenarioOverrides): Promise<void> {
  const s = parseScenarioText(text, file, { overrides: { workers: 1, ...overrides } });
  const plan = loadPlanOf(s);
  const r = await executeRun(s);
  assertRunFollowsPlan(name, plan, r.summaries[0]!);
}

test('every example scenario runs the plan validate prints (shortened to 1 s phases)', { timeout: 240_000 }, async () => {
  assert.ok(EXAMPLES.length >= 20, `found ${EXAMPLES.length} example scenarios`);
  for (const rel of EXAMPLES) {
    const file = path.join(ROOT, rel);
    const doc = parse(readFileSync(file, 'utf8')) as { feedback?: unknown; target: { url: string } };
    delete doc.feedback; // its delay (and a real server's feedback endpoint) is not the plan's business
    // scenarios/real/ point at real servers on fixed ports; the lenient builtin answers every protocol.
    if (!doc.target.url.startsWith('builtin:')) doc.target.url = 'builtin:telco@v2';
    await runText(rel, stringify(doc), file, { durationMs: 1000 });
  }
});

const telco = (phases: string, arrivals = 'uniform') => `
name: plan-shapes
seed: 3
target: { url: "builtin:telco@v1", protocol: cloudera, timeout: 2s }
data:
  fields:
    iot_signal_1: { int: [1, 10] }
    iot_signal_4: { int: [100, 107] }
load:
  workers: 2
  arrivals: ${arrivals}
  phases: ${phases}
`;

test('a request cap ends its phase in the run as in the plan (the issue: 10 s at 100 req/s, 200 requests → 2 s)', { timeout: 120_000 }, async () => {
  const file = path.join(ROOT, 'scenarios/plan-shapes.yaml');
  await runText('cap', telco('[{ duration: 10s, rate: 100, requests: 200 }]'), file, {});
  await runText(
    'cap, then closed, then a capped step ramp',
    telco('[{ duration: 5s, rate: 200, requests: 150 }, { concurrency: 2, requests: 40 }, { duration: 4s, rate: 100, rampTo: 400, steps: 4, requests: 450 }]'),
    file,
    {},
  );
  await runText('poisson with a cap', telco('[{ duration: 5s, rate: 300, requests: 250 }, { duration: 500ms, rate: 100 }]', 'poisson'), file, {});
});
