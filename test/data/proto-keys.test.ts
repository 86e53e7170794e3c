// Field names that are special in JavaScript (`__proto__`, `constructor`, `prototype`, `toString`) are ordinary keys
// to a model server: they go on the wire as written. Assigning `row.__proto__ = 7` on a plain object sets its
// prototype instead, and the encoder then sent `"__proto__":null`. Checked on the bytes a server receives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRowGenerator } from '../../src/data/rows.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import { CLI } from '../engine/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'mw-proto-'));

/** Run `modelwave run` against a server that records request bodies and answers `answer`; returns the bodies. */
async function bodiesOf(scenario: string, answer: string): Promise<string[]> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      bodies.push(body);
      res.setHeader('content-type', 'application/json');
      res.end(answer);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/predict`;
  const file = join(dir, `s-${bodies.length}-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, scenario.replace('URL', url));
  try {
    const child = spawn(process.execPath, [CLI, 'run', file, '--no-store', '--quiet', '--workers', '1', '--out', join(dir, 'out')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000); // a bound that proves the run ends
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    clearTimeout(timer);
    assert.equal(code, 0, stderr);
  } finally {
    server.close();
  }
  return bodies.filter((b) => b !== '');
}

const LOAD = 'load:\n  phases:\n    - { requests: 3, rate: 20 }\n';

test('synthetic fields named __proto__, constructor, prototype, toString are sent as keys with their values', async () => {
  const scenario = `target: { url: "URL", protocol: kserve-v1, rowFormat: object }
data:
  fields:
    __proto__: { const: 7 }
    constructor: { const: "c" }
    prototype: { int: [3, 3] }
    toString: { const: true }
    sum: { plus: [__proto__, prototype] }
label:
  logistic: { bias: 0, weights: { __proto__: 1 } }
${LOAD}`;
  const bodies = await bodiesOf(scenario, '{"predictions":[1]}');
  assert.ok(bodies.length >= 3, `${bodies.length} requests`);
  for (const b of bodies) {
    assert.ok(b.includes('"__proto__":7'), b);
    assert.equal(b, '{"instances":[{"__proto__":7,"constructor":"c","prototype":3,"toString":true,"sum":10}]}');
  }
  // The label model reads the field too (bias 0 + 1·7 > 0 → class 1 every time).
  const s = parseScenarioText(scenario.replace('URL', 'http://127.0.0.1:9/x'), 'p.yaml', { env: {} });
  const gen = createRowGenerator(s);
  const row = gen.row(0);
  assert.equal(row['__proto__'], 7);
  assert.ok(Object.hasOwn(row, '__proto__'));
  assert.equal(gen.label(0, row), 1);
});

test('replayed CSV and JSONL columns named __proto__ are sent as keys (mlflow-records and a template body)', async () => {
  writeFileSync(join(dir, 'proto.csv'), '__proto__,constructor\n1,a\n2,b\n3,c\n');
  const csv = await bodiesOf(`target: { url: "URL", protocol: mlflow-records }
data:
  source: { path: ${JSON.stringify(join(dir, 'proto.csv'))}, atEnd: cycle }
${LOAD}`, '{"predictions":[0]}');
  assert.ok(csv.length >= 3);
  assert.deepEqual(csv.slice(0, 3), ['{"dataframe_records":[{"__proto__":1,"constructor":"a"}]}', '{"dataframe_records":[{"__proto__":2,"constructor":"b"}]}', '{"dataframe_records":[{"__proto__":3,"constructor":"c"}]}']);
  writeFileSync(join(dir, 'proto.jsonl'), '{"__proto__": "obj", "v": 5}\n');
  const jsonl = await bodiesOf(`target:
  url: "URL"
  protocol: template
  template: { body: { inputs: "{{row}}", "__proto__": "{{field:__proto__}}" }, responsePath: out }
data:
  source: { path: ${JSON.stringify(join(dir, 'proto.jsonl'))} }
${LOAD}`, '{"out":[0]}');
  assert.ok(jsonl.length >= 3);
  for (const b of jsonl) assert.equal(b, '{"inputs":{"__proto__":"obj","v":5},"__proto__":"obj"}');
});
