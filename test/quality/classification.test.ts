import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classificationStats, LOG_LOSS_EPS, scoreStats } from '../../src/quality/classification.js';
import { wilson } from '../../src/quality/wilson.js';
import { close, mulberry32 } from '../stats/exact.js';

const eq = (a: number | null | undefined, b: number, what: string) => {
  assert.ok(a != null, `${what} is measured`);
  close(a, b, 1e-12, what);
};

test('binary: per-class, macro, micro and positive-class values by hand', () => {
  // true 0: 50 right, 10 called 1; true 1: 5 called 0, 35 right.
  const s = classificationStats([[50, 10], [5, 35]], ['0', '1']);
  assert.equal(s.n, 100);
  eq(s.accuracy, 0.85, 'accuracy');
  assert.deepEqual(s.accuracyCi, wilson(85, 100));
  const [c0, c1] = s.classes;
  eq(c0.precision, 50 / 55, 'P0');
  eq(c0.recall, 50 / 60, 'R0');
  eq(c0.f1, 100 / 115, 'F0');
  assert.equal(c0.support, 60);
  eq(c1.precision, 35 / 45, 'P1');
  eq(c1.recall, 35 / 40, 'R1');
  eq(c1.f1, 70 / 85, 'F1');
  assert.equal(c1.support, 40);
  eq(s.macro.precision, (50 / 55 + 35 / 45) / 2, 'macro P');
  eq(s.macro.recall, (50 / 60 + 35 / 40) / 2, 'macro R');
  eq(s.macro.f1, (100 / 115 + 70 / 85) / 2, 'macro F1');
  for (const v of Object.values(s.micro)) eq(v, 0.85, 'micro');
  assert.deepEqual(s.positive, { label: '1', precision: c1.precision, recall: c1.recall, f1: c1.f1 });
  const flipped = classificationStats([[50, 10], [5, 35]], ['0', '1'], { positive: 0 });
  assert.equal(flipped.positive?.label, '0');
  assert.equal(s.logLoss, undefined);
  assert.equal(s.rocAuc, undefined);
});

test('3 observed classes plus one never seen: zero divisions are 0; the unseen class is left out of macro', () => {
  const m = [
    [5, 1, 0, 0], // a
    [2, 3, 1, 0], // b: one row predicted as c
    [0, 0, 0, 0], // c: never true, predicted once → precision 0/1, recall 0/0 → 0
    [0, 0, 0, 0], // d: never true, never predicted → excluded from macro
  ];
  const s = classificationStats(m, ['a', 'b', 'c', 'd']);
  eq(s.accuracy, 8 / 12, 'accuracy');
  const [a, b, c, d] = s.classes;
  eq(a.precision, 5 / 7, 'Pa');
  eq(a.recall, 5 / 6, 'Ra');
  eq(a.f1, 10 / 13, 'Fa');
  eq(b.precision, 3 / 4, 'Pb');
  eq(b.recall, 3 / 6, 'Rb');
  eq(b.f1, 6 / 10, 'Fb');
  assert.deepEqual([c.precision, c.recall, c.f1, c.support], [0, 0, 0, 0]);
  assert.deepEqual([d.precision, d.recall, d.f1, d.support], [0, 0, 0, 0]);
  eq(s.macro.precision, (5 / 7 + 3 / 4 + 0) / 3, 'macro P');
  eq(s.macro.recall, (5 / 6 + 1 / 2 + 0) / 3, 'macro R');
  eq(s.macro.f1, (10 / 13 + 0.6 + 0) / 3, 'macro F1');
  for (const v of Object.values(s.micro)) eq(v, 8 / 12, 'micro');
  assert.equal(s.positive, undefined, 'no positive class unless asked for more than two classes');
  assert.equal(classificationStats(m, ['a', 'b', 'c', 'd'], { positive: 1 }).positive?.label, 'b');
  assert.deepEqual(s.confusion, m);
  assert.notEqual(s.confusion, m, 'confusion is copied');
});

test('no rows: accuracy, its interval and every precision/recall/F1 are null (not measured), never 0', () => {
  const s = classificationStats([[0, 0], [0, 0]], ['x', 'y']);
  assert.equal(s.n, 0);
  assert.equal(s.accuracy, null);
  assert.equal(s.accuracyCi, null);
  assert.deepEqual(s.macro, { precision: null, recall: null, f1: null });
  assert.deepEqual(s.micro, { precision: null, recall: null, f1: null });
  assert.deepEqual(s.positive, { label: 'y', precision: null, recall: null, f1: null });
  for (const c of s.classes) assert.deepEqual([c.precision, c.recall, c.f1, c.support], [null, null, null, 0]);
  const json = JSON.parse(JSON.stringify(s)) as { accuracy: unknown };
  assert.equal(json.accuracy, null, 'report.json says null');
});

