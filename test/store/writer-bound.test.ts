// The store drain after a wave is bounded (issue 13: a dead Postgres held the CLI ~64 s, silent). A writer whose
// database refuses every connection stops waiting once it has stored nothing for `idleMs`; one whose statement never
// ends, after `silentMs`; at once when the signal fires (Ctrl-C); and every record it was given is in the spool —
// nothing lost, nothing left to wait for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../src/store/db.js';
import { Spool } from '../../src/store/spool.js';
import { StoreWriter } from '../../src/store/writer.js';
import { decodeSpoolRequests } from '../../src/store/columns.js';
import type { SpoolLine } from '../../src/store/spool.js';
import { feed, tempDir } from './helpers.js';

/** A server that went away: every statement fails the way node-postgres reports a refused connection. */
const deadDb = (): Db => {
  const refuse = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5'), { code: 'ECONNREFUSED' }));
  return { kind: 'postgres', location: 'postgres://127.0.0.1:5/x', query: refuse, exec: refuse, insertRequests: refuse, close: () => Promise.resolve() };
};

const spooledRequests = (path: string): number =>
  readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as SpoolLine)
    .filter((l) => l.t === 'req').reduce((n, l) => n + decodeSpoolRequests(l as Extract<SpoolLine, { t: 'req' }>).count, 0);

const writer = (name: string) => {
  const path = join(tempDir(`bound-${name}`), `${name}.spool`);
  const w = new StoreWriter(deadDb(), name, new Spool(path, () => ({ t: 'run', v: 1, runId: name, meta: null })), { batchRequests: 500 });
  return { w, path };
};

test('a store that takes nothing: finish ends idleMs after its last progress, everything spooled', async () => {
  const { w, path } = writer('stall');
  feed(w, 3_000, { batch: 250 });
  const t0 = Date.now();
  const res = await w.finish(Infinity, { idleMs: 400 });
  const tookMs = Date.now() - t0;
  assert.ok(tookMs >= 350 && tookMs < 5_000, `ended after ${tookMs} ms`);
  assert.equal(res.endedBy, 'stall');
  assert.equal(res.stored, 0);
  assert.equal(res.spoolPath, path);
  assert.match(res.error ?? '', /the store took no record for 400 ms \(.*ECONNREFUSED/);
  assert.equal(spooledRequests(path), 3_000);
});

test('a statement that never ends (hung server, no error): finish ends silentMs after the last progress', async () => {
  const path = join(tempDir('bound-hung'), 'hung.spool');
  const hung: Db = { ...deadDb(), insertRequests: () => new Promise<number>(() => undefined) };
  const w = new StoreWriter(hung, 'hung', new Spool(path, () => ({ t: 'run', v: 1, runId: 'hung', meta: null })), { batchRequests: 500 });
  feed(w, 1_000, { batch: 250 });
  const t0 = Date.now();
  const res = await w.finish(Infinity, { idleMs: 100, silentMs: 500 });
  const tookMs = Date.now() - t0;
  assert.ok(tookMs >= 450 && tookMs < 5_000, `ended after ${tookMs} ms: not failing, so the silent bound applies`);
  assert.equal(res.endedBy, 'stall');
  assert.match(res.error ?? '', /the store took no record for 500 ms/);
  assert.equal(spooledRequests(path), 1_000, 'the statement in flight is spooled too');
});

test('the signal (Ctrl-C) ends the drain at once, everything spooled', async () => {
  const { w, path } = writer('signal');
  feed(w, 2_000, { batch: 250 });
  const ctl = new AbortController();
  setTimeout(() => ctl.abort(), 100);
  const t0 = Date.now();
  const res = await w.finish(Infinity, { idleMs: 60_000, signal: ctl.signal });
  assert.ok(Date.now() - t0 < 5_000, 'did not wait for the idle bound');
  assert.equal(res.endedBy, 'signal');
  assert.match(res.error ?? '', /interrupted while waiting for the store/);
  assert.equal(spooledRequests(path), 2_000);
});

test('a spool that cannot be written in the first place falls back to the next candidate', async () => {
  const dir = tempDir('spool-fallback');
  const blocked = join(dir, 'a-file');
  writeFileSync(blocked, '');
  const spool = new Spool([join(blocked, 'run.spool'), join(dir, 'fallback', 'run.spool')], () => ({ t: 'run', v: 1, runId: 'r', meta: null }));
  await spool.append(['{"t":"windows","windows":[]}']);
  assert.equal(spool.path, join(dir, 'fallback', 'run.spool'));
  assert.equal(readFileSync(spool.path, 'utf8').split('\n').filter(Boolean).length, 2); // header + the line
  await spool.close();
  const none = new Spool([join(blocked, 'x.spool')], () => ({ t: 'run', v: 1, runId: 'r', meta: null }));
  await assert.rejects(none.append(['{}']), /no spool file can be written \(.*a-file\/x\.spool: a file stands where a directory must be created \(EEXIST\)\)/);
});
