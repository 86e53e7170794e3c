// `compare --live-json`: the live lines follow the baseline (their requests add up to the baseline's report.json) and
// the final line carries the comparison's verdict, headline and exit code, as comparison.json has them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Summary } from '../../src/summary/types.js';
import type { LiveEvent } from '../../src/live/event.js';
import { CLI, writeTelcoFile } from '../engine/helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mw-compare-live-'));
const scenario = writeTelcoFile(dir, { name: 'cmp-live', target: 'builtin:telco@v1', phases: '[{ name: main, duration: 3s, rate: 100 }]', extra: 'windows: { every: 50 }' });

test('compare --live-json: baseline lines, the comparison verdict at the end', { timeout: 120_000 }, () => {
  const out = path.join(dir, 'out');
  const file = path.join(dir, 'live.jsonl');
  const r = spawnSync(process.execPath, [CLI, 'compare', scenario, '--baseline', 'builtin:telco@v1', '--candidate', 'builtin:telco@v2', '--no-store', '--quiet', '--out', out, '--live-json', file], { encoding: 'utf8', timeout: 100_000 });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const events = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as LiveEvent);
  const base = JSON.parse(readFileSync(path.join(out, 'baseline', 'report.json'), 'utf8')) as Summary;
  const cmp = JSON.parse(readFileSync(path.join(out, 'comparison.json'), 'utf8')) as { verdict: string; headline: string };
  assert.ok(events.length >= 3);
  for (const k of ['scheduled', 'sent', 'ok', 'dropped'] as const) assert.equal(events.reduce((a, e) => a + e.requests[k], 0), base.totals.requests[k], k);
  const final = events[events.length - 1];
  assert.equal(final.type, 'final');
  assert.equal(final.runId, base.run.id);
  assert.equal(final.verdict?.verdict, cmp.verdict);
  assert.equal(final.verdict?.headline, cmp.headline);
  assert.equal(final.verdict?.exitCode, r.status);
  const bad = spawnSync(process.execPath, [CLI, 'compare', '--runs', out, out, '--live-json', file], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--live-json, --prometheus and --dashboard watch a live comparison/);
});