test('answers outside the classes: wrong rows in no column (support and fn of their true class, never an fp)', () => {
  // 12 rows of y_true = [0]*6 + [1]*6. Predictions: class 0 rows → 0,0,0,1,X,X; class 1 rows → 1,1,1,1,0,X
  // (X = an answer outside the classes). By hand (scikit-learn's precision_recall_fscore_support with labels=[0,1]
  // on y_pred containing "X" gives the same): tp0 = 3, fp0 = 1, fn0 = 3; tp1 = 4, fp1 = 1, fn1 = 2; accuracy 7/12.
  const s = classificationStats([[3, 1], [1, 4]], ['0', '1'], { outOfClass: [2, 1] });
  assert.equal(s.n, 12);
  eq(s.accuracy, 7 / 12, 'accuracy');
  assert.deepEqual(s.accuracyCi, wilson(7, 12));
  const [c0, c1] = s.classes;
  assert.deepEqual([c0.support, c1.support], [6, 6]);
  eq(c0.precision, 3 / 4, 'P0');
  eq(c0.recall, 3 / 6, 'R0');
  eq(c0.f1, 6 / (6 + 1 + 3), 'F0');
  eq(c1.precision, 4 / 5, 'P1');
  eq(c1.recall, 4 / 6, 'R1');
  eq(c1.f1, 8 / (8 + 1 + 2), 'F1');
  eq(s.micro.precision, 7 / 9, 'micro P: the 3 outside answers are no class\'s false positive');
  eq(s.micro.recall, 7 / 12, 'micro R = accuracy');
  eq(s.micro.f1, 14 / (14 + 2 + 5), 'micro F1');
  assert.deepEqual(s.outOfClass, [2, 1]);
  assert.equal(classificationStats([[3, 1], [1, 4]], ['0', '1'], { outOfClass: [0, 0] }).outOfClass, undefined);
  assert.throws(() => classificationStats([[1]], ['a'], { outOfClass: [1, 2] }), /outOfClass must be 1 non-negative counts/);
});

test('log loss by hand, with clipping of certain mistakes', () => {
  const r = scoreStats({ prob: [0.9, 0.2, 0.6, 0.4], isPositive: [true, false, true, false] });
  eq(r.logLoss, -(Math.log(0.9) + Math.log(0.8) + Math.log(0.6) + Math.log(0.6)) / 4, 'log loss');
  const certainWrong = scoreStats({ prob: Float64Array.from([1, 0]), isPositive: Uint8Array.from([0, 1]) });
  close(certainWrong.logLoss, -Math.log(LOG_LOSS_EPS), 1e-6, 'clipped');
  assert.ok(Number.isFinite(certainWrong.logLoss));
});

function bruteAuc(prob: number[], pos: boolean[]): number {
  let s = 0;
  let pairs = 0;
  for (let i = 0; i < prob.length; i++) {
    if (!pos[i]) continue;
    for (let j = 0; j < prob.length; j++) {
      if (pos[j]) continue;
      pairs++;
      s += prob[i] > prob[j] ? 1 : prob[i] === prob[j] ? 0.5 : 0;
    }
  }
  return s / pairs;
}

test('ROC AUC equals the O(n²) pair count, ties counting ½', () => {
  const rand = mulberry32(5);
  for (const [n, decimals] of [[50, 1], [400, 2], [1000, 1]] as const) {
    const prob: number[] = [];
    const pos: boolean[] = [];
    for (let i = 0; i < n; i++) {
      const y = rand() < 0.4;
      // Informative but noisy, rounded so many scores tie.
      const p = Math.min(1, Math.max(0, (y ? 0.6 : 0.4) + (rand() - 0.5) * 0.8));
      prob.push(Number(p.toFixed(decimals)));
      pos.push(y);
    }
    const s = classificationStats([[1, 0], [0, 1]], ['0', '1'], { scores: { prob, isPositive: pos } });
    eq(s.rocAuc!, bruteAuc(prob, pos), `AUC n=${n}`);
  }
  eq(scoreStats({ prob: [0.9, 0.8, 0.1, 0.2], isPositive: [true, true, false, false] }).rocAuc!, 1, 'separated');
  eq(scoreStats({ prob: [0.1, 0.2, 0.9, 0.8], isPositive: [true, true, false, false] }).rocAuc!, 0, 'reversed');
  eq(scoreStats({ prob: [0.5, 0.5, 0.5], isPositive: [true, false, false] }).rocAuc!, 0.5, 'all tied');
  assert.equal(scoreStats({ prob: [0.5, 0.7], isPositive: [true, true] }).rocAuc, undefined, 'one class only');
});

test('invalid input names the problem', () => {
  assert.throws(() => classificationStats([[1, 0]], ['a', 'b']), /confusion has 1 rows for 2 labels/);
  assert.throws(() => classificationStats([[1, 0], [0, -1]], ['a', 'b']), /confusion\[1\]\[1\] must be a non-negative count/);
  assert.throws(() => classificationStats([[1, 0], [0, 1]], ['a', 'b'], { positive: 2 }), /positive must be a class index/);
  assert.throws(() => scoreStats({ prob: [0.5, 1.2], isPositive: [true, false] }), /prob\[1\] must be a probability/);
  assert.throws(() => scoreStats({ prob: [0.5], isPositive: [true, false] }), /1 probabilities but 2 labels/);
});
