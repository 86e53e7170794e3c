// `modelwave history` and `modelwave store prune` on a store holding several runs of two scenarios, on the embedded
// store and (when MODELWAVE_TEST_PG names a database) on Postgres, in a fresh schema. Outlier flags are checked against
// the rule computed here independently (numpy-free: leave-one-out median and MAD by hand); prune is a dry run until
// --apply, never touches a running run, and deletes requests, windows and feedback with the run. The CLI is driven
// once on the embedded store for the table and the exit-2 messages.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../../src/store/index.js';
import type { MetricsStore } from '../../src/store/types.js';
import { flagOutliers, pruneRuns, runHistory, type HistoryRow } from '../../src/store/history.js';
import { renderHistoryHtml } from '../../src/store/history-html.js';
import { feed, tempDir } from './helpers.js';
import { sampleMeta, sampleSummary, sampleWindows } from './sample.js';
import { CLI } from '../engine/helpers.js';

const DAY = 86_400_000;

/** Seven runs of `telco` (run 4 slow, run 6 interrupted), two of `other`, one `telco` still running. */
async function fill(store: MetricsStore): Promise<void> {
  const p99s = [10, 11, 10.5, 9.8, 40, 10.2, 10.1];
  for (let i = 0; i < p99s.length; i++) {
    const id = `telco-${i}`;
    const startedAt = new Date(Date.now() - (p99s.length - i) * DAY).toISOString();
    await store.beginRun({ ...sampleMeta(id, 'telco'), startedAt });
    const w = store.requestWriter(id);
    feed(w, 100 + i);
    assert.equal((await w.finish(30_000)).stored, 100 + i);
    await store.saveFeedback(id, [{ uuid: `u-${i}`, seq: 0, label: '1', postedAt: Date.now(), outcome: 'posted' }]);
    const s = sampleSummary(id, 100 + i, sampleWindows(2, 50), 'telco');
    s.run.startedAt = startedAt;
    s.totals.latencyMs.p99 = p99s[i];
    s.totals.accuracy = 0.87 + (i % 3) * 0.001;
    s.totals.errors.rate = 0;
    s.totals.rps = 200 + i;
    if (i === 6) s.run.status = 'interrupted';
    await store.finishRun(s);
  }
  for (let i = 0; i < 2; i++) {
    const id = `other-${i}`;
    const startedAt = new Date(Date.now() - (40 + i) * DAY).toISOString();
    await store.beginRun({ ...sampleMeta(id, 'other'), startedAt });
    const s = sampleSummary(id, 10, [], 'other');
    s.run.startedAt = startedAt;
    s.store = { kind: 'embedded', location: 'x', storedRequests: 0, complete: true };
    await store.finishRun(s);
  }
  // Running, started long ago but still reporting (a fresh heartbeat): never pruned. Without the heartbeat it would read
  // as abandoned, and go.
  await store.beginRun({ ...sampleMeta('telco-live', 'telco'), startedAt: new Date(Date.now() - 60 * DAY).toISOString() });
  await store.sql("UPDATE runs SET heartbeat_at = now() WHERE id = 'telco-live'");
}

function expectedOutliers(rows: HistoryRow[], f: 'p99Ms' | 'accuracy' | 'errorRate' | 'rps'): string[] {
  const med = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  return rows
    .filter((r) => r.valid && r[f] !== undefined)
    .filter((r) => {
      const others = rows.filter((o) => o !== r && o.valid && o[f] !== undefined).map((o) => o[f]!);
      if (others.length < 4) return false;
      const m = med(others);
      const mad = 1.4826 * med(others.map((x) => Math.abs(x - m)));
      return mad > 0 ? Math.abs(r[f]! - m) > 3 * mad : Math.abs(r[f]! - m) > Math.max(1e-12, 0.01 * Math.abs(m));
    })
    .map((r) => r.id);
}

