import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ModelwaveError } from '../../src/errors.js';
import { loadScenario, parseScenarioText } from '../../src/scenario/load.js';
import type { LabelSpec, Scenario } from '../../src/spec/types.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const VALID = join(ROOT, 'test/fixtures/scenario/valid');
const CLI = join(ROOT, 'dist/src/cli/main.js');
const run = promisify(execFile);
const ENV = { MW_TOKEN: 'sekret', MW_TEAM: 'core' };

const withoutFile = ({ file: _f, redacted: _r, ...rest }: Scenario) => rest;

test('minimal scenario: every default filled, durations in ms', () => {
  const s = loadScenario(join(VALID, 'minimal.yaml'));
  assert.deepEqual(withoutFile(s), {
    name: 'minimal',
    seed: 1,
    target: { url: 'builtin:telco@v1', protocol: 'cloudera', headers: {}, timeoutMs: 5000, rowsPerRequest: 1, maxInFlight: 10000, maxResponseBytes: 16 * 1024 * 1024 },
    data: { fields: [{ name: 'x', spec: { kind: 'int', min: 1, max: 10 } }] },
    load: { phases: [{ kind: 'open', name: 'phase 1', durationMs: 10_000, rate: 200, arrivals: 'uniform', warmup: false }], workers: 'auto' },
    windows: { kind: 'count', every: 1000 },
    thresholds: [],
    progressRequests: 2000,
    plannedRequests: 2000,
  });
  assert.equal(s.file, join(VALID, 'minimal.yaml'));
});

test('JSON and YAML of the same scenario normalize identically', () => {
  const yaml = withoutFile(loadScenario(join(VALID, 'minimal.yaml')));
  const json = withoutFile(loadScenario(join(VALID, 'minimal.json')));
  assert.deepEqual(json, yaml);
});

