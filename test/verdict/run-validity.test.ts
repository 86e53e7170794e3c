// The verdict on a real run: `runScenario` judges run.validity with the store's outcome, every report shows it, and
// the copy saved in the store carries it too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runScenario } from '../../src/run.js';
import { openStore } from '../../src/store/index.js';
import { startServer, telcoScenario } from '../engine/helpers.js';
import type { Summary } from '../../src/summary/types.js';

test('a 1.5 s run with a p99 threshold: INVALID (SHORT, TOO_FEW_SAMPLES) in report.json, the terminal, report.md and report.html', { timeout: 60_000 }, async () => {
  const server = await startServer(['--no-warmup']);
  const dir = mkdtempSync(join(tmpdir(), 'mw-validity-'));
  try {
    const s = telcoScenario(`${server.url}/model`, '  phases:\n    - { duration: 1500ms, rate: 40 }\n', { extra: 'thresholds:\n  latency.p99: "< 5s"\n' });
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const res = await runScenario(s, { outDir: dir, store: null, out, errOut: new PassThrough(), progressOut: new PassThrough() as unknown as NodeJS.WriteStream, workers: 1, maxLagP99Ms: 1000 });
    const v = res.summary.run.validity!;
    assert.equal(v.valid, false);
    assert.deepEqual(v.reasons.map((r) => r.code), ['TOO_FEW_SAMPLES', 'SHORT']);
    // 1.5 s at 40 req/s: 60 samples, 399 short of the 459 a p99 needs.
    assert.equal(v.reasons[0]!.figure, 60);
    assert.match(v.reasons[0]!.message, /399 more/);
    const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Summary;
    assert.deepEqual(json.run.validity, v);
    assert.match(text, /validity +INVALID — TOO_FEW_SAMPLES: 60 samples for latency\.p99/);
    assert.match(readFileSync(join(dir, 'report.md'), 'utf8'), /\*\*Validity: INVALID\*\* — TOO\\_FEW\\_SAMPLES/);
    assert.match(readFileSync(join(dir, 'report.html'), 'utf8'), /Validity: INVALID — TOO_FEW_SAMPLES/);
    // The threshold verdict is untouched: validity does not change the exit code of `run`.
    assert.equal(res.exitCode, 0);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the summary saved in the store is the reported one, validity included (judged with the store section)', { timeout: 90_000 }, async () => {
  const server = await startServer(['--no-warmup']);
  const dir = mkdtempSync(join(tmpdir(), 'mw-validity-store-'));
  try {
    const s = telcoScenario(`${server.url}/model`, '  phases:\n    - { duration: 1500ms, rate: 40 }\n', { extra: 'thresholds:\n  latency.p99: "< 5s"\n' });
    const store = { embeddedDir: join(dir, 'store') };
    const res = await runScenario(s, { outDir: join(dir, 'out'), store, quiet: true, errOut: new PassThrough(), workers: 1, maxLagP99Ms: 1000 });
    assert.equal(res.summary.store?.complete, true);
    const st = await openStore({ ...store, create: false });
    try {
      const saved = await st.getSummary(res.summary.run.id);
      assert.deepEqual(saved.run.validity, res.summary.run.validity);
      assert.deepEqual(saved.run.validity?.reasons.map((r) => r.code), ['TOO_FEW_SAMPLES', 'SHORT']);
      assert.deepEqual(saved.thresholds, res.summary.thresholds);
      assert.deepEqual(saved.store, res.summary.store);
    } finally {
      await st.close();
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
