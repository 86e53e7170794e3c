// The load engine against the reference server (separate process, loopback, bounded): rates, arrivals, the closed
// loop's in-flight bound, exact accounting under faults, and latency measured from the intended send time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executeRun, type RunSink } from '../../../src/engine/main/run.js';
import { accountingErrors } from '../../../src/engine/main/counts.js';
import { Outcome, type RecordBatch } from '../../../src/engine/types.js';
import { startServer, telcoScenario } from '../helpers.js';

/** Collects every raw record of target 0. */
function recorder(): RunSink & { records: { intendedUs: number; sentUs: number; receivedUs: number; outcome: number; seq: number }[] } {
  const records: { intendedUs: number; sentUs: number; receivedUs: number; outcome: number; seq: number }[] = [];
  return {
    records,
    onBatch(t: number, b: RecordBatch) {
      if (t !== 0) return;
      for (let i = 0; i < b.count; i++) records.push({ intendedUs: b.intendedUs[i], sentUs: b.sentUs[i], receivedUs: b.receivedUs[i], outcome: b.outcome[i], seq: b.seq[i] });
    },
  };
}

test('constant 1,000 req/s for 5 s: count and achieved rate within 2% of target; percentiles match a sort of raw latencies', async () => {
  const srv = await startServer(['--model', 'telco@v1']);
  try {
    const rec = recorder();
    const s = telcoScenario(`${srv.url}/model`, '  phases: [{ duration: 5s, rate: 1000 }]');
    const { summaries } = await executeRun(s, { sinks: [rec] });
    const sum = summaries[0];
    const req = sum.totals.requests;
    assert.equal(req.scheduled, 5000);
    assert.deepEqual(accountingErrors(req), []);
    assert.ok(Math.abs(req.sent - 5000) <= 100, `sent ${req.sent}`);
    assert.ok(Math.abs(sum.totals.rps - 1000) <= 20, `achieved ${sum.totals.rps} req/s`);
    assert.equal(rec.records.length, 5000);
    // Every sequence number exactly once.
    assert.deepEqual([...new Set(rec.records.map((r) => r.seq))].sort((a, b) => a - b), Array.from({ length: 5000 }, (_, i) => i));
    // HDR percentiles vs an exact sort: within the histogram's 3 significant digits (+1 µs rounding).
    const lat = rec.records.filter((r) => r.outcome !== Outcome.dropped).map((r) => r.receivedUs - r.intendedUs).sort((a, b) => a - b);
    // Nearest rank; the epsilon keeps 99.9/100 × 5000 = 4995.000000000001 from rounding up a whole rank.
    const exact = (q: number) => lat[Math.ceil((q * lat.length) / 100 - 1e-9) - 1] / 1000;
    for (const [q, key] of [[50, 'p50'], [90, 'p90'], [99, 'p99'], [99.9, 'p999']] as const) {
      const got = sum.totals.latencyMs[key];
      assert.ok(Math.abs(got - exact(q)) <= exact(q) * 0.002 + 0.002, `${key}: HDR ${got} ms vs exact ${exact(q)} ms`);
    }
    assert.ok(Math.abs(sum.totals.latencyMs.max - lat[lat.length - 1] / 1000) <= (lat[lat.length - 1] / 1000) * 0.002 + 0.002);
    // Latency counts from the intended time: never below the service time.
    for (const r of rec.records) assert.ok(r.receivedUs - r.intendedUs >= r.receivedUs - r.sentUs - 1e-6);
  } finally {
    await srv.stop();
  }
});

