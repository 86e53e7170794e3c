// Issue 13: `--store-optional` in a working directory the user cannot write was `internal error: EACCES … mkdir
// .modelwave/spool`. Permissions mean nothing to root (the test suite's user), so the CLI runs as `nobody` (runuser),
// in a root-owned directory: a real EACCES from the kernel. The spool falls back to $TMPDIR/modelwave-spool; with no
// writable spool at all the run goes on without a store, with a warning. The same run shows an unwritable `--out`
// (EACCES) falling back to $TMPDIR/modelwave-reports/<run-id>/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Summary } from '../../src/summary/types.js';
import { CLI, writeTelcoFile } from '../engine/helpers.js';

const root = mkdtempSync(path.join(tmpdir(), 'mw-lost-optional-'));
chmodSync(root, 0o755); // root-owned and not writable for nobody: the working directory
const scenario = writeTelcoFile(root, { name: 'optional', target: 'builtin:telco@v2', phases: '[{ duration: 2s, rate: 100 }]' });
chmodSync(scenario, 0o644);

/** A directory `nobody` may write to. */
function open(name: string): string {
  const d = path.join(root, name);
  mkdirSync(d);
  chmodSync(d, 0o777);
  return d;
}

function asNobody(args: string[], env: Record<string, string>) {
  const t0 = Date.now();
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  // An unreachable Postgres: the store-optional path (a closed port, nothing is sent anywhere else).
  const r = spawnSync('runuser', ['-u', 'nobody', '--', 'env', ...envArgs, process.execPath, CLI, 'run', scenario, '--store', 'postgres://mw@127.0.0.1:1/none', '--store-optional', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { ...r, wallMs: Date.now() - t0 };
}

function assertWholeRun(s: Summary): void {
  assert.equal(s.run.status, 'completed');
  assert.equal(s.totals.requests.scheduled, 200);
  assert.equal(s.totals.requests.ok, 200);
}

test('unwritable working directory and --out (EACCES): spool and reports fall back to $TMPDIR, exit 0', () => {
  const tmp = open('tmp-a');
  const locked = path.join(root, 'locked'); // root-owned 0555: nobody cannot create anything in it
  mkdirSync(locked);
  chmodSync(locked, 0o555);
  const r = asNobody(['--out', path.join(locked, 'reports'), '--quiet'], { TMPDIR: tmp });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.wallMs < 100_000, `ended in ${r.wallMs} ms`);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  assert.ok(!existsSync(path.join(root, '.modelwave')), 'nothing created in the working directory');
  assert.match(r.stderr, /cannot write the report .*locked\/reports: permission denied \(EACCES\)/);
  const fallback = path.join(tmp, 'modelwave-reports');
  const [runDir] = readdirSync(fallback);
  const s = JSON.parse(readFileSync(path.join(fallback, runDir, 'report.json'), 'utf8')) as Summary;
  assertWholeRun(s);
  assert.equal(s.store?.complete, false);
  assert.equal(s.store?.spoolPath, path.join(tmp, 'modelwave-spool', `${s.run.id}.spool`));
  const lines = readFileSync(s.store!.spoolPath!, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { t: string; n?: number });
  assert.equal(lines[0].t, 'run');
  assert.equal(lines.filter((l) => l.t === 'req').reduce((n, l) => n + (l.n ?? 0), 0), 200, 'every request spooled');
  assert.equal(lines.at(-1)?.t, 'finish');
});

test('no writable spool anywhere: the run goes on without a store, with a warning and a whole report', () => {
  const out = open('out-b');
  // TMPDIR is the unwritable working directory too: neither spool candidate can be created.
  const r = asNobody(['--out', out, '--json'], { TMPDIR: root });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.wallMs < 100_000, `ended in ${r.wallMs} ms`);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  assert.match(r.stderr, /warning: running without a metrics store — cannot reach the metrics store at postgres:\/\/127\.0\.0\.1:1\/none/);
  assert.match(r.stderr, /no spool file can be written \(.*\.modelwave\/spool\/.*: permission denied \(EACCES\)/);
  const s = JSON.parse(r.stdout) as Summary;
  assertWholeRun(s);
  assert.equal(s.store?.kind, 'none');
  assert.match(s.store?.error ?? '', /no spool file can be written/);
  assert.deepEqual(JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')), s);
});
