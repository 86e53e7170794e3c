// The one per-second live event: what `--live-json` writes, `/events` streams and `/metrics` exposes. Built on the
// main thread from what the engine already aggregates (LiveFigures each second, the targets' accumulators), never
// from a second pass over the records. Documented field by field in docs/live.md; bump LIVE_SCHEMA on any
// incompatible change.
import type { LiveFigures, RunSink } from '../engine/main/sink.js';
import type { TargetAccumulator } from '../engine/main/accumulate.js';
import { addCounts, emptyCounts } from '../engine/main/counts.js';
import { Outcome, type RecordBatch } from '../engine/types.js';
import type { Scenario } from '../spec/types.js';
import type { LatencyStats, RequestCounts, Summary } from '../summary/types.js';
import { wilson } from '../quality/wilson.js';
import { detectDrift } from '../quality/drift.js';
import { verdictOf } from '../verdict/judge.js';
import { phaseAt, type PhaseNow } from '../engine/main/phase-clock.js';

export const LIVE_SCHEMA = 'modelwave.live/1';

type LivePhase = PhaseNow;

export interface LiveWindowAccuracy {
  index: number;
  /** Seconds since t = 0: first intended send and last response of the window. */
  startS: number;
  endS: number;
  accuracy: number;
  /** Wilson 95% interval. */
  ci: [number, number];
  /** Rows scored. */
  n: number;
}

export interface LiveVerdict {
  /**
   * pass: every threshold held; fail: one failed or the run did not complete; none: no thresholds. For `compare`:
   * the comparison's verdict (pass, fail, inconclusive) and headline.
   */
  verdict: 'pass' | 'fail' | 'none' | 'inconclusive';
  headline: string;
  status: Summary['run']['status'];
  exitCode: number;
  thresholds: { expr: string; value: number | null; limit: number; unit: string; pass: boolean }[];
}

export interface LiveEvent {
  schema: typeof LIVE_SCHEMA;
  /** `tick` about once a second; one `final` at the end, with the verdict. */
  type: 'tick' | 'final';
  /** 0, 1, 2… in the order written. */
  seq: number;
  runId: string;
  scenario: string;
  /** Seconds since t = 0 (the first intended send), ms precision. */
  t: number;
  /** Wall clock of the event (ISO 8601). */
  at: string;
  phase: LivePhase | null;
  /** Seconds until the planned end (null when a phase has no planned duration). */
  timeLeftS: number | null;
  /**
   * Requests that completed (or were dropped) since the previous event, warm-up phases excluded: the events' sum
   * is report.json's totals.requests (retriedOnStaleConnection aside).
   */
  requests: RequestCounts;
  /** Warm-up requests completed since the previous event (not in `requests`). */
  warmupRequests: number;
  /** Cumulative requests so far, warm-up excluded (= report.json totals.requests at the final event). */
  totals: RequestCounts;
  /**
   * Requests per second since the previous event, warm-up included; planned: the load plan's rate now. Final event:
   * the run's averages (report.json totals.plannedRps, totals.rps, totals.goodputRps).
   */
  rates: { plannedRps: number; achievedRps: number; successfulRps: number };
  inFlight: number;
  /**
   * Latency (from the intended send time) of the successful requests of the last second; null if none. Final event:
   * the run's latency as report.json totals.latencyMs.
   */
  latencyMs: Pick<LatencyStats, 'p50' | 'p90' | 'p99' | 'p999' | 'max' | 'count'> | null;
  /** Send lag (actual − intended send time) of the requests sent in the last second; null if none. */
  lagMs: { mean: number; max: number } | null;
  errors: {
    /** Failed requests since the previous event by kind (warm-up excluded). */
    byKind: { httpErrors: number; timeouts: number; connectionErrors: number; badResponses: number; dropped: number };
    /** Cumulative, by error code (ERROR_CODES), warm-up excluded, as report.json totals.errors.byCode. */
    byCode: Record<string, number>;
    /** Cumulative (sent − ok) / sent. */
    rate: number;
  };
  /** Cumulative accuracy of the scored rows so far (classification only), with its Wilson 95% interval (unrounded, as report.json totals). */
  accuracy: { value: number; ci: [number, number]; n: number } | null;
  /** Windows that closed since the previous event (all of the rest at the final event). */
  windows: LiveWindowAccuracy[];
  /** Windows closed so far. */
  windowsClosed: number;
  /** Drift test over the closed windows (as report.json `drift`): null until two windows have closed. */
  drift: { detected: boolean; sentence: string; flaggedWindows: number[] } | null;
  feedback: { labelsPosted: number; labelsFailed: number; labelsQueued: number } | null;
  /** Final event only. */
  verdict?: LiveVerdict;
}

/** The planned rate now (the load plan's r(t)). The one place the live outputs read it. */
const plannedRpsOf = (f: LiveFigures): number => f.plannedRps;

