// Replay of labelled data sets: CSV and JSONL, orders, end behaviour, label columns and file errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRowGenerator } from '../../src/data/rows.js';
import { csvCell, displayPath } from '../../src/data/source.js';
import { ModelwaveError } from '../../src/errors.js';
import { checkRunData } from '../../src/engine/main/datacheck.js';
import type { CsvSource, LabelSpec } from '../../src/spec/types.js';
import { fixture, scenario } from './helpers.js';

const src = (name: string, over: Partial<CsvSource> = {}): CsvSource => ({
  path: fixture(name),
  format: name.endsWith('.jsonl') ? 'jsonl' : 'csv',
  order: 'sequential',
  atEnd: 'cycle',
  ...over,
});
const path = (name: string): string => displayPath(fixture(name));
const columnLabel = (column: string, classes: (string | number)[] = []): LabelSpec => ({
  name: column,
  task: 'classification',
  model: { kind: 'column', column },
  classes,
});

/** The telco fixture parsed independently of the code under test (it has no quoted cells). */
function telcoRecords(): { features: Record<string, string | number>; label: number }[] {
  const [head, ...lines] = readFileSync(fixture('telco.csv'), 'utf8').trim().split('\n');
  const names = head.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    const features: Record<string, string | number> = {};
    names.slice(0, 5).forEach((n, j) => (features[n] = n === 'manufacturer' ? cells[j] : Number(cells[j])));
    return { features, label: Number(cells[5]) };
  });
}

test('CSV sequential + cycle: rows in file order, label column split off, indices wrap', () => {
  const expected = telcoRecords();
  const gen = createRowGenerator(scenario({ source: src('telco.csv'), label: columnLabel('cell_tower_failure', [0, 1]) }));
  assert.deepEqual(gen.fieldNames, ['iot_signal_1', 'iot_signal_2', 'iot_signal_3', 'iot_signal_4', 'manufacturer']);
  assert.deepEqual(gen.classes, [0, 1]);
  assert.equal(gen.size, Infinity);
  for (let i = 0; i < 3 * expected.length; i++) {
    const e = expected[i % expected.length];
    const row = gen.row(i);
    assert.deepEqual(row, e.features, `row ${i}`);
    assert.equal(gen.label(i, row), e.label, `label ${i}`);
  }
  assert.ok(Object.isFrozen(gen.row(0)), 'shared replay rows are frozen');
});

test('shuffled: a seeded permutation, the same each cycle; another seed, another order', () => {
  const expected = telcoRecords();
  const n = expected.length;
  const shuffled = (seed: number) => createRowGenerator({ ...scenario({ source: src('telco.csv', { order: 'shuffled' }), label: columnLabel('cell_tower_failure') }), seed });
  const gen = shuffled(42);
  const order = Array.from({ length: n }, (_, i) => expected.findIndex((e) => JSON.stringify(e.features) === JSON.stringify(gen.row(i))));
  assert.deepEqual([...order].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i), 'every record exactly once');
  assert.notDeepEqual(order, Array.from({ length: n }, (_, i) => i), 'not the file order');
  for (let i = 0; i < n; i++) {
    assert.equal(gen.label(i, gen.row(i)), expected[order[i]].label, 'the label travels with its row');
    assert.deepEqual(gen.row(i + n), gen.row(i), 'same permutation on the next cycle');
  }
  const again = shuffled(42);
  const other = shuffled(7);
  assert.deepEqual(Array.from({ length: n }, (_, i) => again.row(i)), Array.from({ length: n }, (_, i) => gen.row(i)));
  assert.notDeepEqual(Array.from({ length: n }, (_, i) => other.row(i)), Array.from({ length: n }, (_, i) => gen.row(i)));
});

test('atEnd stop: size is the record count; a row past it is an internal error', () => {
  const gen = createRowGenerator(scenario({ source: src('telco.csv', { atEnd: 'stop' }) }));
  assert.equal(gen.size, 12);
  assert.equal(gen.fieldNames.length, 6, 'without a label model every column is a feature');
  assert.throws(() => gen.row(12), (e: unknown) => e instanceof ModelwaveError && e.code === 'MW_INTERNAL');
});

test('JSONL: typed values kept, blank lines skipped, classes inferred and sorted, columns option selects features', () => {
  const gen = createRowGenerator(scenario({ source: src('churn.jsonl', { columns: ['plan', 'tenure', 'vip'] }), label: columnLabel('churn') }));
  assert.deepEqual(gen.fieldNames, ['plan', 'tenure', 'vip']);
  assert.deepEqual(gen.classes, ['no', 'yes']);
  assert.deepEqual(gen.row(3), { plan: 'pro', tenure: 9, vip: true });
  assert.deepEqual(Array.from({ length: 8 }, (_, i) => gen.label(i, gen.row(i))), [0, 1, 0, 1, 0, 1, 0, 1]);
});

