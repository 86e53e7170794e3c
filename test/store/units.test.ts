// Small pieces of the store that need no database: store specs, URL redaction, error classes, the lock file, the
// spool line format, and the unreachable-server error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { resolveStoreOptions, redactUrl, openStore } from '../../src/store/index.js';
import { isTransient } from '../../src/store/db.js';
import { acquireLock } from '../../src/store/lock.js';
import { decodeSpoolRequests, encodeSpoolRequests, partsOf } from '../../src/store/columns.js';
import { ModelwaveError } from '../../src/errors.js';
import { synthetic } from './synthetic.js';
import { tempDir } from './helpers.js';

test('resolveStoreOptions: flag, then MODELWAVE_STORE, then the embedded default', () => {
  const env = { MODELWAVE_STORE: 'postgres://u@h/db' };
  const rows: [Parameters<typeof resolveStoreOptions>[0], NodeJS.ProcessEnv, ReturnType<typeof resolveStoreOptions>][] = [
    [undefined, {}, { optional: false }], // nothing: embedded store in the default directory
    [undefined, env, { url: 'postgres://u@h/db', optional: false }], // the environment variable
    ['postgresql://x@y/z', env, { url: 'postgresql://x@y/z', optional: false }], // the flag wins
    ['./my-store', env, { embeddedDir: './my-store', optional: false }], // a directory: an embedded store there
    [false, env, null], // --no-store
  ];
  for (const [flag, e, want] of rows) assert.deepEqual(resolveStoreOptions(flag, { env: e }), want, String(flag));
  assert.deepEqual(resolveStoreOptions(undefined, { env: {}, optional: true }), { optional: true });
  assert.throws(() => resolveStoreOptions('mysql://u:pw@h/db', { env: {} }), (err: unknown) =>
    err instanceof ModelwaveError && err.exitCode === 2 && /unsupported store URL mysql:\/\/h\/db/.test(err.message));
});

test('redactUrl (the one policy, src/scenario/redact.ts) removes passwords wherever they are', () => {
  const rows: [string, string][] = [
    ['postgres://mw:s3cret@db.example:5432/metrics', 'postgres://db.example:5432/metrics'], // userinfo (the user too)
    ['postgres://mw@db/metrics?password=s3cret&sslmode=require', 'postgres://db/metrics?password=REDACTED&sslmode=require'], // parameter
    ['postgres://db/metrics', 'postgres://db/metrics'], // nothing to hide
  ];
  for (const [url, want] of rows) assert.equal(redactUrl(url), want);
});

test('isTransient: lost connections and shutdowns retry; rejected rows do not', () => {
  const rows: [unknown, boolean][] = [
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, true], // server down
    [{ code: '57P01', message: 'terminating connection due to administrator command' }, true], // restart
    [{ code: '08006', message: 'connection failure' }, true], // connection exception class
    [{ message: 'Connection terminated unexpectedly' }, true], // node-postgres, no code
    [{ code: 'P0001', message: 'rejected' }, false], // a trigger said no
    [{ code: '42501', message: 'permission denied for table requests' }, false], // missing privilege
  ];
  for (const [err, want] of rows) assert.equal(isTransient(err), want, JSON.stringify(err));
});

test('the lock file: held by a live process → refused; left by a dead one → taken over', () => {
  const dir = tempDir('lock');
  const path = join(dir, 'modelwave.lock');
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  const deadPid = Number(child.stdout.toString());
  writeFileSync(path, JSON.stringify({ pid: deadPid, hostname: hostname(), since: '2025-01-01T00:00:00Z' }));
  const lock = acquireLock(path, dir);
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid);
  assert.throws(() => acquireLock(path, dir), (err: unknown) =>
    err instanceof ModelwaveError && err.code === 'MW_STORE_UNREACHABLE' && err.details.some((d) => d.includes(path)));
  lock.release();
  assert.equal(existsSync(path), false);
  const parent = process.ppid; // alive, and not us
  writeFileSync(path, JSON.stringify({ pid: parent, hostname: hostname(), since: '2025-01-01T00:00:00Z' }));
  assert.throws(() => acquireLock(path, dir), new RegExp(`in use by process ${parent}`));
  rmSync(dir, { recursive: true, force: true });
});

test('a spool line decodes to exactly the columns it was encoded from, NaN included', () => {
  for (const k of [1, 4]) {
    const { batch, window } = synthetic(990, 120, { rowsPerRequest: k });
    const parts = partsOf({ ...batch, window }, 50);
    const cols = decodeSpoolRequests(JSON.parse(encodeSpoolRequests(parts)) as Record<string, unknown>);
    assert.equal(cols.count, 120);
    assert.equal(cols.rowsPerRequest, k);
    for (const key of ['seq', 'intendedUs', 'sentUs', 'receivedUs', 'status', 'prediction', 'probability', 'label'] as const) {
      assert.deepEqual(Array.from(cols[key]), Array.from(batch[key]), key);
    }
    assert.deepEqual(Array.from(cols.window), Array.from(window));
    assert.deepEqual(cols.uuid, batch.uuid);
  }
  assert.throws(() => decodeSpoolRequests({ t: 'req', n: 2, k: 1, seq: [1], uuid: ['a', 'b'] }), /seq should have 2 entries/);
});

test('an unreachable Postgres is MW_STORE_UNREACHABLE (exit 3), naming the URL without its password and the fix', async () => {
  await assert.rejects(openStore({ url: 'postgres://mw:s3cret@127.0.0.1:1/metrics', spoolDir: '/nonexistent/spool' }), (err: unknown) => {
    assert.ok(err instanceof ModelwaveError);
    assert.equal(err.exitCode, 3);
    assert.match(err.message, /cannot reach the metrics store at postgres:\/\/127\.0\.0\.1:1\/metrics/);
    assert.doesNotMatch(`${err.message} ${err.details.join(' ')}`, /s3cret/);
    assert.match(err.details.join(' '), /--store-optional/);
    return true;
  });
});
