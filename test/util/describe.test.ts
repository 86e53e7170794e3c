// groupThousands writes numbers as toLocaleString('en-US') does, without Intl for integers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupThousands } from '../../src/util/describe.js';

test('groupThousands agrees with toLocaleString("en-US")', () => {
  const cases = [
    0, // no separator
    7, // one digit
    999, // three digits: none
    1000, // first separator
    3000, // serve's warm-up count
    65_536, // five digits
    1_000_000, // two separators
    1_000_000_000, // LIMITS.requests
    -1234567, // a sign is not a digit group
    Number.MAX_SAFE_INTEGER, // the largest integer grouped by hand
    1.5, // not an integer: Intl's rounding (3 fraction digits)
    1234.5678, // grouped and rounded
    1e21, // beyond safe integers
  ];
  for (const n of cases) assert.equal(groupThousands(n), n.toLocaleString('en-US'), String(n));
});
