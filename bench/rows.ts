// Rows per second of the row generator (one thread): `node dist/bench/rows.js`.
// The telco field set (numeric + oneOf), with its label model, with one faker field, and faker.seed() per call
// for comparison with the counter-backed randomizer faker.ts uses.
import { faker } from '@faker-js/faker';
import { fileURLToPath } from 'node:url';
import { callsPerSecond } from './lib/stats.js';
import { createRowGenerator } from '../src/data/rows.js';
import type { FieldSpec, LabelSpec, Scenario } from '../src/spec/types.js';

const TELCO: { name: string; spec: FieldSpec }[] = [
  { name: 'iot_signal_1', spec: { kind: 'int', min: 1, max: 10 } },
  { name: 'iot_signal_2', spec: { kind: 'plus', args: [{ ref: 'iot_signal_1' }, { expr: { kind: 'int', min: 0, max: 2 } }] } },
  { name: 'iot_signal_3', spec: { kind: 'int', min: 50, max: 55 } },
  { name: 'iot_signal_4', spec: { kind: 'int', min: 100, max: 107 } },
  { name: 'manufacturer', spec: { kind: 'oneOf', values: ['New World Corp', 'AI Inc.', 'Hot Data Ltd'], weights: [5, 3, 2] } },
];
const DEVICE_ID: { name: string; spec: FieldSpec } = { name: 'device_id', spec: { kind: 'faker', method: 'string.hexadecimal', args: { length: 13 } } };
const LABEL: LabelSpec = {
  name: 'cell_tower_failure',
  task: 'classification',
  model: { kind: 'logistic', bias: -37, weights: { iot_signal_1: 0.9, iot_signal_4: 0.3 }, classes: [0, 1] },
  drift: { flipRate: { from: 0, to: 0.3 } },
  classes: [0, 1],
};

function scenario(data: Scenario['data'], label?: LabelSpec): Scenario {
  return {
    name: 'bench',
    seed: 42,
    file: '/tmp/bench.yaml',
    target: { url: 'builtin:telco@v1', protocol: 'cloudera', headers: {}, timeoutMs: 1000, rowsPerRequest: 1, maxInFlight: 100 },
    data,
    label,
    load: { phases: [], workers: 1 },
    windows: { kind: 'count', every: 100 },
    thresholds: [],
    progressRequests: 1_000_000,
    redacted: {},
  };
}

const rate = (fn: (i: number) => number): number => callsPerSecond(fn, 1_500, 10_000);

const cases: [string, (i: number) => number][] = [];
{
  const gen = createRowGenerator(scenario({ fields: TELCO }));
  cases.push(['telco fields (4 int + derived + oneOf)', (i) => gen.row(i).iot_signal_2 as number]);
}
{
  const gen = createRowGenerator(scenario({ fields: TELCO }, LABEL));
  cases.push(['telco fields + logistic label with flip drift', (i) => gen.label(i, gen.row(i))]);
}
{
  const gen = createRowGenerator(scenario({ fields: [...TELCO, DEVICE_ID] }));
  cases.push(['telco fields + faker string.hexadecimal(13)', (i) => String(gen.row(i).device_id).length]);
}
cases.push([
  'faker.seed([seed,row,field]) + string.hexadecimal(13) alone',
  (i) => {
    faker.seed([42, i, 5]);
    return faker.string.hexadecimal({ length: 13 }).length;
  },
]);
{
  const path = fileURLToPath(new URL('../../test/fixtures/data/telco.csv', import.meta.url));
  const gen = createRowGenerator(
    scenario({ fields: [], source: { path, format: 'csv', order: 'shuffled', atEnd: 'cycle' } }, { name: 'y', task: 'classification', model: { kind: 'column', column: 'cell_tower_failure' }, classes: [0, 1] }),
  );
  cases.push(['replay telco.csv shuffled + column label', (i) => gen.label(i, gen.row(i))]);
}

console.log(`node ${process.version}, one thread`);
for (const [name, fn] of cases) console.log(`${name.padEnd(62)} ${Math.round(rate(fn)).toLocaleString('en-US').padStart(12)} rows/s`);
