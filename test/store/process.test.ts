// The store process dying mid-run (OOM killer, kill -9): the run's writer spools what it could not store, says so,
// and the spool loads later with zero loss.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { feed, tempDir } from './helpers.js';
import { sampleMeta } from './sample.js';

const dir = tempDir('process');
after(() => rmSync(dir, { recursive: true, force: true }));

/** Store processes this test process started (Linux procps). */
const storeChildren = (): number[] =>
  execFileSync('pgrep', ['-P', String(process.pid), '-f', 'store-process'], { encoding: 'utf8' }).trim().split('\n').map(Number);

test('store process killed mid-run: the writer spools the rest, reports it, and the spool imports with zero loss', async () => {
  const opts = { embeddedDir: join(dir, 'store'), spoolDir: join(dir, 'spool') };
  const id = 'killed-mid-run';
  const store = await openStore(opts);
  await store.beginRun(sampleMeta(id));
  const w = store.requestWriter(id, { batchRequests: 1_000 });
  feed(w, 3_000, { batch: 500 });
  for (let i = 0; i < 500 && w.stats().stored < 3_000; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(w.stats().stored, 3_000);
  const [pid] = storeChildren();
  process.kill(pid, 'SIGKILL');
  feed(w, 5_000, { batch: 500, from: 3_000 });
  const res = await w.finish(20_000);
  assert.equal(res.stored, 3_000);
  assert.equal(res.spoolPath, join(dir, 'spool', `${id}.spool`));
  assert.match(res.error ?? '', /store process exited \(SIGKILL\)/);
  await store.close(); // releases the directory lock although its process is gone

  const again = await openStore(opts);
  try {
    const imported = await again.importSpool(res.spoolPath!);
    assert.equal(imported.runId, id);
    const [{ n, lo, hi }] = await again.sql<{ n: number; lo: number; hi: number }>(
      'SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM requests WHERE run_id = $1', [id]);
    assert.deepEqual({ n, lo, hi }, { n: 8_000, lo: 0, hi: 7_999 });
  } finally {
    await again.close();
  }
});

test('closing a store process that outlives its disconnect ends the caller with its own code, never Node exit 13', () => {
  // The store child ignores the channel closing (as a loaded machine's slow shutdown does), and is unref'd like an
  // idle store; the kill after the bound must still be waited for (exit 13: "unsettled top-level await").
  const dir = tempDir('stop-child');
  const child = join(dir, 'child.mjs');
  const script = join(dir, 'parent.mjs');
  writeFileSync(child, "process.on('disconnect', () => {}); setInterval(() => {}, 1000);\n");
  writeFileSync(
    script,
    `import { fork } from 'node:child_process';
import { stopChildProcess } from ${JSON.stringify(new URL('../../src/store/process-db.js', import.meta.url).href)};
const c = fork(${JSON.stringify(child)}, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
await new Promise((r) => c.once('spawn', r));
c.unref();
c.channel?.unref?.();
await stopChildProcess(c, 300);
process.stdout.write('closed ' + c.signalCode);
`,
  );
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'closed SIGKILL');
});
