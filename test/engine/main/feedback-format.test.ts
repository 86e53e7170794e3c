// Delayed ground truth in Cloudera's format, posted to a local HTTP server: one POST per prediction uuid with
// {"modelDeploymentCrn", "predictionUuid", "metrics": {KEY: label}} and the configured headers; the batch format
// stays modelwave's own. Scenario side: feedback.headers get ${ENV} substitution and never reach the redacted copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REDACTED } from '../../../src/scenario/redact.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FeedbackPoster } from '../../../src/engine/main/feedback.js';
import { feedbackBody } from '../../../src/engine/main/feedback-format.js';
import { RecordBuffer } from '../../../src/engine/records.js';
import { Outcome } from '../../../src/engine/types.js';
import { parseScenarioText } from '../../../src/scenario/load.js';
import type { FeedbackSpec } from '../../../src/spec/types.js';

interface Received {
  body: unknown;
  headers: http.IncomingHttpHeaders;
}

async function withServer(fn: (url: string, received: Received[]) => Promise<void>): Promise<void> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: JSON.parse(Buffer.concat(chunks).toString()), headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`, received);
  } finally {
    server.close();
  }
}

/** Four answered requests (one row each): labels 0,1,1,0 as class codes; the third has no server uuid. */
function batch() {
  const buf = new RecordBuffer(8, 1);
  const uuids = ['a1b2c3d4-0000-4000-8000-000000000001', 'a1b2c3d4-0000-4000-8000-000000000002', '', 'a1b2c3d4-0000-4000-8000-000000000004'];
  uuids.forEach((uuid, seq) => {
    const i = buf.push(seq, 0, 0, 0, 0, 0, 1, 1000, Outcome.ok, 200, 0, uuid);
    buf.setRow(i, 0, 1, 0.5, [0, 1, 1, 0][seq]!);
  });
  return buf.take()!;
}

const spec = (over: Partial<FeedbackSpec>): FeedbackSpec => ({ url: 'x', afterMs: 0, batchSize: 100, maxRate: 1000, retries: 0, key: 'uuid', ...over });

test('feedback.format cloudera: one POST per prediction uuid, Cloudera delayed-metrics body, configured headers', async () => {
  await withServer(async (url, received) => {
    const crn = 'crn:cdp:ml:us-west-1:tenant:workspace:ws/ee50a723';
    const poster = new FeedbackPoster(
      spec({ format: 'cloudera', batchSize: 1, deploymentCrn: crn, metric: 'final_label', headers: { Authorization: 'Bearer tok-123456' } }),
      url,
      ['no', 'yes'],
      () => 1e9,
    );
    poster.onBatch(0, batch());
    const summary = await poster.finish();
    assert.deepEqual(
      received.map((r) => r.body),
      [
        { modelDeploymentCrn: crn, predictionUuid: 'a1b2c3d4-0000-4000-8000-000000000001', metrics: { final_label: 'no' } },
        { modelDeploymentCrn: crn, predictionUuid: 'a1b2c3d4-0000-4000-8000-000000000002', metrics: { final_label: 'yes' } },
        { modelDeploymentCrn: crn, predictionUuid: 'a1b2c3d4-0000-4000-8000-000000000004', metrics: { final_label: 'no' } },
      ],
    );
    for (const r of received) {
      assert.equal(r.headers.authorization, 'Bearer tok-123456');
      assert.equal(r.headers['content-type'], 'application/json');
    }
    // The request without a server uuid cannot be posted to Cloudera: counted failed, never sent under a seq.
    assert.deepEqual({ posted: summary.posted, labelsPosted: summary.labelsPosted, labelsFailed: summary.labelsFailed }, { posted: 3, labelsPosted: 3, labelsFailed: 1 });
  });
});

test('feedback.format batch (default) keeps modelwave\'s own body, many labels per post', async () => {
  await withServer(async (url, received) => {
    const poster = new FeedbackPoster(spec({}), url, [0, 1], () => 1e9);
    poster.onBatch(0, batch());
    await poster.finish();
    assert.equal(received.length, 1);
    assert.deepEqual(received[0]!.body, {
      feedback: [
        { uuid: 'a1b2c3d4-0000-4000-8000-000000000001', seq: 0, label: 0 },
        { uuid: 'a1b2c3d4-0000-4000-8000-000000000002', seq: 1, label: 1 },
        { uuid: '2', seq: 2, label: 1 },
        { uuid: 'a1b2c3d4-0000-4000-8000-000000000004', seq: 3, label: 0 },
      ],
    });
  });
});

test('a batched request posts its labels as a list under the metric key', () => {
  const body = feedbackBody(spec({ format: 'cloudera', deploymentCrn: 'crn:x', metric: 'churned' }), [{ key: 'u-9', seq: 9, label: [1, 0, 1] }]);
  assert.deepEqual(JSON.parse(body), { modelDeploymentCrn: 'crn:x', predictionUuid: 'u-9', metrics: { churned: [1, 0, 1] } });
});

test('feedback scenario keys: ${ENV} in headers, metric default, secrets out of the redacted copy', () => {
  const s = parseScenarioText(
    `
target: { url: "builtin:telco@v1" }
data: { fields: { iot_signal_1: { int: [1, 10] } } }
label: { logistic: { bias: -5, weights: { iot_signal_1: 1 } } }
load: { phases: [{ duration: 1s, rate: 10 }] }
feedback:
  url: https://metrics.example.test/track
  format: cloudera
  deploymentCrn: crn:cdp:ml:x
  headers: { Authorization: "Bearer \${CDP_TOKEN}" }
`,
    '/tmp/feedback.yaml',
    { env: { CDP_TOKEN: 'very-secret-token' } },
  );
  assert.deepEqual(s.feedback, {
    url: 'https://metrics.example.test/track',
    afterMs: 5000,
    batchSize: 1,
    maxRate: 50,
    retries: 3,
    key: 'uuid',
    format: 'cloudera',
    headers: { Authorization: 'Bearer very-secret-token' },
    deploymentCrn: 'crn:cdp:ml:x',
    metric: 'final_label',
  });
  assert.ok(!JSON.stringify(s.redacted).includes('very-secret-token'));
  assert.equal((s.redacted as { feedback: { headers: Record<string, string> } }).feedback.headers.Authorization, REDACTED);
});
