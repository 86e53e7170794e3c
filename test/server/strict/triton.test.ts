// The strict Triton: requests are checked against the model config as Triton's core checks them (datatype, dims
// after the batch dimension, input names and count, max batch size). Rules:
// triton-inference-server/core src/infer_request.cc, src/model.cc; triton-inference-server/server src/http_server.cc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { caseModel, conformance, errorText, get, post, shapeDiff, withStrict } from './helpers.js';

const cases = conformance('4-kserve-v2.json').filter((c) => c.request?.acceptor === 'triton');

/** The case's config ({inputs: [{name, data_type: "FP32", dims}]}) in Triton's own JSON form. */
function configFor(c: (typeof cases)[number], output: 'class' | 'probability' = 'probability') {
  const conf = c.request!.params.config as { name: string; max_batch_size: number; inputs: { name: string; data_type: string; dims: number[] }[] };
  return {
    model: { ...caseModel(c, output), name: conf.name },
    triton: {
      max_batch_size: conf.max_batch_size,
      input: conf.inputs.map((i) => ({ name: i.name, data_type: `TYPE_${i.data_type}`, dims: i.dims })),
      output: [{ name: 'probabilities', data_type: 'TYPE_FP32', dims: [1] }],
    },
  };
}

// The answer shape of a probability model: OIP-5 (one [n,1] FP32 output).
const probabilityAnswer = conformance('4-kserve-v2.json').find((c) => c.id === 'OIP-5')!.response;

test('the Triton conformance cases are present', () => {
  assert.deepEqual(cases.map((c) => c.id), ['OIP-4', 'OIP-11']);
});

for (const c of cases) {
  test(`${c.id}: Triton accepts the upstream request (declared FP32, shape [n,1]) and answers a [n,1] FP32 tensor (${c.source})`, async () => {
    await withStrict('triton', configFor(c), async (s) => {
      const r = await post(`${s.url}/v2/models/tab/infer`, c.request!.upstream);
      assert.equal(r.status, 200, r.text);
      // Triton always names the model version and echoes an id only when the request has one (http_server.cc
      // FinalizeResponse); the OIP-5 example is from a server without versions, answering a request with an id.
      assert.deepEqual(shapeDiff(r.json, probabilityAnswer, ['id', 'model_version']), []);
      const out = (r.json as { model_version: string; outputs: { shape: number[]; datatype: string }[] });
      assert.equal(out.model_version, '1');
      assert.deepEqual([out.outputs[0].shape, out.outputs[0].datatype], [[c.rows.length, 1], 'FP32']);
    });
  });
}

test('OIP-4: a batch guessed as INT64 or FP64, or sent as 1-D tensors, is refused with the core\'s 400 messages', async () => {
  const c = cases[0];
  const upstream = c.request!.upstream as { inputs: { name: string; shape: number[]; datatype: string; data: number[] }[] };
  await withStrict('triton', configFor(c), async (s) => {
    const asInt = { inputs: upstream.inputs.map((i) => ({ ...i, datatype: 'INT64', data: i.data.map(Math.round) })) };
    let r = await post(`${s.url}/v2/models/tab/infer`, asInt);
    assert.equal(r.status, 400);
    assert.equal(errorText(r), "[request id: <id_unknown>] inference input 'x1' data-type is 'INT64', but model 'tab' expects 'FP32'");
    r = await post(`${s.url}/v2/models/tab/infer`, { id: '7', inputs: upstream.inputs.map((i) => ({ ...i, datatype: 'FP64' })) });
    assert.equal(r.status, 400);
    assert.equal(errorText(r), "[request id: 7] inference input 'x1' data-type is 'FP64', but model 'tab' expects 'FP32'");
    r = await post(`${s.url}/v2/models/tab/infer`, { inputs: upstream.inputs.map((i) => ({ ...i, shape: [2] })) });
    assert.equal(r.status, 400);
    assert.match(errorText(r), /^\[request id: <id_unknown>\] unexpected shape for input 'x1' for model 'tab'\. Expected \[-1,1\], got \[2\]\. NOTE: Setting a non-zero max_batch_size/);
  });
});

test('OIP-11: an empty CSV cell sent as "" turns the column into BYTES → refused', async () => {
  const c = cases[1];
  const rows = c.rows;
  const inputs = [
    { name: 'x1', shape: [2, 1], datatype: 'BYTES', data: rows.map((r) => String(r.x1)) },
    { name: 'x2', shape: [2, 1], datatype: 'FP32', data: rows.map((r) => r.x2) },
  ];
  await withStrict('triton', configFor(c), async (s) => {
    const r = await post(`${s.url}/v2/models/tab/infer`, { inputs });
    assert.equal(r.status, 400);
    assert.equal(errorText(r), "[request id: <id_unknown>] inference input 'x1' data-type is 'BYTES', but model 'tab' expects 'FP32'");
  });
});

