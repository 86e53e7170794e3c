// The strict TF Serving (Keras model): row-format instances are read by the signature's input names exactly as
// json_tensor.cc reads them; answers are rapidjson-pretty with TF's float formatting and NaN tokens. Rules:
// tensorflow/serving tensorflow_serving/util/json_tensor.cc, tensorflow_serving/g3doc/api_rest.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ConformanceCase, caseModel, conformance, errorText, post, shapeDiff, withStrict } from './helpers.js';

const all = conformance('5-tf-serving.json');
const cases = all.filter((c) => c.request?.acceptor === 'tfServing');

/** The case's signature ({inputs: {name: {shape: [] | [k]}}}) as a strict config; outputs per the case's answer. */
function configFor(c: ConformanceCase, output: 'class' | 'probability' | 'probabilities') {
  const sig = c.request!.params.signature as { inputs: Record<string, { shape: number[] }> };
  const inputs = Object.fromEntries(Object.entries(sig.inputs).map(([k, v]) => [k, { dtype: 'DT_FLOAT', shape: [-1, ...v.shape] }]));
  // One input per feature: the model's features are the signature's inputs (TFS-8's device_id is not one of them).
  const perFeature = Object.values(sig.inputs).every((v) => v.shape.length === 0);
  const model = caseModel(perFeature ? { ...c, fieldNames: Object.keys(sig.inputs) } : c, output);
  return { model, tfServing: { inputs } };
}

// Each case: the model output that gives its answer's shape (regression scalar, softmax vector, binary vector).
const outputOf: Record<string, 'class' | 'probability' | 'probabilities'> = { 'TFS-1': 'class', 'TFS-2': 'probabilities', 'TFS-3': 'probabilities', 'TFS-8': 'probability' };

test('the TF Serving conformance cases with requests are present', () => {
  assert.deepEqual(cases.map((c) => c.id), ['TFS-1', 'TFS-2', 'TFS-3', 'TFS-8']);
});

for (const c of cases) {
  test(`${c.id}: TF Serving accepts the upstream instances and answers in row format (${c.source})`, async () => {
    await withStrict('tf-serving-keras', configFor(c, outputOf[c.id]), async (s) => {
      const r = await post(`${s.url}/v1/models/m:predict`, c.request!.upstream);
      assert.equal(r.status, 200, r.text);
      // TFS-8 has no recorded answer: a sigmoid model answers like TFS-4.
      const expected = c.response ?? all.find((x) => x.id === 'TFS-4')!.response;
      assert.deepEqual(shapeDiff(r.json, expected), []);
      assert.equal((r.json as { predictions: unknown[] }).predictions.length, c.rows.length);
    });
  });
}

test('TFS-2: rows as objects keyed by field name are refused: the model has one input, dense_input', async () => {
  const c = cases.find((x) => x.id === 'TFS-2')!;
  await withStrict('tf-serving-keras', configFor(c, 'probabilities'), async (s) => {
    const r = await post(`${s.url}/v1/models/m:predict`, { instances: c.rows });
    assert.equal(r.status, 400);
    assert.equal(r.text, `{ "error": "Failed to process element: 0 key: sepal_length of 'instances' list. Error: Invalid argument: JSON object: does not have named input: sepal_length" }`);
    // The other accepted form: {"dense_input": [...]} per row.
    const named = await post(`${s.url}/v1/models/m:predict`, { instances: c.rows.map((r) => ({ dense_input: c.fieldNames.map((f) => r[f]) })) });
    assert.equal(named.status, 200, named.text);
  });
});

test('TFS-3: plain rows for a model with one input per feature are refused', async () => {
  const c = cases.find((x) => x.id === 'TFS-3')!;
  await withStrict('tf-serving-keras', configFor(c, 'probabilities'), async (s) => {
    const r = await post(`${s.url}/v1/models/m:predict`, { instances: c.rows.map((r) => c.fieldNames.map((f) => r[f])) });
    assert.equal(r.status, 400);
    assert.equal(errorText(r), 'instances is a plain list, but expecting list of objects as multiple input tensors required as per tensorinfo_map');
  });
});

test('TFS-8: a field that is not a model input (device_id) → 400 "does not have named input"', async () => {
  const c = cases.find((x) => x.id === 'TFS-8')!;
  await withStrict('tf-serving-keras', configFor(c, 'probability'), async (s) => {
    const r = await post(`${s.url}/v1/models/m:predict`, { instances: c.rows });
    assert.equal(r.status, 400);
    assert.equal(errorText(r), "Failed to process element: 0 key: device_id of 'instances' list. Error: Invalid argument: JSON object: does not have named input: device_id");
  });
});

