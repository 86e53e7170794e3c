// The live outputs' pure parts: the event builder fed by hand (window closing, phase and time left, per-second deltas,
// lag), the HOST:PORT parser, and the page's JSON-in-script escaping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TargetAccumulator } from '../../src/engine/main/accumulate.js';
import { windowGrid, windowIndex } from '../../src/engine/windows.js';
import { initHistograms } from '../../src/stats/hist.js';
import { labelsOf } from '../../src/engine/main/labels.js';
import { Outcome, type RecordBatch } from '../../src/engine/types.js';
import type { LiveFigures } from '../../src/engine/main/sink.js';
import { LiveEventBuilder, type LiveEvent } from '../../src/live/event.js';
import { parseHostPort, parsePort } from '../../src/live/listen.js';
import { jsonForScript, pageConfig } from '../../src/live/page.js';
import { telcoScenario } from '../engine/helpers.js';

/** A batch of `n` requests with seq from `seq0`, intended at `atUs` + i ms, all ok and correct (label = prediction = 1). */
function batch(seq0: number, n: number, atUs: number, o: { phase?: number; outcome?: number; lagUs?: number } = {}): RecordBatch {
  const f = (v: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => v(i));
  return {
    count: n,
    rowsPerRequest: 1,
    seq: f((i) => seq0 + i),
    target: new Uint8Array(n),
    phase: new Uint8Array(n).fill(o.phase ?? 0),
    worker: new Uint8Array(n),
    window: new Int32Array(n), // filled by setup's feed, as a worker would
    intendedUs: f((i) => atUs + i * 1000),
    sentUs: f((i) => (o.outcome === Outcome.dropped ? NaN : atUs + i * 1000 + (o.lagUs ?? 0))),
    receivedUs: f((i) => (o.outcome === Outcome.dropped ? NaN : atUs + i * 1000 + 5000)),
    outcome: new Uint8Array(n).fill(o.outcome ?? Outcome.ok),
    status: new Uint16Array(n).fill(200),
    errorCode: new Uint8Array(n).fill(o.outcome === Outcome.timeout ? 2 : 0),
    prediction: f(() => 1),
    probability: f(() => NaN),
    label: f(() => 1),
    readAs: new Uint8Array(n).fill(1),
    uuid: Array.from({ length: n }, () => ''),
  };
}

function setup(load: string, extra: string) {
  const s = telcoScenario('http://127.0.0.1:1/model', load, { extra });
  const acc = new TargetAccumulator(s.load.phases.map((p) => p.warmup), labelsOf(s), false);
  const grid = windowGrid(s.windows);
  const b = new LiveEventBuilder(s, 'run-1', 0);
  const events: LiveEvent[] = [];
  b.listen((e) => events.push(e));
  const feed = (x: RecordBatch) => {
    for (let i = 0; i < x.count; i++) x.window[i] = windowIndex(grid, x.seq[i], x.intendedUs[i]);
    acc.addBatch(x);
    b.onBatch(0, x);
  };
  const tick = (elapsedMs: number, extraFig: Partial<LiveFigures> = {}) =>
    b.onTick({ elapsedMs, plannedMs: undefined, plannedRps: 100, achievedRps: 0, inFlight: 3, sent: 0, errors: 0, dropped: 0, p50Ms: 0, p99Ms: 0, accumulators: [acc], ...extraFig });
  return { s, acc, b, events, feed, tick };
}

test('live events: per-second deltas, warm-up apart, lag, phase and time left', async () => {
  await initHistograms();
  const { events, feed, tick } = setup(
    '  phases:\n    - { name: warm, duration: 1s, rate: 100, warmup: true }\n    - { name: main, duration: 3s, rate: 100 }',
    'windows: { every: 50 }',
  );
  feed(batch(0, 80, 0, { phase: 0, lagUs: 300 }));
  tick(1000);
  feed(batch(80, 60, 1_000_000, { phase: 1, lagUs: 100 }));
  feed(batch(140, 10, 1_060_000, { phase: 1, outcome: Outcome.timeout, lagUs: 100 }));
  feed(batch(150, 5, 1_070_000, { phase: 1, outcome: Outcome.dropped }));
  tick(2000);
  tick(2500);
  const [a, b, c] = events;
  // Row 1: warm-up only.
  assert.equal(a.requests.scheduled, 0);
  assert.equal(a.warmupRequests, 80);
  assert.deepEqual(a.lagMs, { mean: 0.3, max: 0.3 });
  assert.deepEqual(a.phase, { index: 1, name: 'main', kind: 'open', warmup: false, of: 2 });
  assert.equal(a.timeLeftS, 3);
  assert.equal(a.rates.achievedRps, 80);
  // Row 2: 60 ok + 10 timeouts + 5 dropped in the main phase.
  assert.deepEqual(b.requests, { scheduled: 75, sent: 70, ok: 60, httpErrors: 0, timeouts: 10, connectionErrors: 0, badResponses: 0, dropped: 5 });
  assert.deepEqual(b.errors.byKind, { httpErrors: 0, timeouts: 10, connectionErrors: 0, badResponses: 0, dropped: 5 });
  assert.deepEqual(b.errors.byCode, { TIMEOUT: 10, NONE: 5 }, 'by code, as the accumulator counts them');
  assert.equal(b.errors.rate, Math.round((10 / 70) * 1e6) / 1e6);
  assert.equal(b.rates.achievedRps, 70);
  assert.equal(b.rates.successfulRps, 60);
  assert.equal(b.lagMs?.mean, 0.1, 'dropped requests have no lag');
  assert.equal(b.timeLeftS, 2);
  // Row 3: nothing new, half a second: zero deltas, no lag.
  assert.equal(c.requests.scheduled, 0);
  assert.equal(c.rates.achievedRps, 0);
  assert.equal(c.lagMs, null);
  assert.equal(c.totals.scheduled, 75);
  assert.deepEqual(events.map((e) => e.seq), [0, 1, 2]);
  assert.equal(c.inFlight, 3);
  assert.equal(c.rates.plannedRps, 100);
});