/** The last second's latency. The one place the live outputs read it (successful requests, see LiveWindow). */
function latencyOf(f: LiveFigures): LiveEvent['latencyMs'] {
  const l = f.latencyMs;
  if (!l || l.count === 0) return null;
  return { p50: l.p50, p90: l.p90, p99: l.p99, p999: l.p999, max: l.max, count: l.count };
}

const round = (x: number, d = 3) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : 0);

function diff(a: RequestCounts, b: RequestCounts): RequestCounts {
  const out = emptyCounts();
  for (const k of Object.keys(out) as (keyof RequestCounts)[]) out[k] = (a[k] ?? 0) - (b[k] ?? 0);
  return out;
}

/** All phases' counts (warm-up included) of one accumulator. */
function allPhases(acc: TargetAccumulator): RequestCounts {
  const c = emptyCounts();
  for (const p of acc.phases) addCounts(c, p);
  delete c.retriedOnStaleConnection;
  return c;
}

function plainCounts(c: RequestCounts): RequestCounts {
  const { retriedOnStaleConnection: _r, ...rest } = c;
  return { ...rest };
}

interface LiveEventListener {
  (e: LiveEvent): void;
}

/**
 * Builds the live events of one run (target 0: the only one, or the baseline of a comparison) and hands each to the
 * listeners. A RunSink: `onBatch` only sums the send lag of the second (two additions per request), `onTick` builds
 * the event. `finish` builds the final event from the run's result.
 */
export class LiveEventBuilder implements RunSink {
  private seq = 0;
  private lastTotals = emptyCounts();
  private lastAll = emptyCounts();
  private lastTickMs = 0;
  private lagSumUs = 0;
  private lagMaxUs = 0;
  private lagN = 0;
  private maxPhaseSeen = -1;
  private readonly closed = new Map<number, LiveWindowAccuracy & { correct: number }>();
  private accs: readonly TargetAccumulator[] | undefined;
  private lastFeedback: LiveEvent['feedback'] = null;
  private readonly listeners: LiveEventListener[] = [];
  /** The last event built (null before the first second). */
  last: LiveEvent | null = null;

  constructor(
    private readonly s: Scenario,
    private readonly runId: string,
    /** Wall clock of t = 0, ms (Date.now() at the first tick minus its elapsed time). */
    private startedAtMs = NaN,
  ) {}

  listen(l: LiveEventListener): void {
    this.listeners.push(l);
  }

  /** The accumulators being read (set by the first tick, or by finish). */
  get accumulators(): readonly TargetAccumulator[] | undefined {
    return this.accs;
  }

  onBatch(target: number, b: RecordBatch): void {
    if (target !== 0) return;
    for (let i = 0; i < b.count; i++) {
      if (b.phase[i] > this.maxPhaseSeen) this.maxPhaseSeen = b.phase[i];
      if (b.outcome[i] === Outcome.dropped) continue;
      const lag = b.sentUs[i] - b.intendedUs[i];
      this.lagSumUs += lag;
      this.lagN++;
      if (lag > this.lagMaxUs) this.lagMaxUs = lag;
    }
  }

  onTick(f: LiveFigures): void {
    if (f.accumulators) this.accs = f.accumulators;
    if (f.feedback) this.lastFeedback = { ...f.feedback };
    if (Number.isNaN(this.startedAtMs)) this.startedAtMs = Date.now() - f.elapsedMs;
    const acc = this.accs?.[0];
    if (!acc) return;
    this.emit(this.build('tick', f.elapsedMs, acc, f, false));
  }

  /**
   * The final event: the records that arrived after the last tick, every window (all are closed now), and the verdict.
   * `elapsedMs` is the run's duration.
   */
  finish(summary: Summary, exitCode: number, accumulators: readonly TargetAccumulator[], override?: Pick<LiveVerdict, 'verdict' | 'headline'>): LiveEvent {
    this.accs = accumulators;
    if (Number.isNaN(this.startedAtMs)) this.startedAtMs = Date.parse(summary.run.startedAt);
    const fb = summary.feedback;
    if (fb) this.lastFeedback = { labelsPosted: fb.labelsPosted, labelsFailed: fb.labelsFailed, labelsQueued: 0 };
    const v = override ?? verdictOf(summary);
    const e = this.build('final', summary.run.durationMs, accumulators[0], undefined, true);
    // The last interval is a fraction of a second (records that came after the last tick): the final event carries
    // the run's own figures instead, as report.json has them.
    const t = summary.totals;
    e.rates = { plannedRps: t.plannedRps ?? 0, achievedRps: t.rps, successfulRps: t.goodputRps };
    const l = t.latencyMs;
    e.latencyMs = l.count > 0 ? { p50: l.p50, p90: l.p90, p99: l.p99, p999: l.p999, max: l.max, count: l.count } : null;
    e.verdict = {
      verdict: v.verdict,
      headline: v.headline,
      status: summary.run.status,
      exitCode,
      thresholds: summary.thresholds.map((t) => ({ expr: t.expr, value: t.value, limit: t.limit, unit: t.unit, pass: t.pass })),
    };
    this.emit(e);
    return e;
  }

