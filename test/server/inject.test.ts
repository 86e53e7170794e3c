// Fault injection: flag parsing, and every flag observed from the client side and in /stats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { parseInjectionFlags, type InjectionFlags, type InjectionOptions } from '../../src/server/inject.js';
import { startReferenceServer, type ReferenceServerOptions } from '../../src/server/reference.js';
import { createCodec } from '../../src/codecs/index.js';
import { ModelwaveError } from '../../src/errors.js';
import { eventually, pool, post, telcoRows } from './helpers.js';

const BODY = JSON.stringify({ request: telcoRows(1)[0] });

async function withServer<T>(opts: Omit<ReferenceServerOptions, 'model'>, fn: (url: string, stats: () => ReturnType<Awaited<ReturnType<typeof startReferenceServer>>['stats']>) => Promise<T>): Promise<T> {
  const server = await startReferenceServer({ model: 'telco@v2', ...opts });
  try {
    return await fn(server.url + '/model', server.stats);
  } finally {
    await server.close();
  }
}

// Each row: flags as typed → the options they mean.
const goodFlags: [InjectionFlags, InjectionOptions][] = [
  [{ latency: '10ms' }, { latencyMs: { min: 10, max: 10 } }],
  [{ latency: '5ms..20ms' }, { latencyMs: { min: 5, max: 20 } }],
  [{ latency: '1s' }, { latencyMs: { min: 1000, max: 1000 } }], // seconds
  [{ errorRate: '0.05', resetRate: '1%', garbageRate: '0' }, { errorRate: 0.05, resetRate: 0.01, garbageRate: 0 }],
  [{ stall: '500ms/2s' }, { stall: { durationMs: 500, everyMs: 2000 } }],
  [{ seed: '42' }, { seed: 42 }],
];
for (const [flags, want] of goodFlags) {
  test(`flags ${JSON.stringify(flags)} parse`, () => assert.deepEqual(parseInjectionFlags(flags), want));
}

// Each row: a bad flag value → the exact message.
const badFlags: [InjectionFlags, string][] = [
  [{ stall: '500' }, '--stall must look like 500ms/2s (a number needs a unit: write 500ms or 0.5s) (got 500)'],
  [{ latency: '15' }, '--latency must look like 10ms or 5ms..20ms with min <= max (a number needs a unit: write 15s or 15000ms) (got 15)'], // no bare ms
  [{ latency: '5ms..20' }, '--latency must look like 10ms or 5ms..20ms with min <= max (a number needs a unit: write 20s or 20000ms) (got 5ms..20)'],
  [{ stall: '2s/500ms' }, '--stall needs 0 < duration < period, like 500ms/2s (got 2000ms/500ms)'],
  [{ stall: 'ams/2s' }, '--stall must look like 500ms/2s (got ams/2s)'],
  [{ latency: 'fast' }, '--latency must look like 10ms or 5ms..20ms with min <= max (got fast)'],
  [{ latency: '20ms..5ms' }, '--latency must look like 10ms or 5ms..20ms with min <= max (got 20ms..5ms)'],
  [{ errorRate: '1.5' }, '--error-rate must be a fraction between 0 and 1 or a percentage, like 0.05 or 5% (got 1.5)'],
  [{ resetRate: '-0.1' }, '--reset-rate must be a fraction between 0 and 1 or a percentage, like 0.05 or 5% (got -0.1)'],
  [{ errorRate: '0.6', garbageRate: '0.6' }, '--error-rate + --reset-rate + --garbage-rate must not exceed 1 (got 1.2)'],
  [{ seed: 'x' }, '--seed must be an integer (got x)'],
];
for (const [flags, message] of badFlags) {
  test(`flags ${JSON.stringify(flags)} are refused`, () => {
    assert.throws(() => parseInjectionFlags(flags), (e: unknown) => e instanceof ModelwaveError && e.exitCode === 2 && e.message === message);
  });
}