test('full scenario: every section normalized', () => {
  const s = loadScenario(join(VALID, 'full.yaml'), { env: ENV });
  assert.equal(s.seed, 42);
  assert.deepEqual(s.target.headers, { Authorization: 'Bearer sekret', 'X-Team': 'ml-core', 'X-Retry': '3' });
  assert.equal(s.target.url, 'http://models.example.test/v2/models/m/infer?api_key=abc&x=1', 'the run requests the URL as written');
  assert.equal(s.target.timeoutMs, 1500);
  assert.equal(s.target.rowsPerRequest, 8);
  assert.equal(s.target.maxInFlight, 500);
  assert.equal(s.target.protocol, 'kserve-v2');
  assert.equal(s.target.probabilityPath, 'outputs[1].data');
  assert.deepEqual(s.target.send, ['s1', 's2', 'temp', 'maker']);
  // Per-field is implied by datatypes/dims.
  assert.deepEqual(s.target.tensor, { layout: 'per-field', datatypes: { maker: 'BYTES', s1: 'INT32' }, dims: [1], parameters: { content_type: 'pd' } });
  assert.equal(s.target.output, 'predict');
  assert.equal(s.target.decisionThreshold, 0.3);
  assert.deepEqual(s.data.fields.map((f) => f.spec.kind), ['int', 'plus', 'times', 'normal', 'oneOf', 'bool', 'uuid', 'seq', 'const', 'faker', 'const']);
  assert.deepEqual(s.data.fields[0]!.spec, { kind: 'int', min: 1, max: 10, drift: { min: 5, max: 15, start: 0.25, end: 1 } });
  assert.deepEqual(s.data.fields[2]!.spec, {
    kind: 'times',
    args: [{ ref: 's1' }, { expr: { kind: 'minus', args: [{ ref: 's2' }, { value: 1 }] } }],
  });
  assert.deepEqual(s.label, {
    name: 'failure',
    task: 'classification',
    model: { kind: 'logistic', bias: -7, weights: { s1: 0.5, temp: 0.02 }, classes: ['ok', 'failed'] },
    classes: ['ok', 'failed'],
    positive: 'failed',
    drift: { flipRate: { from: 0, to: 0.3 }, concept: { weights: { s1: 0.8 }, start: 0.5, end: 0.9 } },
  });
  assert.deepEqual(s.load, {
    workers: 4,
    phases: [
      { kind: 'open', name: 'warm', durationMs: 2000, rate: 50, arrivals: 'uniform', warmup: true },
      { kind: 'open', name: 'ramp', durationMs: 60_000, rate: 100, rampTo: 300, arrivals: 'poisson', warmup: false },
      { kind: 'open', name: 'steps', durationMs: 30_000, rate: 100, rampTo: 400, steps: 4, arrivals: 'poisson', warmup: false },
      // requests-only open phase: its duration is the time 1000 arrivals take at 500/s
      { kind: 'open', name: 'burst', durationMs: 2000, rate: 500, arrivals: 'poisson', warmup: false, requests: 1000 },
      { kind: 'closed', name: 'closed', concurrency: 16, thinkMs: 5, warmup: false, durationMs: 60_000, requests: 2000 },
    ],
  });
  // 100 + (100+300)/2·60 + (100+200+300+400)·7.5 + 1000 + 2000
  assert.equal(s.plannedRequests, 22_600);
  assert.equal(s.progressRequests, 5000, 'data.progressOver wins over the planned count');
  assert.deepEqual(s.feedback, { url: 'https://models.example.test/feedback', afterMs: 10_000, batchSize: 50, maxRate: 5, retries: 0, key: 'seq' });
  assert.deepEqual(s.windows, { kind: 'span', spanMs: 10_000 });
  assert.deepEqual(
    s.thresholds.map((t) => [t.metric, t.op, t.value]),
    [
      ['latency.p99', '<', 250],
      ['latency.p99', '>', 0],
      ['errors.rate', '<', 0.01],
      ['precision[failed]', '>=', 0.5],
      ['accuracy.window.min', '>=', 0.7],
    ],
  );
  assert.deepEqual(s.compare, {
    rules: [
      { expr: 'accuracy.delta >= -0.01', metric: 'accuracy.delta', op: '>=', value: -0.01 },
      { expr: 'latency.p99.ratio <= 1.10', metric: 'latency.p99.ratio', op: '<=', value: 1.1 },
      { expr: 'latency.p50.delta <= 20ms', metric: 'latency.p50.delta', op: '<=', value: 20 },
    ],
    tolerance: { accuracy: 0.01, latencyRatio: 0.02, errorRate: 0.002 },
    alpha: 0.01,
  });
});

test('replay: source path resolved from the scenario file, label from the column', () => {
  const s = loadScenario(join(VALID, 'replay.yaml'));
  assert.deepEqual(s.data, {
    fields: [],
    source: { path: join(ROOT, 'test/fixtures/scenario/replay.csv'), format: 'csv', order: 'sequential', atEnd: 'cycle', columns: ['f1', 'f2'] },
  });
  assert.deepEqual(s.label, { name: 'outcome', task: 'classification', model: { kind: 'column', column: 'outcome', classes: [0, 1] }, classes: [0, 1], positive: 1 });
  assert.equal(s.plannedRequests, 100, 'closed loop bounded by requests');
});

test('label under data, priors with named classes; no drift and an unknown length leave progress at Infinity', () => {
  const s = loadScenario(join(VALID, 'data-label.yaml'));
  assert.deepEqual(s.label, {
    name: 'tier',
    task: 'classification',
    model: { kind: 'priors', classes: ['low', 'mid', 'high'], weights: [5, 3, 2] },
    classes: ['low', 'mid', 'high'],
  });
  assert.equal(s.target.url, 'builtin:echo:x');
  assert.equal(s.plannedRequests, undefined);
  assert.equal(s.progressRequests, Number.POSITIVE_INFINITY);
});

const base = (extra: string) =>
  `target: { url: "http://127.0.0.1:1/m" }\ndata:\n  fields:\n    x: { float: [0, 1] }\n    y: { int: [0, 3] }\n${extra}\nload:\n  phases:\n    - { duration: 2s, rate: 10 }\n`;

