// Pinned output: for a few seeds and the scenarios users write, the exact rows, labels and request bytes, as hashes
// taken from the generator and codecs of main at 8fb8ed1 (before the per-row fast paths of issue #19). A change to
// the row generator, the faker fields or the encoders that alters one value or one byte fails here; a change that
// is only faster does not. The rows are typed (1 and "1" differ), in field order, and include row indices past 2^32.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createRowGenerator } from '../../src/data/rows.js';
import { FAKER_METHODS } from '../../src/data/faker-allowlist.js';
import type { Cell, Row } from '../../src/data/types.js';
import { codecFor } from '../../src/codecs/index.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import type { FieldSpec, Scenario } from '../../src/spec/types.js';
import { scenario } from './helpers.js';

const LOAD = `
load:
  phases:
    - { name: steady, duration: 10s, rate: 200 }
    - { name: ramp, duration: 20s, rate: 200, rampTo: 500 }
`;
const TELCO_FIELDS = `
data:
  fields:
    iot_signal_1: { int: [1, 10] }
    iot_signal_2: { plus: [iot_signal_1, { int: [0, 2] }] }
    iot_signal_3: { int: [50, 55] }
    iot_signal_4: { int: [100, 107] }
    manufacturer: { oneOf: ["New World Corp", "AI Inc.", "Hot Data Ltd"], weights: [5, 3, 2] }
    device_id: { faker: string.hexadecimal, args: { length: 13 } }
`;
const TELCO_LABEL = `
label:
  name: cell_tower_failure
  classes: [0, 1]
  logistic: { bias: -37, weights: { iot_signal_1: 0.9, iot_signal_4: 0.3 } }
  drift:
    flipRate: { from: 0.0, to: 0.3 }
`;

/** The data, label and target parts of scenarios/*.yaml (copied, so editing an example never moves a pin). */
const YAML: Record<string, string> = {
  // scenarios/telco.yaml: cloudera flat, one row per request, a faker field.
  telco: `name: t\nseed: 1\ntarget: { url: "http://127.0.0.1:1/m", protocol: cloudera }\n${TELCO_FIELDS}${TELCO_LABEL}${LOAD}`,
  // telco rows as the issue measured them: mlflow-split, four rows per request.
  'telco-split': `name: t\nseed: 1\ntarget: { url: "http://127.0.0.1:1/m", protocol: mlflow-split, rowsPerRequest: 4 }\n${TELCO_FIELDS}${TELCO_LABEL}${LOAD}`,
  // scenarios/real/mlflow.yaml: only the four signals sent.
  'real-mlflow': `name: t\nseed: 1\ntarget: { url: "http://127.0.0.1:1/m", protocol: mlflow-split, rowsPerRequest: 4, send: [iot_signal_1, iot_signal_2, iot_signal_3, iot_signal_4] }\n${TELCO_FIELDS}${TELCO_LABEL}${LOAD}`,
  // scenarios/real/cml-record.yaml's form, with an access key.
  'cloudera-record': `name: t\nseed: 1\ntarget: { url: "http://127.0.0.1:1/m", protocol: cloudera, accessKey: "k\\"ey", cloudera: { request: record } }\n${TELCO_FIELDS}${TELCO_LABEL}${LOAD}`,
  // scenarios/multiclass.yaml: floats, kserve-v1 objects, softmax label.
  multiclass: `name: t
seed: 1
target: { url: "http://127.0.0.1:1/m", protocol: kserve-v1, rowFormat: object, rowsPerRequest: 5 }
data:
  fields:
    usage_gb: { float: [0, 50] }
    tenure_months: { int: [1, 72] }
    support_calls: { int: [0, 9] }
    guess: { oneOf: [stay, downgrade, churn], weights: [6, 2, 2] }
label:
  name: plan_change
  positive: churn
  softmax:
    - { class: stay, bias: 1.0, weights: { tenure_months: 0.04 } }
    - { class: downgrade, bias: 0.5, weights: { usage_gb: -0.03 } }
    - { class: churn, bias: -1.5, weights: { support_calls: 0.45 } }
${LOAD}`,
  // scenarios/regression.yaml: drifting float, normal, derived; mlflow-records.
  regression: `name: t
seed: 1
target: { url: "http://127.0.0.1:1/m", protocol: mlflow-records, rowsPerRequest: 5 }
data:
  fields:
    x1: { float: [0, 10], drift: { range: [5, 15], start: 0.2, end: 0.8 } }
    x2: { normal: { mean: 0, sd: 1 } }
    estimate: { plus: [{ times: [x1, 2] }, x2] }
label:
  name: y
  linear: { bias: 3, weights: { x1: 2, x2: 1 }, noise: 0.5 }
  drift:
    concept: { weights: { x1: 2.5, x2: 1 }, at: 0.5 }
${LOAD}`,
  // scenarios/kserve-v2.yaml: one [8,4] tensor.
  'kserve-v2': `name: t
seed: 1
target: { url: "http://127.0.0.1:1/m", protocol: kserve-v2, rowsPerRequest: 8 }
data:
  fields:
    iot_signal_1: { int: [1, 10] }
    iot_signal_2: { plus: [iot_signal_1, { int: [0, 2] }] }
    iot_signal_3: { int: [50, 55] }
    iot_signal_4: { int: [100, 107] }
${TELCO_LABEL}${LOAD}`,
  // scenarios/template.yaml, with a field and the sequence number in the body as well.
  template: `name: t
seed: 1
target:
  url: "http://127.0.0.1:1/m"
  protocol: template
  template:
    body: { features: "{{row}}", id: "req-{{seq}}", dev: "{{field:device_id}}", n: "{{seq}}" }
    responsePath: result.label
${TELCO_FIELDS}${TELCO_LABEL}${LOAD}`,
};

