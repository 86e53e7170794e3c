// The terminal while a run goes and after its wave, in a pseudo-terminal (util-linux `script`) and in a pipe: the
// cli-progress bar redrawn on a TTY (cleared before the wait line and the summary), "posting feedback N/M labels"
// while the feedback drains after the wave instead of a frozen line, colour on a TTY unless NO_COLOR (FORCE_COLOR
// colours a pipe), plain lines without escapes in a pipe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { wantColor } from '../../src/session/orchestrate.js';
import { CLI, writeTelcoFile } from '../engine/helpers.js';

const SCRIPT = '/usr/bin/script';
const dir = mkdtempSync(path.join(tmpdir(), 'mw-tty-'));
// 300 labels queued for 30 s, then posted 10 per post at 5 posts/s: about 6 s of feedback after a 3 s wave.
const scenario = writeTelcoFile(dir, {
  name: 'tty',
  target: 'builtin:telco@v1',
  phases: '[{ name: main, duration: 3s, rate: 100 }]',
  extra: 'feedback: { url: builtin, after: 30s, batchSize: 10, maxRate: 5 }\nthresholds:\n  errors.rate: "< 1%"',
});
const SGR_COLOUR = /\x1b\[(?:1|2|3[1-3])m/;

/** process.env without NO_COLOR / FORCE_COLOR (Node warns when both are set, even empty), plus `extra`. */
function envWith(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  return { ...env, ...extra };
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function inPty(env: NodeJS.ProcessEnv, out: string) {
  assert.ok(existsSync(SCRIPT), `this test needs util-linux's script at ${SCRIPT} (apt-get install -y util-linux)`);
  const cmd = [process.execPath, CLI, 'run', scenario, '--no-store', '--out', out].map(shellQuote).join(' ');
  return spawnSync(SCRIPT, ['-qfec', `stty cols 200; ${cmd}`, '/dev/null'], { encoding: 'utf8', timeout: 90_000, env: envWith({ ...env, TERM: 'xterm' }) });
}

const SGR = /\x1b\[[\d;]*m/g;
/** Escape sequences that move the cursor or clear (cli-progress draws with them): no visible text. */
const CTL = String.raw`(?:\x1b\[\d*[A-Za-z]|\x1b[78])*`;

test('on a TTY: a cli-progress bar, then the feedback drain, each cleared before what follows; a coloured verdict; NO_COLOR turns every colour off', { timeout: 200_000 }, () => {
  const r = inPty({}, path.join(dir, 'tty'));
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const text = r.stdout;
  const seen = text.replace(SGR, ''); // what the terminal shows, cursor moves kept
  assert.match(seen, /\x1b\[1G\[█*░*\] +\d+% · main 1\/1 · \ds left · \d+\/3s · \d+\/100 req\/s · in flight \d+ · p50 [\d.]+ms p99 [\d.]+ms · sent \d+/, 'the progress bar redrawn in place');
  const bars = [...seen.matchAll(/\x1b\[1G\[(█*)(░*)\] +(\d+)% · main 1\/1 · (\d)s left/g)].map((m) => [m[1].length, m[2].length, Number(m[3]), Number(m[4])]);
  assert.ok(bars.length >= 2 && bars.every(([full, empty]) => full + empty === 20), JSON.stringify(bars));
  const [first, last] = [bars[0], bars[bars.length - 1]];
  assert.ok(last[0] > first[0] && last[2] > first[2] && last[3] < first[3], `the bar fills, the time left falls: ${JSON.stringify(bars)}`);
  assert.match(text, /\[\x1b\[32m█+\x1b\[0m/, 'the filled part is green on a TTY');
  const waits = [...seen.matchAll(/\x1b\[1G\[█*░*\] +\d+% · wave over · posting feedback (\d+)\/(\d+) labels/g)].map((m) => [Number(m[1]), Number(m[2])]);
  assert.ok(waits.length >= 2, `several post-wave lines while the feedback drains (${waits.length})`);
  assert.ok(waits.every(([done, total]) => total === 300 && done <= total), JSON.stringify(waits));
  assert.ok(waits[waits.length - 1][0] > waits[0][0], `the count moves: ${JSON.stringify(waits)}`);
  // The wave's bar is cleared (erase line) before the first status line, and the last status line before the summary:
  // nothing half-drawn is left in front of either.
  assert.match(seen, new RegExp(String.raw`dropped \d+ · accuracy [\d.]+${CTL}\x1b\[2K${CTL}\[█*░*\] +\d+% · wave over`), 'the bar cleared before the wait line');
  assert.match(seen, new RegExp(String.raw`posting feedback \d+/300 labels${CTL}\x1b\[2Kmodelwave · tty — PASS`), 'the final line cleared before the summary');
  assert.equal(seen.split('modelwave · tty — PASS')[0].includes('\n'), false, 'no line feed while the bar ran');
  assert.match(text, /\x1b\[32mPASS: all 1 thresholds held/, 'a green verdict on a TTY');
  assert.match(text, /feedback.*300 labels in 30 posts/);
  assert.doesNotMatch(text, /Warning/);

  const plain = inPty({ NO_COLOR: '1' }, path.join(dir, 'tty-nocolor'));
  assert.equal(plain.status, 0, plain.stdout);
  assert.match(plain.stdout, /\x1b\[1G\[█*░*\] +\d+% · main 1\/1 · \ds left/, 'NO_COLOR: the bar is still drawn');
  assert.match(plain.stdout, /PASS: all 1 thresholds held/);
  assert.doesNotMatch(plain.stdout, SGR_COLOUR, 'NO_COLOR: no colour or bold in the summary');
  assert.doesNotMatch(plain.stdout, /\x1b\[[\d;]*m/, 'NO_COLOR: no SGR sequence at all, bar included');
});

test('in a pipe: plain progress and wait lines, no escape at all; the colour decision table', { timeout: 200_000 }, () => {
  const r = spawnSync(process.execPath, [CLI, 'run', scenario, '--no-store', '--out', path.join(dir, 'pipe')], { encoding: 'utf8', timeout: 90_000, env: envWith({}) });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr + r.stdout, /\x1b/);
  assert.match(r.stderr, /^wave over · posting feedback \d+\/300 labels$/m);
  assert.match(r.stderr, /^main 1\/1 · [0-3]s left · \d\/3s · /m, 'plain lines name the phase and the time left, no bar');
  assert.match(r.stdout, /PASS: all 1 thresholds held/);
  // The decision itself, table-tested (the CLI passes process.env).
  const tty = { isTTY: true } as NodeJS.WriteStream;
  const pipe = { isTTY: false } as NodeJS.WriteStream;
  const cases: [NodeJS.WriteStream, NodeJS.ProcessEnv, boolean][] = [
    [tty, {}, true], // a terminal
    [pipe, {}, false], // a pipe
    [tty, { NO_COLOR: '1' }, false], // NO_COLOR, any non-empty value
    [tty, { NO_COLOR: '' }, true], // an empty NO_COLOR does not count
    [pipe, { FORCE_COLOR: '1' }, true], // FORCE_COLOR colours a pipe
    [tty, { FORCE_COLOR: '0' }, true], // FORCE_COLOR=0 forces nothing
    [pipe, { FORCE_COLOR: 'false' }, false],
    [tty, { NO_COLOR: '1', FORCE_COLOR: '1' }, true], // an explicit force wins
  ];
  for (const [out, env, want] of cases) assert.equal(wantColor(out, env), want, JSON.stringify(env));
});
