// The real servers decide what is correct: every case of test/fixtures/conformance/*.json (copied from
// ../shared/conformance; each case names its upstream source — repository and path) is run through the codecs.
// Decoders: the server's `response` must read as the case's `expect`. Encoders: the case's rows, with the settings
// the case requires (SETTINGS below, one line per case), must build the body the real server accepts
// (`request.upstream`), compared as parsed JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCodec, type FieldType } from '../../src/codecs/index.js';
import type { Row } from '../../src/data/types.js';
import { checkRunData } from '../../src/engine/main/datacheck.js';
import { ModelwaveError } from '../../src/errors.js';
import type { LabelValue, Protocol, TargetSpec } from '../../src/spec/types.js';
import { scenario } from '../data/helpers.js';

interface Case {
  id: string;
  what: string;
  source: string;
  protocol?: Protocol;
  fieldNames: string[];
  classes?: LabelValue[] | null;
  rows: Row[];
  target?: Partial<TargetSpec> & { accessKey?: string };
  request?: { upstream: unknown; params: unknown; fix?: string };
  response?: unknown;
  expect?: { predictions?: unknown[]; probabilities?: number[]; uuid?: string; ok?: boolean; codecError?: boolean };
}

const DIR = fileURLToPath(new URL('../../../test/fixtures/conformance/', import.meta.url));
const CASES: (Case & { protocol: Protocol; file: string })[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .flatMap((file) => {
    const doc = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as { protocol: Protocol; cases: Case[] };
    return doc.cases.map((c) => ({ ...c, protocol: c.protocol ?? doc.protocol, file }));
  });

const baseTarget = (c: Case & { protocol: Protocol }, extra: Partial<TargetSpec> = {}): TargetSpec => ({
  url: 'http://127.0.0.1:1/model',
  protocol: c.protocol,
  headers: {},
  timeoutMs: 1000,
  rowsPerRequest: c.rows.length,
  maxInFlight: 1,
  ...(c.target as Partial<TargetSpec>),
  ...extra,
});

/** What each field holds, as a scenario's field definitions would say (integer fields, numbers, text). */
function kinds(c: Case): Record<string, FieldType> {
  const out: Record<string, FieldType> = {};
  for (const name of c.fieldNames) {
    const values = c.rows.map((r) => r[name]);
    out[name] = values.every((v) => typeof v === 'number')
      ? values.every((v) => Number.isInteger(v))
        ? 'integer'
        : 'number'
      : values.every((v) => typeof v === 'boolean')
        ? 'boolean'
        : 'string';
  }
  return out;
}

// ---- decoders ----

const close = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => Math.abs(x - b[i]!) < 1e-12);

for (const c of CASES.filter((x) => x.response !== undefined && x.expect !== undefined)) {
  test(`decode ${c.id} (${c.file}): ${c.what} — source: ${c.source}`, () => {
    const codec = createCodec(baseTarget(c), c.fieldNames, c.classes ?? undefined);
    const body = typeof c.response === 'string' ? c.response : JSON.stringify(c.response);
    const got = codec.decode(body, c.rows.length);
    const want = c.expect!;
    if (want.ok === false) {
      assert.equal(got.ok, false, `an error body must not read as predictions: ${JSON.stringify(got)}`);
      return;
    }
    assert.ok(got.ok, JSON.stringify(got));
    assert.deepEqual(got.predictions, want.predictions);
    if (want.probabilities) assert.ok(got.probabilities && close(got.probabilities as number[], want.probabilities), `probabilities ${JSON.stringify(got.probabilities)}`);
    if (want.uuid !== undefined) assert.equal(got.uuid, want.uuid);
  });
}

// ---- encoders ----