test('poisson arrivals: planned gaps have mean 1/rate and CV ≈ 1; sends follow them, never early', async () => {
  const srv = await startServer(['--model', 'telco@v1']);
  try {
    const rec = recorder();
    const s = telcoScenario(`${srv.url}/model`, '  arrivals: poisson\n  phases: [{ duration: 4s, rate: 800 }]');
    await executeRun(s, { sinks: [rec] });
    const gapsOf = (xs: number[]) => {
      const t = [...xs].sort((a, b) => a - b);
      return t.slice(1).map((x, i) => x - t[i]);
    };
    // The schedule itself (intended send times): exponential gaps, mean 1/rate, CV 1. ~3,200 gaps: the standard
    // error of the CV is ≈ 0.018.
    const planned = gapsOf(rec.records.map((r) => r.intendedUs));
    const mean = planned.reduce((a, b) => a + b, 0) / planned.length;
    const sd = Math.sqrt(planned.reduce((a, b) => a + (b - mean) ** 2, 0) / (planned.length - 1));
    assert.ok(Math.abs(mean - 1250) / 1250 < 0.06, `mean planned gap ${mean.toFixed(0)} µs, expected 1250`);
    assert.ok(Math.abs(sd / mean - 1) < 0.08, `planned coefficient of variation ${(sd / mean).toFixed(3)}`);
    // What went on the wire follows it: never early, and late by no more than the timer granularity (the engine
    // sleeps on 1 ms timers rather than spinning a core; arrivals due within one tick leave together, and the lag —
    // counted in every latency — says by how much).
    const lags = rec.records.map((r) => r.sentUs - r.intendedUs).sort((a, b) => a - b);
    assert.ok(lags[0] >= 0, `a request was sent ${(-lags[0]).toFixed(0)} µs before its intended time`);
    // How late is a machine's figure, not a correctness one: on a loaded 2-core machine the p90 went past 2.5 ms.
    // It is measured where it belongs, in the bench (`npm run bench -- --only open-5k`: lag p50/p99/max, target
    // p99 ≤ 1 ms); here only a bound that a working pacer holds on any machine: the median within 50 ms.
    const q = (p: number) => lags[Math.floor(p * (lags.length - 1))];
    assert.ok(q(0.5) < 50_000, `lag p50 ${q(0.5).toFixed(0)} µs, p90 ${q(0.9).toFixed(0)} µs`);
    const sent = gapsOf(rec.records.map((r) => r.sentUs));
    const sentMean = sent.reduce((a, b) => a + b, 0) / sent.length;
    assert.ok(Math.abs(sentMean - mean) / mean < 0.02, `mean sent gap ${sentMean.toFixed(0)} µs vs planned ${mean.toFixed(0)} µs`);
  } finally {
    await srv.stop();
  }
});

test('closed loop: the server never sees more than N requests in flight, and it does see N', async () => {
  const srv = await startServer(['--model', 'telco@v1', '--latency', '5ms']);
  try {
    const s = telcoScenario(`${srv.url}/model`, '  phases: [{ duration: 2s, concurrency: 6 }]');
    const { summaries } = await executeRun(s, {});
    const st = await srv.stats();
    assert.equal(st.maxInFlight, 6);
    const req = summaries[0].totals.requests;
    assert.deepEqual(accountingErrors(req), []);
    assert.equal(req.ok, st.requests);
    // 6 slots × ~5 ms service → on the order of 1,000 req/s; at least a few hundred.
    assert.ok(req.sent > 300, `sent ${req.sent}`);
  } finally {
    await srv.stop();
  }
});

test('injected 500s, resets and garbage bodies: accounting identities hold and match the server exactly', async () => {
  const srv = await startServer(['--model', 'telco@v1', '--error-rate', '0.1', '--reset-rate', '0.05', '--garbage-rate', '0.05', '--seed', '3']);
  try {
    const s = telcoScenario(`${srv.url}/model`, '  phases: [{ duration: 3s, rate: 500 }]');
    const { summaries } = await executeRun(s, {});
    const sum = summaries[0];
    const req = sum.totals.requests;
    const st = await srv.stats();
    assert.deepEqual(accountingErrors(req), []);
    assert.equal(req.scheduled, 1500);
    assert.equal(req.dropped, 0);
    assert.equal(req.httpErrors, st.errorsInjected.error);
    assert.equal(req.badResponses, st.errorsInjected.garbage);
    // A reset on a connection that had sat idle ≥ 1 s is taken for the server's idle timer: the request is sent once
    // more on a fresh connection (http.ts, STALE_IDLE_MS) and counted by its second answer, not as an error.
    assert.equal(req.connectionErrors + (req.retriedOnStaleConnection ?? 0), st.errorsInjected.reset);
    assert.equal(req.ok, st.requests - st.errorsInjected.error - st.errorsInjected.garbage - st.errorsInjected.reset);
    assert.ok(req.httpErrors > 80 && req.connectionErrors > 30 && req.badResponses > 30, JSON.stringify(req));
    assert.equal(sum.totals.errors.byStatus['500'], req.httpErrors);
    assert.equal(sum.totals.errors.byCode.BAD_JSON, req.badResponses);
    // Failed requests are excluded from accuracy and counted, never scored as wrong.
    assert.equal(sum.totals.quality?.scored, req.ok);
    assert.equal(sum.totals.quality?.failed, req.sent - req.ok);
  } finally {
    await srv.stop();
  }
});

