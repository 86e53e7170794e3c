// `compare` end to end against reference servers on loopback: the better model wins, a latency regression is
// caught, identical versions do not raise false alarms more often than the tests' error rates allow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCompare } from '../../src/compare/run.js';
import type { Comparison } from '../../src/compare/types.js';
import { CLI, startServer, telcoScenario } from '../engine/helpers.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'mw-cmp-'));

test('builtin telco@v1 vs telco@v2 on the default scenario: v2 (the better model) wins, and swapped it is a regression', () => {
  const out = tmp();
  const run = (a: string, b: string, dir: string) =>
    spawnSync(process.execPath, [CLI, 'compare', 'scenarios/telco.yaml', '--baseline', a, '--candidate', b, '--duration', '4s', '--rate', '400', '--rule', 'accuracy.delta >= 0', '--out', dir, '--quiet', '--no-store'], { encoding: 'utf8', timeout: 120_000 });
  const better = run('builtin:telco@v1', 'builtin:telco@v2', path.join(out, 'up'));
  const c1 = JSON.parse(readFileSync(path.join(out, 'up', 'comparison.json'), 'utf8')) as Comparison;
  assert.ok(c1.paired);
  assert.ok(c1.accuracy && c1.accuracy.delta > 0 && c1.accuracy.pValue < 0.05, JSON.stringify(c1.accuracy));
  assert.equal(c1.rules.find((r) => r.metric === 'accuracy.delta')?.status, 'pass');
  assert.notEqual(better.status, 2, better.stderr);
  for (const f of ['comparison.md', 'comparison.html', 'junit.xml', 'baseline/report.json', 'candidate/report.json']) assert.ok(existsSync(path.join(out, 'up', f)), f);
  assert.match(readFileSync(path.join(out, 'up', 'comparison.md'), 'utf8'), /\| Accuracy \| 0\.\d{4} \| 0\.\d{4} \| \+0\.\d{4} \|/);

  const worse = run('builtin:telco@v2', 'builtin:telco@v1', path.join(out, 'down'));
  const c2 = JSON.parse(readFileSync(path.join(out, 'down', 'comparison.json'), 'utf8')) as Comparison;
  assert.equal(c2.rules.find((r) => r.metric === 'accuracy.delta')?.status, 'fail');
  assert.equal(c2.verdict, 'fail');
  assert.equal(worse.status, 1, worse.stderr);
  // Identical traffic: both runs scored the same rows.
  assert.equal(c2.baseline.sent, c2.candidate.sent);
});

test('+20 ms on the candidate is a latency regression; +0 ms is not', async () => {
  const fast = await startServer(['--model', 'telco@v1']);
  const fast2 = await startServer(['--model', 'telco@v1']);
  const slow = await startServer(['--model', 'telco@v1', '--latency', '20ms']);
  try {
    const s = telcoScenario(`${fast.url}/model`, '  phases: [{ duration: 3s, rate: 300 }]');
    // Median and p90 shifts: a loopback p99 on a shared 2-core machine moves by ~10 ms between identical servers.
    const rules = ['latency.p50.delta <= 10ms', 'latency.p90.delta <= 10ms'];
    const reg = await runCompare(s, { baseline: `${fast.url}/model`, candidate: `${slow.url}/model`, rules, quiet: true, outDir: tmp() });
    assert.equal(reg.comparison.verdict, 'fail', reg.comparison.headline);
    assert.equal(reg.exitCode, 1);
    const p50 = reg.comparison.latency.quantiles.find((q) => q.q === 0.5)!;
    assert.ok(p50.delta >= 19 && p50.delta <= 30, `p50 delta ${p50.delta}`);

    const same = await runCompare(s, { baseline: `${fast.url}/model`, candidate: `${fast2.url}/model`, rules, quiet: true, outDir: tmp() });
    assert.notEqual(same.comparison.verdict, 'fail', same.comparison.headline);
    assert.equal(same.exitCode, 0);
  } finally {
    await Promise.all([fast.stop(), fast2.stop(), slow.stop()]);
  }
});

test('A/A over 20 seeds: the same model twice fails no more often than alpha allows', async () => {
  const a = await startServer(['--model', 'telco@v2']);
  const b = await startServer(['--model', 'telco@v2']);
  try {
    let falseAlarms = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const s = telcoScenario(`${a.url}/model`, '  phases: [{ duration: 1s, rate: 300 }]');
      s.seed = seed;
      const r = await runCompare(s, { baseline: `${a.url}/model`, candidate: `${b.url}/model`, quiet: true, outDir: tmp(), rules: ['accuracy.delta >= 0', 'errors.rate.delta <= 0', 'latency.p50.ratio <= 1.10'] });
      // Same deterministic model on identical rows: predictions agree row for row.
      assert.equal(r.comparison.accuracy?.table?.b, 0);
      assert.equal(r.comparison.accuracy?.table?.c, 0);
      if (r.comparison.verdict === 'fail') falseAlarms++;
    }
    // Each rule's interval is wrong at most 2.5% of the time; over 20 A/A runs P(≥ 4 alarms) < 2% at α = 0.05.
    assert.ok(falseAlarms <= 3, `${falseAlarms} false alarms in 20 A/A comparisons`);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});
