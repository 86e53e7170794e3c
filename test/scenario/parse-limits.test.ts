// Parser limits: a scenario file can be hostile or simply wrong (a device, a huge file, an alias bomb, a structure
// nested thousands deep, a .json file that is not JSON). Each is exit 2 naming the file and the limit, quickly,
// without "Maximum call stack size exceeded" or "internal error".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, writeFileSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelwaveError } from '../../src/errors.js';
import { loadScenario, parseScenarioText } from '../../src/scenario/load.js';
import { SCENARIO_LIMITS } from '../../src/scenario/parse.js';
import { checkJson } from '../../src/scenario/json-check.js';
import { CLI } from '../engine/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'mw-limits-'));
const write = (name: string, text: string | Buffer) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const MINIMAL = 'target:\n  url: builtin:telco@v1\ndata:\n  fields:\n    x: { int: [1, 10] }\nload:\n  phases:\n    - { duration: 1s, rate: 10 }\n';

/** `modelwave validate <file>`: exit code, stderr, wall time. The 20 s bound only proves the process ends. */
function validate(file: string): { status: number | null; stderr: string; stdout: string; ms: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, 'validate', file], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, MODELWAVE_DEBUG: '' } });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout, ms: performance.now() - t0 };
}

function assertCleanExit2(r: ReturnType<typeof validate>, pattern: RegExp): void {
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /Maximum call stack|internal error|\n\s+at /);
  assert.ok(r.ms < 20_000, `ended in ${r.ms} ms`);
}

const fileError = (fn: () => unknown): ModelwaveError => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ModelwaveError, String(err));
    assert.equal(err.exitCode, 2);
    return err;
  }
  assert.fail('accepted');
};