test('a replayed data set can feed a synthetic label model; text columns are refused by name and line', () => {
  const label: LabelSpec = { name: 'y', task: 'classification', model: { kind: 'logistic', bias: -1000, weights: { tenure: 1000, vip: 0 }, classes: [0, 1] }, classes: [0, 1] };
  const gen = createRowGenerator(scenario({ source: src('churn.jsonl'), label }));
  assert.deepEqual(Array.from({ length: 8 }, (_, i) => gen.label(i, gen.row(i))), [0, 1, 1, 1, 1, 1, 1, 1]);
  assert.throws(
    () => createRowGenerator(scenario({ source: src('churn.jsonl'), label: { ...label, model: { kind: 'logistic', bias: 0, weights: { plan: 1 }, classes: [0, 1] } } })),
    (e: unknown) => e instanceof ModelwaveError && e.message.startsWith(`label.model.weights.plan: field \`plan\` is not numeric (${path('churn.jsonl')}:1: "basic")`),
  );
});

test('regression column: numeric targets', () => {
  const gen = createRowGenerator(scenario({ source: src('regression.csv'), label: { name: 'price', task: 'regression', model: { kind: 'column', column: 'price' }, classes: [] } }));
  assert.equal(gen.task, 'regression');
  assert.deepEqual([0, 1, 2].map((i) => gen.label(i, gen.row(i))), [10.5, 21, 29.75]);
});

test('numeric-looking CSV cells become numbers, a leading zero keeps its text, an empty cell is null', () => {
  const gen = createRowGenerator(scenario({ source: src('cells.csv') }));
  assert.deepEqual(gen.row(0), { int: 42, neg: -2.5, sci: 1000, dec: 0.5, lead0: '007', text: 'abc', blank: null, quoted: '1,000', label: 'maybe' });
  // Table: cell → value.
  const table = [
    ['0', 0],
    ['-0.25', -0.25],
    ['0.5', 0.5],
    ['+3', 3],
    ['1.', 1],
    ['1e-2', 0.01],
    ['02134', '02134'], // a zip code or an id: its digits are the value
    ['-007', '-007'],
    ['00', '00'],
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['0x10', '0x10'],
    [' 5', ' 5'],
    ['5 kg', '5 kg'],
    ['', null], // empty: no value, never ""
  ] as const;
  for (const [cell, value] of table) assert.equal(csvCell(cell), value, JSON.stringify(cell));
});

test('CRLF line ends: cells carry no \\r, a quoted cell keeps its own line break, lines are counted right', () => {
  const gen = createRowGenerator(scenario({ source: src('typed.csv'), label: columnLabel('label', ['no', 'yes']) }));
  assert.deepEqual(gen.row(0), { zip: '02134', amount: 10.5, count: 3, active: 'true', note: 'plain' });
  assert.deepEqual(gen.row(1), { zip: 95120, amount: null, count: 7, active: 0, note: 'two\r\nlines' });
  assert.deepEqual(gen.row(2), { zip: '-007', amount: 2, count: 8, active: 'no', note: null });
  assert.deepEqual(gen.replayed?.lines, [2, 3, 5]);
  assert.deepEqual([0, 1, 2].map((i) => gen.label(i, gen.row(i))), [1, 0, 1]);
  // Undeclared: what the values show (zip is mixed text and numbers, so text).
  assert.deepEqual(gen.fieldKinds, { zip: 'string', amount: 'number', count: 'integer', active: 'string', note: 'string' });
});

test('data.source.types: declared columns are read as declared (CSV text and JSONL values)', () => {
  const types = { zip: 'string', amount: 'number', count: 'integer', active: 'boolean' } as const;
  const gen = createRowGenerator(scenario({ source: src('typed.csv', { types }), label: columnLabel('label', ['no', 'yes']) }));
  assert.deepEqual(gen.row(1), { zip: '95120', amount: null, count: 7, active: false, note: 'two\r\nlines' });
  assert.deepEqual(gen.row(2), { zip: '-007', amount: 2, count: 8, active: false, note: null });
  assert.deepEqual(gen.fieldKinds, { zip: 'string', amount: 'number', count: 'integer', active: 'boolean', note: 'string' });
  const jsonl = createRowGenerator(scenario({ source: src('typed.jsonl', { types: { zip: 'string' } }), label: columnLabel('label', ['no', 'yes']) }));
  assert.deepEqual(jsonl.row(0), { zip: '02134', amount: 1.5, active: true });
  assert.deepEqual(jsonl.row(1), { zip: '95120', amount: null, active: false });
});

