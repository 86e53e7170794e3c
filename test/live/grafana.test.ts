// examples/grafana: every metric and label a PromQL query of the Prometheus dashboard names is one that `/metrics`
// exposes (from the real registry, rendered and parsed), and every SQL query of the store dashboard runs against a
// real embedded store holding a run (Grafana's time macros replaced by their SQL) and returns rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TargetAccumulator } from '../../src/engine/main/accumulate.js';
import { windowGrid, windowIndex } from '../../src/engine/windows.js';
import { initHistograms } from '../../src/stats/hist.js';
import { labelsOf } from '../../src/engine/main/labels.js';
import { Outcome, type RecordBatch } from '../../src/engine/types.js';
import { LiveEventBuilder } from '../../src/live/event.js';
import { runRegistry } from '../../src/live/prometheus.js';
import { openStore } from '../../src/store/index.js';
import { telcoScenario } from '../engine/helpers.js';
import { feed, tempDir } from '../store/helpers.js';
import { sampleMeta, sampleSummary, sampleWindows } from '../store/sample.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples/grafana/', import.meta.url));
interface Panel {
  title: string;
  targets: { expr?: string; rawSql?: string }[];
}
const panels = (file: string) => (JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as { panels: Panel[] }).panels;

/** Metric family → label names, from a rendered exposition (histogram samples carry the family's name + suffix). */
async function exposed(): Promise<Map<string, Set<string>>> {
  await initHistograms();
  const s = telcoScenario('http://127.0.0.1:1/model', '  phases:\n    - { name: main, duration: 10s, rate: 100 }', { extra: 'windows: { every: 10 }' });
  const acc = new TargetAccumulator([false], labelsOf(s), false);
  const n = 30;
  const f = (v: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => v(i));
  const b: RecordBatch = {
    count: n, rowsPerRequest: 1, seq: f((i) => i), target: new Uint8Array(n), phase: new Uint8Array(n), worker: new Uint8Array(n),
    window: Int32Array.from({ length: n }, (_, i) => windowIndex(windowGrid(s.windows), i, i * 1000)),
    intendedUs: f((i) => i * 1000), sentUs: f((i) => i * 1000), receivedUs: f((i) => i * 1000 + 4000),
    outcome: Uint8Array.from({ length: n }, (_, i) => (i % 10 === 0 ? Outcome.timeout : Outcome.ok)), status: new Uint16Array(n).fill(200),
    errorCode: Uint8Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 2 : 0)), prediction: f(() => 1), probability: f(() => NaN),
    label: f(() => 1), readAs: new Uint8Array(n).fill(1), uuid: Array.from({ length: n }, () => ''),
  };
  for (let i = 0; i < n; i++) acc.add(b, i);
  const builder = new LiveEventBuilder(s, 'r1', 0);
  builder.onBatch(0, b);
  builder.onTick({
    elapsedMs: 1000, plannedMs: 10_000, plannedRps: 100, achievedRps: 30, inFlight: 2, sent: 30, errors: 3, dropped: 0, p50Ms: 4, p99Ms: 4,
    latencyMs: { p50: 4, p90: 4, p95: 4, p99: 4, p999: 4, max: 4, min: 4, mean: 4, count: 27 }, accumulators: [acc],
    feedback: { labelsPosted: 1, labelsFailed: 0, labelsQueued: 2 },
  });
  const last = builder.last!;
  const reg = runRegistry(s, 'r1', { accumulators: () => [acc], last: () => last, finished: () => true, lastWindow: () => last.windows[0] });
  const text = await reg.metrics();
  const out = new Map<string, Set<string>>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) out.set(m[1], new Set());
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{([^}]*)\})? /.exec(line);
    if (!m) continue;
    const family = [...out.keys()].find((k) => m[1] === k || m[1] === `${k}_bucket` || m[1] === `${k}_sum` || m[1] === `${k}_count`);
    assert.ok(family, `sample ${m[1]} belongs to a family`);
    for (const kv of (m[2] ?? '').matchAll(/([a-z_]+)="/g)) out.get(family)!.add(kv[1]);
  }
  return out;
}

test('the Prometheus dashboard queries only metrics and labels /metrics exposes', async () => {
  const families = await exposed();
  const ps = panels('modelwave-prometheus.json');
  assert.ok(ps.length >= 8);
  let exprs = 0;
  for (const p of ps) {
    for (const t of p.targets) {
      const expr = t.expr!;
      exprs++;
      const names = [...expr.matchAll(/\bmodelwave_[a-z0-9_]+/g)].map((m) => m[0]);
      assert.ok(names.length > 0, `${p.title}: names a modelwave metric`);
      const fams = names.map((n) => {
        const fam = [...families.keys()].find((k) => n === k || (/_bucket$|_sum$|_count$/.test(n) && n.replace(/_(bucket|sum|count)$/, '') === k));
        assert.ok(fam, `${p.title}: ${n} is exposed (have: ${[...families.keys()].join(', ')})`);
        return fam;
      });
      const labels = new Set([
        ...[...expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((m) => m[1].split(',').map((x) => x.trim())),
        ...[...expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) => [...m[1].matchAll(/([a-z_]+)\s*(?:=~|!=|!~|=)/g)].map((x) => x[1])),
      ]);
      for (const l of labels) {
        if (l === 'le' || l === '') continue;
        assert.ok(fams.some((f) => families.get(f)!.has(l)), `${p.title}: label ${l} exists on ${fams.join(', ')}`);
      }
    }
  }
  assert.ok(exprs >= 12);
});

test('the store dashboard SQL runs on a real store and returns rows', { timeout: 60_000 }, async () => {
  const dir = tempDir('grafana');
  const store = await openStore({ embeddedDir: join(dir, 'store'), spoolDir: join(dir, 'spool') });
  try {
    const id = 'grafana-run';
    await store.beginRun(sampleMeta(id));
    const w = store.requestWriter(id);
    feed(w, 3000, { windowSize: 1000 });
    assert.equal((await w.finish(30_000)).stored, 3000);
    const windows = sampleWindows(3);
    await store.saveWindows(id, windows);
    await store.saveFeedback(id, [{ uuid: 'u1', seq: 1, label: '1', postedAt: Date.UTC(2025, 0, 2, 3, 4, 30), outcome: 'posted' }]);
    await store.finishRun(sampleSummary(id, 3000, windows));
    const sqlOf = (raw: string) =>
      raw
        .replace(/\$__timeFilter\(([^)]+)\)/g, "$1 BETWEEN '1970-01-01T00:00:00Z'::timestamptz AND '2100-01-01T00:00:00Z'::timestamptz")
        .replace(/\$__timeGroupAlias\(([^,]+),\s*'1m'\)/g, "date_trunc('minute', $1) AS time");
    let queries = 0;
    for (const p of panels('modelwave-postgres.json')) {
      for (const t of p.targets) {
        const sql = sqlOf(t.rawSql!);
        assert.doesNotMatch(sql, /\$__/, `${p.title}: every macro replaced`);
        const rows = await store.sql(sql);
        assert.ok(rows.length > 0, `${p.title}: rows from\n${sql}`);
        queries++;
      }
    }
    assert.equal(queries, 6);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
