// The CSV reader every data source goes through (validate and the load workers alike): RFC 4180 records, the line
// each starts on, and errors at the line a reader should look at. Bad rows of a whole file are reported together.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CsvSyntaxError, parseCsv } from '../../src/data/csv.js';
import { loadSource, readSourceHeader } from '../../src/data/source.js';
import { ModelwaveError } from '../../src/errors.js';
import { LIMITS } from '../../src/scenario/limits.js';

const records = (text: string): [string[], number][] => {
  const out: [string[], number][] = [];
  parseCsv(text, (cells, line) => void out.push([cells, line]));
  return out;
};

// Table: CSV text → [cells, line the record starts on] per record (RFC 4180 §2 rules and the common variants).
const GOOD: [string, string, [string[], number][]][] = [
  ['LF records', 'a,b\n1,2\n', [[['a', 'b'], 1], [['1', '2'], 2]]],
  ['CRLF records (§2.1)', 'a,b\r\n1,2\r\n', [[['a', 'b'], 1], [['1', '2'], 2]]],
  ['no final line break (§2.2)', 'a,b\n1,2', [[['a', 'b'], 1], [['1', '2'], 2]]],
  ['a UTF-8 BOM is not part of the first name', '\ufeffa,b\n1,2\n', [[['a', 'b'], 1], [['1', '2'], 2]]],
  ['quoted comma (§2.6)', 'a,b\n"x,y",2\n', [[['a', 'b'], 1], [['x,y', '2'], 2]]],
  ['quoted line break (§2.6): the next record starts two lines on', 'a\n"multi\nline"\n3\n', [[['a'], 1], [['multi\nline'], 2], [['3'], 4]]],
  ['doubled quote inside quotes (§2.7)', 'a\n"say ""hi"""\n', [[['a'], 1], [['say "hi"'], 2]]],
  ['empty lines are skipped, line numbers still count them', 'a,b\n\n1,2\r\n\r\n3,4\n', [[['a', 'b'], 1], [['1', '2'], 3], [['3', '4'], 5]]],
  ['empty cells, trailing comma', 'a,b,\n,2,\n', [[['a', 'b', ''], 1], [['', '2', ''], 2]]],
  ['an empty quoted cell', 'a\n""\n', [[['a'], 1], [[''], 2]]],
  ['spaces are data', 'a, b\n 1 ,2\n', [[['a', ' b'], 1], [[' 1 ', '2'], 2]]],
  ['a lone CR inside a field is data', 'a\nx\ry\n', [[['a'], 1], [['x\ry'], 2]]],
];
for (const [what, text, expected] of GOOD) {
  test(`CSV: ${what}`, () => assert.deepEqual(records(text), expected));
}

// Table: not CSV → the line and the message a reader needs.
const BAD: [string, string, number, RegExp][] = [
  ['a quote never closed is reported at the line it opens', 'a,b\n1,"2\n3,4\n5,6\n', 2, /quoted field opened on this line is never closed/],
  ['a quote inside an unquoted field', 'a,b\n1,x"y\n', 2, /a quote inside unquoted field 2/],
  ['text after a closing quote', 'a,b\n"1"x,2\n', 2, /text after the closing quote of field 1/],
];
for (const [what, text, line, message] of BAD) {
  test(`CSV error: ${what}`, () => {
    assert.throws(
      () => records(text),
      (e: unknown) => e instanceof CsvSyntaxError && e.line === line && message.test(e.message),
    );
  });
}

test('parseCsv stops when the callback says so (the header read parses one record of a large file)', () => {
  let n = 0;
  parseCsv('a\n1\n2\n"unclosed\n', () => ++n < 2);
  assert.equal(n, 2);
});

const dir = mkdtempSync(path.join(tmpdir(), 'mw-csv-'));
const file = (name: string, text: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const load = (p: string) => loadSource({ path: p, format: p.endsWith('.jsonl') ? 'jsonl' : 'csv', order: 'sequential', atEnd: 'cycle' });

test('several bad rows are reported together, each as file:line (up to 5)', () => {
  const rows = ['a,b,c', '1,2,3', '1,2', '4,5,6', '7', '8,9,10,11', '1,2,3', '1', '2', '3', '4'];
  const p = file('many-bad.csv', `${rows.join('\n')}\n`);
  assert.throws(
    () => load(p),
    (e: unknown) => {
      assert.ok(e instanceof ModelwaveError && e.code === 'MW_FILE');
      assert.match(e.message, /many-bad\.csv:3: 2 cells, header has 3; fix or remove the row$/);
      assert.deepEqual(
        e.details.map((d) => d.replace(/^.*many-bad\.csv/, '')),
        [':5: 1 cells, header has 3; fix or remove the row', ':6: 4 cells, header has 3; fix or remove the row', ':8: 1 cells, header has 3; fix or remove the row', ':9: 1 cells, header has 3; fix or remove the row', '(stopped after 5 bad rows)'],
      );
      assert.deepEqual(e.where, { path: ['data', 'source'], file: e.where?.file, line: 3 });
      return true;
    },
  );
});

test('JSONL: every broken line is found, not only the first', () => {
  const p = file('two-bad.jsonl', '{"a": 1}\n{"a": \n{"a": 3}\n[1]\n');
  assert.throws(
    () => load(p),
    (e: unknown) => e instanceof ModelwaveError && /two-bad\.jsonl:2: not valid JSON/.test(e.message) && /two-bad\.jsonl:4: each line must be a JSON object/.test(e.details[0] ?? ''),
  );
});

test(`a data source over ${LIMITS.dataSourceBytes / 1024 / 1024} MiB is refused before it is read (every worker would hold it)`, () => {
  const p = path.join(dir, 'huge.csv');
  writeFileSync(p, 'a,b\n');
  truncateSync(p, LIMITS.dataSourceBytes + 1); // sparse: no 64 MiB written
  assert.match(String(readSourceHeader(p, 'csv')), /^is 64\.1 MiB, over the 64 MiB limit \(every load worker holds the rows in memory\): sample the file$/);
  assert.throws(() => load(p), (e: unknown) => e instanceof ModelwaveError && e.code === 'MW_FILE' && /over the 64 MiB limit/.test(e.message));
});

test('the validator reads the header through the same reader: BOM, quoted names, a directory', () => {
  assert.deepEqual(readSourceHeader(file('bom.csv', '\ufeff"id","a,b"\n1,2\n'), 'csv'), ['id', 'a,b']);
  assert.deepEqual(readSourceHeader(file('h.jsonl', '\n{"x": 1, "y": 2}\n'), 'jsonl'), ['x', 'y']);
  assert.equal(readSourceHeader(dir, 'csv'), 'is not a file');
  assert.equal(readSourceHeader(path.join(dir, 'nope.csv'), 'csv'), 'names a file that does not exist');
});
