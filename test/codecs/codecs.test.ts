// Codec behaviour without a server: request shapes, response tolerance, error classification, construction errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Protocol, TargetSpec } from '../../src/spec/types.js';
import type { Row } from '../../src/data/types.js';
import { createCodec, getPath, parsePath, READ_AS } from '../../src/codecs/index.js';
import { ModelwaveError } from '../../src/errors.js';

const target = (protocol: Protocol, extra: Partial<TargetSpec> = {}): TargetSpec => ({
  url: 'http://127.0.0.1:1/x',
  protocol,
  headers: {},
  timeoutMs: 1000,
  rowsPerRequest: 1,
  maxInFlight: 8,
  ...extra,
});
const FIELDS = ['a', 'b', 'name', 'flag'];
const rows: Row[] = [
  { a: 1, b: 2.5, name: 'x "q"', flag: true },
  { a: 3, b: 4, name: 'y', flag: false },
];

test('encode: each protocol builds its documented request body (defaults)', () => {
  const body = (p: Protocol, extra: Partial<TargetSpec> = {}, r = rows) =>
    JSON.parse(createCodec(target(p, { rowsPerRequest: r.length, ...extra }), FIELDS).encode(r, 42));
  const positional = rows.map((r) => FIELDS.map((f) => r[f]));
  assert.deepEqual(body('cloudera', {}, rows.slice(0, 1)), { request: rows[0] });
  assert.deepEqual(body('cloudera', { accessKey: 'k"1' }, rows.slice(0, 1)), { accessKey: 'k"1', request: rows[0] });
  assert.deepEqual(body('mlflow-split'), { dataframe_split: { columns: FIELDS, data: positional } });
  assert.deepEqual(body('mlflow-records'), { dataframe_records: rows });
  // KServe's sklearn/xgboost/lightgbm servers and Keras models take positional rows by default.
  assert.deepEqual(body('kserve-v1'), { instances: positional });
  assert.deepEqual(body('tf-serving'), { instances: positional });
  const numeric = ['a', 'b'];
  assert.deepEqual(JSON.parse(createCodec(target('kserve-v2', { rowsPerRequest: 2 }), numeric).encode(rows, 42)), {
    inputs: [{ name: 'input-0', shape: [2, 2], datatype: 'FP32', data: [[1, 2.5], [3, 4]] }],
  });
});

test('encode: rowFormat writes a row as an object, a list, its one value, or an object of one-element lists', () => {
  const body = (p: Protocol, extra: Partial<TargetSpec>) => JSON.parse(createCodec(target(p, { rowsPerRequest: 2, ...extra }), FIELDS).encode(rows, 1));
  assert.deepEqual(body('kserve-v1', { rowFormat: 'object' }), { instances: rows });
  assert.deepEqual(body('tf-serving', { rowFormat: 'object', send: ['b', 'a'] }), { instances: [{ b: 2.5, a: 1 }, { b: 4, a: 3 }] });
  assert.deepEqual(body('tf-serving', { rowFormat: 'scalar', send: ['b'] }), { instances: [2.5, 4] });
  assert.deepEqual(body('kserve-v1', { rowFormat: 'object-of-lists', send: ['name', 'a'] }), { instances: [{ name: ['x "q"'], a: [1] }, { name: ['y'], a: [3] }] });
  assert.deepEqual(body('template', { rowFormat: 'array', send: ['a', 'b'], template: { body: { data: '{{rows}}' }, responsePath: 'p' } }), { data: [[1, 2.5], [3, 4]] });
});

test('encode: only the sent fields go out, in send order; non-finite numbers become null', () => {
  const codec = createCodec(target('kserve-v1', { send: ['b', 'a'] }), ['a', 'b', 'extra']);
  assert.equal(codec.encode([{ a: 1, b: NaN, extra: 'no' }], 0), '{"instances":[[null,1]]}');
  const named = createCodec(target('kserve-v1', { rowFormat: 'object' }), ['b', 'a']);
  assert.equal(named.encode([{ a: 1, b: NaN, extra: 'no' }], 0), '{"instances":[{"b":null,"a":1}]}');
});

