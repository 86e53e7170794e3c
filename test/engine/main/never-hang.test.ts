// Whatever happens inside a worker, the run ends: each case spawns the real CLI and bounds its wall time (killing it
// and failing the test if it overruns). Before these fixes a bad data row, faker arguments of the wrong type or
// `atEnd: stop` left `run` printing "internal error" forever; `rate: 1e308` spun a core; Ctrl-C did not help.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { accountingErrors } from '../../../src/engine/main/counts.js';
import { firstFailure } from '../../../src/engine/main/lifecycle.js';
import { ModelwaveError, reviveError, serializeError } from '../../../src/errors.js';
import type { Summary } from '../../../src/summary/types.js';
import { CLI, startServer, type ServerProcess } from '../helpers.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'mw-hang-'));

interface Ended {
  code: number | null;
  stderr: string;
  stdout: string;
  wallMs: number;
}

/**
 * Run the CLI; kill it and fail if it has not ended within `boundMs`. `signal` is sent once, when `at` (a stderr
 * pattern, or "the builtin server has been spawned") is first seen, after `delayMs`.
 */
async function cli(args: string[], boundMs: number, signal?: { sig: NodeJS.Signals; at: RegExp | 'child'; delayMs: number }): Promise<Ended & { signalledAtMs?: number }> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  let signalledAtMs: number | undefined;
  const send = () => {
    if (signalledAtMs !== undefined || !signal) return;
    signalledAtMs = Date.now();
    setTimeout(() => child.kill(signal.sig), signal.delayMs);
  };
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr += d;
    if (signal && signal.at instanceof RegExp && signal.at.test(stderr)) send();
  });
  // "child": the CLI has spawned the builtin reference server, so its signal handler is installed and the run is
  // starting (target, then workers and their warm-up) but nothing has been sent yet.
  const poll =
    signal?.at === 'child'
      ? setInterval(() => {
          try {
            if (readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim()) send();
          } catch {
            // not on Linux or already gone: the test then fails on its own assertions
          }
        }, 20)
      : undefined;
  const killer = setTimeout(() => child.kill('SIGKILL'), boundMs);
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  clearTimeout(killer);
  clearInterval(poll);
  const wallMs = Date.now() - t0;
  assert.ok(wallMs < boundMs, `still running after ${boundMs} ms (killed): ${stderr}`);
  return { code, stderr, stdout, wallMs, ...(signalledAtMs !== undefined ? { signalledAtMs } : {}) };
}

const noStack = (stderr: string) => assert.doesNotMatch(stderr, /\n\s+at |internal error/, stderr);
const report = (out: string): Summary => JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as Summary;

let srv: ServerProcess;
before(async () => {
  srv = await startServer(['--model', 'telco@v2']);
});
after(async () => {
  await srv?.stop();
});

// Bad data behind a scenario `validate` used to pass. `run` does not preflight in its main thread: the workers read
// the file, fail, and the error crosses the thread boundary with its code (exit 2) and its file:line.
const DATA_CASES: [string, RegExp][] = [
  ['data-ragged-row.yaml', /test\/fixtures\/data\/ragged\.csv:17: 4 cells, header has 5/],
  ['data-header-only.yaml', /test\/fixtures\/data\/header-only\.csv has a header but no data rows/],
  ['data-broken-jsonl.yaml', /test\/fixtures\/data\/bad\.jsonl:3: not valid JSON/],
  ['data-unclosed-quote.yaml', /test\/fixtures\/data\/unquoted-end\.csv:3: not valid CSV/],
];
for (const [fixture, message] of DATA_CASES) {
  test(`run ${fixture}: a worker's data error ends the run with exit 2 and file:line`, async () => {
    const r = await cli(['run', path.join('test/fixtures/bad', fixture), '--target', `${srv.url}/v1/models/telco:predict`, '--no-store', '--quiet', '--out', path.join(dir, fixture)], 60_000);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    noStack(r.stderr);
  });
}

/** A synthetic telco scenario against the test's server, with `fields` added and `load` as given. */
function telco(name: string, fieldsYaml: string, load: string, extra = ''): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
target: { url: "${srv.url}/model", protocol: cloudera, timeout: 2s }
data:
  fields:
    iot_signal_1: { int: [1, 10] }
    iot_signal_4: { int: [100, 107] }
${fieldsYaml}
label:
  logistic: { bias: -37, weights: { iot_signal_1: 0.9, iot_signal_4: 0.3 } }
