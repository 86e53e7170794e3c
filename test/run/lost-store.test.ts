// Issue 13, "a finished measurement lost", the store side, with the real CLI against the built-in reference target:
// - Postgres dies mid-run and stays down (a throwaway server we kill): one Ctrl-C ends the run with its report
//   (exit 130) — during the wave or while the run waits for the store — the records go to the spool, and once the
//   server is back `store import` leaves the run row finished (never `running`) with every request;
// - a failed start (target unreachable, exit 3) leaves its row `failed` with the reason, not `running`;
// - a row whose process stopped reporting reads `abandoned`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Summary } from '../../src/summary/types.js';
import type { RunListing } from '../../src/store/types.js';
import { openStore } from '../../src/store/index.js';
import { CLI, writeTelcoFile } from '../engine/helpers.js';
import { watchOutput } from '../cli/output.js';
import { needsPostgresBinaries, startThrowawayPostgres, type ThrowawayPostgres } from '../store/throwaway-pg.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mw-lost-store-'));
let server: ThrowawayPostgres;

// The tests that kill or read the throwaway server say they are skipped without Postgres binaries.
const skip = needsPostgresBinaries;
before(async () => {
  if (!skip) server = await startThrowawayPostgres();
});
after(async () => {
  await server?.stop();
});

interface Child {
  pid: number;
  stdout: () => string;
  stderr: () => string;
  /** The first match of `re` on stderr (its data events settle it); rejects if the run ends first. */
  stderrMatch: (re: RegExp) => Promise<RegExpExecArray>;
  exit: Promise<{ code: number | null; atMs: number }>;
}

/** The CLI in the background, in `cwd`; killed (and the test failed by its bound) if it outlives `boundMs`. */
function cli(args: string[], cwd: string, boundMs: number): Child {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, MODELWAVE_STORE: '' } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const err = watchOutput(child.stderr);
  const killer = setTimeout(() => child.kill('SIGKILL'), boundMs);
  const exit = new Promise<{ code: number | null; atMs: number }>((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, atMs: Date.now() });
    }),
  );
  return { pid: child.pid!, stdout: () => out, stderr: err.text, stderrMatch: (re) => err.match(re, boundMs), exit };
}

const cliSync = (args: string[], cwd = dir) => spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 180_000, env: { ...process.env, MODELWAVE_STORE: '' } });