test('encode: kserve-v2 per-field tensors take declared or inferred datatypes, never the batch values', () => {
  const fieldTypes = { a: 'integer', b: 'number', name: 'string', flag: 'boolean' } as const;
  const codec = createCodec(target('kserve-v2', { rowsPerRequest: 2, tensor: { layout: 'per-field', datatypes: { b: 'FP64' } } }), FIELDS, [0, 1], { fieldTypes });
  // b's second value (4) is a whole number: it stays FP64, as declared.
  assert.deepEqual(JSON.parse(codec.encode(rows, 0)), {
    parameters: { content_type: 'pd' },
    inputs: [
      { name: 'a', shape: [2], datatype: 'INT64', data: [1, 3] },
      { name: 'b', shape: [2], datatype: 'FP64', data: [2.5, 4] },
      { name: 'name', shape: [2], datatype: 'BYTES', data: ['x "q"', 'y'] },
      { name: 'flag', shape: [2], datatype: 'BOOL', data: [true, false] },
    ],
  });
  const mixed = createCodec(target('kserve-v2', { rowsPerRequest: 2, tensor: { layout: 'per-field', dims: [1], parameters: {} } }), ['v'], [], { fieldTypes: { v: 'mixed' } });
  assert.deepEqual(JSON.parse(mixed.encode([{ v: 1 }, { v: 'two' }], 0)), { inputs: [{ name: 'v', shape: [2, 1], datatype: 'BYTES', data: ['1', 'two'] }] });
});

test('encode: a kserve-v2 numeric tensor refuses a text field, saying what to choose', () => {
  assert.throws(
    () => createCodec(target('kserve-v2'), FIELDS, [0, 1], { fieldTypes: { a: 'integer', b: 'number', name: 'string', flag: 'boolean' } }),
    (err: unknown) => err instanceof ModelwaveError && err.exitCode === 2 && /`name` holds string values and cannot go in the \[n, 4\] FP32 tensor \(the kserve-v2 default\)/.test(err.message) && /per-field/.test(err.details.join(' ')),
  );
});

test('encode: template placeholders keep JSON types when whole, interpolate as text inside strings', () => {
  const spec = (body: unknown, rowsPerRequest = 1) => target('template', { rowsPerRequest, template: { body, responsePath: 'out' } });
  const one = createCodec(spec({ r: '{{row}}', s: '{{seq}}', f: '{{ field:a }}', n: '{{field:name}}', id: 'req-{{seq}}-{{field:a}}', k: [1, null, 'plain'] }), FIELDS);
  assert.deepEqual(JSON.parse(one.encode([rows[0]], 7)), { r: rows[0], s: 7, f: 1, n: 'x "q"', id: 'req-7-1', k: [1, null, 'plain'] });
  const many = createCodec(spec({ inputs: '{{rows}}', meta: { seq: '{{seq}}' } }, 2), FIELDS);
  assert.deepEqual(JSON.parse(many.encode(rows, 3)), { inputs: rows, meta: { seq: 3 } });
});