test('--latency 40ms: every answer takes at least 40 ms', async () => {
  await withServer({ latencyMs: { min: 40, max: 40 } }, async (url, stats) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
    const replies = await pool(20, 10, () => post(url, BODY, agent));
    agent.destroy();
    for (const r of replies) {
      assert.ok('status' in r && r.status === 200);
      assert.ok(r.ms >= 40, `answered after ${r.ms} ms`);
    }
    assert.equal(stats().delaysInjected.latency, 20);
  });
});

test('--latency 20ms..200ms: answers spread over the range', async () => {
  await withServer({ latencyMs: { min: 20, max: 200 } }, async (url) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
    const ms = (await pool(40, 10, () => post(url, BODY, agent))).map((r) => r.ms);
    agent.destroy();
    assert.ok(Math.min(...ms) >= 20, `min ${Math.min(...ms)}`);
    // Upper bound with room for a loaded machine; the spread shows the draw is per request.
    assert.ok(Math.max(...ms) < 200 + 500, `max ${Math.max(...ms)}`);
    assert.ok(ms.some((m) => m < 80) && ms.some((m) => m > 140), `spread ${ms.map(Math.round).join(',')}`);
  });
});

test('--error-rate 0.1 over 2000 requests: about 10% answered 500, the rest are predictions', async () => {
  await withServer({ errorRate: 0.1, seed: 3 }, async (url, stats) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 25 });
    const replies = await pool(2000, 25, () => post(url, BODY, agent));
    agent.destroy();
    const codec = createCodec({ url, protocol: 'cloudera', headers: {}, timeoutMs: 1000, rowsPerRequest: 1, maxInFlight: 25 }, [], [0, 1]);
    let errors = 0;
    for (const r of replies) {
      assert.ok('status' in r);
      if (r.status === 500) {
        errors++;
        assert.deepEqual(JSON.parse(r.body), { error: 'injected error' });
      } else {
        assert.equal(r.status, 200);
        assert.ok(codec.decode(r.body, 1).ok);
      }
    }
    // Binomial(2000, 0.1): sd ≈ 13.4; ±5 sd.
    assert.ok(errors > 200 - 67 && errors < 200 + 67, `errors ${errors}`);
    assert.equal(stats().errorsInjected.error, errors);
    assert.equal(stats().responsesByStatus['500'], errors);
  });
});

test('--seed: the same seed injects the same faults in the same order', async () => {
  const outcomes = async (seed: number) =>
    withServer({ errorRate: 0.3, garbageRate: 0.2, seed }, async (url) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const out: string[] = [];
      for (let i = 0; i < 60; i++) {
        const r = await post(url, BODY, agent);
        out.push('status' in r ? (r.status === 500 ? 'E' : r.body.startsWith('{') ? '.' : 'G') : 'X');
      }
      agent.destroy();
      return out.join('');
    });
  const a = await outcomes(11);
  assert.equal(await outcomes(11), a);
  assert.notEqual(await outcomes(12), a);
  assert.match(a, /E/);
  assert.match(a, /G/);
});

test('self warm-up: its requests bypass injection, leave the counters at zero and the fault sequence unchanged', async () => {
  const faults = async (warmupRequests: number) =>
    withServer({ errorRate: 0.5, latencyMs: { min: 5, max: 5 }, seed: 7, warmupRequests }, async (url, stats) => {
      const before = stats();
      assert.equal(before.requests, 0);
      assert.deepEqual(before.errorsInjected, { error: 0, reset: 0, garbage: 0 });
      assert.deepEqual(before.delaysInjected, { latency: 0, stall: 0 });
      assert.deepEqual(before.responsesByStatus, {});
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      let out = '';
      for (let i = 0; i < 40; i++) {
        const r = await post(url, BODY, agent);
        out += 'status' in r && r.status === 500 ? 'E' : '.';
      }
      agent.destroy();
      assert.equal(stats().requests, 40);
      return out;
    });
  const warmed = await faults(400);
  assert.equal(warmed, await faults(0)); // same seed, same faults: the warm-up drew no random numbers
  assert.match(warmed, /E/);
});