test('data.source.types: a cell that is not its declared type is an error at file:line', () => {
  assert.throws(
    () => createRowGenerator(scenario({ source: src('typed.csv', { types: { amount: 'integer' } }) })),
    (err: unknown) => err instanceof ModelwaveError && err.code === 'MW_FILE' && err.message === `${path('typed.csv')}:2: column \`amount\` is declared integer (data.source.types) but "10.5" is not an integer`,
  );
  assert.throws(
    () => createRowGenerator(scenario({ source: src('typed.csv', { types: { note: 'number' } }) })),
    (err: unknown) => err instanceof ModelwaveError && /typed\.csv:2: column `note` is declared number \(data\.source\.types\) but "plain" is not a number/.test(err.message),
  );
});

test('the run\'s data check refuses an empty model input with file:line, and passes when it is not sent', async () => {
  const base = scenario({ source: src('typed.csv'), label: columnLabel('label', ['no', 'yes']) });
  await assert.rejects(
    () => checkRunData({ ...base, target: { ...base.target, send: ['zip', 'amount', 'count'] } }),
    (err: unknown) =>
      err instanceof ModelwaveError &&
      err.exitCode === 2 &&
      err.message.startsWith(`${path('typed.csv')}:3: \`amount\` is empty, and it is a model input (target.send)`) &&
      err.details.some((d) => /leave the column out of target\.send/.test(d)),
  );
  await assert.doesNotReject(() => checkRunData({ ...base, target: { ...base.target, send: ['zip', 'count'] } }));
  // The label column is never a model input; an empty label is its own error.
  await assert.rejects(() => checkRunData({ ...base, target: { ...base.target, send: ['zip', 'count', 'note'] } }), /typed\.csv:5: `note` is empty/);
});

// Each row: a broken data set or label column, and the exact message (file and line) it must produce.
const BAD: [string, CsvSource, LabelSpec | undefined, string][] = [
  ['missing file', src('nope.csv'), undefined, `data.source: cannot read ${path('nope.csv')}: no such file`],
  ['missing label column', src('telco.csv'), columnLabel('churn'), `label column \`churn\` not found in ${path('telco.csv')}; columns are: iot_signal_1, iot_signal_2, iot_signal_3, iot_signal_4, manufacturer, cell_tower_failure`],
  ['ragged row', src('ragged.csv'), columnLabel('label'), `${path('ragged.csv')}:17: 4 cells, header has 5`],
  ['empty file', src('empty.csv'), undefined, `${path('empty.csv')} is empty; a CSV source needs a header row and at least one data row`],
  ['header only', src('header-only.csv'), undefined, `${path('header-only.csv')} has a header but no data rows`],
  ['bad JSON line', src('bad.jsonl'), undefined, `${path('bad.jsonl')}:3: not valid JSON`],
  ['JSONL line missing a key', src('missing-key.jsonl'), undefined, `${path('missing-key.jsonl')}:3: missing \`a\` (the first line has a, y)`],
  ['unclosed quote', src('unquoted-end.csv'), undefined, `${path('unquoted-end.csv')}:3: not valid CSV`],
  ['label value outside the classes', src('cells.csv'), columnLabel('label', ['yes', 'no']), `${path('cells.csv')}:2: label \`label\` value "maybe" is not one of the classes [yes, no]`],
  ['unknown feature column', src('telco.csv', { columns: ['iot_signal_1', 'signal_5'] }), undefined, `data.source.columns: \`signal_5\` not found in ${path('telco.csv')}; columns are: iot_signal_1, iot_signal_2, iot_signal_3, iot_signal_4, manufacturer, cell_tower_failure`],
];

for (const [what, source, label, message] of BAD) {
  test(`replay error: ${what}`, () => {
    assert.throws(
      () => createRowGenerator(scenario({ source, label })),
      (e: unknown) => {
        assert.ok(e instanceof ModelwaveError);
        assert.equal(e.code, 'MW_FILE');
        assert.ok(e.message.startsWith(message), `${e.message}\n  does not start with\n${message}`);
        return true;
      },
    );
  });
}

test('display paths are relative to the working directory when inside it', () => {
  assert.equal(displayPath(fixture('telco.csv')), 'test/fixtures/data/telco.csv');
  assert.equal(displayPath('/elsewhere/x.csv'), '/elsewhere/x.csv');
});
