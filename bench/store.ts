// Store ingestion benchmark: how many request rows per second the writer sustains into the embedded store and into
// Postgres, what write() costs the caller, and whether a paced 5 000 req/s wave keeps its timing with the store on.
//   node dist/bench/store.js [--requests N]          (Postgres too when MODELWAVE_BENCH_PG or MODELWAVE_TEST_PG is set)
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../src/store/index.js';
import type { MetricsStore, RequestWriter } from '../src/store/types.js';
import { synthetic, type Synthetic } from '../test/store/synthetic.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const REQUESTS = arg('--requests', 200_000);
const BATCH = 500;

function batches(total: number, batch: number): Synthetic[] {
  const out: Synthetic[] = [];
  for (let s = 0; s < total; s += batch) out.push(synthetic(s, Math.min(batch, total - s)));
  return out;
}

async function throughput(store: MetricsStore, label: string): Promise<void> {
  const input = batches(REQUESTS, BATCH); // generated up front: only the store is timed
  const w = store.requestWriter(`bench-${label}-${Date.now()}`);
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let inWriteNs = 0n;
  const t0 = performance.now();
  for (const { batch, window } of input) {
    const a = process.hrtime.bigint();
    w.write(batch, window);
    inWriteNs += process.hrtime.bigint() - a;
    await new Promise<void>((r) => setImmediate(r)); // let the pump run, as the engine's event loop would
  }
  const res = await w.finish(300_000);
  const ms = performance.now() - t0;
  loop.disable();
  const st = w.stats();
  console.log(
    `${label.padEnd(9)} ${REQUESTS} rows in ${(ms / 1000).toFixed(2)} s = ${Math.round((res.stored / ms) * 1000)} rows/s` +
      ` · write() ${(Number(inWriteNs) / 1e3 / input.length).toFixed(1)} µs per ${BATCH}-row batch` +
      ` · event-loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms max ${(loop.max / 1e6).toFixed(1)} ms` +
      ` · spooled ${st.spooled}${res.spoolPath ? ` LEFT IN ${res.spoolPath}` : ''}`,
  );
}

/** A paced wave (like the open-loop generator's main thread): lag of each tick behind its intended time. */
async function paced(writer: RequestWriter | null, rate: number, seconds: number): Promise<{ p50: number; p99: number; max: number }> {
  const tickMs = 10;
  const perTick = (rate * tickMs) / 1000;
  const ticks = (seconds * 1000) / tickMs;
  const input = batches(perTick * ticks, perTick);
  const lags: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < ticks; i++) {
    const due = t0 + i * tickMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    lags.push(performance.now() - due);
    if (writer) writer.write(input[i].batch, input[i].window);
  }
  if (writer) await writer.finish(120_000);
  lags.sort((a, b) => a - b);
  const q = (p: number) => lags[Math.min(lags.length - 1, Math.floor(p * lags.length))];
  return { p50: q(0.5), p99: q(0.99), max: lags[lags.length - 1] };
}

async function pacedCompare(store: MetricsStore, label: string): Promise<void> {
  const fmt = (l: { p50: number; p99: number; max: number }) => `p50 ${l.p50.toFixed(2)} p99 ${l.p99.toFixed(2)} max ${l.max.toFixed(2)} ms`;
  const off = await paced(null, 5_000, 5);
  const on = await paced(store.requestWriter(`bench-paced-${label}-${Date.now()}`), 5_000, 5);
  console.log(`${label.padEnd(9)} 5000 req/s × 5 s tick lag — store off: ${fmt(off)} · store on: ${fmt(on)}`);
}

const dir = mkdtempSync(join(tmpdir(), 'mw-bench-store-'));
try {
  const t0 = performance.now();
  const embedded = await openStore({ embeddedDir: join(dir, 'store'), spoolDir: join(dir, 'spool') });
  console.log(`embedded store created and migrated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await throughput(embedded, 'embedded');
  await pacedCompare(embedded, 'embedded');
  await embedded.close();

  const base = process.env.MODELWAVE_BENCH_PG ?? process.env.MODELWAVE_TEST_PG;
  if (!base) {
    console.log('postgres  skipped: set MODELWAVE_BENCH_PG=postgres://… to measure a server');
  } else {
    const schema = `mw_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    try {
      const url = `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      const store = await openStore({ url, spoolDir: join(dir, 'spool') });
      await throughput(store, 'postgres');
      await pacedCompare(store, 'postgres');
      await store.close();
    } finally {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
