import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bareNumberFix, durationProblem, formatDurationMs, parseDurationMs, tryParseDurationMs } from '../../src/util/duration.js';

test('parseDurationMs: units, compound durations and zero', () => {
  const cases: [string | number, number][] = [
    ['500ms', 500], // milliseconds
    ['5s', 5000], // seconds
    ['2m', 120_000], // minutes
    ['1h', 3_600_000], // hours
    ['1.5s', 1500], // decimals
    ['.5s', 500], // leading dot
    ['250us', 0.25], // microseconds (latency thresholds)
    [' 10 s ', 10_000], // surrounding and inner space
    ['1m30s', 90_000], // compound, largest unit first
    ['1h2m', 3_720_000], // hours and minutes
    ['1m 30s', 90_000], // formatDurationMs's own output reads back
    ['2s500ms', 2500], // any units, summed
    ['1.5m', 90_000], // a decimal part
    [0, 0], // zero is a valid duration (e.g. think time): no unit needed
    ['0', 0],
  ];
  for (const [input, ms] of cases) assert.equal(parseDurationMs(input), ms, JSON.stringify(input));
});

test('parseDurationMs: rejects what is not a duration', () => {
  for (const bad of ['5x', '-1s', 's', '', '1e3ms', '10 sec', '5s5', '1m30', 'm30s', -1, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => parseDurationMs(bad), RangeError, JSON.stringify(bad));
    assert.equal(tryParseDurationMs(bad), undefined);
  }
  assert.throws(() => parseDurationMs('5x'), /invalid duration "5x": expected e\.g\. "500ms", "10s", "1m30s" or "1h"/);
  assert.equal(tryParseDurationMs({}), undefined);
});

test('a bare number is an error with its fix, never milliseconds (`--duration 3` used to run 3 ms)', () => {
  // Table: input → the fix named. Small numbers were most likely seconds, large ones milliseconds.
  const cases: [string | number, string][] = [
    ['3', 'write 3s or 3000ms'], // --duration 3
    [2, 'write 2s or 2000ms'], // timeout: 2 in YAML
    ['1.5', 'write 1.5s or 1500ms'],
    [750, 'write 750ms or 0.75s'],
    ['1200', 'write 1200ms or 1.2s'],
  ];
  for (const [input, fix] of cases) {
    assert.throws(() => parseDurationMs(input), (e: unknown) => e instanceof RangeError && e.message.endsWith(`a number needs a unit; ${fix}`), JSON.stringify(input));
    assert.equal(bareNumberFix(input), fix);
    assert.equal(durationProblem(input), `has no unit: ${fix}`);
    assert.equal(tryParseDurationMs(input), undefined);
  }
  assert.equal(durationProblem('5x'), 'must be a duration like "500ms", "10s", "1m30s" or "1h"');
  assert.equal(durationProblem('1m30s'), undefined);
  assert.equal(bareNumberFix(0), undefined);
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
