// Encodes and decodes per second of each protocol's codec (one thread): `node dist/bench/codecs.js`.
// Telco rows (4 numbers + a categorical), one row and eight rows per request; the response bodies are what the
// reference server answers for that protocol. Encoding and decoding run once per request on the workers' hot path.
import { fileURLToPath } from 'node:url';
import { callsPerSecond } from './lib/stats.js';
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

const rate = (fn: (i: number) => number): number => callsPerSecond(fn, 1_000, 5_000);

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
  console.log('codec                              rows   encode/s    decode/s');
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
      const enc = rate((i) => codec.encode(batches[i & 511]!, i).length);
      const dec = rate(() => (codec.decode(body, k).ok ? 1 : 0));
      console.log(`${name.padEnd(34)} ${String(k).padStart(4)} ${Math.round(enc).toLocaleString('en').padStart(10)} ${Math.round(dec).toLocaleString('en').padStart(11)}`);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