test('default Keras sigmoid: [[p]] rows, pretty-printed as rapidjson prints them, float32 digits', async () => {
  await withStrict('tf-serving-keras', {}, async (s) => {
    const r = await post(`${s.url}/v1/models/telco:predict`, { signature_name: 'serving_default', instances: [[9, 9, 52, 106], [2, 3, 50, 100]] });
    assert.equal(r.status, 200, r.text);
    // sigmoid(-37 + 8.1 + 31.8) = sigmoid(2.9) and sigmoid(-5.2), as float32 with TF's WriteDecimal.
    assert.equal(r.text, '{\n    "predictions": [[0.947846413], [0.00548629882]\n    ]\n}');
  });
});

test('TFS-6: NaN is legal JSON for TF Serving both ways: a NaN feature gives a NaN token in the answer', async () => {
  const sample = all.find((c) => c.id === 'TFS-6')!.response as string;
  assert.throws(() => JSON.parse(sample)); // the real answer is not strict JSON
  await withStrict('tf-serving-keras', {}, async (s) => {
    const r = await post(`${s.url}/v1/models/telco:predict`, '{"instances": [[NaN, 1, 2, 3], [9, 9, 52, 106]]}');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, '{\n    "predictions": [[NaN], [0.947846413]\n    ]\n}');
  });
});

test('TFS-5: an estimator signature answers one object per row (class_ids, classes, logits, probabilities)', async () => {
  const c = all.find((x) => x.id === 'TFS-5')!;
  await withStrict('tf-serving-keras', { model: caseModel(c, 'probabilities'), tfServing: { inputs: { age: { dtype: 'DT_FLOAT', shape: [-1] }, fare: { dtype: 'DT_FLOAT', shape: [-1] } }, estimator: true } }, async (s) => {
    const r = await post(`${s.url}/v1/models/m:predict`, { instances: c.rows });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(shapeDiff(r.json, c.response), []);
  });
});

test('columnar "inputs" are answered as {"outputs": …}', async () => {
  await withStrict('tf-serving-keras', {}, async (s) => {
    const r = await post(`${s.url}/v1/models/telco:predict`, { inputs: [[9, 9, 52, 106]] });
    assert.equal(r.status, 200);
    assert.equal(r.text, '{\n    "outputs": [\n        [\n            0.947846413\n        ]\n    ]\n}');
  });
});

// Each row: a request TF Serving refuses → status and its error text.
const refusals: [string, string, unknown, number, string][] = [
  ['3 of 4 features', '/v1/models/telco:predict', { instances: [[7, 8, 52]] }, 400, 'Matrix size-incompatible: In[0]: [1,3], In[1]: [4,1]\n\t [[{{node sequential/dense/MatMul}}]]'],
  ['a string where the input is float', '/v1/models/telco:predict', { instances: [['7', 8, 52, 104]] }, 400, 'Failed to process element: 0 of \'instances\' list. Error: Invalid argument: JSON Value: "7" Type: String is not of expected type: float'],
  ['ragged rows', '/v1/models/telco:predict', { instances: [[7, 8, 52, 104], [1, 2, 3]] }, 400, "Failed to process element: 1 of 'instances' list. Error: Invalid argument: Expecting tensor size: 4 but got: 3"],
  ['an unknown signature', '/v1/models/telco:predict', { signature_name: 'predict', instances: [[1, 2, 3, 4]] }, 400, 'Serving signature name: "predict" not found in signature def'],
  ['neither instances nor inputs', '/v1/models/telco:predict', { rows: [] }, 400, "Missing 'inputs' or 'instances' key"],
  ['an empty instances list', '/v1/models/telco:predict', { instances: [] }, 400, `JSON Value: {"instances":[]} No values in 'instances' array`],
  ['a model it does not serve', '/v1/models/half:predict', { instances: [1] }, 404, 'Servable not found for request: Latest(half)'],
  ['an integer beyond float precision', '/v1/models/telco:predict', { instances: [[16777217, 1, 2, 3]] }, 400, "Failed to process element: 0 of 'instances' list. Error: Invalid argument: Cannot convert JSON value: 16777217 to float without loss of precision."],
];
for (const [what, path, body, status, message] of refusals) {
  test(`refused: ${what} → ${status}`, async () => {
    await withStrict('tf-serving-keras', {}, async (s) => {
      const r = await post(s.url + path, body);
      assert.equal(r.status, status, r.text);
      assert.equal(r.text, `{ "error": ${JSON.stringify(message)} }`);
    });
  });
}
