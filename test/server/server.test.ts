// Reference server routes, models, validation and stats.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startReferenceServer, type RunningServer, type ServerStats } from '../../src/server/reference.js';
import { defaultPath } from '../../src/server/paths.js';
import { createCodec } from '../../src/codecs/index.js';
import { ModelwaveError } from '../../src/errors.js';
import { eventually, getJson, post, request, telcoRows } from './helpers.js';

let server: RunningServer;
const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
before(async () => {
  server = await startReferenceServer({ model: 'telco@v1' });
});
after(async () => {
  agent.destroy();
  await server.close();
});

const body = (r: Awaited<ReturnType<typeof post>>) => {
  assert.ok('status' in r, JSON.stringify(r));
  return { status: r.status, json: JSON.parse(r.body) as Record<string, unknown> };
};

test('defaultPath maps every protocol to the path the server answers', () => {
  assert.deepEqual(
    (['cloudera', 'mlflow-split', 'mlflow-records', 'kserve-v1', 'tf-serving', 'kserve-v2', 'template'] as const).map(defaultPath),
    ['/model', '/invocations', '/invocations', '/v1/models/telco:predict', '/v1/models/telco:predict', '/v2/models/telco/infer', '/template'],
  );
});

test('health, 404 and 405', async () => {
  assert.deepEqual(await getJson(server.url + '/health'), { status: 'ok', model: 'telco@v1' });
  const missing = await request(server.url + '/nope', 'POST', '{}', agent);
  assert.ok('status' in missing && missing.status === 404);
  const wrongMethod = await request(server.url + '/model', 'GET', undefined, agent);
  assert.ok('status' in wrongMethod && wrongMethod.status === 405);
});