test('timeouts and the in-flight cap: timeouts counted, excess requests dropped (never silently skipped)', async () => {
  const srv = await startServer(['--model', 'telco@v1', '--latency', '10ms..60ms']);
  try {
    const s = telcoScenario(`${srv.url}/model`, '  phases: [{ duration: 2s, rate: 400 }]', { timeout: '30ms' });
    s.target.maxInFlight = 8;
    const { summaries } = await executeRun(s, {});
    const req = summaries[0].totals.requests;
    assert.deepEqual(accountingErrors(req), []);
    assert.equal(req.scheduled, 800);
    assert.ok(req.timeouts > 50, `timeouts ${req.timeouts}`);
    assert.ok(req.dropped > 0, `dropped ${req.dropped}`);
    assert.equal(summaries[0].totals.errors.byCode.TIMEOUT, req.timeouts);
    // Dropped: the cap, or (on a starved machine) a send already later than the timeout.
    const byCode = summaries[0].totals.errors.byCode;
    assert.ok((byCode.IN_FLIGHT_CAP ?? 0) > 0);
    assert.equal((byCode.IN_FLIGHT_CAP ?? 0) + (byCode.LATE ?? 0), req.dropped);
    // Timed-out requests are recorded at about the timeout (30 ms) — never hidden from the tail.
    assert.ok(summaries[0].totals.serviceTimeMs.max >= 30, `max service ${summaries[0].totals.serviceTimeMs.max}`);
  } finally {
    await srv.stop();
  }
});

test('target.maxInFlight caps open loop only: a closed loop of 8 under a cap of 4 drops nothing and keeps 8 in flight', async () => {
  const srv = await startServer(['--model', 'telco@v1', '--latency', '20ms']);
  try {
    const s = telcoScenario(`${srv.url}/model`, '  phases: [{ requests: 400, concurrency: 8 }]');
    s.target.maxInFlight = 4;
    const { summaries } = await executeRun(s, { workers: 2 });
    const req = summaries[0].totals.requests;
    assert.deepEqual(accountingErrors(req), []);
    assert.equal(req.dropped, 0, `dropped ${req.dropped} (${JSON.stringify(summaries[0].totals.errors.byCode)})`);
    assert.equal(req.ok, 400);
    // The server saw the closed loop's 8 at once, above the cap of 4: the cap did not hold it back either.
    const st = await srv.stats();
    assert.ok(st.maxInFlight > 4 && st.maxInFlight <= 8, `server max in flight ${st.maxInFlight}`);
  } finally {
    await srv.stop();
  }
});

test('stalls of 500 ms every 2 s at 200 req/s: the tail shows them (p99 ≥ 400 ms, p90 ≥ 200 ms)', async () => {
  const srv = await startServer(['--model', 'telco@v1', '--stall', '500ms/2s']);
  try {
    const s = telcoScenario(`${srv.url}/model`, '  phases: [{ duration: 10s, rate: 200 }]');
    const { summaries } = await executeRun(s, {});
    const l = summaries[0].totals.latencyMs;
    // Analytic: a quarter of the time is stalled; waits are uniform in (0, 500] ms → p90 ≈ 300, p99 ≈ 480.
    assert.ok(l.p99 >= 400, `p99 ${l.p99}`);
    assert.ok(l.p90 >= 200, `p90 ${l.p90}`);
    assert.equal(summaries[0].totals.requests.scheduled, 2000);
    assert.equal(summaries[0].totals.requests.dropped, 0);
  } finally {
    await srv.stop();
  }
});
