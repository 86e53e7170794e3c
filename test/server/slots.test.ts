// `serve --slots K --latency S`: K requests in service at once, the rest wait in arrival order; capacity K / S.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startReferenceServer } from '../../src/server/reference.js';
import { Slots } from '../../src/server/slots.js';
import { ModelwaveError } from '../../src/errors.js';
import { post } from './helpers.js';

test('Slots: at most K at once, the rest start in arrival order as slots free', () => {
  const slots = new Slots(2);
  const started: number[] = [];
  for (let i = 0; i < 5; i++) slots.enter(() => started.push(i));
  assert.deepEqual(started, [0, 1]);
  assert.equal(slots.queued, 3);
  slots.leave();
  assert.deepEqual(started, [0, 1, 2]);
  slots.leave();
  slots.leave();
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  slots.leave();
  slots.leave();
  // Every slot free again: the next request starts at once.
  slots.enter(() => started.push(5));
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5]);
  assert.throws(() => new Slots(0), RangeError);
});

test('reference server with 2 slots of 100 ms: 6 requests at once finish in three waves of two', async () => {
  const server = await startReferenceServer({ model: 'telco@v1', slots: 2, latencyMs: { min: 100, max: 100 } });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  try {
    const body = JSON.stringify({ request: { iot_signal_1: 5, iot_signal_2: 5, iot_signal_3: 52, iot_signal_4: 104 } });
    const replies = await Promise.all(Array.from({ length: 6 }, () => post(`${server.url}/model`, body, agent)));
    const ms = replies.map((r) => r.ms).sort((a, b) => a - b);
    // Waves end at 100, 200, 300 ms. A loaded machine only adds time, so the lower bounds are exact: the i-th reply
    // ending no earlier than its wave shows that no more than two were answered at once. The one upper bound is on
    // the last reply: one slot would need 600 ms for six, two need 300; 500 leaves 200 ms to a busy machine (a bound
    // on every wave, +80 ms, broke under load).
    for (const [i, m] of ms.entries()) {
      const wave = Math.floor(i / 2) + 1;
      assert.ok(m >= wave * 100 - 5, `reply ${i}: ${m.toFixed(1)} ms, before the end of wave ${wave}`);
    }
    assert.ok(ms[5]! < 500, `the last reply after ${ms[5]!.toFixed(1)} ms: the six were not answered two at a time`);
    assert.equal(server.stats().maxInFlight, 6);
    assert.ok(replies.every((r) => 'status' in r && r.status === 200));
  } finally {
    agent.destroy();
    await server.close();
  }
});

test('--slots needs --latency', async () => {
  await assert.rejects(startReferenceServer({ model: 'telco@v1', slots: 2 }), (e: unknown) => e instanceof ModelwaveError && e.exitCode === 2 && /needs --latency/.test(e.message));
});