test('--reset-rate 0.3: reset requests get no answer and their connection is closed', async () => {
  await withServer({ resetRate: 0.3, seed: 5 }, async (url, stats) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 5 });
    const replies = await pool(300, 5, () => post(url, BODY, agent));
    agent.destroy();
    const resets = replies.filter((r) => 'error' in r);
    for (const r of resets) assert.ok('error' in r && /ECONNRESET|socket hang up/.test(r.error), JSON.stringify(r));
    assert.ok(replies.filter((r) => 'status' in r).every((r) => 'status' in r && r.status === 200));
    // Binomial(300, 0.3): sd ≈ 7.9; ±5 sd.
    assert.ok(resets.length > 90 - 40 && resets.length < 90 + 40, `resets ${resets.length}`);
    assert.equal(stats().errorsInjected.reset, resets.length);
  });
});

test('--garbage-rate 1: every answer is a 200 whose body is not JSON', async () => {
  await withServer({ garbageRate: 1 }, async (url, stats) => {
    const codec = createCodec({ url, protocol: 'cloudera', headers: {}, timeoutMs: 1000, rowsPerRequest: 1, maxInFlight: 1 }, []);
    for (let i = 0; i < 10; i++) {
      const r = await post(url, BODY);
      assert.ok('status' in r && r.status === 200);
      assert.throws(() => JSON.parse(r.body));
      assert.equal((codec.decode(r.body, 1) as { code: string }).code, 'BAD_JSON');
    }
    assert.equal(stats().errorsInjected.garbage, 10);
    assert.equal(stats().predictions, 0);
  });
});

test('--stall 250ms/700ms: answers due inside a stall wait for its end, the others do not', async () => {
  const D = 250;
  const P = 700;
  await withServer({ stall: { durationMs: D, everyMs: P } }, async (url, stats) => {
    const startMs = stats().startedAtMs;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const sent: Promise<{ sentAt: number; doneAt: number; ok: boolean }>[] = [];
    // Open loop: one request every 20 ms for 1.9 s, whatever the answers do.
    for (let i = 0; i < 95; i++) {
      const sentAt = performance.timeOrigin + performance.now() - startMs;
      sent.push(post(url, BODY, agent).then((r) => ({ sentAt, doneAt: performance.timeOrigin + performance.now() - startMs, ok: 'status' in r && r.status === 200 })));
      await new Promise((r) => setTimeout(r, 20));
    }
    const results = await Promise.all(sent);
    agent.destroy();
    let held = 0;
    let free = 0;
    for (const { sentAt, doneAt, ok } of results) {
      assert.ok(ok);
      const k = Math.floor(sentAt / P);
      const phase = sentAt - k * P;
      if (k >= 1 && phase < D - 30) {
        held++;
        assert.ok(doneAt >= k * P + D, `sent at ${sentAt.toFixed(1)} answered at ${doneAt.toFixed(1)}, before the stall ended at ${k * P + D}`);
      } else if (phase > D + 5 && phase < P - 150) {
        free++;
        assert.ok(doneAt < (k + 1) * P, `sent at ${sentAt.toFixed(1)} outside a stall but held until ${doneAt.toFixed(1)}`);
      }
    }
    assert.ok(held >= 10 && free >= 15, `held ${held}, free ${free}`);
    assert.ok(stats().delaysInjected.stall >= held);
  });
});

test('in-flight: N concurrent requests are counted, and drain back to 0', async () => {
  await withServer({ latencyMs: { min: 600, max: 600 } }, async (url, stats) => {
    const N = 16;
    const agent = new http.Agent({ keepAlive: true, maxSockets: N });
    const all = Promise.all(Array.from({ length: N }, () => post(url, BODY, agent)));
    // All N are held by the latency together once they have arrived.
    await eventually(`${N} requests in flight`, () => stats().inFlight >= N);
    assert.equal(stats().inFlight, N);
    await all;
    agent.destroy();
    assert.equal(stats().maxInFlight, N);
    assert.equal(stats().inFlight, 0);
  });
});
