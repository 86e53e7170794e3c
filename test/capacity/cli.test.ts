// `modelwave capacity` exit codes without a search: usage (2) naming the flag, unreachable target (3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const SCENARIO = fileURLToPath(new URL('../../../test/fixtures/capacity.yaml', import.meta.url));

const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });

test('usage errors exit 2 and name the flag', () => {
  const slo = ['--slo', 'latency.p99 < 200ms'];
  // One row per mistake: the arguments and what the message must say.
  const rows: [string[], RegExp][] = [
    [['capacity', SCENARIO], /at least one --slo/],
    [['capacity', SCENARIO, '--slo', 'latency.p99 <'], /--slo "latency.p99 <"/],
    [['capacity', SCENARIO, '--slo', 'latncy.p99 < 2s'], /unknown metric `latncy.p99`; did you mean `latency.p99`/],
    [['capacity', SCENARIO, ...slo, '--precision', '0'], /--precision must be a fraction/],
    [['capacity', SCENARIO, ...slo, '--mode', 'fast'], /--mode must be rate .* or concurrency/],
    [['capacity', SCENARIO, ...slo, '--probe-duration', 'soon'], /--probe-duration must look like/],
    [['capacity', SCENARIO, ...slo, '--mode', 'concurrency', '--start', '1.5'], /--start must be a positive integer/],
    [['capacity', SCENARIO, ...slo, '--start', '100', '--max', '10'], /--start \(100\) must not exceed --max \(10\)/],
    [['serve', '--slots', '2'], /--slots needs --latency/],
    [['serve', '--slots', 'two', '--latency', '10ms'], /--slots must be a positive integer/],
  ];
  for (const [args, message] of rows) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('an unreachable target exits 3 before any probe is counted', () => {
  const out = mkdtempSync(join(tmpdir(), 'mw-cap-cli-'));
  try {
    const r = run('capacity', SCENARIO, '--slo', 'latency.p99 < 200ms', '--target', 'http://127.0.0.1:1/model', '--no-store', '--out', out);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /not reachable/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
