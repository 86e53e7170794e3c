// The strict KServe sklearnserver: the upstream examples are accepted and answered in KServe's shape; the forms
// KServe refuses are refused with its status and message. Rules: kserve/kserve python/kserve/kserve/utils/utils.py
// get_predict_input / get_predict_response, python/sklearnserver/sklearnserver/model.py, python/kserve/kserve/errors.py.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { caseModel, conformance, errorText, post, get, shapeDiff, stringFields, withStrict } from './helpers.js';

const v1Cases = conformance('3-kserve-v1.json').filter((c) => c.request?.acceptor === 'kserveSklearnV1');
const v2Cases = conformance('4-kserve-v2.json').filter((c) => c.request?.acceptor === 'kserveSklearnV2' && c.request.params.server === 'kserve');

const configFor = (c: (typeof v1Cases)[number]) => {
  const categorical = stringFields(c);
  return { model: caseModel(c), ...(categorical.length ? { sklearn: { categorical } } : {}) };
};

test('conformance cases are present for both KServe protocols', () => {
  assert.deepEqual(v1Cases.map((c) => c.id), ['KV1-1', 'KV1-2']);
  assert.deepEqual(v2Cases.map((c) => c.id), ['OIP-1', 'OIP-3']);
});

for (const c of v1Cases) {
  test(`${c.id}: KServe V1 accepts the upstream request and answers in KServe's shape (${c.source})`, async () => {
    await withStrict('kserve-sklearn', configFor(c), async (s) => {
      const r = await post(`${s.url}/v1/models/m:predict`, c.request!.upstream);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(shapeDiff(r.json, c.response), []);
      assert.equal((r.json as { predictions: unknown[] }).predictions.length, c.rows.length);
    });
  });
}

// Each row: the form the case's `fix` says KServe refuses → its 500 message (InferenceError wraps the pandas/sklearn error).
test('KV1-1: named objects are refused as pandas refuses scalar dicts (HTTP 500)', async () => {
  const c = v1Cases[0];
  await withStrict('kserve-sklearn', configFor(c), async (s) => {
    const r = await post(`${s.url}/v1/models/m:predict`, { instances: c.rows });
    assert.equal(r.status, 500);
    assert.deepEqual(r.json, { error: 'If using all scalar values, you must pass an index' });
  });
});

test('KV1-2: scalar dicts for a named-column pipeline are refused; dicts of lists are the accepted form', async () => {
  const c = v1Cases[1];
  await withStrict('kserve-sklearn', configFor(c), async (s) => {
    const r = await post(`${s.url}/v1/models/m:predict`, { instances: c.rows });
    assert.equal(r.status, 500);
    assert.equal(errorText(r), 'If using all scalar values, you must pass an index');
    // A pipeline selects columns by name: positional rows cannot reach it.
    const rows = c.rows.map((row) => c.fieldNames.map((f) => row[f]));
    const p = await post(`${s.url}/v1/models/m:predict`, { instances: rows });
    assert.equal(p.status, 500);
    assert.equal(errorText(p), 'Specifying the columns using strings is only supported for dataframes.');
  });
});

for (const c of v2Cases) {
  test(`${c.id}: KServe V2 accepts the upstream request and answers output-0 in KServe's shape (${c.source})`, async () => {
    await withStrict('kserve-sklearn', configFor(c), async (s) => {
      const r = await post(`${s.url}/v2/models/m/infer`, c.request!.upstream);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(shapeDiff(r.json, c.response), []);
      const out = (r.json as { outputs: { name: string; shape: number[]; data: unknown[] }[] }).outputs[0];
      // get_predict_response names a NumPy result "output-0" (the docs sample's "predict" predates it).
      assert.equal(out.name, 'output-0');
      assert.deepEqual(out.shape, [c.rows.length]);
    });
  });
}

