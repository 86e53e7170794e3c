// Live progress as a run sink: one redrawn line on a TTY, a plain line every few seconds elsewhere (CI logs).
import type { Phase } from '../../spec/types.js';
import type { LiveFigures, RunSink, WaitStatus } from './sink.js';
import { phaseAt } from './phase-clock.js';

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
 * Where the run is: on a TTY a bar of the planned duration, then the phase (name, n/of) and the time left, e.g.
 * `[█████░░░░░░░░░░░░░░░]  25% · ramp 2/3 · 30s left · `; '' without phases.
 */
export function progressPrefix(f: LiveFigures, phases: readonly Phase[] | undefined, bar: boolean): string {
  if (!phases?.length) return '';
  const { phase, timeLeftS } = phaseAt(phases, f.elapsedMs);
  const parts: string[] = [];
  if (bar && f.plannedMs) {
    const frac = Math.max(0, Math.min(1, f.elapsedMs / f.plannedMs));
    const full = Math.round(frac * BAR_WIDTH);
    parts.push(`[${'█'.repeat(full)}${'░'.repeat(BAR_WIDTH - full)}] ${String(Math.floor(frac * 100)).padStart(3)}%`);
  }
  if (phase) parts.push(`${phase.name}${phase.warmup ? ' (warm-up)' : ''} ${phase.index + 1}/${phase.of}`);
  if (timeLeftS !== null) parts.push(`${Math.ceil(timeLeftS)}s left`);
  return parts.length ? `${parts.join(' · ')} · ` : '';
}

export function progressSink(out: NodeJS.WriteStream = process.stderr, everyMs = 5000, phases?: readonly Phase[]): RunSink & { end(): void } {
  const tty = Boolean(out.isTTY);
  let lastPlain = -Infinity;
  let drawn = false;
  let lastWaitMs = -Infinity;
  return {
    onWait(w) {
      if (tty) {
        out.write(`\x1b[2K\r${waitLine(w).slice(0, (out.columns ?? 120) - 1)}`);
        drawn = true;
      } else if (Date.now() - lastWaitMs >= everyMs) {
        lastWaitMs = Date.now();
        out.write(`${waitLine(w)}\n`);
      }
    },
    onTick(f) {
      if (tty) {
        out.write(`\x1b[2K\r${(progressPrefix(f, phases, true) + progressLine(f)).slice(0, (out.columns ?? 120) - 1)}`);
        drawn = true;
      } else if (f.elapsedMs - lastPlain >= everyMs) {
        lastPlain = f.elapsedMs;
        out.write(`${progressPrefix(f, phases, false)}${progressLine(f)}\n`);
      }
    },
    end() {
      if (tty && drawn) out.write('\x1b[2K\r');
    },
  };
}
