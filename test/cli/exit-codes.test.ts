// The exit codes CI scripts rely on (PRODUCT.md): 0 ran and held, 1 a threshold failed, 2 bad usage or scenario,
// 3 target or store unreachable — each with a clear message and no stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Summary } from '../../src/summary/types.js';
import { CLI, writeTelcoFile } from '../engine/helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mw-exit-'));
const scenario = (target: string, thresholds: string) =>
  writeTelcoFile(dir, { name: 'exit-codes', target, timeout: '1s', phases: '[{ duration: 1s, rate: 100 }]', extra: `thresholds:\n${thresholds}` });
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });

/** A port nothing listens on. */
const closedPort = async (): Promise<number> => {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
};

test('0 when every threshold holds, 1 when one fails (report written either way)', () => {
  const ok = run('run', scenario('builtin:telco@v2', '  errors.rate: "< 1%"'), '--quiet', '--no-store', '--out', path.join(dir, 'ok'));
  assert.equal(ok.status, 0, ok.stderr);
  const bad = run('run', scenario('builtin:telco@v2', '  accuracy: ">= 0.99"'), '--no-store', '--out', path.join(dir, 'bad'));
  assert.equal(bad.status, 1, bad.stderr);
  assert.match(bad.stdout, /FAIL\s+accuracy >= 0\.99/);
  const sum = JSON.parse(readFileSync(path.join(dir, 'bad', 'report.json'), 'utf8')) as Summary;
  assert.equal(sum.thresholds[0].pass, false);
  assert.equal(sum.run.status, 'completed');
});

test('--threshold on the command line adds a threshold; a bad one is exit 2', () => {
  const r = run('run', scenario('builtin:telco@v2', '  errors.rate: "< 1%"'), '--quiet', '--no-store', '--threshold', 'rps >= 100000', '--out', path.join(dir, 'cli-th'));
  assert.equal(r.status, 1, r.stderr);
  const bad = run('run', scenario('builtin:telco@v2', '  errors.rate: "< 1%"'), '--quiet', '--no-store', '--threshold', 'latncy.p99 < 1s');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /latency\.p99/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /);
});

test('--threshold takes one expression per flag: repeated, and before the scenario without swallowing it', () => {
  const out = path.join(dir, 'cli-th2');
  const r = run('run', '--threshold', 'errors.rate < 1%', '--threshold', 'rps >= 100000', scenario('builtin:telco@v2', '  errors.rate: "< 5%"'), '--quiet', '--no-store', '--duration', '1s', '--out', out);
  assert.equal(r.status, 1, r.stderr);
  const sum = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as Summary;
  assert.deepEqual(sum.thresholds.map((t) => [t.expr, t.pass]), [['errors.rate < 5%', true], ['errors.rate < 1%', true], ['rps >= 100000', false]]);
});

test('2 for bad usage: unknown flag, bad --duration, missing file', () => {
  for (const args of [['run', 'scenarios/telco.yaml', '--bogus'], ['run', 'scenarios/telco.yaml', '--duration', 'soon'], ['run', path.join(dir, 'nope.yaml')]]) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('3 when the target cannot be reached, naming it and the fix', async () => {
  const port = await closedPort();
  const r = run('run', scenario(`http://127.0.0.1:${port}/model`, '  errors.rate: "< 1%"'), '--quiet', '--no-store');
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${port}.*not reachable`));
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('3 when the store cannot be reached; --store-optional runs anyway and leaves a spool', async () => {
  const port = await closedPort();
  const file = scenario('builtin:telco@v2', '  errors.rate: "< 1%"');
  const r = run('run', file, '--quiet', '--store', `postgres://postgres@127.0.0.1:${port}/test`);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /store/i);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  const opt = spawnSync(process.execPath, [CLI, 'run', file, '--quiet', '--store', `postgres://postgres@127.0.0.1:${port}/test`, '--store-optional', '--out', path.join(dir, 'spooled')], { encoding: 'utf8', timeout: 60_000, cwd: dir });
  assert.equal(opt.status, 0, opt.stderr);
  const sum = JSON.parse(readFileSync(path.join(dir, 'spooled', 'report.json'), 'utf8')) as Summary;
  assert.equal(sum.store?.complete, false);
  assert.ok(sum.store?.spoolPath, 'spool path reported');
  assert.equal(sum.totals.requests.ok, 100);
});
