import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wilson } from '../../src/quality/wilson.js';
import { close } from '../stats/exact.js';

test('Wilson 95% intervals match Newcombe (1998, Stat Med 17:857, Table II) to 4 decimals', () => {
  const published: [number, number, number, number][] = [
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0.0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ];
  for (const [k, n, lo, hi] of published) {
    const [l, h] = wilson(k, n);
    close(l, lo, 0.00005, `${k}/${n} lower`);
    close(h, hi, 0.00005, `${k}/${n} upper`);
  }
});

test('Wilson interval agrees with its closed form, is symmetric under k ↔ n − k, and honours z', () => {
  const z = 2.5758;
  const [l, h] = wilson(30, 40, z);
  const p = 0.75;
  const centre = (p + (z * z) / 80) / (1 + (z * z) / 40);
  const half = (z / (1 + (z * z) / 40)) * Math.sqrt((p * (1 - p)) / 40 + (z * z) / (4 * 1600));
  close(l, centre - half, 1e-12);
  close(h, centre + half, 1e-12);
  const [l2, h2] = wilson(10, 40, z);
  close(l2, 1 - h, 1e-12);
  close(h2, 1 - l, 1e-12);
});

test('edges: n = 0 is [0, 1]; all right has upper bound 1; invalid input throws', () => {
  assert.deepEqual(wilson(0, 0), [0, 1]);
  assert.equal(wilson(29, 29)[1], 1);
  close(wilson(29, 29)[0], 1 - 0.1170, 0.0001, '29/29 lower'); // mirror of 0/29 upper (0.1170)
  assert.throws(() => wilson(5, 4), /k must be in \[0, n\]/);
  assert.throws(() => wilson(1, 4, 0), /z must be a positive number/);
});
