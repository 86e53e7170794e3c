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

/** A target that accepts connections and answers 503 to everything (a dead model behind a live proxy). */
async function dead503(): Promise<{ url: string; close: () => void }> {
  const http = await import('node:http');
  const srv = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(503, { 'content-type': 'text/plain' }).end('no healthy upstream'));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}/model`, close: () => (srv.closeAllConnections(), srv.close()) };
}

/** spawnSync would block this process's event loop, and with it the in-process 503 server: spawn asynchronously. */
function runAsync(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    import('node:child_process').then(({ spawn }) => {
      const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('close', (status) => (clearTimeout(timer), resolve({ status, stdout, stderr })));
    });
  });
}

test('1 when every request fails even without thresholds (default rule errors.rate < 100%); --allow-all-failed exits 0', async () => {
  const dead = await dead503();
  try {
    const file = writeTelcoFile(dir, { name: 'all-failed', target: dead.url, timeout: '1s', phases: '[{ duration: 1s, rate: 50 }]' });
    const r = await runAsync('run', file, '--no-store', '--out', path.join(dir, 'all-failed'));
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /FAIL: no request succeeded/);
    assert.match(r.stdout, /every request failed: no request succeeded \(50 scheduled, 50 sent, 0 ok\) — the default rule errors\.rate < 100% fails the run \(--allow-all-failed accepts it\)/);
    assert.match(r.stdout, /FAIL\s+errors\.rate < 100% \(default rule\)\s+100\.00%/);
    const sum = JSON.parse(readFileSync(path.join(dir, 'all-failed', 'report.json'), 'utf8')) as Summary;
    assert.equal(sum.totals.requests.httpErrors, 50);
    assert.deepEqual(
      sum.thresholds.map((t) => [t.expr, t.pass, t.default]),
      [['errors.rate < 100% (default rule)', false, true]],
    );
    const junit = readFileSync(path.join(dir, 'all-failed', 'junit.xml'), 'utf8');
    assert.match(junit, /<testcase name="errors\.rate &lt; 100% \(default rule\)"[^>]*>\s*<failure/);
    const allowed = await runAsync('run', file, '--no-store', '--quiet', '--allow-all-failed', '--out', path.join(dir, 'all-failed-ok'));
    assert.equal(allowed.status, 0, allowed.stderr);
    const ok = JSON.parse(readFileSync(path.join(dir, 'all-failed-ok', 'report.json'), 'utf8')) as Summary;
    assert.deepEqual(ok.thresholds, []);
    // One request that succeeds is enough for the rule to hold (and it is then not in the report at all).
    const live = await runAsync('run', scenario('builtin:telco@v2', '  requests.ok: ">= 1"'), '--no-store', '--quiet', '--out', path.join(dir, 'some-ok'));
    assert.equal(live.status, 0, live.stderr);
    assert.equal((JSON.parse(readFileSync(path.join(dir, 'some-ok', 'report.json'), 'utf8')) as Summary).thresholds.length, 1);
  } finally {
    dead.close();
  }
});

test('compare: a candidate that answers nothing fails the comparison (default rule); --allow-all-failed leaves it to the rules', async () => {
  const dead = await dead503();
  try {
    const file = writeTelcoFile(dir, { name: 'cmp-dead', target: 'builtin:telco@v1', timeout: '1s', phases: '[{ duration: 1s, rate: 40 }]', extra: 'compare: { rules: ["latency.p99.ratio <= 100"] }' });
    const r = await runAsync('compare', file, '--baseline', 'builtin:telco@v1', '--candidate', dead.url, '--no-store', '--quiet', '--out', path.join(dir, 'cmp-dead'));
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /the candidate answered no request successfully \(no request succeeded \(40 scheduled, 40 sent, 0 ok\)\): the default rule errors\.rate < 100% fails the comparison/);
  } finally {
    dead.close();
  }
});

test('--duration: a bare number is exit 2 with the fix; a compound duration runs', async () => {
  const bare = run('run', scenario('builtin:telco@v2', '  errors.rate: "< 1%"'), '--no-store', '--duration', '3');
  assert.equal(bare.status, 2, bare.stderr);
  assert.equal(bare.stderr, 'modelwave: --duration has no unit: write 3s or 3000ms (got 3)\n');
  const compound = run('run', scenario('builtin:telco@v2', '  errors.rate: "< 1%"'), '--no-store', '--quiet', '--duration', '1s200ms', '--out', path.join(dir, 'compound'));
  assert.equal(compound.status, 0, compound.stderr);
  const sum = JSON.parse(readFileSync(path.join(dir, 'compound', 'report.json'), 'utf8')) as Summary;
  assert.equal(sum.totals.requests.scheduled, 120, '1.2 s at 100 requests/s');
});
