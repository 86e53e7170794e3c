import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Confusion } from '../../src/quality/confusion.js';

test('Confusion counts true × predicted, and correct/total follow the diagonal', () => {
  const c = new Confusion(3);
  c.add(0, 0);
  c.add(0, 1);
  c.add(1, 1, 4);
  c.add(2, 0, 2);
  c.add(2, 2);
  assert.deepEqual(c.toMatrix(), [
    [1, 1, 0],
    [0, 4, 0],
    [2, 0, 1],
  ]);
  assert.equal(c.correct(), 6);
  assert.equal(c.total(), 9);
});

test('merge adds cell by cell and leaves the argument unchanged', () => {
  const a = new Confusion(2);
  const b = new Confusion(2);
  a.add(0, 0, 3);
  a.add(1, 0);
  b.add(1, 1, 5);
  b.add(1, 0, 2);
  a.merge(b);
  assert.deepEqual(a.toMatrix(), [
    [3, 0],
    [3, 5],
  ]);
  assert.deepEqual(b.toMatrix(), [
    [0, 0],
    [2, 5],
  ]);
  assert.throws(() => a.merge(new Confusion(3)), /sizes differ/);
});

test('toMatrix returns a copy, not a view', () => {
  const c = new Confusion(2);
  c.add(1, 1);
  const m = c.toMatrix();
  m[1][1] = 99;
  assert.equal(c.toMatrix()[1][1], 1);
});

test('bad sizes and indices are rejected with the offending value', () => {
  assert.throws(() => new Confusion(0), /positive integer \(got 0\)/);
  const c = new Confusion(2);
  assert.throws(() => c.add(2, 0), /trueIdx must be an integer in \[0, 1\] \(got 2\)/);
  assert.throws(() => c.add(0, -1), /predIdx/);
  assert.throws(() => c.add(0, 0.5 as number), /predIdx/);
  assert.throws(() => c.add(0, 0, -1), /non-negative/);
});

test('answers outside the classes: wrong rows in no column, counted per true class, merged, in total() but not correct()', () => {
  const a = new Confusion(2);
  a.add(0, 0, 3);
  a.add(1, 1, 2);
  a.addOutOfClass(1);
  const b = new Confusion(2);
  b.addOutOfClass(0, 2);
  a.merge(b);
  assert.deepEqual(a.outOfClass(), [2, 1]);
  assert.deepEqual(a.toMatrix(), [
    [3, 0],
    [0, 2],
  ]);
  assert.equal(a.correct(), 5);
  assert.equal(a.total(), 8, '5 in the matrix + 3 outside');
  assert.throws(() => a.addOutOfClass(2), /trueIdx must be an integer in \[0, 1\] \(got 2\)/);
});
