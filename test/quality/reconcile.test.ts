// Ground truth end to end: the reference server's decision rule and the label model are both known, so the test
// computes every window's confusion matrix on its own and the engine's must match it exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executeRun } from '../../src/engine/main/run.js';
import { createRowGenerator } from '../../src/data/rows.js';
import { loadScenario } from '../../src/scenario/load.js';
import type { Summary } from '../../src/summary/types.js';
import { startServer, telcoScenario } from '../engine/helpers.js';

const zeros = (k: number) => Array.from({ length: k }, () => new Array<number>(k).fill(0));

test('telco@v1 (iot_signal_1 >= 6) against the logistic labels: every window confusion matrix matches an independent computation', async () => {
  const srv = await startServer(['--model', 'telco@v1']);
  try {
    const s = telcoScenario(`${srv.url}/model`, '  phases: [{ duration: 2s, rate: 400 }]', { extra: 'windows: { every: 200 }' });
    const { summaries } = await executeRun(s);
    const sum = summaries[0];
    assert.equal(sum.totals.requests.ok, 800, 'every request answered (precondition)');
    const gen = createRowGenerator(s);
    const expected = Array.from({ length: 4 }, () => zeros(2));
    for (let seq = 0; seq < 800; seq++) {
      const row = gen.row(seq);
      const label = gen.label(seq, row);
      const pred = Number(row.iot_signal_1) >= 6 ? 1 : 0;
      expected[Math.floor(seq / 200)][label][pred]++;
    }
    assert.equal(sum.windows.length, 4);
    sum.windows.forEach((w, i) => assert.deepEqual(w.confusion, expected[i], `window ${i}`));
    const total = zeros(2);
    for (const m of expected) for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) total[a][b] += m[a][b];
    assert.deepEqual(sum.totals.classification?.confusion, total);
    assert.equal(sum.totals.accuracy, (total[0][0] + total[1][1]) / 800);
  } finally {
    await srv.stop();
  }
});

test('delayed feedback: every answered request’s label reaches the server once, keyed by the uuid it issued', async () => {
  const srv = await startServer(['--model', 'telco@v1']);
  try {
    const s = telcoScenario(`${srv.url}/model`, '  phases: [{ duration: 2s, rate: 300 }]', { extra: `feedback: { url: "${srv.url}/feedback", after: 300ms, batchSize: 50 }` });
    const { summaries, feedback } = await executeRun(s);
    const fb = feedback!;
    const st = (await srv.stats()).feedback;
    assert.equal(summaries[0].totals.requests.ok, 600);
    assert.equal(fb.labelsPosted, 600);
    assert.equal(fb.labelsFailed, 0);
    assert.equal(st.received, 600);
    assert.equal(st.unique, 600);
    assert.equal(st.issued, 600, 'keyed by the server’s own uuids');
    assert.equal(st.posts, fb.posted);
    // Batched: at most 50 labels a post, far fewer posts than labels.
    assert.ok(fb.posted >= 12 && fb.posted <= 60, `${fb.posted} posts`);
  } finally {
    await srv.stop();
  }
});

const shortRun = async (file: string, durationMs: number): Promise<{ sum: Summary; s: ReturnType<typeof loadScenario> }> => {
  const s = loadScenario(file, { overrides: { durationMs } });
  const { summaries } = await executeRun(s);
  return { sum: summaries[0], s };
};

test('multi-class (softmax labels, echo model, 5 rows per request): the 3×3 confusion matrix is exact', async () => {
  const { sum, s } = await shortRun('scenarios/multiclass.yaml', 2000);
  assert.equal(sum.totals.requests.ok, sum.totals.requests.scheduled);
  const gen = createRowGenerator(s);
  const classes = gen.classes.map(String);
  const expected = zeros(classes.length);
  const rows = sum.totals.requests.ok * s.target.rowsPerRequest;
  for (let r = 0; r < rows; r++) {
    const row = gen.row(r);
    expected[gen.label(r, row)][classes.indexOf(String(row.guess))]++;
  }
  assert.deepEqual(sum.totals.classification?.labels, classes);
  assert.deepEqual(sum.totals.classification?.confusion, expected);
  assert.equal(sum.totals.quality?.scored, rows);
});

test('regression (linear labels with concept and covariate drift, echo model): MAE, RMSE and R² are exact', async () => {
  const { sum, s } = await shortRun('scenarios/regression.yaml', 2000);
  assert.equal(sum.totals.requests.ok, sum.totals.requests.scheduled);
  const gen = createRowGenerator(s);
  const rows = sum.totals.requests.ok * s.target.rowsPerRequest;
  let abs = 0;
  let sq = 0;
  const ys: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = gen.row(r);
    const y = gen.label(r, row);
    const e = y - Number(row.estimate);
    abs += Math.abs(e);
    sq += e * e;
    ys.push(y);
  }
  const mean = ys.reduce((a, b) => a + b, 0) / rows;
  const ssTot = ys.reduce((a, y) => a + (y - mean) ** 2, 0);
  const reg = sum.totals.regression!;
  assert.equal(reg.n, rows);
  assert.ok(Math.abs(reg.mae! - abs / rows) < 1e-9, `mae ${reg.mae} vs ${abs / rows}`);
  assert.ok(Math.abs(reg.rmse! - Math.sqrt(sq / rows)) < 1e-9);
  assert.ok(Math.abs(reg.r2! - (1 - sq / ssTot)) < 1e-9);
});

test('scenarios/telco.yaml end to end: accuracy falls window after window and the drift flag is set', async () => {
  const { sum } = await shortRun('scenarios/telco.yaml', 3000);
  const acc = sum.windows.filter((w) => w.accuracy !== undefined).map((w) => w.accuracy!);
  assert.ok(acc.length >= 20, `${acc.length} windows`);
  const third = Math.floor(acc.length / 3);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const first = mean(acc.slice(0, third));
  const last = mean(acc.slice(-third));
  assert.ok(first - last > 0.1, `first third ${first.toFixed(3)}, last third ${last.toFixed(3)}`);
  assert.equal(sum.drift?.detected, true, sum.drift?.sentence);
  assert.match(sum.drift!.sentence, /accuracy fell from 0\.\d+ \(window \d+\) to 0\.\d+ \(window \d+\)/);
  assert.ok(sum.windows.some((w) => w.drifted));
});