test('a YAML alias bomb is refused by the alias limit, not an internal error', () => {
  // The "billion laughs": 9 levels of 9 aliases each.
  let text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  let prev = 'a';
  for (const n of 'bcdefghi') {
    text += `${n}: &${n} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
    prev = n;
  }
  const r = validate(write('bomb.yaml', text));
  assertCleanExit2(r, /bomb\.yaml: YAML aliases \(\*name\) expand to more than 1000 nodes, the limit that stops alias bombs/);
});

test('a wide anchor aliased many times passes yaml\'s own count but not the expanded-value limit', () => {
  const text = `w: &w [${Array.from({ length: 2_000 }, (_, i) => i).join(',')}]\nl: [${Array(900).fill('*w').join(',')}]\n`;
  const err = fileError(() => parseScenarioText(text, 'wide.yaml'));
  assert.equal(err.message, `scenario wide.yaml: YAML aliases (*name) expand it to more than ${SCENARIO_LIMITS.expandedValues} values, the limit that stops alias bombs; write the values out or reuse fewer anchors`);
});

test('an alias inside its own anchor (a cycle) is refused as too deep', () => {
  const err = fileError(() => parseScenarioText('data: &x\n  fields:\n    a: { int: *x }\n', 'cycle.yaml'));
  assert.match(err.message, /^scenario cycle\.yaml nests deeper than 64 levels once its YAML aliases \(\*name\) are expanded/);
});

test('deep nesting: flow, block and JSON, each refused at the limit with the place', () => {
  const flow = validate(write('deep-flow.yaml', `target: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`));
  assertCleanExit2(flow, /scenario .*deep-flow\.yaml nests deeper than 64 levels \(at .*deep-flow\.yaml:1:72\), the limit for scenario files/);
  const block = Array.from({ length: 3_000 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n');
  assertCleanExit2(validate(write('deep-block.yaml', `${block} 1\n`)), /deep-block\.yaml nests deeper than 64 levels \(at .*deep-block\.yaml:65:65\)/);
  const json = validate(write('deep.json', `{"target": ${'{"a": '.repeat(20_000)}1${'}'.repeat(20_000)}}`));
  assertCleanExit2(json, /deep\.json nests deeper than 64 levels \(at .*deep\.json:1:\d+\)/);
  // 64 levels is still fine as far as the parser goes (the schema then rejects the content).
  const ok = fileError(() => parseScenarioText(`target: ${'['.repeat(63)}${']'.repeat(63)}\n`, 'at-limit.yaml'));
  assert.equal(ok.code, 'MW_SCENARIO_INVALID');
});

test('a file over 10 MiB is refused from its size, without reading it', () => {
  const file = join(dir, 'huge.yaml');
  const fd = openSync(file, 'w');
  ftruncateSync(fd, 64 * 1024 * 1024 * 1024); // sparse: 64 GiB that cost nothing on disk
  closeSync(fd);
  const r = validate(file);
  assertCleanExit2(r, /scenario .*huge\.yaml is 65536\.0 MiB, over the 10\.0 MiB limit for scenario files; keep large data in a data\.source file/);
  // Just over the limit, with real content.
  const big = write('big.yaml', `${MINIMAL}description: "${'x'.repeat(SCENARIO_LIMITS.fileBytes)}"\n`);
  assert.match(fileError(() => loadScenario(big)).message, /big\.yaml is 10\.0 MiB, over the 10\.0 MiB limit/);
});

test('devices, pipes and directories are refused without reading them', () => {
  assertCleanExit2(validate('/dev/zero'), /^modelwave: cannot read scenario \/dev\/zero: it is not a regular file \(a character device\); give the path of a \.yaml or \.json file\n$/);
  const fifo = join(dir, 'pipe.yaml');
  execFileSync('mkfifo', [fifo]);
  // Opening a FIFO for reading would block until a writer appears: it must be refused from its type.
  assertCleanExit2(validate(fifo), /cannot read scenario .*pipe\.yaml: it is not a regular file \(a pipe\)/);
  assertCleanExit2(validate(dir), /cannot read scenario .*: it is a directory/);
  assertCleanExit2(validate(join(dir, 'nope.yaml')), /cannot read scenario .*nope\.yaml: no such file/);
});

test('text that is not UTF-8 is named as such', () => {
  assert.match(fileError(() => loadScenario(write('utf16.yaml', Buffer.from(`\ufeff${MINIMAL}`, 'utf16le')))).message, /is UTF-16 text .*; save it as UTF-8/);
  assert.match(fileError(() => loadScenario(write('binary.yaml', Buffer.from([0x74, 0x3a, 0x20, 0xc3, 0x28, 0xff])))).message, /is not UTF-8 text \(is it a binary file\?\); save it as UTF-8/);
  // A UTF-8 byte order mark is fine.
  assert.equal(loadScenario(write('bom.yaml', `\ufeff${MINIMAL}`)).name, 'bom');
});

test('a .json file is parsed as strict JSON, with line:col of the first mistake', () => {
  const rows: [string, string][] = [
    ['{"target": {"url": "builtin:telco@v1",}}', '1:39: trailing comma before \'}\' (JSON allows none)'], // trailing comma (valid YAML)
    ['{\n  "target": {"url": "x"}\n  "data": 1\n}', '3:3: expected \',\' or \'}\' (got "\\""); a comma is missing'], // missing comma
    ["{'target': 1}", '1:2: expected a double-quoted property name (got "\'")'], // single quotes (valid YAML)
    ['{target: 1}', '1:2: expected a double-quoted property name (got "t")'], // bare key (valid YAML)
    ['{"a": tru}', '1:7: expected a value (got "tru"); did you mean true?'], // typo of a literal
    ['{"a": yes}', '1:7: expected a value (got "yes"); strings must be double-quoted'], // YAML-ism
    ['{"a": "x\ty"}', '1:9: a tab inside a string must be escaped (\\n, \\t, \\u00XX)'], // raw control character
    ['{"a": 1, "a": 2}', '1:10: duplicate key "a" (each key may appear once per object)'], // JSON.parse keeps the last silently
    ['[1, 2,]', "1:7: trailing comma before ']' (JSON allows none)"], // trailing comma in a list
    ['{"a": 1} {"b": 2}', '1:10: unexpected "{" after the end of the JSON value'], // two values
    ['{"a": 01}', "1:8: expected ',' or '}' (got \"1\"); numbers have no leading zeros"], // leading zero
    ['{"a": "\\x41"}', '1:8: bad escape \\x in a string'], // bad escape
    ['{"a": "open', '1:7: unterminated string: the closing " is missing'], // unterminated
    ['{"a": ', '1:7: unexpected end of the file: a value is missing'], // truncated
    ['// comment\n{}', '1:1: expected a value (got "//")'], // comments are not JSON
  ];
  for (const [text, want] of rows) {
    const err = fileError(() => parseScenarioText(text, 'x.json'));
    assert.equal(err.code, 'MW_FILE', text);
    assert.equal(err.message, `scenario x.json is not valid JSON: x.json:${want}`, text);
  }
  // Valid JSON goes on to validation, with line numbers from the same text.
  const err = fileError(() => parseScenarioText('{\n  "target": {"url": "builtin:telco@v1"},\n  "data": {"fields": {"x": {"int": [1, 10]}}},\n  "load": {"phases": []}\n}', 'p.json'));
  assert.deepEqual(err.details, ['p.json:4:12: load.phases must list at least one phase (got [])']);
  assert.match(fileError(() => parseScenarioText('  \n', 'e.json')).message, /^scenario e\.json is empty/);
  // `__proto__` stays a key (JSON.parse defines it as an own property).
  assert.equal(checkJson('{"__proto__": {"a": [1, {"b": null}]}, "x": -1.5e+3, "y": "\\u00e9\\/"}', 64), undefined);
});

test('YAML: several documents in one file are refused; syntax errors keep their line', () => {
  const err = fileError(() => parseScenarioText(`${MINIMAL}---\nname: second\n`, 'two.yaml'));
  assert.equal(err.message, 'scenario two.yaml is not valid YAML: two.yaml:9:1: a second YAML document (after ---): a scenario file holds one');
  const tabs = fileError(() => parseScenarioText('target:\n\turl: x\n', 'tabs.yaml'));
  assert.match(tabs.message, /^scenario tabs\.yaml is not valid YAML: tabs\.yaml:2:1: /);
});