// The settings each request case needs, one line per case (what a scenario's target would say).
const SETTINGS: Record<string, Partial<TargetSpec>> = {
  'CML-1': { cloudera: { request: 'record' } }, // the monitoring AMP reads request["record"]
  'CML-2': {}, // default: flat fields inside request
  'CML-3': { cloudera: { request: 'dataframe_split' } }, // a Model Registry deployment takes an MLflow payload
  'CML-4': {}, // flat, no accessKey (it is in the URL)
  'MLF-1': {}, // dataframe_split: columns + data (no index: pandas uses a RangeIndex, the same as [0, 1])
  'MLF-2': {}, // dataframe_records
  'MLF-11': { protocol: 'template', rowFormat: 'array', template: { body: { inputs: '{{rows}}' }, responsePath: 'predictions' } }, // tensor input
  'MLF-11b': { protocol: 'template', rowFormat: 'array', send: ['f0', 'f1', 'f2', 'f3'], template: { body: { inputs: '{{rows}}' }, responsePath: 'predictions' } }, // device_id is not sent
  'MLF-12': { protocol: 'template', rowFormat: 'array', template: { body: { columns: ['alcohol', 'pH'], data: '{{rows}}' }, responsePath: '' } }, // MLflow 1.x bare split frame
  'KV1-1': {}, // default: positional rows
  'KV1-2': { rowFormat: 'object-of-lists' }, // pd.DataFrame(instance) needs lists
  'OIP-1': {}, // default: one [n, k] FP32 tensor named input-0
  'OIP-2': {}, // same for MLServer's NumpyRequestCodec
  'OIP-3': { tensor: { layout: 'per-field', datatypes: { LotArea: 'INT32', YrSold: 'INT32' } } }, // pd + declared INT32, MSZoning inferred BYTES
  'OIP-4': { tensor: { layout: 'per-field', datatype: 'FP32', dims: [1], parameters: {} } }, // Triton config: FP32, dims [1]
  'TFS-1': { rowFormat: 'scalar' }, // one scalar input: bare values
  'TFS-2': {}, // default: positional rows for the single dense input
  'TFS-3': { rowFormat: 'object' }, // several named inputs
  'TFS-8': { rowFormat: 'object', send: ['iot_signal_1', 'iot_signal_4'] }, // only the model's inputs
  'TPL-1': {},
  'TPL-2': {},
  'TPL-3': { rowFormat: 'array' }, // {{rows}} as positional rows
  'TPL-4': {},
};

/** Parsed JSON with the equivalences the servers themselves apply: a split frame's default index is no index. */
function normalized(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(normalized);
  if (body === null || typeof body !== 'object') return body;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (k === 'index' && Array.isArray(v) && v.every((x, i) => x === i)) continue;
    out[k] = normalized(v);
  }
  return out;
}

const requestCases = CASES.filter((x) => x.request?.upstream !== undefined && x.id !== 'OIP-11');
test('every request case has its settings row', () => {
  assert.deepEqual(requestCases.map((c) => c.id).filter((id) => !(id in SETTINGS)), []);
});

for (const c of requestCases) {
  test(`encode ${c.id} (${c.file}): ${c.what} — source: ${c.source}`, () => {
    const codec = createCodec(baseTarget(c, SETTINGS[c.id]), c.fieldNames, c.classes ?? undefined, { fieldTypes: kinds(c) });
    const body: unknown = JSON.parse(codec.encode(c.rows, 0));
    assert.deepEqual(normalized(body), normalized(c.request!.upstream));
  });
}

test('encode CML-6: a Cloudera registry model takes a batch of rows as an MLflow inputs payload', () => {
  const c = CASES.find((x) => x.id === 'CML-6')!;
  const codec = createCodec(baseTarget(c, { cloudera: { request: 'inputs' } }), c.fieldNames, c.classes ?? undefined);
  assert.deepEqual(JSON.parse(codec.encode(c.rows, 0)), { accessKey: 'mkey123', request: { inputs: c.rows.map((r) => c.fieldNames.map((f) => r[f])) } });
  const answer = codec.decode(JSON.stringify({ success: true, response: { prediction: [0, 2], uuid: 'u-6' } }), 2);
  assert.deepEqual(answer, { ok: true, predictions: [0, 2], uuid: 'u-6' });
});

test('OIP-11: an empty numeric cell is not sent as "" — the run\'s data check names file and line', async () => {
  const c = CASES.find((x) => x.id === 'OIP-11')!;
  const dir = mkdtempSync(join(tmpdir(), 'mw-oip11-'));
  const csv = join(dir, 'rows.csv');
  writeFileSync(csv, `${c.fieldNames.join(',')},y\n${c.rows.map((r) => `${c.fieldNames.map((f) => r[f]).join(',')},0`).join('\n')}\n`);
  const s = scenario({
    source: { path: csv, format: 'csv', order: 'sequential', atEnd: 'cycle' },
    label: { name: 'y', task: 'classification', model: { kind: 'column', column: 'y' }, classes: [0, 1] },
  });
  const target: TargetSpec = { ...s.target, protocol: 'kserve-v2', tensor: { layout: 'per-field', datatype: 'FP32', dims: [1] } };
  await assert.rejects(
    () => checkRunData({ ...s, target }),
    (err: unknown) => err instanceof ModelwaveError && err.exitCode === 2 && /rows\.csv:3: `x1` is empty, and it is a model input/.test(err.message),
  );
});
