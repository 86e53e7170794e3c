// The package's own files are found from its root (src/util/package-files.ts), the same from tsc's modules and from
// the bundles, whatever the package is called; and a rebuild keeps the chunks a running process may still import
// (src/build/prune.ts). Reviewer's cases of 2026-11-30: a scoped package name made every command crash; a rebuild
// during a run deleted the chunk of its report writer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { findPackageRoot, packageFile, packageJson } from '../../src/util/package-files.js';
import { KEEP_OLD_CHUNKS_MS, staleChunks } from '../../src/build/prune.js';

test('the package root is the nearest directory above holding a package.json, whatever its name', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mw-pkgroot-'));
  try {
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: '@acme/modelwave', version: '9.9.9' }));
    mkdirSync(path.join(dir, 'dist/src/chunks'), { recursive: true });
    const from = pathToFileURL(path.join(dir, 'dist/src/chunks/chunk-ABC.js'));
    const r = findPackageRoot(from);
    assert.equal(r.dir.href, pathToFileURL(dir + '/').href);
    assert.deepEqual(r.pkg, { name: '@acme/modelwave', version: '9.9.9' });
    // A file path that does not exist yet still resolves (the lookup reads directories only).
    assert.equal(findPackageRoot(pathToFileURL(path.join(dir, 'dist/src/nope/x.js'))).pkg.version, '9.9.9');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with no package.json above, the lookup says so', () => {
  assert.throws(() => findPackageRoot(new URL('file:///no-such-root-dir/a/b.js')), /no package\.json in any directory above file:\/\/\/no-such-root-dir\/a\/b\.js/);
});

test("this build finds modelwave's own files: its package.json, the worker and the store process", () => {
  assert.equal(packageJson().name, 'modelwave');
  for (const f of ['dist/src/engine/worker/worker.js', 'dist/src/store/store-process.js', 'dist/src/cli/main.js', 'package.json']) {
    assert.ok(existsSync(packageFile(f)), `${f} at ${packageFile(f).href}`);
  }
});

test('a rebuild prunes only chunks it no longer writes and that are older than a day', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mw-chunks-'));
  try {
    const now = Date.now();
    const file = (name: string, ageMs: number) => {
      const f = path.join(dir, name);
      writeFileSync(f, '');
      const t = (now - ageMs) / 1000;
      utimesSync(f, t, t);
      return f;
    };
    file('chunk-NEW.js', 0);
    file('chunk-NEW.js.map', 0);
    file('chunk-KEPT.js', 2 * KEEP_OLD_CHUNKS_MS); // still written by this build: kept however old
    file('old-RECENT.js', KEEP_OLD_CHUNKS_MS / 2); // a run started before the rebuild may import it
    const stale = [file('old-STALE.js', KEEP_OLD_CHUNKS_MS + 60_000), file('old-STALE.js.map', KEEP_OLD_CHUNKS_MS + 60_000)];
    const written = new Set(['chunk-NEW.js', 'chunk-NEW.js.map', 'chunk-KEPT.js']);
    assert.deepEqual(staleChunks(dir, written, now).sort(), stale.sort());
    assert.deepEqual(staleChunks(path.join(dir, 'missing'), written, now), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
