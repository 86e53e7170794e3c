// Issue 13, "a finished measurement lost": a report folder that cannot be written (a file where a directory should
// be, a full disk) must not cost the measurement. The real CLI against the built-in reference target: the summary and
// `--json` still print, the reports land in $TMPDIR/modelwave-reports/<run-id>/ (exit code = the verdict), no
// half-written temporary file stays behind, and only when the fallback fails too is the exit code 4 (README table).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Summary } from '../../src/summary/types.js';
import { CLI, writeTelcoFile } from '../engine/helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mw-lost-reports-'));
const scenario = writeTelcoFile(dir, { name: 'lost-reports', target: 'builtin:telco@v2', phases: '[{ duration: 2s, rate: 100 }]', extra: 'thresholds:\n  errors.rate: "< 1%"' });
const REPORTS = ['junit.xml', 'latency.hgrm', 'report.html', 'report.json', 'report.md'];

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [CLI, 'run', scenario, '--no-store', ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  return { ...r, wallMs: Date.now() - t0 };
}

const fallbackOf = (stderr: string): string => {
  const m = /reports written to (\S+) instead/.exec(stderr);
  assert.ok(m, `stderr names the fallback folder:\n${stderr}`);
  return m[1];
};

function assertWholeRun(s: Summary): void {
  assert.equal(s.run.status, 'completed');
  assert.equal(s.totals.requests.scheduled, 200);
  assert.equal(s.totals.requests.ok, 200);
}

test('--out under a regular file (ENOTDIR): summary printed, reports in the fallback folder, exit = verdict', () => {
  const file = path.join(dir, 'a-file');
  writeFileSync(file, 'not a directory');
  const r = run(['--out', path.join(file, 'reports')]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.wallMs < 45_000, `ended in ${r.wallMs} ms`);
  assert.doesNotMatch(r.stderr, /internal error/);
  assert.match(r.stderr, /cannot write the report .*a-file\/reports: a part of the path is a file, not a directory \(ENOTDIR\)/);
  assert.match(r.stdout, /requests\s+200 scheduled · 200 sent · 200 ok/, 'the terminal summary still prints');
  const fallback = fallbackOf(r.stderr);
  assert.match(r.stdout, new RegExp(`reports: ${fallback.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.equal(path.dirname(fallback), path.join(tmpdir(), 'modelwave-reports'));
  assert.deepEqual(readdirSync(fallback).sort(), REPORTS);
  const s = JSON.parse(readFileSync(path.join(fallback, 'report.json'), 'utf8')) as Summary;
  assertWholeRun(s);
  assert.equal(path.basename(fallback), s.run.id);
  rmSync(fallback, { recursive: true, force: true });
});

test('--json still prints parseable JSON when --out cannot be written', () => {
  const file = path.join(dir, 'another-file');
  writeFileSync(file, '');
  const r = run(['--out', path.join(file, 'x'), '--json']);
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout) as Summary;
  assertWholeRun(s);
  const fallback = fallbackOf(r.stderr);
  assert.deepEqual(JSON.parse(readFileSync(path.join(fallback, 'report.json'), 'utf8')), s);
  rmSync(fallback, { recursive: true, force: true });
});

test('disk full (a 256 KiB tmpfs filled up): no half-written .tmp file stays, the fallback holds every report', () => {
  const mnt = path.join(dir, 'tiny');
  mkdirSync(mnt);
  // Needs root (the test suite runs as root: see .ci/run); a real ENOSPC from the kernel, nothing injected.
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt]);
  try {
    // Leave 12 KiB: report.md (~5 KB) fits, report.json (tens of KB) is cut off mid-write.
    writeFileSync(path.join(mnt, 'filler'), Buffer.alloc(256 * 1024 - 12 * 1024));
    const out = path.join(mnt, 'reports');
    const r = run(['--out', out, '--report', 'md,json,html']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /no space left on the device \(ENOSPC\)/);
    assert.deepEqual(readdirSync(out).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left behind');
    for (const f of readdirSync(out)) assert.ok(['report.md', 'report.json'].includes(f), `only whole reports in ${out}: ${f}`);
    const fallback = fallbackOf(r.stderr);
    assert.deepEqual(readdirSync(fallback).sort(), ['report.html', 'report.json', 'report.md']);
    assertWholeRun(JSON.parse(readFileSync(path.join(fallback, 'report.json'), 'utf8')) as Summary);
    rmSync(fallback, { recursive: true, force: true });
  } finally {
    execFileSync('umount', [mnt]);
  }
});

test('exit 4 when neither --out nor the fallback folder can be written; the figures still reach the user', () => {
  const file = path.join(dir, 'blocker');
  writeFileSync(file, '');
  // TMPDIR under a regular file: the fallback folder cannot be created either.
  const r = run(['--out', path.join(file, 'out'), '--json'], { TMPDIR: path.join(file, 'tmp') });
  assert.equal(r.status, 4, r.stderr);
  assert.ok(r.wallMs < 45_000, `ended in ${r.wallMs} ms`);
  assertWholeRun(JSON.parse(r.stdout) as Summary);
  assert.match(r.stderr, /no report file was written; the run was not stored: the summary printed here is all that remains/);
  assert.match(r.stderr, /requests\s+200 scheduled · 200 sent · 200 ok/, 'quiet, yet the terminal summary goes to stderr');
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
});