  private emit(e: LiveEvent): void {
    this.last = e;
    for (const l of this.listeners) l(e);
  }

  private build(type: LiveEvent['type'], elapsedMs: number, acc: TargetAccumulator, f: LiveFigures | undefined, final: boolean): LiveEvent {
    const dtS = Math.max(0.001, (elapsedMs - this.lastTickMs) / 1000);
    this.lastTickMs = elapsedMs;
    const totals = plainCounts(acc.total);
    const all = allPhases(acc);
    const second = diff(totals, this.lastTotals);
    const allSecond = diff(all, this.lastAll);
    this.lastTotals = totals;
    this.lastAll = all;
    const lag = this.lagN > 0 ? { mean: round(this.lagSumUs / this.lagN / 1000), max: round(this.lagMaxUs / 1000) } : null;
    this.lagSumUs = this.lagMaxUs = this.lagN = 0;
    const windows = this.closeWindows(acc, elapsedMs, final);
    const closedList = [...this.closed.values()];
    const drift =
      acc.confusion && closedList.length > 1
        ? detectDrift(closedList.sort((a, b) => a.index - b.index).map((w) => ({ index: w.index, correct: w.correct, n: w.n })))
        : undefined;
    const n = acc.confusion?.total() ?? 0;
    const correct = acc.confusion?.correct() ?? 0;
    const { phase, timeLeftS } = this.phaseAt(elapsedMs, final);
    return {
      schema: LIVE_SCHEMA,
      type,
      seq: this.seq++,
      runId: this.runId,
      scenario: this.s.name,
      t: round(elapsedMs / 1000),
      at: new Date(Number.isFinite(this.startedAtMs) ? this.startedAtMs + elapsedMs : Date.now()).toISOString(),
      phase,
      timeLeftS,
      requests: second,
      warmupRequests: allSecond.scheduled - second.scheduled,
      totals,
      rates: {
        plannedRps: f ? round(plannedRpsOf(f), 2) : 0,
        achievedRps: round(allSecond.sent / dtS, 2),
        successfulRps: round(allSecond.ok / dtS, 2),
      },
      inFlight: f?.inFlight ?? 0,
      latencyMs: f ? latencyOf(f) : null,
      lagMs: lag,
      errors: {
        byKind: {
          httpErrors: second.httpErrors,
          timeouts: second.timeouts,
          connectionErrors: second.connectionErrors,
          badResponses: second.badResponses,
          dropped: second.dropped,
        },
        byCode: Object.fromEntries([...acc.byCode].sort((a, b) => b[1] - a[1])),
        rate: totals.sent > 0 ? round((totals.sent - totals.ok) / totals.sent, 6) : 0,
      },
      accuracy: n > 0 ? { value: correct / n, ci: wilson(correct, n), n } : null,
      windows,
      windowsClosed: this.closed.size,
      drift: drift ? { detected: drift.detected, sentence: drift.sentence, flaggedWindows: drift.flaggedWindows } : null,
      feedback: this.lastFeedback,
    };
  }

  /**
   * Windows that closed since the last event. A window is closed when it holds all its requests (count windows), or
   * when its time span plus the request timeout has passed (span windows), or when a later window exists and nothing
   * came for it for a timeout plus a second (a count window cut by a warm-up phase or a stop). At the end, all are.
   */
  private closeWindows(acc: TargetAccumulator, elapsedMs: number, final: boolean): LiveWindowAccuracy[] {
    const out: LiveWindowAccuracy[] = [];
    const w = this.s.windows;
    const graceMs = this.s.target.timeoutMs + 1000;
    let maxIndex = -1;
    for (const k of acc.windows.keys()) if (k > maxIndex) maxIndex = k;
    for (const win of acc.windows.values()) {
      if (this.closed.has(win.index) || !win.confusion) continue;
      const isClosed =
        final ||
        (w.kind === 'count' && win.counts.scheduled >= w.every) ||
        (w.kind === 'span' && elapsedMs >= (win.index + 1) * w.spanMs + graceMs) ||
        (win.index < maxIndex && elapsedMs >= win.lastReceivedUs / 1000 + graceMs);
      if (!isClosed) continue;
      const n = win.confusion.total();
      const correct = win.confusion.correct();
      if (n === 0) continue;
      const entry = {
        index: win.index,
        startS: round(win.firstIntendedUs / 1e6),
        endS: round(win.lastReceivedUs / 1e6),
        accuracy: round(correct / n, 6),
        ci: wilson(correct, n).map((x) => round(x, 6)) as [number, number],
        n,
      };
      this.closed.set(win.index, { ...entry, correct });
      out.push(entry);
    }
    return out.sort((a, b) => a.index - b.index);
  }

  private phaseAt(elapsedMs: number, final: boolean): { phase: LivePhase | null; timeLeftS: number | null } {
    const { phase, timeLeftS } = phaseAt(this.s.load.phases, elapsedMs, this.maxPhaseSeen);
    return { phase, timeLeftS: final ? 0 : timeLeftS };
  }
}
