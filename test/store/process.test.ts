// The store process dying mid-run (OOM killer, kill -9): the run's writer spools what it could not store, says so,
// and the spool loads later with zero loss.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
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
