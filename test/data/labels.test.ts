// Ground-truth models: each meets its configured prior / probability within stated standard errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRowGenerator } from '../../src/data/rows.js';
import type { Row } from '../../src/data/types.js';
import { ModelwaveError } from '../../src/errors.js';
import type { FieldSpec, LabelSpec } from '../../src/spec/types.js';
import { assertNear, assertRate, mean, scenario, sd, TELCO_FIELDS, TELCO_LABEL } from './helpers.js';

const N = 40_000;
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

function run(fields: Record<string, FieldSpec>, label: LabelSpec, n = N): { rows: Row[]; labels: number[] } {
  const gen = createRowGenerator(scenario({ fields, label, progressRequests: n }));
  const rows = Array.from({ length: n }, (_, i) => gen.row(i));
  return { rows, labels: rows.map((r, i) => gen.label(i, r)) };
}

test('priors: class frequencies within 4 SE of the configured weights', () => {
  const label: LabelSpec = { name: 'y', task: 'classification', model: { kind: 'priors', classes: ['a', 'b', 'c'], weights: [6, 3, 1] }, classes: ['a', 'b', 'c'] };
  const gen = createRowGenerator(scenario({ fields: { x: { kind: 'int', min: 0, max: 1 } }, label }));
  assert.deepEqual(gen.classes, ['a', 'b', 'c']);
  assert.equal(gen.task, 'classification');
  const labels = Array.from({ length: N }, (_, i) => gen.label(i, gen.row(i)));
  for (const [k, p] of [[0, 0.6], [1, 0.3], [2, 0.1]]) assertRate(labels.filter((l) => l === k).length, N, p, 4, `P(class ${k})`);
});

test('logistic (telco, no drift): positive rate within 3 SE of the mean predicted probability, per half of z', () => {
  const { drift: _none, ...noDrift } = TELCO_LABEL;
  const { rows, labels } = run(TELCO_FIELDS, noDrift);
  const p = rows.map((r) => sigmoid(-37 + 0.9 * (r.iot_signal_1 as number) + 0.3 * (r.iot_signal_4 as number)));
  const check = (idx: number[], what: string): void => {
    const expected = mean(idx.map((i) => p[i]));
    const se = Math.sqrt(idx.reduce((s, i) => s + p[i] * (1 - p[i]), 0)) / idx.length;
    assertNear(mean(idx.map((i) => labels[i])), expected, se, 3, what);
  };
  const all = rows.map((_, i) => i);
  check(all, 'all rows');
  check(all.filter((i) => p[i] >= 0.5), 'rows the Bayes rule calls positive');
  check(all.filter((i) => p[i] < 0.5), 'rows the Bayes rule calls negative');
  assert.ok(labels.every((l) => l === 0 || l === 1));
});

test('logistic: booleans weigh 0/1', () => {
  const label: LabelSpec = { name: 'y', task: 'classification', model: { kind: 'logistic', bias: -50, weights: { f: 100 }, classes: ['no', 'yes'] }, classes: ['no', 'yes'] };
  const { rows, labels } = run({ f: { kind: 'bool', p: 0.5 } }, label, 2000);
  rows.forEach((r, i) => assert.equal(labels[i], r.f ? 1 : 0));
});

test('threshold: deterministic rule, numeric and string', () => {
  const fields = TELCO_FIELDS;
  const num: LabelSpec = { name: 'y', task: 'classification', model: { kind: 'threshold', field: 'iot_signal_1', op: '>=', value: 7, classes: [0, 1] }, classes: [0, 1] };
  const a = run(fields, num, 5000);
  a.rows.forEach((r, i) => assert.equal(a.labels[i], (r.iot_signal_1 as number) >= 7 ? 1 : 0));
  const str: LabelSpec = { name: 'y', task: 'classification', model: { kind: 'threshold', field: 'manufacturer', op: '==', value: 'AI Inc.', classes: ['other', 'ai'] }, classes: ['other', 'ai'] };
  const b = run(fields, str, 5000);
  b.rows.forEach((r, i) => assert.equal(b.labels[i], r.manufacturer === 'AI Inc.' ? 1 : 0));
});

test('softmax: each class rate within 3 SE of its mean softmax probability', () => {
  const label: LabelSpec = {
    name: 'tier',
    task: 'classification',
    model: {
      kind: 'softmax',
      classes: [
        { value: 'low', bias: 2, weights: { x: -1 } },
        { value: 'mid', bias: 0, weights: {} },
        { value: 'high', bias: -2, weights: { x: 1 } },
      ],
    },
    classes: ['low', 'mid', 'high'],
  };
  const { rows, labels } = run({ x: { kind: 'float', min: 0, max: 4 } }, label);
  const probs = rows.map((r) => {
    const x = r.x as number;
    const e = [Math.exp(2 - x), 1, Math.exp(-2 + x)];
    const s = e[0] + e[1] + e[2];
    return e.map((v) => v / s);
  });
  for (let k = 0; k < 3; k++) {
    const pk = probs.map((p) => p[k]);
    const se = Math.sqrt(pk.reduce((s, p) => s + p * (1 - p), 0)) / N;
    assertNear(labels.filter((l) => l === k).length / N, mean(pk), se, 3, `P(class ${k})`);
  }
});