/** Every allow-listed faker method without arguments, then argument forms users write (cloudera flat, one row). */
function everyFaker(): Scenario {
  const variants: [string, Record<string, unknown> | unknown[] | undefined][] = [
    ...FAKER_METHODS.map((m): [string, undefined] => [m, undefined]),
    ['string.hexadecimal', { length: 13 }],
    ['string.hexadecimal', { length: 13, casing: 'lower', prefix: '' }],
    ['string.hexadecimal', { length: { min: 4, max: 24 }, casing: 'upper', prefix: '#' }],
    ['string.hexadecimal', { length: 0 }],
    ['string.alpha', [10]],
    ['string.alpha', { length: 8, casing: 'upper', exclude: ['A', 'E'] }],
    ['string.alphanumeric', { length: 12, casing: 'lower' }],
    ['string.numeric', { length: 6, allowLeadingZeros: false }],
    ['string.numeric', [4]],
    ['string.nanoid', [10]],
    ['string.uuid', { version: 7 }],
    ['number.int', { min: 1, max: 100 }],
    ['number.int', [50]],
    ['number.int', { min: 0, max: 1000, multipleOf: 5 }],
    ['number.float', { min: 0, max: 10, fractionDigits: 2 }],
    ['datatype.boolean', { probability: 0.3 }],
    ['person.firstName', ['female']],
    ['location.countryCode', ['alpha-3']],
    ['internet.ipv4', { network: 'private-a' }],
    ['lorem.words', [3]],
  ];
  const fields: Record<string, FieldSpec> = {};
  variants.forEach(([method, args], i) => {
    fields[`f${i}_${method.replace('.', '_')}`] = args === undefined ? { kind: 'faker', method } : { kind: 'faker', method, args };
  });
  return scenario({ fields });
}

function scenarioOf(name: string): Scenario {
  return name === 'every-faker' ? everyFaker() : parseScenarioText(YAML[name]!, `/tmp/pinned-${name}.yaml`, { env: {} });
}

const canon = (v: Cell): string =>
  typeof v === 'number' ? `n${Object.is(v, -0) ? '-0' : String(v)}` : typeof v === 'string' ? `s${JSON.stringify(v)}` : typeof v === 'boolean' ? `b${v}` : 'null';

/** Requests 0–149 and 2^32−20 … 2^32+19 (so row keys take their high-word path): hashes of rows+labels and of bodies. */
function hashes(s: Scenario): { rows: string; bytes: string } {
  const gen = createRowGenerator(s);
  const codec = codecFor(s, gen);
  const k = s.target.rowsPerRequest;
  const rowsHash = createHash('sha256');
  const bytesHash = createHash('sha256');
  const seqs = [...Array.from({ length: 150 }, (_, i) => i), ...Array.from({ length: 40 }, (_, i) => 2 ** 32 - 20 + i)];
  for (const seq of seqs) {
    const rows: Row[] = [];
    for (let j = 0; j < k; j++) {
      const ri = seq * k + j;
      const row = gen.row(ri);
      rows.push(row);
      rowsHash.update(`${ri}|${Object.keys(row).join(',')}|${Object.values(row).map(canon).join(',')}|${gen.label(ri, row)}\n`);
    }
    bytesHash.update(`${seq}|${codec.encode(rows, seq)}\n`);
  }
  return { rows: rowsHash.digest('hex').slice(0, 16), bytes: bytesHash.digest('hex').slice(0, 16) };
}

