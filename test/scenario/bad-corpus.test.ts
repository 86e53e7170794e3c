// `modelwave validate` over the corpus of malformed scenarios in test/fixtures/bad/ (every kind of mistake a user
// makes): each exits 2, names what is wrong (its path, or file:line:col for syntax) in stderr, prints no stack trace
// and no internal error, and ends. Expectations live in the fixture: `# expect: <text>` lines at the top of a YAML
// file, or one expected text per line in a `<name>.expect` sidecar (JSON and non-UTF-8 files, which cannot hold
// comments); every expected text must appear in stderr. See test/fixtures/bad/README.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI } from '../engine/helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DIR = 'test/fixtures/bad';
const SCENARIO = /\.(ya?ml|json)$/;

/** Environment some fixtures need: a token read from a file with CRLF line ends. */
const ENV = { ...process.env, MODELWAVE_DEBUG: '', MW_BAD_CORPUS_CRLF_TOKEN: 'not-a-real-token\r\n' };

function expectations(name: string): string[] {
  const file = join(ROOT, DIR, name);
  const sidecar = `${file}.expect`;
  const lines = existsSync(sidecar)
    ? readFileSync(sidecar, 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'))
    : readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => /^# expect: (.*)$/.exec(l)?.[1])
        .filter((l): l is string => l !== undefined);
  return lines.map((l) => l.trimEnd());
}

function validate(rel: string): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'validate', rel], { cwd: ROOT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Not a timing assertion: a bound that proves `validate` ends on every file (the issue saw it hang and grow to 3 GB).
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

// limits-* and data-* fixtures are pinned with exact messages by test/scenario/limits.test.ts (see README.md here).
const names = readdirSync(join(ROOT, DIR))
  .filter((n) => SCENARIO.test(n) && !/^(limits|data)-/.test(n))
  .sort();

test('the corpus holds at least 60 malformed scenarios, each naming what its error must say', () => {
  assert.ok(names.length >= 60, `only ${names.length} fixtures`);
  for (const n of names) assert.ok(expectations(n).length > 0, `${n} has no "# expect:" line or .expect sidecar`);
});

const timings: [string, number][] = [];

for (const name of names) {
  test(`validate ${name}: exit 2, the problem named, no stack trace`, async () => {
    const rel = `${DIR}/${name}`;
    const r = await validate(rel);
    timings.push([name, r.ms]);
    assert.equal(r.code, 2, `exit ${r.code}\n${r.stderr}`);
    assert.equal(r.stdout, '', 'nothing on stdout');
    assert.match(r.stderr, new RegExp(`^modelwave: .*${rel.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), 'the first line names the file');
    for (const want of expectations(name)) assert.ok(r.stderr.includes(want), `stderr lacks ${JSON.stringify(want)}:\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at |internal error|Maximum call stack|RangeError|TypeError|ReferenceError/, r.stderr);
  });
}

test('timings (logged, not asserted)', () => {
  timings.sort((a, b) => b[1] - a[1]);
  const over = timings.filter(([, ms]) => ms >= 1000);
  console.log(`validate over ${timings.length} bad scenarios: slowest ${timings.slice(0, 3).map(([n, ms]) => `${n} ${ms.toFixed(0)} ms`).join(', ')}; ${over.length} took 1 s or more (wall time, load average ${loadavg()[0]!.toFixed(1)})`);
});
