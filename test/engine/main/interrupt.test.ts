// Ctrl-C mid-run: the CLI stops sending, finishes in-flight requests, writes a report marked `interrupted` with
// consistent counts, and exits 130.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { accountingErrors } from '../../../src/engine/main/counts.js';
import type { Summary } from '../../../src/summary/types.js';
import { CLI, writeTelcoFile } from '../helpers.js';

test('SIGINT mid-run writes an interrupted report with consistent counts and exits 130', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mw-int-'));
  const file = writeTelcoFile(dir, { name: 'interrupt-me', target: 'builtin:telco@v1', phases: '[{ duration: 30s, rate: 200 }]' });
  const out = path.join(dir, 'report');
  const child = spawn(process.execPath, [CLI, 'run', file, '--out', out, '--store', path.join(dir, 'store')], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  let stderr = '';
  // Interrupt once the wave is running (the first progress line), not at a fixed time after spawn.
  await new Promise<void>((resolve) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      if (/sent \d+/.test(stderr)) resolve();
    });
  });
  await new Promise((r) => setTimeout(r, 2000));
  child.kill('SIGINT');
  const code = await exited;
  assert.equal(code, 130, stderr);
  const sum = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as Summary;
  assert.equal(sum.run.status, 'interrupted');
  const req = sum.totals.requests;
  assert.deepEqual(accountingErrors(req), []);
  assert.ok(req.sent > 100 && req.scheduled < 6000, JSON.stringify(req));
  assert.equal(req.ok + req.timeouts + req.httpErrors + req.connectionErrors + req.badResponses, req.sent);
  assert.doesNotMatch(stderr, /at .*\.js:\d+/); // no stack trace
  // The store holds every request that was scheduled, interrupted or not.
  assert.equal(sum.store?.storedRequests, req.scheduled);
  assert.equal(sum.store?.complete, true);
});
