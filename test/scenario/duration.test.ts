import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDurationMs, parseDurationMs, tryParseDurationMs } from '../../src/util/duration.js';

test('parseDurationMs: units and bare numbers', () => {
  const cases: [string | number, number][] = [
    ['500ms', 500], // milliseconds
    ['5s', 5000], // seconds
    ['2m', 120_000], // minutes
    ['1h', 3_600_000], // hours
    ['1.5s', 1500], // decimals
    ['.5s', 500], // leading dot
    ['250us', 0.25], // microseconds (latency thresholds)
    [' 10 s ', 10_000], // surrounding and inner space
    ['750', 750], // numeric string = ms
    [1200, 1200], // number = ms
    [0, 0], // zero is a valid duration (e.g. think time)
  ];
  for (const [input, ms] of cases) assert.equal(parseDurationMs(input), ms, JSON.stringify(input));
});

test('parseDurationMs: rejects what is not a duration', () => {
  for (const bad of ['5x', '-1s', 's', '', '1e3ms', '10 sec', '5s5', -1, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => parseDurationMs(bad), RangeError, JSON.stringify(bad));
    assert.equal(tryParseDurationMs(bad), undefined);
  }
  assert.throws(() => parseDurationMs('5x'), /invalid duration "5x": expected e\.g\. "500ms", "5s", "2m", "1h" or a number of milliseconds/);
  assert.equal(tryParseDurationMs({}), undefined);
});

test('formatDurationMs: short human form', () => {
  const cases: [number, string][] = [
    [0.25, '250us'],
    [250, '250ms'],
    [1500, '1.5s'],
    [40_000, '40s'],
    [120_000, '2m'],
    [90_000, '1m 30s'],
    [5_400_000, '1h 30m'],
  ];
  for (const [ms, text] of cases) assert.equal(formatDurationMs(ms), text);
});
