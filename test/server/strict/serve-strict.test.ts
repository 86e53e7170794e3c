// `modelwave serve --strict NAME [--strict-config FILE]` as a process: the listening line, a clean exit on SIGTERM,
// and exit 2 with a message naming the flag or the config path for every mistake.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { STRICT_NAMES } from '../../../src/server/strict/registry.js';
import { resolveStrictConfig } from '../../../src/server/strict/config.js';
import { ModelwaveError } from '../../../src/errors.js';
import { post } from './helpers.js';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));

function serve(args: string[]) {
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  void exited.finally(() => clearTimeout(killer));
  const firstLine = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', () => reject(new Error(`exited before printing: ${stderr}`)));
  });
  firstLine.catch(() => undefined); // the exit-2 tests never read it
  return { child, exited, firstLine, stderr: () => stderr };
}

for (const name of STRICT_NAMES) {
  test(`serve --strict ${name} prints its listening line and paths, and exits 0 on SIGTERM`, async () => {
    const { child, exited, firstLine } = serve(['--strict', name]);
    const info = JSON.parse(await firstLine) as { listening: string; strict: string; model: string; paths: string[] };
    assert.match(info.listening, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual([info.strict, info.model], [name, 'telco']);
    assert.ok(info.paths.length > 0);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
}

test('serve --strict-config: the file shapes the model (features, classes, output) the server answers with', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mw-strict-cfg-'));
  try {
    const file = join(dir, 'model.json');
    writeFileSync(file, JSON.stringify({ model: { name: 'iris', features: ['a', 'b'], classes: ['no', 'yes'], logistic: { bias: 0, weights: { a: 1 } } } }));
    const { child, exited, firstLine } = serve(['--strict', 'kserve-sklearn', '--strict-config', file]);
    const info = JSON.parse(await firstLine) as { listening: string; model: string };
    assert.equal(info.model, 'iris');
    const r = await post(`${info.listening}/v1/models/iris:predict`, { instances: [[1, 0], [-1, 0]] });
    assert.equal(r.text, '{"predictions":["yes","no"]}');
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Each row: bad arguments → what stderr must say. All exit 2, no stack trace.
const bad: [string[], RegExp][] = [
  [['--strict', 'seldon'], /--strict must be one of kserve-sklearn, mlserver, triton, tf-serving-keras, mlflow, cml-record, cml-registry \(got "seldon"\)/],
  [['--strict-config', 'x.json'], /--strict-config needs --strict NAME/],
  [['--strict', 'triton', '--latency', '5ms'], /--latency applies to the reference server, not to --strict/],
  [['--strict', 'mlflow', '--model', 'telco@v2'], /--model applies to the reference server, not to --strict/],
  [['--strict', 'mlflow', '--strict-config', '/nonexistent/strict.json'], /--strict-config \/nonexistent\/strict\.json: cannot be read \(ENOENT\)/],
];
for (const [args, message] of bad) {
  test(`serve ${args.join(' ')} exits 2 with a clear message`, async () => {
    const { exited, stderr } = serve(args);
    assert.equal(await exited, 2);
    assert.match(stderr(), message);
    assert.doesNotMatch(stderr(), /\n\s+at /, 'no stack trace');
  });
}

// Each row: a config mistake → the message, which names the path and what is wrong.
const configMistakes: [string, unknown, RegExp][] = [
  ['triton', { model: { features: 'a' } }, /model\.features must be a list of feature names/],
  ['triton', { tfServing: {} }, /tfServing does not apply to --strict triton \(it reads model, triton\)/],
  ['triton', { model: { output: 'probabilities' }, triton: { output: [{ name: 'p', data_type: 'TYPE_FP32', dims: [1] }] } }, /triton\.output\[0\]\.dims must be \[2\] for model\.output probabilities/],
  ['triton', { triton: { input: [{ name: 'x', data_type: 'TYPE_FP32', dims: [3] }] } }, /triton\.input must be one tensor with dims \[4\] or one tensor per feature/],
  ['mlflow', { model: { features: ['a', 'b'] }, mlflow: { signature: { inputs: [{ type: 'tensor', 'tensor-spec': { dtype: 'float64', shape: [-1, 3] } }] } } }, /mlflow\.signature\.inputs must be one tensor of shape \[-1, 2\]/],
  ['kserve-sklearn', { model: { logistic: { weights: { nope: 1 } } } }, /model\.logistic\.weights\.nope is not one of model\.features/],
  ['kserve-sklearn', { model: { classes: [0, 1, 2] } }, /model\.logistic is binary: model\.classes must have 2 classes/],
  ['tf-serving-keras', { tfServing: { inputs: { x: { dtype: 'DT_FLOAT', shape: [-1, 3] } } } }, /tfServing\.inputs must be one input of shape \[-1, 4\]/],
  ['cml-record', { cloudera: { response: 'xml' } }, /cloudera\.response must be value, result or explainer/],
  ['kserve-sklearn', { sklearn: { categorical: ['iot_signal_1'] } }, /sklearn\.categorical: iot_signal_1 has a weight in the model/],
];
for (const [name, config, message] of configMistakes) {
  test(`--strict ${name} config ${JSON.stringify(config)} is refused: ${message.source}`, () => {
    assert.throws(
      () => resolveStrictConfig(name as (typeof STRICT_NAMES)[number], config),
      (e: unknown) => e instanceof ModelwaveError && e.code === 'MW_USAGE' && message.test(e.message),
    );
  });
}
