// The progress sink on a fake TTY stream (cli-progress draws on it) and on a pipe: a bar of the planned duration, a
// line without a bar when the duration is unknown, the line cut to the terminal's width, cleared at the wave's end and
// at end(), colour only when asked; the plain periodic lines off a TTY.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { progressSink } from '../../../src/engine/main/progress.js';
import type { LiveFigures } from '../../../src/engine/main/sink.js';
import type { Phase } from '../../../src/spec/types.js';

/** A writable that records what is written; `isTTY`/`columns` as a terminal's. */
function fakeOut(isTTY: boolean, columns = 200) {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as unknown as NodeJS.WriteStream & { text(): string };
  Object.assign(w, { isTTY, columns, text: () => chunks.join('') });
  return w;
}

const fig = (elapsedMs: number, plannedMs: number | undefined, sent = 10): LiveFigures => ({
  elapsedMs, plannedMs, plannedRps: plannedMs ? 100 : 0, achievedRps: 99, inFlight: 2, sent, errors: 0, dropped: 0, p50Ms: 1.5, p99Ms: 9,
});
const phases = [{ name: 'main', durationMs: 10_000, warmup: false }] as unknown as Phase[];
const SGR = /\x1b\[[\d;]*m/g;
const visibleLines = (s: string) => s.replace(SGR, '').split(/\x1b\[1G|\x1b\[0K|\x1b\[2K|\x1b[78]/).filter((x) => x);

test('TTY, planned duration known: a 20-cell bar that fills, phase and time left, cleared by the wait line and end()', () => {
  const out = fakeOut(true);
  const sink = progressSink(out, 5000, phases, false);
  sink.onTick!(fig(2500, 10_000));
  sink.onTick!(fig(7500, 10_000, 750)); // within the 200 ms throttle: drawn at stop at the latest
  sink.onWait!({ what: 'feedback', done: 3, total: 12 });
  sink.end();
  const t = out.text();
  assert.doesNotMatch(t, SGR, 'no colour unless asked');
  const lines = visibleLines(t);
  assert.ok(lines.includes('[█████░░░░░░░░░░░░░░░]  25% · main 1/1 · 8s left · 3/10s · 99/100 req/s · in flight 2 · p50 1.5ms p99 9.0ms · sent 10 · errors 0 · dropped 0'), JSON.stringify(lines));
  assert.ok(lines.includes('[███████████████░░░░░]  75% · main 1/1 · 3s left · 8/10s · 99/100 req/s · in flight 2 · p50 1.5ms p99 9.0ms · sent 750 · errors 0 · dropped 0'), JSON.stringify(lines));
  assert.ok(lines.includes('[█████░░░░░░░░░░░░░░░]  25% · wave over · posting feedback 3/12 labels'), JSON.stringify(lines));
  // The bar's line is erased before the wait line is drawn, and the wait line before end() returns.
  const firstWait = t.indexOf('wave over');
  assert.ok(t.lastIndexOf('\x1b[2K', firstWait) > t.lastIndexOf('main 1/1', firstWait), 'bar cleared before the wait line');
  assert.ok(t.endsWith('\x1b[2K'), `the line is cleared at end(): ${JSON.stringify(t.slice(-30))}`);
  assert.doesNotMatch(t, /\n/, 'nothing scrolls');
});

test('TTY, duration unknown (closed loop by request count): the line without a bar; colour when asked', () => {
  const out = fakeOut(true);
  const sink = progressSink(out, 5000, undefined, true);
  sink.onTick!(fig(3000, undefined));
  sink.end();
  const lines = visibleLines(out.text());
  assert.deepEqual(lines, ['3s · 99 req/s · in flight 2 · p50 1.5ms p99 9.0ms · sent 10 · errors 0 · dropped 0']);
  assert.doesNotMatch(out.text(), /[█░%]/);

  const coloured = fakeOut(true);
  const s2 = progressSink(coloured, 5000, phases, true);
  s2.onTick!(fig(5000, 10_000));
  s2.end();
  assert.match(coloured.text(), /\[\x1b\[32m█{10}\x1b\[0m\x1b\[2m░{10}\x1b\[0m\]  50% · main 1\/1/);
});

test('TTY: the line is cut to the terminal width less one column, colour codes not counted', () => {
  const out = fakeOut(true, 60);
  const sink = progressSink(out, 5000, phases, true);
  sink.onTick!(fig(1000, 10_000));
  sink.end();
  const lines = visibleLines(out.text());
  assert.equal(lines[0].length, 59, JSON.stringify(lines));
  assert.ok(lines[0].startsWith('[██░░░░░░░░░░░░░░░░░░]  10% · main 1/1 · 9s left · 1/10s'), lines[0]);
});

test('off a TTY: plain lines every 5 s of run time and wait lines, no escape', () => {
  const out = fakeOut(false);
  const sink = progressSink(out, 5000, phases, true);
  for (const ms of [1000, 2000, 6000, 7000]) sink.onTick!(fig(ms, 10_000));
  sink.onWait!({ what: 'feedback', done: 3200, total: 12000 });
  sink.onWait!({ what: 'feedback', done: 3300, total: 12000 }); // within 5 s of wall time: not repeated
  sink.end();
  assert.equal(
    out.text(),
    'main 1/1 · 9s left · 1/10s · 99/100 req/s · in flight 2 · p50 1.5ms p99 9.0ms · sent 10 · errors 0 · dropped 0\n' +
      'main 1/1 · 4s left · 6/10s · 99/100 req/s · in flight 2 · p50 1.5ms p99 9.0ms · sent 10 · errors 0 · dropped 0\n' +
      'wave over · posting feedback 3,200/12,000 labels\n',
  );
});
