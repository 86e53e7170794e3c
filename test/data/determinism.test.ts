// Same seed → same rows and labels, whoever generates them: one thread vs. 4 real worker threads (stride split).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { createRowGenerator } from '../../src/data/rows.js';
import type { Row } from '../../src/data/types.js';
import type { FieldSpec, Scenario } from '../../src/spec/types.js';
import { fixture, scenario, TELCO_FIELDS, TELCO_LABEL } from './helpers.js';

const REQUESTS = 10_000;
const WORKERS = 4;
const ROWS_PER_REQUEST = 2;

interface Part {
  seqs: number[];
  rows: Row[][];
  labels: number[][];
}

/** Rows and labels of the requests seq ≡ w (mod workers), as the engine's workers would split them. */
function generate(s: Scenario, w: number, workers: number): Part {
  const gen = createRowGenerator(s);
  const k = s.target.rowsPerRequest;
  const part: Part = { seqs: [], rows: [], labels: [] };
  for (let seq = w; seq < REQUESTS; seq += workers) {
    const rows: Row[] = [];
    const labels: number[] = [];
    for (let j = 0; j < k; j++) {
      const row = gen.row(seq * k + j);
      rows.push(row);
      labels.push(gen.label(seq * k + j, row));
    }
    part.seqs.push(seq);
    part.rows.push(rows);
    part.labels.push(labels);
  }
  return part;
}

// The worker runs the same compiled module by URL; eval'd CommonJS keeps the helper out of the test file globs.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.rowsUrl).then(({ createRowGenerator }) => {
  const { scenario: s, w, workers, requests } = workerData;
  const gen = createRowGenerator(s);
  const k = s.target.rowsPerRequest;
  const part = { seqs: [], rows: [], labels: [] };
  for (let seq = w; seq < requests; seq += workers) {
    const rows = [], labels = [];
    for (let j = 0; j < k; j++) { const row = gen.row(seq * k + j); rows.push(row); labels.push(gen.label(seq * k + j, row)); }
    part.seqs.push(seq); part.rows.push(rows); part.labels.push(labels);
  }
  parentPort.postMessage(part);
});
`;

function inWorker(s: Scenario, w: number): Promise<Part> {
  const rowsUrl = new URL('../../src/data/rows.js', import.meta.url).href;
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { rowsUrl, scenario: s, w, workers: WORKERS, requests: REQUESTS } });
    worker.once('message', (part: Part) => {
      resolve(part);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`worker ${w} exited with ${code}`)));
  });
}

async function compareSplit(s: Scenario): Promise<void> {
  const single = generate(s, 0, 1);
  const parts = await Promise.all(Array.from({ length: WORKERS }, (_, w) => inWorker(s, w)));
  let seen = 0;
  for (const part of parts) {
    part.seqs.forEach((seq, j) => {
      assert.equal(seq % WORKERS, parts.indexOf(part), 'stride split');
      assert.deepStrictEqual(part.rows[j], single.rows[seq], `rows of request ${seq}`);
      assert.deepStrictEqual(part.labels[j], single.labels[seq], `labels of request ${seq}`);
      seen++;
    });
  }
  assert.equal(seen, REQUESTS);
}

const EVERY_KIND: Record<string, FieldSpec> = {
  ...TELCO_FIELDS,
  device_id: { kind: 'faker', method: 'string.hexadecimal', args: { length: 13 } },
  seen_at: { kind: 'faker', method: 'date.recent' },
  id: { kind: 'uuid' },
  temp: { kind: 'normal', mean: 20, sd: 5, drift: { mean: 30 } },
  load: { kind: 'float', min: 0, max: 1, drift: { max: 2, start: 0.3, end: 0.7 } },
  online: { kind: 'bool', p: 0.9, drift: { p: 0.5 } },
  region: { kind: 'oneOf', values: ['eu', 'us', 'ap'], weights: [1, 1, 1], drift: { weights: [3, 1, 0] } },
  fw: { kind: 'const', value: 'v1' },
  n: { kind: 'seq' },
  mix: { kind: 'times', args: [{ ref: 'temp' }, { expr: { kind: 'minus', args: [{ ref: 'iot_signal_3' }, { value: 50 }] } }] },
};

test('synthetic rows and drifting labels: 10,000 requests in one thread = split across 4 worker threads', async () => {
  const s = scenario({
    fields: EVERY_KIND,
    label: { ...TELCO_LABEL, drift: { flipRate: { from: 0, to: 0.3 }, concept: { bias: -30, start: 0.5, end: 0.5 } } },
    progressRequests: REQUESTS,
    rowsPerRequest: ROWS_PER_REQUEST,
  });
  await compareSplit(s);
});

test('shuffled, cycling replay with label noise: one thread = 4 worker threads', async () => {
  const s = scenario({
    source: { path: fixture('telco.csv'), format: 'csv', order: 'shuffled', atEnd: 'cycle' },
    label: { name: 'cell_tower_failure', task: 'classification', model: { kind: 'column', column: 'cell_tower_failure' }, drift: { flipRate: { from: 0.1, to: 0.4 } }, classes: [0, 1] },
    progressRequests: REQUESTS,
    rowsPerRequest: ROWS_PER_REQUEST,
  });
  await compareSplit(s);
});
