// Live progress as a run sink: a cli-progress bar redrawn in place on a TTY, a plain line every few seconds
// elsewhere (CI logs).
import type { Phase } from '../../spec/types.js';
import type { LiveFigures, RunSink, WaitStatus } from './sink.js';
import { phaseAt } from './phase-clock.js';
import cliProgress from 'cli-progress'; // CJS: its `Format` is not a named export under Node's ESM loader

const fmt = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '-');

export function progressLine(f: LiveFigures): string {
  const el = fmt(f.elapsedMs / 1000, 0);
  const planned = f.plannedMs !== undefined ? `/${fmt(f.plannedMs / 1000, 0)}s` : 's';
  const rate = f.plannedRps > 0 ? `${fmt(f.achievedRps)}/${fmt(f.plannedRps)} req/s` : `${fmt(f.achievedRps)} req/s`;
  const acc = f.accuracy !== undefined ? ` · accuracy ${fmt(f.accuracy, 3)}` : '';
  return `${el}${planned} · ${rate} · in flight ${f.inFlight} · p50 ${fmt(f.p50Ms, 1)}ms p99 ${fmt(f.p99Ms, 1)}ms · sent ${f.sent} · errors ${f.errors} · dropped ${f.dropped}${acc}`;
}

const int = (n: number) => n.toLocaleString('en-US');

/** After the wave: what the run waits for, e.g. "posting feedback 3,200/12,000 labels". */
export function waitLine(w: WaitStatus): string {
  return `wave over · posting feedback ${int(w.done)}/${int(w.total)} labels`;
}

const BAR_WIDTH = 20;

/**
 * Where the run is: the phase (name, n/of) and the time left, e.g. `ramp 2/3 · 30s left · `; '' without phases.
 * (On a TTY the bar of the planned duration is drawn by cli-progress in front of it.)
 */
export function progressPrefix(f: LiveFigures, phases: readonly Phase[] | undefined): string {
  if (!phases?.length) return '';
  const { phase, timeLeftS } = phaseAt(phases, f.elapsedMs);
  const parts: string[] = [];
  if (phase) parts.push(`${phase.name}${phase.warmup ? ' (warm-up)' : ''} ${phase.index + 1}/${phase.of}`);
  if (timeLeftS !== null) parts.push(`${Math.ceil(timeLeftS)}s left`);
  return parts.length ? `${parts.join(' · ')} · ` : '';
}

/** What the TTY line shows: `text` after the bar (the SingleBar's value/total), or `text` alone without `withBar`. */
interface Drawn {
  withBar: boolean;
  text: string;
}

/**
 * One line redrawn in place by a cli-progress SingleBar on a TTY `out`: `[█████░░░░░░░░░░░░░░░]  25% · <text>`,
 * the filled part green when `color`; cut to the terminal's width less one column (no wrap). `stop()` clears the
 * line (clearOnComplete), leaving the cursor at column 0 of an empty line.
 */
function ttyLine(out: NodeJS.WriteStream, color: boolean): cliProgress.SingleBar {
  const paint = (code: number, s: string) => (color && s ? `\x1b[${code}m${s}\x1b[0m` : s);
  const bar = new cliProgress.SingleBar({
    stream: out,
    barsize: BAR_WIDTH,
    barCompleteChar: '█',
    barIncompleteChar: '░',
    clearOnComplete: true,
    hideCursor: false,
    gracefulExit: false, // the run handles Ctrl-C and calls end()
    // `false` would turn the terminal's wrapping off (left off if the process died); the format cuts the line instead.
    linewrap: true,
    format: (options, params, payload: { drawn?: Drawn }) => {
      const d = payload.drawn;
      if (!d) return '';
      const room = Math.max(0, params.maxWidth - 1);
      if (!d.withBar) return d.text.slice(0, room);
      const cells = cliProgress.Format.BarFormat(params.progress, options);
      const full = Math.round(params.progress * BAR_WIDTH);
      const head = `${String(Math.floor(params.progress * 100)).padStart(3)}% · `;
      const tail = `] ${head}${d.text}`.slice(0, Math.max(0, room - 1 - BAR_WIDTH));
      return `[${paint(32, cells.slice(0, full))}${paint(2, cells.slice(full))}${tail}`;
    },
  });
  // cli-progress 3.12 cuts each line to the width counting colour codes as columns, which would cut the figures
  // short when coloured; the format above already fits the visible text, so its cut is turned off.
  (bar as unknown as { terminal: { linewrap: boolean } }).terminal.linewrap = false;
  return bar;
}

/**
 * The run's progress. On a TTY: a cli-progress bar of the planned duration (or a line without a bar when the
 * duration is unknown), then the phase, the time left and `progressLine`, redrawn in place; after the wave the same
 * line says what the run waits for (a bar of labels posted). Elsewhere: a plain line every `everyMs` (ms) of run
 * time, and a wait line every `everyMs` of wall time. `color`: colour the bar (the caller decides, as `wantColor`
 * in src/run.ts does, from NO_COLOR/FORCE_COLOR). `end()` clears the TTY line; call it before printing anything else.
 */
export function progressSink(out: NodeJS.WriteStream = process.stderr, everyMs = 5000, phases?: readonly Phase[], color = false): RunSink & { end(): void } {
  const tty = Boolean(out.isTTY);
  let lastPlain = -Infinity;
  let lastWaitMs = -Infinity;
  let running: cliProgress.SingleBar | undefined;
  let waiting: cliProgress.SingleBar | undefined;
  return {
    onWait(w) {
      if (tty) {
        running?.stop(); // the wave's line is cleared before the first status line
        running = undefined;
        const drawn: Drawn = { withBar: w.total > 0, text: waitLine(w) };
        if (!waiting) {
          waiting = ttyLine(out, color);
          waiting.start(Math.max(1, w.total), w.done, { drawn });
        } else {
          waiting.setTotal(Math.max(1, w.total));
          waiting.update(w.done, { drawn });
        }
      } else if (Date.now() - lastWaitMs >= everyMs) {
        lastWaitMs = Date.now();
        out.write(`${waitLine(w)}\n`);
      }
    },
    onTick(f) {
      if (tty) {
        if (waiting) return;
        const drawn: Drawn = { withBar: Boolean(f.plannedMs), text: progressPrefix(f, phases) + progressLine(f) };
        if (!running) {
          running = ttyLine(out, color);
          running.start(f.plannedMs || 1, f.elapsedMs, { drawn });
        } else {
          if (f.plannedMs) running.setTotal(f.plannedMs);
          running.update(f.elapsedMs, { drawn });
        }
      } else if (f.elapsedMs - lastPlain >= everyMs) {
        lastPlain = f.elapsedMs;
        out.write(`${progressPrefix(f, phases)}${progressLine(f)}\n`);
      }
    },
    end() {
      running?.stop();
      waiting?.stop();
      running = waiting = undefined;
    },
  };
}