/** Wait for `ok` (a store row: no event tells us, so it is polled); fail at once (with its stderr) if the run ends first. */
async function until(what: string, run: Child, ok: () => Promise<boolean> | boolean, timeoutMs = 180_000): Promise<void> {
  let ended = false;
  void run.exit.then(() => (ended = true));
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (ended) throw new Error(`the run ended before ${what}:\n${run.stderr()}`);
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${run.stderr()}`);
    await sleep(100);
  }
}

/** Whether the run named `name` has its row in the store (written before the wave). */
async function rowExists(name: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: server.url });
  try {
    await c.connect();
    return (await c.query('SELECT 1 FROM runs WHERE name = $1', [name])).rows.length > 0;
  } catch {
    return false; // the table does not exist before the run's store opens
  } finally {
    await c.end().catch(() => undefined);
  }
}

function runRow(id: string): RunListing {
  const r = cliSync(['runs', '--store', server.url, '--json', '--limit', '100']);
  assert.equal(r.status, 0, r.stderr);
  const row = (JSON.parse(r.stdout) as RunListing[]).find((x) => x.id === id);
  assert.ok(row, `run ${id} is listed`);
  return row;
}

/** Every request accounted for in the report. */
function assertCounts(s: Summary): void {
  const q = s.totals.requests;
  assert.ok(q.sent > 0, 'the wave sent requests');
  assert.equal(q.scheduled, q.sent + q.dropped);
  assert.equal(q.sent, q.ok + q.httpErrors + q.timeouts + q.connectionErrors + q.badResponses);
}

/** Bring the server back, import the run's spool, and check the row: finished, every request stored. */
async function importAndCheck(s: Summary, status: string): Promise<void> {
  await server.start();
  const spool = s.store!.spoolPath!;
  const imp = cliSync(['store', 'import', spool, '--store', server.url]);
  assert.equal(imp.status, 0, imp.stderr);
  const row = runRow(s.run.id);
  assert.equal(row.status, status);
  assert.equal(row.storedRequests, s.totals.requests.scheduled, 'every request of the run is in the store');
  assert.equal(row.sent, s.totals.requests.sent);
}

test('Postgres killed mid-wave, one Ctrl-C during the wave: exit 130 within the bound, report written, nothing lost', { skip }, async (t) => {
  const cwd = mkdtempSync(path.join(dir, 'wave-'));
  const file = writeTelcoFile(cwd, { name: 'dead-store-wave', target: 'builtin:telco@v2', timeout: '1s', phases: '[{ duration: 60s, rate: 100 }]' });
  const out = path.join(cwd, 'out');
  const run = cli(['run', file, '--store', server.url, '--out', out], cwd, 300_000);
  // The first progress line: the row is written and the wave is on.
  await run.stderrMatch(/\d+\/60s · /);
  await server.halt();
  await sleep(1_000);
  const sigAt = Date.now();
  process.kill(run.pid, 'SIGINT');
  const { code, atMs } = await run.exit;
  assert.equal(code, 130, run.stderr());
  // In-flight requests get the 1 s target timeout, the failing store's drain 10 s without progress; then the report.
  assert.ok(atMs - sigAt < 45_000, `exited ${atMs - sigAt} ms after one SIGINT`);
  t.diagnostic(`exit ${atMs - sigAt} ms after the SIGINT`);
  assert.doesNotMatch(run.stderr(), /internal error|\n\s+at /);
  const s = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as Summary;
  assert.equal(s.run.status, 'interrupted');
  assertCounts(s);
  assert.ok(s.totals.requests.scheduled < 6_000, 'the wave stopped early');
  assert.equal(s.store?.complete, false);
  assert.ok(s.store?.spoolPath && existsSync(s.store.spoolPath), 'the spool exists');
  assert.match(run.stdout(), /load the rest later: modelwave store import /);
  await importAndCheck(s, 'interrupted');
});

test('Postgres killed mid-wave: the run says it waits for the store; one Ctrl-C then ends it at once with a report', { skip }, async (t) => {
  const cwd = mkdtempSync(path.join(dir, 'drain-'));
  const file = writeTelcoFile(cwd, { name: 'dead-store-drain', target: 'builtin:telco@v2', timeout: '1s', phases: '[{ duration: 20s, rate: 50 }]' });
  const out = path.join(cwd, 'out');
  const run = cli(['run', file, '--store', server.url, '--out', out, '--json'], cwd, 300_000);
  await until('the run row to be written', run, () => rowExists('dead-store-drain'));
  await server.halt(); // the wave runs with the store gone
  await run.stderrMatch(/waiting for the metrics store \(\d+ records left; it fails/); // the notice that the run waits for the store
  assert.match(run.stderr(), /it fails \(.*ECONNREFUSED.*\): giving up 10 s after its last progress\) — Ctrl-C to spool them and stop/);
  const sigAt = Date.now();
  process.kill(run.pid, 'SIGINT');
  const { code, atMs } = await run.exit;
  assert.equal(code, 130, run.stderr());
  assert.ok(atMs - sigAt < 20_000, `exited ${atMs - sigAt} ms after one SIGINT`);
  t.diagnostic(`exit ${atMs - sigAt} ms after the SIGINT`);
  const s = JSON.parse(run.stdout()) as Summary; // --json still prints
  assert.deepEqual(JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')), s);
  assert.equal(s.run.status, 'completed', 'the wave itself had finished');
  assert.equal(s.totals.requests.scheduled, 1_000);
  assertCounts(s);
  assert.equal(s.store?.complete, false);
  assert.match(s.store?.error ?? '', /interrupted while waiting for the store/);
  await importAndCheck(s, 'completed');
});

test('a failed start (target unreachable) leaves its row failed with the reason, never running', async () => {
  const cwd = mkdtempSync(path.join(dir, 'failed-'));
  const file = writeTelcoFile(cwd, { name: 'failed-start', target: 'http://127.0.0.1:1/model', phases: '[{ duration: 2s, rate: 100 }]' });
  const storeDir = path.join(cwd, 'store');
  const t0 = Date.now();
  const r = cliSync(['run', file, '--store', storeDir, '--quiet'], cwd);
  assert.equal(r.status, 3, r.stderr);
  assert.ok(Date.now() - t0 < 170_000, 'the run ended'); // an embedded store is created first: slow on a busy machine
  assert.match(r.stderr, /127\.0\.0\.1:1\/model is not reachable/);
  const runs = cliSync(['runs', '--store', storeDir, '--json'], cwd);
  assert.equal(runs.status, 0, runs.stderr);
  const rows = JSON.parse(runs.stdout) as RunListing[];
  assert.equal(rows.length, 1);
  assert.equal(rows[0].status, 'failed');
  assert.match(rows[0].error ?? '', /127\.0\.0\.1:1\/model is not reachable \(ECONNREFUSED\)/);
  assert.ok(rows[0].endedAt, 'the failure time is recorded');
  const show = cliSync(['show', rows[0].id, '--store', storeDir], cwd);
  assert.match(show.stdout, /· failed\n.*\nerror: target http:\/\/127\.0\.0\.1:1\/model is not reachable/);
});

test('a running row whose process stopped reporting reads abandoned; a live one running', { skip }, async () => {
  await server.start().catch(() => undefined); // up already, unless an earlier test failed while it was down
  const store = await openStore({ url: server.url, spoolDir: path.join(dir, 'spool-abandoned') });
  try {
    const meta = (id: string, startedAt: Date) => ({ id, name: 'abandoned', scenario: {}, environment: {}, startedAt: startedAt.toISOString() });
    await store.beginRun(meta('killed-long-ago', new Date(Date.now() - 10 * 60_000)));
    await store.beginRun(meta('alive-now', new Date()));
    const rows = await store.listRuns(100);
    assert.equal(rows.find((r) => r.id === 'killed-long-ago')?.status, 'abandoned');
    assert.equal(rows.find((r) => r.id === 'alive-now')?.status, 'running');
    assert.equal((await store.getRun('killed-long-ago')).status, 'abandoned');
  } finally {
    await store.close();
  }
});