test('OIP-1: one 1-D tensor per field without content_type pd reaches sklearn as inputs[0] only → 500 "Expected 2D array"', async () => {
  const c = v2Cases[0];
  const inputs = c.fieldNames.map((f) => ({ name: f, shape: [c.rows.length], datatype: 'FP64', data: c.rows.map((r) => r[f]) }));
  await withStrict('kserve-sklearn', configFor(c), async (s) => {
    const r = await post(`${s.url}/v2/models/m/infer`, { inputs });
    assert.equal(r.status, 500);
    assert.match(errorText(r), /^Expected 2D array, got 1D array instead:\narray=\[6\.8 6\. \]\.\nReshape your data/);
    // The same tensors with content_type pd are read as a DataFrame and accepted.
    const ok = await post(`${s.url}/v2/models/m/infer`, { parameters: { content_type: 'pd' }, inputs });
    assert.equal(ok.status, 200, ok.text);
  });
});

test('OIP-3: the per-column tensors without parameters.content_type "pd" are refused', async () => {
  const c = v2Cases[1];
  const upstream = c.request!.upstream as { inputs: unknown[] };
  await withStrict('kserve-sklearn', configFor(c), async (s) => {
    const r = await post(`${s.url}/v2/models/m/infer`, { inputs: upstream.inputs });
    assert.equal(r.status, 500);
    assert.equal(errorText(r), 'Specifying the columns using strings is only supported for dataframes.');
  });
});

// The default model is the telco rule: class 1 iff -37 + 0.9·s1 + 0.3·s4 > 0.
const telco = (s1: number, s4: number) => (-37 + 0.9 * s1 + 0.3 * s4 > 0 ? 1 : 0);

test('default model: positional V1 rows and one [n,4] FP32 tensor are predicted by the telco rule', async () => {
  const rows = [
    [7, 8, 52, 104],
    [2, 3, 50, 100],
    [10, 11, 55, 107],
  ];
  await withStrict('kserve-sklearn', {}, async (s) => {
    const v1 = await post(`${s.url}/v1/models/telco:predict`, { instances: rows });
    assert.equal(v1.text, `{"predictions":[${rows.map((r) => telco(r[0], r[3])).join(',')}]}`);
    const v2 = await post(`${s.url}/v2/models/telco/infer`, { id: 'r1', inputs: [{ name: 'input-0', shape: [3, 4], datatype: 'FP32', data: rows.flat() }] });
    assert.equal(v2.status, 200);
    assert.deepEqual(v2.json, {
      model_name: 'telco',
      model_version: null,
      id: 'r1',
      parameters: null,
      outputs: [{ name: 'output-0', shape: [3], datatype: 'INT64', parameters: null, data: rows.map((r) => telco(r[0], r[3])) }],
    });
  });
});