test('linear regression: residual mean 0 and sd = noiseSd (3 SE)', () => {
  const label: LabelSpec = { name: 'y', task: 'regression', model: { kind: 'linear', bias: 3, weights: { x: 2, f: -1 }, noiseSd: 0.5 }, classes: [] };
  const { rows, labels } = run({ x: { kind: 'normal', mean: 0, sd: 1 }, f: { kind: 'bool', p: 0.5 } }, label);
  const gen = createRowGenerator(scenario({ fields: { x: { kind: 'int', min: 0, max: 1 }, f: { kind: 'bool', p: 0.5 } }, label }));
  assert.equal(gen.task, 'regression');
  assert.deepEqual(gen.classes, []);
  const resid = rows.map((r, i) => labels[i] - (3 + 2 * (r.x as number) - (r.f ? 1 : 0)));
  assertNear(mean(resid), 0, 0.5 / Math.sqrt(N), 3, 'residual mean');
  assertNear(sd(resid), 0.5, 0.5 / Math.sqrt(2 * N), 3, 'residual sd');
});

test('labels draw from their own stream: a 50/50 label is independent of a 50/50 field', () => {
  const label: LabelSpec = { name: 'y', task: 'classification', model: { kind: 'priors', classes: [0, 1], weights: [1, 1] }, classes: [0, 1] };
  const { rows, labels } = run({ b: { kind: 'bool', p: 0.5 } }, label);
  assertRate(rows.filter((r, i) => (r.b ? 1 : 0) === labels[i]).length, N, 0.5, 4, 'agreement');
});

test('no label model: task none, NaN labels', () => {
  const gen = createRowGenerator(scenario({ fields: TELCO_FIELDS }));
  assert.equal(gen.task, 'none');
  assert.deepEqual(gen.classes, []);
  assert.ok(Number.isNaN(gen.label(0, gen.row(0))));
  assert.equal(gen.size, Infinity);
});

// Each row: a label spec that must be refused at creation, and the message naming the problem.
const BAD: [string, LabelSpec, RegExp][] = [
  ['string field in weights', { ...TELCO_LABEL, model: { kind: 'logistic', bias: 0, weights: { manufacturer: 1 }, classes: [0, 1] } }, /^label\.model\.weights\.manufacturer: field `manufacturer` is not numeric/],
  ['unknown field in weights', { ...TELCO_LABEL, model: { kind: 'logistic', bias: 0, weights: { iot_signal_9: 1 }, classes: [0, 1] } }, /^label\.model\.weights\.iot_signal_9: no field `iot_signal_9`; fields are: iot_signal_1, /],
  ['string field in concept weights', { ...TELCO_LABEL, drift: { concept: { weights: { manufacturer: 1 }, start: 0, end: 1 } } }, /^label\.drift\.concept\.weights\.manufacturer: field `manufacturer` is not numeric/],
  ['threshold on an unknown field', { ...TELCO_LABEL, model: { kind: 'threshold', field: 'nope', op: '>', value: 1, classes: [0, 1] } }, /^label\.model\.field: no field `nope`/],
  ['softmax class weights on text', { name: 'y', task: 'classification', model: { kind: 'softmax', classes: [{ value: 'a', bias: 0, weights: { manufacturer: 1 } }, { value: 'b', bias: 0, weights: {} }] }, classes: ['a', 'b'] }, /^label\.model\.classes\[0\]\.weights\.manufacturer: field `manufacturer` is not numeric/],
  ['concept drift on priors', { name: 'y', task: 'classification', model: { kind: 'priors', classes: [0, 1], weights: [1, 1] }, drift: { concept: { bias: 1, start: 0, end: 1 } }, classes: [0, 1] }, /^label\.drift\.concept: concept drift applies to logistic and linear/],
  ['column label without a source', { name: 'y', task: 'classification', model: { kind: 'column', column: 'churn' }, classes: [0, 1] }, /^label\.model: a `column` label needs data\.source/],
];

for (const [what, label, message] of BAD) {
  test(`label spec error: ${what}`, () => {
    assert.throws(
      () => createRowGenerator(scenario({ fields: TELCO_FIELDS, label })),
      (err: unknown) => err instanceof ModelwaveError && err.code === 'MW_SCENARIO_INVALID' && message.test(err.message),
    );
  });
}
