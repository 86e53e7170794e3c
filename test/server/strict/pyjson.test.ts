// The number and JSON formatting the strict servers share: Python's float repr and float(), numpy's row repr,
// TF Serving's WriteDecimal, and the JSON reader that keeps float tokens and NaN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Float, compactJson, numpyRow, parsePyFloat, pyDumps, pyFloat, pyRepr } from '../../../src/server/strict/pyjson.js';
import { JsonSyntaxError, parseJson } from '../../../src/server/strict/jsonparse.js';
import { rowFormat, tfDecimal } from '../../../src/server/strict/rapidjson.js';

// Each row: a double → repr(float) in Python 3.
const reprs: [number, string][] = [
  [1, '1.0'],
  [0.1, '0.1'],
  [-0, '-0.0'],
  [1e-5, '1e-05'],
  [0.0001, '0.0001'],
  [1e16, '1e+16'],
  [123456789012345.6, '123456789012345.6'],
  [2.5e-7, '2.5e-07'],
  [Math.fround(0.87), '0.8700000047683716'],
];
for (const [v, text] of reprs) test(`repr(${v}) is ${text}`, () => assert.equal(pyFloat(v), text));

// Each row: a string → Python's float(s) (undefined = ValueError).
const floats: [string, number | undefined][] = [
  ['2.5', 2.5],
  [' 7 ', 7],
  ['1_000', 1000],
  ['1e3', 1000],
  ['-inf', -Infinity],
  ['0x1d', undefined], // JavaScript's Number() would say 29
  ['', undefined],
  ['1,5', undefined],
];
for (const [s, v] of floats) test(`float(${JSON.stringify(s)}) is ${v}`, () => assert.equal(parsePyFloat(s), v));

test('parseJson keeps float tokens and NaN/Infinity apart from integers; refuses NaN when asked', () => {
  const v = parseJson('{"a": [2.0, 2, NaN, -Infinity, 1e2]}') as { a: unknown[] };
  assert.deepEqual(v.a.map((x) => (x instanceof Float ? `f${x.value}` : `i${x}`)), ['f2', 'i2', 'fNaN', 'f-Infinity', 'f100']);
  assert.throws(() => parseJson('[NaN]', false), (e: unknown) => e instanceof JsonSyntaxError && e.python() === 'Expecting value: line 1 column 2 (char 1)');
  assert.throws(() => parseJson('{"a": 1} x'), (e: unknown) => e instanceof JsonSyntaxError && e.rapidjson() === 'The document root must not be followed by other values.');
});

test('JSON writers: json.dumps spacing and NaN tokens vs compact with NaN as null; floats keep their point', () => {
  const v = { p: [new Float(1), new Float(NaN), 2], s: 'é' };
  assert.equal(pyDumps(v), '{"p": [1.0, NaN, 2], "s": "\\u00e9"}');
  assert.equal(compactJson(v), '{"p":[1.0,null,2],"s":"é"}');
  assert.equal(pyRepr(['a', "it's", null, true, 2.5]), `['a', "it's", None, True, 2.5]`);
});

test('numpy prints a float row aligned on the decimal point', () => {
  assert.equal(numpyRow([6.8, 6]), '[6.8 6. ]');
  assert.equal(numpyRow([7, 8, 52, 104]), '[  7.   8.  52. 104.]');
});

test('TF Serving WriteDecimal: six digits when they round-trip as float32, nine otherwise, ".0" on whole numbers', () => {
  assert.equal(tfDecimal(0.87, true), '0.87');
  assert.equal(tfDecimal(3, true), '3.0');
  assert.equal(tfDecimal(1 / (1 + Math.exp(-2.9)), true), '0.947846413');
  assert.equal(tfDecimal(1e-7, true), '1e-07');
  assert.equal(tfDecimal(NaN, true), 'NaN');
  assert.equal(rowFormat([3.5, 4]), '{\n    "predictions": [3.5, 4\n    ]\n}');
});