load:
${load}
${extra}`,
  );
  return file;
}

test('faker args of the wrong type: exit 2 at once, naming data.fields.device_id.args.length', async () => {
  const file = telco('faker-type', '    device_id: { faker: string.hexadecimal, args: { length: "abc" } }', '  phases: [{ duration: 2s, rate: 10 }]');
  const r = await cli(['run', file, '--no-store', '--quiet'], 30_000);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /data\.fields\.device_id\.args\.length must be a number or \{ min, max \} \(got "abc"\)/);
  noStack(r.stderr);
});

test('faker args only faker can refuse (no multiple of 5 in [1, 2]): the workers refuse them, exit 2 with the path', async () => {
  const file = telco('faker-refused', '    n: { faker: number.int, args: { min: 1, max: 2, multipleOf: 5 } }', '  phases: [{ duration: 2s, rate: 10 }]');
  const r = await cli(['run', file, '--no-store', '--quiet'], 60_000);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /data\.fields\.n: faker number\.int rejected its args/);
  noStack(r.stderr);
});

test('atEnd: stop with the hold-out file: the warm-up stays inside the data, the run ends when the rows do', async () => {
  const file = path.join(dir, 'at-end-stop.yaml');
  writeFileSync(
    file,
    readFileSync(path.join(ROOT, 'scenarios/csv-replay.yaml'), 'utf8')
      .replace(/atEnd: cycle/, 'atEnd: stop')
      .replace('path: data/telco-holdout.csv', `path: ${path.join(ROOT, 'scenarios/data/telco-holdout.csv')}`)
      .replace(/thresholds:[\s\S]*$/, ''),
  );
  const out = path.join(dir, 'at-end-stop');
  const r = await cli(['run', file, '--target', `${srv.url}/v1/models/telco:predict`, '--no-store', '--quiet', '--out', out], 60_000);
  assert.equal(r.code, 0, r.stderr);
  const sum = report(out);
  assert.equal(sum.run.status, 'completed');
  // 300 rows, 10 per request: exactly 30 requests, every one answered; the 5 s phase ended when the rows did.
  assert.equal(sum.totals.requests.scheduled, 30);
  assert.equal(sum.totals.requests.ok, 30);
  assert.deepEqual(accountingErrors(sum.totals.requests), []);
  assert.ok(sum.run.durationMs < 5_000, `run took ${sum.run.durationMs} ms`);
});

// Numbers no machine can run: exit 2 before anything starts, never "Infinity", never a spinning core.
const HUGE: [string, string[], RegExp][] = [
  ['rate: 1e308', ['test/fixtures/bad/limits-rate.yaml'], /load\.phases\[0\]\.rate must be at most 1,000,000 requests\/s/],
  ['duration: 99999999999h', ['test/fixtures/bad/limits-duration.yaml'], /load\.phases\[0\]\.duration must be at most 24h/],
  ['concurrency: 10000000', ['test/fixtures/bad/limits-concurrency.yaml'], /load\.phases\[0\]\.concurrency must be at most 100,000/],
  ['--rate 1e308', ['scenarios/telco.yaml', '--rate', '1e308'], /--rate must be at most 1,000,000 requests\/s/],
  ['--duration 99999999999h', ['scenarios/telco.yaml', '--duration', '99999999999h'], /--duration must be at most 24h/],
  ['--concurrency 10000000', ['scenarios/telco.yaml', '--concurrency', '10000000'], /--concurrency must be at most 100,000/],
  ['--workers 1000', ['scenarios/telco.yaml', '--workers', '1000'], /--workers must be at most 64/],
];
for (const [what, args, message] of HUGE) {
  test(`run with ${what}: exit 2 naming the path or flag and the bound`, async () => {
    const r = await cli(['run', ...args, '--no-store', '--quiet'], 30_000);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /Infinity/);
    noStack(r.stderr);
  });
}

test('one SIGINT mid-run of a 20-hour scenario: exit 130 within the timeout plus a bounded drain, report with consistent counts', async () => {
  const file = telco('sigint-long', '', '  phases: [{ duration: 20h, rate: 100 }]');
  const out = path.join(dir, 'sigint-long');
  const r = await cli(['run', file, '--no-store', '--out', out], 90_000, { sig: 'SIGINT', at: /sent \d+/, delayMs: 2_000 });
  assert.equal(r.code, 130, r.stderr);
  // Timeout 2 s + grace 5 s for the workers, then the report: well under 30 s after the signal.
  assert.ok(Date.now() - (r.signalledAtMs ?? 0) < 30_000);
  assert.match(r.stderr, /SIGINT — stopping: no new requests, waiting up to 2s for those in flight/);
  const sum = report(out);
  assert.equal(sum.run.status, 'interrupted');
  const req = sum.totals.requests;
  assert.deepEqual(accountingErrors(req), []);
  assert.ok(req.sent >= 100, JSON.stringify(req));
  assert.ok(req.scheduled < 100 * 60, JSON.stringify(req));
  noStack(r.stderr);
});

test('one SIGTERM while the run is starting (target and workers not yet sending): exit 130, an empty interrupted report', async () => {
  const out = path.join(dir, 'sigterm-start');
  const r = await cli(['run', 'scenarios/telco.yaml', '--no-store', '--quiet', '--duration', '1h', '--out', out], 60_000, { sig: 'SIGTERM', at: 'child', delayMs: 0 });
  assert.equal(r.code, 130, r.stderr);
  assert.ok(existsSync(path.join(out, 'report.json')), r.stderr);
  const sum = report(out);
  assert.equal(sum.run.status, 'interrupted');
  assert.deepEqual(accountingErrors(sum.totals.requests), []);
  assert.equal(sum.totals.requests.sent, 0, 'stopped before t = 0: nothing sent');
  noStack(r.stderr);
});

test('errors keep their code, details and location across a thread boundary (structured clone, as Piscina does)', () => {
  const err = new ModelwaveError('MW_FILE', 'x.csv:6: 3 cells, header has 5', ['x.csv:9: 2 cells, header has 5'], { where: { path: ['data', 'source'], file: 'x.csv', line: 6 } });
  // What a thrown Error loses on the way (the bug): the class and every own property.
  const cloned = structuredClone(err) as Error & { code?: string };
  assert.equal(cloned.code, undefined);
  const back = reviveError(structuredClone(serializeError(err)));
  assert.ok(back instanceof ModelwaveError);
  assert.equal(back.code, 'MW_FILE');
  assert.equal(back.exitCode, 2);
  assert.equal(back.message, err.message);
  assert.deepEqual(back.details, err.details);
  assert.deepEqual(back.where, err.where);
  assert.equal(serializeError(err).stack, undefined, 'a user error carries no stack across');
  // Anything else is internal (exit 1), named as such, its stack kept for MODELWAVE_DEBUG.
  const internal = reviveError(structuredClone(new TypeError('boom')), 'a load worker');
  assert.equal(internal.code, 'MW_INTERNAL');
  assert.equal(internal.exitCode, 1);
  assert.equal(internal.message, 'internal error in a load worker: boom');
  assert.equal(reviveError(structuredClone(serializeError(new RangeError('x')))).code, 'MW_INTERNAL');
});

test('the main thread sees the first failing worker as a coded error, whether it reported one or died', async () => {
  const pending = new Promise<never>(() => {});
  const reported = firstFailure([
    Promise.resolve({ ok: true as const, workerIndex: 0 }),
    Promise.resolve({ ok: false as const, workerIndex: 1, error: serializeError(new ModelwaveError('MW_FILE', 'x.csv:2: bad')) }),
    pending,
  ]);
  const e1 = await reported;
  assert.equal(e1.code, 'MW_FILE');
  assert.equal(e1.message, 'x.csv:2: bad');
  // A thread that died outright (Piscina rejects its task with a plain Error): internal, exit 1, still an answer.
  const e2 = await firstFailure([pending, Promise.reject(new Error('worker exited'))]);
  assert.equal(e2.code, 'MW_INTERNAL');
  assert.match(e2.message, /^internal error in a load worker: worker exited$/);
  // Nobody failed: it never settles (the run waits on the tasks themselves).
  const none = await Promise.race([firstFailure([Promise.resolve({ ok: true as const, workerIndex: 0 })]), new Promise((r) => setTimeout(() => r('none'), 50))]);
  assert.equal(none, 'none');
});

test('Ctrl-C with delayed feedback queued for a dead endpoint: the labels are counted failed within a bound, not retried for minutes', async () => {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  // 10 retries with backoff is ~100 s per batch: 1-label batches of every answered request would take hours.
  const file = telco('feedback-dead', '', '  phases: [{ duration: 20h, rate: 50 }]', `feedback: { url: "http://127.0.0.1:${port}/feedback", after: 1h, batchSize: 1, retries: 10 }\n`);
  const out = path.join(dir, 'feedback-dead');
  const r = await cli(['run', file, '--no-store', '--out', out], 90_000, { sig: 'SIGINT', at: /sent \d+/, delayMs: 1_000 });
  assert.equal(r.code, 130, r.stderr);
  assert.ok(Date.now() - (r.signalledAtMs ?? 0) < 40_000, 'ended within the in-flight timeout and the bounded drains');
  const sum = report(out);
  assert.equal(sum.run.status, 'interrupted');
  assert.ok(sum.totals.requests.ok > 0);
  // Every answered request's label is accounted for: none posted (nothing listens), all counted failed.
  assert.equal(sum.feedback?.labelsPosted, 0);
  assert.equal(sum.feedback?.labelsFailed, sum.totals.requests.ok);
});