const p1 = (s1: number, s4: number) => 1 / (1 + Math.exp(-(-37 + 0.9 * s1 + 0.3 * s4)));

test('default model: one [n,4] FP32 tensor named input__0; the sigmoid comes back as float32 widened to double', async () => {
  await withStrict('triton', {}, async (s) => {
    const r = await post(`${s.url}/v2/models/telco/infer`, { id: 'q', inputs: [{ name: 'input__0', shape: [2, 4], datatype: 'FP32', data: [[9, 9, 52, 106], [2, 3, 50, 100]] }] });
    assert.equal(r.status, 200, r.text);
    const body = r.json as { id: string; model_name: string; model_version: string; outputs: { name: string; datatype: string; shape: number[]; data: number[] }[] };
    assert.deepEqual(Object.keys(body), ['id', 'model_name', 'model_version', 'outputs']);
    assert.deepEqual(Object.keys(body.outputs[0]), ['name', 'datatype', 'shape', 'data']);
    assert.deepEqual(body.outputs[0].data, [Math.fround(p1(9, 106)), Math.fround(p1(2, 100))]);
    // Without an id the answer has none (FinalizeResponse adds it only when set).
    const noId = await post(`${s.url}/v2/models/telco/infer`, { inputs: [{ name: 'input__0', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] });
    assert.equal('id' in (noId.json as object), false);
    const config = await get(`${s.url}/v2/models/telco/config`);
    assert.deepEqual((config.json as { input: unknown }).input, [{ name: 'input__0', data_type: 'TYPE_FP32', dims: [4] }]);
  });
});

// Each row: a request Triton refuses → status and message.
const refusals: [string, unknown, number, RegExp][] = [
  ['an input the config does not name', { inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] }, 400, /^unexpected inference input 'input-0' for model 'telco'$/],
  ['two inputs for a one-input model', { inputs: [{ name: 'input__0', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }, { name: 'b', shape: [1], datatype: 'FP32', data: [1] }] }, 400, /^\[request id: <id_unknown>\] expected 1 inputs but got 2 inputs for model 'telco'\. Got input\(s\) \['input__0','b'\], but missing required input\(s\) \]\. Please provide all required input\(s\)\.$/],
  ['a batch over max_batch_size', { inputs: [{ name: 'input__0', shape: [65, 4], datatype: 'FP32', data: Array.from({ length: 260 }, () => 1) }] }, 400, /batch-size must be <= 64 for 'telco'$/],
  ['a float token in an INT64 tensor', { inputs: [{ name: 'input__0', shape: [1, 4], datatype: 'INT64', data: '@[1.0,2,3,4]' }] }, 500, /^Unable to parse 'data': attempt to access JSON non-signed-integer as signed-integer$/],
  ['a string in an FP32 tensor', { inputs: [{ name: 'input__0', shape: [1, 4], datatype: 'FP32', data: ['1', 2, 3, 4] }] }, 500, /^Unable to parse 'data': attempt to access JSON non-number as double$/],
  ['fewer values than the shape says', { inputs: [{ name: 'input__0', shape: [2, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] }, 500, /^Failed to parse 'data' field: shape does not match true shape$/],
  ['more values than the shape says', { inputs: [{ name: 'input__0', shape: [1, 2], datatype: 'FP32', data: [1, 2, 3, 4] }] }, 500, /^Unable to parse 'data': Shape does not match true shape of 'data' field$/],
  ['no inputs key', { id: '1' }, 500, /^Unable to parse 'inputs': attempt to access non-existing object member 'inputs'$/],
];
for (const [what, body, status, message] of refusals) {
  test(`refused: ${what} → ${status}`, async () => {
    await withStrict('triton', {}, async (s) => {
      // '@[…]' marks raw JSON data (a float token JSON.stringify would print as an integer).
      const text = JSON.stringify(body).replace(/"@(\[[^\]]*\])"/, '$1');
      const r = await post(`${s.url}/v2/models/telco/infer`, text);
      assert.equal(r.status, status, r.text);
      assert.match(errorText(r), message);
    });
  });
}

test('refused: an unknown model is a 400 from the repository manager', async () => {
  await withStrict('triton', {}, async (s) => {
    const r = await post(`${s.url}/v2/models/churn/infer`, { inputs: [] });
    assert.equal(r.status, 400);
    assert.equal(errorText(r), "Request for unknown model: 'churn' is not found");
  });
});