test('label kinds: task, classes and positive class', () => {
  const label = (yaml: string) => parseScenarioText(base(yaml), 'l.yaml').label!;
  const cases: [string, Partial<LabelSpec>][] = [
    // logistic defaults to classes [0, 1], positive 1
    ['label: { logistic: { weights: { x: 1 } } }', { task: 'classification', classes: [0, 1], positive: 1, name: 'label' }],
    // threshold rule on a field
    ['label: { threshold: { field: y, op: ">=", value: 2 } }', { task: 'classification', classes: [0, 1], positive: 1 }],
    // priors default classes 0..n-1; no positive class for multi-class
    ['label: { priors: [1, 1, 2] }', { task: 'classification', classes: [0, 1, 2] }],
    // softmax names its classes
    ['label: { positive: b, softmax: [{ class: a, weights: { x: 1 } }, { class: b, bias: 1 }] }', { task: 'classification', classes: ['a', 'b'], positive: 'b' }],
    // linear is regression, noise is the sd
    ['label: { name: y2, linear: { bias: 1, weights: { x: 2 }, noise: 0.1 } }', { task: 'regression', classes: [], name: 'y2' }],
  ];
  for (const [yaml, expected] of cases) {
    const l = label(yaml);
    for (const [k, v] of Object.entries(expected)) assert.deepEqual(l[k as keyof typeof l], v, `${yaml}: ${k}`);
  }
  assert.deepEqual(label('label: { linear: { weights: { x: 2 }, noise: 0.1 } }').model, { kind: 'linear', bias: 0, weights: { x: 2 }, noiseSd: 0.1 });
  assert.deepEqual(label('label: { logistic: { weights: { x: 1 } }, drift: { concept: { bias: 2, at: 0.4 } } }').drift, { concept: { bias: 2, start: 0.4, end: 0.4 } });
});

test('overrides: --duration, --rate, --concurrency, --target, --workers, --threshold', () => {
  const telco = join(ROOT, 'scenarios/telco.yaml');
  const d = loadScenario(telco, { overrides: { durationMs: 1000 } });
  assert.deepEqual(d.load.phases.map((p) => p.durationMs), [1000, 1000, 1000]);
  assert.equal(d.plannedRequests, 200 + 350 + 3000);

  const r = loadScenario(telco, { overrides: { rate: 50 } });
  assert.deepEqual(
    r.load.phases.map((p) => (p.kind === 'open' ? [p.kind, p.rate, p.rampTo, p.durationMs, p.requests] : [p.kind])),
    [
      ['open', 50, undefined, 10_000, undefined],
      ['open', 50, undefined, 20_000, undefined],
      ['open', 50, undefined, 10_000, 3000],
    ],
  );

  const c = loadScenario(telco, { overrides: { concurrency: 8, workers: 2, target: 'builtin:telco@v2', thresholds: ['rps >= 100'] } });
  assert.deepEqual(c.load, { workers: 2, phases: [{ kind: 'closed', name: 'closed', concurrency: 8, thinkMs: 0, warmup: false, durationMs: 40_000 }] });
  assert.equal(c.target.url, 'builtin:telco@v2');
  assert.deepEqual(c.thresholds.at(-1), { expr: 'rps >= 100', metric: 'rps', op: '>=', value: 100 });
  assert.equal(c.thresholds.length, 4);

  const bad: [object, RegExp][] = [
    [{ rate: 10, concurrency: 2 }, /--rate and --concurrency cannot be combined/],
    [{ durationMs: 0 }, /--duration must be positive \(got 0\)/],
    [{ concurrency: 1.5 }, /--concurrency must be an integer/],
    [{ workers: 0 }, /--workers must be "auto" or a positive integer/],
    [{ thresholds: ["latency.p99 <"] }, /--threshold "latency.p99 <" needs a comparison like "< 250ms"/],
    [{ thresholds: ["fast please"] }, /--threshold "fast please" must read like "latency.p99 < 250ms"/],
    [{ thresholds: ['mae < 2'] }, /--threshold "mae < 2" uses `mae`, a regression metric/],
  ];
  for (const [overrides, re] of bad) {
    assert.throws(() => loadScenario(telco, { overrides }), (e: ModelwaveError) => e.code === 'MW_USAGE' && re.test(e.message), JSON.stringify(overrides));
  }
  // An override target is validated like the file's own
  assert.throws(
    () => loadScenario(telco, { overrides: { target: 'builtin:nope' } }),
    (e: ModelwaveError) => e.code === 'MW_SCENARIO_INVALID' && /target\.url must be builtin:telco@v1/.test(e.details[0]!),
  );
});

