// Every field kind: range, distribution (within stated standard errors), derived columns and spec errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRowGenerator } from '../../src/data/rows.js';
import type { Row } from '../../src/data/types.js';
import { ModelwaveError } from '../../src/errors.js';
import type { FieldSpec } from '../../src/spec/types.js';
import { assertNear, assertRate, mean, scenario, sd, TELCO_FIELDS } from './helpers.js';

const N = 40_000;

function rows(fields: Record<string, FieldSpec>, n = N, seed = 42): Row[] {
  const gen = createRowGenerator(scenario({ fields, seed }));
  return Array.from({ length: n }, (_, i) => gen.row(i));
}
const nums = (rs: Row[], f: string): number[] => rs.map((r) => r[f] as number);

test('int: inclusive range, every value equally likely (4 SE), mean (3 SE)', () => {
  const xs = nums(rows({ x: { kind: 'int', min: 1, max: 10 } }), 'x');
  const counts = new Map<number, number>();
  for (const x of xs) {
    assert.ok(Number.isInteger(x) && x >= 1 && x <= 10, `out of range: ${x}`);
    counts.set(x, (counts.get(x) ?? 0) + 1);
  }
  assert.deepEqual([...counts.keys()].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  for (const [v, c] of counts) assertRate(c, N, 0.1, 4, `P(x=${v})`);
  assertNear(mean(xs), 5.5, Math.sqrt(99 / 12 / N), 3, 'mean');
});

test('float: half-open range, uniform mean and sd (3 SE)', () => {
  const xs = nums(rows({ x: { kind: 'float', min: 2, max: 5 } }), 'x');
  assert.ok(xs.every((x) => x >= 2 && x < 5));
  const sigma = 3 / Math.sqrt(12);
  assertNear(mean(xs), 3.5, sigma / Math.sqrt(N), 3, 'mean');
  // SE of a sample sd for a uniform (kurtosis 1.8): sigma * sqrt(0.8 / 4n).
  assertNear(sd(xs), sigma, sigma * Math.sqrt(0.8 / (4 * N)), 3, 'sd');
  // Quarters of the range equally filled: uniform, not merely the right mean.
  for (let q = 0; q < 4; q++) {
    assertRate(xs.filter((x) => x >= 2 + 0.75 * q && x < 2.75 + 0.75 * q).length, N, 0.25, 4, `quarter ${q}`);
  }
});

test('normal: mean, sd (3 SE) and the 68/95 shape', () => {
  const xs = nums(rows({ x: { kind: 'normal', mean: 10, sd: 3 } }), 'x');
  assertNear(mean(xs), 10, 3 / Math.sqrt(N), 3, 'mean');
  assertNear(sd(xs), 3, 3 / Math.sqrt(2 * N), 3, 'sd');
  assertRate(xs.filter((x) => Math.abs(x - 10) < 3).length, N, 0.6827, 3, 'within 1 sd');
  assertRate(xs.filter((x) => Math.abs(x - 10) < 6).length, N, 0.9545, 3, 'within 2 sd');
});

test('oneOf: weighted and unweighted frequencies (4 SE)', () => {
  const rs = rows({
    m: { kind: 'oneOf', values: ['a', 'b', 'c'], weights: [5, 3, 2] },
    e: { kind: 'oneOf', values: [1, 2, 3, 4] },
    z: { kind: 'oneOf', values: ['never', 'always'], weights: [0, 1] },
  });
  for (const [v, p] of [['a', 0.5], ['b', 0.3], ['c', 0.2]] as const) assertRate(rs.filter((r) => r.m === v).length, N, p, 4, `P(m=${v})`);
  for (const v of [1, 2, 3, 4]) assertRate(rs.filter((r) => r.e === v).length, N, 0.25, 4, `P(e=${v})`);
  assert.ok(rs.every((r) => r.z === 'always'), 'a zero weight is never drawn');
});

test('bool: P(true) = p (4 SE)', () => {
  const rs = rows({ b: { kind: 'bool', p: 0.3 } });
  assert.ok(rs.every((r) => typeof r.b === 'boolean'));
  assertRate(rs.filter((r) => r.b).length, N, 0.3, 4, 'P(true)');
});

test('uuid: v4 format, unique, deterministic', () => {
  const rs = rows({ id: { kind: 'uuid' } }, 10_000);
  const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  for (const r of rs) assert.match(String(r.id), v4);
  assert.equal(new Set(rs.map((r) => r.id)).size, rs.length);
  assert.equal(rows({ id: { kind: 'uuid' } }, 3)[2].id, rs[2].id);
  assert.notEqual(rows({ id: { kind: 'uuid' } }, 3, 43)[2].id, rs[2].id, 'another seed, another uuid');
});

test('const and seq', () => {
  const gen = createRowGenerator(scenario({ fields: { c: { kind: 'const', value: 'v1' }, s: { kind: 'seq' } } }));
  assert.deepEqual(gen.row(0), { c: 'v1', s: 0 });
  assert.deepEqual(gen.row(123456789012), { c: 'v1', s: 123456789012 });
});

test('derived: iot_signal_2 = iot_signal_1 + int[0,2], correlated as configured', () => {
  const rs = rows(TELCO_FIELDS);
  const d = rs.map((r) => (r.iot_signal_2 as number) - (r.iot_signal_1 as number));
  for (const v of [0, 1, 2]) assertRate(d.filter((x) => x === v).length, N, 1 / 3, 4, `P(diff=${v})`);
  assert.ok(d.every((x) => x >= 0 && x <= 2));
  // Field order in the row object is the scenario's order.
  assert.deepEqual(Object.keys(rs[0]), ['iot_signal_1', 'iot_signal_2', 'iot_signal_3', 'iot_signal_4', 'manufacturer']);
});

test('derived: minus/times over refs, numbers, nested expressions and booleans', () => {
  const rs = rows(
    {
      a: { kind: 'int', min: 0, max: 100 },
      f: { kind: 'bool', p: 0.5 },
      twice: { kind: 'times', args: [{ ref: 'a' }, { value: 2 }] },
      rest: { kind: 'minus', args: [{ value: 100 }, { ref: 'a' }, { expr: { kind: 'const', value: 1 } }] },
      withFlag: { kind: 'plus', args: [{ ref: 'a' }, { ref: 'f' }, { expr: { kind: 'times', args: [{ value: 3 }, { value: 4 }] } }] },
    },
    2000,
  );
  for (const r of rs) {
    const a = r.a as number;
    assert.equal(r.twice, 2 * a);
    assert.equal(r.rest, 99 - a);
    assert.equal(r.withFlag, a + (r.f ? 1 : 0) + 12);
  }
});

test('fields are independent of each other and of the previous row (|r| < 4/sqrt(n))', () => {
  const rs = rows({ x: { kind: 'float', min: 0, max: 1 }, y: { kind: 'float', min: 0, max: 1 } });
  const corr = (a: number[], b: number[]): number => {
    const ma = mean(a);
    const mb = mean(b);
    let s = 0;
    for (let i = 0; i < a.length; i++) s += (a[i] - ma) * (b[i] - mb);
    return s / (a.length - 1) / (sd(a) * sd(b));
  };
  const x = nums(rs, 'x');
  const y = nums(rs, 'y');
  assert.ok(Math.abs(corr(x, y)) < 4 / Math.sqrt(N), `corr(x, y) = ${corr(x, y)}`);
  assert.ok(Math.abs(corr(x.slice(1), x.slice(0, -1))) < 4 / Math.sqrt(N), 'serial correlation');
});

test('a row is a pure function of its index: any order, any repetition, indices past 2^32', () => {
  const gen = createRowGenerator(scenario({ fields: { ...TELCO_FIELDS, id: { kind: 'uuid' }, n: { kind: 'normal', mean: 0, sd: 1 } } }));
  const big = 2 ** 32 + 5;
  const first = [gen.row(7), gen.row(big), gen.row(5)];
  const again = [gen.row(5), gen.row(big), gen.row(7)].reverse();
  assert.deepEqual(again, first);
  assert.notDeepEqual(gen.row(5), gen.row(big), 'row 2^32+5 is not row 5');
  assert.notDeepEqual(createRowGenerator(scenario({ fields: TELCO_FIELDS, seed: 7 })).row(0), createRowGenerator(scenario({ fields: TELCO_FIELDS, seed: 8 })).row(0));
});

// Each row: a bad spec, and the path its error must name.
const BAD: [string, Record<string, FieldSpec>, RegExp][] = [
  ['ref to a later field', { a: { kind: 'plus', args: [{ ref: 'b' }, { value: 1 }] }, b: { kind: 'int', min: 0, max: 1 } }, /data\.fields\.a\.plus\[0\]: `b` is not an earlier field/],
  ['ref to a text field', { s: { kind: 'oneOf', values: ['x', 'y'] }, t: { kind: 'plus', args: [{ ref: 's' }, { value: 1 }] } }, /data\.fields\.t\.plus\[0\]: `s` is not numeric/],
  ['nested text expression', { t: { kind: 'times', args: [{ expr: { kind: 'uuid' } }, { value: 1 }] } }, /data\.fields\.t\.times\[0\]: nested expression must be numeric/],
  ['weights length', { m: { kind: 'oneOf', values: ['a', 'b'], weights: [1] } }, /data\.fields\.m\.weights: has 1 weights for 2 values/],
  ['negative weight', { m: { kind: 'oneOf', values: ['a', 'b'], weights: [1, -1] } }, /data\.fields\.m\.weights: weights must be non-negative/],
  ['min above max', { x: { kind: 'int', min: 5, max: 1 } }, /data\.fields\.x: min must not exceed max/],
  ['text faker in arithmetic', { t: { kind: 'plus', args: [{ expr: { kind: 'faker', method: 'person.firstName' } }, { value: 1 }] } }, /data\.fields\.t\.plus\[0\]: nested expression must be numeric/],
];

for (const [what, fields, message] of BAD) {
  test(`field spec error: ${what}`, () => {
    assert.throws(() => createRowGenerator(scenario({ fields })), (err: unknown) => {
      assert.ok(err instanceof ModelwaveError);
      assert.equal(err.code, 'MW_SCENARIO_INVALID');
      assert.match(err.message, message);
      return true;
    });
  });
}
