// A live comparison keeps the baseline's feedback labels in the metrics store as `run` does: streamed while the wave
// runs (the session hands the engine the store's onFeedback; nothing waits in memory for the end), one row per
// posted label, under the baseline's run id only (feedback follows target 0).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { runCompare } from '../../src/compare/run.js';
import { openStore } from '../../src/store/index.js';
import type { RunSink } from '../../src/engine/main/run.js';
import { startServer, telcoScenario } from '../engine/helpers.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'mw-cmp-fb-'));
const scenario = (url: string, seconds: number) =>
  telcoScenario(`${url}/model`, `  phases: [{ duration: ${seconds}s, rate: 100 }]`, { extra: `feedback: { url: "${url}/feedback", after: 200ms, batchSize: 20 }` });

test('compare: the baseline’s posted labels are rows of its run in the store; the candidate has none', async () => {
  const a = await startServer(['--model', 'telco@v1']);
  const b = await startServer(['--model', 'telco@v2']);
  const dir = tmp();
  try {
    const store = { embeddedDir: path.join(dir, 'store') };
    const r = await runCompare(scenario(a.url, 2), { baseline: `${a.url}/model`, candidate: `${b.url}/model`, quiet: true, outDir: path.join(dir, 'out'), store });
    const [base, cand] = r.sides!.map((x) => x.summary);
    const fb = base.feedback!;
    assert.ok(fb.labelsPosted > 100, `${fb.labelsPosted} labels posted`);
    assert.equal(cand.feedback, undefined, 'feedback follows target 0');
    const st = await openStore({ ...store, create: false });
    try {
      const count = async (id: string) => (await st.sql<{ n: number }>('SELECT count(*)::int AS n FROM feedback WHERE run_id = $1', [id]))[0].n;
      assert.equal(await count(base.run.id), fb.labelsPosted);
      assert.equal(await count(cand.run.id), 0);
      const posted = await st.sql<{ n: number }>("SELECT count(*)::int AS n FROM feedback WHERE run_id = $1 AND outcome = 'posted'", [base.run.id]);
      assert.equal(posted[0].n, fb.labelsPosted);
    } finally {
      await st.close();
    }
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

const PG = process.env.MODELWAVE_TEST_PG;

test('compare streams feedback rows into the store during the wave (Postgres, read from a second connection)', { skip: PG ? false : 'needs MODELWAVE_TEST_PG (a Postgres database)' }, async () => {
  const schema = `mw_cmpfb_${process.pid}_${Date.now().toString(36)}`;
  const url = `${PG}${PG!.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const admin = new pg.Client({ connectionString: PG });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const reader = new pg.Client({ connectionString: url });
  await reader.connect();
  const a = await startServer(['--model', 'telco@v1']);
  const b = await startServer(['--model', 'telco@v2']);
  try {
    // Polled on the wave's one-second ticks: only a label saved while the wave runs can be seen here.
    let seenDuringWave = 0;
    let polling: Promise<void> | undefined;
    let waveOver = false;
    const watcher = (ids: string[]): RunSink[] => [
      {
        onTick() {
          if (polling || waveOver) return;
          polling = reader
            .query<{ n: number }>('SELECT count(*)::int AS n FROM feedback WHERE run_id = $1', [ids[0]])
            .then((res) => {
              if (!waveOver) seenDuringWave = Math.max(seenDuringWave, res.rows[0].n);
            })
            .catch(() => undefined)
            .finally(() => (polling = undefined));
        },
        onWait() {
          waveOver = true; // the drains after the wave: from here on a row could have been saved at the end
        },
      },
    ];
    const r = await runCompare(scenario(a.url, 4), { baseline: `${a.url}/model`, candidate: `${b.url}/model`, quiet: true, outDir: tmp(), store: { url }, sinks: watcher });
    waveOver = true;
    await polling;
    const base = r.sides![0].summary;
    assert.ok(seenDuringWave > 0, 'labels were in the store while the wave was still running');
    const rows = await reader.query<{ n: number }>('SELECT count(*)::int AS n FROM feedback WHERE run_id = $1', [base.run.id]);
    assert.equal(rows.rows[0].n, base.feedback!.labelsPosted);
    assert.ok(seenDuringWave <= base.feedback!.labelsPosted);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await reader.end();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
});
