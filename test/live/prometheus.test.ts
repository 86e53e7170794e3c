// `--prometheus`: the real CLI serves /metrics during a run; a real Prometheus text-format parser reads every scrape.
// During the run the request counters grow; once `modelwave_run_finished` is 1 the counters equal report.json's
// totals and phases, the latency histogram's buckets equal those counted from report.json's own HDR histogram, and
// the server binds 127.0.0.1 by default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as hdr from 'hdr-histogram-js';
import type { Summary } from '../../src/summary/types.js';
import { LATENCY_BUCKETS_S } from '../../src/live/prometheus.js';
import { CLI, writeTelcoFile } from '../engine/helpers.js';
import { watchOutput } from '../cli/output.js';

interface PromSample {
  labels?: Record<string, string>;
  value?: string;
  buckets?: Record<string, string>;
  count?: string;
  sum?: string;
}
interface PromFamily {
  name: string;
  type: string;
  metrics: PromSample[];
}
const parse = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => PromFamily[];

const dir = mkdtempSync(path.join(tmpdir(), 'mw-prom-'));
const scenario = writeTelcoFile(dir, {
  name: 'prom',
  target: 'builtin:telco@v1',
  phases: '[{ name: warm, duration: 1s, rate: 100, warmup: true }, { name: main, duration: 3s, rate: 150 }]',
  extra: 'windows: { every: 100 }\nthresholds:\n  errors.rate: "< 1%"',
});

/**
 * One series of a labelled histogram, parsed alone: this parser (a port of the Python client's 0.0.19 parser) merges
 * every series of a histogram family into one and drops labelled _sum/_count, so the series' lines are handed to it
 * with their labels other than `le` removed.
 */
function histogramSeries(text: string, name: string, labels: string): PromSample {
  const lines = text.split('\n').filter((l) => l.startsWith(`${name}_`) && l.includes(labels));
  assert.ok(lines.length > 0, `series ${name}{${labels}} present`);
  const bare = lines.map((l) => l.replace(labels, '').replace('{,', '{').replace(',}', '}').replace('{}', ''));
  const fams = parse(`# HELP ${name} x\n# TYPE ${name} histogram\n${bare.join('\n')}\n`);
  assert.equal(fams.length, 1);
  assert.equal(fams[0].metrics.length, 1);
  return fams[0].metrics[0];
}

const family = (fams: PromFamily[], name: string) => fams.find((f) => f.name === name);
const gauge = (fams: PromFamily[], name: string): number | undefined => {
  const v = family(fams, name)?.metrics[0]?.value;
  return v === undefined ? undefined : Number(v);
};
const OUTCOMES: [string, keyof Summary['totals']['requests']][] = [
  ['ok', 'ok'],
  ['http_error', 'httpErrors'],
  ['timeout', 'timeouts'],
  ['connection_error', 'connectionErrors'],
  ['bad_response', 'badResponses'],
  ['dropped', 'dropped'],
];