test('predict_proba output: V1 per-class vectors, V2 one flattened [n, C] FP64 tensor', async () => {
  await withStrict('kserve-sklearn', { model: { output: 'probabilities' } }, async (s) => {
    const v1 = await post(`${s.url}/v1/models/telco:predict`, { instances: [[10, 11, 55, 107]] });
    const p = (v1.json as { predictions: number[][] }).predictions[0];
    assert.equal(p.length, 2);
    assert.ok(Math.abs(p[1] - 1 / (1 + Math.exp(-(-37 + 9 + 32.1)))) < 1e-12);
    const v2 = await post(`${s.url}/v2/models/telco/infer`, { inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP64', data: [10, 11, 55, 107] }] });
    const out = (v2.json as { outputs: { shape: number[]; datatype: string; data: number[] }[] }).outputs[0];
    assert.deepEqual([out.shape, out.datatype, out.data.length], [[1, 2], 'FP64', 2]);
  });
});

// Each row: a request KServe refuses → status and message (KServe's {"error": str} or FastAPI's {"detail": …}).
const refusals: [string, string, unknown, Record<string, string>, number, RegExp][] = [
  ['V1 extra string field in a dict of lists', '/v1/models/telco:predict', { instances: [{ iot_signal_1: [7], iot_signal_2: [8], iot_signal_3: [52], iot_signal_4: [104], device_id: ['0x1d'] }] }, {}, 500, /^could not convert string to float: '0x1d'$/],
  ['V1 3 of 4 features', '/v1/models/telco:predict', { instances: [[7, 8, 52]] }, {}, 500, /^X has 3 features, but LogisticRegression is expecting 4 features as input\.$/],
  ['V1 ragged rows', '/v1/models/telco:predict', { instances: [[7, 8, 52, 104], [1, 2]] }, {}, 500, /inhomogeneous shape after 1 dimensions\. The detected shape was \(2,\) \+ inhomogeneous part\.$/],
  ['V1 one flat row', '/v1/models/telco:predict', { instances: [7, 8, 52, 104] }, {}, 500, /^Expected 2D array, got 1D array instead:\narray=\[  7\.   8\.  52\. 104\.\]\./],
  ['V1 body without instances', '/v1/models/telco:predict', { rows: [] }, {}, 500, /^'instances'$/],
  ['V1 NaN token (orjson refuses it)', '/v1/models/telco:predict', '{"instances":[[NaN,1,2,3]]}', {}, 400, /^Unrecognized request format: /],
  ['V1 unknown model', '/v1/models/churn:predict', { instances: [[1, 2, 3, 4]] }, {}, 404, /^Model with name churn does not exist\.$/],
  ['V2 without inputs', '/v2/models/telco/infer', { id: '1' }, {}, 422, /"type":"missing","loc":\["body","inputs"\],"msg":"Field required"/],
  ['V2 shape/data mismatch', '/v2/models/telco/infer', { inputs: [{ name: 'x', shape: [2, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] }, {}, 500, /^cannot reshape array of size 4 into shape \(2, 4\)$/],
  ['V2 unknown datatype', '/v2/models/telco/infer', { inputs: [{ name: 'x', shape: [1, 4], datatype: 'FLOAT', data: [1, 2, 3, 4] }] }, {}, 500, /^invalid datatype None in the input$/],
  ['V2 FP16 as JSON', '/v2/models/telco/infer', { inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP16', data: [1, 2, 3, 4] }] }, {}, 400, /^Sending FP16 data via JSON is not supported/],
  ['V2 model version', '/v2/models/telco/versions/2/infer', { inputs: [] }, {}, 501, /^Model versioning not supported yet\.$/],
  // dataplane.py compares the whole header with JSON_HEADERS: a charset parameter sends the raw bytes to the model.
  ['V1 content type with a charset', '/v1/models/telco:predict', { instances: [[1, 2, 3, 4]] }, { 'content-type': 'application/json; charset=utf-8' }, 500, /^Expected 2D array, got scalar array instead:\narray=None\.\n/],
  ['V1 None among positional values', '/v1/models/telco:predict', { instances: [[1, null, 3, 4]] }, {}, 500, /^unsupported operand type\(s\) for \*: 'NoneType' and 'float'$/],
  ['V2 non-JSON content type', '/v2/models/telco/infer', { inputs: [] }, { 'content-type': 'text/plain' }, 400, /^received byte inputs, but the'inference-header-content-length' header is missing\.$/],
];
for (const [what, path, body, headers, status, message] of refusals) {
  test(`refused: ${what} → ${status}`, async () => {
    await withStrict('kserve-sklearn', {}, async (s) => {
      const r = await post(s.url + path, body, headers);
      assert.equal(r.status, status, r.text);
      assert.match(r.status === 422 ? r.text : errorText(r), message);
    });
  });
}

test('fitted on a DataFrame: a pd request with an extra column is refused with sklearn\'s feature-name message', async () => {
  const inputs = ['iot_signal_1', 'iot_signal_2', 'iot_signal_3', 'iot_signal_4', 'device_id'].map((f) => ({
    name: f,
    shape: [1],
    datatype: f === 'device_id' ? 'BYTES' : 'INT64',
    data: [f === 'device_id' ? '0x1d' : 5],
  }));
  await withStrict('kserve-sklearn', { sklearn: { featureNamesAtFit: true } }, async (s) => {
    const r = await post(`${s.url}/v2/models/telco/infer`, { parameters: { content_type: 'pd' }, inputs });
    assert.equal(r.status, 500);
    assert.equal(errorText(r), 'The feature names should match those that were passed during fit.\nFeature names unseen at fit time:\n- device_id\n');
    const ok = await post(`${s.url}/v2/models/telco/infer`, { parameters: { content_type: 'pd' }, inputs: inputs.slice(0, 4) });
    assert.equal(ok.status, 200, ok.text);
    assert.equal((await get(`${s.url}/strict/stats`)).text.includes('"rows":1'), true);
  });
});
