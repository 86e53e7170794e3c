// Every codec against the running reference server: encode → POST to the protocol's path → decode, and the
// predictions must equal the telco decision functions, computed here independently of src/server/models.ts.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Protocol, TargetSpec } from '../../src/spec/types.js';
import type { Row } from '../../src/data/types.js';
import { createCodec } from '../../src/codecs/index.js';
import { defaultPath } from '../../src/server/paths.js';
import { startReferenceServer, type RunningServer } from '../../src/server/reference.js';
import { post, telcoRows, TELCO_FIELDS } from '../server/helpers.js';

const expected = {
  'telco@v1': (r: Row) => {
    const y = Number(r.iot_signal_1) >= 6 ? 1 : 0;
    return { y, p: y ? 0.8 : 0.2 };
  },
  'telco@v2': (r: Row) => {
    const z = -37 + 0.9 * Number(r.iot_signal_1) + 0.3 * Number(r.iot_signal_4);
    return { y: z > 0 ? 1 : 0, p: 1 / (1 + Math.exp(-z)) };
  },
};
type ModelName = keyof typeof expected;

const target = (protocol: Protocol, extra: Partial<TargetSpec> = {}): TargetSpec => ({
  url: 'builtin:telco@v1',
  protocol,
  headers: {},
  timeoutMs: 2000,
  rowsPerRequest: 1,
  maxInFlight: 64,
  ...extra,
});

// One row per case: protocol, rows per request, extra target settings.
const cases: { name: string; spec: TargetSpec }[] = [
  { name: 'cloudera', spec: target('cloudera', { accessKey: 'mkey-123' }) },
  { name: 'mlflow-split ×5', spec: target('mlflow-split', { rowsPerRequest: 5 }) },
  { name: 'mlflow-records ×5', spec: target('mlflow-records', { rowsPerRequest: 5 }) },
  { name: 'kserve-v1 ×5', spec: target('kserve-v1', { rowsPerRequest: 5 }) },
  { name: 'tf-serving ×5', spec: target('tf-serving', { rowsPerRequest: 5 }) },
  { name: 'kserve-v2 ×5', spec: target('kserve-v2', { rowsPerRequest: 5 }) },
  { name: 'kserve-v2 ×1 (uuid output)', spec: target('kserve-v2') },
  { name: 'kserve-v2 per-field [n, 1] ×5', spec: target('kserve-v2', { rowsPerRequest: 5, tensor: { layout: 'per-field', dims: [1] } }) },
  { name: 'kserve-v1 object rows ×5', spec: target('kserve-v1', { rowsPerRequest: 5, rowFormat: 'object' }) },
  { name: 'kserve-v1 objects of lists ×5', spec: target('kserve-v1', { rowsPerRequest: 5, rowFormat: 'object-of-lists' }) },
  { name: 'tf-serving object rows of two inputs ×5', spec: target('tf-serving', { rowsPerRequest: 5, rowFormat: 'object', send: ['iot_signal_4', 'iot_signal_1'] }) },
  { name: 'cloudera record', spec: target('cloudera', { cloudera: { request: 'record' } }) },
  { name: 'cloudera dataframe_split ×5', spec: target('cloudera', { rowsPerRequest: 5, cloudera: { request: 'dataframe_split' } }) },
  { name: 'cloudera dataframe_records ×5', spec: target('cloudera', { rowsPerRequest: 5, cloudera: { request: 'dataframe_records' } }) },
  { name: 'cloudera inputs ×5', spec: target('cloudera', { rowsPerRequest: 5, cloudera: { request: 'inputs' } }) },
  // A key on a list maps over it: result.label reads one label per row.
  {
    name: 'template ×5',
    spec: target('template', {
      rowsPerRequest: 5,
      template: { body: { features: '{{rows}}', request_id: 'req-{{seq}}' }, responsePath: 'result.label' },
      probabilityPath: 'result[*].score',
    }),
  },
  // The whole result object: label and score read from it, the uuid from uuidPath.
  {
    name: 'template ×1',
    spec: target('template', { template: { body: { features: '{{row}}', seq: '{{seq}}' }, responsePath: 'result', uuidPath: 'result.id' } }),
  },
  // Path overrides on a standard protocol.
  { name: 'kserve-v1 with predictionPath', spec: target('kserve-v1', { rowsPerRequest: 5, predictionPath: 'predictions[*].prediction', probabilityPath: 'predictions[*].probability' }) },
];

const servers = new Map<ModelName, RunningServer>();
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

