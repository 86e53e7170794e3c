// Plain strings (RowGenerator.plainStrings): fields whose values are strings JSON writes as they are are copied into
// the request without escaping. Which fields qualify is decided from their definitions (or a replayed file), and the
// bytes are always the ones JSON.stringify gives — also when a "plain" field holds something else after all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrayRowEncoder, cellJson, listsRowEncoder, rowEncoder, rowWriter } from '../../src/codecs/json.js';
import { createRowGenerator } from '../../src/data/rows.js';
import type { Cell, Row } from '../../src/data/types.js';
import type { FieldSpec } from '../../src/spec/types.js';
import { fixture, scenario, TELCO_FIELDS } from '../data/helpers.js';

const NAMES = ['n', 's', 'id', 'x'];
const PLAIN = new Set(['s', 'id']);

/** The writers without the plain set: JSON.stringify's text for every cell. */
const generic = {
  object: (r: Row) => `{${NAMES.map((k) => `${JSON.stringify(k)}:${cellJson(r[k])}`).join(',')}}`,
  array: (r: Row) => `[${NAMES.map((k) => cellJson(r[k])).join(',')}]`,
  lists: (r: Row) => `{${NAMES.map((k) => `${JSON.stringify(k)}:[${cellJson(r[k])}]`).join(',')}}`,
};

const ROWS: [string, Row][] = [
  // plain values, as the generator gives them
  ['strings where promised', { n: 1, s: 'New World Corp', id: '0xA1b2', x: 2.5 }],
  ['empty string', { n: -0, s: '', id: '0x', x: true }],
  // a promise broken: the row goes through the generic path, never a wrong byte
  ['a number in a plain field', { n: 1, s: 7 as Cell, id: '0xA1', x: null }],
  ['a missing plain field', { n: 1, id: '0xA1', x: 'q"uote' }],
  ['null in a plain field', { n: NaN, s: 'a', id: null, x: 'line\nbreak' }],
];

for (const [what, row] of ROWS) {
  test(`plain fields, ${what}: object, array and object-of-lists rows are JSON.stringify's bytes`, () => {
    assert.equal(rowEncoder(NAMES, PLAIN)(row), generic.object(row));
    assert.equal(arrayRowEncoder(NAMES, PLAIN)(row), generic.array(row));
    assert.equal(listsRowEncoder(NAMES, PLAIN)(row), generic.lists(row));
    assert.equal(rowWriter('object', NAMES, PLAIN)(row), rowEncoder(NAMES)(row));
    if (what === 'strings where promised') assert.deepEqual(JSON.parse(rowEncoder(NAMES, PLAIN)(row)), row);
  });
}

test('the generator marks plain exactly the fields whose every value JSON writes as it is', () => {
  const fields: Record<string, FieldSpec> = {
    ...TELCO_FIELDS, // manufacturer: plain oneOf
    device_id: { kind: 'faker', method: 'string.hexadecimal', args: { length: 13 } },
    code: { kind: 'faker', method: 'string.alphanumeric', args: { length: 6, casing: 'upper' } },
    quoted_prefix: { kind: 'faker', method: 'string.hexadecimal', args: { prefix: 'x"' } }, // escaped by JSON
    first: { kind: 'faker', method: 'person.firstName' }, // faker's data: not known
    quoted: { kind: 'oneOf', values: ['a', 'b "c"'] },
    mixed: { kind: 'oneOf', values: ['a', 1] },
    tab: { kind: 'const', value: 'a\tb' },
    fw: { kind: 'const', value: 'v1' },
    id: { kind: 'uuid' },
    n: { kind: 'faker', method: 'number.int' },
  };
  const gen = createRowGenerator(scenario({ fields }));
  assert.deepEqual([...gen.plainStrings!].sort(), ['code', 'device_id', 'fw', 'id', 'manufacturer']);
  for (let i = 0; i < 300; i++) {
    const row = gen.row(i);
    for (const k of gen.plainStrings!) assert.equal(JSON.stringify(row[k]), `"${row[k] as string}"`, `${k} of row ${i}`);
  }
});

test('a replayed column is plain when every one of its values is', () => {
  const gen = createRowGenerator(scenario({ source: { path: fixture('cells.csv'), format: 'csv', order: 'sequential', atEnd: 'cycle' } }));
  // lead0 is '007' then 5, blank is empty (null): not plain; text, quoted ("1,000") and label are.
  assert.deepEqual([...gen.plainStrings!].sort(), ['label', 'quoted', 'text']);
  const rows = gen.replayed!.rows;
  for (const name of gen.fieldNames) {
    const plain = rows.every((r) => typeof r[name] === 'string' && JSON.stringify(r[name]) === `"${r[name] as string}"`);
    assert.equal(gen.plainStrings!.has(name), plain, name);
  }
});