async function checkHistory(store: MetricsStore): Promise<void> {
  const h = await runHistory(store, { scenario: 'telco', limit: 20 });
  assert.equal(h.scenario, 'telco');
  assert.deepEqual(h.rows.map((r) => r.id), ['telco-6', 'telco-5', 'telco-4', 'telco-3', 'telco-2', 'telco-1', 'telco-0', 'telco-live']);
  assert.deepEqual(h.rows.map((r) => r.valid), [false, true, true, true, true, true, true, false], 'running and interrupted runs are not valid');
  assert.deepEqual(h.rows.filter((r) => r.outliers.includes('p99Ms')).map((r) => r.id), ['telco-4'], 'the slow run is flagged');
  for (const f of ['p99Ms', 'accuracy', 'errorRate', 'rps'] as const) {
    assert.deepEqual(h.rows.filter((r) => r.outliers.includes(f)).map((r) => r.id), expectedOutliers(h.rows, f), f);
  }
  assert.equal(h.rows.find((r) => r.id === 'telco-4')?.p99Ms, 40);
  // Default scenario: the most recent run's; --limit.
  const recent = await runHistory(store, { limit: 3 });
  assert.equal(recent.scenario, 'telco');
  assert.equal(recent.rows.length, 3);
  await assert.rejects(runHistory(store, { scenario: 'nope', limit: 5 }), /no runs of scenario "nope" in the store/);
}

async function checkPrune(store: MetricsStore): Promise<void> {
  // Dry run: lists, deletes nothing.
  const dry = await pruneRuns(store, { olderThanMs: 30 * DAY, apply: false });
  assert.deepEqual(dry.runs.map((r) => r.id).sort(), ['other-0', 'other-1'], 'older than 30 days, the running one excepted');
  assert.equal((await store.sql('SELECT id FROM runs')).length, 10);
  const keep = await pruneRuns(store, { keep: 5, scenario: 'telco', apply: false });
  // The 5 newest telco runs stay, and the running one, however old.
  assert.deepEqual(keep.runs.map((r) => r.id), ['telco-1', 'telco-0']);
  assert.deepEqual(keep.runs.map((r) => r.requests), [101, 100]);
  // Apply: runs, requests, windows and feedback go; the rest stays.
  const done = await pruneRuns(store, { keep: 5, scenario: 'telco', apply: true });
  assert.equal(done.applied, true);
  const left = (await store.sql<{ id: string }>('SELECT id FROM runs ORDER BY id')).map((r) => r.id);
  assert.deepEqual(left, ['other-0', 'other-1', 'telco-2', 'telco-3', 'telco-4', 'telco-5', 'telco-6', 'telco-live']);
  for (const table of ['requests', 'windows', 'feedback']) {
    const gone = await store.sql(`SELECT 1 FROM ${table} WHERE run_id IN ('telco-0', 'telco-1')`);
    assert.equal(gone.length, 0, `${table} of pruned runs deleted`);
    const kept = await store.sql(`SELECT 1 FROM ${table} WHERE run_id = 'telco-3'`);
    assert.ok(kept.length > 0, `${table} of kept runs stay`);
  }
  await assert.rejects(pruneRuns(store, { apply: false }), /exactly one of --older-than/);
  assert.equal((await pruneRuns(store, { keep: 100, apply: true })).runs.length, 0);
}

test('flagOutliers: fewer than 4 other valid runs flag nothing; an exact agreement flags any departure', () => {
  const row = (id: string, p99Ms: number, valid = true): HistoryRow => ({ id, name: 'x', status: 'completed', startedAt: '', p99Ms, errorRate: 0, valid, outliers: [] });
  const few = [row('a', 1), row('b', 1), row('c', 1), row('d', 100)];
  flagOutliers(few);
  assert.ok(few.every((r) => r.outliers.length === 0));
  const flat = [row('a', 5), row('b', 5), row('c', 5), row('d', 5), row('e', 5.2), row('f', 50, false)];
  flat[4].errorRate = 0.01;
  flagOutliers(flat);
  assert.deepEqual(flat.map((r) => r.outliers), [[], [], [], [], ['p99Ms', 'errorRate'], []], 'an invalid run is never judged nor part of the spread');
});

test('history --html: a hostile scenario name and run id stay text', () => {
  const evil = '<img src=x onerror=alert(1)></script><script>alert(2)</script>';
  const page = renderHistoryHtml(evil, [{ id: evil, name: evil, status: 'completed', startedAt: '2026-01-01T00:00:00.000Z', p99Ms: 1, valid: true, outliers: [] }]);
  assert.ok(!page.includes(evil), 'never raw');
  assert.match(page, /<title>modelwave history · &lt;img src=x onerror=alert\(1\)&gt;&lt;\/script&gt;/);
  assert.equal((page.match(/<\/script>/g) ?? []).length, 3, 'only the page\'s own scripts close');
});

