// `modelwave serve` as a process: the first stdout line, serving, clean exit on SIGTERM/SIGINT, exit 2 on bad flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { getJson, post } from './helpers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function run(args: string[]) {
  const child = spawn(process.execPath, [MAIN, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  exited.finally(() => clearTimeout(killer));
  return { child, exited, stderr: () => stderr };
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`serve prints {"listening","model"} first, serves, and exits 0 on ${signal}`, async () => {
    const { child, exited } = run(['--model', 'telco@v2', '--port', '0', '--latency', '1ms', '--seed', '9']);
    const firstLine = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      lines.once('line', resolve);
      child.once('exit', () => reject(new Error('exited before printing')));
    });
    const info = JSON.parse(firstLine) as { listening: string; model: string };
    assert.equal(info.model, 'telco@v2');
    assert.match(info.listening, /^http:\/\/127\.0\.0\.1:\d+$/);
    const reply = await post(info.listening + '/model', JSON.stringify({ request: { iot_signal_1: 10, iot_signal_4: 107 } }));
    assert.ok('status' in reply && reply.status === 200);
    assert.equal(JSON.parse(reply.body).response.prediction, 1);
    assert.equal((await getJson<{ requests: number }>(info.listening + '/stats')).requests, 1);
    child.kill(signal);
    assert.equal(await exited, 0);
  });
}

// Each row: bad arguments → what stderr must say. All exit 2.
const bad: [string[], RegExp][] = [
  [['--stall', '500'], /--stall must look like 500ms\/2s \(a number needs a unit: write 500ms or 0\.5s\) \(got 500\)/],
  [['--latency', '15'], /--latency must look like 10ms or 5ms\.\.20ms with min <= max \(a number needs a unit: write 15s or 15000ms\)/],
  [['--latency', 'soon'], /--latency must look like 10ms or 5ms\.\.20ms/],
  [['--error-rate', '7'], /--error-rate must be a fraction between 0 and 1/],
  [['--model', 'telco@v9'], /--model must be telco@v1, telco@v2, echo:FIELD or constant:VALUE \(got "telco@v9"\)/],
  [['--port', 'http'], /--port must be an integer from 0 to 65535 \(got http\)/],
  [['--no-such-flag'], /unknown option '--no-such-flag'/],
];
for (const [args, message] of bad) {
  test(`serve ${args.join(' ')} exits 2 with a clear message`, async () => {
    const { exited, stderr } = run(args);
    assert.equal(await exited, 2);
    assert.match(stderr(), message);
    assert.doesNotMatch(stderr(), /\n\s+at /, 'no stack trace');
  });
}

test('/health is 503 while the server warms itself up, 200 once it reports ready; liveness is 200 throughout', async () => {
  const { createServer } = await import('node:net');
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const { child, exited } = run(['--model', 'telco@v1', '--port', String(port)]);
  let ready = false;
  child.stdout.once('data', () => (ready = true));
  const seen: { ready: number[]; live: number[] } = { ready: [], live: [] };
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; i < 3000 && !ready; i++) {
      const [h, l] = await Promise.all([fetch(`${base}/health`).then((r) => r.status, () => 0), fetch(`${base}/v2/health/live`).then((r) => r.status, () => 0)]);
      if (h) seen.ready.push(h);
      if (l) seen.live.push(l);
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.ok(ready, 'the server reported ready');
    assert.ok(seen.ready.includes(503), `503 seen while warming up: ${[...new Set(seen.ready)].join(',')}`);
    assert.ok(seen.live.every((s) => s === 200), 'liveness is 200 throughout');
    const after = await fetch(`${base}/health`);
    assert.equal(after.status, 200);
    assert.equal(((await after.json()) as { status: string }).status, 'ok');
    assert.equal((await fetch(`${base}/v2/health/ready`)).status, 200);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0);
});
