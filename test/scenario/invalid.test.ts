import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ModelwaveError } from '../../src/errors.js';
import { loadScenario, parseScenarioText } from '../../src/scenario/load.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DIR = join(ROOT, 'test/fixtures/scenario/invalid');
const CLI = join(ROOT, 'dist/src/cli/main.js');
const run = promisify(execFile);

// [fixture, line, the one problem it must report (after "file:line:col: ")]. <dir> = the fixture folder.
const CASES: [string, number, string][] = [
  // key only valid with another protocol
  ['access-key-wrong-protocol.yaml', 5, 'target.accessKey is only used by the cloudera protocol (protocol is mlflow-split)'],
  // duration syntax
  ['bad-duration.yaml', 13, 'load.phases[0].duration must be a duration like "500ms", "10s", "1m30s" or "1h" (got "5x")'],
  // URL scheme
  ['bad-url-scheme.yaml', 3, 'target.url must be an http:// or https:// URL or builtin:telco@v1 (got "ftp://127.0.0.1/model")'],
  // a union ("auto" | integer) reports its own message, not a branch's
  ['bad-workers.yaml', 12, 'load.workers must be "auto" or a positive integer (got "many")'],
  // cloudera sends one row per request
  ['cloudera-batch.yaml', 4, 'target.rowsPerRequest must be 1 with cloudera request form flat, which holds one row (got 5); to batch, set target.cloudera.request to dataframe_split, dataframe_records, inputs (an MLflow payload, e.g. a model deployed from the Model Registry)'],
  // target.decisionThreshold turns P(positive) into a class: binary labels only
  ['decision-threshold-multiclass.yaml', 5, 'target.decisionThreshold applies to a binary label (this label has 3 classes); remove it'],
  // Cloudera delayed metrics are keyed by a deployment
  ['feedback-cloudera-without-crn.yaml', 12, 'feedback needs `deploymentCrn` (the model deployment CRN) with format: cloudera'],
  // mlflow-split writes columns + data, not rows
  ['row-format-no-effect.yaml', 5, 'target.rowFormat has no effect with protocol mlflow-split, which does not write rows one by one; remove it'],
  // a row as its one value needs one sent field
  ['row-format-scalar-two-fields.yaml', 5, 'target.rowFormat scalar writes a row as its one value, so it needs exactly one sent field (sending a, b); set target.send'],
  // send names data fields
  ['send-unknown-field.yaml', 5, 'target.send[1] names `iot_signal_5`, which is not a data field; did you mean `iot_signal_1`?'],
  // tensors are kserve-v2's
  ['tensor-wrong-protocol.yaml', 5, 'target.tensor is only used by protocol kserve-v2 (protocol is kserve-v1)'],
  // the default [n, k] FP32 tensor cannot carry text: the message says what to choose
  [
    'v2-text-field.yaml',
    2,
    'target sends one [n, 2] FP32 tensor (the kserve-v2 default), but `maker` is not numeric; choose one: leave non-numeric fields out (target.send), one tensor per field (target.tensor: per-field, text goes as BYTES), or a BYTES tensor (target.tensor.datatype: BYTES)',
  ],
  // concept drift needs weights to move
  ['concept-drift-on-priors.yaml', 12, 'label.drift.concept needs a logistic or linear label model (got priors)'],
  // drift with an unknown run length
  [
    'drift-without-run-length.yaml',
    5,
    'data needs `progressOver: N` (requests): drift is configured, but the run length in requests is unknown because closed-loop phase "phase 2" ends by duration only (or give that phase `requests:`)',
  ],
  // JSON files are checked the same way, with lines
  ['empty-phases.json', 17, 'load.phases must list at least one phase (got [])'],
  // feedback posts labels: it needs a label model
  ['feedback-without-label.yaml', 13, 'feedback needs a label: the ground truth it posts comes from the `label:` section'],
  // synthetic and replayed data are exclusive
  ['fields-and-source.yaml', 8, 'data.source cannot be combined with data.fields: replay a file or generate rows, not both'],
  // a probability out of range
  ['fliprate-out-of-range.yaml', 12, 'label.drift.flipRate.to must be a number between 0 and 1 (got 1.5)'],
  // a derived field may only use fields above it
  ['forward-reference.yaml', 8, 'data.fields.b.plus[1] refers to `c`, which is defined later; a derived field may only use fields above it'],
  // range order
  ['int-range-reversed.yaml', 7, 'data.fields.a.int must be [min, max] with min ≤ max (got [10, 1])'],
  // a label column exists only in a file
  [
    'label-column-without-source.yaml',
    10,
    'label.column needs data.source: a label column exists only in a replayed file (synthetic rows use logistic, threshold, priors, softmax or linear)',
  ],
  // label weights name fields
  ['label-weight-unknown-field.yaml', 10, 'label.logistic.weights.signal refers to `signal`, which is not a data field (fields: a, b)'],
  // ${VAR} that is not set names the header
  ['missing-env-var.yaml', 5, 'target.headers.Authorization uses ${MW_TEST_UNSET_TOKEN}, but the environment variable MW_TEST_UNSET_TOKEN is not set'],
  // the built-in models read positional rows in their own input order
  [
    'builtin-positional-order.yaml',
    2,
    'target.rowFormat sends positional rows, which builtin:telco@v1 reads in its input order (iot_signal_1, iot_signal_2, iot_signal_3, iot_signal_4); send those first, in that order (target.send), or send named rows (target.rowFormat: object)',
  ],
  // required key, reported at its parent's key
  ['missing-target-url.yaml', 2, 'target.url is required'],
  // misspelt generator key: the field union explains itself and suggests the key
  [
    'misspelt-generator.yaml',
    7,
    'data.fields.a must have exactly one generator key: int, float, normal, oneOf, bool, uuid, const, seq, plus, minus, times, faker (got keys: innt); did you mean `int` instead of `innt`?',
  ],
  // unknown top-level key
  ['misspelt-top-level-key.yaml', 15, 'tresholds is not a known key; did you mean `thresholds`?'],
  // the example from the style guide
  ['negative-rate.yaml', 14, 'load.phases[1].rate must be a positive number (got -5)'],
  // nested field specs are resolved to the innermost mistake
  ['nested-operand-type.yaml', 8, 'data.fields.b.plus[1].int[1] must be a number (got "two")'],
  // weights per categorical value
  ['oneof-weights-length.yaml', 8, 'data.fields.m.weights must have one weight per value (3 values, got 2 weights)'],
  // a phase must end
  ['phase-without-end.yaml', 13, 'load.phases[0] needs `duration` (e.g. 30s) or `requests` (a count) to know when it ends'],
  // open or closed loop
  ['phase-without-load-kind.yaml', 13, 'load.phases[0] needs `rate` (open loop, requests per second) or `concurrency` (closed loop, requests in flight)'],
  // positive class must be a class
  ['positive-not-a-class.yaml', 11, 'label.positive must be one of the classes no, yes (got "maybe")'],
  // open XOR closed
  ['rate-and-concurrency.yaml', 13, 'load.phases[0] sets both rate (open loop) and concurrency (closed loop); keep one'],
  // replay file checked at validation time
  ['source-file-missing.yaml', 6, 'data.source names a file that does not exist (looked for <dir>/does-not-exist.csv)'],
  // steps need an end rate
  ['steps-without-rampto.yaml', 13, 'load.phases[0].steps needs `rampTo`: steps go from rate to rampTo'],
  // template protocol needs its template
  ['template-missing.yaml', 2, 'target needs `template: { body, responsePath }` with protocol template'],
  // closed-loop only key on an open phase
  ['think-on-open-phase.yaml', 13, 'load.phases[0].think applies to closed-loop phases (with concurrency) only'],
  // percent vs fraction
  ['threshold-not-a-fraction.yaml', 16, 'thresholds.accuracy must compare to a fraction between 0 and 1 or a percentage like 1% (got "85")'],
  // regression metric on a classification label
  ['threshold-wrong-task.yaml', 17, 'thresholds[1] uses `rmse`, a regression metric, but the label is a classification target'],
  // two generator keys
  [
    'two-generators.yaml',
    7,
    'data.fields.a must have exactly one generator key: int, float, normal, oneOf, bool, uuid, const, seq, plus, minus, times, faker (got keys: int, float)',
  ],
  // one label model
  ['two-label-models.yaml', 9, 'label must have exactly one label model, got logistic and priors'],
  // builtin models are a closed list
  ['unknown-builtin-model.yaml', 3, 'target.url must be builtin:telco@v1, builtin:telco@v2, builtin:echo:FIELD or builtin:constant:VALUE (got "builtin:telco@v3")'],
  // compare rules have their own metric list
  ['unknown-compare-metric.yaml', 18, 'compare.rules["latency.p95.ratio"] names an unknown comparison metric `latency.p95.ratio`; did you mean `latency.p90.ratio`?'],
  // faker methods come from an allow-list
  ['unknown-faker-method.yaml', 8, 'data.fields.id.faker must be one of the allowed faker methods (got "string.hexadecimel"); did you mean `string.hexadecimal`?'],
  // unknown key inside a phase
  ['unknown-phase-key.yaml', 13, 'load.phases[0].ramTo is not a known key; did you mean `rampTo`?'],
  // enum with a suggestion
  [
    'unknown-protocol.yaml',
    4,
    'target.protocol must be one of cloudera, mlflow-split, mlflow-records, kserve-v1, kserve-v2, tf-serving, template (got "clouderra"); did you mean `cloudera`?',
  ],
  // reference to no field at all
  ['unknown-reference.yaml', 8, 'data.fields.b.minus[1] refers to `zeta`, which is not an earlier field (fields so far: a)'],
  // unknown threshold metric with a suggestion
  ['unknown-threshold-metric.yaml', 17, 'thresholds["latncy.p95"] names an unknown metric `latncy.p95`; did you mean `latency.p95`?'],
  // windows are by count or by time
  ['windows-every-and-span.yaml', 15, 'windows must set `every` (requests) or `span` (time), not both'],
];