test('history and prune on the embedded store, and through the CLI', { timeout: 120_000 }, async () => {
  const dir = tempDir('history');
  const storeDir = join(dir, 'store');
  const open = () => openStore({ embeddedDir: storeDir, spoolDir: join(dir, 'spool') });
  let store = await open();
  try {
    await fill(store);
    await checkHistory(store);
  } finally {
    await store.close();
  }
  const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args, '--store', storeDir], { encoding: 'utf8', timeout: 60_000 });
  const h = cli('history', '--scenario', 'telco');
  assert.equal(h.status, 0, h.stderr);
  assert.match(h.stdout, /^history of telco: 8 runs, most recent first\n/);
  assert.match(h.stdout, /\ntelco-4 .* 40\.00 ! /);
  assert.match(h.stdout, /! outside the spread of the other valid runs .*: 1 run\n/);
  // --html: one self-contained page, the runs as data, every string escaped.
  const html = join(dir, 'history.html');
  const hh = cli('history', '--scenario', 'telco', '--html', html);
  assert.equal(hh.status, 0, hh.stderr);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /<title>modelwave history · telco<\/title>/);
  assert.doesNotMatch(page, /<(?:script|link|img|iframe)[^>]+(?:src|href)=/i, 'nothing loaded from elsewhere');
  assert.equal((page.match(/<tr class="out">/g) ?? []).length, 1, 'the outlier row marked');
  const data = JSON.parse(/<script type="application\/json" id="data">([^<]*)<\/script>/.exec(page)![1]) as { runs: { id: string; outliers: string[] }[] };
  assert.deepEqual(data.runs.map((r) => r.id), ['telco-live', 'telco-0', 'telco-1', 'telco-2', 'telco-3', 'telco-4', 'telco-5', 'telco-6'], 'oldest first');
  assert.deepEqual(data.runs.find((r) => r.id === 'telco-4')?.outliers, ['p99Ms']);
  const j = JSON.parse(cli('history', '--scenario', 'telco', '--json').stdout) as { runs: HistoryRow[] };
  assert.equal(j.runs.length, 8);
  assert.deepEqual(j.runs.find((r) => r.id === 'telco-4')?.outliers, ['p99Ms']);
  store = await open();
  try {
    await checkPrune(store);
  } finally {
    await store.close();
  }
  const dry = cli('store', 'prune', '--older-than', '30d');
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /^would delete 2 runs \(0 requests\) with their windows and feedback \(dry run; --apply deletes\):\n {2}other-0/);
  const bad: [string[], RegExp][] = [
    [['store', 'prune'], /store prune needs exactly one of --older-than DURATION \(e\.g\. 30d\) or --keep N/],
    [['store', 'prune', '--older-than', '30 days'], /--older-than must be a number and a unit m, h, d or w, e\.g\. 30d \(got "30 days"\)/],
    [['store', 'prune', '--keep', '-1'], /--keep must be a whole number ≥ 0 \(got -1\)/],
    [['history', '--scenario', 'nope'], /no runs of scenario "nope" in the store\n {2}- Stored scenarios: "other", "telco"\./],
  ];
  for (const [args, msg] of bad) {
    const r = cli(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, msg);
  }
  rmSync(dir, { recursive: true, force: true });
});

const BASE = process.env.MODELWAVE_TEST_PG;
if (!BASE) {
  test('history and prune on Postgres', (t) => t.skip('needs Postgres: set MODELWAVE_TEST_PG=postgres://…'));
} else {
  const schema = `mw_hist_${process.pid}_${Date.now().toString(36)}`;
  const url = `${BASE}${BASE.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const admin = new pg.Client({ connectionString: BASE });
  after(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });
  test('history and prune on Postgres', { timeout: 120_000 }, async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const spool = tempDir('hist-pg-spool');
    const store = await openStore({ url, spoolDir: spool });
    try {
      await fill(store);
      await checkHistory(store);
      await checkPrune(store);
    } finally {
      await store.close();
      rmSync(spool, { recursive: true, force: true });
    }
  });
}