test('/metrics during a run, parsed by a real parser; final counters = report.json', { timeout: 120_000 }, async () => {
  const out = path.join(dir, 'rep');
  const child = spawn(process.execPath, [CLI, 'run', scenario, '--no-store', '--quiet', '--out', out, '--prometheus', ':0', '--prometheus-linger', '60s'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = watchOutput(child.stderr);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    const [, url] = await stderr.match(/prometheus: (http:\/\/[^\s]+\/metrics)/, 30_000);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/, 'bound to 127.0.0.1 by default');
    const during: number[] = [];
    let final: PromFamily[] | undefined;
    let finalText = '';
    for (let i = 0; i < 200 && !final; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const res = await fetch(url);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      const fams = parse(text);
      if (gauge(fams, 'modelwave_run_finished') === 1) {
        final = fams;
        finalText = text;
      }
      else {
        const sent = (family(fams, 'modelwave_requests_total')?.metrics ?? []).reduce((a, m) => a + Number(m.value), 0);
        if (sent > 0) during.push(sent);
      }
    }
    assert.ok(final, 'the run finished while /metrics stayed up');
    assert.ok(during.length >= 3, `scraped at least 3 times during the run (${during.length})`);
    assert.ok(new Set(during).size >= 3 && during.every((x, i) => i === 0 || x >= during[i - 1]), `counters grow: ${during.join(',')}`);

    const s = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as Summary;
    assert.ok(s.totals.requests.sent > 300);
    const req = family(final, 'modelwave_requests_total')!;
    assert.equal(req.type, 'COUNTER');
    for (const [outcome, field] of OUTCOMES) {
      const measured = req.metrics.filter((m) => m.labels?.outcome === outcome && m.labels.warmup === 'false').reduce((a, m) => a + Number(m.value), 0);
      assert.equal(measured, s.totals.requests[field], `requests_total{outcome="${outcome}",warmup="false"} = totals.requests.${field}`);
      for (const p of s.phases) {
        const m = req.metrics.find((x) => x.labels?.outcome === outcome && x.labels.phase === p.name && x.labels.target === 'target');
        assert.equal(Number(m?.value), p.requests[field], `phase ${p.name} ${outcome}`);
      }
    }
    const info = family(final, 'modelwave_run_info')!.metrics[0];
    assert.equal(info.labels?.run_id, s.run.id);

    // Latency histogram: per measured phase; together, the report's histogram.
    const lat = family(final, 'modelwave_request_latency_seconds')!;
    assert.equal(lat.type, 'HISTOGRAM');
    assert.doesNotMatch(finalText, /modelwave_request_latency_seconds_count\{[^}]*phase="warm"/, 'no histogram for the warm-up phase');
    const main = histogramSeries(finalText, 'modelwave_request_latency_seconds', 'target="target",phase="main"');
    assert.equal(Number(main.count), s.totals.latencyMs.count);
    assert.equal(Number(main.buckets!['+Inf']), s.totals.latencyMs.count);
    const h = hdr.decodeFromCompressedBase64(s.totals.latencyHistogram, 64, false);
    let prev = 0;
    for (const le of LATENCY_BUCKETS_S) {
      const got = Number(main.buckets![String(le)]);
      assert.ok(got >= prev, 'buckets are cumulative');
      prev = got;
      // Independent count: every recorded value of report.json's histogram at or below the bound.
      let want = 0;
      const it = (h as unknown as { recordedValuesIterator: { reset(): void; hasNext(): boolean; next(): { valueIteratedTo: number; countAtValueIteratedTo: number } } }).recordedValuesIterator;
      it.reset();
      while (it.hasNext()) {
        const v = it.next();
        if (v.valueIteratedTo <= le * 1e6) want += v.countAtValueIteratedTo;
      }
      assert.equal(got, want, `bucket le=${le}`);
    }
    const sumS = Number(main.sum);
    assert.ok(Math.abs(sumS - (s.totals.latencyMs.mean / 1000) * s.totals.latencyMs.count) / sumS < 0.005, `sum ${sumS} s ≈ mean × count`);
    assert.equal(gauge(final, 'modelwave_run_passed'), 1);
    assert.equal(gauge(final, 'modelwave_accuracy'), s.totals.accuracy);
    const lastWin = s.windows[s.windows.length - 1];
    assert.equal(gauge(final, 'modelwave_window_accuracy'), lastWin.accuracy);
    assert.equal(family(final, 'modelwave_window_accuracy')!.metrics[0].labels?.window, String(lastWin.index));
    assert.equal(gauge(final, 'modelwave_windows_closed'), s.windows.length);
    // Other paths are not served.
    assert.equal((await fetch(url.replace('/metrics', '/'))).status, 404);
  } finally {
    child.kill('SIGINT'); // cuts the linger
  }
  assert.equal(await exited, 0, stderr.text());
});

test('--prometheus: a bad address or a port in use is exit 2, named', async () => {
  const { createServer } = await import('node:net');
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
  const port = (busy.address() as { port: number }).port;
  const { spawnSync } = await import('node:child_process');
  try {
    const cases: [string[], RegExp][] = [
      [['--prometheus', 'nonsense'], /--prometheus must be HOST:PORT or PORT/],
      [['--prometheus', '127.0.0.1:70000'], /--prometheus must be HOST:PORT or PORT/],
      [['--prometheus', `127.0.0.1:${port}`], new RegExp(`--prometheus: port ${port} on 127.0.0.1 is in use`)],
      [['--prometheus', ':0', '--prometheus-linger', 'soon'], /--prometheus-linger must be a duration/],
    ];
    for (const [args, msg] of cases) {
      const r = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const c = spawn(process.execPath, [CLI, 'run', scenario, '--no-store', '--quiet', '--out', path.join(dir, 'never'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        c.stderr.on('data', (d: Buffer) => (err += d.toString()));
        c.on('exit', (status) => resolve({ status, stderr: err }));
      });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, msg);
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
    }
    void spawnSync;
  } finally {
    busy.close();
  }
});
