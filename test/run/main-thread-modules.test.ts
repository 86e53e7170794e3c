// What a plain run loads on the main thread (its own test file: the checks read this process's module cache). A run
// with a faker field, no store, no live output and JSON only: faker is the workers' (they prove the rows), prom-client
// and the dashboard are for --prometheus / --dashboard, the other report writers for their formats. Each costs every
// run start-up CPU (docs: issue 19).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runScenario } from '../../src/run.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import { startReferenceServer, type RunningServer } from '../../src/server/reference.js';

let server: RunningServer;
let dir: string;
before(async () => {
  server = await startReferenceServer({ model: 'telco@v1' });
  dir = mkdtempSync(path.join(tmpdir(), 'mw-main-modules-'));
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** CommonJS packages this process has loaded (ESM imports of a CommonJS package land in the same cache). */
const loadedPackages = (): Set<string> => {
  const names = Object.keys(createRequire(import.meta.url).cache).map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f)?.[1]);
  return new Set(names.filter((n): n is string => n !== undefined));
};

test('a run with a faker field, --no-store, --report json loads neither faker nor prom-client on the main thread', async () => {
  const s = parseScenarioText(
    `
name: main-modules
seed: 1
target: { url: "${server.url}/model", protocol: cloudera, timeout: 2s }
data:
  fields:
    iot_signal_1: { int: [1, 10] }
    iot_signal_4: { int: [100, 107] }
    device_id: { faker: string.hexadecimal, args: { length: 13 } }
label:
  logistic: { bias: -37, weights: { iot_signal_1: 0.9, iot_signal_4: 0.3 } }
load:
  workers: 1
  phases: [{ duration: 200ms, rate: 50 }]
`,
    path.join(dir, 'main-modules.yaml'),
  );
  const out = path.join(dir, 'report');
  const res = await runScenario(s, { quiet: true, store: null, formats: ['json'], outDir: out });
  assert.ok(res.summary.totals.requests.sent > 0, 'the run sent requests (the workers built the faker rows)');
  assert.deepEqual(readdirSync(out), ['report.json']);
  const loaded = loadedPackages();
  assert.ok(loaded.has('hdr-histogram-js'), 'the cache is read (the main thread merges histograms)');
  for (const pkg of ['@faker-js/faker', 'prom-client']) assert.ok(!loaded.has(pkg), `${pkg} is loaded on the main thread`);
});
