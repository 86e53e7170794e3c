// CPU per row of each protocol's request encoding, and per response of its decoding (one thread):
// `node dist/bench/codecs.js`. Telco rows (4 numbers + a categorical), one row and eight rows per request; the
// response bodies are what the reference server answers for that protocol. Encoding and decoding run once per
// request on the workers' hot path. CPU time (process.cpuUsage), median [min–max] of 7 rounds of ~150 ms.
// bench/rows.js measures the same encoders on generated scenario rows (faker strings included).
import { fileURLToPath } from 'node:url';
import { fmtSpread, spread } from './lib/stats.js';
import { createCodec } from '../src/codecs/index.js';
import type { Row } from '../src/data/types.js';
import type { TargetSpec } from '../src/spec/types.js';

const FIELDS = ['iot_signal_1', 'iot_signal_2', 'iot_signal_3', 'iot_signal_4', 'manufacturer'];
const NUMERIC = FIELDS.slice(0, 4);
const MAKERS = ['New World Corp', 'AI Inc.', 'Hot Data Ltd'];
const row = (i: number): Row => ({ iot_signal_1: 1 + (i % 10), iot_signal_2: 2 + (i % 11), iot_signal_3: 50 + (i % 6), iot_signal_4: 100 + (i % 8), manufacturer: MAKERS[i % 3]! });

const target = (protocol: TargetSpec['protocol'], k: number, extra: Partial<TargetSpec> = {}): TargetSpec => ({
  url: 'http://127.0.0.1:1/', protocol, headers: {}, timeoutMs: 1000, rowsPerRequest: k, maxInFlight: 1, ...extra,
});

/** The response body the reference server would send for k rows. */
function answer(protocol: string, k: number): string {
  const preds = Array.from({ length: k }, (_, i) => ({ prediction: i % 2, probability: 0.2 + (i % 2) * 0.6, uuid: `00000000-0000-4000-8000-00000000000${i % 10}` }));
  if (protocol === 'cloudera') return JSON.stringify({ success: true, response: k === 1 ? preds[0] : { prediction: preds.map((p) => p.prediction), uuid: preds[0]!.uuid } });
  if (protocol === 'kserve-v2') {
    return JSON.stringify({ model_name: 'telco', outputs: [
      { name: 'prediction', shape: [k], datatype: 'INT64', data: preds.map((p) => p.prediction) },
      { name: 'probability', shape: [k], datatype: 'FP64', data: preds.map((p) => p.probability) },
    ] });
  }
  return JSON.stringify({ predictions: preds });
}

const ROUNDS = 7;

/** ns of CPU per call of `fn`, one sample per round of at least 150 ms (after a warm-up). */
function nsPerCall(fn: (i: number) => number): number[] {
  let sink = 0;
  for (let i = 0; i < 20_000; i++) sink += fn(i);
  const samples: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.cpuUsage();
    let n = 0;
    let spentUs = 0;
    while (spentUs < 150_000) {
      for (let j = 0; j < 2000; j++, n++) sink += fn(n);
      const d = process.cpuUsage(t0);
      spentUs = d.user + d.system;
    }
    samples.push((spentUs * 1000) / n);
  }
  if (sink === -1) console.log(sink);
  return samples;
}

const CASES: [string, TargetSpec['protocol'], Partial<TargetSpec>, string[]][] = [
  ['cloudera', 'cloudera', {}, FIELDS],
  ['mlflow-split', 'mlflow-split', {}, FIELDS],
  ['kserve-v1 objects', 'kserve-v1', { rowFormat: 'object' }, FIELDS],
  ['kserve-v1 positional (default)', 'kserve-v1', {}, FIELDS],
  ['kserve-v2 [n,k] FP32 (default)', 'kserve-v2', {}, NUMERIC],
  ['kserve-v2 per-field', 'kserve-v2', { tensor: { layout: 'per-field' } }, FIELDS],
];

export function main(): void {
  const rows = Array.from({ length: 4096 }, (_, i) => row(i));
  console.log('codec                              rows   encode ns/row        decode ns/response');
  for (const k of [1, 8]) {
    for (const [name, protocol, extra, fields] of CASES) {
      const spec = target(protocol, k, k > 1 && protocol === 'cloudera' ? { cloudera: { request: 'dataframe_split' }, ...extra } : extra);
      let codec;
      try {
        codec = createCodec(spec, fields, [0, 1]);
      } catch {
        continue; // a form this version does not have
      }
      const batch = (i: number) => rows.slice((i * k) % 4088, ((i * k) % 4088) + k);
      const batches = Array.from({ length: 512 }, (_, i) => batch(i));
      const body = answer(protocol, k);
      const enc = nsPerCall((i) => codec.encode(batches[i & 511]!, i).length);
      const dec = nsPerCall(() => (codec.decode(body, k).ok ? 1 : 0));
      const perRow = fmtSpread(spread(enc.map((ns) => ns / k)), 0);
      console.log(`${name.padEnd(34)} ${String(k).padStart(4)}   ${perRow.padEnd(20)} ${fmtSpread(spread(dec), 0)}`);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
