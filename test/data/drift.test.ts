// Drift over the run's progress: label noise, concept drift and covariate drift move as configured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRowGenerator } from '../../src/data/rows.js';
import type { FieldSpec, LabelSpec } from '../../src/spec/types.js';
import { assertNear, assertRate, mean, scenario, TELCO_FIELDS, TELCO_LABEL } from './helpers.js';

const N = 50_000;

function labelsOf(label: LabelSpec, fields: Record<string, FieldSpec> = TELCO_FIELDS, n = N): number[] {
  const gen = createRowGenerator(scenario({ fields, label, progressRequests: n }));
  return Array.from({ length: n }, (_, i) => gen.label(i, gen.row(i)));
}

test('flipRate 0 → 0.3: flips per progress decile within 3 SE of the configured rate', () => {
  const { drift: _d, ...clean } = TELCO_LABEL;
  const base = labelsOf(clean);
  const noisy = labelsOf(TELCO_LABEL);
  const per = N / 10;
  for (let d = 0; d < 10; d++) {
    let flips = 0;
    for (let i = d * per; i < (d + 1) * per; i++) if (noisy[i] !== base[i]) flips++;
    assertRate(flips, per, 0.3 * ((d + 0.5) / 10), 3, `flip rate in decile ${d}`);
  }
});

test('multi-class flips replace the class with a uniformly drawn other class', () => {
  const classes = ['a', 'b', 'c', 'd'];
  const spec: LabelSpec = { name: 'y', task: 'classification', model: { kind: 'priors', classes, weights: [1, 1, 1, 1] }, classes };
  const base = labelsOf(spec);
  const noisy = labelsOf({ ...spec, drift: { flipRate: { from: 0.5, to: 0.5 } } });
  const moves = [0, 0, 0, 0];
  let flips = 0;
  for (let i = 0; i < N; i++) {
    if (noisy[i] === base[i]) continue;
    flips++;
    moves[(noisy[i] - base[i] + 4) % 4]++;
  }
  assertRate(flips, N, 0.5, 3, 'flip rate');
  assert.equal(moves[0], 0);
  for (const shift of [1, 2, 3]) assertRate(moves[shift], flips, 1 / 3, 4, `replacement shift ${shift}`);
});

test('concept drift as a step: the base model before the point, the target model after, row for row', () => {
  const target = { bias: 37, weights: { iot_signal_1: -0.9, iot_signal_4: -0.3 } };
  const { drift: _d, ...clean } = TELCO_LABEL;
  const before = labelsOf(clean);
  const after = labelsOf({ ...clean, model: { kind: 'logistic', ...target, classes: [0, 1] } });
  const stepped = labelsOf({ ...clean, drift: { concept: { ...target, start: 0.5, end: 0.5 } } });
  assert.deepEqual(stepped.slice(0, N / 2), before.slice(0, N / 2));
  assert.deepEqual(stepped.slice(N / 2), after.slice(N / 2));
  assert.notDeepEqual(before.slice(N / 2), after.slice(N / 2), 'the target model differs');
});

test('gradual concept drift interpolates bias and weights over [start, end]', () => {
  const label: LabelSpec = {
    name: 'y',
    task: 'regression',
    model: { kind: 'linear', bias: 0, weights: { x: 1 }, noiseSd: 0 },
    drift: { concept: { bias: 10, weights: { x: 3, z: 2 }, start: 0.2, end: 0.6 } },
    classes: [],
  };
  const fields: Record<string, FieldSpec> = { x: { kind: 'float', min: 0, max: 1 }, z: { kind: 'int', min: 1, max: 5 } };
  const n = 1000;
  const gen = createRowGenerator(scenario({ fields, label, progressRequests: n }));
  for (let i = 0; i < 2 * n; i += 7) {
    const r = gen.row(i);
    const t = Math.min(1, Math.max(0, (Math.min(1, i / n) - 0.2) / 0.4));
    const expected = 10 * t + (1 + 2 * t) * (r.x as number) + 2 * t * (r.z as number);
    assert.ok(Math.abs(gen.label(i, r) - expected) < 1e-9, `row ${i}: ${gen.label(i, r)} vs ${expected}`);
  }
});

test('covariate drift: an int range moves between drift.start and drift.end', () => {
  const n = 20_000;
  const gen = createRowGenerator(scenario({ fields: { x: { kind: 'int', min: 1, max: 10, drift: { min: 11, max: 20, start: 0.5, end: 1 } } }, progressRequests: n }));
  const xs = Array.from({ length: n + 1000 }, (_, i) => gen.row(i).x as number);
  assert.ok(xs.slice(0, n / 2).every((x) => x >= 1 && x <= 10), 'unchanged before start');
  assert.ok(xs.slice(n).every((x) => x >= 11 && x <= 20), 'fully moved after end');
  const per = n / 10;
  for (let d = 5; d < 10; d++) {
    const idx = Array.from({ length: per }, (_, j) => d * per + j);
    const expected = mean(idx.map((i) => {
      const t = (i / n - 0.5) / 0.5;
      const lo = Math.round(1 + 10 * t);
      return (lo + Math.max(lo, Math.round(10 + 10 * t))) / 2;
    }));
    assertNear(mean(idx.map((i) => xs[i])), expected, Math.sqrt(99 / 12 / per), 4, `decile ${d} mean`);
  }
});

test('covariate drift: normal mean, oneOf weights and bool p move linearly with progress', () => {
  const gen = createRowGenerator(
    scenario({
      fields: {
        n: { kind: 'normal', mean: 0, sd: 1, drift: { mean: 10 } },
        c: { kind: 'oneOf', values: ['old', 'new'], weights: [1, 0], drift: { weights: [0, 1] } },
        b: { kind: 'bool', p: 0.1, drift: { p: 0.9 } },
      },
      progressRequests: N,
    }),
  );
  const per = N / 10;
  for (const d of [0, 4, 9]) {
    const rows = Array.from({ length: per }, (_, j) => gen.row(d * per + j));
    const mid = (d + 0.5) / 10;
    assertNear(mean(rows.map((r) => r.n as number)), 10 * mid, 1 / Math.sqrt(per), 4, `normal mean, decile ${d}`);
    assertRate(rows.filter((r) => r.c === 'new').length, per, mid, 4, `P(new), decile ${d}`);
    assertRate(rows.filter((r) => r.b).length, per, 0.1 + 0.8 * mid, 4, `P(b), decile ${d}`);
  }
});

test('progress counts requests, not rows: rows of one request share a progress', () => {
  const n = 100;
  const gen = createRowGenerator(
    scenario({ fields: { x: { kind: 'int', min: 0, max: 0, drift: { min: 1000, max: 1000 } } }, progressRequests: n, rowsPerRequest: 4 }),
  );
  for (let i = 0; i < 4 * n + 20; i++) assert.equal(gen.row(i).x, Math.round(1000 * Math.min(1, Math.floor(i / 4) / n)), `row ${i}`);
});