function problemsOf(file: string): ModelwaveError {
  try {
    loadScenario(file, { env: {} });
  } catch (err) {
    assert.ok(err instanceof ModelwaveError, `${file}: expected a ModelwaveError, got ${String(err)}`);
    return err;
  }
  assert.fail(`${file} was accepted`);
}

test('at least 25 malformed fixtures, each listed in the table', () => {
  const files = readdirSync(DIR).sort();
  assert.ok(files.length >= 25, `only ${files.length} fixtures`);
  assert.deepEqual(files, CASES.map((c) => c[0]).sort());
});

for (const [name, line, message] of CASES) {
  test(`invalid: ${name}`, () => {
    const file = join(DIR, name);
    const err = problemsOf(file);
    assert.equal(err.code, 'MW_SCENARIO_INVALID');
    assert.equal(err.exitCode, 2);
    assert.equal(err.message, `scenario ${file} is invalid (1 problem)`);
    assert.equal(err.details.length, 1, err.details.join('\n'));
    const m = /^(.*):(\d+):(\d+): (.*)$/.exec(err.details[0]!);
    assert.ok(m, err.details[0]);
    assert.equal(m[1], file);
    assert.equal(Number(m[2]), line, err.details[0]);
    assert.equal(m[4], message.replace('<dir>', DIR));
  });
}