before(async () => {
  for (const model of Object.keys(expected) as ModelName[]) servers.set(model, await startReferenceServer({ model }));
});
after(async () => {
  agent.destroy();
  for (const s of servers.values()) await s.close();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

for (const model of Object.keys(expected) as ModelName[]) {
  for (const { name, spec } of cases) {
    test(`${model} ${name}: round-trips through the reference server`, async () => {
      const server = servers.get(model)!;
      const codec = createCodec(spec, TELCO_FIELDS, [0, 1]);
      const k = spec.rowsPerRequest;
      const rows = telcoRows(8 * k, model.length + k);
      const uuids: string[] = [];
      assert.deepEqual([...new Set(rows.map((r) => expected[model](r).y))].sort(), [0, 1], 'rows cover both classes');
      for (let seq = 0; seq < 8; seq++) {
        const batch = rows.slice(seq * k, seq * k + k);
        const reply = await post(server.url + defaultPath(spec.protocol), codec.encode(batch, seq), agent);
        assert.ok(!('error' in reply), `request failed: ${JSON.stringify(reply)}`);
        assert.equal(reply.status, 200, reply.body);
        const d = codec.decode(reply.body, k);
        assert.ok(d.ok, JSON.stringify(d));
        assert.deepEqual(d.predictions, batch.map((r) => expected[model](r).y));
        assert.ok(d.probabilities, 'probabilities decoded');
        d.probabilities.forEach((p, i) => assert.ok(Math.abs((p ?? NaN) - expected[model](batch[i]).p) < 1e-9, `probability ${p}`));
        if (k === 1 && spec.protocol !== 'tf-serving') {
          assert.match(d.uuid ?? '', UUID);
          uuids.push(d.uuid!);
        }
      }
      assert.equal(new Set(uuids).size, uuids.length, 'uuids are unique');
    });
  }
}

test('feedback posted with the uuids the server issued is counted as issued', async () => {
  const server = servers.get('telco@v2')!;
  server.resetStats();
  const codec = createCodec(target('cloudera'), TELCO_FIELDS, [0, 1]);
  const feedback: { uuid: string | number; label: number }[] = [];
  for (const [seq, row] of telcoRows(6).entries()) {
    const reply = await post(server.url + '/model', codec.encode([row], seq), agent);
    assert.ok('body' in reply);
    const d = codec.decode(reply.body, 1);
    assert.ok(d.ok && d.uuid);
    feedback.push({ uuid: d.uuid, label: seq % 2 });
  }
  feedback.push({ uuid: feedback[0].uuid, label: 1 }, { uuid: 'not-ours-0000', label: 0 }, { uuid: 41, label: 1 });
  const r1 = await post(server.url + '/feedback', JSON.stringify({ feedback: feedback.slice(0, 4) }), agent);
  const r2 = await post(server.url + '/feedback', JSON.stringify({ feedback: feedback.slice(4) }), agent);
  assert.deepEqual([r1, r2].map((r) => ('body' in r ? JSON.parse(r.body) : r)), [{ received: 4 }, { received: 5 }]);
  const bad = await post(server.url + '/feedback', JSON.stringify({ feedback: [{ uuid: 'x' }] }), agent);
  assert.ok('status' in bad && bad.status === 400 && /feedback\[0\]\.label/.test(bad.body), JSON.stringify(bad));
  const fb = server.stats().feedback;
  assert.deepEqual(fb, { posts: 2, received: 9, unique: 8, issued: 7, seq: 1, unknown: 1, labels: { '0': 4, '1': 5 }, rejected: 1 });
});

test('the reference server also takes Cloudera delayed-metrics bodies, one label per post', async () => {
  const server = servers.get('telco@v1')!;
  server.resetStats();
  const codec = createCodec(target('cloudera'), TELCO_FIELDS, [0, 1]);
  const reply = await post(server.url + '/model', codec.encode(telcoRows(1), 0), agent);
  const d = 'body' in reply ? codec.decode(reply.body, 1) : undefined;
  assert.ok(d?.ok && d.uuid);
  const body = { modelDeploymentCrn: 'crn:cdp:ml:x', predictionUuid: d.uuid, metrics: { final_label: 1 } };
  const r = await post(server.url + '/feedback', JSON.stringify(body), agent);
  assert.deepEqual('body' in r && JSON.parse(r.body), { received: 1 });
  const two = await post(server.url + '/feedback', JSON.stringify({ ...body, metrics: { a: 1, b: 2 } }), agent);
  assert.ok('status' in two && two.status === 400, 'a metrics object must carry exactly one label');
  const fb = server.stats().feedback;
  assert.deepEqual([fb.posts, fb.issued, fb.rejected], [1, 1, 1]);
});
