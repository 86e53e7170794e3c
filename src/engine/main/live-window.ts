// Live progress's figures for the last second (requests sent, latency of successful ones), fed as a sink.
import { plannedRateAt, type LoadPlan } from '../../schedule/plan.js';
import { createHistogram, latencyStats, recordUs } from '../../stats/hist.js';
import { Outcome, type RecordBatch } from '../types.js';
import type { TargetAccumulator } from './accumulate.js';
import type { LiveFigures, RunSink } from './sink.js';

/** The last second's figures for live progress: a histogram reset each tick (no per-request array to sort). */
export class LiveWindow implements RunSink {
  private recent = createHistogram();
  private recentSent = 0;
  private lastTickMs = 0;
  private destroyed = false;

  /** Target 0's records only: the progress line follows the run's (or the baseline's) target. */
  onBatch(target: number, b: RecordBatch): void {
    if (target !== 0 || this.destroyed) return;
    for (let i = 0; i < b.count; i++) {
      if (b.outcome[i] === Outcome.dropped) continue;
      this.recentSent++;
      if (b.outcome[i] === Outcome.ok) recordUs(this.recent, b.receivedUs[i] - b.intendedUs[i]);
    }
  }

  figures(elapsedMs: number, plan: LoadPlan, inFlight: number, acc: TargetAccumulator): LiveFigures {
    const dt = Math.max(0.001, (elapsedMs - this.lastTickMs) / 1000);
    this.lastTickMs = elapsedMs;
    const h = this.recent;
    // One walk of the second's histogram: p50/p99 for the progress line are its p50/p99 (HDR values are whole µs).
    const lat = this.destroyed ? undefined : latencyStats(h);
    const fig: LiveFigures = {
      elapsedMs,
      plannedMs: plan.durationMs,
      plannedRps: plannedRateAt(plan, elapsedMs),
      achievedRps: this.recentSent / dt,
      inFlight,
      sent: acc.total.sent,
      errors: acc.total.sent - acc.total.ok,
      dropped: acc.total.dropped,
      p50Ms: lat?.p50 ?? 0,
      p99Ms: lat?.p99 ?? 0,
      ...(lat ? { latencyMs: lat } : {}),
      ...(acc.confusion && acc.scored > 0 ? { accuracy: acc.confusion.correct() / acc.confusion.total() } : {}),
    };
    if (!this.destroyed) h.reset();
    this.recentSent = 0;
    return fig;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.recent.destroy();
  }
}