test('every problem in a file is reported, sorted by line', () => {
  const text = [
    'target:', //                                              1
    '  url: http://127.0.0.1:1/model', //                      2
    '  protocl: cloudera', //                                  3
    'data:', //                                                4
    '  fields:', //                                            5
    '    a: { int: [1, 10] }', //                              6
    'load:', //                                                7
    '  phases:', //                                            8
    '    - { duration: 5s, rate: 0 }', //                      9
    '    - { duration: -1, concurrency: 2 }', //              10
    'windows: { every: 0 }', //                               11
  ].join('\n');
  assert.throws(
    () => parseScenarioText(text, 'many.yaml', { env: {} }),
    (err: ModelwaveError) => {
      assert.equal(err.message, 'scenario many.yaml is invalid (4 problems)');
      assert.deepEqual(err.details, [
        'many.yaml:3:3: target.protocl is not a known key; did you mean `protocol`?',
        'many.yaml:9:29: load.phases[0].rate must be a positive number (got 0)',
        'many.yaml:10:19: load.phases[1].duration must be a duration like "500ms", "10s", "1m30s" or "1h" (got -1)',
        'many.yaml:11:19: windows.every must be a positive integer (got 0)',
      ]);
      return true;
    },
  );
});

test('bad YAML syntax, an empty file and a missing file are MW_FILE with a location', () => {
  assert.throws(
    () => parseScenarioText('target:\n  url: [1, 2\nload: {}\n', 'broken.yaml'),
    (err: ModelwaveError) => err.code === 'MW_FILE' && /^scenario broken\.yaml is not valid YAML: broken\.yaml:\d+:\d+: /.test(err.message) && err.exitCode === 2,
  );
  assert.throws(
    () => parseScenarioText('a: 1\na: 2\n', 'dup.yaml'),
    (err: ModelwaveError) => err.code === 'MW_FILE' && err.message.includes('dup.yaml:2:1: Map keys must be unique'),
  );
  assert.throws(() => parseScenarioText('# nothing\n', 'empty.yaml'), /scenario empty\.yaml is empty: expected a mapping with target, data and load/);
  assert.throws(
    () => loadScenario(join(DIR, 'no-such-file.yaml')),
    (err: ModelwaveError) => err.code === 'MW_FILE' && err.message === `cannot read scenario ${join(DIR, 'no-such-file.yaml')}: no such file`,
  );
  assert.throws(() => parseScenarioText('- 1\n- 2\n', 'list.yaml'), (err: ModelwaveError) => err.details[0] === 'list.yaml:1:1: the scenario must be an object (got [1, 2])');
});

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, MODELWAVE_DEBUG: '' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

for (const name of ['negative-rate.yaml', 'unknown-phase-key.yaml', 'empty-phases.json', 'missing-env-var.yaml']) {
  test(`CLI: modelwave validate ${name} exits 2 with the problem and no stack`, async () => {
    const rel = `test/fixtures/scenario/invalid/${name}`;
    const { code, stdout, stderr } = await cli('validate', rel);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    const [, line, message] = CASES.find((c) => c[0] === name)!;
    assert.match(stderr, new RegExp(`^modelwave: scenario ${rel.replace(/\./g, '\\.')} is invalid \\(1 problem\\)\n`));
    assert.ok(stderr.includes(`  - ${rel}:${line}:`), stderr);
    assert.ok(stderr.includes(message), stderr);
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  });
}

test('CLI: a YAML syntax error exits 2 without a stack', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mw-scenario-'));
  const file = join(dir, 'broken.yaml');
  writeFileSync(file, 'target: { url: x\n');
  const { code, stderr } = await cli('validate', file);
  assert.equal(code, 2);
  assert.match(stderr, /^modelwave: scenario .*broken\.yaml is not valid YAML: .*broken\.yaml:\d+:\d+: /);
  assert.doesNotMatch(stderr, /\n\s+at /);
});
