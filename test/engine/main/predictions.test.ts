// How predictions are read, end to end through the engine: a sigmoid output becomes a class at the decision
// threshold and feeds ROC AUC / log loss; the report counts how predictions were read; the first response no rule
// can read (and the first HTTP error) is shown once, with what was tried and the body's start, secrets scrubbed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRowGenerator } from '../../../src/data/rows.js';
import { executeRun } from '../../../src/engine/main/run.js';
import { parseScenarioText } from '../../../src/scenario/load.js';
import { startReferenceServer, type RunningServer } from '../../../src/server/reference.js';

// One echo server for the probability tests (in-process, no self warm-up: the runs are small).
let echo: RunningServer;
before(async () => {
  echo = await startReferenceServer({ model: 'echo:p' });
});
after(() => echo.close());

/** p ~ U(0, 1); the label is p ≥ 0.5; the built-in echo model answers p itself: a perfect probabilistic model. */
const probabilityScenario = (threshold?: number) =>
  parseScenarioText(
    `
name: probability
seed: 3
target:
  url: ${echo.url}/v1/models/echo:predict
  protocol: kserve-v1
  rowFormat: object
  rowsPerRequest: 4
  timeout: 5s
${threshold === undefined ? '' : `  decisionThreshold: ${threshold}`}
data:
  fields:
    p: { float: [0, 1] }
label:
  classes: [0, 1]
  threshold: { field: p, op: ">=", value: 0.5 }
load:
  workers: 1
  phases: [{ requests: 150, concurrency: 4 }]
`,
    '/tmp/probability.yaml',
  );

test('a number in [0, 1] that is not a class is P(positive): the class at the threshold, the probability fed to AUC and log loss', async () => {
  const s = probabilityScenario();
  const { summaries } = await executeRun(s, { workers: 1 });
  const t = summaries[0]!.totals;
  const rows = 150 * 4;
  assert.equal(t.requests.ok, 150);
  assert.deepEqual(t.quality?.predictionsReadAs, { class: 0, probability: rows, argmax: 0 });
  assert.equal(t.quality?.scored, rows);
  assert.equal(t.accuracy, 1, 'p ≥ 0.5 is exactly the label');
  assert.equal(t.classification?.rocAuc, 1, 'the probability ranks every positive above every negative');
  // Log loss of a calibrated-by-construction score: mean of -ln(p) over positives and -ln(1-p) over negatives.
  const gen = createRowGenerator(s);
  let ll = 0;
  for (let i = 0; i < rows; i++) {
    const p = gen.row(i).p as number;
    ll -= Math.log(Math.max(p >= 0.5 ? p : 1 - p, 1e-15));
  }
  assert.ok(Math.abs((t.classification?.logLoss ?? NaN) - ll / rows) < 1e-4, `log loss ${t.classification?.logLoss} vs ${ll / rows}`);
});

test('target.decisionThreshold moves the class, not the probability: AUC stays, accuracy follows the threshold', async () => {
  const s = probabilityScenario(0.8);
  const { summaries } = await executeRun(s, { workers: 1 });
  const t = summaries[0]!.totals;
  const gen = createRowGenerator(s);
  let right = 0;
  for (let i = 0; i < 600; i++) {
    const p = gen.row(i).p as number;
    if (p >= 0.8 === p >= 0.5) right++;
  }
  assert.equal(t.accuracy, right / 600);
  assert.ok(right < 600 && right > 400, `some rows between 0.5 and 0.8 (${right})`);
  assert.equal(t.classification?.rocAuc, 1);
});

test('the first unreadable body and the first HTTP error are in the report once, with the path tried and 200 bytes, secrets scrubbed', async () => {
  const token = 'sk-live-0123456789abcdef';
  let n = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n++;
      if (n % 3 === 0) {
        // A server that echoes the credential in its error: it must not reach the report.
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `Expected 2D array, got 1D array (auth ${req.headers.authorization})` }));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ predictions: [{ text: 'x'.repeat(300), n: 2 }] }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as AddressInfo).port;
    const s = parseScenarioText(
      `
name: unreadable
target: { url: "http://127.0.0.1:${port}/v1/models/m:predict", protocol: kserve-v1, headers: { Authorization: "Bearer \${TOKEN}" } }
data: { fields: { a: { int: [0, 1] } } }
label: { classes: [0, 1], threshold: { field: a, op: "==", value: 1 } }
load: { workers: 1, phases: [{ requests: 30, concurrency: 2 }] }
`,
      '/tmp/unreadable.yaml',
      { env: { TOKEN: token } },
    );
    const { summaries } = await executeRun(s, { workers: 1 });
    const e = summaries[0]!.totals.errors;
    assert.equal(summaries[0]!.totals.requests.badResponses, 20);
    assert.equal(summaries[0]!.totals.requests.httpErrors, 10);
    const samples = e.samples ?? [];
    assert.deepEqual(samples.map((x) => x.kind).sort(), ['badResponse', 'httpError']);
    const bad = samples.find((x) => x.kind === 'badResponse')!;
    assert.equal(bad.code, 'NO_PREDICTION');
    assert.equal(bad.status, 200);
    assert.match(bad.message ?? '', /no usable prediction at predictions/);
    assert.equal(Buffer.byteLength(bad.bodyHead), 200);
    assert.ok(bad.bodyHead.startsWith('{"predictions":[{"text":"xxx'));
    const http400 = samples.find((x) => x.kind === 'httpError')!;
    assert.equal(http400.status, 400);
    assert.match(http400.bodyHead, /Expected 2D array, got 1D array \(auth REDACTED\)/);
    assert.ok(!JSON.stringify(summaries[0]).includes(token), 'the token is nowhere in the summary');
  } finally {
    server.close();
  }
});
