// The strict MLServer (SKLearn runtime): the upstream example is accepted and answered in MLServer's shape; several
// tensors without content_type "pd" are refused with the NumPy codec's 400. Rules:
// SeldonIO/MLServer mlserver/codecs/utils.py SingleInputRequestCodec.decode_request,
// runtimes/sklearn/mlserver_sklearn/sklearn.py, mlserver/codecs/numpy.py, mlserver/rest/errors.py.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { caseModel, conformance, errorText, post, shapeDiff, withStrict } from './helpers.js';

const cases = conformance('4-kserve-v2.json').filter((c) => c.request?.params.server === 'mlserver');

test('the MLServer conformance case is present', () => {
  assert.deepEqual(cases.map((c) => c.id), ['OIP-2']);
});

for (const c of cases) {
  test(`${c.id}: MLServer accepts the upstream [n,k] tensor and answers "predict" [n,1] (${c.source})`, async () => {
    await withStrict('mlserver', { model: caseModel(c) }, async (s) => {
      const r = await post(`${s.url}/v2/models/m/infer`, c.request!.upstream);
      assert.equal(r.status, 200, r.text);
      // The sklearn runtime builds InferenceResponse(model_name, model_version, outputs): no response-level
      // parameters in current MLServer (the example's server version added them).
      assert.deepEqual(shapeDiff(r.json, c.response, ['parameters']), []);
      const out = (r.json as { outputs: { name: string; shape: number[]; datatype: string; parameters: unknown }[] }).outputs[0];
      assert.deepEqual([out.name, out.shape, out.datatype, out.parameters], ['predict', [c.rows.length, 1], 'INT64', { content_type: 'np' }]);
    });
  });

  test(`${c.id}: one tensor per field without content_type "pd" → 400 "the 'np' codec only supports a single input tensor"`, async () => {
    const inputs = c.fieldNames.map((f) => ({ name: f, shape: [c.rows.length], datatype: 'FP64', data: c.rows.map((r) => r[f]) }));
    await withStrict('mlserver', { model: caseModel(c) }, async (s) => {
      const r = await post(`${s.url}/v2/models/m/infer`, { inputs });
      assert.equal(r.status, 400);
      assert.deepEqual(r.json, {
        error: "There was an error encoding / decoding the payload: The 'np' codec only supports a single input tensor (4 were received)",
      });
      // The fix the case names: the same tensors as a DataFrame.
      const ok = await post(`${s.url}/v2/models/m/infer`, { parameters: { content_type: 'pd' }, inputs });
      assert.equal(ok.status, 200, ok.text);
    });
  });
}

const telco = (s1: number, s4: number) => (-37 + 0.9 * s1 + 0.3 * s4 > 0 ? 1 : 0);

test('default model: the request id is echoed, predict and predict_proba when both are requested', async () => {
  const rows = [
    [7, 8, 52, 104],
    [2, 3, 50, 100],
  ];
  await withStrict('mlserver', {}, async (s) => {
    const r = await post(`${s.url}/v2/models/telco/infer`, {
      id: 'abc',
      inputs: [{ name: 'input-0', shape: [2, 4], datatype: 'FP32', data: rows }],
      outputs: [{ name: 'predict' }, { name: 'predict_proba' }],
    });
    assert.equal(r.status, 200, r.text);
    const body = r.json as { model_name: string; id: string; outputs: { name: string; shape: number[]; datatype: string; data: number[] }[] };
    assert.deepEqual(Object.keys(body), ['model_name', 'id', 'outputs']);
    assert.equal(body.id, 'abc');
    assert.deepEqual(body.outputs[0].data, rows.map((x) => telco(x[0], x[3])));
    assert.deepEqual([body.outputs[1].name, body.outputs[1].shape, body.outputs[1].datatype], ['predict_proba', [2, 2], 'FP64']);
    assert.ok(Math.abs(body.outputs[1].data[0] + body.outputs[1].data[1] - 1) < 1e-12);
  });
});

// Each row: a request MLServer refuses → status and what it says.
const refusals: [string, string, unknown, Record<string, string>, number, RegExp][] = [
  ['unknown output', '/v2/models/telco/infer', { inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }], outputs: [{ name: 'proba' }] }, {}, 400, /^SKLearnModel only supports 'predict', 'predict_proba' and 'transform' as outputs \(proba was received\)$/],
  ['datatype outside the protocol enum', '/v2/models/telco/infer', { inputs: [{ name: 'x', shape: [1, 4], datatype: 'FLOAT', data: [1, 2, 3, 4] }] }, {}, 422, /"type":"enum","loc":\["body","inputs",0,"datatype"\]/],
  ['a 1-D tensor reaches sklearn', '/v2/models/telco/infer', { inputs: [{ name: 'x', shape: [4], datatype: 'FP32', data: [1, 2, 3, 4] }] }, {}, 500, /^Internal Server Error$/],
  ['shape and data disagree', '/v2/models/telco/infer', { inputs: [{ name: 'x', shape: [2, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] }, {}, 500, /^Internal Server Error$/],
  ['unknown model', '/v2/models/churn/infer', { inputs: [] }, {}, 404, /^Model churn not found$/],
  ['a version the model does not have', '/v2/models/telco/versions/3/infer', { inputs: [] }, {}, 404, /^Model telco with version 3 not found$/],
  ['form-encoded body', '/v2/models/telco/infer', '{"inputs":[]}', { 'content-type': 'application/x-www-form-urlencoded' }, 422, /"type":"model_attributes_type","loc":\["body"\]/],
];
for (const [what, path, body, headers, status, message] of refusals) {
  test(`refused: ${what} → ${status}`, async () => {
    await withStrict('mlserver', {}, async (s) => {
      const r = await post(s.url + path, body, headers);
      assert.equal(r.status, status, r.text);
      assert.match(r.status === 422 ? r.text : errorText(r), message);
    });
  });
}
