// The metrics store on its embedded engine (PGlite on disk): one store for the whole file, unique run ids per test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStore } from '../../src/store/index.js';
import { ModelwaveError } from '../../src/errors.js';
import type { MetricsStore } from '../../src/store/types.js';
import { Collect, assertMatchesSynthetic, feed, parseCsvExport, parseJsonl, tempDir } from './helpers.js';
import { sampleMeta, sampleSummary, sampleWindows } from './sample.js';

const dir = tempDir('embedded');
const storeDir = join(dir, 'store');
const spoolDir = join(dir, 'spool');
let store: MetricsStore;

before(async () => {
  store = await openStore({ embeddedDir: storeDir, spoolDir });
});
after(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('migrations are recorded once and reapplying them on reopen changes nothing', async () => {
  const versions = async () => store.sql<{ version: number; n: number }>('SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version ORDER BY version');
  const first = await versions();
  assert.ok(first.length >= 1);
  assert.ok(first.every((r) => r.n === 1));
  await store.close();
  store = await openStore({ embeddedDir: storeDir, spoolDir });
  assert.deepEqual(await versions(), first);
  const lookups = await store.sql<{ name: string }>('SELECT name FROM outcomes ORDER BY code');
  assert.deepEqual(lookups.map((r) => r.name), ['ok', 'httpError', 'timeout', 'connectionError', 'badResponse', 'dropped']);
});

test('a second open of the same embedded directory is refused, naming the holder', async () => {
  await assert.rejects(openStore({ embeddedDir: storeDir, spoolDir }), (err: unknown) => {
    assert.ok(err instanceof ModelwaveError);
    assert.equal(err.code, 'MW_STORE_UNREACHABLE');
    assert.match(err.message, /in use by this process/);
    return true;
  });
});

test('100k requests through the writer are stored exactly once, in the right windows', async () => {
  const id = 'emb-100k';
  await store.beginRun(sampleMeta(id));
  const w = store.requestWriter(id);
  feed(w, 100_000, { batch: 700 });
  const res = await w.finish(60_000);
  assert.deepEqual(res, { stored: 100_000 });
  const [{ n, distinct_seq }] = await store.sql<{ n: number; distinct_seq: number }>(
    'SELECT count(*) AS n, count(DISTINCT seq) AS distinct_seq FROM requests WHERE run_id = $1', [id]);
  assert.equal(n, 100_000);
  assert.equal(distinct_seq, 100_000);
  const windows = await store.sql<{ w: number; n: number; lo: number; hi: number }>(
    'SELECT window_index AS w, count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM requests WHERE run_id = $1 GROUP BY 1 ORDER BY 1', [id]);
  assert.equal(windows.length, 100);
  windows.forEach((r, i) => assert.deepEqual(r, { w: i, n: 1000, lo: i * 1000, hi: i * 1000 + 999 }));
  const [dropped] = await store.sql<{ n: number; sent: number | null }>(
    "SELECT count(*) AS n, max(sent_us) AS sent FROM request_view WHERE run_id = $1 AND outcome_name = 'dropped'", [id]);
  assert.deepEqual(dropped, { n: 2000, sent: null });
  const byUuid = await store.sql<{ seq: number; latency_us: number }>('SELECT seq, latency_us FROM requests WHERE uuid = $1', ['u-2a']);
  assert.deepEqual(byUuid, [{ seq: 42, latency_us: 1000 + (42 % 97) }]);
});

test('exports round-trip: CSV and JSONL parse back to exactly the records written', async () => {
  const id = 'emb-export';
  const w = store.requestWriter(id);
  feed(w, 3_210, { batch: 256 });
  assert.equal((await w.finish(30_000)).stored, 3_210);
  for (const format of ['csv', 'jsonl'] as const) {
    const out = new Collect();
    assert.equal(await store.exportRequests(id, format, out), 3_210);
    const recs = format === 'csv' ? parseCsvExport(out.text) : parseJsonl(out.text);
    assertMatchesSynthetic(recs, 3_210);
  }
});

test('a replayed batch (rows already stored) falls back from COPY to the idempotent INSERT: each request once', async () => {
  const id = 'emb-replay';
  const first = store.requestWriter(id);
  feed(first, 1_000, { batch: 250 });
  assert.equal((await first.finish(30_000)).stored, 1_000);
  // The same 1,000 again plus 500 new ones, in batches that straddle the boundary (one COPY per batch fails).
  const again = store.requestWriter(id);
  feed(again, 1_500, { batch: 300 });
  assert.equal((await again.finish(30_000)).stored, 1_500);
  const out = new Collect();
  assert.equal(await store.exportRequests(id, 'jsonl', out), 1_500);
  assertMatchesSynthetic(parseJsonl(out.text), 1_500); // quotes, commas and backslashes in uuids survive the CSV
});

test('several rows per request are stored as arrays and export as arrays', async () => {
  const id = 'emb-rows3';
  const w = store.requestWriter(id);
  feed(w, 1_200, { batch: 100, rowsPerRequest: 3 });
  assert.equal((await w.finish(30_000)).stored, 1_200);
  const [row] = await store.sql<{ prediction: number | null; predictions: number[] }>(
    'SELECT prediction, predictions FROM requests WHERE run_id = $1 AND seq = 0', [id]);
  assert.deepEqual(row, { prediction: null, predictions: [0, 1, 0] });
  for (const format of ['csv', 'jsonl'] as const) {
    const out = new Collect();
    await store.exportRequests(id, format, out);
    assertMatchesSynthetic(format === 'csv' ? parseCsvExport(out.text) : parseJsonl(out.text), 1_200, 3);
  }
});

test('past its memory bound the writer spills to the spool, then drains it: nothing lost, spool removed', async () => {
  const id = 'emb-spill';
  const w = store.requestWriter(id, { maxQueuedRequests: 1_000, batchRequests: 1_000 });
  feed(w, 20_000, { batch: 500 }); // synchronously: the pump cannot keep up, so most of it spills
  for (let i = 0; i < 500 && w.stats().queued > 1_000; i++) await sleep(10);
  assert.ok(w.stats().queued <= 1_000, 'memory back within the bound');
  assert.ok(w.stats().spooled > 0, 'records were spooled');
  const res = await w.finish(60_000);
  assert.deepEqual(res, { stored: 20_000 });
  assert.equal(existsSync(join(spoolDir, `${id}.spool`)), false);
  const [{ n }] = await store.sql<{ n: number }>('SELECT count(*) AS n FROM requests WHERE run_id = $1', [id]);
  assert.equal(n, 20_000);
});

test('a store that rejects inserts: records go to the spool, and importSpool loads them with zero loss', async () => {
  const id = 'emb-reject';
  await store.sql(`CREATE FUNCTION reject_test_rows() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.run_id = '${id}' THEN RAISE EXCEPTION 'rejected for the test'; END IF; RETURN NEW; END $$`);
  await store.sql('CREATE TRIGGER reject_test BEFORE INSERT ON requests FOR EACH ROW EXECUTE FUNCTION reject_test_rows()');
  try {
    await store.beginRun(sampleMeta(id));
    const w = store.requestWriter(id, { batchRequests: 2_000 });
    feed(w, 10_000, { batch: 1_000 });
    const res = await w.finish(20_000);
    assert.equal(res.stored, 0);
    assert.equal(res.spoolPath, join(spoolDir, `${id}.spool`));
    assert.match(res.error ?? '', /rejected for the test/);
    assert.equal(w.stats().state, 'spool-only');
  } finally {
    await store.sql('DROP TRIGGER reject_test ON requests');
    await store.sql('DROP FUNCTION reject_test_rows()');
  }
  const imported = await store.importSpool(join(spoolDir, `${id}.spool`));
  assert.deepEqual(imported.runId, id);
  const out = new Collect();
  await store.exportRequests(id, 'jsonl', out);
  assertMatchesSynthetic(parseJsonl(out.text), 10_000);
  // importing again is harmless
  await store.importSpool(join(spoolDir, `${id}.spool`));
  const [{ n }] = await store.sql<{ n: number }>('SELECT count(*) AS n FROM requests WHERE run_id = $1', [id]);
  assert.equal(n, 10_000);
});

test('finishRun stores summary and windows; runs, show and prefixes read them back; secrets are not stored', async () => {
  const id = 'emb-summary-7f3a';
  await store.beginRun(sampleMeta(id, 'summary run'));
  const windows = sampleWindows(12);
  assert.deepEqual(await store.saveWindows(id, windows.slice(0, 4)), { stored: true });
  const summary = sampleSummary(id, 12_000, windows, 'summary run');
  assert.deepEqual(await store.finishRun(summary), { stored: true });

  const run = await store.getRun('emb-summary-7');
  assert.equal(run.id, id);
  assert.equal(run.status, 'completed');
  assert.deepEqual(run.windows, windows);
  assert.deepEqual(run.summary?.totals, summary.totals);
  assert.deepEqual(await store.getSummary(id), JSON.parse(JSON.stringify({ ...summary, scenario: run.summary?.scenario })));
  assert.doesNotMatch(JSON.stringify(await store.sql('SELECT scenario, summary FROM runs WHERE id = $1', [id])), /SECRET-TOKEN/);

  const listed = (await store.listRuns(50)).find((r) => r.id === id);
  assert.deepEqual(listed, {
    id, name: 'summary run', status: 'completed', startedAt: summary.run.startedAt, endedAt: summary.run.endedAt,
    target: summary.run.target, sent: summary.totals.requests.sent, ok: summary.totals.requests.ok,
    errorRate: summary.totals.errors.rate, rps: summary.totals.rps, p99Ms: summary.totals.latencyMs.p99,
    accuracy: summary.totals.accuracy, storedRequests: 12_000,
  });
});

test('unknown and ambiguous run ids are usage errors (exit 2) that say what to do', async () => {
  await assert.rejects(store.getRun('no-such-run'), (err: unknown) =>
    err instanceof ModelwaveError && err.exitCode === 2 && /no run "no-such-run"/.test(err.message) && /modelwave runs/.test(err.details.join(' ')));
  await assert.rejects(store.getSummary('emb-'), (err: unknown) =>
    err instanceof ModelwaveError && err.exitCode === 2 && /ambiguous/.test(err.message));
  await assert.rejects(store.getSummary('emb-100k'), (err: unknown) =>
    err instanceof ModelwaveError && err.exitCode === 2 && /did not finish/.test(err.message));
});

test('feedback is stored once per (uuid, seq), the last outcome winning', async () => {
  const id = 'emb-feedback';
  const at = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
  await store.saveFeedback(id, [
    { uuid: 'u-1', seq: 1, label: '1', postedAt: at, outcome: 'failed' },
    { uuid: 'u-2', seq: 2, label: '0', postedAt: at, outcome: 'ok' },
    { uuid: 'u-1', seq: 1, label: '1', postedAt: at + 1000, outcome: 'ok' },
  ]);
  await store.saveFeedback(id, [{ uuid: 'u-2', seq: 2, label: '0', postedAt: at, outcome: 'ok' }]);
  const rows = await store.sql<{ uuid: string; outcome: string; posted_at: Date }>(
    'SELECT uuid, outcome, posted_at FROM feedback WHERE run_id = $1 ORDER BY uuid', [id]);
  assert.deepEqual(rows.map((r) => [r.uuid, r.outcome, r.posted_at.getTime()]), [['u-1', 'ok', at + 1000], ['u-2', 'ok', at]]);
});

test('a spool-only store (optional, unreachable) spools everything; importing it recreates the whole run', async () => {
  const id = 'emb-offline';
  const offline = await openStore({ url: 'postgres://mw:pw@127.0.0.1:1/none', optional: true, spoolDir });
  assert.deepEqual(offline.info(), { kind: 'postgres', location: 'postgres://127.0.0.1:1/none', connected: false });
  const began = await offline.beginRun(sampleMeta(id));
  assert.equal(began.stored, false);
  const w = offline.requestWriter(id);
  feed(w, 5_000, { batch: 1_000 });
  const res = await w.finish(1_000);
  assert.equal(res.stored, 0);
  assert.match(res.error ?? '', /cannot reach the metrics store at postgres:\/\/127\.0\.0\.1:1\/none/);
  const windows = sampleWindows(5);
  const fin = await offline.finishRun(sampleSummary(id, 5_000, windows));
  assert.equal(fin.spoolPath, res.spoolPath);
  await offline.close();
  assert.doesNotMatch(readFileSync(res.spoolPath!, 'utf8'), /SECRET-TOKEN|:pw@/);

  const imported = await store.importSpool(res.spoolPath!);
  assert.equal(imported.runId, id);
  assert.equal(imported.requests, 5_000);
  const run = await store.getRun(id);
  assert.equal(run.status, 'completed');
  assert.equal(run.windows.length, 5);
  // the import recounted the stored requests; 5 000 = sent + dropped, so the run is complete now
  assert.deepEqual({ ...run.summary?.store }, { kind: 'embedded', location: 'x', storedRequests: 5_000, complete: true });
});
