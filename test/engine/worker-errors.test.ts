// The error envelope across the worker → main seam: whatever a worker throws reaches the main thread as a
// ModelwaveError with its code (one of the ErrorCode union), message, details and place — never a codeless Error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { MW_CODES, ModelwaveError, reviveError, serializeError, type SerializedError } from '../../src/errors.js';
import { executeRun } from '../../src/engine/main/run.js';
import { firstFailure } from '../../src/engine/main/lifecycle.js';
import type { WorkerOutcome } from '../../src/engine/task.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import { startServer } from './helpers.js';

/** `v` after a real structured clone through a MessagePort, as a worker's message or task result crosses. */
async function acrossThreads<T>(v: T): Promise<T> {
  const { port1, port2 } = new MessageChannel();
  const got = new Promise<T>((resolve) => port2.once('message', resolve));
  port1.postMessage(v);
  try {
    return await got;
  } finally {
    port1.close();
  }
}

for (const code of MW_CODES) {
  test(`envelope: ${code} crosses a thread with its code, message, details, place and exit code`, async () => {
    const sent = new ModelwaveError(code, `a ${code} error`, ['first detail', 'second detail'], { where: { path: ['data', 'source'], file: 'x.csv', line: 3 } });
    const wire: SerializedError = await acrossThreads(serializeError(sent));
    const back = reviveError(wire);
    assert.equal(back.code, code);
    assert.equal(back.message, `a ${code} error`);
    assert.deepEqual(back.details, ['first detail', 'second detail']);
    assert.deepEqual(back.where, { path: ['data', 'source'], file: 'x.csv', line: 3 });
    assert.equal(back.exitCode, sent.exitCode);
  });
}

test('envelope: an error without a code (a bug, a plain Error) crosses as MW_INTERNAL with its message', async () => {
  const back = reviveError(await acrossThreads(serializeError(new TypeError('x is not a function'))));
  assert.equal(back.code, 'MW_INTERNAL');
  assert.equal(back.message, 'x is not a function');
  // A worker thread that died outright: Piscina rejects with a structured-cloned Error, which has lost any code.
  const died = await firstFailure([Promise.reject(await acrossThreads(new Error('worker terminated')))]);
  assert.equal(died.code, 'MW_INTERNAL');
  assert.match(died.message, /in a load worker: worker terminated/);
});

test('envelope: a failed WorkerOutcome is the first failure, with its code', async () => {
  const outcome: WorkerOutcome = await acrossThreads({ ok: false, workerIndex: 1, error: serializeError(new ModelwaveError('MW_FILE', 'data.csv:9: bad row')) });
  const err = await firstFailure([new Promise<WorkerOutcome>(() => {}), Promise.resolve(outcome)]);
  assert.equal(err.code, 'MW_FILE');
  assert.equal(err.message, 'data.csv:9: bad row');
});

test('a real worker refusing faker args: the run fails with MW_SCENARIO_INVALID and the field path, not an internal error', async () => {
  const srv = await startServer(['--model', 'telco@v2']);
  try {
    // faker accepts these args in the main thread's checks and refuses them only when a worker generates a row.
    const s = parseScenarioText(
      `name: worker-error
target: { url: "${srv.url}/model", protocol: cloudera, timeout: 2s }
data:
  fields:
    iot_signal_1: { int: [1, 10] }
    n: { faker: number.int, args: { min: 1, max: 2, multipleOf: 5 } }
label:
  logistic: { bias: -3, weights: { iot_signal_1: 0.3 } }
load:
  phases: [{ duration: 1s, rate: 10 }]
`,
      '/tmp/worker-error.yaml',
    );
    const err: unknown = await executeRun(s, { workers: 1 }).then(
      (r) => r.failure,
      (e: unknown) => e,
    );
    assert.ok(err instanceof ModelwaveError, `a ModelwaveError, got ${String(err)}`);
    assert.equal(err.code, 'MW_SCENARIO_INVALID');
    assert.match(err.message, /data\.fields\.n: faker number\.int rejected its args/);
  } finally {
    await srv.stop();
  }
});