const SEEDS = [42, 7, 0, -5, 2 ** 35 + 1];

/** scenario → seed → [rows+labels hash, request bytes hash], as main at 8fb8ed1 produced them. */
const PINNED: Record<string, Record<number, [string, string]>> = {
  telco: { 0: ['6f9b9216f5378c56', '2f7e092b9b0f6421'], 7: ['43baa0b01d7beff5', '653aaabf3b09a7c9'], 42: ['35a9045783bc7e8d', 'b123331bf6b0313a'], [-5]: ['397a670670345b4c', '7b6c36eadf349570'], 34359738369: ['20d6b7194cc6a3bb', 'd1a0134c000f97a0'] },
  'telco-split': { 0: ['b685a7f9e742df0c', '3382ae27051dcfd8'], 7: ['7c7143ce4276d9b8', '4d672f351b42b6bb'], 42: ['c1c48cc81735533f', '5a2ece4cfd97eba4'], [-5]: ['0ca5a1d3a4ae56ec', '1322afdb54c06fa5'], 34359738369: ['6cd455f14a4384d7', 'ff1c26b8a2bd84ba'] },
  'real-mlflow': { 0: ['b685a7f9e742df0c', '8854392ae1b317a3'], 7: ['7c7143ce4276d9b8', 'afa04ac4afa86698'], 42: ['c1c48cc81735533f', '65a7de965f107576'], [-5]: ['0ca5a1d3a4ae56ec', 'a2c555f2c227ecf6'], 34359738369: ['6cd455f14a4384d7', 'f825c8e7f00fee53'] },
  'cloudera-record': { 0: ['6f9b9216f5378c56', '4348c7b7a3a41b95'], 7: ['43baa0b01d7beff5', '20a15c68747ad5ce'], 42: ['35a9045783bc7e8d', 'a98f9c2de333ad3b'], [-5]: ['397a670670345b4c', '042f68f9627a11eb'], 34359738369: ['20d6b7194cc6a3bb', 'c189f7564b7b7b53'] },
  multiclass: { 0: ['7a3958652474cefb', 'faac13db3c3ce5e8'], 7: ['4ab9ee458ce82403', 'f4678fa8e14b39e0'], 42: ['4ed62cc9db469059', '371eb0f09b5ded79'], [-5]: ['64168ec475d1243e', '922721939f49478b'], 34359738369: ['537e4e43e19b8f1e', 'fc14f476610efbb9'] },
  regression: { 0: ['283d900d9d1ec489', '6e95e84aa042eb85'], 7: ['8770304f3be4425e', '912dbf4e0fc28c5b'], 42: ['6566d5ffd950d43d', 'b4b16ae1f05d5a38'], [-5]: ['e304051559ab3601', '552da99e89492e09'], 34359738369: ['b146ad50bdfc7670', 'b9aa8be9d49ecaa6'] },
  'kserve-v2': { 0: ['bd57006396e25105', '26b4beccd1829674'], 7: ['d73a3c12280e01a8', '8f5428ee29672508'], 42: ['fdc192bc86194268', '69f1b707e27d1fed'], [-5]: ['ab11564bfe58cd4b', '3f7ef930205ec4b5'], 34359738369: ['c8b98b19e7355760', '6964c8abd82928d2'] },
  template: { 0: ['6f9b9216f5378c56', '80c0eab0c74356e4'], 7: ['43baa0b01d7beff5', 'd3bcd8d0f0ca2d28'], 42: ['35a9045783bc7e8d', '3d1363fab9c830f4'], [-5]: ['397a670670345b4c', '710e26d012246f75'], 34359738369: ['20d6b7194cc6a3bb', '27ba18e653f161ec'] },
  'every-faker': { 0: ['01370f830cfa031e', 'ff3fea339626ec09'], 7: ['62966bec0a1392ca', '07ef5f0ec410bbb0'], 42: ['d4844112a6477c29', '56522e56aa04007e'], [-5]: ['2fd33c6a055de159', 'a9e1c4faf00cb9d0'], 34359738369: ['d8ff7e0f2b230e05', 'f3a15b696185e688'] },
};

for (const name of [...Object.keys(YAML), 'every-faker']) {
  test(`pinned rows, labels and request bytes: ${name}, seeds ${SEEDS.join(', ')}`, () => {
    const base = scenarioOf(name);
    const got: Record<number, [string, string]> = {};
    for (const seed of SEEDS) {
      const h = hashes({ ...base, seed });
      got[seed] = [h.rows, h.bytes];
    }
    assert.deepStrictEqual(got, PINNED[name], `${name}: ${JSON.stringify(got)}`);
  });
}
