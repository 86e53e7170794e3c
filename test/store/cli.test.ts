// The read-back commands, run as a user runs them: the built CLI in a child process, in a temp working directory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/index.js';
import { assertMatchesSynthetic, feed, parseCsvExport, parseJsonl, tempDir } from './helpers.js';
import { sampleMeta, sampleSummary, sampleWindows } from './sample.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const cwd = tempDir('cli');
const RUN = 'cli-run-2f9c41';
let spoolPath = '';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Result> {
  const env = { ...process.env };
  delete env.MODELWAVE_STORE;
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { cwd, env, maxBuffer: 64 << 20, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

before(async () => {
  // The default store location, .modelwave/store under the working directory, as a run would leave it.
  const store = await openStore({ embeddedDir: join(cwd, '.modelwave/store'), spoolDir: join(cwd, '.modelwave/spool') });
  await store.beginRun(sampleMeta(RUN, 'cli run'));
  const w = store.requestWriter(RUN);
  feed(w, 2_000);
  assert.deepEqual(await w.finish(30_000), { stored: 2_000 });
  await store.finishRun(sampleSummary(RUN, 2_000, sampleWindows(2), 'cli run'));
  await store.close();

  const offline = await openStore({ url: 'postgres://127.0.0.1:1/none', optional: true, spoolDir: join(cwd, 'spool') });
  await offline.beginRun(sampleMeta('cli-offline', 'offline run'));
  const ow = offline.requestWriter('cli-offline');
  feed(ow, 1_500);
  spoolPath = (await ow.finish(500)).spoolPath ?? '';
  await offline.close();
});

after(() => rmSync(cwd, { recursive: true, force: true }));

test('runs lists the stored run with its key figures', async () => {
  const r = await cli('runs');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ID\s+NAME\s+STATUS/);
  assert.match(r.stdout, new RegExp(`${RUN}\\s+cli run\\s+completed\\s+2025-01-02 03:04:05Z\\s+1960\\s+5\\.10%`));
});

test('show prints the summary and every window', async () => {
  const r = await cli('show', RUN.slice(0, 9));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^run ${RUN} · cli run · completed`));
  assert.match(r.stdout, /windows \(2\)\n\s*WINDOW\s+START S\s+END S/);
  assert.match(r.stdout, /\n\s+1\s+0\.2\s+0\.4\s+980\s+930\s+50\s+20\s+1\.10\s+2\.75\s+0\.8900/);
});

test('export writes every request as JSON Lines to stdout and as CSV to a file', async () => {
  const j = await cli('export', RUN, '--format', 'jsonl');
  assert.equal(j.code, 0, j.stderr);
  assertMatchesSynthetic(parseJsonl(j.stdout), 2_000);
  const file = join(cwd, 'out.csv');
  const c = await cli('export', RUN, '--format', 'csv', '--out', file);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stderr, /wrote 2000 requests/);
  assertMatchesSynthetic(parseCsvExport(readFileSync(file, 'utf8')), 2_000);
});

test('an unknown run id exits 2 with a clear message and no stack', async () => {
  for (const cmd of [['show', 'nope'], ['export', 'nope', '--format', 'csv'], ['report', 'nope']]) {
    const r = await cli(...cmd);
    assert.equal(r.code, 2, cmd.join(' '));
    assert.match(r.stderr, /no run "nope" in the store at .*\.modelwave\/store/);
    assert.match(r.stderr, /modelwave runs/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  const bad = await cli('export', RUN, '--format', 'xml');
  assert.equal(bad.code, 2);
});

test('report regenerates the report files from the stored summary', async () => {
  const out = join(cwd, 'regen');
  const r = await cli('report', RUN, '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(join(out, 'report.json')));
  const json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { run: { id: string }; totals: unknown };
  assert.equal(json.run.id, RUN);
  assert.deepEqual(json.totals, sampleSummary(RUN, 2_000, []).totals);
});

test('store import loads a spool file; the run is then listed and exportable', async () => {
  assert.ok(spoolPath.endsWith('cli-offline.spool'));
  const r = await cli('store', 'import', spoolPath);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /imported run cli-offline: 1500 requests/);
  const runs = await cli('runs', '--json');
  assert.deepEqual((JSON.parse(runs.stdout) as { id: string }[]).map((x) => x.id).sort(), ['cli-offline', RUN]);
  const e = await cli('export', 'cli-offline', '--format', 'jsonl');
  assertMatchesSynthetic(parseJsonl(e.stdout), 1_500);
});

test('store flags: an empty directory has no runs; an unreachable server exits 3', async () => {
  const empty = await cli('runs', '--store', join(cwd, 'nothing-here'));
  assert.equal(empty.code, 0);
  assert.match(empty.stdout, /No runs stored yet/);
  const down = await cli('runs', '--store', 'postgres://mw:secret@127.0.0.1:1/x');
  assert.equal(down.code, 3);
  assert.match(down.stderr, /cannot reach the metrics store at postgres:\/\/127\.0\.0\.1:1\/x/);
  assert.doesNotMatch(down.stderr, /secret/);
});
