// `--live-json`: one JSON line per second from the real CLI against the built-in reference target. The lines' per-second
// request counts add up to report.json's totals (warm-up excluded), the windows they close are report.json's windows
// with the same accuracy and interval, and the last line is the final event with the verdict and the exit code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Summary } from '../../src/summary/types.js';
import type { LiveEvent } from '../../src/live/event.js';
import { CLI, writeTelcoFile } from '../engine/helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mw-live-json-'));
const scenario = writeTelcoFile(dir, {
  name: 'live-json',
  target: 'builtin:telco@v1',
  phases: '[{ name: warm, duration: 1s, rate: 100, warmup: true }, { name: main, duration: 3s, rate: 150 }]',
  extra: 'windows: { every: 100 }\nthresholds:\n  errors.rate: "< 1%"\n  latency.p99: "< 2s"',
});
const COUNT_KEYS = ['scheduled', 'sent', 'ok', 'httpErrors', 'timeouts', 'connectionErrors', 'badResponses', 'dropped'] as const;

function parseLines(text: string): LiveEvent[] {
  const lines = text.split('\n').filter((l) => l !== '');
  return lines.map((l, i) => {
    try {
      return JSON.parse(l) as LiveEvent;
    } catch {
      assert.fail(`line ${i + 1} is not JSON: ${l.slice(0, 200)}`);
    }
  });
}

function checkAgainstReport(events: LiveEvent[], s: Summary, exitCode: number): void {
  assert.ok(events.length >= 4, `a 4 s wave gives at least 3 ticks and the final event (got ${events.length})`);
  events.forEach((e, i) => {
    assert.equal(e.schema, 'modelwave.live/1');
    assert.equal(e.seq, i, 'seq counts the lines');
    assert.equal(e.runId, s.run.id);
    assert.equal(e.type, i === events.length - 1 ? 'final' : 'tick');
  });
  // Every request of the measured phase is in exactly one line; warm-up ones are counted apart.
  for (const k of COUNT_KEYS) {
    const sum = events.reduce((a, e) => a + e.requests[k], 0);
    assert.equal(sum, s.totals.requests[k], `sum of requests.${k} over the lines = report.json totals`);
  }
  const final = events[events.length - 1];
  for (const k of COUNT_KEYS) assert.equal(final.totals[k], s.totals.requests[k], `final totals.${k}`);
  assert.equal(events.reduce((a, e) => a + e.warmupRequests, 0), s.phases[0].requests.scheduled, 'warm-up requests counted apart');
  assert.ok(s.phases[0].requests.scheduled > 50 && s.totals.requests.scheduled > 300, 'both phases sent requests');
  assert.deepEqual(final.errors.byCode, s.totals.errors.byCode);
  assert.equal(final.errors.rate, s.totals.errors.rate);
  // Windows: each closes once, and matches the report's window.
  const closed = events.flatMap((e) => e.windows);
  assert.deepEqual(closed.map((w) => w.index).sort((a, b) => a - b), s.windows.filter((w) => (w.scored ?? 0) > 0).map((w) => w.index));
  for (const w of closed) {
    const r = s.windows.find((x) => x.index === w.index)!;
    assert.equal(w.accuracy, r.accuracy, `window ${w.index} accuracy`);
    assert.deepEqual(w.ci, r.accuracyCi, `window ${w.index} interval`);
    assert.equal(w.n, r.scored);
  }
  assert.ok(events.slice(0, -1).some((e) => e.windows.length > 0), 'windows close during the run, not only at the end');
  assert.equal(final.windowsClosed, closed.length);
  assert.equal(final.accuracy?.value, s.totals.accuracy);
  assert.deepEqual(final.accuracy?.ci, s.totals.classification?.accuracyCi);
  // Figures that move each second.
  const ticks = events.slice(0, -1);
  assert.ok(ticks.some((e) => e.phase?.name === 'warm' && e.phase.warmup) && ticks.some((e) => e.phase?.name === 'main'), 'phase names');
  assert.ok(ticks.filter((e) => e.phase?.name === 'main').every((e) => e.rates.plannedRps === 150), 'planned rate of the main phase');
  const busy = ticks.filter((e) => e.phase?.name === 'main' && e.t > 1.5 && e.t < 4);
  assert.ok(busy.length >= 1);
  for (const e of busy) {
    assert.ok(e.rates.achievedRps > 75 && e.rates.achievedRps < 250, `achieved rate near 150 (batches arrive every 100 ms; a loaded machine may shift a few) (${e.rates.achievedRps})`);
    assert.ok(e.latencyMs && e.latencyMs.count > 0 && e.latencyMs.p50 <= e.latencyMs.p99 && e.latencyMs.p99 <= e.latencyMs.max);
    assert.ok(e.lagMs && e.lagMs.max >= e.lagMs.mean);
    assert.ok(e.timeLeftS !== null && Math.abs(e.timeLeftS - (4 - e.t)) < 0.2, `time left ${e.timeLeftS} at t ${e.t}`);
  }
  assert.equal(final.verdict?.verdict, 'pass');
  assert.equal(final.verdict?.exitCode, exitCode);
  assert.equal(final.verdict?.status, 'completed');
  assert.deepEqual(final.verdict?.thresholds.map((t) => t.pass), s.thresholds.map((t) => t.pass));
}

test('--live-json FILE: the lines add up to report.json', { timeout: 90_000 }, () => {
  const out = path.join(dir, 'rep-file');
  const file = path.join(dir, 'live.jsonl');
  const r = spawnSync(process.execPath, [CLI, 'run', scenario, '--no-store', '--quiet', '--out', out, '--live-json', file], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as Summary;
  checkAgainstReport(parseLines(readFileSync(file, 'utf8')), s, 0);
});

test('--live-json -: only JSON lines on stdout, the summary table on stderr', { timeout: 90_000 }, () => {
  const out = path.join(dir, 'rep-stdout');
  const r = spawnSync(process.execPath, [CLI, 'run', scenario, '--no-store', '--out', out, '--live-json', '-'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /PASS: all 2 thresholds held/);
  const s = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as Summary;
  checkAgainstReport(parseLines(r.stdout), s, 0);
});

test('--live-json: bad destinations are exit 2 before any request', () => {
  const cases: [string[], RegExp][] = [
    // A directory that does not exist.
    [['--live-json', path.join(dir, 'no', 'such', 'dir', 'x.jsonl')], /--live-json: cannot write .*x\.jsonl/],
    // Both on stdout.
    [['--live-json', '-', '--json'], /--live-json - and --json both write to stdout/],
    // An empty path.
    [['--live-json', ''], /--live-json needs a file path/],
  ];
  for (const [args, msg] of cases) {
    const r = spawnSync(process.execPath, [CLI, 'run', scenario, '--no-store', '--out', path.join(dir, 'never'), ...args], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, msg);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  }
});
