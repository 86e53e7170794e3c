// The strict Cloudera AI endpoints: an AMP function reading request["record"] (or flat fields), a Model Registry
// deployment taking an MLflow payload inside "request", and the delayed-metrics endpoint. Rules:
// cloudera/CML_AMP_Continuous_Model_Monitoring src/inference.py + scripts/predict.py, cloudera/CML_AMP_Churn_Prediction
// code/5_model_serve_explainer.py, cloudera-cemea/mlops-mlflow lab_3_monitoring, cdsw.py (call_model,
// model_metrics, track_delayed_metrics).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ConformanceCase, caseModel, conformance, errorText, get, post, shapeDiff, withStrict } from './helpers.js';

const all = conformance('1-cloudera.json');
const byId = (id: string) => all.find((c) => c.id === id)!;
// The model proxy's own fields beside "response" (see src/server/strict/cloudera.ts).
const PROXY_FIELDS = ['ReplicaID', 'Size', 'StatusCode'];

const recordConfig = (c: ConformanceCase, cloudera: Record<string, unknown> = {}) => ({
  model: caseModel(c),
  cloudera: { accessKey: 'mkey123', ...cloudera },
});
const registryConfig = (c: ConformanceCase) => ({
  model: caseModel(c),
  cloudera: { accessKey: 'mkey123' },
  mlflow: { signature: { inputs: [{ type: 'tensor', 'tensor-spec': { dtype: 'float64', shape: [-1, c.fieldNames.length] } }] } },
});

test('CML-1: the AMP body {accessKey, request: {record}} is accepted; the answer is {success, response: {prediction, uuid}}', async () => {
  const c = byId('CML-1');
  await withStrict('cml-record', recordConfig(c), async (s) => {
    const r = await post(`${s.url}/model`, c.request!.upstream);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(shapeDiff(r.json, c.response, PROXY_FIELDS), []);
    assert.match((r.json as { response: { uuid: string } }).response.uuid, /^[0-9a-f-]{36}$/);
  });
});

test('CML-1: a flat row (no "record") makes the model function raise KeyError: \'record\'', async () => {
  const c = byId('CML-1');
  await withStrict('cml-record', recordConfig(c), async (s) => {
    const r = await post(`${s.url}/model`, { accessKey: 'mkey123', request: c.rows[0] });
    assert.equal(r.status, 500);
    assert.deepEqual(r.json, { success: false, error: { message: "KeyError: 'record'" } });
  });
});

test('CML-2: a flat-argument explainer model answers {data, probability, explanation} under prediction', async () => {
  const c = byId('CML-2');
  await withStrict('cml-record', recordConfig(c, { argument: 'flat', response: 'explainer' }), async (s) => {
    const r = await post(`${s.url}/model`, c.request!.upstream);
    assert.equal(r.status, 200, r.text);
    // The explanation's keys are the model's weighted features (here tenure, MonthlyCharges; the AMP's LIME picked tenure, Contract).
    assert.deepEqual(shapeDiff(r.json, c.response, [...PROXY_FIELDS, 'response.prediction.explanation.Contract', 'response.prediction.explanation.MonthlyCharges']), []);
    const wrapped = await post(`${s.url}/model`, { accessKey: 'mkey123', request: { record: c.rows[0] } });
    assert.equal(wrapped.status, 500);
    assert.equal(errorText(wrapped), `KeyError: "['tenure', 'MonthlyCharges', 'Contract'] not in index"`);
  });
});

// Each row: a response-only case and the function output that produces its shape.
const shapes: [string, Record<string, unknown>][] = [
  ['CML-5', {}],
  ['CML-7', { response: 'result' }],
];
for (const [id, cloudera] of shapes) {
  test(`${id}: the configured function output matches the real answer's shape`, async () => {
    const c = byId(id);
    await withStrict('cml-record', recordConfig(c, cloudera), async (s) => {
      const r = await post(`${s.url}/model`, { accessKey: 'mkey123', request: { record: c.rows[0] } });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(shapeDiff(r.json, c.response, PROXY_FIELDS), []);
    });
  });
}

test('CML-3: a registry model takes {request: {dataframe_split}} and answers {prediction: [..], model_deployment_crn, uuid}', async () => {
  const c = byId('CML-3');
  await withStrict('cml-registry', registryConfig(c), async (s) => {
    const r = await post(`${s.url}/model`, c.request!.upstream);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(shapeDiff(r.json, c.response, PROXY_FIELDS), []);
    const flat = await post(`${s.url}/model`, { accessKey: 'mkey123', request: c.rows[0] });
    assert.equal(flat.status, 500);
    assert.match(errorText(flat), /^MlflowException: The input must be a JSON dictionary with exactly one of the input fields .*Received dictionary with input fields: \[\]/);
  });
});

