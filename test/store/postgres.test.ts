// The metrics store against real Postgres servers. Runs when MODELWAVE_TEST_PG names a database (CI sets it, e.g.
// MODELWAVE_TEST_PG=postgres://postgres@127.0.0.1:5432/test); every test works in a fresh schema dropped at the end.
// The restart test starts its own throwaway server (Postgres binaries required; see throwaway-pg.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { openStore } from '../../src/store/index.js';
import type { MetricsStore } from '../../src/store/types.js';
import { Collect, assertMatchesSynthetic, feed, parseCsvExport, parseJsonl, tempDir } from './helpers.js';
import { sampleMeta, sampleSummary, sampleWindows } from './sample.js';
import { needsPostgresBinaries, startThrowawayPostgres, type ThrowawayPostgres } from './throwaway-pg.js';

const BASE = process.env.MODELWAVE_TEST_PG;

if (!BASE) {
  test('postgres store', (t) => t.skip('needs Postgres: set MODELWAVE_TEST_PG=postgres://…'));
} else {
  const schema = `mw_test_${process.pid}_${Date.now().toString(36)}`;
  const url = `${BASE}${BASE.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const spoolDir = tempDir('pg-spool');
  let admin: pg.Client;
  const stores: MetricsStore[] = [];
  let server: ThrowawayPostgres | undefined;

  const open = async (u = url) => {
    const s = await openStore({ url: u, spoolDir });
    stores.push(s);
    return s;
  };

  before(async () => {
    admin = new pg.Client({ connectionString: BASE });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
  });

  after(async () => {
    for (const s of stores) await s.close().catch(() => undefined);
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
    await server?.stop();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  test('postgres: several processes opening at once apply each migration exactly once', async () => {
    const opened = await Promise.all([open(), open(), open()]);
    const rows = await opened[0].sql<{ version: number; n: number }>('SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version');
    assert.ok(rows.length >= 1);
    assert.ok(rows.every((r) => r.n === 1));
    const again = await open();
    assert.deepEqual(await again.sql('SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version'), rows);
    const [{ table_schema }] = await again.sql<{ table_schema: string }>("SELECT table_schema FROM information_schema.tables WHERE table_name = 'requests' AND table_schema = $1", [schema]);
    assert.equal(table_schema, schema);
  });

  test('postgres: 100k requests stored exactly once in the right windows; exports round-trip', async () => {
    const store = await open();
    const id = 'pg-100k';
    await store.beginRun(sampleMeta(id));
    const w = store.requestWriter(id);
    feed(w, 100_000, { batch: 700 });
    assert.deepEqual(await w.finish(60_000), { stored: 100_000 });
    const windows = await store.sql<{ w: number; n: number }>(
      'SELECT window_index AS w, count(*)::int AS n FROM requests WHERE run_id = $1 GROUP BY 1 ORDER BY 1', [id]);
    assert.equal(windows.length, 100);
    assert.ok(windows.every((r, i) => r.w === i && r.n === 1000));
    await store.finishRun(sampleSummary(id, 100_000, sampleWindows(100)));
    assert.equal((await store.getRun('pg-1')).windows.length, 100);

    const small = 'pg-export';
    const w2 = store.requestWriter(small);
    feed(w2, 2_345, { batch: 300, rowsPerRequest: 2 });
    await w2.finish(30_000);
    for (const format of ['csv', 'jsonl'] as const) {
      const out = new Collect();
      assert.equal(await store.exportRequests(small, format, out), 2_345);
      assertMatchesSynthetic(format === 'csv' ? parseCsvExport(out.text) : parseJsonl(out.text), 2_345, 2);
    }
  });

  test('postgres restarted mid-write: the writer spools, retries, drains — zero rows lost', { skip: needsPostgresBinaries }, async () => {
    server = await startThrowawayPostgres();
    const store = await open(server.url);
    const id = 'pg-restart';
    await store.beginRun(sampleMeta(id));
    const w = store.requestWriter(id, { batchRequests: 2_000 });
    const total = 60_000;
    const batch = 500;
    let restarted: Promise<void> | undefined;
    let sawTrouble = false;
    for (let s = 0; s < total; s += batch) {
      feed(w, batch, { from: s, batch });
      if (s === total / 4) restarted = server.restart(); // not awaited: the wave goes on while the server restarts
      if (w.stats().state !== 'ok') sawTrouble = true;
      await sleep(10);
    }
    await restarted;
    const res = await w.finish(60_000);
    assert.ok(sawTrouble || w.stats().lastError, 'the restart interrupted the writer');
    assert.deepEqual(res, { stored: total });
    const [{ n, distinct_seq }] = await store.sql<{ n: number; distinct_seq: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT seq)::int AS distinct_seq FROM requests WHERE run_id = $1', [id]);
    assert.equal(n, total);
    assert.equal(distinct_seq, total);
    const out = new Collect();
    await store.exportRequests(id, 'jsonl', out);
    assertMatchesSynthetic(parseJsonl(out.text), total);
    assert.equal((await store.finishRun(sampleSummary(id, total, []))).stored, true);
  });
}