test('every scenario in scenarios/ validates', () => {
  const dir = join(ROOT, 'scenarios');
  const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f));
  assert.ok(files.length >= 11, files.join(', '));
  const protocols = new Set<string>();
  for (const f of files) {
    const s = loadScenario(join(dir, f), { env: {} });
    protocols.add(s.target.protocol);
    const seconds = (s.load.phases.reduce((a, p) => a + (p.durationMs ?? 0), 0) / 1000).toFixed(1);
    assert.ok(f === 'telco.yaml' || Number(seconds) <= 10, `${f} lasts ${seconds}s`);
  }
  assert.deepEqual([...protocols].sort(), ['cloudera', 'kserve-v1', 'kserve-v2', 'mlflow-records', 'mlflow-split', 'template', 'tf-serving']);
});

test('scenarios/telco.yaml is the lab: builtin v1, logistic label, noise 0 → 0.3, windows of 100, ~40 s', () => {
  const s = loadScenario(join(ROOT, 'scenarios/telco.yaml'));
  assert.equal(s.target.url, 'builtin:telco@v1');
  assert.equal(s.target.protocol, 'cloudera');
  assert.deepEqual(s.label?.model, { kind: 'logistic', bias: -37, weights: { iot_signal_1: 0.9, iot_signal_4: 0.3 }, classes: [0, 1] });
  assert.deepEqual(s.label?.drift, { flipRate: { from: 0, to: 0.3 } });
  assert.deepEqual(s.windows, { kind: 'count', every: 100 });
  assert.equal(s.feedback?.url, 'builtin');
  assert.equal(s.plannedRequests, 12_000);
  assert.equal(s.progressRequests, 12_000);
  assert.deepEqual(s.data.fields.map((f) => f.name), ['iot_signal_1', 'iot_signal_2', 'iot_signal_3', 'iot_signal_4', 'manufacturer', 'device_id']);
});

test('CLI: validate prints a summary and exits 0; schema prints the JSON Schema', async () => {
  const { stdout } = await run(process.execPath, [CLI, 'validate', 'scenarios/telco.yaml'], { cwd: ROOT });
  for (const part of [
    'scenario:   telco-cell-tower (scenarios/telco.yaml), seed 42',
    'target:     builtin:telco@v1  protocol cloudera, timeout 2s',
    '2. ramp         open 200 → 500 req/s uniform for 20s',
    '7000 requests',
    'expected:   12000 requests, ~40s',
    'iot_signal_2     plus(iot_signal_1, int[0, 2])',
    'label:      cell_tower_failure = logistic(-37 + 0.9·iot_signal_1 + 0.3·iot_signal_4); classes 0, 1 (positive 1); drift: label noise 0 → 0.3',
    'windows:    every 100 requests',
    'thresholds: latency.p99 < 250ms; errors.rate < 1%; accuracy >= 0.6',
  ]) {
    assert.ok(stdout.includes(part), `missing ${JSON.stringify(part)} in\n${stdout}`);
  }
  const schema = JSON.parse((await run(process.execPath, [CLI, 'schema'], { cwd: ROOT })).stdout) as {
    properties: Record<string, { properties?: Record<string, { enum?: string[]; items?: { properties: Record<string, unknown> } }> }>;
    $defs: Record<string, unknown>;
    additionalProperties: boolean;
  };
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual(Object.keys(schema.properties.target!.properties!).slice(0, 3), ['url', 'protocol', 'headers']);
  assert.ok(schema.properties.target!.properties!.protocol!.enum!.includes('kserve-v2'));
  assert.ok('rampTo' in schema.properties.load!.properties!.phases!.items!.properties);
  assert.ok('FieldSpec' in schema.$defs);
});