test('CML-6: a registry model answers a batch: one prediction per row, one uuid', async () => {
  const c = byId('CML-6');
  await withStrict('cml-registry', registryConfig(c), async (s) => {
    const r = await post(`${s.url}/model`, { accessKey: 'mkey123', request: { inputs: c.rows.map((row) => c.fieldNames.map((f) => row[f])) } });
    assert.equal(r.status, 200, r.text);
    const response = (r.json as { response: { prediction: unknown[]; uuid: string } }).response;
    assert.equal(response.prediction.length, 2);
    assert.equal(typeof response.uuid, 'string');
    assert.match((await get(`${s.url}/strict/stats`)).text, /"rows":2/);
  });
});

// Each row: a call the model endpoint refuses → status and error.message.
const refusals: [string, unknown, Record<string, string>, number, string][] = [
  ['no access key', { request: { record: {} } }, {}, 401, 'Missing access key: put "accessKey" in the body or ?accessKey= in the URL'],
  ['a wrong access key', { accessKey: 'nope', request: { record: {} } }, {}, 401, 'Invalid access key'],
  ['no "request"', { accessKey: 'mkey123', record: {} }, {}, 400, 'Request body has no "request" field'],
  ['a missing feature', { accessKey: 'mkey123', request: { record: { iot_signal_1: 1 } } }, {}, 500, `KeyError: "['iot_signal_2', 'iot_signal_3', 'iot_signal_4'] not in index"`],
  ['a string where the model needs a number', { accessKey: 'mkey123', request: { record: { iot_signal_1: 'x', iot_signal_2: 1, iot_signal_3: 1, iot_signal_4: 1 } } }, {}, 500, "ValueError: could not convert string to float: 'x'"],
];
for (const [what, body, headers, status, message] of refusals) {
  test(`refused: ${what} → ${status}`, async () => {
    await withStrict('cml-record', { cloudera: { accessKey: 'mkey123' } }, async (s) => {
      const r = await post(`${s.url}/model`, body, headers);
      assert.equal(r.status, status, r.text);
      assert.equal(errorText(r), message);
    });
  });
}

test('delayed metrics: one POST per uuid with the deployment CRN and Authorization; the label is checked against the prediction', async () => {
  const crn = 'crn:cdp:ml:us-west-1:x:workspace:y/ee50a723';
  await withStrict('cml-record', { cloudera: { accessKey: 'k', deploymentCrn: crn, authorization: 'Bearer t0k' } }, async (s) => {
    const headers = { authorization: 'Bearer t0k' };
    const call = await post(`${s.url}/model`, { accessKey: 'k', request: { record: { iot_signal_1: 10, iot_signal_2: 11, iot_signal_3: 55, iot_signal_4: 107 } } }, headers);
    assert.equal(call.status, 200, call.text);
    const { prediction, uuid } = (call.json as { response: { prediction: number; uuid: string } }).response;
    assert.equal(prediction, 1);
    const metric = (u: string, label: number, crnValue = crn) => ({ modelDeploymentCrn: crnValue, predictionUuid: u, metrics: { final_label: label } });
    assert.equal((await post(`${s.url}/track-delayed-metrics`, metric(uuid, 1), headers)).status, 200);
    assert.equal((await post(`${s.url}/track-delayed-metrics`, metric(uuid, 0), headers)).status, 200);
    assert.equal((await post(`${s.url}/track-delayed-metrics`, metric(uuid, 1))).status, 401);
    assert.equal((await post(`${s.url}/track-delayed-metrics`, metric('00000000-0000-4000-8000-000000000000', 1), headers)).status, 404);
    assert.equal((await post(`${s.url}/track-delayed-metrics`, metric(uuid, 1, 'crn:other'), headers)).status, 404);
    const stats = (await get(`${s.url}/strict/stats`)).json as { delayedMetrics: Record<string, unknown> };
    assert.deepEqual(stats.delayedMetrics, { received: 4, unknownUuid: 1, wrongCrn: 1, agree: 1, disagree: 1, keys: { final_label: 2 } });
    // Without the Authorization header the model endpoint refuses the call too.
    assert.equal((await post(`${s.url}/model`, { accessKey: 'k', request: { record: {} } })).status, 401);
  });
});
