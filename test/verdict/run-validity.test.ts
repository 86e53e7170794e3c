// The verdict on a real run: `runScenario` adds run.validity once, after the store, and every report shows it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runScenario } from '../../src/run.js';
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