// Each row: path, body, status, what the error message must say.
const badRequests: [string, string, RegExp][] = [
  ['/model', 'not json', /body is not JSON/],
  ['/model', '{"req": {}}', /body must be \{"request"/],
  ['/model', '{"request": {"iot_signal_2": 3}}', /request: iot_signal_1 must be a number/],
  ['/invocations', '{"dataframe_split": {"columns": ["a"], "data": [[1, 2]]}}', /dataframe_split\.data\[0\] must be an array of 1 values/],
  ['/invocations', '{"rows": []}', /"dataframe_split", "dataframe_records", "instances" or "inputs"/],
  ['/v1/models/telco:predict', '{"instances": [{"iot_signal_1": 1}, 5]}', /instances\[1\] must be an object/],
  ['/v2/models/telco/infer', '{"inputs": [{"name": "iot_signal_1", "shape": [2], "datatype": "INT64", "data": [1]}]}', /shape \[2\] needs 2 values, data has 1/],
  ['/template', '{"features": [{"iot_signal_1": "high"}]}', /features\[0\]: iot_signal_1 must be a number/],
];
for (const [path, text, message] of badRequests) {
  test(`400 for a bad request to ${path}: ${message.source}`, async () => {
    const { status, json } = body(await post(server.url + path, text, agent));
    assert.equal(status, 400);
    assert.match(String(json.error), message);
  });
}

test('alternative request forms: [n,1] v2 tensors, columnar v1 inputs, numeric strings, other model names in the path', async () => {
  const v2 = body(
    await post(
      server.url + '/v2/models/anything/versions/3/infer',
      JSON.stringify({ inputs: [{ name: 'iot_signal_1', shape: [2, 1], datatype: 'BYTES', data: [['8'], ['2']] }] }),
      agent,
    ),
  );
  assert.equal(v2.status, 200);
  const outputs = v2.json.outputs as { name: string; data: unknown[] }[];
  assert.deepEqual(outputs.find((o) => o.name === 'prediction')?.data, [1, 0]);
  const v1 = body(await post(server.url + '/v1/models/other:predict', JSON.stringify({ inputs: { iot_signal_1: [9, 1, 7] } }), agent));
  assert.deepEqual((v1.json.predictions as { prediction: number }[]).map((p) => p.prediction), [1, 0, 1]);
});

test('stats count requests by path, predictions, statuses; POST /stats/reset zeroes them', async () => {
  server.resetStats();
  const rows = telcoRows(3);
  await post(server.url + '/invocations', JSON.stringify({ dataframe_records: rows }), agent);
  await post(server.url + '/model', JSON.stringify({ request: rows[0] }), agent);
  await post(server.url + '/model', '{}', agent);
  await post(server.url + '/feedback', JSON.stringify({ feedback: [] }), agent);
  await post(server.url + '/elsewhere', '{}', agent);
  const s = await getJson<ServerStats>(server.url + '/stats');
  assert.equal(s.requests, 3);
  assert.deepEqual(s.requestsByPath, { '/invocations': 1, '/model': 2, '/feedback': 1 });
  assert.equal(s.predictions, 4);
  assert.deepEqual(s.responsesByStatus, { '200': 2, '400': 1 });
  assert.equal(s.notFound, 1);
  assert.equal(s.inFlight, 0);
  assert.equal(s.maxInFlight, 1);
  assert.equal(s.feedback.posts, 1);
  assert.ok(s.uptimeMs > 0 && s.startedAtMs > 1.6e12);
  assert.deepEqual(body(await post(server.url + '/stats/reset', '', agent)).json, { reset: true });
  const z = server.stats();
  assert.deepEqual([z.requests, z.predictions, z.notFound, z.feedback.posts], [0, 0, 0, 0]);
});

test('echo:FIELD predicts the field as-is on every protocol (multi-class strings)', async () => {
  const echo = await startReferenceServer({ model: 'echo:manufacturer' });
  try {
    const rows = telcoRows(4, 9);
    const fields = Object.keys(rows[0]);
    // A text field goes by name (object rows) or in its own BYTES tensor (per-field): the positional defaults suit numeric models.
    const wire = { 'kserve-v1': { rowFormat: 'object' }, 'tf-serving': { rowFormat: 'object' }, 'kserve-v2': { tensor: { layout: 'per-field' } } } as const;
    for (const protocol of ['mlflow-split', 'mlflow-records', 'kserve-v1', 'tf-serving', 'kserve-v2'] as const) {
      const extra = protocol in wire ? wire[protocol as keyof typeof wire] : {};
      const codec = createCodec({ url: '', protocol, headers: {}, timeoutMs: 1000, rowsPerRequest: 4, maxInFlight: 1, ...extra }, fields, [], {
        fieldTypes: { manufacturer: 'string' },
      });
      const r = await post(echo.url + defaultPath(protocol), codec.encode(rows, 0), agent);
      assert.ok('status' in r && r.status === 200, JSON.stringify(r));
      const d = codec.decode(r.body, 4);
      assert.deepEqual(d, { ok: true, predictions: rows.map((x) => x.manufacturer) }, protocol);
    }
    const bad = body(await post(echo.url + '/model', JSON.stringify({ request: { other: 1 } }), agent));
    assert.equal(bad.status, 400);
    assert.match(String(bad.json.error), /manufacturer is missing/);
  } finally {
    await echo.close();
  }
});

test('constant:VALUE answers that value with its JSON type', async () => {
  for (const [spec, value] of [['constant:2.5', 2.5], ['constant:true', true], ['constant:churn', 'churn']] as const) {
    const s = await startReferenceServer({ model: spec });
    const { json } = body(await post(s.url + '/model', JSON.stringify({ request: { x: 1 } })));
    assert.deepEqual((json.response as Record<string, unknown>).prediction, value);
    await s.close();
  }
});

test('bad models and injection options are usage errors (exit 2)', async () => {
  for (const opts of [{ model: 'telco@v3' }, { model: 'echo:' }, { model: 'telco@v1', errorRate: 2 }, { model: 'telco@v1', stall: { durationMs: 5, everyMs: 5 } }]) {
    await assert.rejects(startReferenceServer(opts), (e: unknown) => e instanceof ModelwaveError && e.exitCode === 2, JSON.stringify(opts));
  }
});

test('a client that goes away mid-body is no longer in flight', async () => {
  const { connect } = await import('node:net');
  const sock = connect(server.port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  sock.write('POST /model HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"request":');
  await eventually('the request to be in flight', () => server.stats().inFlight === 1);
  sock.destroy();
  await eventually('the abandoned request to leave the in-flight count', () => server.stats().inFlight === 0);
});

test('close() returns promptly with idle keep-alive connections and answers still waiting on latency', async () => {
  const s = await startReferenceServer({ model: 'telco@v2', latencyMs: { min: 5000, max: 5000 } });
  const ka = new http.Agent({ keepAlive: true });
  await request(s.url + '/health', 'GET', undefined, ka);
  const pending = post(s.url + '/model', JSON.stringify({ request: telcoRows(1)[0] }), ka);
  await eventually('the answer to be waiting on its latency', () => s.stats().inFlight === 1);
  const t = performance.now();
  await s.close();
  // The answer waits 5 s; closing must not wait for it. 1 s is far above a close's few ms even on a loaded machine.
  assert.ok(performance.now() - t < 1000);
  assert.ok('error' in (await pending));
  ka.destroy();
});