// Each row: target settings that cannot work, and the path the message must name.
const badTargets: [string, Partial<TargetSpec> & { protocol: Protocol }, RegExp][] = [
  ['cloudera flat takes one row', { protocol: 'cloudera', rowsPerRequest: 5 }, /target\.rowsPerRequest must be 1 for protocol cloudera with request form flat \(got 5\)/],
  ['send names a field the rows lack', { protocol: 'kserve-v1', send: ['a', 'zz'] }, /target\.send names `zz`, which the rows do not have/],
  ['template without a template', { protocol: 'template' }, /target\.template is required/],
  ['unknown placeholder', { protocol: 'template', template: { body: { x: ['{{rowz}}'] }, responsePath: 'a' } }, /target\.template\.body\.x\[0\] has an unknown placeholder \{\{rowz\}\}/],
  ['unknown field', { protocol: 'template', template: { body: '{{field:nope}}', responsePath: 'a' } }, /no field nope/],
  ['{{row}} with batches', { protocol: 'template', rowsPerRequest: 3, template: { body: { x: '{{row}}' }, responsePath: 'a' } }, /target\.template\.body\.x uses \{\{row\}\} but target\.rowsPerRequest is 3/],
  ['bad response path', { protocol: 'template', template: { body: '{{row}}', responsePath: 'a..b' }, }, /target\.template\.responsePath is not a valid path/],
  ['bad prediction path', { protocol: 'kserve-v1', predictionPath: 'predictions[x' }, /target\.predictionPath is not a valid path \(unclosed \[\)/],
  ['unknown protocol', { protocol: 'soap' as Protocol }, /target\.protocol "soap" is not supported/],
];
for (const [name, extra, message] of badTargets) {
  test(`createCodec refuses: ${name}`, () => {
    assert.throws(
      () => createCodec(target(extra.protocol, extra), FIELDS),
      (err: unknown) => err instanceof ModelwaveError && err.exitCode === 2 && message.test(err.message),
    );
  });
}

// Each row: protocol, rows in the request, response body, expected result (predictions/probabilities/uuid or error code).
const decodeCases: [string, Protocol, number, string, unknown][] = [
  ['cloudera object', 'cloudera', 1, '{"success":true,"response":{"prediction":1,"probability":0.7,"uuid":"u-1"}}', { predictions: [1], probabilities: [0.7], uuid: 'u-1' }],
  ['cloudera batch (registry model)', 'cloudera', 2, '{"success":true,"response":{"prediction":[0,1],"probability":[0.2,0.9],"uuid":"u-2"}}', { predictions: [0, 1], probabilities: [0.2, 0.9], uuid: 'u-2' }],
  ['cloudera bare value', 'cloudera', 1, '{"success":true,"response":"yes"}', { predictions: ['yes'] }],
  ['cloudera score vector → argmax class', 'cloudera', 1, '{"response":{"prediction":[0.3,0.7]}}', { predictions: [1], probabilities: [0.7], readAs: Uint8Array.of(READ_AS.argmax) }],
  ['cloudera success false', 'cloudera', 1, '{"success":false,"error":"model crashed"}', 'NO_PREDICTION'],
  ['cloudera missing prediction', 'cloudera', 1, '{"success":true,"response":{"score":0.1,"rank":2}}', 'NO_PREDICTION'],
  ['mlflow plain list', 'mlflow-split', 2, '{"predictions":[0,1]}', { predictions: [0, 1] }],
  ['mlflow list of objects', 'mlflow-records', 2, '{"predictions":[{"prediction":0,"probability":0.1},{"prediction":1,"probability":0.9}]}', { predictions: [0, 1], probabilities: [0.1, 0.9] }],
  ['mlflow bare list (old servers)', 'mlflow-split', 2, '["a","b"]', { predictions: ['a', 'b'] }],
  ['kserve-v1 booleans keep their type', 'kserve-v1', 2, '{"predictions":[true,false]}', { predictions: [true, false] }],
  ['tf-serving nested singletons (regression)', 'tf-serving', 2, '{"predictions":[[3.5],[1.25]]}', { predictions: [3.5, 1.25] }],
  ['tf-serving class scores', 'tf-serving', 2, '{"predictions":[[0.9,0.1],[0.2,0.8]]}', { predictions: [0, 1], probabilities: [0.1, 0.8], readAs: Uint8Array.of(READ_AS.argmax, READ_AS.argmax) }],
  ['kserve-v2 named outputs', 'kserve-v2', 2, '{"outputs":[{"name":"probability","shape":[2],"datatype":"FP64","data":[0.2,0.6]},{"name":"prediction","shape":[2],"datatype":"INT64","data":[0,1]}]}', { predictions: [0, 1], probabilities: [0.2, 0.6] }],
  ['kserve-v2 first output as [n,2] scores', 'kserve-v2', 2, '{"outputs":[{"name":"output_0","shape":[2,2],"datatype":"FP32","data":[0.9,0.1,0.3,0.7]}]}', { predictions: [0, 1], probabilities: [0.1, 0.7], readAs: Uint8Array.of(READ_AS.argmax, READ_AS.argmax) }],
  ['kserve-v2 no outputs', 'kserve-v2', 1, '{"model_name":"m","outputs":[]}', 'NO_PREDICTION'],
  ['not JSON', 'kserve-v1', 1, '<html>502</html>', 'BAD_JSON'],
  ['empty body', 'cloudera', 1, '', 'BAD_JSON'],
  ['truncated JSON', 'mlflow-split', 1, '{"predictions":[1', 'BAD_JSON'],
  ['no predictions key', 'kserve-v1', 1, '{"error":"boom"}', 'NO_PREDICTION'],
  // A null (or NaN) prediction is one unscored row, not a failed request.
  ['null prediction', 'kserve-v1', 2, '{"predictions":[1,null]}', { predictions: [1, null], readAs: Uint8Array.of(READ_AS.value, READ_AS.none) }],
  ['an object per row with no prediction in it', 'kserve-v1', 2, '{"predictions":[{"a":1,"b":2},{"a":0,"b":1}]}', 'NO_PREDICTION'],
  ['too few predictions', 'mlflow-records', 3, '{"predictions":[1,0]}', 'PREDICTION_COUNT'],
  ['too many predictions', 'tf-serving', 1, '{"predictions":[1,0]}', 'PREDICTION_COUNT'],
  ['scalar for a batch', 'kserve-v1', 2, '{"predictions":1}', 'PREDICTION_COUNT'],
  ['kserve-v2 wrong count', 'kserve-v2', 3, '{"outputs":[{"name":"prediction","shape":[2],"data":[0,1]}]}', 'PREDICTION_COUNT'],
];
for (const [name, protocol, n, body, want] of decodeCases) {
  test(`decode ${protocol}: ${name}`, () => {
    const codec = createCodec(target(protocol, { rowsPerRequest: n, ...(protocol === 'cloudera' && n > 1 && { cloudera: { request: 'inputs' } }) }), FIELDS, [0, 1]);
    const got = codec.decode(body, n);
    if (typeof want === 'string') {
      assert.equal(got.ok, false);
      assert.equal(!got.ok && got.code, want);
      assert.ok(!got.ok && got.message.length > 0);
    } else {
      assert.deepEqual(got, { ok: true, ...(want as object) });
    }
  });
}

test('decode: predictionPath / probabilityPath override the protocol default', () => {
  const codec = createCodec(target('cloudera', { predictionPath: 'response.result.cls', probabilityPath: 'response.result["p.pos"]' }), FIELDS);
  assert.deepEqual(codec.decode('{"response":{"result":{"cls":"churn","p.pos":0.4},"uuid":"abc"}}', 1), {
    ok: true,
    predictions: ['churn'],
    probabilities: [0.4],
    uuid: 'abc',
  });
  assert.equal((codec.decode('{"response":{"prediction":1}}', 1) as { code: string }).code, 'NO_PREDICTION');
});

test('decode: template response paths, negative indexes and uuidPath', () => {
  const codec = createCodec(
    target('template', { rowsPerRequest: 2, template: { body: '{{rows}}', responsePath: 'data.results[*].label', uuidPath: 'meta.requestId' } }),
    FIELDS,
  );
  assert.deepEqual(codec.decode('{"data":{"results":[{"label":"a"},{"label":"b"}]},"meta":{"requestId":"r9"}}', 2), {
    ok: true,
    predictions: ['a', 'b'],
    uuid: 'r9',
  });
  const last = createCodec(target('template', { template: { body: '{{row}}', responsePath: 'scores[-1]' } }), FIELDS);
  assert.deepEqual(last.decode('{"scores":[5,6,7]}', 1), { ok: true, predictions: [7] });
  assert.equal((last.decode('{"scores":[]}', 1) as { code: string }).code, 'NO_PREDICTION');
});

test('decode: a multi-class score vector resolves to the class value, with no binary probability', () => {
  const codec = createCodec(target('kserve-v1'), FIELDS, ['cat', 'dog', 'eel']);
  assert.deepEqual(codec.decode('{"predictions":[[0.1,0.2,0.7]]}', 1), { ok: true, predictions: ['eel'], readAs: Uint8Array.of(READ_AS.argmax) });
});

test('decode never throws, whatever the body', () => {
  const bodies = ['null', '0', '"x"', '[]', '[[]]', '{}', '{"predictions":{}}', '{"outputs":[null]}', '{"response":null}', '{"__proto__":{"prediction":1}}'];
  for (const protocol of ['cloudera', 'mlflow-split', 'kserve-v1', 'kserve-v2', 'tf-serving'] as Protocol[]) {
    const codec = createCodec(target(protocol), FIELDS);
    for (const b of bodies) assert.doesNotThrow(() => codec.decode(b, 1), `${protocol} ${b}`);
  }
});

// Each row: a path and the value it reads from DOC (undefined: nothing there).
const DOC = { a: { b: [10, 20, 30] }, list: [{ x: 1 }, { x: 2 }], 'dot.key': 5, outputs: [{ name: 'p', data: [1, 0] }] };
const pathCases: [string, unknown][] = [
  ['a.b[1]', 20],
  ['a.b[-1]', 30], // from the end
  ['list.x', [1, 2]], // a key on a list maps over it
  ['list[*].x', [1, 2]],
  ['["dot.key"]', 5],
  ['$.outputs[0].data', [1, 0]],
  ['', DOC], // the root
  ['a.missing.deeper', undefined],
  ['a.b.c', [undefined, undefined, undefined]],
  ['constructor', undefined], // own properties only
];
for (const [path, want] of pathCases) {
  test(`getPath ${JSON.stringify(path)}`, () => assert.deepEqual(getPath(DOC, parsePath(path, 'p')), want));
}
test('parsePath refuses malformed paths, naming the setting', () => {
  for (const bad of ['a.', '.a', 'a[1', 'a[x]', 'a]b', 'a[0]b']) {
    assert.throws(() => parsePath(bad, 'target.predictionPath'), /target\.predictionPath is not a valid path/, bad);
  }
});

test('decode: a binary P(positive) becomes the class at target.decisionThreshold; a class value stays a class', () => {
  const codec = createCodec(target('tf-serving', { rowsPerRequest: 3, decisionThreshold: 0.7 }), ['a'], [0, 1]);
  assert.deepEqual(codec.decode('{"predictions":[[0.87],[0.65],[1]]}', 3), {
    ok: true,
    predictions: [1, 0, 1],
    probabilities: [0.87, 0.65, null],
    readAs: Uint8Array.of(READ_AS.probability, READ_AS.probability, READ_AS.value),
  });
  // A single probability is P(second class) ("churn") whichever class label.positive names (spec/classes.ts):
  // with the first class positive, the class is the same and the probability kept is P("stay") = 1 − p.
  const named = createCodec(target('kserve-v1', { rowsPerRequest: 2 }), ['a'], ['stay', 'churn'], { positive: 'stay' });
  assert.deepEqual(named.decode('{"predictions":[0.9,0.2]}', 2), {
    ok: true,
    predictions: ['churn', 'stay'],
    probabilities: [1 - 0.9, 1 - 0.2],
    readAs: Uint8Array.of(READ_AS.probability, READ_AS.probability),
  });
  const byDefault = createCodec(target('kserve-v1', { rowsPerRequest: 2 }), ['a'], ['stay', 'churn']);
  assert.deepEqual(byDefault.decode('{"predictions":[0.9,0.2]}', 2).ok && byDefault.decode('{"predictions":[0.9,0.2]}', 2), {
    ok: true,
    predictions: ['churn', 'stay'],
    probabilities: [0.9, 0.2],
    readAs: Uint8Array.of(READ_AS.probability, READ_AS.probability),
  });
  // {prediction, probability} (the reference models): the probability is P(second class) too; a per-class vector is
  // indexed by class, so it needs no conversion.
  const obj = createCodec(target('kserve-v1', { rowsPerRequest: 2 }), ['a'], [0, 1], { positive: 0 });
  assert.deepEqual(obj.decode('{"predictions":[{"prediction":1,"probability":0.8},{"prediction":0,"probability":[0.7,0.3]}]}', 2), {
    ok: true,
    predictions: [1, 0],
    probabilities: [1 - 0.8, 0.7],
  });
  // Multi-class and regression: a number in [0, 1] is just a number.
  assert.deepEqual(createCodec(target('kserve-v1'), ['a'], [0, 1, 2]).decode('{"predictions":[0.4]}', 1), { ok: true, predictions: [0.4] });
  assert.deepEqual(createCodec(target('kserve-v1'), ['a']).decode('{"predictions":[0.4]}', 1), { ok: true, predictions: [0.4] });
});

// Each row: a body JSON.parse refuses, and the predictions read from it (null: that row is unscored).
const tolerant: [string, (number | string | null)[] | 'BAD_JSON'][] = [
  ['{"predictions": [NaN, 3.5]}', [null, 3.5]], // TF Serving's non-finite floats (api_rest.md, JSON conformance)
  ['{"predictions": [Infinity, -Infinity, 2]}', [null, null, 2]],
  ['{"predictions": ["NaN", NaN, "a \\" NaN"]}', ['NaN', null, 'a " NaN']], // tokens inside strings are text
  ['{"predictions": [NaNa, 1, 2]}', 'BAD_JSON'], // not a token: still not JSON
  ['{"predictions": [1, 2, 3', 'BAD_JSON'],
];
for (const [body, want] of tolerant) {
  test(`decode tolerates NaN/Infinity only as tokens: ${body}`, () => {
    const got = createCodec(target('tf-serving', { rowsPerRequest: 3 }), ['a']).decode(body, body.includes('3.5') ? 2 : 3);
    if (want === 'BAD_JSON') assert.equal(!got.ok && got.code, 'BAD_JSON');
    else assert.deepEqual(got.ok && got.predictions, want);
  });
}