test('live events: a count window closes when full, or when a later one exists and it went quiet', async () => {
  await initHistograms();
  const { events, feed, tick } = setup('  phases:\n    - { name: main, duration: 60s, rate: 100 }', 'windows: { every: 50 }');
  feed(batch(0, 50, 0)); // window 0, full
  feed(batch(50, 30, 500_000)); // window 1, partial
  tick(1000);
  assert.deepEqual(events[0].windows.map((w) => w.index), [0]);
  assert.equal(events[0].windows[0].accuracy, 1);
  assert.equal(events[0].windows[0].n, 50);
  assert.deepEqual(events[0].windows[0].ci, [0.928652, 1]);
  feed(batch(100, 10, 1_000_000)); // window 2 begins; window 1 still short of 20 requests
  tick(2000);
  assert.deepEqual(events[1].windows, [], 'window 1 waits for the request timeout (2 s) plus a second');
  tick(4000);
  assert.deepEqual(events[2].windows.map((w) => w.index), [1], 'quiet for timeout + 1 s with a later window: closed');
  assert.equal(events[2].windowsClosed, 2);
  assert.equal(events[2].drift?.detected, false);
});

test('live events: a span window closes after its span plus the timeout and a second', async () => {
  await initHistograms();
  const { events, feed, tick } = setup('  phases:\n    - { name: main, duration: 60s, rate: 100 }', 'windows: { span: 1s }');
  feed(batch(0, 20, 0));
  tick(1000);
  tick(3900);
  assert.deepEqual(events.flatMap((e) => e.windows), []);
  tick(4000);
  assert.deepEqual(events[2].windows.map((w) => w.index), [0]);
});

test('live events: a closed phase without a duration has no time left', async () => {
  await initHistograms();
  const { events, feed, tick } = setup(
    '  phases:\n    - { name: open, duration: 1s, rate: 100 }\n    - { name: sat, concurrency: 4, requests: 100 }',
    '',
  );
  tick(500);
  feed(batch(0, 10, 1_100_000, { phase: 1 }));
  tick(1500);
  assert.equal(events[0].phase?.name, 'open');
  assert.equal(events[0].timeLeftS, null);
  assert.deepEqual(events[1].phase, { index: 1, name: 'sat', kind: 'closed', warmup: false, of: 2 });
});

test('parseHostPort and parsePort: every form, and the message for the rest', () => {
  const ok: [string, { host: string; port: number }][] = [
    ['9464', { host: '127.0.0.1', port: 9464 }], // a port alone
    [':9464', { host: '127.0.0.1', port: 9464 }], // an empty host
    ['0.0.0.0:80', { host: '0.0.0.0', port: 80 }], // any address
    ['[::1]:9464', { host: '::1', port: 9464 }], // IPv6 in brackets
    ['localhost:0', { host: 'localhost', port: 0 }], // a name, a free port
  ];
  for (const [v, want] of ok) assert.deepEqual(parseHostPort('--prometheus', v), want, v);
  for (const v of ['', 'host', 'host:', 'host:99999', 'a b:80', '::1:80', 'http://x:80']) {
    assert.throws(() => parseHostPort('--prometheus', v), /--prometheus must be HOST:PORT or PORT, e\.g\. 127\.0\.0\.1:9464/, v);
  }
  assert.equal(parsePort('--dashboard-port', '5665'), 5665);
  for (const v of ['-1', '1e3', '65536', 'x', '']) assert.throws(() => parsePort('--dashboard-port', v), /--dashboard-port must be a port number 0\.\.65535/, v);
});

test('jsonForScript: nothing in a string can close the script element or start markup', () => {
  const nasty = { name: '</script><script>alert(1)</script><!-- \u2028 & >' };
  const out = jsonForScript(nasty);
  assert.doesNotMatch(out, /<|>|&|\u2028/);
  assert.deepEqual(JSON.parse(out), nasty);
  const s = telcoScenario('http://127.0.0.1:1/model', '  phases:\n    - { duration: 1s, rate: 10 }', {
    extra: 'thresholds:\n  latency.p99: "< 250ms"\n  accuracy: ">= 0.6"\n  errors.rate: "< 1%"',
  });
  assert.deepEqual(pageConfig(s, 'r').latencyLines, [{ label: 'latency.p99 < 250ms', key: 'p99', ms: 250 }]);
  assert.deepEqual(pageConfig(s, 'r').accuracyLines, [{ label: 'accuracy >= 0.6', value: 0.6 }]);
});
